"""The test spoke's part of the demo story: it holds the demo's newest received initiative."""

from iop.constants import CaseStatus
from iop.models import Case

from .services import hold_case


def play(story) -> None:
    case = Case.objects.filter(status=CaseStatus.RECEIVED).order_by("-pk").first()
    if case is not None and not hasattr(case, "spoke_hold"):
        hold_case(case=case, reason="Demo hold")
