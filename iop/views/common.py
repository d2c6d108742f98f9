"""What the case's screens (and the admin's case pages) share: fetching the visible case, the
stage badge, and confirming and taking one transition."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from partners.models import Organisation

from .. import permissions
from ..constants import CaseStatus
from ..forms import TransitionForm
from ..models import Case
from ..services import (
    TransitionInfo,
    TransitionRefused,
    available_transitions,
    case_transition,
    role_allows,
    transition_info,
    transition_names,
    transition_refusals,
)

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


def visible_cases(request: HttpRequest) -> QuerySet:
    """The cases this user may see; users without a staff role are refused outright (403)."""
    if not permissions.can_view_cases(request.user):
        raise PermissionDenied
    return Case.objects.for_user(request.user)


def visible_case(request: HttpRequest, pk: int, *, detail: bool = False) -> Case:
    """The case, if this user may see it (404 otherwise); users without a staff role are
    refused outright (403). ``detail`` also fetches what the case page shows of it."""
    cases = visible_cases(request).select_related(
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


@dataclass
class TransitionStep:
    """Where confirming one transition stands: offered or not, refused and why, or taken."""

    case: Case
    info: TransitionInfo
    form: TransitionForm | None = None
    reasons: list[str] = field(default_factory=list)
    available: bool = True
    taken: bool = False


def confirm_transition(request: HttpRequest, case: Case, name: str) -> TransitionStep:
    """Confirm and take transition ``name`` of ``case`` through ``case_transition``: the one
    implementation behind the case page's confirmation and the admin's.

    - unknown action → 404;
    - an action the user's role does not allow on this case → 403, for GET and POST alike
      (it is never offered, so only a crafted request gets here);
    - allowed but not available now (the case moved on, a condition is unmet) → not
      ``available``, with the reasons, and no form: nothing is taken;
    - refused by a condition on POST → the form again with the rules and everything typed;
    - taken → ``taken``, with the moved case and a success message for the next page.
    """
    if name not in transition_names():
        raise Http404
    if not role_allows(case, name, request.user):
        raise PermissionDenied
    info = transition_info(name, case.status)
    if name not in {t.name for t in available_transitions(case, request.user)}:
        reasons = transition_refusals(case, name, request.user)
        return TransitionStep(case=case, info=info, reasons=reasons, available=False)
    form = TransitionForm(request.POST or None, info=info)
    step = TransitionStep(case=case, info=info, form=form)
    if request.method == "POST" and form.is_valid():
        try:
            step.case = case_transition(
                case=case,
                name=name,
                actor=request.user,
                note=form.cleaned_data["note"],
                data=form.transition_data(),
            )
        except TransitionRefused as refused:  # TransitionForbidden propagates: 403
            step.reasons = refused.reasons
        else:
            step.taken = True
            messages.success(
                request,
                _("«%(action)s» done: the case is now at the stage «%(stage)s».")
                % {"action": info.label, "stage": step.case.get_status_display()},
            )
    return step


def case_to_change(request: HttpRequest, pk: int) -> Case:
    """The case, if this user may change it: no staff role → 403, unknown case → 404, a role
    that only reads → 403."""
    case = visible_case(request, pk)
    if not permissions.can_change_case(case, request.user):
        raise PermissionDenied
    return case
