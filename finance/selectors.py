"""What finance's screens read, as plain data, in a fixed number of queries whatever the number
of cases: the year's payment plan of every IOP (``year_plan``), one case's plan year by year
(``case_plan``) and what is overdue or held for the start page (``overdue``).

A planned period comes from the rule (``plan.periods_of_year``) on the case's amount timeline
(``timelines.timelines``, four queries for any number of cases), at the party's frequency
(``frequency_of``). What was paid in a period is the sum of its payments that no later row
corrects (``correction__isnull=True``).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, Q
from django.utils import timezone

from agreements.models import AgreementVersion
from iop.models import Case, PublicBody
from partners.models import Organisation

from .constants import DEFAULT_FREQUENCY, Frequency
from .models import Payment, PaymentDefaults, PaymentHold, PaymentTerms
from .plan import PlannedPeriod, Timeline, periods_of_year
from .timelines import timelines


class Status:
    """The states of a planned period the plan filters on (``PlanRow.status``)."""

    PAID = "paid"
    HELD = "held"
    OVERDUE = "overdue"
    UNPAID = "unpaid"

    ALL = (PAID, HELD, OVERDUE, UNPAID)


def frequency_of(case: Case, body: PublicBody) -> str:
    """How often ``body`` pays ``case``: the case's terms, else the body's default, else
    ``DEFAULT_FREQUENCY`` (two queries at most; lists use the bulk reads below)."""
    terms = PaymentTerms.objects.filter(case=case, public_body=body).first()
    if terms is not None:
        return terms.frequency
    defaults = PaymentDefaults.objects.filter(public_body=body).first()
    return defaults.frequency if defaults is not None else DEFAULT_FREQUENCY


@dataclass(frozen=True)
class PaymentLine:
    payment: Payment
    corrects: Payment | None
    corrected_by: Payment | None

    @property
    def counts(self) -> bool:
        return self.corrected_by is None


@dataclass
class PlanRow:
    """One planned payment: a case's public party's period of a year."""

    case: Case
    public_body: PublicBody
    period: PlannedPeriod
    frequency: str
    today: datetime.date
    payments: list[Payment] = field(default_factory=list)  # every row of the period, in order
    hold: PaymentHold | None = None  # the open hold, if any
    released: list[PaymentHold] = field(default_factory=list)  # holds released (case page)

    @property
    def planned(self) -> Decimal:
        return self.period.amount

    @property
    def effective(self) -> list[Payment]:
        """The payments that count: those no later row corrects."""
        corrected = {p.corrects_id for p in self.payments if p.corrects_id}
        return [p for p in self.payments if p.pk not in corrected]

    @property
    def paid(self) -> Decimal:
        return sum((p.amount for p in self.effective), Decimal(0))

    @property
    def lines(self) -> list[PaymentLine]:
        """Every payment of the period with the row it corrects and the row correcting it."""
        by_pk = {p.pk: p for p in self.payments}
        correction_of = {p.corrects_id: p for p in self.payments if p.corrects_id}
        return [
            PaymentLine(
                payment=p,
                corrects=by_pk.get(p.corrects_id) if p.corrects_id else None,
                corrected_by=correction_of.get(p.pk),
            )
            for p in self.payments
        ]

    @property
    def difference(self) -> Decimal:
        """What is still to pay (negative: paid more than planned)."""
        return self.planned - self.paid

    @property
    def due_on(self) -> datetime.date:
        return self.period.due_on

    @property
    def is_paid(self) -> bool:
        return self.paid >= self.planned

    @property
    def is_overdue(self) -> bool:
        return self.due_on < self.today and not self.is_paid and self.hold is None

    @property
    def status(self) -> str:
        if self.is_paid:
            return Status.PAID
        if self.hold is not None:
            return Status.HELD
        if self.is_overdue:
            return Status.OVERDUE
        return Status.UNPAID

    @property
    def frequency_label(self) -> str:
        return str(Frequency(self.frequency).label)

    @property
    def period_label(self) -> str:
        return period_label(self.period)

    @property
    def organisations(self) -> list[Organisation]:
        return list(self.case.organisations.all())


def period_label(period: PlannedPeriod) -> str:
    """«2026», «2026 H1», «2026 Q3»: how the finance system names a period."""
    if period.periods == 1:
        return str(period.year)
    letter = "H" if period.periods == 2 else "Q"
    return f"{period.year} {letter}{period.period}"


@dataclass(frozen=True)
class Totals:
    planned: Decimal = Decimal(0)
    paid: Decimal = Decimal(0)

    @property
    def difference(self) -> Decimal:
        return self.planned - self.paid


def totals_of(rows: Iterable[PlanRow]) -> Totals:
    planned = paid = Decimal(0)
    for row in rows:
        planned += row.planned
        paid += row.paid
    return Totals(planned=planned, paid=paid)


@dataclass
class YearPlan:
    year: int
    today: datetime.date
    rows: list[PlanRow]
    totals: Totals
    counts: dict[str, int]  # rows per status, before the status filter


# --- The reads in bulk -------------------------------------------------------------------------


def _frequencies(case_ids: list[int], body_ids: set[int]) -> Callable[[int, int], str]:
    """``frequency(case id, body id)`` for every pair, read in two queries."""
    defaults = dict(
        PaymentDefaults.objects.filter(public_body_id__in=body_ids).values_list(
            "public_body_id", "frequency"
        )
    )
    terms = {
        (case_id, body_id): frequency
        for case_id, body_id, frequency in PaymentTerms.objects.filter(
            case_id__in=case_ids
        ).values_list("case_id", "public_body_id", "frequency")
    }

    def frequency(case_id: int, body_id: int) -> str:
        return terms.get((case_id, body_id)) or defaults.get(body_id) or DEFAULT_FREQUENCY

    return frequency


def _rows(
    cases: list[Case],
    years: Iterable[int],
    *,
    today: datetime.date,
    public_body: PublicBody | None = None,
    with_released: bool = False,
    lines: dict[int, dict[int, Timeline]] | None = None,
) -> list[PlanRow]:
    """The plan rows of ``cases`` in ``years``: timelines (4 queries, none when the caller
    passes ``lines``, the cases' ``timelines()``), public bodies, frequencies (2), payments,
    holds (1 each)."""
    years = sorted(set(years))
    case_ids = [c.pk for c in cases]
    if lines is None:
        lines = timelines(case_ids)
    body_ids = {b for per_body in lines.values() for b in per_body}
    if public_body is not None:
        body_ids &= {public_body.pk}
    if not body_ids or not years:
        return []
    bodies = PublicBody.objects.in_bulk(body_ids)
    frequencies = _frequencies(case_ids, body_ids)
    payments: dict[tuple, list[Payment]] = defaultdict(list)
    for payment in Payment.objects.filter(
        case_id__in=lines, public_body_id__in=body_ids, year__in=years
    ).select_related("recorded_by"):
        payments[(payment.case_id, payment.public_body_id, payment.year, payment.period)].append(
            payment
        )
    holds: dict[tuple, PaymentHold] = {}
    released: dict[tuple, list[PaymentHold]] = defaultdict(list)
    hold_rows = PaymentHold.objects.filter(
        case_id__in=lines, public_body_id__in=body_ids, year__in=years
    ).select_related("held_by", "released_by")
    if not with_released:
        hold_rows = hold_rows.filter(released_at__isnull=True)
    for hold in hold_rows:
        key = (hold.case_id, hold.public_body_id, hold.year, hold.period)
        if hold.is_open:
            holds[key] = hold
        else:
            released[key].append(hold)

    rows = []
    for case in cases:
        for body_id, timeline in sorted(
            lines.get(case.pk, {}).items(), key=lambda item: bodies[item[0]].name
        ):
            if body_id not in body_ids:
                continue
            frequency = frequencies(case.pk, body_id)
            for year in years:
                for period in periods_of_year(timeline, year, frequency):
                    key = (case.pk, body_id, year, period.period)
                    rows.append(
                        PlanRow(
                            case=case,
                            public_body=bodies[body_id],
                            period=period,
                            frequency=frequency,
                            today=today,
                            payments=payments.get(key, []),
                            hold=holds.get(key),
                            released=released.get(key, []),
                        )
                    )
    return rows


def _planned_cases():
    """The cases with a signed agreement (the ones with a payment plan), with what a row
    shows of them."""
    signed = AgreementVersion.objects.filter(signed_at__isnull=False, start_date__isnull=False)
    return (
        Case.objects.filter(agreement__versions__in=signed)
        .distinct()
        .select_related("committee", "public_body")
        .prefetch_related(Prefetch("organisations", queryset=Organisation.objects.order_by("name")))
        .order_by("registry_number")
    )


def year_plan(
    year: int,
    *,
    committee=None,
    public_body: PublicBody | None = None,
    search: str = "",
    status: str = "",
    today: datetime.date | None = None,
) -> YearPlan:
    """Every planned payment of ``year``: case × public party × period, with what was paid,
    the difference, the open hold and whether it is overdue; filtered by committee, public
    party, a search (registry number, title or organisation) and ``status`` (``Status``).
    Twelve queries whatever the number of cases."""
    today = today or timezone.localdate()
    cases = _planned_cases()
    if committee is not None:
        cases = cases.filter(committee=committee)
    if search:
        cases = cases.filter(
            Q(registry_number__icontains=search)
            | Q(title__icontains=search)
            | Q(organisations__name__icontains=search)
            | Q(organisations__org_number__icontains=search)
        )
    rows = _rows(list(cases), [year], today=today, public_body=public_body)
    counts = dict.fromkeys(Status.ALL, 0)
    for row in rows:
        counts[row.status] += 1
    if status == Status.UNPAID:
        rows = [r for r in rows if not r.is_paid and r.hold is None]
    elif status in Status.ALL:
        rows = [r for r in rows if r.status == status]
    rows.sort(key=lambda r: (r.due_on, r.case.registry_number, r.public_body.name))
    return YearPlan(year=year, today=today, rows=rows, totals=totals_of(rows), counts=counts)


# --- One case ------------------------------------------------------------------------------


@dataclass
class PartyYear:
    public_body: PublicBody
    frequency: str
    rows: list[PlanRow]

    @property
    def totals(self) -> Totals:
        return totals_of(self.rows)

    @property
    def frequency_label(self) -> str:
        return str(Frequency(self.frequency).label)


@dataclass
class PlanYear:
    year: int
    parties: list[PartyYear]

    @property
    def totals(self) -> Totals:
        return totals_of(row for party in self.parties for row in party.rows)


@dataclass
class CasePlan:
    case: Case
    today: datetime.date
    years: list[PlanYear]
    timelines: dict[int, Timeline]
    public_bodies: list[PublicBody]

    @property
    def has_plan(self) -> bool:
        return bool(self.timelines)

    def year(self, year: int) -> PlanYear | None:
        return next((y for y in self.years if y.year == year), None)


def plan_years(timeline_by_body: dict[int, Timeline], today: datetime.date) -> list[int]:
    """The years a case's plan shows: from its first year to this year (or its last, when it
    ended earlier; its first, when it starts later)."""
    if not timeline_by_body:
        return []
    first = min(t.start.year for t in timeline_by_body.values())
    ends = [t.end.year for t in timeline_by_body.values() if t.end is not None]
    last = today.year
    if ends and len(ends) == len(timeline_by_body):
        last = min(last, max(ends))
    return list(range(first, max(first, last) + 1))


def case_plan(
    case: Case, years: Iterable[int] | None = None, *, today: datetime.date | None = None
) -> CasePlan:
    """One case's plan per year and public party (the latest year first), with every
    payment of each period — corrections linked to the row they correct — and its holds,
    open and released. A fixed number of queries whatever the number of years or payments."""
    today = today or timezone.localdate()
    lines = timelines([case.pk], case_rows=[(case.pk, case.public_body_id, case.notice_date)]).get(
        case.pk, {}
    )
    years = sorted(set(years) if years is not None else plan_years(lines, today), reverse=True)
    rows = (
        _rows([case], years, today=today, with_released=True, lines={case.pk: lines})
        if lines
        else []
    )
    by_year: dict[int, dict[int, list[PlanRow]]] = defaultdict(lambda: defaultdict(list))
    bodies: dict[int, PublicBody] = {}
    for row in rows:
        by_year[row.period.year][row.public_body.pk].append(row)
        bodies[row.public_body.pk] = row.public_body
    plan_years_ = []
    for year in years:
        parties = [
            PartyYear(public_body=bodies[b], frequency=party_rows[0].frequency, rows=party_rows)
            for b, party_rows in sorted(by_year[year].items(), key=lambda i: bodies[i[0]].name)
        ]
        if parties:
            plan_years_.append(PlanYear(year=year, parties=parties))
    if lines and len(bodies) < len(lines):
        bodies.update(PublicBody.objects.in_bulk(set(lines) - set(bodies)))
    return CasePlan(
        case=case,
        today=today,
        years=plan_years_,
        timelines=lines,
        public_bodies=sorted(bodies.values(), key=lambda b: b.name),
    )


# --- The start page ------------------------------------------------------------------------


@dataclass
class Attention:
    overdue: list[PlanRow]
    held: list[PlanRow]

    @property
    def total(self) -> Decimal:
        return sum((r.difference for r in self.overdue), Decimal(0))


def overdue(today: datetime.date | None = None) -> Attention:
    """This year's overdue payments (the longest overdue first) and the held ones, for
    finance's start panel. Overdue from earlier years shows on their year's plan."""
    today = today or timezone.localdate()
    rows = _rows(list(_planned_cases()), [today.year], today=today)
    late = sorted((r for r in rows if r.is_overdue), key=lambda r: r.due_on)
    held = sorted((r for r in rows if r.hold is not None), key=lambda r: r.due_on)
    return Attention(overdue=late, held=held)
