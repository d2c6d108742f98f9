"""What the agreement does when its case moves (inside the same transaction): each of the
case's transitions that concerns the agreement moves its versions by their declared moves."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.dispatch import receiver

from iop.constants import CaseStatus, Transition
from iop.models import Case
from iop.services import case_transition_applied

from . import services
from .constants import VersionStatus
from .models import Agreement


def _submitted(agreement: Agreement, *, actor: Any, **kwargs: Any) -> None:
    services.move(services.draft_version(agreement).submit, actor=actor)


def _returned(agreement: Agreement, *, actor: Any, **kwargs: Any) -> None:
    version = services.submitted_version(agreement)
    services.return_to_new_draft(version.return_for_changes, actor=actor)


def _approved(agreement: Agreement, *, actor: Any, **kwargs: Any) -> None:
    services.move(services.submitted_version(agreement).approve, actor=actor)


def _referred_back(agreement: Agreement, *, actor: Any, **kwargs: Any) -> None:
    # The committee sent it back: the approved version stays as the committee saw it.
    version = services.approved_version(agreement)
    if version is not None:
        services.return_to_new_draft(version.refer_back, actor=actor)


def _notice_given(agreement: Agreement, *, actor: Any, from_status: str, **kwargs: Any) -> None:
    # Notice ends a renegotiation: a new version not yet signed will never be.
    if from_status != CaseStatus.RENEGOTIATION:
        return
    pending = (VersionStatus.DRAFT, VersionStatus.SUBMITTED, VersionStatus.APPROVED)
    for version in agreement.versions.filter(status__in=pending):
        services.move(version.withdraw, actor=actor)


def _signed(agreement: Agreement, *, actor: Any, **kwargs: Any) -> None:
    version = services.approved_version(agreement)
    for old in services.versions_with(agreement, VersionStatus.SIGNED):
        services.move(old.supersede, actor=actor)
    services.move(version.sign, actor=actor)


FOLLOWS: dict[Transition, Callable[..., None]] = {
    Transition.SUBMIT_FOR_LEGAL_REVIEW: _submitted,
    Transition.RETURN_TO_DRAFTING: _returned,
    Transition.APPROVE_LEGAL_REVIEW: _approved,
    Transition.RECORD_REFERRAL_BACK: _referred_back,
    Transition.GIVE_NOTICE: _notice_given,
    Transition.ACTIVATE: _signed,
    Transition.COMPLETE_RENEGOTIATION: _signed,
}


@receiver(case_transition_applied, sender=Case)
def follow_case(sender, *, case, transition, from_status, actor, **kwargs) -> None:
    follow = FOLLOWS.get(transition)
    if follow is None:
        return
    agreement = services.agreement_of(case)
    if agreement is not None:
        follow(agreement, actor=actor, from_status=from_status)
