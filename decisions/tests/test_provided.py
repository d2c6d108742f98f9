"""What the committee's spoke provides the others through the hub (``iop.facts``): the case's
recorded decisions, and preparing a matter on request — the follow-up report's one click
(with an amount: the follow-up and renegotiation matter) and the notice's ending matter."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from iop import facts
from iop.constants import CaseStatus, Role
from iop.exceptions import TransitionForbidden
from iop.tests.factories import CaseFactory, UserFactory

from ..constants import MatterKind, Outcome
from ..models import Matter
from ..provided import decision_facts, prepare_requested_matter
from ..services import matter_update
from .factories import decide, final_matter

pytestmark = pytest.mark.django_db

TEXTS = facts.FollowUpTexts(
    cooperation="Samarbetet i korthet.",
    background="Folkhälsoplanen.",
    contributions="Regionen 600 000 kronor per helår.",
    goal_fulfilment="Målen är nådda.",
    development="Fler orter.",
)
FIELDS = {
    "follow_up_cooperation": TEXTS.cooperation,
    "follow_up_background": TEXTS.background,
    "follow_up_contributions": TEXTS.contributions,
    "follow_up_goal_fulfilment": TEXTS.goal_fulfilment,
    "follow_up_development": TEXTS.development,
}


@pytest.fixture
def active(officer):
    return CaseFactory(status=CaseStatus.ACTIVE, officer=officer)


def follow_up(**kwargs) -> facts.MatterRequest:
    return facts.MatterRequest(kind="follow_up", follow_up=TEXTS, **kwargs)


def points(matter: Matter) -> list[str]:
    return [p.text for p in matter.points.order_by("position")]


def test_the_hub_asks_this_spoke(active, officer):
    prepared = facts.prepare_matter(case=active, actor=officer, request=follow_up())
    assert Matter.objects.get(pk=prepared.matter_id).case == active


def test_a_follow_up_request_prepares_the_follow_up_matter_with_the_five_texts(active, officer):
    prepared = prepare_requested_matter(case=active, actor=officer, request=follow_up())
    matter = Matter.objects.get(pk=prepared.matter_id)
    assert prepared.created
    assert prepared.title == matter.title and prepared.url == matter.get_absolute_url()
    assert matter.kind == MatterKind.FOLLOW_UP
    assert {name: getattr(matter, name) for name in FIELDS} == FIELDS
    assert len(points(matter)) == 1
    assert matter.history.first().history_user == officer


def test_with_an_amount_it_is_the_follow_up_and_renegotiation_matter_with_two_points(
    active, officer
):
    request = follow_up(amount_change=Decimal(50000), change_from=datetime.date(2027, 6, 1))
    prepared = prepare_requested_matter(case=active, actor=officer, request=request)
    matter = Matter.objects.get(pk=prepared.matter_id)
    assert matter.kind == MatterKind.FOLLOW_UP_RENEGOTIATION
    assert matter.amount_change == Decimal(50000)
    assert matter.follow_up_goal_fulfilment == TEXTS.goal_fulfilment
    first, second = points(matter)
    assert first.startswith("Uppföljning av idéburet offentligt partnerskap (IOP)")
    assert "utökas med 50 000 kronor per helår" in second and "1 juni 2027" in second


def test_asking_again_fills_in_the_open_draft_and_follows_a_new_amount(active, officer):
    request = follow_up(amount_change=Decimal(50000), change_from=datetime.date(2027, 6, 1))
    first = prepare_requested_matter(case=active, actor=officer, request=request)
    texts = facts.FollowUpTexts(**{**vars(TEXTS), "development": "Två nya orter."})
    again = facts.MatterRequest(
        kind="follow_up",
        follow_up=texts,
        amount_change=Decimal(-20000),
        change_from=datetime.date(2027, 9, 1),
    )
    second = prepare_requested_matter(case=active, actor=officer, request=again)
    assert second.matter_id == first.matter_id and not second.created
    matter = Matter.objects.get(pk=second.matter_id)
    assert matter.follow_up_development == "Två nya orter."
    assert matter.amount_change == Decimal(-20000)
    assert "minskas med 20 000 kronor per helår" in points(matter)[1]
    assert "1 september 2027" in points(matter)[1]
    assert Matter.objects.filter(case=active).count() == 1


def test_a_final_matter_of_the_kind_is_not_changed(active, officer):
    final = final_matter(active, kind=MatterKind.FOLLOW_UP)
    with pytest.raises(facts.MatterNotPrepared) as refused:
        prepare_requested_matter(case=active, actor=officer, request=follow_up())
    assert len(refused.value.messages) == 1
    final.refresh_from_db()
    assert final.follow_up_development != TEXTS.development


def test_a_second_follow_up_matter_of_the_other_kind_is_refused(active, officer):
    prepare_requested_matter(case=active, actor=officer, request=follow_up())
    request = follow_up(amount_change=Decimal(50000), change_from=datetime.date(2027, 6, 1))
    with pytest.raises(facts.MatterNotPrepared) as refused:
        prepare_requested_matter(case=active, actor=officer, request=request)
    assert refused.value.messages
    assert list(Matter.objects.filter(case=active).values_list("kind", flat=True)) == [
        MatterKind.FOLLOW_UP
    ]


@pytest.mark.parametrize(
    "status", [CaseStatus.CLOSED, CaseStatus.NOTICE_GIVEN, CaseStatus.DRAFTING]
)
def test_a_follow_up_at_a_stage_that_does_not_fit_is_refused_and_nothing_made(officer, status):
    case = CaseFactory(status=status, officer=officer)
    with pytest.raises(facts.MatterNotPrepared) as refused:
        prepare_requested_matter(case=case, actor=officer, request=follow_up())
    assert "kan inte förberedas i skedet" in refused.value.messages[0]
    assert not Matter.objects.filter(case=case).exists()


def test_an_open_draft_is_not_filled_in_once_the_stage_no_longer_fits(active, officer):
    prepare_requested_matter(case=active, actor=officer, request=follow_up())
    type(active).objects.filter(pk=active.pk).update(status=CaseStatus.CLOSED)
    with pytest.raises(facts.MatterNotPrepared):
        prepare_requested_matter(case=active, actor=officer, request=follow_up())


def test_only_someone_who_may_change_the_case_asks(active):
    for role in (Role.AUDITOR, Role.SECRETARY, Role.CASE_OFFICER):
        with pytest.raises(TransitionForbidden):
            prepare_requested_matter(case=active, actor=UserFactory(role=role), request=follow_up())
    assert not Matter.objects.exists()


def test_the_ending_matter_has_the_end_date_and_follows_a_new_one(officer):
    case = CaseFactory(status=CaseStatus.NOTICE_GIVEN, officer=officer)
    request = facts.MatterRequest(kind="ending", end_date=datetime.date(2026, 9, 15))
    prepared = prepare_requested_matter(case=case, actor=officer, request=request)
    matter = Matter.objects.get(pk=prepared.matter_id)
    assert matter.kind == MatterKind.ENDING and matter.end_date == datetime.date(2026, 9, 15)
    assert any("15 september 2026" in p for p in points(matter))
    # A hand-edited point stays while the end date does not change …
    matter_update(matter=matter, actor=officer, summary="Föreningen har sagt upp avtalet.")
    same = prepare_requested_matter(case=case, actor=officer, request=request)
    assert same.matter_id == matter.pk and not same.created
    # … and a new end date is carried to the matter and its points.
    later = facts.MatterRequest(kind="ending", end_date=datetime.date(2026, 10, 1))
    prepare_requested_matter(case=case, actor=officer, request=later)
    matter.refresh_from_db()
    assert matter.end_date == datetime.date(2026, 10, 1)
    assert matter.summary == "Föreningen har sagt upp avtalet."
    assert any("1 oktober 2026" in p for p in points(matter))


def test_the_decisions_are_told_as_facts(active):
    decision = decide(active, Outcome.APPROVED, kind=MatterKind.FOLLOW_UP)
    [told] = decision_facts(active)
    assert told.decision_id == decision.pk
    assert told.kind == MatterKind.FOLLOW_UP and told.is_follow_up and not told.is_renegotiation
    assert told.approves
    assert told.decided_on == decision.meeting.date
    assert told.reference.startswith(active.committee.name) and "§" in told.reference
    assert told.url == decision.matter.get_absolute_url()
    assert facts.decision_facts(active) == (told,)
