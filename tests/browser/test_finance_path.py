"""Finance's path in Chromium (issue 11's must-show): Omar opens the year's payment plan and
sees its rows, records a payment on a case's payments page (a duplicate reference first: the
form keeps what he typed and says why), and holds another period with a reason that is then
shown beside it. axe-core checks every page on the way."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from django.utils import timezone

from finance.models import Payment, PaymentHold
from finance.services.payments import record_payment
from finance.tests.factories import planned_case
from iop.constants import Role
from iop.tests.factories import UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

REASON = "Årsredovisningen för 2025 har inte kommit in"


def test_finance_sees_the_plan_records_a_payment_and_holds_another(page, login, assert_accessible):
    omar = UserFactory(role=Role.FINANCE, first_name="Omar", last_name="Haddad")
    year = timezone.localdate().year
    case = planned_case(start=datetime.date(year, 1, 1), amount=600_000)
    other = planned_case(start=datetime.date(year, 1, 1), amount=200_000)
    record_payment(
        case=other,
        public_body=other.public_body,
        year=year,
        period=1,
        paid_on=datetime.date(year, 1, 2),
        amount=Decimal(50000),
        reference="VER-0001",
        actor=omar,
    )
    body = case.public_body.pk
    login(page, omar)

    page.goto("/")
    page.locator("#nav-payments").click()
    expect(page.locator("h1")).to_contain_text(str(year))
    expect(page.locator("#plan-table tbody tr")).to_have_count(8)
    expect(page.locator(f"#plan-table tr[data-case='{case.pk}']")).to_have_count(4)
    assert_accessible(page)

    page.locator(f"#plan-table tr[data-case='{case.pk}'][data-period='1'] th a").click()
    expect(page.locator(f"#period-{body}-{year}-1")).to_be_visible()
    assert_accessible(page)

    page.locator(f"#pay-{body}-{year}-1").click()
    expect(page.locator("#id_amount")).to_have_value("150000")
    page.locator("#id_reference").fill("VER-0001")
    page.locator("#payment-form-submit").click()
    expect(page.locator("#form-errors")).to_be_visible()
    expect(page.locator("#id_reference")).to_have_value("VER-0001")
    assert Payment.objects.filter(case=case).count() == 0
    assert_accessible(page)

    page.locator("#id_reference").fill("VER-0002")
    page.locator("#payment-form-submit").click()
    row = page.locator(f"#period-{body}-{year}-1")
    expect(row).to_have_attribute("data-status", "paid")
    expect(row).to_contain_text("VER-0002")
    assert Payment.objects.get(case=case).amount == Decimal(150000)

    page.locator(f"#hold-{body}-{year}-2").click()
    assert_accessible(page)
    page.locator("#id_reason").fill(REASON)
    page.locator("#hold-form-submit").click()
    held = page.locator(f"#period-{body}-{year}-2")
    expect(held).to_have_attribute("data-status", "held")
    expect(held.locator(".hold-reason")).to_have_text(REASON)
    assert PaymentHold.objects.get(case=case).reason == REASON
    assert_accessible(page)
