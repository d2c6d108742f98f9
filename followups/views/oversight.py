"""The oversight of the follow-up (/uppfoljning/…): every committee with its active IOPs and how
many miss a follow-up, and per committee every active IOP with its last check-in, annual
evaluation and committee follow-up, what is next and what is overdue — so that a committee
whose IOPs had no recorded follow-up for years (DOMAIN.md §8) cannot be missed.

Who sees what: every staff role that reads cases reads these pages (the coordinator works
from them, the auditor checks them); users without a staff role get 403, anonymous users
the login page. The pages change nothing.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.views.decorators.http import require_GET

from iop import permissions
from iop.models import Committee

from .. import selectors

START_PANEL_TEMPLATE = "followups/_start_panel.html"


def _ensure_reader(request: HttpRequest) -> None:
    if not permissions.can_view_cases(request.user):
        raise PermissionDenied


@require_GET
def oversight(request: HttpRequest) -> HttpResponse:
    _ensure_reader(request)
    summaries = selectors.committee_summaries(user=request.user)
    return render(
        request,
        "followups/oversight/index.html",
        {
            "summaries": summaries,
            "total_active": sum(s.active for s in summaries),
            "total_missing": sum(s.missing_follow_up for s in summaries),
        },
    )


@require_GET
def oversight_committee(request: HttpRequest, committee_pk: int) -> HttpResponse:
    _ensure_reader(request)
    committee = get_object_or_404(Committee.objects.select_related("public_body"), pk=committee_pk)
    overview = selectors.committee_overview(
        user=request.user, committee=committee, page_number=request.GET.get("page")
    )
    page = overview.page
    return render(
        request,
        "followups/oversight/committee.html",
        {
            "overview": overview,
            "committee": committee,
            "page_obj": page,
            "page_range": page.paginator.get_elided_page_range(
                page.number, on_each_side=2, on_ends=1
            ),
        },
    )


def start_panel_context(user) -> dict | None:
    """The start page's follow-up panel (``workflow.register_start_panel``)."""
    panel = selectors.start_panel(user)
    if panel is None:
        return None
    return {"followup": panel}


def register_oversight_pages() -> None:
    """Put the follow-up panel at the top of the start page (called from
    ``followups.registration``)."""
    from iop import workflow

    workflow.register_start_panel(
        key="followups", template=START_PANEL_TEMPLATE, context=start_panel_context, order=10
    )


urlpatterns = [
    path("", oversight, name="oversight"),
    path("namnd/<int:committee_pk>/", oversight_committee, name="oversight_committee"),
]
