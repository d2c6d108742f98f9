"""The follow-up cadence as a pure function: given what is known of a case (when it became
active, its agreement's terms, the committee's decisions, the notice, what was recorded, the
deadlines it has already), the deadlines it has. ``followups.services.deadlines`` turns the
plan into rows.

Dates: ``dateutil.relativedelta`` (31 August + 6 months is 28/29 February), and a date that
falls on a weekend, a Swedish public holiday (``holidays``) or one of the eves Swedish
offices close (Midsummer Eve, Christmas Eve, New Year's Eve) moves to the workday before.

Rules the plan keeps, so that a recomputation never duplicates nor loses a deadline:

- Every deadline has a stable key, (kind, sequence). A check-in's sequence is its distance
  in months from the activation (6, 12, 18 … for two a year; 3, 6, 9, 12 … for four), so a
  date keeps its key whatever the cadence; the others count 1, 2, 3 ….
- What has passed stays as it was: a check-in or evaluation deadline due before today (or
  already done or waived) keeps its date when the action plan's cadence changes; the new
  cadence plans from today on.
- A record closes the earliest open deadline of its own period or of the period just before
  (a check-in a month late closes the overdue one, not the next; one three years late does
  not close a deadline of three years ago), and a deadline once done stays done by its
  record as long as the record exists.
- A partnership planned for the first time long after its activation (it was active before
  the system) gets the deadlines its history closed, and of those missed since its last
  recorded follow-up only the latest — not years of backlog.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from functools import lru_cache

import holidays
from dateutil.relativedelta import relativedelta

from .constants import DeadlineKind, DeadlineState

COMMITTEE_FOLLOW_UP_YEARS = 2
# How many of the committee's follow-ups are planned ahead of the last one decided.
COMMITTEE_FOLLOW_UPS_AHEAD = 2
# A check-in's sequence is its month offset: at most one a month keeps the keys distinct.
MAX_CHECKINS_PER_YEAR = 12
# A decision closes the end of a fixed term when made in the year before it is due.
TERM_END_WINDOW_MONTHS = 12


@lru_cache(maxsize=64)
def _closed_days(year: int) -> frozenset[datetime.date]:
    days = set(holidays.Sweden(years=year, include_sundays=False))
    midsummer_day = next(
        d for d, name in holidays.Sweden(years=year).items() if "Midsummer" in name
    )
    days.add(midsummer_day - datetime.timedelta(days=1))
    days.add(datetime.date(year, 12, 24))
    days.add(datetime.date(year, 12, 31))
    return frozenset(days)


def is_workday(day: datetime.date) -> bool:
    return day.weekday() < 5 and day not in _closed_days(day.year)


def workday_on_or_before(day: datetime.date) -> datetime.date:
    while not is_workday(day):
        day -= datetime.timedelta(days=1)
    return day


def add_months(day: datetime.date, months: int) -> datetime.date:
    return day + relativedelta(months=months)


@dataclass(frozen=True)
class Record:
    """Something recorded that closes a deadline: its date, a key ("checkin:12"), how users
    read it and where it is."""

    on: datetime.date
    key: str
    note: str
    url: str = ""


@dataclass(frozen=True)
class Existing:
    """A deadline row the case has already: its key, date by the cadence and state."""

    kind: str
    sequence: int
    nominal_on: datetime.date
    state: str
    done_record: str = ""


@dataclass(frozen=True)
class Inputs:
    active_since: datetime.date
    today: datetime.date
    checkins_per_year: int = 2
    term_kind: str = ""
    term_years: int | None = None
    revision_interval_years: int | None = None
    # The agreement's start date: the term and the revision points count from it (the
    # activation when the agreement has none).
    term_start: datetime.date | None = None
    # The committee's approved decisions: follow-ups (and follow-up + renegotiation), and
    # those that renegotiate.
    follow_up_decisions: tuple[Record, ...] = ()
    renegotiation_decisions: tuple[Record, ...] = ()
    check_ins: tuple[Record, ...] = ()
    evaluations: tuple[Record, ...] = ()
    notice_on: datetime.date | None = None
    end_date: datetime.date | None = None
    wind_down_plan: Record | None = None
    closed: Record | None = None
    horizon_months: int = 24
    renegotiation_lead_months: int = 6
    wind_down_plan_months_before_end: int = 3
    existing: tuple[Existing, ...] = ()

    def existing_of(self, kind: DeadlineKind) -> list[Existing]:
        return [e for e in self.existing if e.kind == kind.value]


@dataclass(frozen=True)
class Planned:
    kind: DeadlineKind
    sequence: int
    nominal_on: datetime.date
    window_start: datetime.date
    done: Record | None = None
    cancelled: str = ""
    # Waived by a user: kept as it is, and no record is spent on it.
    waived: bool = False

    @property
    def due_on(self) -> datetime.date:
        return workday_on_or_before(self.nominal_on)

    @property
    def is_open(self) -> bool:
        return self.done is None and not self.cancelled and not self.waived


def _match(planned: list[Planned], records: Iterable[Record]) -> list[Planned]:
    """Each record (oldest first) closes the earliest open deadline whose period had begun
    when it was made."""
    result = list(planned)
    for record in _unique(records):
        for i, p in enumerate(result):
            if p.is_open and p.window_start <= record.on:
                result[i] = replace(p, done=record)
                break
    return result


def _match_bounded(
    planned: list[Planned], records: Iterable[Record], period_months: int
) -> list[Planned]:
    """For a cadence (``planned`` in date order, each window starting at the one before):
    each record (oldest first) closes the earliest open deadline of its own period or of the
    period just before it — never one more than a period (``period_months``) past due."""
    result = list(planned)
    for record in _unique(records):
        for i, p in enumerate(result):
            following = add_months(p.nominal_on, period_months)
            if i + 1 < len(result):
                following = min(following, result[i + 1].nominal_on)
            if p.is_open and p.window_start <= record.on < following:
                result[i] = replace(p, done=record)
                break
    return result


def _unique(records: Iterable[Record]) -> list[Record]:
    seen: dict[str, Record] = {}
    for record in records:
        seen.setdefault(record.key, record)
    return sorted(seen.values(), key=lambda r: (r.on, r.key))


def _cadence(
    inputs: Inputs, kind: DeadlineKind, per_year: int
) -> Iterator[tuple[int, datetime.date]]:
    """(sequence, date) of the cadence from the activation up to the horizon."""
    horizon = add_months(inputs.today, inputs.horizon_months)
    step = 1
    while True:
        if kind == DeadlineKind.CHECK_IN:
            year, index = divmod(step - 1, per_year)
            months = 12 * year + (index + 1) * 12 // per_year
        else:
            months = 12 * step
        nominal = add_months(inputs.active_since, months)
        if nominal > horizon:
            return
        yield (months if kind == DeadlineKind.CHECK_IN else step), nominal
        step += 1


def _chain(
    inputs: Inputs,
    items: list[Planned],
    records: tuple[Record, ...],
    period_months: int,
    kept_done: dict[int, Record] | None = None,
) -> list[Planned]:
    """Order ``items`` by date, start each one's period at the one before (at most a period
    back), and match the records. ``kept_done``: deadlines (by sequence) that stay done by
    the record that closed them, as long as it exists."""
    kept_done = kept_done or {}
    items = sorted(items, key=lambda p: (p.nominal_on, p.sequence))
    chained = []
    previous = inputs.active_since
    for p in items:
        start = max(previous, add_months(p.nominal_on, -period_months))
        chained.append(replace(p, window_start=start, done=kept_done.get(p.sequence)))
        previous = p.nominal_on
    spent = {r.key for r in kept_done.values()}
    return _match_bounded(chained, [r for r in records if r.key not in spent], period_months)


def _planned_from_activation(inputs: Inputs, kind: DeadlineKind, row: Existing) -> bool:
    """Whether ``row`` falls on the cadence of the current activation (a check-in's sequence
    is its month offset, an evaluation's its year)."""
    months = row.sequence if kind == DeadlineKind.CHECK_IN else 12 * row.sequence
    return add_months(inputs.active_since, months) == row.nominal_on


def _rolling(
    inputs: Inputs, kind: DeadlineKind, per_year: int, records: tuple[Record, ...]
) -> list[Planned]:
    per_year = min(max(per_year, 1), MAX_CHECKINS_PER_YEAR)
    period = -(-12 // per_year)
    today = inputs.today
    # Rows planned from another activation date count as not planned (a step's receivers plan
    # before the demo dates the step back; a case activated again): their keys are reused.
    existing = [
        e
        for e in inputs.existing_of(kind)
        if e.state in (DeadlineState.DONE, DeadlineState.WAIVED)
        or _planned_from_activation(inputs, kind, e)
    ]
    cadence = [Planned(kind, s, n, n) for s, n in _cadence(inputs, kind, per_year)]
    if existing:
        # The past (and what is done or waived) stays as planned; the cadence plans from today.
        kept = {
            e.sequence: Planned(
                kind, e.sequence, e.nominal_on, e.nominal_on, waived=e.state == DeadlineState.WAIVED
            )
            for e in existing
            if e.state != DeadlineState.CANCELLED
            and (e.nominal_on < today or e.state in (DeadlineState.DONE, DeadlineState.WAIVED))
        }
        future = [p for p in cadence if p.nominal_on >= today and p.sequence not in kept]
        by_key = {r.key: r for r in records}
        kept_done = {
            e.sequence: by_key[e.done_record]
            for e in existing
            if e.sequence in kept and e.state == DeadlineState.DONE and e.done_record in by_key
        }
        return _chain(inputs, [*kept.values(), *future], records, period, kept_done)
    # Planned for the first time: keep what the history closed, and of the deadlines missed
    # since the last of those only the latest.
    first = _chain(inputs, cadence, records, period)
    past = [p for p in first if p.nominal_on < today]
    last_done = max((p.nominal_on for p in past if p.done), default=None)
    missed = [p for p in past if p.done is None and (last_done is None or p.nominal_on > last_done)]
    keep = {id(p) for p in first if p.done or p.nominal_on >= today} | {id(p) for p in missed[-1:]}
    return _chain(inputs, [p for p in first if id(p) in keep], records, period)


def _committee(inputs: Inputs) -> list[Planned]:
    """Two years after the activation, then two years after each approved follow-up
    decision (a waived one counts from its own date); two planned ahead of the last."""
    kind = DeadlineKind.COMMITTEE_FOLLOW_UP
    waived = {
        e.sequence: e.nominal_on
        for e in inputs.existing_of(kind)
        if e.state == DeadlineState.WAIVED
    }
    pending = _unique(inputs.follow_up_decisions)
    result: list[Planned] = []
    anchor = inputs.active_since
    sequence = 1
    ahead = 0
    while pending or ahead < COMMITTEE_FOLLOW_UPS_AHEAD:
        nominal = anchor + relativedelta(years=COMMITTEE_FOLLOW_UP_YEARS)
        if sequence in waived:
            result.append(Planned(kind, sequence, nominal, anchor, waived=True))
            anchor = waived[sequence]
        elif pending:
            decision = pending.pop(0)
            result.append(Planned(kind, sequence, nominal, anchor, done=decision))
            anchor = decision.on
        else:
            result.append(Planned(kind, sequence, nominal, anchor))
            anchor = nominal
            ahead += 1
        sequence += 1
    return result


def _term(inputs: Inputs) -> list[Planned]:
    lead = inputs.renegotiation_lead_months
    start = inputs.term_start or inputs.active_since
    if inputs.term_kind == "fixed" and inputs.term_years:
        end = start + relativedelta(years=inputs.term_years)
        nominal = add_months(end, -lead)
        window = max(add_months(nominal, -TERM_END_WINDOW_MONTHS), inputs.active_since)
        planned = [Planned(DeadlineKind.TERM_END, 1, nominal, window)]
        return _match(planned, inputs.renegotiation_decisions)
    interval = inputs.revision_interval_years
    if inputs.term_kind != "until_further_notice" or not interval:
        return []
    horizon = add_months(inputs.today, inputs.horizon_months)
    planned = []
    point = 1
    while True:
        revision_on = start + relativedelta(years=interval * point)
        nominal = add_months(revision_on, -lead)
        if nominal > horizon:
            break
        window = start + relativedelta(years=interval * (point - 1))
        planned.append(Planned(DeadlineKind.REVISION, point, nominal, window))
        point += 1
    planned = _match(planned, inputs.renegotiation_decisions + inputs.follow_up_decisions)
    # A revision point missed is replaced by the next one once that is due too: of the missed
    # points only the latest stays open (the earlier are kept as superseded, never deleted;
    # an IOP planned for the first time gets no backlog of them).
    missed = [p for p in planned if p.is_open and p.nominal_on < inputs.today]
    superseded = {id(p) for p in missed[:-1]}
    return [_cancel(p, "superseded") if id(p) in superseded else p for p in planned]


def _ending(inputs: Inputs) -> list[Planned]:
    if inputs.notice_on is None or inputs.end_date is None:
        return []
    plan_due = max(
        add_months(inputs.end_date, -inputs.wind_down_plan_months_before_end),
        add_months(inputs.notice_on, 1),
    )
    plan_due = min(plan_due, inputs.end_date)
    return [
        Planned(DeadlineKind.WIND_DOWN_PLAN, 1, plan_due, inputs.notice_on, inputs.wind_down_plan),
        Planned(DeadlineKind.PARTNERSHIP_END, 1, inputs.end_date, inputs.notice_on, inputs.closed),
    ]


def _cancel(p: Planned, reason: str) -> Planned:
    return replace(p, cancelled=reason) if p.is_open else p


def plan(inputs: Inputs) -> list[Planned]:
    """Every deadline the case has now, done or open, with what no longer applies marked."""
    planned = [
        *_rolling(inputs, DeadlineKind.CHECK_IN, inputs.checkins_per_year, inputs.check_ins),
        *_rolling(inputs, DeadlineKind.ANNUAL_EVALUATION, 1, inputs.evaluations),
        *_committee(inputs),
        *_term(inputs),
        *_ending(inputs),
    ]
    if inputs.end_date is not None:
        ending = (DeadlineKind.WIND_DOWN_PLAN, DeadlineKind.PARTNERSHIP_END)
        planned = [
            _cancel(p, "after_end")
            if p.kind not in ending and p.nominal_on > inputs.end_date
            else p
            for p in planned
        ]
        # Notice given: revision points and term ends are moot.
        planned = [
            _cancel(p, "notice") if p.kind in (DeadlineKind.REVISION, DeadlineKind.TERM_END) else p
            for p in planned
        ]
    if inputs.closed is not None:
        planned = [_cancel(p, "closed") for p in planned]
    return planned
