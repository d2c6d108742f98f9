"""Test helpers of the follow-up: a partnership active since a given day, its deadlines
planned as the receivers would."""

from __future__ import annotations

import datetime

from django.utils import timezone

from iop.constants import CaseEventKind, CaseStatus, Role, Transition
from iop.models import CaseEvent
from iop.tests.factories import CaseFactory, UserFactory

from ..services.deadlines import deadlines_recompute


def active_case(
    activated_on: datetime.date | None = None, *, status: str = CaseStatus.ACTIVE, **kwargs
):
    """A case that became active on ``activated_on`` (today by default), with its activation
    in the timeline and its deadlines planned. No agreement: two check-ins a year, no term
    deadlines (use agreements' ``agreement_at(case, "signed")`` for the full path)."""
    activated_on = activated_on or timezone.localdate()
    kwargs.setdefault("officer", UserFactory(role=Role.CASE_OFFICER))
    case = CaseFactory(status=status, **kwargs)
    at = timezone.make_aware(datetime.datetime.combine(activated_on, datetime.time(10, 0)))
    CaseEvent.objects.create(
        case=case,
        kind=CaseEventKind.TRANSITION,
        transition=Transition.ACTIVATE.value,
        from_status=CaseStatus.SIGNING,
        to_status=CaseStatus.ACTIVE,
        at=at,
        actor=case.officer,
    )
    deadlines_recompute(case)
    return case
