"""Write use cases for agreements. Views, admin and the demo data call these.

Every function locks what it changes, refuses edits to frozen versions, and records who did
it: simple-history keeps each row's changes, and the case's timeline gets one event per step
that moves the agreement (submission, return, approval, signature).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from iop import permissions
from iop.constants import CaseEventKind, CaseStatus
from iop.models import Case, CaseEvent
from iop.services import TransitionForbidden, TransitionRefused, case_transition

from .budget import budget_summary
from .constants import REQUIRED_SECTIONS, PartyKind, RiskFactor, SectionKey, TermKind, VersionStatus
from .models import (
    ActionPlanActivity,
    Agreement,
    AgreementParty,
    AgreementSection,
    AgreementVersion,
    BudgetLine,
    ReviewComment,
    RiskAssessment,
    RiskFactorAnswer,
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


# --- Creating and copying ----------------------------------------------------------------


@transaction.atomic
def agreement_start(*, case: Case, actor: Any) -> Agreement:
    """The case's agreement with its first draft, prefilled from the case: the challenge as
    background, the idea as purpose, the planning sheets' goals, target group and results, the
    public bodies and organisations as parties (public first) with the organisations' primary
    contacts. Returns the existing agreement if there is one."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    existing = Agreement.objects.filter(case=case).first()
    if existing is not None:
        return existing
    if not permissions.can_change_case(case, actor):
        raise TransitionForbidden(
            [_("Only the case's officer, its substitute or the IOP coordinator may do this.")]
        )
    if case.status not in EDITABLE_CASE_STATUSES:
        raise TransitionRefused(
            [
                _("An agreement is drafted from the stage «%(stage)s».")
                % {"stage": CaseStatus.DRAFTING.label}
            ]
        )
    agreement = Agreement.objects.create(case=case, created_by=actor)
    version = AgreementVersion(
        agreement=agreement,
        number=1,
        created_by=actor,
        concrete_results=case.plan_concrete_results,
        intangible_results=case.plan_intangible_results,
    )
    version._history_user = actor
    version.save()
    prefill = {
        SectionKey.BACKGROUND: case.societal_challenge,
        SectionKey.PURPOSE: case.idea_description,
        SectionKey.GOALS: case.plan_direction,
        SectionKey.TARGET_GROUP: case.plan_target_group,
    }
    AgreementSection.objects.bulk_create(
        AgreementSection(version=version, key=key, text=prefill.get(key, ""), updated_by=actor)
        for key in SectionKey.values
    )
    order = 1
    bodies = list(case.public_bodies.order_by("name")) or [case.public_body]
    for body in bodies:
        AgreementParty.objects.create(
            version=version, order=order, kind=PartyKind.PUBLIC_BODY, public_body=body
        )
        order += 1
    for organisation in case.organisations.prefetch_related("contacts").order_by("name"):
        contact = _primary_contact(organisation)
        AgreementParty.objects.create(
            version=version,
            order=order,
            kind=PartyKind.ORGANISATION,
            organisation=organisation,
            contact_name=contact.name if contact else "",
            contact_email=contact.email if contact else "",
            contact_phone=contact.phone if contact else "",
        )
        order += 1
    if case.plan_activities:
        ActionPlanActivity.objects.create(
            version=version,
            order=1,
            description=case.plan_activities,
            owner="",
            timetable=case.plan_timetable[:200],
        )
    _event(case, actor, _("Agreement draft, version 1, started."))
    return agreement


def _primary_contact(organisation):
    contacts = sorted(organisation.contacts.all(), key=lambda c: (not c.is_primary, c.pk))
    return contacts[0] if contacts else None


def copy_version(source: AgreementVersion, *, actor: Any) -> AgreementVersion:
    """A new draft with everything of ``source`` (text, parties, budget, plan) but no
    signatures. Call inside a transaction holding the case's lock."""
    number = (
        source.agreement.versions.order_by("-number").values_list("number", flat=True).first() or 0
    ) + 1
    fields = {
        f.name: getattr(source, f.name)
        for f in AgreementVersion._meta.concrete_fields
        if f.name
        not in {
            "id",
            "number",
            "status",
            "based_on",
            "revision",
            "created_at",
            "created_by",
            "updated_at",
            "submitted_at",
            "submitted_by",
            "reviewed_at",
            "reviewed_by",
            "signed_at",
            "authorising_decision",
        }
    }
    version = AgreementVersion(
        **fields, number=number, status=VersionStatus.DRAFT, based_on=source, created_by=actor
    )
    version._history_user = actor
    version.save()
    AgreementSection.objects.bulk_create(
        AgreementSection(version=version, key=s.key, text=s.text, updated_by=actor)
        for s in source.sections.all()
    )
    party_map: dict[int, AgreementParty] = {}
    for party in source.parties.all():
        party_map[party.pk] = AgreementParty.objects.create(
            version=version,
            order=party.order,
            kind=party.kind,
            public_body_id=party.public_body_id,
            organisation_id=party.organisation_id,
            signatory_name=party.signatory_name,
            signatory_title=party.signatory_title,
            contact_name=party.contact_name,
            contact_email=party.contact_email,
            contact_phone=party.contact_phone,
            annual_amount=party.annual_amount,
        )
    BudgetLine.objects.bulk_create(
        BudgetLine(
            version=version,
            party=party_map[line.party_id],
            year=line.year,
            kind=line.kind,
            description=line.description,
            amount=line.amount,
            hours=line.hours,
            hourly_value=line.hourly_value,
        )
        for line in source.budget_lines.all()
    )
    ActionPlanActivity.objects.bulk_create(
        ActionPlanActivity(
            version=version,
            order=a.order,
            description=a.description,
            owner=a.owner,
            timetable=a.timetable,
            expected_result=a.expected_result,
        )
        for a in source.activities.all()
    )
    return version


@transaction.atomic
def start_revision(*, case: Case, actor: Any) -> AgreementVersion:
    """In renegotiation: a new draft of the agreement in force (DOMAIN.md §3.8)."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if not permissions.can_change_case(case, actor):
        raise TransitionForbidden(
            [_("Only the case's officer, its substitute or the IOP coordinator may do this.")]
        )
    if case.status != CaseStatus.RENEGOTIATION:
        raise TransitionRefused(
            [
                _(
                    "A new version of a signed agreement is written when the committee has decided on renegotiation."
                )
            ]
        )
    agreement = Agreement.objects.get(case=case)
    existing = draft_version(agreement)
    if existing is not None:
        return existing
    source = (
        submitted_version(agreement) or approved_version(agreement) or in_force_version(agreement)
    )
    if source is None or source.status != VersionStatus.SIGNED:
        raise TransitionRefused(
            [_("A version is already in legal review or waiting for signatures.")]
        )
    version = copy_version(source, actor=actor)
    _event(
        case,
        actor,
        _("Renegotiation: version %(number)s drafted from the agreement in force.")
        % {"number": version.number},
    )
    return version


# --- Editing drafts -------------------------------------------------------------------------


@transaction.atomic
def section_save(
    *, section: AgreementSection, text: str, revision: int, actor: Any
) -> AgreementSection:
    """Save the text of one heading, unless someone saved it since ``revision``."""
    locked = (
        AgreementSection.objects.select_for_update()
        .select_related("version__agreement__case")
        .get(pk=section.pk)
    )
    ensure_editable(locked.version, actor)
    if locked.revision != revision:
        raise EditConflict(locked)
    if locked.text != text:
        locked.text = text
        locked.revision += 1
        locked.updated_by = actor
        locked._history_user = actor
        locked.save()
    return locked


@transaction.atomic
def version_update(
    *, version: AgreementVersion, data: dict[str, Any], revision: int, actor: Any
) -> AgreementVersion:
    """Save the version's own fields (term, notice, invoice address, plan fields)."""
    locked = (
        AgreementVersion.objects.select_for_update()
        .select_related("agreement__case")
        .get(pk=version.pk)
    )
    ensure_editable(locked, actor)
    if locked.revision != revision:
        raise EditConflict(locked)
    for field, value in data.items():
        setattr(locked, field, value)
    locked.revision += 1
    locked._history_user = actor
    locked.save()
    return locked


def lock_draft(version: AgreementVersion, *, revision: int, actor: Any) -> AgreementVersion:
    """For edits of a draft's rows (parties, budget lines, activities): lock the version,
    check the revision the user edited from and bump it. Call inside a transaction."""
    locked = (
        AgreementVersion.objects.select_for_update()
        .select_related("agreement__case")
        .get(pk=version.pk)
    )
    ensure_editable(locked, actor)
    if locked.revision != revision:
        raise EditConflict(locked)
    locked.revision += 1
    locked._history_user = actor
    locked.save(update_fields=["revision", "updated_at"])
    return locked


# --- Checks before review ---------------------------------------------------------------


def amounts_changed(version: AgreementVersion, previous: AgreementVersion | None) -> bool:
    """Whether ``version`` changes an amount of ``previous``: a party's money per full year, or
    what a party contributes in the budget."""
    if previous is None:
        return False

    def amounts(v: AgreementVersion) -> dict:
        result: dict = {}
        for party in v.parties.all():
            who = (party.kind, party.public_body_id, party.organisation_id)
            result[(who, "annual")] = party.annual_amount
        for line in v.budget_lines.select_related("party"):
            who = (line.party.kind, line.party.public_body_id, line.party.organisation_id)
            key = (who, line.year, line.kind)
            result[key] = result.get(key, 0) + line.value
        return result

    return amounts(version) != amounts(previous)


def submission_problems(version: AgreementVersion) -> list[str]:
    """What must be fixed before ``version`` goes to the jurist, in Swedish; empty when ready."""
    problems: list[str] = []
    sections = {s.key: s for s in version.sections.all()}
    missing = [
        str(SectionKey(key).label)
        for key in REQUIRED_SECTIONS
        if key not in sections or not sections[key].text.strip()
    ]
    if missing:
        problems.append(
            _("Text is missing under the headings: %(headings)s.")
            % {"headings": ", ".join(missing)}
        )
    parties = list(version.parties.select_related("public_body", "organisation"))
    if not any(p.kind == PartyKind.PUBLIC_BODY for p in parties):
        problems.append(_("A public party is missing."))
    if not any(p.kind == PartyKind.ORGANISATION for p in parties):
        problems.append(_("A non-profit organisation as party is missing."))
    for party in parties:
        if not party.signatory_name.strip():
            problems.append(_("The signatory of %(party)s is missing.") % {"party": party.name})
    if version.start_date is None:
        problems.append(_("The start date is missing."))
    if version.term_kind == TermKind.FIXED and not version.term_years:
        problems.append(_("The length of the fixed term is missing."))
    if version.term_kind == TermKind.UNTIL_FURTHER_NOTICE and not version.revision_interval_years:
        problems.append(_("The revision interval of an agreement until further notice is missing."))
    summary = budget_summary(version, parties=parties)
    problems.extend(summary.problems)
    if not version.activities.exists():
        problems.append(_("The action plan has no activities."))
    if version.checkins_per_year < 2:
        problems.append(_("The parties meet for follow-up at least twice a year."))
    if not version.annual_evaluation.strip():
        problems.append(_("The action plan must describe the annual evaluation."))
    previous = in_force_version(version.agreement)
    if (
        previous is not None
        and previous.pk != version.pk
        and not version.authorising_decision.strip()
        and amounts_changed(version, previous)
    ):
        problems.append(
            _(
                "This version changes an amount of the agreement in force: name the committee decision that allows it."
            )
        )
    return problems


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


# --- The review round (DOMAIN.md §3.4) ------------------------------------------------------


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
    version.status = status
    if status == VersionStatus.SUBMITTED:
        version.submitted_at, version.submitted_by = now, actor
    elif status in (VersionStatus.RETURNED, VersionStatus.APPROVED):
        version.reviewed_at, version.reviewed_by = now, actor
    elif status == VersionStatus.SIGNED:
        version.signed_at = now
    version._history_user = actor
    version.save()
    return version


@transaction.atomic
def submit_draft(*, case: Case, actor: Any) -> AgreementVersion:
    """The officer sends the draft to the jurist. In drafting this moves the case to legal
    review; in renegotiation the case stays where it is and the version is reviewed alone."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    agreement = Agreement.objects.get(case=case)
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


def _ensure_jurist(case: Case, actor: Any) -> None:
    if not permissions.can_review_legal(case, actor):
        raise TransitionForbidden([_("Only a jurist may do this.")])


@transaction.atomic
def return_version(
    *, case: Case, actor: Any, comments: Iterable[tuple[str, str]], note: str = ""
) -> AgreementVersion:
    """The jurist returns the submitted version with comments, each ``(section key or "",
    text)``. The version is kept as it was; a new draft continues from it."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    _ensure_jurist(case, actor)
    agreement = Agreement.objects.get(case=case)
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
        if not version.review_comments.exists():
            raise TransitionRefused([_("Comment on the draft before returning it.")])
        freeze(version, status=VersionStatus.RETURNED, actor=actor)
        copy_version(version, actor=actor)
        _event(
            case,
            actor,
            _("Version %(number)s returned by the jurist with comments.")
            % {"number": version.number},
        )
    return version


@transaction.atomic
def approve_version(*, case: Case, actor: Any) -> AgreementVersion:
    """The jurist approves the submitted version. From legal review the case goes to the
    committee; in renegotiation the parties sign the new version without a new decision."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    _ensure_jurist(case, actor)
    agreement = Agreement.objects.get(case=case)
    version = submitted_version(agreement)
    if version is None:
        raise TransitionRefused([_("No version is waiting for legal review.")])
    if case.status == CaseStatus.LEGAL_REVIEW:
        case_transition(case=case, name="approve_legal_review", actor=actor)
    else:
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
    locked = (
        AgreementVersion.objects.select_for_update()
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


# --- Signing (DOMAIN.md §3.6) -----------------------------------------------------------


@transaction.atomic
def record_signature(
    *, party: AgreementParty, actor: Any, signed_on: datetime.date, method: str
) -> AgreementParty:
    """Record that ``party``'s signatory signed the approved version. Parties sign in order;
    when the last has signed, the case moves on (to active, or out of renegotiation)."""
    case = Case.objects.select_for_update().get(pk=party.version.agreement.case_id)
    if not permissions.can_change_case(case, actor):
        raise TransitionForbidden(
            [_("Only the case's officer, its substitute or the IOP coordinator may do this.")]
        )
    locked = AgreementParty.objects.select_for_update().select_related("version").get(pk=party.pk)
    version = locked.version
    if version.status != VersionStatus.APPROVED or case.status not in (
        CaseStatus.SIGNING,
        CaseStatus.RENEGOTIATION,
    ):
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
    _event(
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
        name = "activate" if case.status == CaseStatus.SIGNING else "complete_renegotiation"
        case_transition(case=case, name=name, actor=actor)
    return locked
