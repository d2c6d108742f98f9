"""The case register (ärendelista) and its export: filters, search, sort, pagination,
permissions and constant query counts."""

import csv
import datetime
import io

import openpyxl
import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from iop import exports
from iop.constants import CaseStatus, Role
from iop.filters import DEFAULT_SORT, SORT_COLUMNS
from iop.models import Case, RegistrySequence
from iop.tests.factories import CaseFactory, CommitteeFactory, PublicBodyFactory, UserFactory
from partners.tests.factories import OrganisationFactory

LIST_URL = reverse("cases:list")
EXPORT_URL = reverse("cases:export")


def numbers(response) -> list[str]:
    return [c.registry_number for c in response.context["cases"]]


def get(client, user, url=LIST_URL, **params):
    client.force_login(user)
    response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    return response


@pytest.fixture
def register(db, officer, make_user):
    """A small register: two committees, two years, three organisations, a substitute."""
    body = PublicBodyFactory()
    kbn = CommitteeFactory(public_body=body, name="Kultur- och bildningsnämnden", short_code="KBN")
    hsn = CommitteeFactory(public_body=body, name="Hälso- och sjukvårdsnämnden", short_code="HSN")
    other_officer = make_user(Role.CASE_OFFICER, username="bo", first_name="Bo", last_name="Berg")
    fritidsbanken = OrganisationFactory(name="Fritidsbanken Karlstad", org_number="8020023456")
    suicide_zero = OrganisationFactory(name="Suicide Zero")
    afasi = OrganisationFactory(name="Afasiföreningen Värmland")
    brottsoffer = OrganisationFactory(name="Brottsofferjouren Värmland")
    # Its number contains "2026": a search for the year must not find it.
    kulturhuset = OrganisationFactory(name="Kulturhuset Kil", org_number="8020262026")

    cases = {}
    cases["old"] = CaseFactory(
        title="Mötesplatser för äldre",
        committee=kbn,
        officer=officer,
        registry_year=2025,
        received_on=datetime.date(2025, 3, 4),
        status=CaseStatus.ACTIVE,
        organisations=[fritidsbanken, kulturhuset],
    )
    # Jump the 2026 sequence so that the next case is RV 2026/00017.
    RegistrySequence.objects.create(public_body=body, year=2026, last_serial=16)
    cases["seventeen"] = CaseFactory(
        title="Suicidprevention i skolan",
        committee=hsn,
        officer=other_officer,
        substitute=officer,
        received_on=datetime.date(2026, 2, 1),
        status=CaseStatus.PREPARATION,
        organisations=[suicide_zero],
    )
    cases["two_orgs"] = CaseFactory(
        title="Rehabilitering efter stroke",
        committee=hsn,
        officer=other_officer,
        received_on=datetime.date(2026, 5, 20),
        status=CaseStatus.LEGAL_REVIEW,
        # Both organisations match "Värmland": the case must still be one row.
        organisations=[afasi, brottsoffer],
    )
    cases["formula"] = CaseFactory(
        title='=HYPERLINK("http://example.com")',
        committee=kbn,
        officer=other_officer,
        received_on=datetime.date(2026, 6, 1),
        status=CaseStatus.RECEIVED,
        organisations=[fritidsbanken],
    )
    return cases


# --- Permissions -------------------------------------------------------------------------


@pytest.mark.parametrize("url", [LIST_URL, EXPORT_URL + "?format=csv", EXPORT_URL + "?format=xlsx"])
def test_anonymous_is_sent_to_login(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("url", [LIST_URL, EXPORT_URL + "?format=csv", EXPORT_URL + "?format=xlsx"])
def test_every_staff_role_may_use_the_register_and_export(client, make_user, register, role, url):
    client.force_login(make_user(role))
    response = client.get(url)
    assert response.status_code == 200
    if url == LIST_URL:
        assert set(numbers(response)) == {c.registry_number for c in register.values()}


@pytest.mark.parametrize("url", [LIST_URL, EXPORT_URL + "?format=csv", EXPORT_URL + "?format=xlsx"])
def test_a_user_without_a_role_gets_403(client, make_user, register, url):
    client.force_login(make_user(None))
    assert client.get(url).status_code == 403


def test_an_inactive_user_is_not_let_in(client, make_user, register):
    user = make_user(Role.COORDINATOR)
    client.force_login(user)
    user.is_active = False
    user.save()
    assert client.get(LIST_URL).status_code in (302, 403)


# --- Filters -------------------------------------------------------------------------------


def test_filter_by_stage(client, officer, register):
    response = get(client, officer, status=CaseStatus.PREPARATION)
    assert numbers(response) == ["RV 2026/00017"]


def test_filter_by_committee(client, officer, register):
    committee = register["old"].committee
    response = get(client, officer, committee=committee.pk)
    assert set(numbers(response)) == {
        register["old"].registry_number,
        register["formula"].registry_number,
    }


def test_filter_by_officer_includes_cases_where_the_user_is_substitute(client, officer, register):
    response = get(client, officer, officer=officer.pk)
    assert set(numbers(response)) == {register["old"].registry_number, "RV 2026/00017"}


def test_filter_by_organisation(client, officer, register):
    organisation = register["two_orgs"].organisations.get(name__startswith="Afasi")
    response = get(client, officer, organisation=organisation.pk)
    assert numbers(response) == [register["two_orgs"].registry_number]


def test_filter_by_year(client, officer, register):
    response = get(client, officer, year=2025)
    assert numbers(response) == [register["old"].registry_number]
    assert response.context["form"].fields["year"].choices[1:] == [(2026, "2026"), (2025, "2025")]


def test_filters_combine(client, officer, register):
    hsn = register["two_orgs"].committee
    response = get(client, officer, committee=hsn.pk, status=CaseStatus.LEGAL_REVIEW)
    assert numbers(response) == [register["two_orgs"].registry_number]


def test_an_invalid_filter_value_lists_nothing_and_says_why(client, officer, register):
    response = get(client, officer, committee=999999, status="no-such-stage")
    assert numbers(response) == []
    errors = response.context["form"].errors.as_data()
    assert {e.code for e in errors["committee"]} == {"invalid_choice"}
    assert {e.code for e in errors["status"]} == {"invalid_choice"}
    assert b'role="alert"' in response.content


def test_the_option_lists_escape_names_and_mark_the_choice(client, officer, register):
    evil = OrganisationFactory(name='<b>"Förening" & Co</b>')
    register["old"].organisations.add(evil)
    content = get(client, officer, organisation=evil.pk, officer=officer.pk).content.decode()
    assert (
        f'<option value="{evil.pk}" selected>&lt;b&gt;&quot;Förening&quot; &amp; Co&lt;/b&gt;</option>'
        in content
    )
    assert f'<option value="{officer.pk}" selected>{officer.get_full_name()}</option>' in content
    # … and nothing else but the empty choice of stage, year and committee, and 25 rows per page.
    assert content.count(" selected>") == 6
    assert 'aria-describedby="id_officer_helptext"' in content


# --- Search --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("suicidprevention", {"seventeen"}),  # title, any case
        ("fritidsbanken", {"old", "formula"}),  # organisation name
        ("802002-3456", {"old", "formula"}),  # organisation number with hyphen
        ("8020023456", {"old", "formula"}),  # … without
        ("802002", {"old", "formula"}),  # … its first six digits
        ("2026/17", {"seventeen"}),  # short registry number
        ("RV 2026/00017", {"seventeen"}),  # full registry number
        ("rv 2026/17", {"seventeen"}),
        ("2026/0001", {"seventeen", "two_orgs", "formula"}),  # a fragment: 00017, 00018, 00019
        ("RV 2025", {"old"}),
        ("2026", {"seventeen", "two_orgs", "formula"}),  # a year, not an organisation number
        ("802026-2026", {"old"}),
        ("0262026", {"old"}),  # any run of at least six digits of the number
        ("KB 2026/17", set()),  # another public body's prefix
        ("nothing like this", set()),
    ],
)
def test_search(client, officer, register, text, expected):
    response = get(client, officer, q=text)
    assert set(numbers(response)) == {register[k].registry_number for k in expected}


def test_search_across_organisations_gives_each_case_once(client, officer, register):
    response = get(client, officer, q="Värmland")
    assert numbers(response) == [register["two_orgs"].registry_number]
    assert response.context["page_obj"].paginator.count == 1


def test_search_combines_with_filters(client, officer, register):
    response = get(client, officer, q="fritidsbanken", year=2025)
    assert numbers(response) == [register["old"].registry_number]


# --- Sort ----------------------------------------------------------------------------------


def test_default_order_is_newest_registry_number_first(client, officer, register):
    response = get(client, officer)
    assert numbers(response) == ["RV 2026/00019", "RV 2026/00018", "RV 2026/00017", "RV 2025/00001"]
    assert response.context["sort"] == DEFAULT_SORT


@pytest.mark.parametrize("sort", ["title", "-title"])
def test_sort_by_title(client, officer, register, sort):
    response = get(client, officer, sort=sort)
    titles = [c.title for c in response.context["cases"]]
    assert titles == sorted(titles, reverse=sort.startswith("-"))
    assert len(titles) == 4


def test_sort_by_stage_follows_the_lifecycle(client, officer, register):
    response = get(client, officer, sort="stage")
    assert [c.status for c in response.context["cases"]] == [
        CaseStatus.RECEIVED,
        CaseStatus.PREPARATION,
        CaseStatus.LEGAL_REVIEW,
        CaseStatus.ACTIVE,
    ]
    response = get(client, officer, sort="-stage")
    assert response.context["cases"][0].status == CaseStatus.ACTIVE


def test_sort_by_received_and_officer(client, officer, register):
    response = get(client, officer, sort="received")
    dates = [c.received_on for c in response.context["cases"]]
    assert dates == sorted(dates)
    response = get(client, officer, sort="-officer")
    last_names = [c.officer.last_name for c in response.context["cases"]]
    assert last_names == sorted(last_names, reverse=True)


@pytest.mark.parametrize("sort", ["password", "--title", "officer__password", "title;drop", ""])
def test_an_unknown_sort_is_ignored(client, officer, register, sort):
    response = get(client, officer, sort=sort)
    assert response.context["sort"] == DEFAULT_SORT
    assert numbers(response)[0] == "RV 2026/00019"


def test_the_sorted_column_carries_aria_sort(client, officer, register):
    content = get(client, officer, sort="-title").content.decode()
    assert 'aria-sort="descending" data-sort="title"' in content
    assert content.count("aria-sort=") == 1
    # Its link reverses the order; the others start ascending and keep the filters.
    response = get(client, officer, sort="title", status=CaseStatus.ACTIVE)
    columns = response.context["columns"]
    assert columns["title"]["aria_sort"] == "ascending"
    assert columns["title"]["next_sort"] == "-title"
    assert columns["committee"]["next_sort"] == "committee"
    assert "?sort=-title&amp;status=active" in response.content.decode()


def test_every_sort_column_works_both_ways(client, officer, register):
    for key in SORT_COLUMNS:
        for sort in (key, f"-{key}"):
            response = get(client, officer, sort=sort)
            assert response.context["sort"] == sort
            assert len(numbers(response)) == 4


# --- Pagination ----------------------------------------------------------------------------


def test_pages_of_25_with_links_that_keep_the_filters(client, officer, db):
    committee = CommitteeFactory()
    for _ in range(30):
        CaseFactory(committee=committee, status=CaseStatus.DRAFTING, officer=officer)
    response = get(client, officer, status=CaseStatus.DRAFTING, sort="title")
    assert len(numbers(response)) == 25
    assert response.context["page_obj"].paginator.num_pages == 2
    content = response.content.decode()
    assert 'href="?status=drafting&amp;sort=title&amp;page=2"' in content
    second = get(client, officer, status=CaseStatus.DRAFTING, sort="title", page=2)
    assert len(numbers(second)) == 5
    assert not set(numbers(second)) & set(numbers(response))
    assert 'aria-current="page"' in second.content.decode()


def test_rows_per_page_is_whitelisted(client, officer, db):
    for _ in range(30):
        CaseFactory(officer=officer)
    assert len(numbers(get(client, officer, per_page=50))) == 30
    assert len(numbers(get(client, officer, per_page=7))) == 25
    assert len(numbers(get(client, officer, per_page="all"))) == 25


def test_a_page_out_of_range_shows_the_last_page(client, officer, register):
    response = get(client, officer, page=99)
    assert response.context["page_obj"].number == 1
    assert len(numbers(response)) == 4


# --- Export --------------------------------------------------------------------------------


def read_xlsx(response):
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    return [list(row) for row in workbook.active.iter_rows(values_only=True)], workbook.active


def read_csv(response):
    raw = b"".join(response.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))


def test_xlsx_export_holds_the_filtered_cases(client, officer, register):
    response = get(
        client,
        officer,
        EXPORT_URL,
        format="xlsx",
        committee=register["two_orgs"].committee.pk,
        sort="number",
    )
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    today = datetime.date.today().isoformat()
    assert f'filename="arendelista-{today}.xlsx"' in response["Content-Disposition"]
    rows, sheet = read_xlsx(response)
    assert rows[0] == exports.headings()
    assert [r[0] for r in rows[1:]] == ["RV 2026/00017", "RV 2026/00018"]
    stroke = rows[2]
    assert stroke[1] == "Rehabilitering efter stroke"
    assert stroke[2] == "Afasiföreningen Värmland; Brottsofferjouren Värmland"
    assert stroke[4] == "Hälso- och sjukvårdsnämnden"
    assert stroke[7] == str(CaseStatus.LEGAL_REVIEW.label)
    # Dates are real dates shown as ISO dates.
    assert stroke[8] == datetime.datetime(2026, 5, 20)
    assert sheet["I3"].number_format == "YYYY-MM-DD"
    assert rows[1][6]  # the substitute of RV 2026/00017


def test_csv_export_holds_the_filtered_cases(client, officer, register):
    response = get(client, officer, EXPORT_URL, format="csv", q="fritidsbanken", sort="number")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert ".csv" in response["Content-Disposition"]
    rows = read_csv(response)
    assert rows[0] == exports.headings()
    assert [r[0] for r in rows[1:]] == ["RV 2025/00001", "RV 2026/00019"]
    old = rows[1]
    assert old[2] == "Fritidsbanken Karlstad; Kulturhuset Kil"
    assert old[3] == "802002-3456; 802026-2026"
    assert old[8] == "2025-03-04"
    assert old[9] == timezone.localtime(register["old"].status_changed_at).date().isoformat()
    # A title that looks like a formula is not run as one.
    assert rows[2][1].startswith("'=")


def test_xlsx_keeps_formula_like_text_as_text(client, officer, register):
    response = get(client, officer, EXPORT_URL, format="xlsx", q="HYPERLINK")
    rows, sheet = read_xlsx(response)
    assert rows[1][1] == '=HYPERLINK("http://example.com")'
    assert sheet["B2"].data_type == "s"


def test_export_has_every_row_not_just_one_page(client, officer, db):
    for _ in range(30):
        CaseFactory(officer=officer)
    assert len(read_csv(get(client, officer, EXPORT_URL, format="csv", page=1))) == 31
    rows, _sheet = read_xlsx(get(client, officer, EXPORT_URL, format="xlsx", per_page=25))
    assert len(rows) == 31


def test_export_follows_the_sort(client, officer, register):
    rows = read_csv(get(client, officer, EXPORT_URL, format="csv", sort="-received"))
    assert [r[8] for r in rows[1:]] == ["2026-06-01", "2026-05-20", "2026-02-01", "2025-03-04"]


def test_export_with_an_invalid_filter_has_headings_only(client, officer, register):
    rows = read_csv(get(client, officer, EXPORT_URL, format="csv", committee="x"))
    assert rows == [exports.headings()]


@pytest.mark.parametrize("kind", ["", "pdf", "XLSX"])
def test_export_refuses_an_unknown_format(client, officer, register, kind):
    client.force_login(officer)
    assert client.get(EXPORT_URL, {"format": kind}).status_code == 400


def test_the_page_links_to_the_export_with_its_filters(client, officer, register):
    content = get(client, officer, status=CaseStatus.ACTIVE, page=1).content.decode()
    assert f'href="{EXPORT_URL}?status=active&amp;format=xlsx"' in content
    assert f'href="{EXPORT_URL}?status=active&amp;format=csv"' in content


# --- Query counts --------------------------------------------------------------------------


def count_queries(client, url, params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
        assert response.status_code == 200
        if response.streaming:
            b"".join(response.streaming_content)
        else:
            response.content  # noqa: B018
    return len(ctx.captured_queries)


REQUESTS = [
    (LIST_URL, {}),
    (LIST_URL, {"per_page": 50, "sort": "officer"}),
    (LIST_URL, {"q": "Föreningen", "sort": "stage", "status": CaseStatus.RECEIVED}),
    (EXPORT_URL, {"format": "csv"}),
    (EXPORT_URL, {"format": "xlsx", "q": "Partnerskap"}),
]


@pytest.mark.parametrize(("url", "params"), REQUESTS)
def test_query_count_is_the_same_for_1_and_50_cases(client, db, url, params):
    viewer = UserFactory(role=Role.AUDITOR)
    client.force_login(viewer)
    committee = CommitteeFactory()

    def add_case():
        case = CaseFactory(committee=committee, substitute=UserFactory(role=Role.CASE_OFFICER))
        case.organisations.add(OrganisationFactory())  # two organisations per case
        return case

    add_case()
    client.get(url, params)  # warm the session and the content types
    one = count_queries(client, url, params)
    for _ in range(49):
        add_case()
    assert Case.objects.count() == 50
    fifty = count_queries(client, url, params)
    assert one == fifty
    assert fifty <= 12
