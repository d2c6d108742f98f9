"""The follow-up oversight in Chromium with the demo data (issue 10, "Must show"): the IOP
coordinator's start page opens with every overdue item, the most overdue first, and Hälso-
och sjukvårdsnämnden's three IOPs — active since 2022–2023 with no committee follow-up, the
auditors' finding (DOMAIN.md §8) — stand out as missing follow-up on the oversight, in words
and with their days, not by colour alone. axe-core checks every page on the way."""

from __future__ import annotations

import io
import re

import pytest
from playwright.sync_api import expect

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from followups.constants import DeadlineKind
from iop.demo_story import HSN

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

HSN_ORGANISATIONS = ("EBL-skolan", "Frykcenter", "Afasiföreningen i Värmland")


def sv(text: str) -> str:
    with translation.override("sv"):
        return translation.gettext(text)


def url_is(path: str) -> re.Pattern:
    return re.compile(re.escape(path) + r"(\?.*)?$")


@pytest.fixture
def demo():
    call_command("demo_data", allow_production=True, stdout=io.StringIO())


def test_the_coordinator_sees_overdue_first_and_the_health_committees_missing_follow_up(
    page, login, assert_accessible, demo
):
    from iop.models import Committee

    karin = get_user_model().objects.get(username="karin")
    hsn = Committee.objects.get(name=HSN)
    login(page, karin)

    # The start page: the follow-up panel comes first, every overdue item most overdue first.
    page.goto("/")
    panel = page.locator("#followup-panel")
    expect(panel).to_be_visible()
    assert page.locator("main section").first.get_attribute("id") == "followup-panel"
    items = page.locator("#followup-all-overdue li[data-deadline]")
    expect(items.first).to_be_visible()
    dates = items.locator("time").evaluate_all("els => els.map(e => e.getAttribute('datetime'))")
    assert dates == sorted(dates)  # the oldest due date, so the most overdue, first
    states = items.evaluate_all("els => els.map(e => e.dataset.state)")
    assert set(states) == {"overdue"}
    # The health committee's follow-ups are among the most overdue.
    with translation.override("sv"):
        follow_up = str(DeadlineKind.COMMITTEE_FOLLOW_UP.label)
    hsn_follow_ups = items.filter(has_text=follow_up).filter(
        has_text=re.compile("|".join(map(re.escape, HSN_ORGANISATIONS)))
    )
    assert hsn_follow_ups.count() >= 3
    assert_accessible(page)

    # The oversight: the health committee has three active IOPs, all missing follow-up.
    page.locator("#nav-followups").click()
    expect(page).to_have_url(url_is(reverse("followups:oversight")))
    row = page.locator(f"#committees tr[data-committee='{hsn.pk}']")
    expect(row.locator("[data-count='active']")).to_have_text("3")
    expect(row.locator("[data-count='missing']")).to_have_attribute("data-value", "3")
    assert_accessible(page)

    # The committee's IOPs: each of the three is red with the words and the days.
    row.get_by_role("link", name=hsn.name).click()
    expect(page).to_have_url(url_is(reverse("followups:oversight_committee", args=[hsn.pk])))
    rows = page.locator("#follow-up-table tbody tr")
    expect(rows).to_have_count(3)
    missing = page.locator("#follow-up-table tbody tr[data-missing-follow-up='true']")
    expect(missing).to_have_count(3)
    for organisation in HSN_ORGANISATIONS:
        case_row = missing.filter(has_text=organisation)
        expect(case_row).to_have_count(1)
        cell = case_row.locator("[data-column='committee-follow-up']")
        expect(cell).to_contain_text(sv("Never"))
        badge = cell.locator(".missing-follow-up")
        expect(badge).to_be_visible()
        days = int(re.search(r"(\d+)", badge.inner_text()).group(1))
        assert days > 300  # due two years after an activation in 2022–2023
    assert_accessible(page)

    # Her calendar address, to subscribe to in Outlook.
    page.locator("#nav-calendar").click()
    expect(page).to_have_url(url_is(reverse("followups:calendar")))
    expect(page.locator("#feed-url")).to_have_value(re.compile(r"/kalender/[\w-]+\.ics$"))
    assert_accessible(page)
