"""A case's follow-up (/arenden/<case>/uppfoljning/…): what comes next (the open deadlines,
overdue first with the days overdue), who answers for it, the follow-up history (check-in
meetings held with their agreed actions, annual evaluations, deadlines done or waived and by
what, follow-ups before the system), and the screens that record it: booking, recording and
cancelling a check-in meeting, recording the annual evaluation, waiving a deadline. The case
page shows a panel of it (``register_case_pages``).

Who may do what: every staff role that reads cases reads these pages (the auditor too); the
case's officer, its substitute and the IOP coordinator (``can_change_case``) write, anyone
else is answered 403 on a write screen (GET and POST). Users without a staff role get 403,
anonymous users the login page; a check-in or deadline of another case under this case's URL
is 404. A case not in follow-up (closed, or not yet active) is read, never written: its write
screens say why (409) and the services refuse a post with the same sentence.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.contrib import messages
from django.db.models import Prefetch
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from iop import permissions, workflow
from iop.constants import CaseStatus
from iop.exceptions import TransitionForbidden
from iop.models import Case
from iop.views.common import case_to_change, stage_context, visible_case

from ..constants import FOLLOWED_STAGES, DeadlineKind, DeadlineState
from ..forms.checkins import (
    CheckInBookForm,
    CheckInCancelForm,
    CheckInRecordForm,
    action_formset,
    with_one_more_action,
)
from ..forms.evaluations import AnnualEvaluationForm
from ..forms.waive import WaiveForm
from ..models import AnnualEvaluation, CheckIn, CheckInAction, Deadline, EarlierFollowUp
from ..services.checkins import (
    check_in_book,
    check_in_cancel,
    check_in_record,
    closed_case_refusal,
)
from ..services.deadlines import FollowUpRefused, deadline_waive
from ..services.evaluations import annual_evaluation_record
from . import ending

PANEL_TEMPLATE = "followups/_case_panel.html"
PANEL_SIZE = 3

# --- Helpers --------------------------------------------------------------------------------


def _is_followed(case: Case) -> bool:
    return case.status in FOLLOWED_STAGES


def _check_in_of(case: Case, pk: int) -> CheckIn:
    check_in = get_object_or_404(CheckIn.objects.filter(case=case), pk=pk)
    check_in.case = case
    return check_in


def _add_refusal(
    refused: FollowUpRefused,
    form: BaseForm,
    *,
    formset=None,
    aliases: dict[str, str] | None = None,
) -> None:
    """Put the service's refusals next to the fields they are about (the whole form's at the
    top): ``actions-<n>-<field>`` on the formset's row, ``aliases`` for a service argument
    that is typed in another field."""
    aliases = aliases or {}
    for name, texts in refused.errors.items():
        name = aliases.get(name, name)
        for text in texts:
            if formset is not None and name.startswith(f"{formset.prefix}-"):
                _prefix, number, field_name = name.split("-", 2)
                formset.forms[int(number)].add_error(field_name, text)
            elif name in form.fields:
                form.add_error(name, text)
            else:
                form.add_error(None, text)


def _render_form(
    request: HttpRequest, case: Case, template: str, context: dict, *, refusal: str = ""
) -> HttpResponse:
    """A write screen; on a case not in follow-up it says why and offers no form (409)."""
    status = 200
    if not refusal and not _is_followed(case):
        refusal = closed_case_refusal()
    if refusal:
        status = 409
        context = {**context, "form": None, "formset": None}
    return render(
        request,
        template,
        {"case": case, "refusal": refusal, **stage_context(case), **context},
        status=status,
    )


# --- What the page shows --------------------------------------------------------------------


@dataclass(frozen=True)
class OpenDeadline:
    deadline: Deadline
    days_overdue: int
    days_left: int

    @property
    def is_overdue(self) -> bool:
        return self.days_overdue > 0


@dataclass
class CaseFollowUp:
    """A case's follow-up, read in a constant number of queries whatever its size."""

    case: Case
    today: datetime.date
    open: list[OpenDeadline] = field(default_factory=list)
    closed: list[Deadline] = field(default_factory=list)  # done or waived, latest first
    cancelled: list[Deadline] = field(default_factory=list)
    booked: list[CheckIn] = field(default_factory=list)  # still to be held, soonest first
    held: list[CheckIn] = field(default_factory=list)  # latest first
    cancelled_check_ins: list[CheckIn] = field(default_factory=list)
    evaluations: list[AnnualEvaluation] = field(default_factory=list)
    earlier: list[EarlierFollowUp] = field(default_factory=list)

    @property
    def overdue_count(self) -> int:
        return sum(1 for row in self.open if row.is_overdue)

    @property
    def has_history(self) -> bool:
        return bool(self.held or self.evaluations or self.closed or self.earlier)


def _open_row(deadline: Deadline, today: datetime.date) -> OpenDeadline:
    return OpenDeadline(
        deadline=deadline,
        days_overdue=max((today - deadline.due_on).days, 0),
        days_left=max((deadline.due_on - today).days, 0),
    )


def case_follow_up(case: Case, *, today: datetime.date | None = None) -> CaseFollowUp:
    """Everything the follow-up page shows of ``case``: four queries (deadlines with who
    waived them, check-ins and their actions, evaluations with the annual report, earlier
    follow-ups)."""
    today = today or timezone.localdate()
    page = CaseFollowUp(case=case, today=today)
    deadlines = list(
        Deadline.objects.filter(case=case).select_related("waived_by").order_by("due_on", "pk")
    )
    for deadline in deadlines:
        deadline.case = case
        if deadline.state == DeadlineState.OPEN:
            page.open.append(_open_row(deadline, today))
        elif deadline.state == DeadlineState.CANCELLED:
            page.cancelled.append(deadline)
        else:
            page.closed.append(deadline)
    page.closed.sort(
        key=lambda d: d.done_on or (d.waived_at and timezone.localdate(d.waived_at)) or d.due_on,
        reverse=True,
    )
    check_ins = list(
        CheckIn.objects.filter(case=case)
        .select_related("created_by")
        .prefetch_related(
            Prefetch("actions", queryset=CheckInAction.objects.order_by("position", "pk"))
        )
    )
    for check_in in check_ins:
        check_in.case = case
        if check_in.cancelled:
            page.cancelled_check_ins.append(check_in)
        elif check_in.is_held:
            page.held.append(check_in)
        else:
            page.booked.append(check_in)
    page.held.sort(key=lambda c: (c.held_on, c.pk), reverse=True)
    far = timezone.make_aware(datetime.datetime.max - datetime.timedelta(days=2))
    page.booked.sort(key=lambda c: (c.starts_at or far, c.pk))
    page.evaluations = list(
        AnnualEvaluation.objects.filter(case=case)
        .select_related("annual_report", "created_by")
        .order_by("-year", "-pk")
    )
    page.earlier = list(EarlierFollowUp.objects.filter(case=case).order_by("-done_on", "-pk"))
    return page


# --- The follow-up page ---------------------------------------------------------------------


@require_GET
def case_page(request: HttpRequest, case_pk: int) -> HttpResponse:
    case = visible_case(request, case_pk)
    follow_up = case_follow_up(case)
    may_change = permissions.can_change_case(case, request.user)
    context = {
        "case": case,
        "follow_up": follow_up,
        "today": follow_up.today,
        "may_change": may_change,
        "can_record": may_change and _is_followed(case),
        "followed": _is_followed(case),
        "kinds": DeadlineKind,
        "committee_reports": ending.reports_of(case),
        **stage_context(case),
    }
    return render(request, "followups/case/page.html", context)


# --- Check-in meetings ----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def check_in_new(request: HttpRequest, case_pk: int, pk: int | None = None) -> HttpResponse:
    """Book a check-in meeting, or (``pk``) move a booked one."""
    case = case_to_change(request, case_pk)
    check_in = _check_in_of(case, pk) if pk is not None else None
    refusal = ""
    if check_in is not None and not check_in.is_booked:
        refusal = _("Only a booked meeting that is not recorded or cancelled can be moved.")
    initial = CheckInBookForm.initial_of(check_in) if check_in else {}
    form = CheckInBookForm(request.POST or None, initial=initial)
    if request.method == "POST" and not refusal and form.is_valid():
        try:
            booked = check_in_book(
                case=case, actor=request.user, check_in=check_in, **form.service_arguments()
            )
        except TransitionForbidden:
            raise
        except FollowUpRefused as refused:
            _add_refusal(refused, form, aliases={"starts_at": "date"})
        else:
            if check_in is None:
                messages.success(
                    request,
                    _("The check-in meeting is booked. It shows in your calendar feed."),
                )
            else:
                messages.success(request, _("The check-in meeting has been moved."))
            return redirect(booked.get_absolute_url())
    return _render_form(
        request,
        case,
        "followups/case/check_in_book.html",
        {"form": form, "check_in": check_in},
        refusal=refusal,
    )


@require_GET
def check_in_page(request: HttpRequest, case_pk: int, pk: int) -> HttpResponse:
    case = visible_case(request, case_pk)
    check_in = get_object_or_404(
        CheckIn.objects.filter(case=case)
        .select_related("created_by")
        .prefetch_related(
            Prefetch("actions", queryset=CheckInAction.objects.order_by("position", "pk"))
        ),
        pk=pk,
    )
    check_in.case = case
    changes = list(check_in.history.select_related("history_user").order_by("-history_date")[:50])
    may_change = permissions.can_change_case(case, request.user)
    context = {
        "case": case,
        "check_in": check_in,
        "changes": changes,
        "may_change": may_change,
        "can_record": may_change and _is_followed(case),
        **stage_context(case),
    }
    return render(request, "followups/case/check_in.html", context)


@require_http_methods(["GET", "POST"])
def check_in_record_view(request: HttpRequest, case_pk: int, pk: int | None = None) -> HttpResponse:
    """Record a check-in meeting that was held: the booked one (``pk``), or one that was not
    booked. A recorded meeting opens with what was recorded, to correct it."""
    case = case_to_change(request, case_pk)
    check_in = _check_in_of(case, pk) if pk is not None else None
    refusal = ""
    if check_in is not None and check_in.cancelled:
        refusal = _("The meeting was cancelled; record the meeting that was held instead.")
    if request.method == "POST":
        form = CheckInRecordForm(request.POST)
        if "add_action" in request.POST:
            formset = action_formset(with_one_more_action(request.POST))
            return _render_record(request, case, check_in, form, formset, refusal=refusal)
        formset = action_formset(request.POST)
        if not refusal and form.is_valid() & formset.is_valid():
            try:
                recorded = check_in_record(
                    case=case,
                    actor=request.user,
                    check_in=check_in,
                    actions=formset.actions(),
                    **form.service_arguments(),
                )
            except TransitionForbidden:
                raise
            except FollowUpRefused as refused:
                _add_refusal(refused, form, formset=formset)
            else:
                messages.success(
                    request,
                    _("The check-in meeting of %(date)s is recorded.")
                    % {"date": recorded.held_on.isoformat()},
                )
                return redirect(recorded.get_absolute_url())
        return _render_record(request, case, check_in, form, formset, refusal=refusal)
    form = CheckInRecordForm(initial=CheckInRecordForm.initial_of(check_in))
    formset = action_formset(check_in=check_in)
    return _render_record(request, case, check_in, form, formset, refusal=refusal)


def _render_record(request, case, check_in, form, formset, *, refusal: str) -> HttpResponse:
    return _render_form(
        request,
        case,
        "followups/case/check_in_record.html",
        {"form": form, "formset": formset, "check_in": check_in},
        refusal=refusal,
    )


@require_http_methods(["GET", "POST"])
def check_in_cancel_view(request: HttpRequest, case_pk: int, pk: int) -> HttpResponse:
    case = case_to_change(request, case_pk)
    check_in = _check_in_of(case, pk)
    refusal = ""
    if check_in.is_held:
        refusal = _("The meeting is recorded as held and cannot be cancelled.")
    elif check_in.cancelled:
        refusal = _("The meeting is already cancelled.")
    form = CheckInCancelForm(request.POST or None)
    if request.method == "POST" and not refusal and form.is_valid():
        try:
            check_in_cancel(
                case=case,
                check_in=check_in,
                actor=request.user,
                reason=form.cleaned_data["reason"],
            )
        except TransitionForbidden:
            raise
        except FollowUpRefused as refused:
            _add_refusal(refused, form)
        else:
            messages.success(request, _("The check-in meeting is cancelled."))
            return redirect("followups:case", case_pk=case.pk)
    return _render_form(
        request,
        case,
        "followups/case/check_in_cancel.html",
        {"form": form, "check_in": check_in},
        refusal=refusal,
    )


# --- The annual evaluation ------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def evaluation_new(request: HttpRequest, case_pk: int) -> HttpResponse:
    case = case_to_change(request, case_pk)
    if request.method == "POST":
        form = AnnualEvaluationForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                evaluation = annual_evaluation_record(
                    case=case, actor=request.user, **form.service_arguments()
                )
            except TransitionForbidden:
                raise
            except FollowUpRefused as refused:
                _add_refusal(refused, form)
            else:
                messages.success(
                    request,
                    _(
                        "The annual evaluation of %(year)s is recorded and the annual report "
                        "is registered as %(number)s."
                    )
                    % {"year": evaluation.year, "number": evaluation.annual_report.registry_number},
                )
                return redirect(evaluation.get_absolute_url())
    else:
        form = AnnualEvaluationForm(initial=AnnualEvaluationForm.initial_for())
    return _render_form(request, case, "followups/case/evaluation_form.html", {"form": form})


# --- Waiving a deadline ---------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def deadline_waive_view(request: HttpRequest, case_pk: int, pk: int) -> HttpResponse:
    case = case_to_change(request, case_pk)
    deadline = get_object_or_404(Deadline.objects.filter(case=case), pk=pk)
    deadline.case = case
    refusal = ""
    if deadline.state != DeadlineState.OPEN:
        refusal = _("Only an open deadline can be waived.")
    form = WaiveForm(request.POST or None)
    if request.method == "POST" and not refusal and form.is_valid():
        try:
            deadline_waive(
                deadline=deadline, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except TransitionForbidden:
            raise
        except FollowUpRefused as refused:
            _add_refusal(refused, form)
        else:
            messages.success(
                request,
                _("The deadline «%(deadline)s» is waived.") % {"deadline": str(deadline)},
            )
            return redirect("followups:case", case_pk=case.pk)
    return _render_form(
        request,
        case,
        "followups/case/waive.html",
        {"form": form, "deadline": _open_row(deadline, timezone.localdate())},
        refusal=refusal,
    )


urlpatterns = [
    path("", case_page, name="case"),
    path("avstamningsmoten/nytt/", check_in_new, name="check_in_new"),
    path("avstamningsmoten/<int:pk>/", check_in_page, name="check_in"),
    path("avstamningsmoten/<int:pk>/flytta/", check_in_new, name="check_in_move"),
    # Record the booked meeting, or (without pk) a meeting that was not booked.
    path("avstamningsmoten/registrera/", check_in_record_view, name="check_in_record"),
    path("avstamningsmoten/<int:pk>/registrera/", check_in_record_view, name="check_in_record"),
    path("avstamningsmoten/<int:pk>/stall-in/", check_in_cancel_view, name="check_in_cancel"),
    path("utvardering/ny/", evaluation_new, name="evaluation_new"),
    path("frister/<int:pk>/stryk/", deadline_waive_view, name="deadline_waive"),
]


# --- The case page's panel ------------------------------------------------------------------


def case_panel_context(request: HttpRequest, case: Case) -> dict:
    """The next deadlines and how many are overdue, for a case that is or was followed: one
    query (its open deadlines, at most the horizon's few); none for a case never active."""
    if not (_is_followed(case) or case.status == CaseStatus.CLOSED):
        return {"followup_panel": None}
    today = timezone.localdate()
    rows = [
        _open_row(d, today)
        for d in Deadline.objects.filter(case=case, state=DeadlineState.OPEN).order_by(
            "due_on", "pk"
        )
    ]
    return {
        "followup_panel": {
            "next": rows[:PANEL_SIZE],
            "overdue": sum(1 for r in rows if r.is_overdue),
            "open": len(rows),
        }
    }


def register_case_pages() -> None:
    """The follow-up's panel on the case page (called from ``followups.registration``)."""
    workflow.register_case_panel(
        key="follow_up", template=PANEL_TEMPLATE, context=case_panel_context, order=30
    )
