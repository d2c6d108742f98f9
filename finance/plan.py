"""The payment plan's rule, as plain arithmetic (no database): what a public party pays an IOP
in a year, period by period.

The rule (shown to finance on the plan page, ``RULE_TEXT``):

* The amount per full year in force on a day is the signed agreement's amount for the party,
  changed by every approved committee decision from its «change from» date on.
* Each calendar month is a twelfth of the amount per full year in force. A month the
  agreement covers only in part (it starts or ends within it, or an amount changes within it)
  counts its days: each day is the month's twelfth divided by the month's days.
* A year is divided into periods (yearly, half-yearly or quarterly); a period's planned payment
  is the sum of its months, rounded to whole öre, and falls due on the period's first day, or
  on the agreement's first day when it starts within the period.

Example (the issue's case): 600 000 kr per full year from 1 March 2024, raised by 50 000 kr to
650 000 kr from 1 June 2026: 2026 plans 5/12 × 600 000 + 7/12 × 650 000 = 629 166,67 kr.
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property

from django.utils.translation import gettext_lazy as _

from .constants import Frequency

ORE = Decimal("0.01")

RULE_TEXT = _(
    "Each calendar month is a twelfth of the amount per full year in force; a month the "
    "agreement covers only in part, or in which the amount changes, counts its days. An "
    "amount changed by a committee decision applies from its «change from» date. A period's "
    "payment is the sum of its months, rounded to whole öre, due on the period's first day "
    "(or the agreement's first day)."
)


@dataclass(frozen=True)
class AmountChange:
    """An approved decision's change of the amount per full year, from a date."""

    change_from: datetime.date
    delta: Decimal
    reference: str = ""


@dataclass(frozen=True)
class Timeline:
    """A public party's amount per full year over the agreement's life: ``base`` from
    ``start``, each change from its date, until ``end`` (inclusive; None: until further
    notice)."""

    start: datetime.date
    base: Decimal
    changes: tuple[AmountChange, ...] = ()
    end: datetime.date | None = None

    def amount_on(self, day: datetime.date) -> Decimal:
        """The amount per full year in force on ``day`` (0 outside the agreement's term)."""
        if day < self.start or (self.end is not None and day > self.end):
            return Decimal(0)
        amount = self.base
        for change in self.changes:
            if change.change_from <= day:
                amount += change.delta
        return max(amount, Decimal(0))

    def current_amount(self, today: datetime.date) -> Decimal:
        """The amount per full year in force today, or the first one if it has not started."""
        return self.amount_on(max(today, self.start))

    def covers_year(self, year: int) -> bool:
        return self.start.year <= year and (self.end is None or self.end.year >= year)

    def month_amount(self, year: int, month: int) -> Decimal:
        """The month's share (unrounded): each day a twelfth of the amount in force that day,
        divided by the month's days. Days share a value until a boundary, so this sums runs."""
        days = calendar.monthrange(year, month)[1]
        first = datetime.date(year, month, 1)
        last = datetime.date(year, month, days)
        if last < self.start or (self.end is not None and first > self.end):
            return Decimal(0)
        inside = {d for d in self._boundaries if first < d <= last}
        if not inside and first >= self.start:
            return self.amount_on(first) / 12  # the whole month at one amount
        boundaries = sorted({first, last + datetime.timedelta(days=1)} | inside)
        total = Decimal(0)
        for begin, stop in zip(boundaries, boundaries[1:], strict=False):
            total += self.amount_on(begin) * (stop - begin).days
        return total / 12 / days

    @cached_property
    def _boundaries(self) -> frozenset[datetime.date]:
        points = {self.start} | {c.change_from for c in self.changes}
        if self.end is not None:
            points.add(self.end + datetime.timedelta(days=1))
        return frozenset(points)


@dataclass(frozen=True)
class PlannedPeriod:
    year: int
    period: int  # 1-based within the year
    periods: int  # how many in the year (1, 2 or 4)
    first_month: int
    last_month: int
    due_on: datetime.date
    amount: Decimal

    @property
    def key(self) -> tuple[int, int]:
        return (self.year, self.period)


def periods_of_year(timeline: Timeline, year: int, frequency: str) -> list[PlannedPeriod]:
    """The year's planned payments (periods with nothing to pay are left out)."""
    count = Frequency(frequency).periods
    months_per = 12 // count
    planned = []
    for index in range(count):
        first_month = index * months_per + 1
        last_month = first_month + months_per - 1
        amount = _period_amount(timeline, year, first_month, last_month)
        if amount <= 0:
            continue
        due_on = max(datetime.date(year, first_month, 1), timeline.start)
        planned.append(
            PlannedPeriod(year, index + 1, count, first_month, last_month, due_on, amount)
        )
    return planned


def _period_amount(timeline: Timeline, year: int, first_month: int, last_month: int) -> Decimal:
    """The period's months summed and rounded. A period the agreement covers whole, with no
    change of amount within it, is its share of the amount in force (the same sum, without
    counting the days: the portfolio sums the plans of thousands of IOPs)."""
    first = datetime.date(year, first_month, 1)
    last = datetime.date(year, last_month, calendar.monthrange(year, last_month)[1])
    covered = timeline.start <= first and (timeline.end is None or timeline.end >= last)
    if covered and not any(first < c.change_from <= last for c in timeline.changes):
        share = timeline.amount_on(first) * (last_month - first_month + 1) / 12
    else:
        share = sum(
            (timeline.month_amount(year, m) for m in range(first_month, last_month + 1)),
            Decimal(0),
        )
    return share.quantize(ORE, rounding=ROUND_HALF_UP)


def year_total(timeline: Timeline, year: int, frequency: str = Frequency.YEARLY) -> Decimal:
    return sum((p.amount for p in periods_of_year(timeline, year, frequency)), Decimal(0))
