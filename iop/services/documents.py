"""Registering documents in a case (diarieföring).

A case is a matter in the public body's registry; every document registered in it gets the
case's registry number and a running number within it: ``<case number>-<n>``, e.g.
``RV 2026/00012-4`` for the fourth. The case's own documents (the wind-down plan, notice
letters, meeting notes) and the organisation's documents registered in the case
(``partners.services.document_register``, through ``partners.diarium``) share the numbers,
so ``n`` counts 1, 2, 3 … per case with no gaps and no duplicates: every one is a line of the
registry (``iop.services.diarium``, whose lines alone hand out the numbers), the case is locked
while a number is drawn, and a failed registration gives its number back.
"""

from __future__ import annotations

import datetime
import errno
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partners.diarium import Matter, Registration
from partners.models import OrganisationDocument
from partners.uploads import validate_document_upload

from ..constants import DocumentDirection
from ..models import Case, CaseDocument
from ..permissions import ensure_can_change_case
from .common import lock_case
from .diarium import diarium_attach, diarium_register, next_entry_serial

# The registry's kinds of document (``RegistryEntry.kind``) of the case's own documents and of
# the organisation's: "iop.wind_down_plan", "partners.statutes".
CASE_DOCUMENT_KIND_PREFIX = "iop."
ORGANISATION_DOCUMENT_KIND_PREFIX = "partners."


@transaction.atomic
def case_document_register(
    *,
    actor: Any,
    case: Case,
    kind: str,
    title: str,
    file: File,
    received_on: datetime.date | None = None,
    direction: str = DocumentDirection.INCOMING,
    counterpart: str = "",
) -> CaseDocument:
    """Register a document in the case: an incoming one (e.g. the organisation's wind-down
    plan), one drawn up here, or an outgoing one (e.g. a notice letter), with its sender or
    recipient. Only the case's officer, its substitute or the IOP coordinator registers
    (``TransitionForbidden`` otherwise); the timeline records who did and what."""
    validate_document_upload(file)
    case = lock_case(case)
    ensure_can_change_case(case, actor)
    received_on = received_on or timezone.localdate()
    # The registry's line first: the document carries its number.
    entry = diarium_register(
        case=case,
        actor=actor,
        kind=f"{CASE_DOCUMENT_KIND_PREFIX}{kind}",
        description=title,
        direction=direction,
        counterpart=counterpart,
        registered_on=received_on,
    )
    document = CaseDocument(
        case=case,
        kind=kind,
        title=title.strip(),
        file=file,
        received_on=received_on,
        direction=direction,
        counterpart=counterpart.strip(),
        document_serial=entry.serial,
        registry_number=entry.number,
        uploaded_by=actor if getattr(actor, "pk", None) else None,
    )
    document.full_clean(exclude=["file"])
    document._history_user = actor
    try:
        document.save()
    except OSError as error:
        # The transaction rolls back: no document, registry line or timeline entry.
        raise_if_disk_full(error)
        raise
    diarium_attach(entry=entry, document=document, actor=actor)
    return document


# What a user reads when the file cannot be stored because the disk (or the quota) is full.
DISK_FULL_MESSAGE = gettext_lazy(
    "The file could not be stored because the server's disk is full. Nothing was registered: "
    "try again later, and tell the administrator if it happens again."
)


def raise_if_disk_full(error: OSError) -> None:
    """A full disk as the form's error (``ValidationError``); any other OSError is left to
    the caller (a server error)."""
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        raise ValidationError(DISK_FULL_MESSAGE, code="disk_full") from error


def organisation_document_matter(*, case: Case, organisation: Any, actor: Any) -> Matter:
    """The case as the matter an organisation's document is registered in (for
    ``partners.diarium``): locks the case, refuses a case that is not the organisation's
    (``ValidationError`` on ``case``) and a user who may not change it
    (``TransitionForbidden``). Runs inside the registering service's transaction."""
    case = lock_case(case)
    if not case.organisations.filter(pk=organisation.pk).exists():
        raise ValidationError(
            {"case": _("The document can only be registered in one of the organisation's cases.")},
            code="foreign_case",
        )
    ensure_can_change_case(case, actor)
    return Matter(
        number=case.registry_number,
        public_body=case.public_body,
        next_serial=next_entry_serial(case),
    )


def organisation_document_registration(
    *,
    case: Case,
    actor: Any,
    kind: str,
    description: str,
    direction: str = DocumentDirection.INCOMING,
    counterpart: str = "",
    registered_on: datetime.date | None = None,
) -> Registration:
    """An organisation's document as a line of the case's registry (for ``partners.diarium``):
    the next number of the case and the case's timeline entry, in the registering service's
    transaction. ``kind`` is the registry's key (``"partners.statutes"``)."""
    entry = diarium_register(
        case=case,
        actor=actor,
        kind=kind,
        description=description,
        direction=direction,
        counterpart=counterpart,
        registered_on=registered_on,
    )
    return Registration(
        number=entry.number,
        matter_number=case.registry_number,
        serial=entry.serial,
        entry=entry,
    )


def organisation_document_attach(
    *, registration: Registration, document: OrganisationDocument, actor: Any
) -> None:
    diarium_attach(entry=registration.entry, document=document, actor=actor)
