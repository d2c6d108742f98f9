"""The case page: its details and timeline, its actions (transitions) and the reassignment.

Who sees what: every staff role reads every case (``for_user``); an action is offered and
accepted only when ``available_transitions`` offers it to this user at this stage, and the
reassignment only to whoever ``can_change_case``.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from partners.models import Organisation

from .. import permissions, workflow
from ..case_forms import ReassignForm, TransitionForm
from ..constants import CaseStatus
from ..models import Case, Checklist
from ..selectors import case_timeline
from ..services import (
    TransitionRefused,
    available_transitions,
    case_assign_officer,
    case_transition,
    role_allows,
    transition_info,
    transition_names,
    transition_refusals,
)
from partners.users import display_name

# Bootstrap colour of the stage badge; the badge always carries the stage's name as text.
STAGE_STYLES = {
    CaseStatus.RECEIVED: "text-bg-info",
    CaseStatus.PREPARATION: "text-bg-info",
    CaseStatus.DRAFTING: "text-bg-primary",
    CaseStatus.LEGAL_REVIEW: "text-bg-primary",
    CaseStatus.AWAITING_DECISION: "text-bg-primary",
    CaseStatus.SIGNING: "text-bg-primary",
    CaseStatus.ACTIVE: "text-bg-success",
    CaseStatus.RENEGOTIATION: "text-bg-warning",
    CaseStatus.NOTICE_GIVEN: "text-bg-warning",
    CaseStatus.WINDING_DOWN: "text-bg-warning",
    CaseStatus.NOT_PURSUED: "text-bg-secondary",
    CaseStatus.REJECTED: "text-bg-secondary",
    CaseStatus.CLOSED: "text-bg-dark",
}


def visible_case(request: HttpRequest, pk: int, *, detail: bool = False) -> Case:
    """The case, if this user may see it (404 otherwise); users without a staff role are
    refused outright (403)."""
    if not permissions.can_view_cases(request.user):
        raise PermissionDenied
    cases = Case.objects.for_user(request.user).select_related(
        "committee", "public_body", "officer", "substitute"
    )
    if detail:
        cases = cases.select_related("created_by").prefetch_related(
            Prefetch("organisations", queryset=Organisation.objects.order_by("name")),
            "public_bodies",
        )
    return get_object_or_404(cases, pk=pk)


def stage_context(case: Case) -> dict:
    return {"stage_style": STAGE_STYLES.get(case.status, "text-bg-secondary")}


def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = visible_case(request, pk, detail=True)
    checklist = Checklist.objects.filter(case=case).prefetch_related("answers").first()
    context = {
        "case": case,
        "checklist": checklist,
        "checklist_outcome_label": Checklist.Outcome(checklist.outcome).label if checklist else "",
        "timeline": case_timeline(case),
        "plan": _planning_fields(case),
        "actions": available_transitions(case, request.user),
        "can_reassign": permissions.can_change_case(case, request.user),
        **stage_context(case),
    }
    context["actions"] = [_with_url(case, action) for action in context["actions"]]
    context["panels"] = _panels(request, case, context)
    return render(request, "iop/case_detail.html", context)


def _with_url(case: Case, action):
    """The action with the page where it is taken: another app's screen, or the generic
    confirmation page."""
    page = action.action_page
    url = (
        reverse(page, kwargs={"case_pk": case.pk})
        if page
        else reverse("cases:transition", args=[case.pk, action.name])
    )
    return {"name": action.name, "label": action.label, "style": action.style, "url": url}


def _panels(request: HttpRequest, case: Case, context: dict) -> list[str]:
    """The other apps' sections of the case page (``workflow.register_case_panel``), rendered
    in their order, each with the page's context and its own."""
    rendered = []
    for panel in workflow.case_panels():
        extra = panel.context(request, case) if panel.context else {}
        html = render_to_string(panel.template, {**context, **extra}, request=request)
        rendered.append(mark_safe(html))  # noqa: S308 (rendered by Django's template engine)
    return rendered


def _planning_fields(case: Case) -> list[tuple[str, str]]:
    """The filled-in fields of SKL's planning sheets (DOMAIN.md §6.5), as (label, text)."""
    return [
        (capfirst(str(field.verbose_name)), value)
        for field in Case._meta.concrete_fields
        if field.name.startswith("plan_") and (value := getattr(case, field.name))
    ]


@require_http_methods(["GET", "POST"])
def case_transition_view(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    """Confirm and take one transition.

    - unknown action → 404;
    - an action the user's role does not allow on this case → 403, for GET and POST alike
      (it is never offered, so only a crafted request gets here);
    - an allowed action in the wrong stage (the case moved on since the page was loaded)
      → 409 with the rule, and no form: nothing is taken, and the user is told why;
    - refused by a condition → the form again with the rules and everything typed.
    """
    if name not in transition_names():
        raise Http404
    case = visible_case(request, pk)
    if not role_allows(case, name, request.user):
        raise PermissionDenied
    info = transition_info(name, case.status)
    context = {
        "case": case,
        "info": info,
        "target_label": CaseStatus(info.target).label,
        **stage_context(case),
    }

    if name not in {t.name for t in available_transitions(case, request.user)}:
        context["reasons"] = transition_refusals(case, name, request.user)
        return render(request, "iop/case/transition.html", context, status=409)
    if request.method == "GET" and info.action_page:
        return redirect(info.action_page, case_pk=case.pk)

    form = TransitionForm(request.POST or None, info=info)
    if request.method == "POST" and form.is_valid():
        try:
            case = case_transition(
                case=case,
                name=name,
                actor=request.user,
                note=form.cleaned_data["note"],
                data=form.transition_data(),
            )
        except TransitionRefused as refused:  # TransitionForbidden propagates: 403
            context["reasons"] = refused.reasons
        else:
            messages.success(
                request,
                _("«%(action)s» done: the case is now at the stage «%(stage)s».")
                % {"action": info.label, "stage": case.get_status_display()},
            )
            return redirect("cases:detail", pk=case.pk)
    context["form"] = form
    return render(request, "iop/case/transition.html", context)


@require_http_methods(["GET", "POST"])
def case_reassign(request: HttpRequest, pk: int) -> HttpResponse:
    """Give the case another case officer and substitute (coordinator, officer, substitute)."""
    case = visible_case(request, pk)
    if not permissions.can_change_case(case, request.user):
        raise PermissionDenied
    form = ReassignForm(request.POST or None, case=case)
    if request.method == "POST" and form.is_valid():
        officer = form.cleaned_data["officer"]
        try:
            case_assign_officer(
                case=case,
                actor=request.user,
                officer=officer,
                substitute=form.cleaned_data["substitute"],
                note=form.cleaned_data["note"],
            )
        except TransitionRefused as refused:  # TransitionForbidden propagates: 403
            for reason in refused.reasons:
                form.add_error(None, reason)
        else:
            messages.success(
                request,
                _("%(name)s is now the case officer.")
                % {"name": display_name(officer)},
            )
            return redirect("cases:detail", pk=case.pk)
    return render(
        request, "iop/case/reassign.html", {"case": case, "form": form, **stage_context(case)}
    )
