"""The follow-up to the committee and the ending, under the case
(/arenden/<case>/uppfoljning/…): the biennial follow-up report and its one click that prepares
the committee matter; the notice of termination (the case page's «Register notice of
termination» comes here); the ending's overview, tracked until the case is closed; the
wind-down plan.

Who may do what: every staff role reads (``visible_case``; the auditor reads everything and
changes nothing); the case's officer, its substitute and the IOP coordinator
(``can_change_case``) write; anyone else gets 403 on a write and on a form page. A report of
another case under this case's URL is 404. A refusal comes back on the same page with the
reasons and what was typed, and nothing saved.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from iop import facts, permissions, workflow
from iop.constants import CaseStatus, Transition
from iop.models import Case
from iop.services import available_transitions, declared_transitions, transition_refusals
from iop.views.common import case_to_change, stage_context, visible_case
from partners.ui import form_helper

from ..constants import FOLLOWED_STAGES, DeadlineKind
from ..forms.ending import NoticeForm, WindDownPlanForm
from ..forms.reports import FollowUpReportForm
from ..models import Deadline, FollowUpReport, NoticeRecord, WindDownPlan
from ..services.deadlines import FollowUpRefused
from ..services.ending import (
    WIND_DOWN_STAGES,
    notice_matter_prepare,
    notice_months_of,
    notice_register,
    wind_down_plan_register,
    wind_down_stage_refusal,
)
from ..services.reports import report_prefill, report_prepare_matter, report_save

# --- Helpers --------------------------------------------------------------------------------


def _refused_into(form: Form, refused: FollowUpRefused) -> None:
    """The service's refusals on the form: on their field, or for the whole form."""
    for name, reasons in refused.errors.items():
        for reason in reasons:
            form.add_error(name if name and name in form.fields else None, reason)


def _base(case: Case, **extra: Any) -> dict[str, Any]:
    return {"case": case, **stage_context(case), **extra}


# --- The biennial follow-up report ------------------------------------------------------------


def _report_of(case: Case, pk: int) -> FollowUpReport:
    report = get_object_or_404(
        FollowUpReport.objects.select_related("created_by"), pk=pk, case=case
    )
    report.case = case
    return report


def _render_report(
    request: HttpRequest,
    case: Case,
    report: FollowUpReport | None,
    *,
    form: FollowUpReportForm | None = None,
    refusals: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    may_change = permissions.can_change_case(case, request.user)
    followed = case.status in FOLLOWED_STAGES
    editable = may_change and followed and (report is None or not report.is_prepared)
    if editable and form is None:
        form = (
            FollowUpReportForm(initial=report_prefill(case))
            if report is None
            else FollowUpReportForm.of(report)
        )
    context = _base(
        case,
        report=report,
        form=form if editable else None,
        helper=form_helper(form) if editable and form is not None else None,
        may_change=may_change,
        followed=followed,
        can_prepare=may_change and followed and report is not None and not report.is_prepared,
        refusals=refusals or [],
        history=list(report.history.select_related("history_user")[:20]) if report else [],
    )
    return render(request, "followups/ending/report.html", context, status=status)


@require_http_methods(["GET", "POST"])
def report_new(request: HttpRequest, case_pk: int) -> HttpResponse:
    case = case_to_change(request, case_pk)
    if request.method == "GET":
        return _render_report(request, case, None)
    form = FollowUpReportForm(request.POST)
    if form.is_valid():
        try:
            report = report_save(case=case, actor=request.user, **form.service_arguments())
        except FollowUpRefused as refused:
            if case.status not in FOLLOWED_STAGES:
                return _render_report(request, case, None, refusals=_all(refused), status=409)
            _refused_into(form, refused)
        else:
            messages.success(request, _("The follow-up report has been saved."))
            return redirect(report.get_absolute_url())
    return _render_report(request, case, None, form=form)


@require_http_methods(["GET", "POST"])
def report_page(request: HttpRequest, case_pk: int, pk: int) -> HttpResponse:
    case = visible_case(request, case_pk)
    report = _report_of(case, pk)
    if request.method == "GET":
        return _render_report(request, case, report)
    if not permissions.can_change_case(case, request.user):
        raise PermissionDenied
    form = FollowUpReportForm(request.POST)
    if form.is_valid():
        try:
            report = report_save(
                case=case, actor=request.user, report=report, **form.service_arguments()
            )
        except FollowUpRefused as refused:
            if report.is_prepared or case.status not in FOLLOWED_STAGES:
                return _render_report(
                    request, case, report, refusals=list(_all(refused)), status=409
                )
            _refused_into(form, refused)
        else:
            messages.success(request, _("The follow-up report has been saved."))
            return redirect(report.get_absolute_url())
    return _render_report(request, case, report, form=form)


def _all(refused: FollowUpRefused) -> list[str]:
    return [reason for reasons in refused.errors.values() for reason in reasons]


@require_POST
def report_prepare(request: HttpRequest, case_pk: int, pk: int) -> HttpResponse:
    """The one click: prepare the committee's matter from the report."""
    case = case_to_change(request, case_pk)
    report = _report_of(case, pk)
    try:
        report = report_prepare_matter(report=report, actor=request.user)
    except FollowUpRefused as refused:
        report.refresh_from_db()
        return _render_report(request, case, report, refusals=_all(refused), status=409)
    messages.success(
        request,
        _("The committee matter «%(title)s» has been prepared from the report.")
        % {"title": report.matter_title},
    )
    return redirect(report.get_absolute_url())


# --- Notice of termination ------------------------------------------------------------------


def _notice_stage_refusals(case: Case, user: Any) -> list[str]:
    """Why notice cannot be registered at the case's stage (the role is checked before)."""
    if case.status in declared_transitions()[Transition.GIVE_NOTICE]:
        return []
    return transition_refusals(case, Transition.GIVE_NOTICE, user)


@require_http_methods(["GET", "POST"])
def notice(request: HttpRequest, case_pk: int) -> HttpResponse:
    """Register the notice (the action page of «Register notice of termination»)."""
    case = case_to_change(request, case_pk)
    if NoticeRecord.objects.filter(case=case).exists():
        messages.info(
            request, _("Notice of termination has already been registered for this case.")
        )
        return redirect("followups:ending", case_pk=case.pk)
    blocked = _notice_stage_refusals(case, request.user)
    form = NoticeForm(request.POST or None, request.FILES or None) if not blocked else None
    if form is not None and request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            registered = notice_register(
                case=case,
                actor=request.user,
                given_on=data["given_on"],
                given_by=data["given_by"],
                reason=data["reason"],
                letter=data["letter"],
                letter_title=data["letter_title"],
            )
        except FollowUpRefused as refused:
            _refused_into(form, refused)
            form.ask_for_file_again()
        else:
            notice = registered.notice
            messages.success(
                request,
                _("The notice has been registered: the partnership ends on %(date)s.")
                % {"date": _long_date(notice.end_date)},
            )
            for reason in registered.matter_refusals:
                messages.warning(
                    request,
                    _("The committee's matter for ending the IOP was not prepared: %(reason)s")
                    % {"reason": reason},
                )
            return redirect("followups:ending", case_pk=case.pk)
    context = _base(
        case,
        form=form,
        helper=form_helper(form) if form is not None else None,
        blocked=blocked,
        notice_months=notice_months_of(case),
    )
    return render(request, "followups/ending/notice.html", context, status=409 if blocked else 200)


def _long_date(day: Any) -> str:
    return formats.date_format(day, "j F Y")


@require_POST
def notice_matter(request: HttpRequest, case_pk: int) -> HttpResponse:
    """Prepare the ending matter again for a notice registered without one."""
    case = case_to_change(request, case_pk)
    try:
        notice = notice_matter_prepare(case=case, actor=request.user)
    except FollowUpRefused as refused:
        for reason in _all(refused):
            messages.error(
                request,
                _("The committee's matter for ending the IOP was not prepared: %(reason)s")
                % {"reason": reason},
            )
    else:
        messages.success(
            request,
            _("The committee matter «%(title)s» has been prepared.")
            % {"title": notice.matter_title},
        )
    return redirect("followups:ending", case_pk=case.pk)


# --- The ending's overview and the wind-down plan -------------------------------------------


def ending_context(request: HttpRequest, case: Case) -> dict[str, Any]:
    """What the ending page (and the case page's panel) shows: the notice, the end date and
    the days left, the committee's matter and decision, the wind-down plan and its deadline,
    and what the user can do next."""
    notice = NoticeRecord.objects.select_related("letter", "created_by").filter(case=case).first()
    today = timezone.localdate()
    plans = list(
        WindDownPlan.objects.filter(case=case).select_related("document", "created_by")[:20]
    )
    deadlines = {
        d.kind: d
        for d in Deadline.objects.filter(
            case=case, kind__in=[DeadlineKind.WIND_DOWN_PLAN, DeadlineKind.PARTNERSHIP_END]
        ).order_by("sequence")
    }
    may_change = permissions.can_change_case(case, request.user)
    offered = {t.name for t in available_transitions(case, request.user)}
    close_refusals = (
        transition_refusals(case, Transition.CLOSE, request.user)
        if Transition.CLOSE in offered
        else []
    )
    ending_decision = next(
        (d for d in reversed(facts.decision_facts(case)) if d.kind == "ending"), None
    )
    return {
        "notice": notice,
        "today": today,
        "days_left": (notice.end_date - today).days if notice else None,
        "plans": plans,
        "plan_deadline": deadlines.get(DeadlineKind.WIND_DOWN_PLAN),
        "end_deadline": deadlines.get(DeadlineKind.PARTNERSHIP_END),
        "ending_decision": ending_decision,
        "may_change": may_change,
        "can_give_notice": notice is None and Transition.GIVE_NOTICE in offered,
        "can_register_plan": may_change and case.status in WIND_DOWN_STAGES,
        "can_prepare_matter": may_change
        and notice is not None
        and notice.matter_id is None
        and case.status == CaseStatus.NOTICE_GIVEN,
        "can_close": Transition.CLOSE in offered and not close_refusals,
        "close_offered": Transition.CLOSE in offered,
        "close_refusals": close_refusals,
    }


@require_GET
def ending(request: HttpRequest, case_pk: int) -> HttpResponse:
    case = visible_case(request, case_pk)
    return render(
        request, "followups/ending/ending.html", _base(case, **ending_context(request, case))
    )


@require_http_methods(["GET", "POST"])
def wind_down(request: HttpRequest, case_pk: int) -> HttpResponse:
    case = case_to_change(request, case_pk)
    blocked = [] if case.status in WIND_DOWN_STAGES else [wind_down_stage_refusal(case)]
    form = WindDownPlanForm(request.POST or None, request.FILES or None) if not blocked else None
    if form is not None and request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            wind_down_plan_register(
                case=case,
                actor=request.user,
                text=data["text"],
                file=data["file"],
                received_on=data["received_on"],
            )
        except FollowUpRefused as refused:
            _refused_into(form, refused)
            form.ask_for_file_again()
        else:
            messages.success(request, _("The wind-down plan has been registered."))
            return redirect("followups:ending", case_pk=case.pk)
    context = _base(
        case,
        form=form,
        helper=form_helper(form) if form is not None else None,
        blocked=blocked,
        notice=NoticeRecord.objects.filter(case=case).first(),
    )
    return render(
        request, "followups/ending/wind_down.html", context, status=409 if blocked else 200
    )


# --- On the follow-up page (followups.views.case) -----------------------------------------


def reports_of(case: Case, *, limit: int = 10) -> list[FollowUpReport]:
    """The case's follow-up reports, latest first, for the follow-up page's section
    (``followups/ending/_follow_up_section.html``; one query)."""
    return list(FollowUpReport.objects.filter(case=case).order_by("-written_on", "-pk")[:limit])


# --- The case page's panel ----------------------------------------------------------------


ENDING_STAGES = (CaseStatus.NOTICE_GIVEN, CaseStatus.WINDING_DOWN, CaseStatus.CLOSED)


def ending_panel_context(request: HttpRequest, case: Case) -> dict[str, Any]:
    """The case page's ending panel: only once notice is given (no query before notice)."""
    if case.status not in ENDING_STAGES and case.notice_date is None:
        return {"ending_panel": None}
    notice = NoticeRecord.objects.filter(case=case).first()
    if notice is None and case.status not in ENDING_STAGES:
        return {"ending_panel": None}
    today = timezone.localdate()
    return {
        "ending_panel": {
            "notice": notice,
            "days_left": (notice.end_date - today).days if notice else None,
            "plan_registered": WindDownPlan.objects.filter(case=case).exists(),
        }
    }


urlpatterns = [
    path("rapport/ny/", report_new, name="report_new"),
    path("rapport/<int:pk>/", report_page, name="report"),
    path("rapport/<int:pk>/bered/", report_prepare, name="report_prepare"),
    path("uppsagning/", notice, name="notice"),
    path("avslut/", ending, name="ending"),
    path("avslut/arende/", notice_matter, name="notice_matter"),
    path("avslut/avvecklingsplan/", wind_down, name="wind_down"),
]


def register_ending_pages() -> None:
    """The case page's «Register notice of termination» comes to the notice page; the case
    page shows the ending's panel once notice is given."""
    workflow.register_action_page(Transition.GIVE_NOTICE, "followups:notice")
    workflow.register_case_panel(
        key="followups_ending",
        template="followups/ending/_case_panel.html",
        context=ending_panel_context,
        order=45,
    )
