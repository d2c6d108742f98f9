"""What the agreement services share: the refusals, the readers of a case's versions, the
rule of who may edit what, and the version's own moves."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from iop import permissions
from iop.constants import CaseEventKind, CaseStatus
from iop.models import Case, CaseEvent
from iop.services import TransitionForbidden, TransitionRefused

from ..constants import VersionStatus
from ..models import (
    Agreement,
    AgreementVersion,
)

# Stages in which the parties may edit a draft.
EDITABLE_CASE_STATUSES = frozenset({CaseStatus.DRAFTING, CaseStatus.RENEGOTIATION})


class VersionFrozen(TransitionRefused):
    """The version was submitted, reviewed or signed: it is a record and cannot change."""


class EditConflict(Exception):
    """Someone else saved the same thing since this user opened it. ``current`` is what is
    saved now; the caller shows it beside the user's own text, which is not lost."""

    def __init__(self, current: Any):
        self.current = current
        super().__init__("edit conflict")


# --- Reading ---------------------------------------------------------------------------


def versions_with(agreement: Agreement, status: str) -> list[AgreementVersion]:
    return list(agreement.versions.filter(status=status).order_by("-number"))


def draft_version(agreement: Agreement | None) -> AgreementVersion | None:
    if agreement is None:
        return None
    return agreement.versions.filter(status=VersionStatus.DRAFT).first()


def submitted_version(agreement: Agreement | None) -> AgreementVersion | None:
    if agreement is None:
        return None
    return agreement.versions.filter(status=VersionStatus.SUBMITTED).order_by("-number").first()


def approved_version(agreement: Agreement | None) -> AgreementVersion | None:
    """The version approved by the jurist and not yet signed by all."""
    if agreement is None:
        return None
    return agreement.versions.filter(status=VersionStatus.APPROVED).order_by("-number").first()


def in_force_version(agreement: Agreement | None) -> AgreementVersion | None:
    """The version signed by all parties that governs the partnership now."""
    if agreement is None:
        return None
    return agreement.versions.filter(status=VersionStatus.SIGNED).order_by("-number").first()


def agreement_of(case: Case) -> Agreement | None:
    return Agreement.objects.filter(case_id=case.pk).first()


def existing_agreement(case: Case) -> Agreement:
    """The case's agreement; refused (not an error page) when none has been started."""
    agreement = agreement_of(case)
    if agreement is None:
        raise TransitionRefused([_("No agreement has been started for this case.")])
    return agreement


def can_edit_draft(version: AgreementVersion, user: Any) -> bool:
    case = version.agreement.case
    return (
        version.status == VersionStatus.DRAFT
        and case.status in EDITABLE_CASE_STATUSES
        and permissions.can_change_case(case, user)
    )


def ensure_editable(version: AgreementVersion, user: Any) -> None:
    """Refuse a change to ``version`` by ``user``: frozen versions never change; drafts only
    in drafting or renegotiation, and only by whoever handles the case."""
    case = version.agreement.case
    if not permissions.can_change_case(case, user):
        raise TransitionForbidden(
            [_("Only the case's officer, its substitute or the IOP coordinator may do this.")]
        )
    if version.status != VersionStatus.DRAFT:
        raise VersionFrozen(
            [
                _(
                    "Version %(number)s is %(status)s and can no longer be changed; changes are made in a new draft."
                )
                % {"number": version.number, "status": version.get_status_display().lower()}
            ]
        )
    if case.status not in EDITABLE_CASE_STATUSES:
        raise VersionFrozen(
            [
                _(
                    "The agreement can only be edited while the case is at the stage «%(a)s» or «%(b)s»."
                )
                % {"a": CaseStatus.DRAFTING.label, "b": CaseStatus.RENEGOTIATION.label}
            ]
        )


def _event(case: Case, actor: Any, note: str) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case,
        kind=CaseEventKind.AGREEMENT,
        actor=actor,
        from_status=case.status,
        to_status=case.status,
        note=note,
    )


def freeze(version: AgreementVersion, *, status: str, actor: Any) -> AgreementVersion:
    """Move ``version`` on in its own life (submitted, returned, approved, signed)."""
    now = timezone.now()
    leaves_review = version.status == VersionStatus.SUBMITTED
    version.status = status
    if status == VersionStatus.SUBMITTED:
        version.submitted_at, version.submitted_by = now, actor
    elif leaves_review and status in (VersionStatus.RETURNED, VersionStatus.APPROVED):
        # Only the jurist's decision stamps the review; a committee's referral back of an
        # approved version leaves who approved it as it was.
        version.reviewed_at, version.reviewed_by = now, actor
    elif status == VersionStatus.SIGNED:
        version.signed_at = now
    version._history_user = actor
    version.save()
    return version


def lock_case_of(version_or_row: Any) -> Case:
    """Lock the case a version (or a row of one) belongs to. Every write locks the case
    first and then its own row, so two writers never wait for each other in reverse order."""
    version_id = getattr(version_or_row, "version_id", None) or version_or_row.pk
    case_id = AgreementVersion.objects.values_list("agreement__case_id", flat=True).get(
        pk=version_id
    )
    return Case.objects.select_for_update().get(pk=case_id)


def _ensure_jurist(case: Case, actor: Any) -> None:
    if not permissions.can_review_legal(case, actor):
        raise TransitionForbidden([_("Only a jurist may do this.")])
