"""The test spoke's part of the demo story: at the end of the story, it holds the newest
received initiative."""

from django.utils import timezone

from iop.constants import CaseStatus
from iop.models import Case

from .services import hold_case


def hold_newest_initiative() -> None:
    case = Case.objects.filter(status=CaseStatus.RECEIVED).order_by("-pk").first()
    if case is not None and not hasattr(case, "spoke_hold"):
        hold_case(case=case, reason="Demo hold")


def play(story) -> None:
    story.schedule(timezone.now(), hold_newest_initiative)
