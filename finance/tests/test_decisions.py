"""The issue's must-show on the database: a signed agreement and an approved committee decision
that raises the amount give the year's plan by the documented rule (``finance.plan``), and
finance is told of the change once, in the application and by e-mail.

The issue's «625 000 kr» counts five months at the old rate and seven at the new — that is
6 + 6 months' worth (5/12 × 600 000 + 7/12 × 650 000 is 629 166,67 kr, not 625 000). The rule we
document and show finance counts each month at the amount in force: January–May at 600 000 kr
per full year, June–December at 650 000 kr, so 2026 plans 629 166,67 kr.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from django.core import mail

from decisions.constants import MatterKind, Outcome
from decisions.tests.factories import decide
from iop.models import Notification

from ..selectors import case_plan, year_plan
from .factories import signed_case

pytestmark = pytest.mark.django_db


def test_a_raise_from_june_2026_plans_629_166_67_kr_for_2026_and_finance_is_told_once(
    finance, django_capture_on_commit_callbacks
):
    case = signed_case(start=datetime.date(2024, 3, 1))
    assert year_plan(2026).totals.planned == Decimal("600000.00")
    assert year_plan(2024).totals.planned == Decimal("500000.00")  # March–December
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        decide(
            case,
            Outcome.APPROVED,
            kind=MatterKind.RENEGOTIATION,
            amount_change=Decimal(50000),
            change_from=datetime.date(2026, 6, 1),
        )

    plan = year_plan(2026)
    assert plan.totals.planned == Decimal("629166.67")
    assert [(r.period.period, r.planned) for r in plan.rows] == [
        (1, Decimal("150000.00")),
        (2, Decimal("154166.67")),
        (3, Decimal("162500.00")),
        (4, Decimal("162500.00")),
    ]
    assert case_plan(case).year(2026).totals.planned == Decimal("629166.67")
    assert year_plan(2027).totals.planned == Decimal("650000.00")

    told = Notification.objects.filter(recipient=finance, kind="decisions.amount_changed")
    assert told.count() == 1
    assert "50 000" in told.get().text and case.registry_number in told.get().text
    to_finance = [m for m in mail.outbox if finance.email in m.to]
    assert len(to_finance) == 1
