"""The cadence as a pure function (``followups.schedule``): dates, workdays, and the rules
that make a recomputation neither duplicate nor lose a deadline. No database."""

from __future__ import annotations

import datetime
import random
from dataclasses import replace

import pytest

from followups import schedule
from followups.constants import DeadlineKind, DeadlineState
from followups.schedule import Existing, Inputs, Record

D = datetime.date
CHECK_IN = DeadlineKind.CHECK_IN
EVALUATION = DeadlineKind.ANNUAL_EVALUATION
COMMITTEE = DeadlineKind.COMMITTEE_FOLLOW_UP


def of(planned, kind):
    return [p for p in planned if p.kind == kind]


def rows_after(planned, before: tuple[Existing, ...] = ()) -> tuple[Existing, ...]:
    """The rows ``deadlines_recompute`` keeps after applying ``planned`` (a new cancelled one
    is not created; a row left out of the plan is cancelled if it was open; a waived one
    stays waived)."""
    rows = {(e.kind, e.sequence): e for e in before}
    seen = set()
    for p in planned:
        key = (p.kind.value, p.sequence)
        seen.add(key)
        old = rows.get(key)
        if old is not None and old.state == DeadlineState.WAIVED:
            continue
        if old is None and p.cancelled:
            continue
        state = (
            DeadlineState.DONE
            if p.done
            else DeadlineState.CANCELLED
            if p.cancelled
            else DeadlineState.OPEN
        )
        rows[key] = Existing(
            p.kind.value, p.sequence, p.nominal_on, state, p.done.key[:60] if p.done else ""
        )
    for key, row in list(rows.items()):
        if key not in seen and row.state == DeadlineState.OPEN:
            rows[key] = replace(row, state=DeadlineState.CANCELLED)
    return tuple(sorted(rows.values(), key=lambda e: (e.kind, e.sequence)))


def recompute(inputs: Inputs) -> tuple[list[schedule.Planned], tuple[Existing, ...]]:
    planned = schedule.plan(inputs)
    return planned, rows_after(planned, inputs.existing)


# --- Dates -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D(2025, 8, 31), D(2026, 2, 28)),
        (D(2023, 8, 31), D(2024, 2, 29)),
        (D(2026, 3, 15), D(2026, 9, 15)),
    ],
)
def test_six_months_on_keeps_to_the_end_of_a_short_month(day, expected):
    assert schedule.add_months(day, 6) == expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D(2026, 3, 1), D(2026, 2, 27)),  # Sunday → Friday
        (D(2026, 2, 28), D(2026, 2, 27)),  # Saturday
        (D(2026, 4, 6), D(2026, 4, 2)),  # Easter Monday, Good Friday → Maundy Thursday
        (D(2026, 6, 19), D(2026, 6, 18)),  # Midsummer Eve
        (D(2026, 12, 24), D(2026, 12, 23)),  # Christmas Eve
        (D(2027, 1, 1), D(2026, 12, 30)),  # New Year's Day, New Year's Eve
        (D(2026, 6, 6), D(2026, 6, 5)),  # National Day (a Saturday)
        (D(2028, 3, 1), D(2028, 3, 1)),  # a Wednesday stays
    ],
)
def test_a_due_date_off_work_moves_to_the_workday_before(day, expected):
    assert schedule.workday_on_or_before(day) == expected


# --- The cadence from an activation ------------------------------------------------------------


def test_activation_plans_check_ins_each_half_year_evaluations_yearly_committee_biennially():
    planned = schedule.plan(Inputs(active_since=D(2024, 3, 1), today=D(2024, 3, 1)))
    check_ins = of(planned, CHECK_IN)
    assert [p.nominal_on for p in check_ins] == [
        D(2024, 9, 1),
        D(2025, 3, 1),
        D(2025, 9, 1),
        D(2026, 3, 1),
    ]
    assert [p.due_on for p in check_ins] == [
        D(2024, 8, 30),
        D(2025, 2, 28),
        D(2025, 9, 1),
        D(2026, 2, 27),
    ]
    assert [p.nominal_on for p in of(planned, EVALUATION)] == [D(2025, 3, 1), D(2026, 3, 1)]
    assert [p.due_on for p in of(planned, COMMITTEE)] == [D(2026, 2, 27), D(2028, 3, 1)]
    assert all(p.is_open for p in planned)


def test_the_agreements_check_ins_per_year_set_the_cadence():
    planned = schedule.plan(
        Inputs(active_since=D(2024, 3, 1), today=D(2024, 3, 1), checkins_per_year=3)
    )
    nominal = [p.nominal_on for p in of(planned, CHECK_IN)]
    assert nominal[:3] == [D(2024, 7, 1), D(2024, 11, 1), D(2025, 3, 1)]


def test_a_fixed_term_gives_time_to_renegotiate_before_it_ends():
    planned = schedule.plan(
        Inputs(
            active_since=D(2024, 3, 1),
            today=D(2028, 3, 1),
            term_kind="fixed",
            term_years=5,
            term_start=D(2024, 4, 1),
            renegotiation_lead_months=6,
        )
    )
    [term] = of(planned, DeadlineKind.TERM_END)
    assert term.nominal_on == D(2028, 10, 1)
    assert term.due_on == D(2028, 9, 29)


def test_revision_points_until_further_notice_each_interval_with_the_lead():
    planned = schedule.plan(
        Inputs(
            active_since=D(2024, 3, 1),
            today=D(2024, 3, 1),
            term_kind="until_further_notice",
            revision_interval_years=2,
            renegotiation_lead_months=6,
            horizon_months=48,
        )
    )
    assert [p.nominal_on for p in of(planned, DeadlineKind.REVISION)] == [
        D(2025, 9, 1),
        D(2027, 9, 1),
    ]


def test_notice_plans_the_end_and_the_wind_down_plan_and_cancels_what_comes_after():
    planned = schedule.plan(
        Inputs(
            active_since=D(2024, 3, 1),
            today=D(2026, 3, 15),
            notice_on=D(2026, 3, 15),
            end_date=D(2026, 9, 15),
            term_kind="fixed",
            term_years=5,
        )
    )
    [end] = of(planned, DeadlineKind.PARTNERSHIP_END)
    [wind_down] = of(planned, DeadlineKind.WIND_DOWN_PLAN)
    assert end.due_on == D(2026, 9, 15)
    assert wind_down.nominal_on == D(2026, 6, 15)
    assert {p.cancelled for p in planned if p.nominal_on > D(2026, 9, 15)} == {"after_end"}
    assert [p.cancelled for p in of(planned, DeadlineKind.TERM_END)] == ["after_end"]


# --- Records close deadlines ----------------------------------------------------------------


def test_a_late_check_in_closes_the_overdue_one_not_the_next():
    held = Record(on=D(2024, 10, 15), key="checkin:1", note="")
    planned = schedule.plan(
        Inputs(active_since=D(2024, 3, 1), today=D(2024, 10, 20), check_ins=(held,))
    )
    first, second, *_ = of(planned, CHECK_IN)
    assert (first.nominal_on, first.done) == (D(2024, 9, 1), held)
    assert second.done is None


def test_a_check_in_years_late_does_not_close_a_deadline_of_years_ago():
    today = D(2026, 1, 20)
    old = (Existing("check_in", 6, D(2022, 7, 1), DeadlineState.OPEN),)
    held = Record(on=D(2026, 1, 15), key="checkin:1", note="")
    planned = schedule.plan(
        Inputs(active_since=D(2022, 1, 1), today=today, check_ins=(held,), existing=old)
    )
    check_ins = of(planned, CHECK_IN)
    assert check_ins[0].nominal_on == D(2022, 7, 1)
    assert check_ins[0].done is None
    assert not [p for p in check_ins if p.done and p.nominal_on < D(2025, 7, 1)]


def test_a_follow_up_decision_closes_the_due_one_and_the_next_counts_two_years_from_it():
    decision = Record(on=D(2026, 2, 10), key="decision:7", note="HSN 10 februari 2026 § 12")
    planned = schedule.plan(
        Inputs(active_since=D(2024, 3, 1), today=D(2026, 2, 11), follow_up_decisions=(decision,))
    )
    first, second, third = of(planned, COMMITTEE)
    assert (first.due_on, first.done) == (D(2026, 2, 27), decision)
    assert (second.nominal_on, second.done) == (D(2028, 2, 10), None)
    assert third.nominal_on == D(2030, 2, 10)


def test_a_waived_committee_follow_up_moves_the_next_one_on_from_its_date():
    waived = (Existing("committee_follow_up", 1, D(2026, 3, 1), DeadlineState.WAIVED),)
    planned = schedule.plan(
        Inputs(active_since=D(2024, 3, 1), today=D(2026, 4, 1), existing=waived)
    )
    first, second, _third = of(planned, COMMITTEE)
    assert first.waived
    assert (second.nominal_on, second.is_open) == (D(2028, 3, 1), True)


# --- Partnerships active before the system ----------------------------------------------------


def test_an_import_without_history_gets_the_latest_missed_not_years_of_backlog():
    planned = schedule.plan(Inputs(active_since=D(2022, 3, 1), today=D(2026, 1, 15)))
    check_ins = of(planned, CHECK_IN)
    past = [p for p in check_ins if p.nominal_on < D(2026, 1, 15)]
    assert [p.nominal_on for p in past] == [D(2025, 9, 1)]
    [first, *_] = of(planned, COMMITTEE)
    assert (first.due_on, first.is_open) == (D(2024, 3, 1), True)


def test_an_import_with_an_earlier_check_in_counts_from_it():
    earlier = Record(on=D(2025, 10, 1), key="earlier:1", note="Minnesanteckningar")
    planned = schedule.plan(
        Inputs(active_since=D(2022, 3, 1), today=D(2026, 1, 15), check_ins=(earlier,))
    )
    past = [p for p in of(planned, CHECK_IN) if p.nominal_on < D(2026, 1, 15)]
    assert [(p.nominal_on, p.done) for p in past] == [(D(2025, 9, 1), earlier)]


# --- Recomputation: no duplicates, nothing lost, nothing changes twice ------------------------


def test_changing_the_cadence_keeps_the_past_and_plans_four_a_year_from_today():
    start = Inputs(active_since=D(2024, 3, 1), today=D(2024, 3, 1))
    _planned, rows = recompute(start)
    held = Record(on=D(2024, 8, 20), key="checkin:1", note="")
    later = replace(start, today=D(2024, 10, 1), check_ins=(held,), existing=rows)
    _planned, rows = recompute(later)
    four = replace(later, checkins_per_year=4, existing=rows)
    planned, rows = recompute(four)

    keys = [(p.kind, p.sequence) for p in planned]
    assert len(keys) == len(set(keys))
    live = [e for e in rows if e.kind == "check_in" and e.state != DeadlineState.CANCELLED]
    assert [e.nominal_on for e in live][:5] == [
        D(2024, 9, 1),
        D(2024, 12, 1),
        D(2025, 3, 1),
        D(2025, 6, 1),
        D(2025, 9, 1),
    ]
    assert live[0].state == DeadlineState.DONE
    assert len({e.nominal_on for e in live}) == len(live)


def _random_inputs(rng: random.Random) -> Inputs:
    since = D(2021, 1, 1) + datetime.timedelta(days=rng.randrange(0, 1500))
    today = since + datetime.timedelta(days=rng.randrange(0, 2000))

    def records(prefix: str, n: int) -> tuple[Record, ...]:
        days = (today - since).days
        return tuple(
            Record(
                on=since + datetime.timedelta(days=rng.randrange(0, days + 1)),
                key=f"{prefix}:{i}",
                note="",
            )
            for i in range(n)
        )

    notice = None
    end = None
    if rng.random() < 0.3:
        notice = since + datetime.timedelta(days=rng.randrange(0, (today - since).days + 1))
        end = schedule.add_months(notice, 6)
    return Inputs(
        active_since=since,
        today=today,
        checkins_per_year=rng.choice([2, 3, 4, 5, 12]),
        term_kind=rng.choice(["", "fixed", "until_further_notice"]),
        term_years=rng.choice([None, 3, 5]),
        revision_interval_years=rng.choice([None, 1, 2]),
        follow_up_decisions=records("decision", rng.randrange(0, 3)),
        check_ins=records("checkin", rng.randrange(0, 8)),
        evaluations=records("evaluation", rng.randrange(0, 4)),
        notice_on=notice,
        end_date=end,
    )


def test_recomputing_with_nothing_new_changes_nothing_and_later_loses_nothing():
    """400 random partnerships: planned, then planned again from their rows (nothing changes),
    then days later with another cadence (one row per key, no row and nothing done lost)."""
    for seed in range(400):
        try:
            _check_recomputation(seed)
        except AssertionError as failed:
            raise AssertionError(f"seed {seed}: {failed}") from failed


def _check_recomputation(seed: int) -> None:
    rng = random.Random(seed)
    inputs = _random_inputs(rng)
    first, rows = recompute(inputs)
    again, rows_again = recompute(replace(inputs, existing=rows))
    assert rows_again == rows

    def live(planned):
        return [(p.kind, p.sequence, p.nominal_on, p.done) for p in planned if not p.cancelled]

    assert live(again) == live(first)
    # Days later, and after the cadence changes: still one row per key, none lost.
    later = replace(
        inputs,
        today=inputs.today + datetime.timedelta(days=rng.randrange(1, 400)),
        checkins_per_year=rng.choice([2, 4, 6]),
        existing=rows,
    )
    planned, rows_later = recompute(later)
    keys = [(p.kind, p.sequence) for p in planned]
    assert len(keys) == len(set(keys))
    assert {(e.kind, e.sequence) for e in rows} <= {(e.kind, e.sequence) for e in rows_later}
    done_before = {(e.kind, e.sequence) for e in rows if e.state == DeadlineState.DONE}
    done_after = {(e.kind, e.sequence) for e in rows_later if e.state == DeadlineState.DONE}
    assert done_before <= done_after
    # A user waives some open ones: they stay waived, and planning settles at once.
    waived = tuple(
        replace(e, state=DeadlineState.WAIVED)
        if e.state == DeadlineState.OPEN and rng.random() < 0.2
        else e
        for e in rows_later
    )
    _planned, settled = recompute(replace(later, existing=waived))
    _planned, again = recompute(replace(later, existing=settled))
    assert again == settled
    assert {(e.kind, e.sequence) for e in waived if e.state == DeadlineState.WAIVED} <= {
        (e.kind, e.sequence) for e in settled if e.state == DeadlineState.WAIVED
    }
