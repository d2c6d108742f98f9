"""Finance's pages: who may read and write (every role, every view, GET and POST), refusals
shown again with what was typed, the exports' content, the panels, and the query counts."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from openpyxl import load_workbook

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext as _

from iop.constants import Role

from ..constants import Frequency
from ..exports import headings
from ..models import Payment, PaymentHold, PaymentTerms
from ..plan import RULE_TEXT
from ..services.payments import hold_payment, record_payment
from .factories import planned_case

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Europe/Stockholm")
D = datetime.date
ROLES = [
    Role.CASE_OFFICER,
    Role.COORDINATOR,
    Role.JURIST,
    Role.SECRETARY,
    Role.AUDITOR,
    Role.FINANCE,
]


@pytest.fixture(autouse=True)
def autumn_2026():
    with time_machine.travel(datetime.datetime(2026, 9, 15, 10, 0, tzinfo=TZ), tick=False):
        yield


def paid(case, finance, period=1, reference="VER-2026-0412", amount=Decimal(150000)):
    return record_payment(
        case=case,
        public_body=case.public_body,
        year=2026,
        period=period,
        paid_on=D(2026, 1, 3),
        amount=amount,
        reference=reference,
        actor=finance,
    )


def held(case, finance, period=3):
    return hold_payment(
        case=case,
        public_body=case.public_body,
        year=2026,
        period=period,
        reason="Årsredovisningen för 2025 har inte kommit in",
        actor=finance,
    )


# --- Who may do what -----------------------------------------------------------------------


def read_urls(case):
    return [
        reverse("finance:year_plan"),
        reverse("finance:year_plan_export", args=[2026, "xlsx"]),
        reverse("finance:year_plan_export", args=[2026, "csv"]),
        reverse("finance:case_payments", args=[case.pk]),
    ]


def write_urls(case, payment, hold):
    body = case.public_body.pk
    return {
        reverse("finance:payment_new", args=[case.pk, body, 2026, 4]): {
            "paid_on": "2026-09-01",
            "amount": "150 000",
            "reference": "VER-2026-0999",
        },
        reverse("finance:hold_new", args=[case.pk, body, 2026, 4]): {"reason": "Saknas"},
        reverse("finance:payment_correct", args=[case.pk, payment.pk]): {
            "paid_on": "2026-01-03",
            "amount": "0",
            "reference": "VER-2026-0998",
            "note": "Dubbel",
        },
        reverse("finance:hold_release", args=[case.pk, hold.pk]): {"note": ""},
        reverse("finance:terms_edit", args=[case.pk, body]): {"frequency": "yearly"},
    }


def test_anonymous_users_are_sent_to_the_login(client, finance):
    case = planned_case()
    payment, hold = paid(case, finance), held(case, finance)
    for url in [*read_urls(case), *write_urls(case, payment, hold)]:
        response = client.get(url)
        assert response.status_code == 302 and "/konto/logga-in/" in response["Location"], url


@pytest.mark.parametrize("role", ROLES)
def test_every_staff_role_reads_the_plan_the_exports_and_the_case_payments(
    client, make_user, finance, role
):
    case = planned_case()
    paid(case, finance)
    client.force_login(make_user(role))
    for url in read_urls(case):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url
    page = client.get(reverse("finance:case_payments", args=[case.pk])).content.decode()
    assert "VER-2026-0412" in page
    assert ('id="pay-' in page) == (role == Role.FINANCE)


def test_a_user_without_a_role_is_refused_everything(client, make_user, finance):
    case = planned_case()
    payment, hold = paid(case, finance), held(case, finance)
    client.force_login(make_user(None))
    for url in read_urls(case):
        assert client.get(url).status_code == 403, url
    for url, data in write_urls(case, payment, hold).items():
        assert client.get(url).status_code == 403, url
        assert client.post(url, data).status_code == 403, url


@pytest.mark.parametrize("role", [r for r in ROLES if r != Role.FINANCE])
def test_only_finance_writes(client, make_user, finance, role):
    case = planned_case()
    payment, hold = paid(case, finance), held(case, finance)
    client.force_login(make_user(role))
    for url, data in write_urls(case, payment, hold).items():
        assert client.get(url).status_code == 403, url
        assert client.post(url, data).status_code == 403, url
    assert Payment.objects.count() == 1
    assert PaymentHold.objects.get().is_open
    assert not PaymentTerms.objects.exists()


def test_finance_writes_each_thing_through_its_page(client, finance):
    case = planned_case()
    payment, hold = paid(case, finance), held(case, finance)
    client.force_login(finance)
    urls = write_urls(case, payment, hold)
    for url in urls:
        assert client.get(url).status_code == 200, url
    payments_url = reverse("finance:case_payments", args=[case.pk])
    (
        (pay_url, pay),
        (hold_url, hold_data),
        (correct_url, correction),
        (release_url, release),
        (
            terms_url,
            terms,
        ),
    ) = urls.items()
    assert client.post(pay_url, pay)["Location"].startswith(payments_url)
    assert Payment.objects.get(reference="VER-2026-0999").amount == Decimal(150000)
    assert client.post(correct_url, correction).status_code == 302
    assert Payment.objects.get(reference="VER-2026-0998").corrects == payment
    assert client.post(release_url, release).status_code == 302
    assert not PaymentHold.objects.get(pk=hold.pk).is_open
    # Period 4 is paid in full now: holding it is refused on the page, with the reason.
    refused = client.post(hold_url, hold_data)
    assert refused.status_code == 200
    assert (
        escape(_("This period is already paid in full: there is nothing to hold."))
        in refused.content.decode()
    )
    # Payments are recorded: the frequency is fixed, and the page says why.
    refused = client.post(terms_url, terms)
    assert (
        escape(
            _(
                "The payment frequency cannot change once payments or holds are recorded for "
                "this party: the recorded periods would no longer match the plan."
            )
        )
        in refused.content.decode()
    )


def test_a_period_or_payment_of_another_case_is_404(client, finance):
    case, other = planned_case(), planned_case()
    payment = paid(other, finance)
    hold = held(other, finance)
    client.force_login(finance)
    assert (
        client.get(reverse("finance:payment_correct", args=[case.pk, payment.pk])).status_code
        == 404
    )
    assert client.get(reverse("finance:hold_release", args=[case.pk, hold.pk])).status_code == 404
    body = case.public_body.pk
    assert (
        client.get(reverse("finance:payment_new", args=[case.pk, body, 2026, 5])).status_code == 404
    )
    assert (
        client.get(reverse("finance:payment_new", args=[case.pk, body, 2022, 1])).status_code == 404
    )
    assert client.get(reverse("finance:case_payments", args=[999999])).status_code == 404


# --- The forms ---------------------------------------------------------------------------


def test_the_payment_form_is_prefilled_with_what_is_left_to_pay(client, finance):
    case = planned_case()
    client.force_login(finance)
    url = reverse("finance:payment_new", args=[case.pk, case.public_body.pk, 2026, 2])
    form = client.get(url).context["form"]
    assert 'value="150000"' in str(form["amount"])


def test_a_duplicate_reference_is_refused_on_the_page_with_what_was_typed(client, finance):
    case = planned_case()
    paid(case, finance)
    client.force_login(finance)
    url = reverse("finance:payment_new", args=[case.pk, case.public_body.pk, 2026, 2])
    response = client.post(
        url,
        {
            "paid_on": "2026-04-02",
            "amount": "154 166,67",
            "reference": "VER-2026-0412",
            "note": "Andra kvartalet",
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["reference"] == [
        _("Reference %(reference)s is already recorded for %(body)s.")
        % {"reference": "VER-2026-0412", "body": "Region Värmland"}
    ]
    html = response.content.decode()
    assert 'value="154 166,67"' in html and "Andra kvartalet" in html
    assert Payment.objects.count() == 1


def test_typed_amounts_are_read_the_swedish_way(client, finance):
    case = planned_case()
    client.force_login(finance)
    url = reverse("finance:payment_new", args=[case.pk, case.public_body.pk, 2026, 2])
    client.post(url, {"paid_on": "2026-04-02", "amount": "154 166,67 kr", "reference": "V-1"})
    assert Payment.objects.get().amount == Decimal("154166.67")
    response = client.post(url, {"paid_on": "2026-04-02", "amount": "mycket", "reference": "V-2"})
    assert response.context["form"].errors["amount"] == [
        _("Enter the amount in kronor, e.g. 150 000 or 154 166,67.")
    ]


def test_a_held_period_shows_its_reason_and_refuses_a_payment_on_the_page(client, finance):
    case = planned_case()
    held(case, finance)
    client.force_login(finance)
    page = client.get(reverse("finance:case_payments", args=[case.pk])).content.decode()
    assert "Årsredovisningen för 2025 har inte kommit in" in page
    assert f'id="release-{case.public_body.pk}-2026-3"' in page
    assert f'id="pay-{case.public_body.pk}-2026-3"' not in page
    url = reverse("finance:payment_new", args=[case.pk, case.public_body.pk, 2026, 3])
    response = client.post(url, {"paid_on": "2026-07-02", "amount": "150000", "reference": "V-1"})
    assert (
        escape(
            _("This period is held (%(reason)s): release the hold before recording a payment.")
            % {"reason": "Årsredovisningen för 2025 har inte kommit in"}
        )
        in response.content.decode()
    )
    assert not Payment.objects.exists()


# --- The year plan and its exports ---------------------------------------------------------


def test_the_plan_filters_by_status_and_shows_the_rule(client, finance, coordinator):
    case = planned_case()
    paid(case, finance)
    held(case, finance)
    client.force_login(coordinator)
    url = reverse("finance:year_plan")
    response = client.get(url)
    plan = response.context["plan"]
    assert plan.year == 2026
    assert [r.status for r in plan.rows] == ["paid", "overdue", "held", "unpaid"]
    assert plan.totals.planned == Decimal(600000) and plan.totals.paid == Decimal(150000)
    assert escape(str(RULE_TEXT)) in response.content.decode()
    for status, expected in [("overdue", [2]), ("held", [3]), ("paid", [1]), ("unpaid", [2, 4])]:
        rows = client.get(url, {"status": status}).context["plan"].rows
        assert [r.period.period for r in rows] == expected, status
    assert client.get(url, {"year": 2025}).context["plan"].totals.planned == Decimal(600000)
    assert client.get(url, {"q": "finns inte"}).context["plan"].rows == []
    assert len(client.get(url, {"q": case.registry_number}).context["plan"].rows) == 4


def test_the_plan_is_paginated(client, finance):
    for _n in range(13):  # 13 cases × 4 quarters = 52 rows
        planned_case()
    client.force_login(finance)
    response = client.get(reverse("finance:year_plan"))
    assert len(response.context["rows"]) == 50
    assert len(client.get(reverse("finance:year_plan"), {"page": 2}).context["rows"]) == 2


def test_the_csv_is_for_swedish_excel(client, finance):
    case = planned_case()
    paid(case, finance)
    held(case, finance)
    client.force_login(finance)
    response = client.get(reverse("finance:year_plan_export", args=[2026, "csv"]))
    assert response["Content-Disposition"] == 'attachment; filename="utbetalningsplan-2026.csv"'
    body = response.content
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == headings()
    assert rows[0][0] == _("Registry number") and rows[0][-1] == _("Held because")
    organisation = case.organisations.get()
    assert rows[1] == [
        case.registry_number,
        organisation.name,
        organisation.org_number_display,
        "Region Värmland",
        case.committee.name,
        "2026 Q1",
        "2026-01-01",
        "150000,00",
        "150000,00",
        "0,00",
        "",
    ]
    assert rows[3][5:] == [
        "2026 Q3",
        "2026-07-01",
        "150000,00",
        "0,00",
        "150000,00",
        "Årsredovisningen för 2025 har inte kommit in",
    ]
    assert len(rows) == 5


def test_the_xlsx_has_numbers_and_dates(client, finance):
    case = planned_case()
    paid(case, finance)
    client.force_login(finance)
    response = client.get(
        reverse("finance:year_plan_export", args=[2026, "xlsx"]), {"status": "paid"}
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == headings()
    assert len(values) == 2
    assert values[1][0] == case.registry_number
    assert values[1][6].date() == D(2026, 1, 1)
    assert values[1][7:10] == (150000, 150000, 0)


def test_an_unknown_export_format_is_404(client, finance):
    client.force_login(finance)
    assert client.get("/utbetalningar/2026.pdf").status_code == 404


# --- The panels --------------------------------------------------------------------------


def test_the_case_page_shows_this_years_payments_and_an_open_hold(client, finance, officer):
    case = planned_case()
    paid(case, finance)
    held(case, finance)
    client.force_login(officer)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'id="case-payments"' in page
    assert "Årsredovisningen för 2025 har inte kommit in" in page
    assert "600\u202f000\xa0kr" in page and "450\u202f000\xa0kr" in page


def test_finance_start_page_shows_overdue_and_held_payments(client, finance, officer):
    case = planned_case()
    held(case, finance)
    client.force_login(finance)
    page = client.get(reverse("home")).content.decode()
    assert 'id="finance-panel"' in page
    assert page.count(f'data-case="{case.pk}" data-status="overdue"') == 2  # Q1 and Q2
    assert f'data-case="{case.pk}" data-status="held"' in page
    client.force_login(officer)
    assert 'id="finance-panel"' not in client.get(reverse("home")).content.decode()


# --- Query counts ------------------------------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _busy_case(finance, **kwargs):
    case = planned_case(**kwargs)
    paid(case, finance, reference=f"VER-{case.pk}-1")
    held(case, finance)
    return case


def test_the_year_plan_and_its_export_cost_the_same_queries_for_1_and_5_cases(client, finance):
    _busy_case(finance)
    client.force_login(finance)
    urls = [
        reverse("finance:year_plan"),
        reverse("finance:year_plan_export", args=[2026, "csv"]),
        reverse("finance:year_plan_export", args=[2026, "xlsx"]),
        reverse("home"),
    ]
    one = [_queries(client, url) for url in urls]
    for _n in range(4):
        _busy_case(finance)
    five = [_queries(client, url) for url in urls]
    assert one == five
    assert len(client.get(urls[0]).context["plan"].rows) == 20


def test_the_case_payments_page_costs_the_same_queries_for_1_and_5_years(client, finance):
    short = _busy_case(finance, start=D(2026, 1, 1))
    long = _busy_case(finance, start=D(2022, 1, 1))
    for year in (2022, 2023, 2024):
        record_payment(
            case=long,
            public_body=long.public_body,
            year=year,
            period=1,
            paid_on=D(year, 1, 5),
            amount=Decimal(150000),
            reference=f"V-{year}",
            actor=finance,
        )
    client.force_login(finance)
    assert _queries(client, reverse("finance:case_payments", args=[short.pk])) == _queries(
        client, reverse("finance:case_payments", args=[long.pk])
    )
    assert _queries(client, reverse("cases:detail", args=[short.pk])) == _queries(
        client, reverse("cases:detail", args=[long.pk])
    )


def test_the_terms_page_saves_the_frequency(client, finance):
    case = planned_case()
    client.force_login(finance)
    url = reverse("finance:terms_edit", args=[case.pk, case.public_body.pk])
    assert client.get(url).context["form"]["frequency"].value() == Frequency.QUARTERLY
    assert client.post(url, {"frequency": Frequency.HALF_YEARLY}).status_code == 302
    page = client.get(reverse("finance:case_payments", args=[case.pk])).content.decode()
    assert "2026 H2" in page
