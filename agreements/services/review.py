"""The review round: submission, the jurist's assessment, return and approval."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from iop.constants import CaseStatus
from iop.models import Case
from iop.services import TransitionRefused, case_transition

from ..budget import budget_summary
from ..constants import RiskFactor, VersionStatus
from ..models import (
    AgreementVersion,
    ReviewComment,
    RiskAssessment,
    RiskFactorAnswer,
)
from .common import (
    VersionFrozen,
    _ensure_jurist,
    _event,
    draft_version,
    ensure_editable,
    existing_agreement,
    freeze,
    lock_case_of,
    submitted_version,
)
from .drafting import (
    return_to_new_draft,
    submission_problems,
)

# --- The review round (DOMAIN.md §3.4) ---------------------------------------------------


def assessment_problems(version: AgreementVersion) -> list[str]:
    """What the jurist must still record before approving ``version``."""
    assessment = RiskAssessment.objects.filter(version=version).first()
    if assessment is None:
        return [_("The procurement-risk assessment has not been recorded.")]
    problems = []
    answered = {a.factor for a in assessment.answers.all() if a.direction}
    unanswered = [str(RiskFactor(f).label) for f in RiskFactor.values if f not in answered]
    if unanswered:
        problems.append(_("%(count)s risk factors are unanswered.") % {"count": len(unanswered)})
    if not assessment.overall_assessment.strip():
        problems.append(_("The overall assessment (samlad bedömning) is missing."))
    if budget_summary(version).fully_public and not assessment.full_funding_accepted.strip():
        problems.append(
            _("The public parties pay the full cost: give the reason for accepting it.")
        )
    return problems


@transaction.atomic
def submit_draft(*, case: Case, actor: Any) -> AgreementVersion:
    """The officer sends the draft to the jurist. In drafting this moves the case to legal
    review; in renegotiation the case stays where it is and the version is reviewed alone."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    agreement = existing_agreement(case)
    draft = draft_version(agreement)
    if draft is None:
        raise TransitionRefused([_("There is no draft to submit.")])
    if case.status == CaseStatus.DRAFTING:
        case_transition(case=case, name="submit_for_legal_review", actor=actor)
        draft.refresh_from_db()
        return draft
    ensure_editable(draft, actor)
    problems = submission_problems(draft)
    if problems:
        raise TransitionRefused(problems)
    freeze(draft, status=VersionStatus.SUBMITTED, actor=actor)
    _event(
        case, actor, _("Version %(number)s submitted for legal review.") % {"number": draft.number}
    )
    return draft


def _ensure_reviewable_stage(case: Case) -> None:
    """Outside legal review, only a renegotiated version is reviewed on its own."""
    if case.status != CaseStatus.RENEGOTIATION:
        raise TransitionRefused(
            [
                _(
                    "The jurist reviews the agreement while the case is at the stage «%(a)s» or «%(b)s»."
                )
                % {"a": CaseStatus.LEGAL_REVIEW.label, "b": CaseStatus.RENEGOTIATION.label}
            ]
        )


@transaction.atomic
def return_version(
    *, case: Case, actor: Any, comments: Iterable[tuple[str, str]], note: str = ""
) -> AgreementVersion:
    """The jurist returns the submitted version with comments, each ``(section key or "",
    text)``. The version is kept as it was; a new draft continues from it."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    _ensure_jurist(case, actor)
    agreement = existing_agreement(case)
    version = submitted_version(agreement)
    if version is None:
        raise TransitionRefused([_("No version is waiting for legal review.")])
    for key, text in comments:
        if text.strip():
            ReviewComment.objects.create(
                version=version, section_key=key, text=text.strip(), author=actor
            )
    if note.strip():
        ReviewComment.objects.create(
            version=version, section_key="", text=note.strip(), author=actor
        )
    if case.status == CaseStatus.LEGAL_REVIEW:
        case_transition(case=case, name="return_to_drafting", actor=actor, note=note)
    else:
        _ensure_reviewable_stage(case)
        if not version.review_comments.exists():
            raise TransitionRefused([_("Comment on the draft before returning it.")])
        return_to_new_draft(version, actor=actor)
        _event(
            case,
            actor,
            _("Version %(number)s returned by the jurist with comments.")
            % {"number": version.number},
        )
    version.refresh_from_db()
    return version


@transaction.atomic
def approve_version(*, case: Case, actor: Any) -> AgreementVersion:
    """The jurist approves the submitted version. From legal review the case goes to the
    committee; in renegotiation the parties sign the new version without a new decision."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    _ensure_jurist(case, actor)
    agreement = existing_agreement(case)
    version = submitted_version(agreement)
    if version is None:
        raise TransitionRefused([_("No version is waiting for legal review.")])
    if case.status == CaseStatus.LEGAL_REVIEW:
        case_transition(case=case, name="approve_legal_review", actor=actor)
    else:
        _ensure_reviewable_stage(case)
        problems = assessment_problems(version)
        if problems:
            raise TransitionRefused(problems)
        freeze(version, status=VersionStatus.APPROVED, actor=actor)
        _event(
            case,
            actor,
            _("Version %(number)s approved by the jurist.") % {"number": version.number},
        )
    version.refresh_from_db()
    return version


@transaction.atomic
def assessment_save(
    *,
    version: AgreementVersion,
    actor: Any,
    answers: dict[str, tuple[str, str]],
    overall_assessment: str,
    full_funding_accepted: str = "",
) -> RiskAssessment:
    """Record the jurist's answers ``{factor: (direction, comment)}`` and overall assessment
    for a version in review."""
    lock_case_of(version)
    locked = (
        AgreementVersion.objects.select_for_update(of=("self",))
        .select_related("agreement__case")
        .get(pk=version.pk)
    )
    _ensure_jurist(locked.agreement.case, actor)
    if locked.status != VersionStatus.SUBMITTED:
        raise VersionFrozen([_("Only a version in legal review can be assessed.")])
    assessment, _created = RiskAssessment.objects.get_or_create(version=locked)
    assessment.overall_assessment = overall_assessment.strip()
    assessment.full_funding_accepted = full_funding_accepted.strip()
    assessment.assessed_by = actor
    assessment.assessed_at = timezone.now()
    assessment._history_user = actor
    assessment.save()
    existing = {a.factor: a for a in assessment.answers.all()}
    for factor, (direction, comment) in answers.items():
        answer = existing.get(factor) or RiskFactorAnswer(assessment=assessment, factor=factor)
        if answer.pk is None or (answer.direction, answer.comment) != (direction, comment.strip()):
            answer.direction, answer.comment = direction, comment.strip()
            answer._history_user = actor
            answer.save()
    return assessment
