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
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from agreements.models import AgreementVersion
from partners.models import Organisation

from .. import permissions
from ..case_forms import ReassignForm, TransitionForm
from ..constants import CaseStatus
from ..models import Case, Checklist
from ..selectors import case_timeline
from ..services import (
    TransitionRefused,
    available_transitions,
    case_assign_officer,
    case_transition,
    transition_info,
    transition_names,
    transition_refusals,
)

# Bootstrap colour of the stage badge; the badge always carries the stage's name as text.
STAGE_STYLES = {
    "received": "text-bg-info",
    "preparation": "text-bg-info",
    "drafting": "text-bg-primary",
    "legal_review": "text-bg-primary",
    "awaiting_decision": "text-bg-primary",
    "signing": "text-bg-primary",
    "active": "text-bg-success",
    "renegotiation": "text-bg-warning",
    "notice_given": "text-bg-warning",
    "winding_down": "text-bg-warning",
    "not_pursued": "text-bg-secondary",
    "rejected": "text-bg-secondary",
    "closed": "text-bg-dark",
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


def _stage_context(case: Case) -> dict:
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
        "agreement_version": AgreementVersion.objects.filter(agreement__case=case)
        .order_by("-number")
        .first(),
        **_stage_context(case),
    }
    return render(request, "iop/case_detail.html", context)


def _planning_fields(case: Case) -> list[tuple[str, str]]:
    """The filled-in fields of SKL's planning sheets (DOMAIN.md §6.5), as (label, text)."""
    return [
        (capfirst(str(field.verbose_name)), value)
        for field in Case._meta.concrete_fields
        if field.name.startswith("plan_") and (value := getattr(case, field.name))
    ]


# These steps need the agreement's own forms (the draft's checks, the jurist's comments and
# assessment, the signatures recorded party by party), so the generic confirmation page
# sends the user there.
AGREEMENT_PAGES = {
    "submit_for_legal_review": "agreements:detail",
    "return_to_drafting": "agreements:review",
    "approve_legal_review": "agreements:review",
    "activate": "agreements:signing",
    "complete_renegotiation": "agreements:signing",
}


def _role_allows(case: Case, name: str, user) -> bool:
    """Whether the user's role lets them take transition ``name`` on this case at all, in
    whichever stage it starts from."""
    transitions = Case._meta.get_field("status").get_all_transitions(Case)
    return any(t.has_perm(case, user) for t in transitions if t.name == name)


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
    if not _role_allows(case, name, request.user):
        raise PermissionDenied
    info = transition_info(name, case.status)
    context = {
        "case": case,
        "info": info,
        "target_label": CaseStatus(info.target).label,
        **_stage_context(case),
    }

    if name not in {t.name for t in available_transitions(case, request.user)}:
        context["reasons"] = transition_refusals(case, name, request.user)
        return render(request, "iop/case/transition.html", context, status=409)
    if request.method == "GET" and name in AGREEMENT_PAGES:
        return redirect(AGREEMENT_PAGES[name], case_pk=case.pk)

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
                % {"name": officer.get_full_name() or officer.get_username()},
            )
            return redirect("cases:detail", pk=case.pk)
    return render(
        request, "iop/case/reassign.html", {"case": case, "form": form, **_stage_context(case)}
    )
