"""The case's conditions that come from its agreement: each refuses with its rule (the
docstring of the condition on ``Case``) and changes nothing, and is met by the agreement the
services build. Through ``case_transition`` (the case page and the admin) and through the
agreement's own services alike."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from agreements import conditions
from decisions.constants import MatterKind, Outcome
from decisions.tests.factories import decide
from iop.constants import CaseEventKind, CaseStatus, Role
from iop.models import Case, CaseEvent
from iop.services import TransitionRefused, case_transition
from iop.tests.factories import UserFactory
from iop.tests.test_workflow import renegotiated_version
from iop.workflow import rule_for

from .. import services
from ..constants import (
    BudgetKind,
    RiskDirection,
    RiskFactor,
    SectionKey,
    SigningMethod,
    VersionStatus,
)
from ..models import ActionPlanActivity, AgreementVersion, BudgetLine, ReviewComment
from .factories import agreement_at, complete_draft, drafting_case, record_assessment

pytestmark = pytest.mark.django_db

SIGNED_ON = datetime.date(2026, 6, 1)


def rule(condition) -> str:
    return rule_for(condition)


def state(case: Case) -> tuple:
    """What a refusal must leave as it was: the case, its timeline, its versions."""
    return (
        Case.objects.filter(pk=case.pk).values("status").get(),
        CaseEvent.objects.filter(case=case).count(),
        list(
            AgreementVersion.objects.filter(agreement__case=case)
            .order_by("number")
            .values_list("number", "status")
        ),
    )


def refused(case: Case, name: str, actor, **kwargs) -> list[str]:
    before = state(case)
    with pytest.raises(TransitionRefused) as refusal:
        case_transition(case=case, name=name, actor=actor, **kwargs)
    assert state(case) == before
    return refusal.value.reasons


# --- Submitting needs a complete draft ------------------------------------------------------------


def _empty_heading(draft):
    section = draft.sections.get(key=SectionKey.VALUES)
    services.section_save(
        section=section, text="  ", revision=section.revision, actor=draft.agreement.case.officer
    )


def _organisation_contributes_nothing(draft):
    BudgetLine.objects.filter(version=draft, party__kind="organisation").delete()


def _profit_line(draft):
    organisation = draft.parties.get(kind="organisation")
    BudgetLine.objects.create(
        version=draft,
        party=organisation,
        year=2027,
        kind=BudgetKind.MONEY,
        description="Vinst till föreningen",
        amount=Decimal("10000"),
    )


def _no_activities(draft):
    ActionPlanActivity.objects.filter(version=draft).delete()


def _no_signatory(draft):
    draft.parties.filter(kind="organisation").update(signatory_name="")


def _no_start_date(draft):
    AgreementVersion.objects.filter(pk=draft.pk).update(start_date=None)


@pytest.mark.parametrize(
    "spoil",
    [
        _empty_heading,
        _organisation_contributes_nothing,
        _profit_line,
        _no_activities,
        _no_signatory,
        _no_start_date,
    ],
)
def test_submitting_is_refused_until_the_draft_is_complete(officer, spoil):
    case = drafting_case(officer=officer)
    draft = complete_draft(case)
    spoil(draft)

    assert refused(case, "submit_for_legal_review", officer) == [
        rule(conditions.agreement_ready_for_review)
    ]
    # The agreement's own service refuses with the same rule; its page lists the details.
    with pytest.raises(TransitionRefused) as refusal:
        services.submit_draft(case=case, actor=officer)
    assert refusal.value.reasons == [rule(conditions.agreement_ready_for_review)]
    assert services.submission_problems(AgreementVersion.objects.get(pk=draft.pk))


def test_submitting_is_refused_without_an_agreement(officer):
    case = drafting_case(officer=officer)
    assert refused(case, "submit_for_legal_review", officer) == [
        rule(conditions.agreement_ready_for_review)
    ]


def test_a_complete_draft_is_submitted_and_frozen(officer):
    case = drafting_case(officer=officer)
    draft = complete_draft(case)
    case_transition(case=case, name="submit_for_legal_review", actor=officer)
    draft.refresh_from_db()
    assert (draft.status, draft.submitted_by) == (VersionStatus.SUBMITTED, officer)
    assert Case.objects.get(pk=case.pk).status == CaseStatus.LEGAL_REVIEW


# --- Returning needs the jurist's comments on the version ---------------------------------------


def test_returning_is_refused_without_comments_even_with_a_note(officer, jurist):
    case = drafting_case(officer=officer)
    agreement_at(case, "submitted")
    assert refused(case, "return_to_drafting", jurist) == [rule(conditions.review_comments_given)]
    assert refused(case, "return_to_drafting", jurist, note="Se § 7.") == [
        rule(conditions.review_comments_given)
    ]
    with pytest.raises(TransitionRefused) as refusal:
        services.return_version(case=case, actor=jurist, comments=[(SectionKey.GOALS, "  ")])
    assert refusal.value.reasons == [rule(conditions.review_comments_given)]
    assert not ReviewComment.objects.exists()


@pytest.mark.parametrize("key", [SectionKey.GOALS, ""], ids=["on_a_heading", "on_the_whole"])
def test_one_comment_is_enough_to_return(officer, jurist, key):
    case = drafting_case(officer=officer)
    version = agreement_at(case, "submitted")
    services.return_version(case=case, actor=jurist, comments=[(key, "Förtydliga.")])
    version.refresh_from_db()
    assert version.status == VersionStatus.RETURNED
    assert Case.objects.get(pk=case.pk).status == CaseStatus.DRAFTING
    assert services.draft_version(version.agreement).based_on == version


def test_a_comment_on_an_earlier_version_does_not_count(officer, jurist):
    case = drafting_case(officer=officer)
    agreement_at(case, "returned", jurist=jurist)
    case_transition(case=case, name="submit_for_legal_review", actor=officer)
    assert refused(case, "return_to_drafting", jurist) == [rule(conditions.review_comments_given)]


# --- Approving needs the recorded assessment ------------------------------------------------------


def test_approving_is_refused_without_an_assessment(officer, jurist):
    case = drafting_case(officer=officer)
    agreement_at(case, "submitted")
    assert refused(case, "approve_legal_review", jurist) == [
        rule(conditions.legal_assessment_recorded)
    ]
    with pytest.raises(TransitionRefused) as refusal:
        services.approve_version(case=case, actor=jurist)
    assert refusal.value.reasons == [rule(conditions.legal_assessment_recorded)]


@pytest.mark.parametrize("gap", ["overall", "factor"])
def test_approving_is_refused_with_an_incomplete_assessment(officer, jurist, gap):
    case = drafting_case(officer=officer)
    version = agreement_at(case, "submitted")
    answers = dict.fromkeys(RiskFactor.values, (RiskDirection.PARTNERSHIP, ""))
    if gap == "factor":
        answers[RiskFactor.PRICE] = ("", "")
    services.assessment_save(
        version=version,
        actor=jurist,
        answers=answers,
        overall_assessment="" if gap == "overall" else "Partnerskap.",
    )
    assert refused(case, "approve_legal_review", jurist) == [
        rule(conditions.legal_assessment_recorded)
    ]
    assert services.assessment_problems(version)


def test_a_recorded_assessment_lets_the_jurist_approve(officer, jurist):
    case = drafting_case(officer=officer)
    version = agreement_at(case, "submitted")
    record_assessment(version, jurist)
    case_transition(case=case, name="approve_legal_review", actor=jurist)
    version.refresh_from_db()
    assert (version.status, version.reviewed_by) == (VersionStatus.APPROVED, jurist)


# --- Activating needs every party's signature -------------------------------------------------


def test_activating_is_refused_until_every_party_has_signed(officer):
    case = drafting_case(officer=officer)
    version = agreement_at(case, "signing")
    first, last = version.parties.order_by("order", "pk")
    assert refused(case, "activate", officer) == [rule(conditions.all_parties_signed)]

    services.record_signature(
        party=first, actor=officer, signed_on=SIGNED_ON, method=SigningMethod.PAPER
    )
    assert Case.objects.get(pk=case.pk).status == CaseStatus.SIGNING
    assert refused(case, "activate", officer) == [rule(conditions.all_parties_signed)]

    services.record_signature(
        party=last, actor=officer, signed_on=SIGNED_ON, method=SigningMethod.DIGITAL
    )
    # The last signature activates the partnership; the version is in force.
    assert Case.objects.get(pk=case.pk).status == CaseStatus.ACTIVE
    assert AgreementVersion.objects.get(pk=version.pk).status == VersionStatus.SIGNED
    activation = CaseEvent.objects.get(case=case, transition="activate")
    assert (activation.kind, activation.actor) == (CaseEventKind.TRANSITION, officer)


# --- Completing a renegotiation needs the new version signed -------------------------------------


def test_completing_a_renegotiation_is_refused_until_the_new_version_is_signed(officer, jurist):
    case = drafting_case(officer=officer)
    secretary = UserFactory(role=Role.SECRETARY)
    agreement_at(case, "signed", jurist=jurist, secretary=secretary)
    decide(case, Outcome.APPROVED, kind=MatterKind.RENEGOTIATION, secretary=secretary)
    # Nothing new written yet: the old signatures do not complete it.
    assert refused(case, "complete_renegotiation", officer) == [
        rule(conditions.renegotiated_version_signed)
    ]
    services.start_revision(case=case, actor=officer)
    assert refused(case, "complete_renegotiation", officer) == [
        rule(conditions.renegotiated_version_signed)
    ]


def test_a_renegotiated_version_approved_but_half_signed_does_not_complete(officer):
    case = drafting_case(officer=officer)
    version = renegotiated_version(case)
    first, last = version.parties.order_by("order", "pk")
    assert refused(case, "complete_renegotiation", officer) == [
        rule(conditions.renegotiated_version_signed)
    ]
    services.record_signature(
        party=first, actor=officer, signed_on=SIGNED_ON, method=SigningMethod.PAPER
    )
    assert refused(case, "complete_renegotiation", officer) == [
        rule(conditions.renegotiated_version_signed)
    ]
    services.record_signature(
        party=last, actor=officer, signed_on=SIGNED_ON, method=SigningMethod.PAPER
    )
    assert Case.objects.get(pk=case.pk).status == CaseStatus.ACTIVE
    statuses = dict(
        AgreementVersion.objects.filter(agreement__case=case).values_list("number", "status")
    )
    assert statuses == {1: VersionStatus.SUPERSEDED, 2: VersionStatus.SIGNED}
