"""The portfolio in Chromium (issue 11, "Must show"): the IOP coordinator opens it from the main
menu, sees four charts, each an image with a text alternative and its table beside it, filters
by committee, and axe-core finds nothing on either page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from django.urls import reverse

from agreements.tests.factories import agreement_at, drafting_case
from followups.tests.factories import active_case
from iop.constants import CaseStatus
from iop.tests.factories import CaseFactory, CommitteeFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def committees():
    kbn = CommitteeFactory(name="Kultur- och bildningsnämnden", short_code="KBN")
    hsn = CommitteeFactory(name="Hälso- och sjukvårdsnämnden", short_code="HSN")
    agreement_at(drafting_case(committee=kbn), "signed")
    active_case(committee=hsn)
    CaseFactory(committee=hsn, status=CaseStatus.PREPARATION)
    return kbn, hsn


def test_the_coordinator_reads_the_portfolio_and_filters_it_by_committee(
    page, login, assert_accessible, coordinator, committees
):
    kbn, hsn = committees
    login(page, coordinator)
    page.goto("/")
    page.locator("#nav-portfolio").click()
    expect(page).to_have_url(re.compile(re.escape(reverse("oversight:portfolio")) + r"$"))

    charts = page.locator("svg[role='img']")
    expect(charts.first).to_be_visible()
    assert charts.count() >= 4
    for index in range(charts.count()):
        chart = charts.nth(index)
        expect(chart).to_be_visible()
        title_id = chart.get_attribute("aria-labelledby")
        desc_id = chart.get_attribute("aria-describedby")
        assert page.locator(f"[id='{title_id}']").text_content().strip()
        assert re.search(r"\d", page.locator(f"[id='{desc_id}']").text_content())
    # Every chart is an image with an accessible name, and its table stands beside it.
    for slug in ("skeden", "pengar", "uppfoljning", "initiativ"):
        section = page.locator(f"#section-{slug}")
        name = section.locator("h2").inner_text()
        expect(section.get_by_role("img", name=name)).to_be_visible()
        expect(section.locator(f"#table-{slug} caption")).not_to_be_empty()
    stage_columns = page.locator("#table-skeden thead th[data-column]")
    expect(stage_columns).to_have_count(3)  # two committees and all of them
    assert_accessible(page)

    page.locator("#id_committee").select_option(str(hsn.pk))
    page.locator("#portfolio-filter button[type='submit']").click()
    expect(page).to_have_url(re.compile(rf"committee={hsn.pk}"))
    expect(page.locator("#portfolio-filters")).to_contain_text(hsn.name)
    expect(stage_columns).to_have_count(1)
    expect(page.locator("#table-skeden tfoot td").first).to_have_text("2")
    expect(page.locator("svg[role='img']").first).to_be_visible()
    export = page.locator("#export-pengar")
    expect(export).to_have_attribute("href", re.compile(rf"pengar\.xlsx\?committee={hsn.pk}"))
    assert_accessible(page)
    page.screenshot(path="/tmp/h2/portfolio.png", full_page=True)
