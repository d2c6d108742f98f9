"""The hub's registry (diariet), as the other apps see it.

- ``CaseDiarium`` is the hub's side of ``partners.diarium``: what the organisation screens ask
  of the registry and the cases (and how an organisation's document registered in a case
  becomes a line of it), provided in ``IopConfig.ready()`` so that ``partners`` never imports
  the hub.
- The register's **kinds** and **links**: every app that registers documents
  (``iop.services.diarium.diarium_register``) names the kinds it writes
  (``register_document_kind("decisions.report", _("Tjänsteskrivelse"))``) and says how a
  line reaches its document's file (``register_document_link(MatterDocument, url)``), from
  its ``AppConfig.ready()`` like the other hooks of ``iop.workflow``. ``url(document)``
  returns the download address of the pointed document, or ``None`` while its file is not
  stored yet (a PDF the rendering task has still to print): the register then says "being
  printed". A line pointing at a model without a link shows no link.
  ``RegistryEntry.get_download_url()`` and ``RegistryEntry.is_being_printed`` read it.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from partners.diarium import Matter, Registration

from .models import Case
from .services import next_registry_number
from .services.diarium import diarium_correct
from .services.documents import (
    organisation_document_attach,
    organisation_document_matter,
    organisation_document_registration,
)


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

    def register(
        self,
        *,
        case: Any,
        actor: Any,
        kind: str,
        description: str,
        direction: str,
        counterpart: str,
        registered_on: datetime.date | None = None,
    ) -> Registration:
        return organisation_document_registration(
            case=case,
            actor=actor,
            kind=kind,
            description=description,
            direction=direction,
            counterpart=counterpart,
            registered_on=registered_on,
        )

    def attach(self, *, registration: Registration, document: Any, actor: Any) -> None:
        organisation_document_attach(registration=registration, document=document, actor=actor)

    def correct(
        self, *, document: Any, actor: Any, kind: str, description: str, registered_on: Any
    ) -> None:
        diarium_correct(
            document=document,
            actor=actor,
            kind=kind,
            description=description,
            registered_on=registered_on,
        )


# --- Kinds and links of the register ---------------------------------------------------------


@dataclass(frozen=True)
class DocumentLink:
    """How the register reaches a model's file: ``url(document)`` is its download address, or
    ``None`` while the file is not stored yet; ``select_related`` is what ``url`` reads of
    the document beyond its own row (fetched with the page's documents, one query a model)."""

    model: type[models.Model]
    url: Callable[[Any], str | None]
    select_related: tuple[str, ...] = ()


_kinds: dict[str, Any] = {}
_links: dict[str, DocumentLink] = {}


def register_document_kind(key: str, label: Any) -> None:
    """Name a kind of document the register lists (its filter's choice and its column)."""
    _kinds[key] = label


def register_document_kinds(prefix: str, choices: type[models.TextChoices]) -> None:
    """Every value of ``choices`` as the kind ``<prefix><value>`` with its label."""
    for value, label in choices.choices:
        register_document_kind(f"{prefix}{value}", label)


def document_kinds() -> dict[str, Any]:
    return dict(_kinds)


def kind_label(key: str) -> str:
    return str(_kinds.get(key, key))


def register_document_link(
    model: type[models.Model],
    url: Callable[[Any], str | None],
    *,
    select_related: Sequence[str] = (),
) -> None:
    """Let the register link its lines pointing at ``model`` to their file (see above)."""
    _links[model._meta.label] = DocumentLink(
        model=model, url=url, select_related=tuple(select_related)
    )


def document_links() -> list[DocumentLink]:
    return list(_links.values())


def link_of(document: models.Model | None) -> DocumentLink | None:
    if document is None:
        return None
    return _links.get(document._meta.label)


def register_hub_documents() -> None:
    """The kinds and links of the documents the hub registers itself and of the
    organisation's documents (``partners`` cannot know the hub's register): called from
    ``IopConfig.ready()``."""
    from partners.constants import DocumentKind
    from partners.models import OrganisationDocument

    from .models import CaseDocument
    from .services.documents import (
        CASE_DOCUMENT_KIND_PREFIX,
        ORGANISATION_DOCUMENT_KIND_PREFIX,
    )

    register_document_kinds(CASE_DOCUMENT_KIND_PREFIX, CaseDocument.Kind)
    register_document_kinds(ORGANISATION_DOCUMENT_KIND_PREFIX, DocumentKind)
    register_document_link(
        CaseDocument,
        lambda document: (
            reverse("cases:document_download", args=[document.case_id, document.pk])
            if document.file
            else None
        ),
    )
    register_document_link(
        OrganisationDocument,
        lambda document: (
            reverse("partners:document_download", args=[document.organisation_id, document.pk])
            if document.file
            else None
        ),
    )
