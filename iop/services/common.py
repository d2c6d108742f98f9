"""What every write use case shares: lock the case first, write its event through one helper."""

from __future__ import annotations

from typing import Any

from ..constants import CaseEventKind
from ..models import Case, CaseEvent


def lock_case(case: Case | int) -> Case:
    """The case's row, locked until the transaction ends. Every service that changes the case
    or anything hanging on it takes this lock first (then its own row), so two writers queue
    up in the same order and cannot deadlock."""
    pk = case if isinstance(case, int) else case.pk
    return Case.objects.select_for_update().get(pk=pk)


def record_event(
    *,
    case: Case,
    kind: CaseEventKind,
    actor: Any,
    note: str = "",
    transition: str = "",
    from_status: str | None = None,
    to_status: str | None = None,
    assignee: Any = None,
) -> CaseEvent:
    """Write one entry of the case's timeline (who, when, what). The one way events are made."""
    return CaseEvent.objects.create(
        case=case,
        kind=kind,
        actor=actor if getattr(actor, "pk", None) else None,
        note=note.strip(),
        transition=transition,
        from_status=case.status if from_status is None else from_status,
        to_status=case.status if to_status is None else to_status,
        assignee=assignee,
    )
