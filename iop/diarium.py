"""The hub's side of ``partners.diarium``: what the organisation screens ask of the registry
and the cases, provided in ``IopConfig.ready()`` so that ``partners`` never imports the hub."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from partners.diarium import Matter

from .models import Case
from .services import next_registry_number
from .services.documents import organisation_document_matter


class CaseDiarium:
    def cases_of(self, *, organisation: Any, user: Any) -> QuerySet[Case]:
        return (
            Case.objects.for_user(user)
            .filter(organisations=organisation)
            .order_by("-registry_year", "-registry_serial")
        )

    def cases_to_register_in(self, *, user: Any, organisation: Any = None) -> QuerySet[Case]:
        cases = Case.objects.changeable_by(user)
        if organisation is not None:
            cases = cases.filter(organisations=organisation)
        return cases.order_by("-registry_year", "-registry_serial")

    def case_matter(self, *, case: Any, organisation: Any, actor: Any) -> Matter:
        return organisation_document_matter(case=case, organisation=organisation, actor=actor)

    def open_matter(self, *, public_body: Any) -> str:
        _serial, number = next_registry_number(
            public_body=public_body, year=timezone.localdate().year
        )
        return number
