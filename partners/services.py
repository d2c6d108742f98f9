"""Write use cases for organisations, their contact persons, documents and value
declarations. Views, admin actions and commands call these; each records who did it
(django-simple-history's ``_history_user``) and runs in one transaction."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from iop.models import Case, PublicBody
from iop.services import next_registry_number

from .models import ContactPerson, Organisation, OrganisationDocument, ValueDeclaration
from .uploads import validate_document_upload, validate_scan_upload


def _save(obj, actor: Any, *, exclude: list[str] | None = None):
    obj._history_user = actor
    obj.full_clean(exclude=exclude)
    obj.save()
    return obj


@transaction.atomic
def organisation_create(*, actor: Any, **fields: Any) -> Organisation:
    """Register a new partner organisation (name, organisation number, address …)."""
    return _save(Organisation(**fields), actor)


@transaction.atomic
def organisation_update(*, organisation: Organisation, actor: Any, **fields: Any) -> Organisation:
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    for name, value in fields.items():
        setattr(organisation, name, value)
    return _save(organisation, actor)


def _only_primary(contact: ContactPerson, actor: Any) -> None:
    """An organisation has at most one primary contact: marking one unmarks the others."""
    if not contact.is_primary:
        return
    others = ContactPerson.objects.filter(organisation_id=contact.organisation_id, is_primary=True)
    for other in others.exclude(pk=contact.pk):
        other.is_primary = False
        other._history_user = actor
        other.save(update_fields=["is_primary"])


@transaction.atomic
def contact_person_create(
    *, organisation: Organisation, actor: Any, **fields: Any
) -> ContactPerson:
    contact = _save(ContactPerson(organisation=organisation, **fields), actor)
    _only_primary(contact, actor)
    return contact


@transaction.atomic
def contact_person_update(*, contact: ContactPerson, actor: Any, **fields: Any) -> ContactPerson:
    contact = ContactPerson.objects.select_for_update().get(pk=contact.pk)
    for name, value in fields.items():
        setattr(contact, name, value)
    _save(contact, actor)
    _only_primary(contact, actor)
    return contact


def _own_file_matter(*, organisation: Organisation, public_body: PublicBody) -> str:
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
    if existing:
        return existing
    _serial, number = next_registry_number(public_body=public_body, year=timezone.localdate().year)
    return number


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
    case: Case | None = None,
    public_body: PublicBody | None = None,
) -> OrganisationDocument:
    """Upload a document the organisation handed in and register it (diarieföring).

    Registry numbers follow the registry's (diariet's) practice of numbering documents
    within a matter: ``<matter's registry number>-<n>``, e.g. ``RV 2026/00012-3`` for the
    third document registered in case RV 2026/00012.

    - With ``case`` (one of the organisation's IOP cases), the matter is that case.
    - Without one, the matter is the organisation's own file at ``public_body``: the first
      case-less document opens it with the next number of that body's registry
      (``iop.services.next_registry_number``, the series cases are numbered from), and
      later ones are numbered within it.

    ``n`` counts 1, 2, 3 … per matter with no gaps: the organisation (and the case) are
    locked while the number is drawn, and a failed upload rolls back its number with it.
    Two unique constraints (the full number; the matter and ``n``) make a duplicate
    impossible even if this function is bypassed.
    """
    validate_document_upload(file)
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if case is not None:
        case = Case.objects.select_for_update().get(pk=case.pk)
        if not case.organisations.filter(pk=organisation.pk).exists():
            raise ValidationError(
                {
                    "case": _(
                        "The document can only be registered in one of the organisation's cases."
                    )
                },
                code="foreign_case",
            )
        public_body = case.public_body
        matter = case.registry_number
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
        matter = _own_file_matter(organisation=organisation, public_body=public_body)
    last = OrganisationDocument.objects.filter(matter_number=matter).aggregate(
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
        matter_number=matter,
        document_serial=serial,
        registry_number=f"{matter}-{serial}",
        uploaded_by=actor,
    )
    return _save(document, actor, exclude=["file"])


@transaction.atomic
def value_declaration_record(
    *,
    organisation: Organisation,
    actor: Any,
    signatory_name: str,
    signed_on: datetime.date,
    signatory_title: str = "",
    scanned_file: File | None = None,
    **points: bool,
) -> ValueDeclaration:
    """Record a value declaration (värdegrundsintyg) as signed on paper, with the points
    the signatory confirmed and, if there is one, the scanned signed copy. A declaration
    with a point left unconfirmed is kept, and shown as incomplete."""
    unknown = set(points) - set(ValueDeclaration.POINT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown points: {sorted(unknown)}")
    if scanned_file:
        validate_scan_upload(scanned_file)
    declaration = ValueDeclaration(
        organisation=organisation,
        signatory_name=signatory_name,
        signatory_title=signatory_title,
        signed_on=signed_on,
        scanned_file=scanned_file or "",
        recorded_by=actor,
        **points,
    )
    return _save(declaration, actor, exclude=["scanned_file"])
