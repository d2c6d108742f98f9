"""The committee's conditions of the case's transitions: a committee transition needs the
recorded decision that makes it (``services.record_decision`` records it, then moves)."""

from __future__ import annotations

from iop.models import Case

from .constants import MatterKind, Outcome
from .models import Decision

APPROVING = (Outcome.APPROVED, Outcome.APPROVED_WITH_CHANGES)


def _pending(case: Case, kinds: tuple[MatterKind, ...], outcomes: tuple[Outcome, ...]) -> bool:
    """A decision of ``outcomes`` on one of the case's matters of ``kinds`` is recorded and
    has not yet moved the case."""
    return Decision.objects.filter(
        matter__case=case,
        matter__kind__in=kinds,
        outcome__in=outcomes,
        case_event__isnull=True,
    ).exists()


def approval_recorded(case: Case) -> bool:
    return _pending(case, (MatterKind.NEW_IOP,), APPROVING)


def rejection_recorded(case: Case) -> bool:
    return _pending(case, (MatterKind.NEW_IOP,), (Outcome.REJECTED,))


def referral_back_recorded(case: Case) -> bool:
    return _pending(case, (MatterKind.NEW_IOP,), (Outcome.REFERRED_BACK,))


def renegotiation_decided(case: Case) -> bool:
    return _pending(case, (MatterKind.RENEGOTIATION, MatterKind.FOLLOW_UP_RENEGOTIATION), APPROVING)


def ending_decided(case: Case) -> bool:
    return _pending(case, (MatterKind.ENDING,), APPROVING)
