"""The portfolio (/portfolj/): each table's content on known data, the charts' SVG (no script,
a title and a description, role=img, the palette's contrast), the xlsx export, who may read
it, and the same number of queries with one case and with ten."""

from __future__ import annotations

import datetime
import io
import re
from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta
from openpyxl import load_workbook

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from agreements.constants import BudgetKind, PartyKind
from agreements.models import BudgetLine
from agreements.tests.factories import agreement_at, drafting_case
from followups.tests.factories import active_case
from iop.constants import CaseStatus, Role
from iop.tests.factories import CaseFactory, CommitteeFactory

from .. import charts
from ..portfolio import PortfolioFilter, portfolio, table_xlsx

pytestmark = pytest.mark.django_db

ROLES = [
    Role.CASE_OFFICER,
    Role.COORDINATOR,
    Role.JURIST,
    Role.SECRETARY,
    Role.FINANCE,
    Role.AUDITOR,
]
NARROW = "\u202f"
NBSP = "\xa0"


def today() -> datetime.date:
    return timezone.localdate()


def kr(text: str) -> str:
    """«600 000 kr» as the page writes it (narrow no-break space, no-break space)."""
    return text.replace(" ", NARROW).replace(NARROW + "kr", NBSP + "kr")


@pytest.fixture
def kbn():
    return CommitteeFactory(name="Kultur- och bildningsnämnden", short_code="KBN")


@pytest.fixture
def hsn():
    return CommitteeFactory(name="Hälso- och sjukvårdsnämnden", short_code="HSN")


def signed_case(committee, *, partner_money: Decimal = Decimal(50_000)):
    """An active IOP whose signed agreement pays 600 000 kr per full year from 1 January 2027;
    its organisation gives 2 000 volunteer hours × 300 kr and premises worth 120 000 kr in
    2027 (agreements' factory), and here also ``partner_money`` in money."""
    version = agreement_at(drafting_case(committee=committee), "signed")
    organisation = version.parties.get(kind=PartyKind.ORGANISATION)
    BudgetLine.objects.create(
        version=version,
        party=organisation,
        year=2027,
        kind=BudgetKind.MONEY,
        description="Föreningens egna medel",
        amount=partner_money,
    )
    return version.agreement.case


@pytest.fixture
def data(kbn, hsn):
    """KBN: one active IOP with a signed agreement (on time), one not pursued (2024).
    HSN: one initiative received in 2025, one active IOP with overdue check-ins, one with a
    check-in due in five days."""
    signed = signed_case(kbn)
    CaseFactory(committee=kbn, status=CaseStatus.NOT_PURSUED, received_on=datetime.date(2024, 5, 2))
    CaseFactory(committee=hsn, status=CaseStatus.RECEIVED, received_on=datetime.date(2025, 3, 10))
    overdue = active_case(today() - relativedelta(years=1, months=1), committee=hsn)
    due = active_case(today() - relativedelta(months=6) + datetime.timedelta(days=5), committee=hsn)
    return {"signed": signed, "overdue": overdue, "due": due}


def values(table, key: str) -> tuple:
    return next(r.values for r in table.rows if r.key == key)


# --- The tables ------------------------------------------------------------------------------


def test_the_stages_table_counts_every_case_by_stage_and_committee(coordinator, data, kbn, hsn):
    table = portfolio(user=coordinator, filter_=PortfolioFilter()).table("skeden")
    assert [c.key for c in table.columns] == [str(hsn.pk), str(kbn.pk), "all"]  # by name
    assert values(table, CaseStatus.ACTIVE) == (2, 1, 3)
    assert values(table, CaseStatus.RECEIVED) == (1, 0, 1)
    assert values(table, CaseStatus.NOT_PURSUED) == (0, 1, 1)
    assert values(table, CaseStatus.DRAFTING) == (0, 0, 0)
    assert [r.key for r in table.rows] == list(CaseStatus.values)
    assert table.total.values == (3, 2, 5)


def test_the_money_table_sets_the_payment_plan_against_the_partners_budget(coordinator, data):
    table = portfolio(
        user=coordinator, filter_=PortfolioFilter(), today=datetime.date(2026, 12, 4)
    ).table("pengar")
    assert [r.key for r in table.rows] == [str(y) for y in range(2022, 2028)]
    # Public 600 000 kr by the payment plan; partners 50 000 kr money, 600 000 kr of volunteer
    # work (2 000 h × 300 kr) and 120 000 kr of premises in kind.
    assert values(table, "2027") == (
        Decimal("600000.00"),
        Decimal(50_000),
        Decimal(720_000),
        Decimal(770_000),
    )
    assert values(table, "2026") == (0, 0, 0, 0)
    assert table.total.values[0] == Decimal("600000.00")


def test_the_money_table_counts_only_the_agreement_in_force(coordinator, data, kbn):
    # A second IOP still drafting: its budget is not money anyone pays or gives yet.
    agreement_at(drafting_case(committee=kbn), "submitted")
    table = portfolio(
        user=coordinator, filter_=PortfolioFilter(year=2027), today=datetime.date(2026, 12, 4)
    ).table("pengar")
    assert [r.key for r in table.rows] == ["2027"]
    assert values(table, "2027")[:3] == (Decimal("600000.00"), Decimal(50_000), Decimal(720_000))


def test_the_health_table_sorts_followed_iops_into_on_time_due_and_overdue(
    coordinator, data, kbn, hsn
):
    table = portfolio(user=coordinator, filter_=PortfolioFilter()).table("uppfoljning")
    # on time, due soon, overdue, missing committee follow-up, followed in total
    assert values(table, str(hsn.pk)) == (0, 1, 1, 0, 2)
    assert values(table, str(kbn.pk)) == (1, 0, 0, 0, 1)
    assert table.total.values == (1, 1, 1, 0, 3)


def test_the_initiatives_table_counts_per_year_and_per_quarter(coordinator, data):
    this = today().year
    table = portfolio(user=coordinator, filter_=PortfolioFilter()).table("initiativ")
    assert [r.key for r in table.rows] == [str(y) for y in range(2024, this + 1)]
    assert values(table, "2024") == (1,)
    assert values(table, "2025") == (1,)
    assert values(table, str(this)) == (3,)
    by_quarter = portfolio(user=coordinator, filter_=PortfolioFilter(year=2025)).table("initiativ")
    assert [r.values[0] for r in by_quarter.rows] == [1, 0, 0, 0]


def test_a_committee_filter_keeps_to_its_cases(coordinator, data, kbn, hsn):
    result = portfolio(
        user=coordinator, filter_=PortfolioFilter(committee=hsn), today=datetime.date(2026, 12, 4)
    )
    stages = result.table("skeden")
    assert [c.key for c in stages.columns] == [str(hsn.pk)]
    assert stages.total.values == (3,)
    assert values(result.table("pengar"), "2027") == (0, 0, 0, 0)  # the signed IOP is KBN's
    assert [r.key for r in result.table("uppfoljning").rows] == [str(hsn.pk)]
    # A year: the initiatives received that year, by their stage today.
    kbn_2024 = portfolio(user=coordinator, filter_=PortfolioFilter(committee=kbn, year=2024))
    assert kbn_2024.table("skeden").total.values == (1,)
    assert values(kbn_2024.table("skeden"), CaseStatus.NOT_PURSUED) == (1,)


def test_a_user_without_a_staff_role_counts_nothing(make_user, data):
    nobody = make_user(None, username="nobody")
    result = portfolio(user=nobody, filter_=PortfolioFilter())
    assert result.table("skeden").columns == ()
    assert result.table("uppfoljning").rows == ()


# --- The charts ---------------------------------------------------------------------------


def contrast_on_white(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    luminance = 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
    return 1.05 / (luminance + 0.05)


def test_every_series_colour_has_three_to_one_contrast_on_white_and_text_four_and_a_half():
    for colour in {*charts.PALETTE, *charts.MONEY_COLOURS, *charts.HEALTH_COLOURS}:
        assert contrast_on_white(colour) >= 3, colour
    assert contrast_on_white(charts.TEXT) >= 4.5
    assert contrast_on_white(charts.TEXT_SUBTLE) >= 4.5


def test_each_chart_is_an_accessible_svg_without_script(coordinator, data):
    result = portfolio(
        user=coordinator, filter_=PortfolioFilter(), today=datetime.date(2026, 12, 4)
    )
    for table in result.tables:
        svg = str(charts.render_chart(table))
        assert svg.startswith("<svg")
        assert "<script" not in svg.lower()
        assert "<?xml" not in svg
        chart_id = f"chart-{table.slug}"
        assert f'id="{chart_id}"' in svg
        assert 'role="img"' in svg
        assert f'aria-labelledby="{chart_id}-title"' in svg
        assert f'aria-describedby="{chart_id}-desc"' in svg
        # Our title and description come first and are the only ones (pygal's tooltips gone).
        assert re.search(rf'^<svg[^>]*><title id="{chart_id}-title">', svg)
        assert svg.count("<title") == 1 and svg.count("<desc") == 1
        assert f'<title id="{chart_id}-title">{table.title}</title>' in svg


def test_the_text_alternative_summarises_the_numbers_in_swedish(coordinator, data, hsn):
    with translation.override("en"):
        result = portfolio(
            user=coordinator, filter_=PortfolioFilter(), today=datetime.date(2026, 12, 4)
        )
        money = charts.describe(result.table("pengar"), charts.CHARTS["pengar"])
        health = charts.describe(result.table("uppfoljning"), charts.CHARTS["uppfoljning"])
    assert money.startswith("Grouped bar chart of the public money")
    assert f"2027: Public money {kr('600 000 kr')}, Partners' money {kr('50 000 kr')}" in money
    assert kr("720 000 kr") in money
    assert "2026:" not in money  # years with nothing are left out
    assert f"{hsn.name}: Due soon 1, Overdue 1." in health


def test_a_script_left_in_the_svg_is_refused():
    svg = '<svg xmlns="http://www.w3.org/2000/svg"><a href="javascript:alert(1)"/></svg>'
    with pytest.raises(ValueError):
        charts.accessible_svg(svg, chart_id="chart-x", title="t", desc="d")
    inert = charts.accessible_svg(
        '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script><!-- c --></svg>',
        chart_id="chart-x",
        title="t",
        desc="d",
    )
    assert "script" not in inert and "<!--" not in inert


# --- The page and the export ----------------------------------------------------------------


def test_the_page_shows_every_chart_beside_its_table(client, coordinator, data):
    client.force_login(coordinator)
    response = client.get(reverse("oversight:portfolio"))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert html.count('role="img"') == 4
    assert "<script>" not in html and "<script type" not in html  # only the base's static files
    for slug in ("skeden", "pengar", "uppfoljning", "initiativ"):
        assert f'id="table-{slug}"' in html
        assert f'href="{reverse("oversight:portfolio_export", args=[slug])}"' in html
    row = re.search(r'<tr data-row="2027">(.*?)</tr>', html, re.S).group(1)
    assert kr("600 000 kr") in row and kr("770 000 kr") in row
    assert html.count("<caption") == 4


def test_the_filter_form_filters_and_the_export_links_keep_the_filters(
    client, coordinator, data, hsn
):
    client.force_login(coordinator)
    response = client.get(reverse("oversight:portfolio"), {"committee": hsn.pk, "year": 2025})
    html = response.content.decode()
    assert f"committee={hsn.pk}&amp;year=2025" in html
    assert response.context["portfolio"].filter == PortfolioFilter(committee=hsn, year=2025)
    stages = response.context["portfolio"].table("skeden")
    assert stages.total.values == (1,)


def test_a_filter_that_cannot_be_used_shows_the_whole_portfolio_with_the_error(
    client, coordinator, data
):
    client.force_login(coordinator)
    response = client.get(reverse("oversight:portfolio"), {"year": "1850"})
    assert response.status_code == 200
    assert 'id="filter-errors"' in response.content.decode()
    assert response.context["portfolio"].filter == PortfolioFilter()
    export = client.get(reverse("oversight:portfolio_export", args=["pengar"]), {"year": "x"})
    assert export.status_code == 400


def workbook_rows(content: bytes) -> list[tuple]:
    sheet = load_workbook(io.BytesIO(content)).active
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def test_the_money_table_exports_to_xlsx_with_its_numbers(client, coordinator, data, kbn):
    client.force_login(coordinator)
    response = client.get(
        reverse("oversight:portfolio_export", args=["pengar"]), {"committee": kbn.pk}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "no-store" in response["Cache-Control"]
    assert re.search(
        r'filename="portfolj-pengar-\d{4}-\d{2}-\d{2}\.xlsx"', response["Content-Disposition"]
    )
    rows = workbook_rows(response.content)
    assert kbn.name in rows[1][0]
    assert rows[3] == tuple(
        gettext(text)
        for text in (
            "Year",
            "Public money",
            "Partners' money",
            "Partners' contributions in kind",
            "Partners in total",
        )
    )
    by_year = {row[0]: row[1:] for row in rows[4:] if row and row[0]}
    assert by_year["2027"] == (600000, 50000, 720000, 770000)


@pytest.mark.parametrize("slug", ["skeden", "pengar", "uppfoljning", "initiativ"])
def test_every_table_exports_what_the_page_shows(coordinator, data, slug):
    result = portfolio(user=coordinator, filter_=PortfolioFilter())
    table = result.table(slug)
    rows = workbook_rows(table_xlsx(table, result.filter))
    assert rows[0][0] == table.caption
    assert rows[3] == (table.row_heading, *(c.label for c in table.columns))
    body = rows[4 : 4 + len(table.rows)]
    assert [r[0] for r in body] == [r.label for r in table.rows]
    assert [tuple(r[1:]) for r in body] == [tuple(float(v) for v in r.values) for r in table.rows]


def test_an_unknown_table_is_not_found(client, coordinator):
    client.force_login(coordinator)
    assert client.get(reverse("oversight:portfolio_export", args=["okand"])).status_code == 404


# --- Who may read it ----------------------------------------------------------------------

URLS = [("oversight:portfolio", []), ("oversight:portfolio_export", ["skeden"])]


@pytest.mark.parametrize(("name", "args"), URLS)
def test_anonymous_visitors_are_sent_to_the_login_page(client, name, args):
    response = client.get(reverse(name, args=args))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(("name", "args"), URLS)
def test_a_user_without_a_staff_role_is_refused(client, make_user, name, args):
    client.force_login(make_user(None, username="outsider"))
    assert client.get(reverse(name, args=args)).status_code == 403


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "args"), URLS)
def test_every_staff_role_reads_the_portfolio(client, make_user, kbn, role, name, args):
    CaseFactory(committee=kbn)
    client.force_login(make_user(role))
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200
    if name == "oversight:portfolio":
        assert response.context["portfolio"].table("skeden").total.values == (1,)


def test_the_page_is_get_only(client, coordinator):
    client.force_login(coordinator)
    assert client.post(reverse("oversight:portfolio")).status_code == 405


# --- Queries ------------------------------------------------------------------------------


def page_queries(client, url) -> int:
    client.get(url)  # the session and the permissions are cached after the first request
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_page_and_the_export_cost_the_same_queries_with_one_case_and_with_ten(
    client, coordinator, kbn, hsn, django_assert_num_queries
):
    signed_case(kbn)
    client.force_login(coordinator)
    urls = [
        reverse("oversight:portfolio"),
        reverse("oversight:portfolio") + f"?committee={kbn.pk}&year=2027",
        *(reverse("oversight:portfolio_export", args=[s]) for s in ("pengar", "uppfoljning")),
    ]
    one = [page_queries(client, url) for url in urls]

    for committee in (kbn, hsn, hsn):
        signed_case(committee, partner_money=Decimal(10_000))
    for months in (3, 7, 14):
        active_case(today() - relativedelta(months=months), committee=hsn)
    CaseFactory(committee=kbn, status=CaseStatus.PREPARATION)
    CaseFactory(committee=hsn, status=CaseStatus.NOT_PURSUED, received_on=datetime.date(2023, 2, 1))
    CaseFactory(committee=kbn, status=CaseStatus.CLOSED, received_on=datetime.date(2021, 9, 1))
    assert (
        portfolio(user=coordinator, filter_=PortfolioFilter()).table("skeden").total.values[-1]
        == 10
    )

    for url, expected in zip(urls, one, strict=True):
        client.get(url)
        with django_assert_num_queries(expected):
            client.get(url)


def test_the_selector_reads_in_a_fixed_number_of_queries(
    coordinator, data, django_assert_num_queries
):
    # stages 2, money 5 (finance's timelines 4, the budget lines), health 4
    # (the follow-up oversight's 2, the reminders' lead time, due soon), initiatives 1.
    assert coordinator.has_perm("iop.view_case")  # the user's permissions, cached
    with django_assert_num_queries(12):
        portfolio(user=coordinator, filter_=PortfolioFilter())


def test_the_planned_money_of_a_year_is_finances_rule():
    from finance.plan import AmountChange, Timeline, year_total

    from ..portfolio import planned_in_year

    d = datetime.date
    timelines = [
        Timeline(start=d(2024, 3, 1), base=Decimal(600_000)),
        Timeline(start=d(2021, 1, 1), base=Decimal("123457.35"), end=d(2030, 6, 30)),
        Timeline(
            start=d(2024, 3, 1),
            base=Decimal(600_000),
            changes=(AmountChange(change_from=d(2026, 6, 1), delta=Decimal(50_000)),),
        ),
        Timeline(
            start=d(2022, 7, 16),
            base=Decimal(333_333),
            changes=(AmountChange(change_from=d(2025, 1, 1), delta=Decimal(-33_333)),),
            end=d(2027, 2, 14),
        ),
    ]
    for timeline in timelines:
        for year in range(2020, 2032):
            assert planned_in_year(timeline, year) == year_total(timeline, year), (timeline, year)
