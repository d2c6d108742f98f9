"""The yearly statistics for the municipal board (oversight/statistics.py, /statistik/): every
number from known data, the PDF, xlsx and CSV files, who may read them, and a query count
that does not grow with the number of cases."""

from __future__ import annotations

import csv
import datetime
import io
import zoneinfo
from decimal import Decimal

import openpyxl
import pytest
import time_machine

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from agreements.constants import PartyKind, TermKind, VersionStatus
from agreements.models import Agreement, AgreementParty, AgreementVersion
from decisions.constants import MatterKind, MatterStatus, Outcome
from decisions.models import Decision, Matter
from decisions.tests.factories import meeting_of
from finance.models import Payment
from iop.constants import CaseEventKind, CaseStatus, PublicBodyKind, Transition
from iop.models import CaseEvent
from iop.tests.factories import CaseFactory, CommitteeFactory, PublicBodyFactory
from oversight.statistics import COLUMNS, yearly_statistics
from oversight.views.statistics import render_html, report_title
from partners.pdf import pdf_text

pytestmark = pytest.mark.django_db

D = datetime.date
STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")


def at(year, month, day, hour=12, minute=0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=STOCKHOLM)


# --- building known data ------------------------------------------------------------------


def move(case, to_status, when, *, kind=CaseEventKind.TRANSITION, transition=""):
    return CaseEvent.objects.create(
        case=case,
        kind=kind,
        at=when,
        transition=transition,
        from_status=CaseStatus.PREPARATION,
        to_status=to_status,
    )


_paragraph = iter(range(1, 10_000))


def decision(case, outcome, on, *, kind=MatterKind.NEW_IOP, **matter_fields):
    matter = Matter.objects.create(
        case=case,
        committee=case.committee,
        kind=kind,
        status=MatterStatus.FINAL,
        title=f"{MatterKind(kind).label} {case.title}",
        **matter_fields,
    )
    return Decision.objects.create(
        matter=matter,
        meeting=meeting_of(case.committee, date=on),
        paragraph=next(_paragraph),
        outcome=outcome,
        decision_text="Nämnden beslutar.",
    )


def signed_agreement(case, start, amounts, *, term_years=5):
    """A signed first version with ``amounts`` per full year: {public body: kronor}."""
    agreement = Agreement.objects.create(case=case)
    version = AgreementVersion.objects.create(
        agreement=agreement,
        number=1,
        status=VersionStatus.SIGNED,
        start_date=start,
        term_kind=TermKind.FIXED,
        term_years=term_years,
        signed_at=at(start.year, start.month, start.day) - datetime.timedelta(days=30),
    )
    for order, (body, amount) in enumerate(amounts.items(), start=1):
        AgreementParty.objects.create(
            version=version,
            order=order,
            kind=PartyKind.PUBLIC_BODY,
            public_body=body,
            annual_amount=Decimal(amount),
        )
    return version


def payment(case, year, amount, reference, *, corrects=None, user):
    return Payment.objects.create(
        case=case,
        public_body=case.public_body,
        year=year,
        period=1,
        paid_on=D(year, 1, 15),
        amount=Decimal(amount),
        reference=reference,
        corrects=corrects,
        recorded_by=user,
    )


@pytest.fixture
def committees(db):
    region = PublicBodyFactory()
    culture = CommitteeFactory(public_body=region)  # Kultur- och bildningsnämnden
    health = CommitteeFactory(
        public_body=region, name="Hälso- och sjukvårdsnämnden", short_code="HSN"
    )
    retired = CommitteeFactory(
        public_body=region, name="Regionala utvecklingsnämnden", short_code="RUN", is_active=False
    )
    return culture, health, retired


@pytest.fixture
def year_2025(committees, finance):
    """Known data around 2025 (the numbers in the tests below are counted from it by hand)."""
    culture, health, _retired = committees
    karlstad = PublicBodyFactory(
        name="Karlstads kommun", short_code="KSD", kind=PublicBodyKind.MUNICIPALITY
    )

    # Culture: received 3 in 2025 (the first and last days count), 1 in 2024.
    signed = CaseFactory(committee=culture, received_on=D(2024, 12, 31), status=CaseStatus.ACTIVE)
    dropped = CaseFactory(
        committee=culture, received_on=D(2025, 1, 1), status=CaseStatus.NOT_PURSUED
    )
    late = CaseFactory(committee=culture, received_on=D(2025, 6, 1), status=CaseStatus.NOT_PURSUED)
    ended = CaseFactory(committee=culture, received_on=D(2025, 12, 31), status=CaseStatus.CLOSED)

    # Not pursued in 2025: one; 00:30 on New Year's Day in Stockholm is 2026 (23:30 UTC).
    move(dropped, CaseStatus.NOT_PURSUED, at(2025, 5, 1), transition=Transition.CLOSE_NOT_PURSUED)
    move(
        late, CaseStatus.NOT_PURSUED, at(2026, 1, 1, 0, 30), transition=Transition.CLOSE_NOT_PURSUED
    )
    # Ended in 2025: one; another event that merely carries the closed stage is no ending.
    move(ended, CaseStatus.CLOSED, at(2025, 11, 30), transition=Transition.CLOSE)
    move(ended, CaseStatus.CLOSED, at(2025, 12, 1), kind=CaseEventKind.DOCUMENT)

    # Decisions on new IOPs at culture's 2025 meetings: 5 (3 approved, 1 rejected, 1 back).
    for outcome, on in [
        (Outcome.APPROVED, D(2025, 3, 12)),
        (Outcome.APPROVED, D(2025, 3, 12)),
        (Outcome.APPROVED_WITH_CHANGES, D(2025, 9, 10)),
        (Outcome.REJECTED, D(2025, 9, 10)),
        (Outcome.REFERRED_BACK, D(2025, 12, 17)),
    ]:
        decision(CaseFactory(committee=culture, received_on=D(2023, 5, 1)), outcome, on)
    # Not counted: a follow-up in 2025, a new IOP decided in 2024 (the signed case's).
    decision(signed, Outcome.APPROVED, D(2025, 4, 9), kind=MatterKind.FOLLOW_UP)
    decision(signed, Outcome.APPROVED, D(2024, 2, 14))

    # The signed case: the region pays 600 000 kr per full year from 1 March 2024, raised by
    # 50 000 kr from 1 June 2025; Karlstad 100 000 kr.
    signed_agreement(signed, D(2024, 3, 1), {signed.public_body: 600_000, karlstad: 100_000})
    decision(
        signed,
        Outcome.APPROVED,
        D(2025, 5, 14),
        kind=MatterKind.RENEGOTIATION,
        amount_change=Decimal(50_000),
        change_from=D(2025, 6, 1),
    )
    # Paid for 2025: 300 000 corrected to 250 000, and 150 000; for 2024: 100 000.
    wrong = payment(signed, 2025, 300_000, "V-1", user=finance)
    payment(signed, 2025, 250_000, "V-2", corrects=wrong, user=finance)
    payment(signed, 2025, 150_000, "V-3", user=finance)
    payment(signed, 2024, 100_000, "V-0", user=finance)

    # Health: received 1, one rejection, an agreement of 120 000 kr a year from 1 July 2025.
    health_case = CaseFactory(committee=health, received_on=D(2025, 2, 2), status=CaseStatus.ACTIVE)
    decision(
        CaseFactory(committee=health, received_on=D(2024, 1, 1)), Outcome.REJECTED, D(2025, 10, 1)
    )
    signed_agreement(health_case, D(2025, 7, 1), {health_case.public_body: 120_000})
    return culture, health


def as_dict(row) -> dict:
    return {c.key: v for c, v in zip(COLUMNS, row.values(), strict=True)}


def sv(text) -> str:
    """``text`` as a Swedish user reads it (the msgid until the translation is merged)."""
    with translation.override("sv"):
        return translation.gettext(text) if isinstance(text, str) else str(text)


CULTURE_2025 = {
    "received": 3,
    "not_pursued": 1,
    "decided": 5,
    "approved": 3,
    "rejected": 1,
    "referred_back": 1,
    "ended": 1,
    # 5/12 × 600 000 + 7/12 × 650 000 = 629 166,67; Karlstad 100 000.
    "planned": Decimal("729166.67"),
    "paid": Decimal("400000.00"),
}
HEALTH_2025 = {
    "received": 1,
    "not_pursued": 0,
    "decided": 1,
    "approved": 0,
    "rejected": 1,
    "referred_back": 0,
    "ended": 0,
    "planned": Decimal("60000.00"),  # July–December
    "paid": Decimal(0),
}


# --- the numbers --------------------------------------------------------------------------


def test_every_number_of_the_year_per_committee_and_the_total(year_2025):
    culture, health = year_2025
    stats = yearly_statistics(2025)

    by_committee = {row.committee: as_dict(row) for row in stats.rows}
    # The retired committee has nothing in 2025 and is left out; the active ones stay.
    assert list(by_committee) == [health, culture]
    assert by_committee[culture] == CULTURE_2025
    assert by_committee[health] == HEALTH_2025
    assert stats.total.is_total
    assert as_dict(stats.total) == {k: CULTURE_2025[k] + HEALTH_2025[k] for k in CULTURE_2025}
    assert stats.public_bodies == ("Region Värmland",)
    assert not stats.is_partial


def test_the_last_five_years_are_the_totals_of_each_year(year_2025):
    series = yearly_statistics(2025).series
    assert [row.year for row in series] == [2021, 2022, 2023, 2024, 2025]
    by_year = {row.year: as_dict(row) for row in series}
    assert by_year[2025]["received"] == 4
    assert by_year[2024] == {
        "received": 2,  # the signed case on 31 December and health's on 1 January
        "not_pursued": 0,
        "decided": 1,
        "approved": 1,
        "rejected": 0,
        "referred_back": 0,
        "ended": 0,
        # March–December 2024: 10/12 of 600 000 and of 100 000.
        "planned": Decimal("583333.33"),
        "paid": Decimal("100000.00"),
    }
    assert by_year[2023]["received"] == 5
    assert as_dict(series[0]) == dict.fromkeys(by_year[2024], 0)
    # The New Year's night case counts in 2026.
    assert as_dict(yearly_statistics(2026).total)["not_pursued"] == 1


def test_a_committee_filter_keeps_its_row_and_its_series(year_2025):
    culture, health = year_2025
    stats = yearly_statistics(2025, committee=health)
    assert [row.committee for row in stats.rows] == [health]
    assert as_dict(stats.total) == HEALTH_2025
    assert [as_dict(r)["received"] for r in stats.series] == [0, 0, 0, 1, 1]


def test_a_retired_committee_with_numbers_is_shown(committees):
    _culture, _health, retired = committees
    CaseFactory(committee=retired, received_on=D(2025, 4, 1))
    assert retired in [row.committee for row in yearly_statistics(2025).rows]
    assert retired not in [row.committee for row in yearly_statistics(2024).rows]


def test_the_real_path_through_the_services_is_counted(committees, officer):
    """A case registered, approved by the committee and signed through the services; another
    closed as not pursued: the statistics count them as the dates they happened."""
    from agreements.tests.factories import agreement_at
    from iop.services.transition import case_transition
    from iop.tests.factories import ChecklistFactory

    culture = committees[0]
    with time_machine.travel(at(2026, 3, 2), tick=False):
        dropped = CaseFactory(committee=culture, status=CaseStatus.PREPARATION, officer=officer)
        ChecklistFactory(case=dropped, all_met=False)
        case_transition(
            case=dropped,
            name=Transition.CLOSE_NOT_PURSUED,
            actor=officer,
            data={"closing_reason": "Verksamheten finns redan upphandlad."},
        )
    signed = CaseFactory(committee=culture, status=CaseStatus.DRAFTING, officer=officer)
    agreement_at(signed, "signed")  # decided today; the agreement starts 1 January 2027

    this_year = yearly_statistics(2026, committee=culture)
    assert this_year.is_partial
    total = as_dict(this_year.total)
    assert (total["received"], total["not_pursued"], total["decided"], total["approved"]) == (
        2,
        1,
        1,
        1,
    )
    assert total["planned"] == 0
    assert as_dict(yearly_statistics(2027, committee=culture).total)["planned"] == Decimal(600_000)


# --- the page and the files ---------------------------------------------------------------

PAGE = reverse("oversight:statistics")


def export(year, fmt, **query):
    url = reverse("oversight:statistics_export", args=[year, fmt])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_the_page_shows_the_numbers_the_definitions_and_the_exports(client, coordinator, year_2025):
    culture, _health = year_2025
    client.force_login(coordinator)
    response = client.get(PAGE, {"year": 2025})
    assert response["Cache-Control"] == "private, no-store"
    page = response.content.decode()
    assert 'data-committee="total"' in page
    assert f'data-committee="{culture.pk}"' in page
    assert 'data-column="planned" data-value="729167"' in page
    assert 'data-column="planned" data-value="789167"' in page  # the total
    assert "729\u202f167" in page  # whole kronor, grouped
    assert 'data-column="decided" data-value="6"' in page
    assert sv(COLUMNS[0].definition) in page
    assert export(2025, "pdf") in page
    assert 'id="partial-note"' not in page


def test_the_current_year_is_the_default_and_is_marked_so_far(client, auditor, committees):
    client.force_login(auditor)
    with time_machine.travel(at(2026, 5, 20), tick=False):
        page = client.get(PAGE).content.decode()
    assert 'id="partial-note"' in page
    assert '<option value="2026" selected>' in page


def test_a_committee_and_a_year_not_offered(client, coordinator, year_2025):
    culture, health = year_2025
    client.force_login(coordinator)
    page = client.get(PAGE, {"year": 2025, "committee": health.pk}).content.decode()
    assert f'data-committee="{culture.pk}"' not in page
    assert export(2025, "xlsx", committee=health.pk) in page
    refused = client.get(PAGE, {"year": 1850}).content.decode()
    assert 'id="filter-errors"' in refused


def test_the_pdf_reads_the_numbers_and_the_definitions(client, coordinator, year_2025):
    client.force_login(coordinator)
    response = client.get(export(2025, "pdf"))
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    assert 'filename="iop-statistik-2025.pdf"' in response["Content-Disposition"]
    text = pdf_text(response.content)
    with translation.override("sv"):
        assert report_title(2025) in text  # «IOP-statistik 2025»
    assert "Region Värmland" in text
    assert "Kultur- och bildningsnämnden" in text
    assert "729\u202f167" in text or "729 167" in text
    assert "789\u202f167" in text or "789 167" in text
    assert "Sida 1 av" in text
    with time_machine.travel(at(2026, 12, 4), tick=False):
        html = render_html(yearly_statistics(2025))
    assert "4 december 2026" in html


def test_the_pdf_html_names_every_column_and_its_definition(year_2025):
    html = render_html(yearly_statistics(2025))
    for column in COLUMNS:
        assert escape(sv(column.label)) in html
        assert escape(sv(column.definition)) in html


def test_the_xlsx_has_the_year_the_series_and_the_definitions(client, finance, year_2025):
    client.force_login(finance)
    response = client.get(export(2025, "xlsx"))
    assert response["Cache-Control"] == "private, no-store"
    assert 'filename="iop-statistik-2025.xlsx"' in response["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    table, series, definitions = workbook.worksheets
    rows = list(table.iter_rows(values_only=True))
    assert rows[0] == (sv("Committee"), sv("Public body"), *(sv(c.label) for c in COLUMNS))
    culture = next(r for r in rows if r[0] == "Kultur- och bildningsnämnden")
    assert culture[2:] == (3, 1, 5, 3, 1, 1, 1, 729166.67, 400000.0)
    assert rows[-1][2:] == (4, 1, 6, 3, 2, 1, 1, 789166.67, 400000.0)
    assert [r[0] for r in series.iter_rows(min_row=2, values_only=True)] == [
        2021,
        2022,
        2023,
        2024,
        2025,
    ]
    assert definitions.max_row == 1 + 9


def test_the_csv_has_one_line_per_committee_and_the_total(client, secretary, year_2025):
    _culture, health = year_2025
    client.force_login(secretary)
    response = client.get(export(2025, "csv", committee=health.pk))
    assert response["Cache-Control"] == "private, no-store"
    assert 'filename="iop-statistik-2025-hsn.csv"' in response["Content-Disposition"]
    content = response.content.decode("utf-8")
    assert content.startswith("\ufeff")
    lines = list(csv.reader(io.StringIO(content.lstrip("\ufeff")), delimiter=";"))
    assert len(lines) == 3
    assert lines[1] == [
        "2025",
        "Hälso- och sjukvårdsnämnden",
        "Region Värmland",
        "1",
        "0",
        "1",
        "0",
        "1",
        "0",
        "0",
        "60000,00",
        "0,00",
    ]
    assert lines[2][1] == sv("Total")


@pytest.mark.parametrize("fmt", ["docx", "PDF", "json"])
def test_an_unknown_format_is_not_found(client, coordinator, fmt):
    client.force_login(coordinator)
    assert client.get(export(2025, fmt)).status_code == 404


def test_an_unknown_committee_in_an_export_is_not_found(client, coordinator, committees):
    client.force_login(coordinator)
    assert client.get(export(2025, "csv", committee=999_999)).status_code == 404
    assert client.get(export(2025, "csv", committee="x")).status_code == 404


# --- who may read them --------------------------------------------------------------------

STAFF = ["officer", "coordinator", "jurist", "secretary", "auditor", "finance"]


@pytest.mark.parametrize("role", STAFF)
@pytest.mark.parametrize("fmt", [None, "csv", "xlsx"])
def test_every_staff_role_reads_the_statistics(client, request, role, fmt, committees):
    client.force_login(request.getfixturevalue(role))
    response = client.get(PAGE if fmt is None else export(2025, fmt))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize("fmt", [None, "pdf", "csv", "xlsx"])
def test_a_user_without_a_staff_role_is_refused(client, make_user, fmt, committees):
    client.force_login(make_user(None, username="utan-roll"))
    response = client.get(PAGE if fmt is None else export(2025, fmt))
    assert response.status_code == 403


@pytest.mark.parametrize("fmt", [None, "pdf", "csv"])
def test_an_anonymous_visitor_is_sent_to_the_login(client, fmt):
    response = client.get(PAGE if fmt is None else export(2025, fmt))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


# --- the query count does not grow with the cases -----------------------------------------


def _signed_cases(committee, count, user):
    for n in range(count):
        case = CaseFactory(committee=committee, received_on=D(2025, 2, 1), status=CaseStatus.ACTIVE)
        signed_agreement(case, D(2025, 1, 1), {case.public_body: 100_000})
        decision(case, Outcome.APPROVED, D(2024, 11, 20))
        move(case, CaseStatus.CLOSED, at(2025, 12, 1), transition=Transition.CLOSE)
        payment(case, 2025, 100_000, f"Q-{committee.pk}-{n}", user=user)


@pytest.mark.parametrize("url", [PAGE + "?year=2025", export(2025, "csv"), export(2025, "xlsx")])
def test_the_query_count_is_the_same_with_one_case_and_ten(
    client, coordinator, committees, finance, django_assert_num_queries, url
):
    culture, health, _retired = committees
    client.force_login(coordinator)
    _signed_cases(culture, 1, finance)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    _signed_cases(health, 9, finance)
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200
    assert as_dict(yearly_statistics(2025).total)["planned"] == Decimal(1_000_000)


def test_the_statistics_read_a_fixed_number_of_queries(
    committees, finance, django_assert_num_queries
):
    culture, health, _retired = committees
    _signed_cases(culture, 1, finance)
    with django_assert_num_queries(10):
        yearly_statistics(2025)
    _signed_cases(health, 9, finance)
    with django_assert_num_queries(10):
        stats = yearly_statistics(2025)
    assert as_dict(stats.total)["ended"] == 10
