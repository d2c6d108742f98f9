"""Finance on the case page and on the start page (``registration``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from iop import permissions
from iop.models import Case

from .. import selectors

CASE_PANEL_TEMPLATE = "finance/_case_panel.html"
START_PANEL_TEMPLATE = "finance/_start_panel.html"
START_PANEL_SIZE = 8


def case_panel_context(request: HttpRequest, case: Case) -> dict:
    """This year's planned, paid and difference per public party, and open holds with their
    reasons; nothing for a case without a plan or a user who may not read payments."""
    if not request.user.has_perm("finance.view_payment"):
        return {"finance_panel": None}
    year = timezone.localdate().year
    plan = selectors.case_plan(case, [year])
    if not plan.has_plan:
        return {"finance_panel": None}
    return {"finance_panel": {"year": year, "plan_year": plan.year(year), "plan": plan}}


def start_panel_context(user: Any) -> dict | None:
    """Finance's panel: this year's overdue payments and the held ones (only for those who
    record payments)."""
    if not (permissions.can_view_cases(user) and user.has_perm("finance.add_payment")):
        return None
    attention = selectors.overdue()
    return {
        "finance_attention": attention,
        "overdue_shown": attention.overdue[:START_PANEL_SIZE],
        "held_shown": attention.held[:START_PANEL_SIZE],
    }
