"""Finance's part of the demo story (``iop.workflow.register_demo``; the data is in
``finance.demo_story``).

For every partnership the story makes active with a signed agreement, the payments of the
periods that fell due before today, each booked a couple of days after it fell due through
``record_payment`` and dated back to that day; one of them booked with a wrong amount and put
right with ``correct_payment``. This year Agera Värmland's latest period is held
(``hold_payment``) because its annual report has not come in, and one IOP's latest period is
left unpaid: overdue on Omar's start page.

Each partnership's payments are the story's events: from the day it became active, a couple of
days after every quarter's first day, Omar books what has fallen due and is not yet paid, at
the amount the plan says then (a decision recorded later that raises an amount from an earlier
date leaves a difference to pay). The wrong payment is put right when the next one is booked.
Idempotent: nothing is done once any payment exists.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial

from django.utils import timezone

from iop.constants import Transition
from iop.demo import Story

from . import demo_story as data
from .models import Payment
from .selectors import case_plan
from .services.payments import correct_payment, hold_payment, record_payment


@dataclass
class _Books:
    """What the payments played so far share: the running voucher numbers per year and the
    payment booked wrong, waiting for its correction."""

    numbers: dict[int, int] = field(default_factory=dict)
    wrong: Payment | None = None
    corrected: bool = False

    def reference(self, year: int) -> str:
        self.numbers[year] = self.numbers.get(year, data.FIRST_NUMBER - 1) + 1
        return data.REFERENCE.format(year=year, number=self.numbers[year])


def play(story: Story) -> None:
    if Payment.objects.exists():
        return
    books = _Books()
    today = story.today
    for case_story in story.cases.values():
        activated = case_story.step(Transition.ACTIVATE)
        if activated is None:
            continue
        booking_days = {activated.on + datetime.timedelta(days=data.PAID_DAYS_AFTER_DUE)}
        for year in range(activated.on.year, today.year + 1):
            for month in (1, 4, 7, 10):
                day = datetime.date(year, month, 1) + datetime.timedelta(
                    days=data.PAID_DAYS_AFTER_DUE
                )
                if activated.on < day <= today:
                    booking_days.add(day)
        for day in sorted(d for d in booking_days if d <= today):
            story.schedule(
                _moment(story, day),
                partial(pay_due, story, case_story, day, books),
                case_story=case_story,
            )


def _moment(story: Story, on: datetime.date) -> datetime.datetime:
    moment = story.moment(on, data.FINANCE_USER)
    return min(moment, timezone.now() - datetime.timedelta(minutes=2))


def _left_unpaid(case, today: datetime.date, key: str) -> tuple | None:
    """The period the story leaves unpaid today: the held and the overdue IOP's latest period
    due (this year's, when it has one)."""
    if key not in (data.HELD_CASE, data.OVERDUE_CASE):
        return None
    due = [
        row
        for plan_year in case_plan(case, today=today).years
        for party in plan_year.parties
        for row in party.rows
        if row.due_on <= today - datetime.timedelta(days=data.PAID_DAYS_AFTER_DUE)
    ]
    if not due:
        return None
    latest = max(due, key=lambda r: r.due_on)
    return (latest.public_body.pk, latest.period.year, latest.period.period)


def pay_due(story: Story, case_story, day: datetime.date, books: _Books) -> None:
    """On ``day`` Omar books every period of the case due by then and not yet paid."""
    case = case_story.case
    if case is None:
        return
    omar = story.user(data.FINANCE_USER)
    key = case_story.key
    if books.wrong is not None and books.wrong.case_id == case.pk and not books.corrected:
        correct_payment(
            payment=books.wrong,
            amount=books.wrong.amount + Decimal(data.WRONG_BY),
            reference=books.reference(day.year),
            paid_on=books.wrong.paid_on,
            actor=omar,
            note=data.CORRECTION_NOTE,
        )
        books.corrected = True
        story.count("payment corrections")
    left = _left_unpaid(case, story.today, key)
    booked_by = day - datetime.timedelta(days=data.PAID_DAYS_AFTER_DUE)
    for plan_year in case_plan(case, today=day).years:
        for party in plan_year.parties:
            for row in party.rows:
                if row.due_on > booked_by or row.payments or row.hold is not None:
                    continue
                if (row.public_body.pk, row.period.year, row.period.period) == left:
                    if key == data.HELD_CASE:
                        hold_payment(
                            case=case,
                            public_body=row.public_body,
                            year=row.period.year,
                            period=row.period.period,
                            reason=data.HELD_REASON,
                            actor=omar,
                        )
                        story.count("payments held")
                    continue
                wrong = key == data.CORRECTED_CASE and books.wrong is None
                payment = record_payment(
                    case=case,
                    public_body=row.public_body,
                    year=row.period.year,
                    period=row.period.period,
                    paid_on=day,
                    amount=row.planned - Decimal(data.WRONG_BY) if wrong else row.planned,
                    reference=books.reference(day.year),
                    actor=omar,
                )
                if wrong:
                    books.wrong = payment
                story.count("payments")
