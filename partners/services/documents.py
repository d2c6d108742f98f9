"""Registering (diarieföring) the documents an organisation hands in, and correcting what
registration did not fix."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from ..constants import DocumentKind
from ..diarium import diarium
from ..models import Organisation, OrganisationDocument
from ..uploads import validate_document_upload
from .common import save_recorded

# The hub's registry names an organisation's document "partners.<kind>" ("partners.statutes").
REGISTRY_KIND_PREFIX = "partners."
# An organisation's document comes in (inkommande); the hub's direction of the same name.
INCOMING = "incoming"


def registry_description(*, kind: str, year: int | None, description: str) -> str:
    """The registry's line for the document: "Årsredovisning 2025 – Verksamhetsåret" from
    its kind, the year it concerns and what was typed at upload."""
    label = DocumentKind(kind).label if kind in DocumentKind.values else kind
    head = " ".join(str(part) for part in (label, year) if part)
    return " – ".join(part for part in (head, (description or "").strip()) if part)


def _own_file_matter(*, organisation: Organisation, public_body: Any) -> str:
    """The registry number of the organisation's own file (matter) at ``public_body``:
    the one its earlier case-less documents were registered in, or a new one."""
    existing = (
        OrganisationDocument.objects.filter(
            organisation=organisation, case__isnull=True, public_body=public_body
        )
        .exclude(matter_number="")
        .order_by("pk")
        .values_list("matter_number", flat=True)
        .first()
    )
    return existing or diarium().open_matter(public_body=public_body)


@transaction.atomic
def document_register(
    *,
    organisation: Organisation,
    actor: Any,
    kind: str,
    file: File,
    received_on: datetime.date,
    year: int | None = None,
    description: str = "",
    case: Any = None,
    public_body: Any = None,
) -> OrganisationDocument:
    """Upload a document the organisation handed in and register it (diarieföring).

    Registry numbers follow the registry's (diariet's) practice of numbering documents
    within a matter: ``<matter's registry number>-<n>``, e.g. ``RV 2026/00012-3`` for the
    third document registered in case RV 2026/00012.

    - With ``case`` (one of the organisation's IOP cases), the matter is that case, and only
      someone who may change the case registers in it (``PermissionDenied`` otherwise). The
      document is a line of the hub's registry of the case (``partners.diarium``), which
      hands out its number (shared with the case's other documents) and writes the case's
      timeline entry; the document keeps a copy of the number.
    - Without one, the matter is the organisation's own file at ``public_body``: the first
      case-less document opens it with the next number of that body's registry (the series
      cases are numbered from), and later ones are numbered within it.

    ``n`` counts 1, 2, 3 … per matter with no gaps: the case (if any), then the organisation
    are locked while the number is drawn, and a failed upload rolls back its number with it.
    Two unique constraints (the full number; the matter and ``n``) make a duplicate
    impossible even if this function is bypassed.
    """
    validate_document_upload(file)
    registration = None
    if case is not None:
        registry = diarium()
        matter = registry.case_matter(case=case, organisation=organisation, actor=actor)
        organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
        registration = registry.register(
            case=case,
            actor=actor,
            kind=f"{REGISTRY_KIND_PREFIX}{kind}",
            description=registry_description(kind=kind, year=year, description=description),
            direction=INCOMING,
            counterpart=organisation.name,
            registered_on=received_on,
        )
        public_body, number, serial = (
            matter.public_body,
            registration.matter_number,
            registration.serial,
        )
    elif public_body is None:
        raise ValidationError(
            {
                "public_body": _(
                    "Choose the case, or the public body whose registry the document is registered in."
                )
            },
            code="no_registry",
        )
    else:
        organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
        number = _own_file_matter(organisation=organisation, public_body=public_body)
        last = OrganisationDocument.objects.filter(matter_number=number).aggregate(
            last=Max("document_serial")
        )["last"]
        serial = (last or 0) + 1
    document = OrganisationDocument(
        organisation=organisation,
        kind=kind,
        file=file,
        year=year,
        received_on=received_on,
        description=description,
        case=case,
        public_body=public_body,
        matter_number=number,
        document_serial=serial,
        registry_number=f"{number}-{serial}",
        uploaded_by=actor,
    )
    save_recorded(document, actor, exclude=["file"])
    if registration is not None:
        diarium().attach(registration=registration, document=document, actor=actor)
    return document


# What may be corrected after registration; the number, the matter and the file stay.
DOCUMENT_CORRECTABLE = ("kind", "year", "received_on", "description")


@transaction.atomic
def document_update(
    *, document: OrganisationDocument, actor: Any, **fields: Any
) -> OrganisationDocument:
    """Correct a registered document's kind, year, date received or description."""
    unknown = set(fields) - set(DOCUMENT_CORRECTABLE)
    if unknown:
        raise TypeError(f"Not correctable after registration: {sorted(unknown)}")
    document = OrganisationDocument.objects.select_for_update().get(pk=document.pk)
    for name, value in fields.items():
        setattr(document, name, value)
    save_recorded(document, actor, exclude=["file"])
    if document.case_id:
        # The registry's line says what the document is: it follows the correction.
        diarium().correct(
            document=document,
            actor=actor,
            kind=f"{REGISTRY_KIND_PREFIX}{document.kind}",
            description=registry_description(
                kind=document.kind, year=document.year, description=document.description
            ),
            registered_on=document.received_on,
        )
    return document
