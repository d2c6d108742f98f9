"""The case register in Chromium: a case officer filters, searches, sorts, pages and
downloads the list; axe-core checks every state of the page on the way."""

from __future__ import annotations

import csv
import io
import re

import openpyxl
import pytest
from playwright.sync_api import expect

from django.urls import reverse

from iop import exports
from iop.constants import CaseStatus
from iop.tests.factories import CaseFactory, CommitteeFactory
from partners.tests.factories import OrganisationFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def cases(officer):
    kbn = CommitteeFactory(name="Kultur- och bildningsnämnden", short_code="KBN")
    hsn = CommitteeFactory(
        public_body=kbn.public_body, name="Hälso- och sjukvårdsnämnden", short_code="HSN"
    )
    fritidsbanken = OrganisationFactory(name="Fritidsbanken Karlstad", org_number="8020023456")
    made = [
        CaseFactory(
            committee=kbn, officer=officer, status=CaseStatus.ACTIVE, title=f"Mötesplats {i:02d}"
        )
        for i in range(28)
    ]
    made.append(
        CaseFactory(
            committee=hsn,
            officer=officer,
            status=CaseStatus.PREPARATION,
            title="Lån av fritidsutrustning",
            organisations=[fritidsbanken],
        )
    )
    return made


def rows(page):
    return page.locator("#case-table tbody tr")


def test_a_case_officer_filters_sorts_pages_and_exports(
    page, login, assert_accessible, officer, cases
):
    login(page, officer)
    page.goto("/")
    page.get_by_role("navigation").get_by_role(
        "link", name=re.compile("Case register|Ärende")
    ).click()
    expect(page).to_have_url(re.compile(re.escape(reverse("cases:list")) + "$"))
    expect(page.locator("#result-count")).to_contain_text("29")
    expect(rows(page)).to_have_count(25)
    assert_accessible(page)

    # Pages keep their place; the second page holds the rest.
    page.locator("nav .pagination a[rel=next]").click()
    expect(rows(page)).to_have_count(4)
    expect(page.locator(".pagination [aria-current=page]")).to_contain_text("2")
    assert_accessible(page)

    # Sort by title: the header says so to assistive technology, and a second click reverses it.
    page.locator("th[data-sort=title] a").click()
    expect(page.locator("th[data-sort=title]")).to_have_attribute("aria-sort", "ascending")
    expect(rows(page).first).to_contain_text("Lån av fritidsutrustning")
    page.locator("th[data-sort=title] a").click()
    expect(page.locator("th[data-sort=title]")).to_have_attribute("aria-sort", "descending")
    expect(rows(page).first).to_contain_text("Mötesplats 27")
    assert_accessible(page)

    # Search by organisation number without the hyphen, and filter by stage.
    page.locator("#id_q").fill("8020023456")
    page.locator("#id_status").select_option(CaseStatus.PREPARATION.value)
    page.locator("main form[role=search] button[type=submit]").click()
    expect(rows(page)).to_have_count(1)
    expect(rows(page).first).to_contain_text("Fritidsbanken Karlstad")
    expect(page.locator("#id_q")).to_have_value("8020023456")
    assert_accessible(page)

    # The export holds what the page lists, with the same filters.
    with page.expect_download() as download_info:
        page.locator("#export-csv").click()
    download = download_info.value
    assert re.fullmatch(r"arendelista-\d{4}-\d{2}-\d{2}\.csv", download.suggested_filename)
    with open(download.path(), encoding="utf-8-sig") as f:
        text = f.read()
    table = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert table[0] == exports.headings()
    assert [r[1] for r in table[1:]] == ["Lån av fritidsutrustning"]

    with page.expect_download() as download_info:
        page.locator("#export-xlsx").click()
    assert download_info.value.suggested_filename.endswith(".xlsx")
    with open(download_info.value.path(), "rb") as f:
        sheet = openpyxl.load_workbook(f).active
    assert [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)] == [
        "Lån av fritidsutrustning"
    ]


def test_an_invalid_filter_is_explained_accessibly(page, login, assert_accessible, auditor, cases):
    login(page, auditor)
    page.goto(reverse("cases:list") + "?committee=999999")
    alert = page.get_by_role("alert")
    expect(alert).to_be_visible()
    expect(page.locator("#no-cases")).to_be_visible()
    expect(page.locator("#id_committee")).to_have_attribute("aria-invalid", "true")
    # The summary links to the field it is about.
    alert.get_by_role("link").first.click()
    expect(page.locator("#id_committee")).to_be_focused()
    assert_accessible(page)
