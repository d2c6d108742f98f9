"""The payment plan's rule (finance/plan.py), as arithmetic."""

import datetime
from decimal import Decimal

from finance.constants import Frequency
from finance.plan import AmountChange, Timeline, periods_of_year, year_total

D = datetime.date


def raised_case() -> Timeline:
    """600 000 kr per full year from 1 March 2024, raised by 50 000 kr from 1 June 2026."""
    return Timeline(
        start=D(2024, 3, 1),
        base=Decimal(600_000),
        changes=(AmountChange(change_from=D(2026, 6, 1), delta=Decimal(50_000)),),
    )


def test_a_raise_from_june_plans_five_months_at_the_old_rate_and_seven_at_the_new():
    # 5/12 × 600 000 + 7/12 × 650 000 = 250 000 + 379 166,67
    assert year_total(raised_case(), 2026) == Decimal("629166.67")
    for frequency in Frequency:
        assert year_total(raised_case(), 2026, frequency) == Decimal("629166.67")


def test_quarters_of_the_raised_year_fall_due_on_their_first_days():
    quarters = periods_of_year(raised_case(), 2026, Frequency.QUARTERLY)
    assert [(p.period, p.due_on, p.amount) for p in quarters] == [
        (1, D(2026, 1, 1), Decimal("150000.00")),
        (2, D(2026, 4, 1), Decimal("154166.67")),  # April, May at 50 000; June at 54 166,67
        (3, D(2026, 7, 1), Decimal("162500.00")),
        (4, D(2026, 10, 1), Decimal("162500.00")),
    ]


def test_the_first_year_counts_from_the_start_and_its_first_payment_is_due_then():
    first = periods_of_year(raised_case(), 2024, Frequency.HALF_YEARLY)
    assert [(p.due_on, p.amount) for p in first] == [
        (D(2024, 3, 1), Decimal("200000.00")),  # March–June
        (D(2024, 7, 1), Decimal("300000.00")),
    ]
    assert year_total(raised_case(), 2023) == 0


def test_a_part_month_counts_its_days_and_the_plan_stops_at_the_end():
    timeline = Timeline(start=D(2025, 1, 16), base=Decimal(120_000), end=D(2025, 3, 31))
    # January: 16 of 31 days of 10 000; February and March whole.
    assert year_total(timeline, 2025) == Decimal("25161.29")
    assert year_total(timeline, 2026) == 0
    assert timeline.amount_on(D(2025, 4, 1)) == 0
