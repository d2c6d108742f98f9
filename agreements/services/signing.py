"""Signing (DOMAIN.md §3.6): each party in order; the last signature moves the case."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from iop import permissions
from iop.constants import CaseStatus, Transition
from iop.services import TransitionRefused, case_transition, lock_case

from ..models import AgreementParty
from .common import agreement_event


@transaction.atomic
def record_signature(
    *, party: AgreementParty, actor: Any, signed_on: datetime.date, method: str
) -> AgreementParty:
    """Record that ``party``'s signatory signed the approved version. Parties sign in order;
    when the last has signed, the case moves on (to active, or out of renegotiation)."""
    case = lock_case(party.version.agreement.case_id)
    permissions.ensure_can_change_case(case, actor)
    locked = (
        AgreementParty.objects.select_for_update(of=("self",))
        .select_related("version")
        .get(pk=party.pk)
    )
    version = locked.version
    if not version.accepts_signatures(case):
        raise TransitionRefused(
            [
                _(
                    "Signatures are recorded on the version the jurist approved, once the committee has approved the IOP."
                )
            ]
        )
    if locked.has_signed:
        raise TransitionRefused([_("%(party)s has already signed.") % {"party": locked.name}])
    if signed_on > timezone.localdate():
        raise TransitionRefused([_("The date of signing cannot be in the future.")])
    earlier = [p for p in version.parties.all() if (p.order, p.pk) < (locked.order, locked.pk)]
    waiting = [p.name for p in earlier if not p.has_signed]
    if waiting:
        raise TransitionRefused(
            [_("The parties sign in order: first %(parties)s.") % {"parties": ", ".join(waiting)}]
        )
    locked.signed_on = signed_on
    locked.signing_method = method
    locked.signature_recorded_at = timezone.now()
    locked.signature_recorded_by = actor
    locked._history_user = actor
    locked.save()
    agreement_event(
        case,
        actor,
        _("%(party)s signed version %(number)s (%(method)s, %(date)s).")
        % {
            "party": locked.name,
            "number": version.number,
            "method": locked.get_signing_method_display().lower(),
            "date": signed_on.isoformat(),
        },
    )
    if all(p.has_signed for p in version.parties.all()):
        step = (
            Transition.ACTIVATE
            if case.status == CaseStatus.SIGNING
            else Transition.COMPLETE_RENEGOTIATION
        )
        case_transition(case=case, name=step, actor=actor)
    return locked
