"""Finance's services: payments recorded once per reference, never edited (a correction is a
new row), holds with a reason, one open hold per period, the frequency, and who may write."""

from __future__ import annotations

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from iop.constants import CaseEventKind
from iop.exceptions import TransitionForbidden
from iop.tests.factories import UserFactory

from ..constants import Frequency
from ..models import Payment, PaymentDefaults, PaymentHold, PaymentTerms
from ..selectors import case_plan, frequency_of, year_plan
from ..services.defaults import set_payment_default
from ..services.payments import (
    PaymentRefused,
    correct_payment,
    hold_payment,
    record_payment,
    release_hold,
    set_payment_terms,
)
from .factories import other_body, planned_case

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Europe/Stockholm")
D = datetime.date


@pytest.fixture(autouse=True)
def autumn_2026():
    with time_machine.travel(datetime.datetime(2026, 9, 15, 10, 0, tzinfo=TZ), tick=False):
        yield


def pay(case, finance, **kwargs):
    values = {
        "case": case,
        "public_body": case.public_body,
        "year": 2026,
        "period": 1,
        "paid_on": D(2026, 1, 3),
        "amount": Decimal("150000"),
        "reference": "VER-2026-0412",
        "actor": finance,
    }
    return record_payment(**(values | kwargs))


def test_a_payment_is_recorded_with_an_event_on_the_case(finance):
    case = planned_case()
    payment = pay(case, finance)
    assert payment.recorded_by == finance
    event = case.events.get(kind=CaseEventKind.PAYMENT)
    assert "VER-2026-0412" in event.note and event.actor == finance
    assert payment.history.get().history_user == finance
    row = year_plan(2026).rows[0]
    assert (row.paid, row.difference) == (Decimal("150000"), Decimal(0))


def test_a_payment_recorded_twice_with_the_same_reference_is_refused(finance):
    case = planned_case()
    pay(case, finance)
    with pytest.raises(PaymentRefused) as refused:
        pay(case, finance, period=2, paid_on=D(2026, 4, 2))
    assert refused.value.errors == {
        "reference": [
            _("Reference %(reference)s is already recorded for %(body)s.")
            % {"reference": "VER-2026-0412", "body": "Region Värmland"}
        ]
    }
    assert Payment.objects.count() == 1
    # Another public body may use the same voucher number in its own finance system.
    municipality = other_body()
    shared = planned_case(others={municipality: 100_000})
    pay(shared, finance, public_body=municipality, amount=Decimal(25000))
    assert Payment.objects.count() == 2


def test_the_database_refuses_a_duplicate_reference_the_race_would_write(finance):
    case = planned_case()
    pay(case, finance)
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.create(
            case=case,
            public_body=case.public_body,
            year=2026,
            period=2,
            paid_on=D(2026, 4, 1),
            amount=1,
            reference="VER-2026-0412",
            recorded_by=finance,
        )


def test_the_race_lost_on_the_constraint_reads_the_same_refusal(finance, monkeypatch):
    """Two finance users booking the same voucher at once: the second passed the check before
    the first committed, and loses on the unique constraint inside its savepoint."""
    case = planned_case()
    pay(case, finance)
    from .. import services

    monkeypatch.setattr(services.payments, "_check_payment_fields", lambda **kwargs: None)
    with pytest.raises(PaymentRefused) as refused:
        pay(case, finance, period=2)
    assert refused.value.errors["reference"] == [
        _("Reference %(reference)s is already recorded for %(body)s.")
        % {"reference": "VER-2026-0412", "body": "Region Värmland"}
    ]
    assert case.events.filter(kind=CaseEventKind.PAYMENT).count() == 1


@pytest.mark.parametrize(
    ("change", "field", "message", "values"),
    [
        ({"amount": Decimal(0)}, "amount", "A payment must be more than 0 kronor.", {}),
        ({"amount": Decimal(-5)}, "amount", "A payment must be more than 0 kronor.", {}),
        ({"paid_on": D(2026, 9, 16)}, "paid_on", "A payment cannot be dated in the future.", {}),
        ({"reference": "  "}, "reference", "Enter the voucher number or reference.", {}),
        (
            {"period": 5},
            "period",
            "Period %(period)s is not in the plan for %(year)s.",
            {"period": 5, "year": 2026},
        ),
        ({"year": 2023}, "year", "The agreement does not cover %(year)s.", {"year": 2023}),
    ],
)
def test_what_a_payment_cannot_be(finance, change, field, message, values):
    case = planned_case()
    with pytest.raises(PaymentRefused) as refused:
        pay(case, finance, **change)
    assert refused.value.errors[field] == [_(message) % values if values else _(message)]
    assert not Payment.objects.exists()


def test_a_party_without_a_plan_cannot_be_paid(finance):
    case = planned_case()
    with pytest.raises(PaymentRefused) as refused:
        pay(case, finance, public_body=other_body())
    assert refused.value.errors[""] == [
        _("%(body)s has no payment plan in this IOP (no signed agreement names an amount).")
        % {"body": "Karlstads kommun"}
    ]


def test_only_finance_records(officer, coordinator, auditor):
    case = planned_case()
    for user in (officer, coordinator, auditor):
        with pytest.raises(TransitionForbidden):
            pay(case, user)
    assert not Payment.objects.exists()


def test_a_correction_is_a_new_row_and_its_amount_replaces_the_corrected_one(finance):
    case = planned_case()
    wrong = pay(case, finance, amount=Decimal(140000))
    correction = correct_payment(
        payment=wrong,
        amount=Decimal(150000),
        reference="VER-2026-0413",
        paid_on=D(2026, 1, 3),
        actor=finance,
        note="Fel belopp.",
    )
    assert correction.corrects == wrong
    assert Payment.objects.get(pk=wrong.pk).amount == Decimal(140000)  # never edited
    row = year_plan(2026).rows[0]
    assert row.paid == Decimal(150000)
    assert [(line.payment, line.corrects, line.corrected_by) for line in row.lines] == [
        (wrong, None, correction),
        (correction, wrong, None),
    ]
    assert case.events.filter(kind=CaseEventKind.PAYMENT).count() == 2


def test_a_corrected_payment_is_not_corrected_again_the_correction_is(finance):
    case = planned_case()
    wrong = pay(case, finance, amount=Decimal(140000))
    first = correct_payment(
        payment=wrong,
        amount=Decimal(145000),
        reference="VER-2026-0413",
        paid_on=D(2026, 1, 3),
        actor=finance,
        note="Fel belopp.",
    )
    with pytest.raises(PaymentRefused) as refused:
        correct_payment(
            payment=wrong,
            amount=Decimal(150000),
            reference="VER-2026-0414",
            paid_on=D(2026, 1, 3),
            actor=finance,
            note="Igen.",
        )
    assert refused.value.errors[""] == [
        _("This payment has already been corrected: correct the correction instead.")
    ]
    correct_payment(
        payment=first,
        amount=Decimal(150000),
        reference="VER-2026-0414",
        paid_on=D(2026, 1, 3),
        actor=finance,
        note="Igen.",
    )
    assert year_plan(2026).rows[0].paid == Decimal(150000)


def test_a_correction_to_zero_cancels_and_needs_a_reason(finance):
    case = planned_case()
    payment = pay(case, finance)
    with pytest.raises(PaymentRefused) as refused:
        correct_payment(
            payment=payment,
            amount=Decimal(-1),
            reference="VER-2026-0500",
            paid_on=D(2026, 1, 3),
            actor=finance,
            note="",
        )
    assert refused.value.errors["amount"] == [
        _("A correction cannot be negative; 0 cancels the payment.")
    ]
    assert refused.value.errors["note"] == [_("Say why the payment is corrected.")]
    correct_payment(
        payment=payment,
        amount=Decimal(0),
        reference="VER-2026-0500",
        paid_on=D(2026, 1, 3),
        actor=finance,
        note="Dubbelbokning.",
    )
    row = year_plan(2026).rows[0]
    assert (row.paid, row.is_overdue) == (Decimal(0), True)


def test_a_held_period_is_not_paid_until_released(finance):
    case = planned_case()
    hold = hold_payment(
        case=case,
        public_body=case.public_body,
        year=2026,
        period=3,
        reason="Årsredovisningen för 2025 har inte kommit in",
        actor=finance,
    )
    row = next(r for r in year_plan(2026).rows if r.period.period == 3)
    assert (row.hold, row.status, row.is_overdue) == (hold, "held", False)
    with pytest.raises(PaymentRefused) as refused:
        pay(case, finance, period=3, reference="VER-2026-0700")
    assert refused.value.errors[""] == [
        _("This period is held (%(reason)s): release the hold before recording a payment.")
        % {"reason": "Årsredovisningen för 2025 har inte kommit in"}
    ]
    with pytest.raises(PaymentRefused) as twice:
        hold_payment(
            case=case,
            public_body=case.public_body,
            year=2026,
            period=3,
            reason="Igen",
            actor=finance,
        )
    assert twice.value.errors[""] == [_("This period is already held.")]
    release_hold(hold=hold, actor=finance, note="Kom in i dag.")
    with pytest.raises(PaymentRefused):
        release_hold(hold=hold, actor=finance)
    pay(case, finance, period=3, reference="VER-2026-0700", paid_on=D(2026, 9, 1))
    released = PaymentHold.objects.get()
    assert (released.released_by, released.release_note) == (finance, "Kom in i dag.")
    # The released hold stays, with who released it and why.
    assert PaymentHold.objects.count() == 1


def test_a_fully_paid_period_cannot_be_held_and_a_hold_needs_a_reason(finance):
    case = planned_case()
    pay(case, finance)
    with pytest.raises(PaymentRefused) as refused:
        hold_payment(
            case=case,
            public_body=case.public_body,
            year=2026,
            period=1,
            reason="",
            actor=finance,
        )
    assert refused.value.errors == {
        "reason": [_("Say why the payment is held.")],
        "": [_("This period is already paid in full: there is nothing to hold.")],
    }


def test_the_database_allows_one_open_hold_per_period(finance):
    case = planned_case()
    hold_payment(
        case=case, public_body=case.public_body, year=2026, period=4, reason="A", actor=finance
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentHold.objects.create(
            case=case,
            public_body=case.public_body,
            year=2026,
            period=4,
            reason="B",
            held_by=finance,
        )


def test_holding_and_releasing_need_their_permissions(officer, finance):
    case = planned_case()
    with pytest.raises(TransitionForbidden):
        hold_payment(
            case=case,
            public_body=case.public_body,
            year=2026,
            period=4,
            reason="A",
            actor=officer,
        )
    hold = hold_payment(
        case=case, public_body=case.public_body, year=2026, period=4, reason="A", actor=finance
    )
    with pytest.raises(TransitionForbidden):
        release_hold(hold=hold, actor=officer)


def test_the_frequency_comes_from_the_terms_then_the_body_then_the_default(finance):
    case = planned_case()
    body = case.public_body
    assert frequency_of(case, body) == Frequency.QUARTERLY
    admin = UserFactory(is_superuser=True, is_staff=True)
    set_payment_default(public_body=body, frequency=Frequency.HALF_YEARLY, actor=admin)
    assert frequency_of(case, body) == Frequency.HALF_YEARLY
    assert PaymentDefaults.objects.get().history.latest().history_user == admin
    set_payment_terms(case=case, public_body=body, frequency=Frequency.YEARLY, actor=finance)
    assert frequency_of(case, body) == Frequency.YEARLY
    assert [r.period_label for r in year_plan(2026).rows] == ["2026"]
    terms = PaymentTerms.objects.get()
    assert terms.updated_by == finance
    assert case.events.latest("pk").note == _("%(body)s pays %(frequency)s (was %(before)s).") % {
        "body": "Region Värmland",
        "frequency": str(Frequency.YEARLY.label).lower(),
        "before": str(Frequency.HALF_YEARLY.label).lower(),
    }
    with pytest.raises(TransitionForbidden):
        set_payment_default(public_body=body, frequency=Frequency.YEARLY, actor=finance)


def test_the_frequency_is_fixed_once_payments_are_recorded(finance):
    case = planned_case()
    pay(case, finance)
    with pytest.raises(PaymentRefused) as refused:
        set_payment_terms(
            case=case, public_body=case.public_body, frequency=Frequency.YEARLY, actor=finance
        )
    assert refused.value.errors["frequency"] == [
        _(
            "The payment frequency cannot change once payments or holds are recorded for "
            "this party: the recorded periods would no longer match the plan."
        )
    ]
    assert not PaymentTerms.objects.exists()


def test_the_case_plan_lists_every_year_from_the_start_latest_first(finance):
    case = planned_case(start=D(2024, 3, 1))
    pay(case, finance)
    plan = case_plan(case)
    assert [y.year for y in plan.years] == [2026, 2025, 2024]
    assert plan.year(2024).totals.planned == Decimal(500000)  # March–December
    assert plan.year(2026).totals.paid == Decimal(150000)
    assert plan.year(2026).parties[0].totals.difference == Decimal(450000)
