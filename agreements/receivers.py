"""What the agreement does when its case moves (inside the same transaction)."""

from __future__ import annotations

from django.dispatch import receiver

from iop.constants import CaseStatus
from iop.models import Case
from iop.services import case_transition_applied

from . import services
from .constants import VersionStatus


@receiver(case_transition_applied, sender=Case)
def follow_case(sender, *, case, transition, from_status, actor, **kwargs) -> None:
    agreement = services.agreement_of(case)
    if agreement is None:
        return
    if transition == "submit_for_legal_review":
        draft = services.draft_version(agreement)
        services.freeze(draft, status=VersionStatus.SUBMITTED, actor=actor)
    elif transition == "return_to_drafting":
        services.return_to_new_draft(services.submitted_version(agreement), actor=actor)
    elif transition == "approve_legal_review":
        version = services.submitted_version(agreement)
        services.freeze(version, status=VersionStatus.APPROVED, actor=actor)
    elif transition == "record_referral_back":
        # The committee sent it back: the approved version stays as the committee saw it.
        version = services.approved_version(agreement)
        if version is not None:
            services.return_to_new_draft(version, actor=actor)
    elif transition == "give_notice" and from_status == CaseStatus.RENEGOTIATION:
        # Notice ends the renegotiation: a new version not yet signed will never be.
        pending = (VersionStatus.DRAFT, VersionStatus.SUBMITTED, VersionStatus.APPROVED)
        for version in agreement.versions.filter(status__in=pending):
            services.freeze(version, status=VersionStatus.SUPERSEDED, actor=actor)
    elif transition in ("activate", "complete_renegotiation"):
        version = services.approved_version(agreement)
        for old in services.versions_with(agreement, VersionStatus.SIGNED):
            services.freeze(old, status=VersionStatus.SUPERSEDED, actor=actor)
        services.freeze(version, status=VersionStatus.SIGNED, actor=actor)
