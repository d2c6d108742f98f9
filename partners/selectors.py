"""Reads for the organisation screens, each in a constant number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from .constants import DocumentKind
from .diarium import diarium
from .models import ContactPerson, Organisation, OrganisationDocument, ValueDeclaration


def organisation_list(*, user: Any, query: str = "") -> QuerySet[Organisation]:
    """The organisations the user may see matching ``query`` (name, city, organisation
    number with or without the hyphen), with the list's columns annotated."""
    return Organisation.objects.for_user(user).search(query).with_list_data().order_by("name", "pk")


def organisation_for_user(*, user: Any, pk: int) -> Organisation:
    """The organisation, or 404 if it does not exist or the user may not see it."""
    return get_object_or_404(Organisation.objects.for_user(user), pk=pk)


@dataclass(frozen=True)
class OrganisationPage:
    organisation: Organisation
    cases: list  # the hub's cases (partners.diarium)
    contacts: list[ContactPerson]
    documents: list[OrganisationDocument]
    declarations: list[ValueDeclaration]

    @property
    def requested_documents(self) -> list[tuple[str, OrganisationDocument | None]]:
        """Each document a committee should request (Mora, DOMAIN.md §5) with the latest
        one received, or None: what is still missing shows at a glance."""
        latest: dict[str, OrganisationDocument] = {}
        for document in self.documents:  # newest first
            latest.setdefault(document.kind, document)
        return [
            (kind.label, latest.get(kind.value))
            for kind in DocumentKind
            if kind != DocumentKind.OTHER
        ]

    @property
    def latest_declaration(self) -> ValueDeclaration | None:
        return self.declarations[0] if self.declarations else None

    @property
    def has_signed_declaration(self) -> bool:
        return any(d.is_signed for d in self.declarations)


def organisation_page(*, user: Any, organisation: Organisation) -> OrganisationPage:
    """Everything the organisation's page shows: its cases (those the user may see),
    contact persons, registered documents and value declarations."""
    cases = list(
        diarium()
        .cases_of(organisation=organisation, user=user)
        .select_related("committee", "officer")
    )
    documents = list(
        organisation.documents.select_related("uploaded_by", "case").order_by("-received_on", "-pk")
    )
    declarations = list(organisation.value_declarations.select_related("recorded_by"))
    return OrganisationPage(
        organisation=organisation,
        cases=cases,
        contacts=list(organisation.contacts.all()),
        documents=documents,
        declarations=declarations,
    )
