"""The case page: its details and timeline, its actions (transitions) and the reassignment.

Who sees what: every staff role reads every case (``for_user``); an action is offered and
accepted only when ``available_transitions`` offers it to this user at this stage, and the
reassignment only to whoever ``can_change_case``.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from partners.users import display_name

from .. import permissions, workflow
from ..constants import CaseStatus
from ..forms import ReassignForm
from ..models import Case, Checklist
from ..selectors import case_checklist, case_timeline
from ..services import TransitionRefused, available_transitions, case_assign_officer
from .common import confirm_transition, stage_context, visible_case


def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = visible_case(request, pk, detail=True)
    checklist = case_checklist(case)
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
        rendered.append(mark_safe(html))  # nosec B308, B703  # rendered by Django's templates
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
    """Confirm and take one transition (``confirm_transition`` decides, as in the admin). An
    allowed action that is not available now (the case moved on since the page was loaded)
    is 409 with the rule and no form; an action another app has its own screen for goes
    there."""
    step = confirm_transition(request, visible_case(request, pk), name)
    if step.taken:
        return redirect("cases:detail", pk=step.case.pk)
    if request.method == "GET" and step.available and step.info.action_page:
        return redirect(step.info.action_page, case_pk=step.case.pk)
    context = {
        "case": step.case,
        "info": step.info,
        "reasons": step.reasons,
        "target_label": CaseStatus(step.info.target).label,
        **stage_context(step.case),
    }
    if step.form is not None:
        context["form"] = step.form
    return render(
        request, "iop/case/transition.html", context, status=200 if step.available else 409
    )


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
                _("%(name)s is now the case officer.") % {"name": display_name(officer)},
            )
            return redirect("cases:detail", pk=case.pk)
    return render(
        request, "iop/case/reassign.html", {"case": case, "form": form, **stage_context(case)}
    )
