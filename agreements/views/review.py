"""The jurist's legal review (DOMAIN.md §3.4, §6.3): the queue of submitted versions and the
review page, where the jurist records the procurement-risk assessment and approves the
version or returns it to drafting with comments per heading.

Who sees what:
- the queue: the jurists, whose work it is, and the IOP coordinator, who follows the
  portfolio; everyone else 403;
- the review page: the jurists with the forms; every other staff role reads it without forms
  (the version, its budget and wording, and the comments of earlier rounds — not the jurist's
  unfinished assessment); users without a staff role 403;
- every POST: the jurists only (403 for everyone else, the coordinator included).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from iop import permissions
from iop.constants import CaseStatus
from iop.models import Case
from iop.services import TransitionForbidden, TransitionRefused
from iop.views.common import visible_case

from .. import selectors, services, wording
from ..budget import budget_summary
from ..forms import AssessmentForm, ReturnForm
from ..models import AgreementVersion, ReviewComment, RiskAssessment

QUEUE_PER_PAGE = 25
REVIEW_TEMPLATE = "agreements/review.html"


# --- Access -----------------------------------------------------------------------------


def _is_jurist(case: Case, user: Any) -> bool:
    return permissions.can_review_legal(case, user)


def _may_read(case: Case, user: Any) -> bool:
    # Every staff role reads every case (the auditor follows it to the decision); the
    # jurist's unfinished assessment is shown to the jurist only.
    return permissions.can_view_cases(user)


def _may_see_queue(user: Any) -> bool:
    return permissions.can_view_cases(user) and (
        user.has_perm(permissions.REVIEW_LEGAL) or permissions.is_coordinator(user)
    )


# --- The queue --------------------------------------------------------------------------


@dataclass
class QueueRow:
    version: AgreementVersion
    case: Case
    days_waiting: int

    @property
    def is_renegotiation(self) -> bool:
        return self.case.status == CaseStatus.RENEGOTIATION


def _days_waiting(version: AgreementVersion, today) -> int:
    if version.submitted_at is None:
        return 0
    return (today - timezone.localtime(version.submitted_at).date()).days


@require_GET
def review_queue(request: HttpRequest) -> HttpResponse:
    if not _may_see_queue(request.user):
        raise PermissionDenied
    page = Paginator(selectors.review_queue(request.user), QUEUE_PER_PAGE).get_page(
        request.GET.get("page")
    )
    today = timezone.localdate()
    rows = [
        QueueRow(version=v, case=v.agreement.case, days_waiting=_days_waiting(v, today))
        for v in page.object_list
    ]
    context = {
        "rows": rows,
        "page_obj": page,
        "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "is_jurist": request.user.has_perm(permissions.REVIEW_LEGAL),
    }
    return render(request, "agreements/review_queue.html", context)


# --- The review page --------------------------------------------------------------------


@dataclass
class EarlierRound:
    """The comments the jurist gave on an earlier version of the same agreement."""

    version: AgreementVersion
    comments: list[ReviewComment]


def _earlier_rounds(version: AgreementVersion) -> list[EarlierRound]:
    """The comments of the agreement's earlier versions, newest version first. One query."""
    comments = (
        ReviewComment.objects.filter(
            version__agreement_id=version.agreement_id, version__number__lt=version.number
        )
        .select_related("version", "author")
        .order_by("-version__number", "created_at", "pk")
    )
    return [
        EarlierRound(version=group[0].version, comments=group)
        for group in (list(g) for _number, g in groupby(comments, key=lambda c: c.version_id))
    ]


def _assessment(version: AgreementVersion) -> RiskAssessment | None:
    return (
        RiskAssessment.objects.filter(version=version)
        .select_related("assessed_by")
        .prefetch_related("answers")
        .first()
    )


def _render_review(
    request: HttpRequest,
    case: Case,
    version: AgreementVersion | None,
    *,
    assessment_form: AssessmentForm | None = None,
    return_form: ReturnForm | None = None,
    approve_reasons: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    is_jurist = _is_jurist(case, request.user)
    context: dict[str, Any] = {
        "case": case,
        "version": version,
        "is_jurist": is_jurist,
        "is_renegotiation": case.status == CaseStatus.RENEGOTIATION,
    }
    if version is None:
        return render(request, REVIEW_TEMPLATE, context, status=status)
    detail = selectors.version_detail(version)
    context.update(
        detail=detail,
        wording_hits=wording.version_hits(detail),
        earlier_rounds=_earlier_rounds(version),
        approve_reasons=approve_reasons or [],
    )
    if is_jurist:
        assessment = _assessment(version)
        if assessment_form is None:
            assessment_form = AssessmentForm(
                initial=AssessmentForm.initial_from(assessment),
                fully_public=detail.budget.fully_public,
            )
        context.update(
            assessment=assessment,
            assessment_form=assessment_form,
            return_form=return_form or ReturnForm(),
            missing=services.assessment_problems(version),
        )
    return render(request, REVIEW_TEMPLATE, context, status=status)


def _submitted(case: Case) -> AgreementVersion | None:
    return services.submitted_version(services.agreement_of(case))


@require_GET
def review(request: HttpRequest, case_pk: int) -> HttpResponse:
    case = visible_case(request, case_pk)
    if not _may_read(case, request.user):
        raise PermissionDenied
    return _render_review(request, case, _submitted(case))


def _jurist_case(request: HttpRequest, case_pk: int) -> Case:
    case = visible_case(request, case_pk)
    if not _is_jurist(case, request.user):
        raise PermissionDenied
    return case


def _nothing_waits(request: HttpRequest, case: Case) -> HttpResponse:
    """A POST for a version that is no longer in review (approved or returned meanwhile)."""
    return _render_review(request, case, None, status=409)


@require_POST
def assessment(request: HttpRequest, case_pk: int) -> HttpResponse:
    case = _jurist_case(request, case_pk)
    version = _submitted(case)
    if version is None:
        return _nothing_waits(request, case)
    form = AssessmentForm(request.POST, fully_public=budget_summary(version).fully_public)
    if not form.is_valid():
        return _render_review(request, case, version, assessment_form=form)
    try:
        services.assessment_save(
            version=version,
            actor=request.user,
            answers=form.answers(),
            overall_assessment=form.cleaned_data["overall_assessment"],
            full_funding_accepted=form.cleaned_data.get("full_funding_accepted", ""),
        )
    except TransitionForbidden:
        raise
    except TransitionRefused as refused:
        for reason in refused.reasons:
            form.add_error(None, reason)
        return _render_review(request, case, version, assessment_form=form)
    if request.POST.get("approve"):
        return _approve(request, case, version)
    messages.success(
        request,
        _("The assessment of version %(number)s is saved.") % {"number": version.number},
    )
    return redirect(reverse("agreements:review", args=[case.pk]) + "#assessment")


@require_POST
def review_return(request: HttpRequest, case_pk: int) -> HttpResponse:
    case = _jurist_case(request, case_pk)
    version = _submitted(case)
    if version is None:
        return _nothing_waits(request, case)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        return _render_review(request, case, version, return_form=form)
    try:
        services.return_version(
            case=case,
            actor=request.user,
            comments=form.section_comments(),
            note=form.cleaned_data["general"].strip(),
        )
    except TransitionForbidden:
        raise
    except TransitionRefused as refused:
        for reason in refused.reasons:
            form.add_error(None, reason)
        return _render_review(request, case, version, return_form=form)
    messages.success(
        request,
        _(
            "Version %(number)s is returned to the case officer with your comments; the parties continue in a new draft."
        )
        % {"number": version.number},
    )
    return redirect("agreements:review_queue")


@require_POST
def review_approve(request: HttpRequest, case_pk: int) -> HttpResponse:
    case = _jurist_case(request, case_pk)
    version = _submitted(case)
    if version is None:
        return _nothing_waits(request, case)
    return _approve(request, case, version)


def _approve(request: HttpRequest, case: Case, version: AgreementVersion) -> HttpResponse:
    # The assessment's own list says exactly what is missing; the case's condition would
    # only give its general rule.
    reasons = services.assessment_problems(version)
    if not reasons:
        try:
            services.approve_version(case=case, actor=request.user)
        except TransitionForbidden:
            raise
        except TransitionRefused as refused:
            reasons = refused.reasons
    if reasons:
        return _render_review(request, case, version, approve_reasons=reasons)
    case.refresh_from_db()
    if case.status == CaseStatus.RENEGOTIATION:
        text = _("Version %(number)s is approved: the parties can now sign it.")
    else:
        text = _("Version %(number)s is approved: the case now waits for the committee's decision.")
    messages.success(request, text % {"number": version.number})
    return redirect("agreements:review_queue")


urls: list = [
    path("juristgranskning/", review_queue, name="review_queue"),
    path("arenden/<int:case_pk>/avtal/granskning/", review, name="review"),
    path("arenden/<int:case_pk>/avtal/granskning/bedomning/", assessment, name="assessment"),
    path("arenden/<int:case_pk>/avtal/granskning/returnera/", review_return, name="review_return"),
    path("arenden/<int:case_pk>/avtal/granskning/godkann/", review_approve, name="review_approve"),
]
