"""The draft's co-financing budget and action plan (DOMAIN.md §6.2 and §6.5), edited by whoever
handles the case; the jurist reads them on the review page and in every version.

Both pages are a formset of rows beside what they add up to. A save names the revision of the
version it was edited from (a hidden field): if someone saved the draft since, nothing is
written and the page comes back with everything typed, the saved state beside it.

- a user who may not read cases → 403; who may read but not change this case → 403 (GET too:
  these are editing pages; the agreement's own page shows the budget to everyone);
- no draft to edit (not started, in legal review, signed, wrong stage) → 409 with the reason.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from iop.models import Case
from iop.services import TransitionForbidden, TransitionRefused

from .. import services
from ..budget import budget_summary
from ..forms import PlanForm, activity_formset, budget_formset
from ..models import AgreementVersion
from .common import case_to_change, editable_draft, posted_revision


def _draft(case: Case, user: Any) -> tuple[AgreementVersion | None, list[str]]:
    """The draft this user may edit now, or the reasons there is none."""
    try:
        return editable_draft(case, user), []
    except TransitionForbidden:
        raise
    except TransitionRefused as refused:
        return None, list(refused.reasons)


def _refused(request: HttpRequest, template: str, case: Case, reasons: list[str]) -> HttpResponse:
    return render(request, template, {"case": case, "reasons": reasons}, status=409)


def _conflict_message(request: HttpRequest) -> None:
    messages.error(
        request,
        _(
            "Someone else saved this draft after you opened the page, so nothing of yours was "
            "saved. What you typed is still below and the saved state is beside it: check both "
            "and save again."
        ),
    )


# --- Budget ---------------------------------------------------------------------------------


def _budget_rows(version: AgreementVersion):
    """The version's parties and lines, each line with its party: three queries in all."""
    parties = list(version.parties.select_related("public_body", "organisation"))
    lines_qs = version.budget_lines.order_by("year", "party__order", "pk")
    lines = list(lines_qs)  # fills the queryset's cache: the formset reads the same rows
    by_pk = {p.pk: p for p in parties}
    for line in lines:
        line.party = by_pk[line.party_id]
    return parties, lines_qs, lines


def _default_year(version: AgreementVersion, lines: list) -> int:
    if lines:
        return lines[-1].year
    if version.start_date:
        return version.start_date.year
    return timezone.localdate().year


@require_http_methods(["GET", "POST"])
def budget_view(request: HttpRequest, case_pk: int) -> HttpResponse:
    """Edit the draft's budget lines: every party's contribution per year."""
    template = "agreements/budget_form.html"
    case = case_to_change(request, case_pk)
    version, reasons = _draft(case, request.user)
    if version is None:
        return _refused(request, template, case, reasons)
    parties, lines_qs, lines = _budget_rows(version)
    default_year = _default_year(version, lines)
    data = request.POST if request.method == "POST" else None
    formset = budget_formset(lines=lines_qs, parties=parties, default_year=default_year, data=data)
    revision = version.revision
    conflict = False
    if data is not None:
        revision = posted_revision(request)
        if formset.is_valid():
            lines = formset.save(commit=False)
            try:
                services.budget_save(
                    actor=request.user,
                    version=version,
                    revision=revision,
                    changed=lines,
                    deleted=formset.deleted_objects,
                )
            except services.EditConflict as edit_conflict:
                conflict = True
                revision = edit_conflict.current.revision
                _conflict_message(request)
                parties, _qs, lines = _budget_rows(version)
            except services.VersionFrozen as frozen:
                return _refused(request, template, case, list(frozen.reasons))
            else:
                messages.success(request, _("The budget is saved."))
                return redirect("agreements:budget", case_pk=case.pk)
    context = {
        "case": case,
        "version": version,
        "formset": formset,
        "revision": revision,
        "conflict": conflict,
        "budget": budget_summary(version, parties=parties, lines=lines),
        "lines": lines,
    }
    return render(request, template, context)


# --- Action plan ------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def plan_view(request: HttpRequest, case_pk: int) -> HttpResponse:
    """Edit the draft's action plan: the activities and the plan's results and follow-up."""
    template = "agreements/plan_form.html"
    case = case_to_change(request, case_pk)
    version, reasons = _draft(case, request.user)
    if version is None:
        return _refused(request, template, case, reasons)
    activities = version.activities.order_by("order", "pk")
    data = request.POST if request.method == "POST" else None
    form = PlanForm(data, instance=version, prefix="plan")
    formset = activity_formset(activities=activities, data=data)
    revision = version.revision
    conflict = False
    if data is not None:
        revision = posted_revision(request)
        if form.is_valid() and formset.is_valid():
            activities = formset.save(commit=False)
            try:
                services.plan_save(
                    actor=request.user,
                    version=version,
                    revision=revision,
                    data=form.changed_values(),
                    changed=activities,
                    deleted=formset.deleted_objects,
                )
            except services.EditConflict as edit_conflict:
                conflict = True
                revision = edit_conflict.current.revision
                _conflict_message(request)
            except services.VersionFrozen as frozen:
                return _refused(request, template, case, list(frozen.reasons))
            else:
                messages.success(request, _("The action plan is saved."))
                return redirect("agreements:plan", case_pk=case.pk)
    context = {
        "case": case,
        "version": version,
        "form": form,
        "formset": formset,
        "revision": revision,
        "conflict": conflict,
        "saved": AgreementVersion.objects.get(pk=version.pk) if conflict else None,
        "saved_activities": list(version.activities.order_by("order", "pk")) if conflict else [],
    }
    return render(request, template, context)


urls: list = [
    path("arenden/<int:case_pk>/avtal/budget/", budget_view, name="budget"),
    path("arenden/<int:case_pk>/avtal/handlingsplan/", plan_view, name="plan"),
]
