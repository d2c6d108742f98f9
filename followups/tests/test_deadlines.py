"""The deadlines of a partnership, derived from the case and recomputed — never duplicated,
never lost — when it becomes active, when its agreement, a decision or its stage changes, and
daily. Time-travel tests: ``time_machine.travel(..., tick=False)``."""

from __future__ import annotations

import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine

from django.core.management import call_command
from django.utils import translation

from agreements import services as agreement_services
from agreements.models import AgreementVersion
from agreements.tests.factories import agreement_at, drafting_case, record_assessment
from decisions.constants import MatterKind, Outcome
from decisions.tests.factories import decide
from iop.constants import CaseEventKind, CaseStatus, NoticeGivenBy, Role, Transition
from iop.models import CaseEvent
from iop.services import case_transition
from iop.tests.factories import UserFactory

from ..constants import DeadlineKind, DeadlineState
from ..models import CheckIn, Deadline
from ..services.deadlines import (
    FollowUpRefused,
    deadline_waive,
    deadlines_recompute,
    earlier_follow_up_record,
    recompute_followed_cases,
)
from .factories import active_case

pytestmark = pytest.mark.django_db

D = datetime.date
TZ = ZoneInfo("Europe/Stockholm")


def at(day: datetime.date):
    """Travel to 10:00 Swedish time on ``day``, the clock standing still."""
    moment = datetime.datetime(day.year, day.month, day.day, 10, 0, tzinfo=TZ)
    return time_machine.travel(moment, tick=False)


def rows(case, kind: DeadlineKind, *, live: bool = True) -> list[Deadline]:
    qs = Deadline.objects.filter(case=case, kind=kind).order_by("nominal_on", "sequence")
    if live:
        qs = qs.exclude(state=DeadlineState.CANCELLED)
    return list(qs)


def history_count() -> int:
    return Deadline.history.count()


def give_notice(case, on: datetime.date):
    return case_transition(
        case=case,
        name=Transition.GIVE_NOTICE,
        actor=case.officer,
        data={"notice_date": on, "notice_given_by": NoticeGivenBy.ORGANISATION},
    )


# --- Activation ------------------------------------------------------------------------------


def test_activation_gives_half_yearly_check_ins_yearly_evaluations_and_biennial_committee():
    with at(D(2024, 3, 1)):
        case = active_case(D(2024, 3, 1))

    check_ins = rows(case, DeadlineKind.CHECK_IN)
    assert [d.due_on for d in check_ins] == [
        D(2024, 8, 30),  # 1 September 2024 is a Sunday
        D(2025, 2, 28),  # 1 March 2025 is a Saturday
        D(2025, 9, 1),
        D(2026, 2, 27),
    ]
    assert [d.nominal_on for d in check_ins] == [
        D(2024, 9, 1),
        D(2025, 3, 1),
        D(2025, 9, 1),
        D(2026, 3, 1),
    ]
    assert [d.nominal_on for d in rows(case, DeadlineKind.ANNUAL_EVALUATION)] == [
        D(2025, 3, 1),
        D(2026, 3, 1),
    ]
    committee = rows(case, DeadlineKind.COMMITTEE_FOLLOW_UP)
    assert [d.due_on for d in committee] == [D(2026, 2, 27), D(2028, 3, 1)]
    assert {d.state for d in Deadline.objects.filter(case=case)} == {DeadlineState.OPEN}
    with at(D(2026, 3, 2)):
        assert committee[0].is_overdue
        assert committee[0].days_overdue() == 3
        assert str(committee[0].display_state) == "Försenad"


def test_the_real_activation_plans_the_deadlines_through_the_receivers():
    with at(D(2026, 12, 1)):
        case = drafting_case()
        agreement_at(case, "signed")
        case.refresh_from_db()
        assert case.status == CaseStatus.ACTIVE
        committee = rows(case, DeadlineKind.COMMITTEE_FOLLOW_UP)
    assert [d.nominal_on for d in committee] == [D(2028, 12, 1), D(2030, 12, 1)]
    assert rows(case, DeadlineKind.CHECK_IN)[0].nominal_on == D(2027, 6, 1)
    # The agreement's fixed five-year term from its start date, with six months to renegotiate.
    [term_end] = rows(case, DeadlineKind.TERM_END)
    assert term_end.nominal_on == D(2031, 7, 1)


# --- Notice ----------------------------------------------------------------------------------


def test_notice_gives_the_end_date_and_the_wind_down_plan_and_cancels_later_deadlines():
    with at(D(2024, 3, 1)):
        case = active_case(D(2024, 3, 1))
    before = {d.pk for d in Deadline.objects.filter(case=case)}
    later = set(
        Deadline.objects.filter(case=case, nominal_on__gt=D(2026, 9, 15)).values_list(
            "pk", flat=True
        )
    )
    assert later
    with at(D(2026, 3, 15)):
        give_notice(case, D(2026, 3, 15))

    [end] = rows(case, DeadlineKind.PARTNERSHIP_END)
    assert (end.nominal_on, end.due_on, end.state) == (
        D(2026, 9, 15),
        D(2026, 9, 15),
        DeadlineState.OPEN,
    )
    [plan] = rows(case, DeadlineKind.WIND_DOWN_PLAN)
    assert (plan.due_on, plan.state) == (D(2026, 6, 15), DeadlineState.OPEN)
    # Nothing deleted; everything after the end no longer applies, with the reason.
    assert before <= {d.pk for d in Deadline.objects.filter(case=case)}
    cancelled = Deadline.objects.filter(pk__in=later)
    assert {d.state for d in cancelled} == {DeadlineState.CANCELLED}
    assert {d.cancelled_reason for d in cancelled} == {"Partnerskapet upphör före detta datum."}
    assert not Deadline.objects.filter(
        case=case, nominal_on__lte=D(2026, 9, 15), state=DeadlineState.CANCELLED
    ).exists()


def test_notice_on_31_august_ends_on_the_last_day_of_february():
    with at(D(2024, 3, 1)):
        case = active_case(D(2024, 3, 1))
    with at(D(2025, 8, 31)):
        give_notice(case, D(2025, 8, 31))
    [end] = rows(case, DeadlineKind.PARTNERSHIP_END)
    assert end.nominal_on == D(2026, 2, 28)
    assert end.due_on == D(2026, 2, 27)  # a Saturday: the Friday before


# --- Decisions -------------------------------------------------------------------------------


def test_an_approved_follow_up_decision_closes_the_due_one_and_moves_the_next_two_years_on():
    with at(D(2024, 3, 1)):
        case = active_case(D(2024, 3, 1))
    with at(D(2026, 2, 10)):
        decision = decide(case, Outcome.APPROVED, kind=MatterKind.FOLLOW_UP)
    assert decision.meeting.date == D(2026, 2, 10)

    first, second, third = rows(case, DeadlineKind.COMMITTEE_FOLLOW_UP)
    assert first.state == DeadlineState.DONE
    assert (first.done_on, first.done_record) == (D(2026, 2, 10), f"decision:{decision.pk}")
    assert "10 februari 2026" in first.done_note
    assert first.done_url == decision.matter.get_absolute_url()
    assert (second.nominal_on, second.due_on, second.state) == (
        D(2028, 2, 10),
        D(2028, 2, 10),
        DeadlineState.OPEN,
    )
    assert third.nominal_on == D(2030, 2, 10)
    # The row that was due in 2028-03 moved; no second row for it.
    assert Deadline.objects.filter(case=case, kind=DeadlineKind.COMMITTEE_FOLLOW_UP).count() == 3


def test_a_rejected_follow_up_decision_closes_nothing():
    with at(D(2024, 3, 1)):
        case = active_case(D(2024, 3, 1))
    with at(D(2026, 2, 10)):
        decide(case, Outcome.REJECTED, kind=MatterKind.FOLLOW_UP)
    first, second = rows(case, DeadlineKind.COMMITTEE_FOLLOW_UP)
    assert (first.state, second.nominal_on) == (DeadlineState.OPEN, D(2028, 3, 1))


def test_renegotiating_from_two_to_four_check_ins_a_year_recomputes_without_duplicates():
    with at(D(2026, 12, 1)):
        case = drafting_case()
        signed = agreement_at(case, "signed")
        assert signed.checkins_per_year == 2
    assert [d.nominal_on for d in rows(case, DeadlineKind.CHECK_IN)][:3] == [
        D(2027, 6, 1),
        D(2027, 12, 1),
        D(2028, 6, 1),
    ]
    secretary = UserFactory(role=Role.SECRETARY)
    jurist = UserFactory(role=Role.JURIST)
    with at(D(2027, 7, 15)):
        decide(case, Outcome.APPROVED, kind=MatterKind.RENEGOTIATION, secretary=secretary)
        draft = agreement_services.start_revision(case=case, actor=case.officer)
        agreement_services.version_update(
            version=draft,
            data={"checkins_per_year": 4},
            revision=draft.revision,
            actor=case.officer,
        )
        agreement_services.submit_draft(case=case, actor=case.officer)
        record_assessment(AgreementVersion.objects.get(pk=draft.pk), jurist)
        agreement_services.approve_version(case=case, actor=jurist)
        for party in AgreementVersion.objects.get(pk=draft.pk).parties.order_by("order", "pk"):
            agreement_services.record_signature(
                party=party, actor=case.officer, signed_on=D(2027, 7, 15), method="paper"
            )
        case.refresh_from_db()
        assert case.status == CaseStatus.ACTIVE
        assert CaseEvent.objects.filter(
            case=case, transition=Transition.COMPLETE_RENEGOTIATION.value
        ).exists()

    check_ins = rows(case, DeadlineKind.CHECK_IN)
    nominal = [d.nominal_on for d in check_ins]
    assert len(nominal) == len(set(nominal))
    assert nominal[:6] == [
        D(2027, 6, 1),  # passed before the change: kept as it was
        D(2027, 9, 1),
        D(2027, 12, 1),
        D(2028, 3, 1),
        D(2028, 6, 1),
        D(2028, 9, 1),
    ]
    # Exactly four a year from the change on, and one row per date.
    second_year = [n for n in nominal if D(2027, 12, 1) < n <= D(2028, 12, 1)]
    assert len(second_year) == 4
    keys = list(Deadline.objects.filter(case=case).values_list("kind", "sequence"))
    assert len(keys) == len(set(keys))
    assert not Deadline.objects.filter(case=case, state=DeadlineState.CANCELLED).exists()


# --- Waiving ---------------------------------------------------------------------------------


def test_waiving_without_a_reason_is_refused_in_swedish_and_nothing_is_saved():
    with at(D(2024, 3, 1)):
        case = active_case(D(2024, 3, 1))
    deadline = rows(case, DeadlineKind.CHECK_IN)[0]
    history, events = history_count(), CaseEvent.objects.filter(case=case).count()
    with at(D(2024, 9, 5)), translation.override("sv"), pytest.raises(FollowUpRefused) as refused:
        deadline_waive(deadline=deadline, actor=case.officer, reason="   ")
    assert refused.value.errors == {"reason": ["Ange varför tidpunkten stryks."]}
    deadline.refresh_from_db()
    assert (deadline.state, deadline.waived_reason, deadline.waived_by) == (
        DeadlineState.OPEN,
        "",
        None,
    )
    assert history_count() == history
    assert CaseEvent.objects.filter(case=case).count() == events


def test_waiving_with_a_reason_keeps_who_and_why_in_the_history_and_the_timeline():
    with at(D(2024, 3, 1)):
        case = active_case(D(2024, 3, 1))
    deadline = rows(case, DeadlineKind.CHECK_IN)[0]
    with at(D(2024, 9, 5)):
        waived = deadline_waive(
            deadline=deadline, actor=case.officer, reason="Parterna möttes på årsstämman."
        )
        deadlines_recompute(case)
    assert (waived.state, waived.waived_by, waived.waived_reason) == (
        DeadlineState.WAIVED,
        case.officer,
        "Parterna möttes på årsstämman.",
    )
    assert Deadline.objects.get(pk=deadline.pk).state == DeadlineState.WAIVED
    assert waived.history.latest("history_id").history_user == case.officer
    assert CaseEvent.objects.filter(
        case=case, kind=CaseEventKind.FOLLOW_UP, note__contains="Parterna möttes"
    ).exists()


def test_someone_not_handling_the_case_may_not_waive(make_user):
    with at(D(2024, 3, 1)):
        case = active_case(D(2024, 3, 1))
    deadline = rows(case, DeadlineKind.CHECK_IN)[0]
    with pytest.raises(Exception) as refused:
        deadline_waive(deadline=deadline, actor=make_user(Role.AUDITOR), reason="Skäl")
    assert not isinstance(refused.value, AssertionError)
    assert Deadline.objects.get(pk=deadline.pk).state == DeadlineState.OPEN


# --- Recomputation ---------------------------------------------------------------------------


def test_recomputing_twice_changes_nothing():
    with at(D(2024, 3, 1)):
        case = active_case(D(2024, 3, 1))
    with at(D(2025, 4, 1)):
        decide(case, Outcome.APPROVED, kind=MatterKind.FOLLOW_UP)
        CheckIn.objects.create(case=case, held_on=D(2024, 8, 20), created_by=case.officer)
        deadlines_recompute(case)
        assert rows(case, DeadlineKind.CHECK_IN)[0].done_note.startswith("Avstämningsmöte")
        state = list(Deadline.objects.filter(case=case).values().order_by("pk"))
        history = history_count()
        deadlines_recompute(case)
        # Whoever's request runs it, in whatever language: the stored texts stay.
        with translation.override("en"):
            deadlines_recompute(case)
    assert history_count() == history
    assert list(Deadline.objects.filter(case=case).values().order_by("pk")) == state


def test_the_daily_recomputation_extends_the_horizon_of_every_followed_case_only():
    with at(D(2024, 3, 1)):
        followed = [active_case(D(2024, 3, 1)) for _ in range(3)]
        drafting = drafting_case()
    last = max(d.nominal_on for d in rows(followed[0], DeadlineKind.CHECK_IN))
    assert last == D(2026, 3, 1)
    with at(D(2025, 3, 2)):
        assert recompute_followed_cases(batch_size=2) == 3
        history = history_count()
        assert recompute_followed_cases(batch_size=2) == 3
        assert history_count() == history
    for case in followed:
        check_ins = rows(case, DeadlineKind.CHECK_IN)
        assert max(d.nominal_on for d in check_ins) == D(2027, 3, 1)
        assert len(check_ins) == len({d.nominal_on for d in check_ins}) == 6
    assert not Deadline.objects.filter(case=drafting).exists()


def test_one_case_failing_neither_stops_nor_undoes_the_others(monkeypatch, caplog):
    from ..services import deadlines as service

    with at(D(2024, 3, 1)):
        cases = [active_case(D(2024, 3, 1)) for _ in range(3)]
    real = service.deadlines_recompute

    def failing_for_the_second(case, **kwargs):
        if case == cases[1].pk:
            raise RuntimeError("broken")
        return real(case, **kwargs)

    monkeypatch.setattr(service, "deadlines_recompute", failing_for_the_second)
    with at(D(2025, 3, 2)):
        assert recompute_followed_cases(batch_size=1) == 2
    assert f"case {cases[1].pk}" in caplog.text
    latest = [max(d.nominal_on for d in rows(c, DeadlineKind.CHECK_IN)) for c in cases]
    assert latest == [D(2027, 3, 1), D(2026, 3, 1), D(2027, 3, 1)]


# --- Partnerships active before the system ---------------------------------------------------


def test_an_imported_iop_counts_from_its_earlier_committee_follow_up():
    with at(D(2026, 1, 15)):
        case = active_case(D(2022, 5, 2))
        earlier = earlier_follow_up_record(
            case=case,
            actor=case.officer,
            kind=DeadlineKind.COMMITTEE_FOLLOW_UP,
            done_on=D(2024, 5, 14),
            reference="HSN 14 maj 2024 § 52",
        )
    first, second, third = rows(case, DeadlineKind.COMMITTEE_FOLLOW_UP)
    assert first.state == DeadlineState.DONE
    assert (first.done_record, first.done_note) == (f"earlier:{earlier.pk}", "HSN 14 maj 2024 § 52")
    assert (second.nominal_on, second.due_on, second.state) == (
        D(2026, 5, 14),
        D(2026, 5, 13),  # Ascension Day: the Wednesday before
        DeadlineState.OPEN,
    )
    assert third.nominal_on == D(2028, 5, 14)
    assert earlier.history.latest("history_id").history_user == case.officer


def test_an_imported_iop_without_a_committee_follow_up_shows_it_overdue_since_2024():
    with at(D(2026, 1, 15)):
        case = active_case(D(2022, 5, 2))
        first, second = rows(case, DeadlineKind.COMMITTEE_FOLLOW_UP)
        assert (first.due_on, first.state) == (D(2024, 5, 2), DeadlineState.OPEN)
        assert first.is_overdue
        assert first.days_overdue() == (D(2026, 1, 15) - D(2024, 5, 2)).days
        assert second.nominal_on == D(2026, 5, 2)
        # Of the check-ins missed since 2022 only the latest is planned, not years of backlog.
        overdue = [d for d in rows(case, DeadlineKind.CHECK_IN) if d.is_overdue]
        assert [d.nominal_on for d in overdue] == [D(2025, 11, 2)]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("done_on", D(2026, 1, 16), "Datumet för uppföljningen kan inte ligga i framtiden."),
        ("done_on", D(2022, 5, 1), "Datumet ligger före partnerskapets start (2022-05-02)."),
        (
            "reference",
            "  ",
            "Ange var uppföljningen finns dokumenterad, t.ex. protokollsparagrafen.",
        ),
    ],
)
def test_an_earlier_follow_up_with_bad_input_is_refused_and_nothing_saved(field, value, message):
    with at(D(2026, 1, 15)):
        case = active_case(D(2022, 5, 2))
        history = history_count()
        values = {
            "kind": DeadlineKind.COMMITTEE_FOLLOW_UP,
            "done_on": D(2024, 5, 14),
            "reference": "HSN 14 maj 2024 § 52",
            field: value,
        }
        with translation.override("sv"), pytest.raises(FollowUpRefused) as refused:
            earlier_follow_up_record(case=case, actor=case.officer, **values)
    assert refused.value.errors == {field: [message]}
    assert not case.earlier_follow_ups.exists()
    assert history_count() == history


def test_the_backfill_command_plans_the_imported_iops_and_says_how_many():
    with at(D(2026, 1, 15)):
        imported = [active_case(D(2022, 5, 2)) for _ in range(2)]
        Deadline.objects.filter(case__in=imported).delete()
        out = StringIO()
        call_command("followups_backfill", "--batch-size", "1", stdout=out)
    assert out.getvalue().strip() == "Planned the follow-up deadlines of 2 followed cases."
    for case in imported:
        assert rows(case, DeadlineKind.COMMITTEE_FOLLOW_UP)[0].due_on == D(2024, 5, 2)
