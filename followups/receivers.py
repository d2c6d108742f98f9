"""What the follow-up does when the case moves or its facts change (in the same transaction):
the deadlines are planned afresh."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from iop.models import Case
from iop.workflow import case_facts_changed, case_transition_applied

from .services.deadlines import recompute_if_followed


@receiver(case_transition_applied, sender=Case, dispatch_uid="followups.recompute_on_move")
def recompute_on_move(sender: Any, *, case: Case, actor: Any = None, **kwargs: Any) -> None:
    recompute_if_followed(case, actor=actor)


@receiver(case_facts_changed, sender=Case, dispatch_uid="followups.recompute_on_facts")
def recompute_on_facts(sender: Any, *, case: Case, **kwargs: Any) -> None:
    recompute_if_followed(case)
