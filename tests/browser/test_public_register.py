"""The public register in Chromium, not logged in: the table, a filter and the documentation
of the open data, axe-core 0 violations on each."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from django.core.cache import cache
from django.urls import reverse

from agreements.tests.factories import agreement_at

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def in_force():
    cache.clear()
    cases = [agreement_at(None, "signed").agreement.case for _ in range(2)]
    yield cases
    cache.clear()


def test_anyone_reads_the_public_register_without_logging_in(page, assert_accessible, in_force):
    page.goto(reverse("oversight:public_register"))
    rows = page.locator("#public-register tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator("#public-register")).to_contain_text(in_force[0].registry_number)
    assert_accessible(page)

    page.select_option("#filter-status", "ended")
    page.locator("#register-filters button[type=submit]").click()
    expect(page.locator("#public-register")).to_have_count(0)
    expect(page.locator("#register-count")).to_contain_text("0")
    assert_accessible(page)

    page.locator("#link-about").click()
    expect(page).to_have_url(
        re.compile(re.escape(reverse("oversight:public_register_about")) + "$")
    )
    expect(page.locator("#fields tbody tr").first).to_be_visible()
    assert_accessible(page)
