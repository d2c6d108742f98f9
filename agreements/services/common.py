"""What the agreement services share: the refusals, the readers of a case's versions, the
rule of who may edit what, the version's own moves and the agreement's case events."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.utils.translation import gettext as _

from iop import permissions
from iop.constants import CaseEventKind, CaseStatus
from iop.models import Case, CaseEvent
from iop.services import TransitionRefused, lock_case, record_event

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
        version.is_draft
        and case.status in EDITABLE_CASE_STATUSES
        and permissions.can_change_case(case, user)
    )


def ensure_editable(version: AgreementVersion, user: Any) -> None:
    """Refuse a change to ``version`` by ``user``: frozen versions never change; drafts only
    in drafting or renegotiation, and only by whoever handles the case."""
    case = version.agreement.case
    permissions.ensure_can_change_case(case, user)
    if not version.is_draft:
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


def agreement_event(case: Case, actor: Any, note: str) -> CaseEvent:
    """One entry of the case's timeline for a step of the agreement (the case stays put)."""
    return record_event(case=case, kind=CaseEventKind.AGREEMENT, actor=actor, note=note)


def move(step: Callable[..., None], *, actor: Any) -> AgreementVersion:
    """Take one declared move of a version (``move(version.submit, actor=…)``) and save it
    with ``actor`` in its history. A move from the wrong status raises django-fsm's
    ``TransitionNotAllowed`` and changes nothing. Call inside the transaction that holds the
    case's lock."""
    version: AgreementVersion = step.__self__  # type: ignore[attr-defined]
    step(by=actor)
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
    return lock_case(case_id)


def lock_version(version: AgreementVersion) -> AgreementVersion:
    """The case's lock, then the version's own row (with its agreement and case)."""
    case = lock_case_of(version)
    locked = (
        AgreementVersion.objects.select_for_update(of=("self",))
        .select_related("agreement")
        .get(pk=version.pk)
    )
    locked.agreement.case = case
    return locked


def save_rows(
    version: AgreementVersion,
    *,
    actor: Any,
    changed: Iterable[Any] = (),
    deleted: Iterable[Any] = (),
) -> None:
    """Write rows of the locked draft ``version`` (parties, budget lines, activities,
    sections): each changed or new row saved, each deleted one removed, with ``actor`` in
    their history. A row of another version is a programming error, never written."""
    for row in deleted:
        if row.pk is None:
            continue
        _ensure_row_of(row, version)
        row._history_user = actor
        row.delete()
    for row in changed:
        if row.pk is None:
            row.version = version
        _ensure_row_of(row, version)
        row._history_user = actor
        row.save()


def _ensure_row_of(row: Any, version: AgreementVersion) -> None:
    party = getattr(row, "party", None)  # a budget line's party is one of the same version's
    if row.version_id != version.pk or (party is not None and party.version_id != version.pk):
        raise ValueError(f"{row!r} is not a row of version {version.pk}")
