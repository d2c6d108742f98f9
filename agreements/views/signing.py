"""Signatures (DOMAIN.md §3.6): after the committee's approval the parties sign the version the
jurist approved, one after another in the agreed order. The case officer records each
signature; when the last party has signed, the case becomes active.

Every staff role reads the page; only whoever ``can_change_case`` records a signature.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from iop import permissions
from iop.constants import CaseStatus
from iop.models import Case
from iop.services import TransitionForbidden, TransitionRefused
from iop.views.common import stage_context, visible_case

from .. import services
from ..constants import VersionStatus
from ..forms import SignatureForm
from ..models import AgreementParty, AgreementVersion


@dataclass
class SigningState:
    version: AgreementVersion | None  # waiting for signatures, else the one in force
    parties: list[AgreementParty]
    is_open: bool  # signatures can be recorded now
    next_party: AgreementParty | None
    reason: str  # why nothing can be signed now, in Swedish


def signing_state(case: Case) -> SigningState:
    agreement = services.agreement_of(case)
    version = services.approved_version(agreement) or services.in_force_version(agreement)
    parties: list[AgreementParty] = []
    if version is not None:
        parties = list(
            version.parties.select_related(
                "public_body", "organisation", "signature_recorded_by"
            ).order_by("order", "pk")
        )
    is_open = version is not None and version.accepts_signatures(case)
    next_party = next((p for p in parties if not p.has_signed), None) if is_open else None
    reason = ""
    if not is_open:
        if version is not None and version.status == VersionStatus.SIGNED:
            reason = _("Every party has signed version %(number)s.") % {"number": version.number}
        elif version is not None and case.status == CaseStatus.AWAITING_DECISION:
            reason = _("The parties sign once the committee has approved the IOP.")
        else:
            reason = _("No version is waiting for signatures.")
    return SigningState(version, parties, is_open, next_party, reason)


@require_http_methods(["GET", "POST"])
def signing_view(request: HttpRequest, case_pk: int) -> HttpResponse:
    """The approved version's parties in signing order, and a form for the next to sign.

    - POST without the right to change the case → 403;
    - POST when nothing can be signed (wrong stage, all signed) → 409 with the reason;
    - a refused signature (out of order, future date, already signed) → the form again
      with the reason and what was typed.
    """
    case = visible_case(request, case_pk)
    can_record = permissions.can_change_case(case, request.user)
    if request.method == "POST" and not can_record:
        raise PermissionDenied
    state = signing_state(case)
    context = {"case": case, "state": state, "can_record": can_record, **stage_context(case)}

    if request.method == "POST" and not state.is_open:
        context["refusal"] = state.reason
        return render(request, "agreements/signing.html", context, status=409)

    form = None
    if can_record and state.next_party is not None:
        form = SignatureForm(
            request.POST if request.method == "POST" else None,
            parties=state.parties,
            next_party=state.next_party,
        )
    if request.method == "POST" and form is not None and form.is_valid():
        party = form.signing_party()
        try:
            services.record_signature(
                party=party,
                actor=request.user,
                signed_on=form.cleaned_data["signed_on"],
                method=form.cleaned_data["method"],
            )
        except TransitionForbidden:
            raise PermissionDenied from None
        except TransitionRefused as refused:
            # Someone may have recorded a signature since the page was loaded: offer the form
            # for whoever is next now, with the date and method typed.
            state = signing_state(case)
            context["state"] = state
            if state.next_party is None:
                context["refusal"] = " ".join(refused.reasons)
                return render(request, "agreements/signing.html", context, status=409)
            data = request.POST.copy()
            data["party"] = str(state.next_party.pk)
            form = SignatureForm(data, parties=state.parties, next_party=state.next_party)
            form.is_valid()
            for reason in refused.reasons:
                form.add_error(None, reason)
        else:
            case.refresh_from_db(fields=["status"])
            messages.success(request, _signed_message(case, party))
            return redirect("agreements:signing", case_pk=case.pk)
    context["form"] = form
    return render(request, "agreements/signing.html", context)


def _signed_message(case: Case, party: AgreementParty) -> str:
    done = _("The signature of %(party)s is recorded.") % {"party": party.name}
    if case.status == CaseStatus.ACTIVE:
        return " ".join([done, _("Every party has signed: the partnership is now active.")])
    waiting = (
        AgreementParty.objects.filter(version_id=party.version_id, signed_on__isnull=True)
        .select_related("public_body", "organisation")
        .order_by("order", "pk")
        .first()
    )
    if waiting is None:
        return done
    return " ".join([done, _("Next to sign: %(party)s.") % {"party": waiting.name}])


urls: list = [
    path("arenden/<int:case_pk>/avtal/underskrifter/", signing_view, name="signing"),
]
