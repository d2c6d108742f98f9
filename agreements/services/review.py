"""The review round: submission, the jurist's assessment, return and approval."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from iop import permissions, workflow
from iop.constants import CaseStatus, Transition
from iop.models import Case
from iop.services import TransitionRefused, case_transition, declared_transitions, lock_case

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
    agreement_event,
    draft_version,
    ensure_editable,
    existing_agreement,
    lock_version,
    move,
    submitted_version,
)
from .drafting import return_to_new_draft
from .readiness import submission_problems

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


def _case_step(transition: Transition):
    """The case's declared step ``transition`` (each step of the review has one source)."""
    [step] = declared_transitions()[transition].values()
    return step


def ensure_may_take(transition: Transition, case: Case, actor: Any) -> None:
    """The role the case's step ``transition`` asks for, with its one refusal sentence."""
    permissions.ensure(_case_step(transition).permission, case, actor)


def ensure_rules_met(transition: Transition, case: Case, problems: list[str]) -> None:
    """In renegotiation the version is submitted, returned and approved on its own while the
    case stays where it is; the rules are those of the case's step (the guards registered for
    it, as ``case_transition`` checks them), and ``problems`` say in detail what is missing."""
    unmet = workflow.unmet_rules(case, _case_step(transition))
    if unmet:
        raise TransitionRefused(problems or unmet)


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
def submit_draft(*, case: Case, actor: Any) -> AgreementVersion:
    """The officer sends the draft to the jurist. In drafting this moves the case to legal
    review; in renegotiation the case stays where it is and the version is reviewed alone."""
    case = lock_case(case)
    agreement = existing_agreement(case)
    draft = draft_version(agreement)
    if draft is None:
        raise TransitionRefused([_("There is no draft to submit.")])
    if case.status == CaseStatus.DRAFTING:
        case_transition(case=case, name=Transition.SUBMIT_FOR_LEGAL_REVIEW, actor=actor)
        draft.refresh_from_db()
        return draft
    draft.agreement.case = case
    ensure_editable(draft, actor)  # the role of the case's step, and a draft in an editable stage
    ensure_rules_met(Transition.SUBMIT_FOR_LEGAL_REVIEW, case, submission_problems(draft))
    move(draft.submit, actor=actor)
    agreement_event(
        case, actor, _("Version %(number)s submitted for legal review.") % {"number": draft.number}
    )
    return draft


@transaction.atomic
def return_version(
    *, case: Case, actor: Any, comments: Iterable[tuple[str, str]], note: str = ""
) -> AgreementVersion:
    """The jurist returns the submitted version with comments, each ``(section key or "",
    text)``. The version is kept as it was; a new draft continues from it."""
    case = lock_case(case)
    ensure_may_take(Transition.RETURN_TO_DRAFTING, case, actor)
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
        case_transition(case=case, name=Transition.RETURN_TO_DRAFTING, actor=actor, note=note)
    else:
        _ensure_reviewable_stage(case)
        ensure_rules_met(Transition.RETURN_TO_DRAFTING, case, [])
        return_to_new_draft(version.return_for_changes, actor=actor)
        agreement_event(
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
    case = lock_case(case)
    ensure_may_take(Transition.APPROVE_LEGAL_REVIEW, case, actor)
    agreement = existing_agreement(case)
    version = submitted_version(agreement)
    if version is None:
        raise TransitionRefused([_("No version is waiting for legal review.")])
    if case.status == CaseStatus.LEGAL_REVIEW:
        case_transition(case=case, name=Transition.APPROVE_LEGAL_REVIEW, actor=actor)
    else:
        _ensure_reviewable_stage(case)
        ensure_rules_met(Transition.APPROVE_LEGAL_REVIEW, case, assessment_problems(version))
        move(version.approve, actor=actor)
        agreement_event(
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
    locked = lock_version(version)
    permissions.ensure_can_review_legal(locked.agreement.case, actor)
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
