"""The registry (diariet): every document of a case — incoming, drawn up or outgoing — gets a
line here with the case's registry number and a running number within it.

The numbers come from these lines only (``next_entry_serial``): the case's own documents
(``iop.services.documents``), the organisation's documents registered in the case
(``partners.services.document_register`` through ``partners.diarium``) and the spokes'
documents all draw from the same series, 1, 2, 3 … per case with no gaps. The documents'
own ``registry_number``/``document_serial`` fields are copies of their line's.

``diarium_register`` is the one way a line is written. Apps call it inside the transaction
that saves the document itself, so a document never exists unregistered and a failed save
leaves no line (and gives its number back).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone

from ..constants import CaseEventKind, DocumentDirection
from ..models import Case, RegistryEntry
from .common import lock_case, record_event


def next_entry_serial(case: Case) -> int:
    """The next running number within the case. The caller holds the case's lock."""
    last = RegistryEntry.objects.filter(case=case).aggregate(last=Max("serial"))["last"]
    return (last or 0) + 1


@transaction.atomic
def diarium_register(
    *,
    case: Case,
    actor: Any,
    kind: str,
    description: str,
    direction: str = DocumentDirection.DRAWN_UP,
    counterpart: str = "",
    registered_on: datetime.date | None = None,
    document: models.Model | None = None,
    event: bool = True,
) -> RegistryEntry:
    """Register a document of ``case``: ``kind`` names it for filters (``"decisions.report"``),
    ``description`` is the line users read, ``document`` the app's row it stands for. The
    case is locked while the number is drawn. Writes the case's timeline entry too unless
    ``event=False`` (a caller that writes its own)."""
    case = lock_case(case)
    serial = next_entry_serial(case)
    entry = RegistryEntry(
        case=case,
        serial=serial,
        number=f"{case.registry_number}-{serial}",
        registered_on=registered_on or timezone.localdate(),
        direction=DocumentDirection(direction),
        counterpart=counterpart.strip(),
        kind=kind,
        description=description.strip()[:300],
        registered_by=actor if getattr(actor, "pk", None) else None,
    )
    if document is not None and document.pk:
        entry.content_type = ContentType.objects.get_for_model(document)
        entry.object_id = document.pk
    entry.full_clean()
    entry._history_user = actor if getattr(actor, "pk", None) else None
    entry.save()
    if event:
        record_event(
            case=case,
            kind=CaseEventKind.DOCUMENT,
            actor=actor,
            note=f"{entry.number} {entry.description}",
        )
    return entry


@transaction.atomic
def diarium_attach(
    *, entry: RegistryEntry, document: models.Model, actor: Any = None
) -> RegistryEntry:
    """Point a line registered before its document had a key at the saved document (the
    document carries the line's number, so the line is drawn first). ``actor`` is the
    history's user (the registering one, if not given)."""
    entry.content_type = ContentType.objects.get_for_model(document)
    entry.object_id = document.pk
    who = actor if getattr(actor, "pk", None) else entry.registered_by
    entry._history_user = who
    entry.save(update_fields=["content_type", "object_id"])
    return entry


# What a registered document's correction may change on its line; the number stays.
ENTRY_CORRECTABLE = ("kind", "description", "registered_on", "counterpart")


@transaction.atomic
def diarium_correct(*, document: models.Model, actor: Any, **fields: Any) -> RegistryEntry | None:
    """Carry a correction of a registered document (its kind, description, date or
    counterpart) to its line, recorded in the line's history; ``None`` if the document has
    no line (e.g. one registered outside a case)."""
    unknown = set(fields) - set(ENTRY_CORRECTABLE)
    if unknown:
        raise TypeError(f"Not correctable on a registry line: {sorted(unknown)}")
    entry = (
        RegistryEntry.objects.select_for_update()
        .filter(content_type=ContentType.objects.get_for_model(document), object_id=document.pk)
        .first()
    )
    if entry is None:
        return None
    for name, value in fields.items():
        setattr(entry, name, value.strip()[:300] if isinstance(value, str) else value)
    entry.full_clean()
    entry._history_user = actor if getattr(actor, "pk", None) else None
    entry.save(update_fields=list(fields))
    return entry
