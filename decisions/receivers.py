"""What the committee's spoke does when a case moves (inside the same transaction)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from iop.constants import CaseStatus
from iop.models import Case
from iop.services import case_transition_applied

from .constants import MatterKind
from .services import draft_matter, open_matters


@receiver(case_transition_applied, sender=Case, dispatch_uid="decisions.draft_new_iop_matter")
def draft_new_iop_matter(sender: Any, *, case: Case, actor: Any, **kwargs: Any) -> None:
    """A case reaching *awaiting decision* gets its new-IOP matter drafted for it (once: an
    open one is kept)."""
    if case.status != CaseStatus.AWAITING_DECISION:
        return
    if open_matters(case).filter(kind=MatterKind.NEW_IOP).exists():
        return
    draft_matter(case=case, actor=actor, kind=MatterKind.NEW_IOP)
