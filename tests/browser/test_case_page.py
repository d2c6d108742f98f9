"""The case page in Chromium: the coordinator reassigns a case, the auditor finds no action
on it, and a case officer moves a case to preparation with a note (after a refused action
shows its rule). axe-core checks every page on the way."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from django.core import mail
from django.urls import reverse

from iop.constants import CaseEventKind, CaseStatus, Role
from iop.models import Case, CaseEvent
from iop.tests.factories import CaseFactory
from iop.workflow import rule_for

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def url_is(path: str) -> re.Pattern:
    return re.compile(re.escape(path) + "$")


@pytest.fixture
def bo(make_user):
    return make_user(
        Role.CASE_OFFICER, username="bo", first_name="Bo", last_name="Berg", email="bo@example.se"
    )


def test_the_coordinator_reassigns_a_case_and_the_auditor_finds_no_action(
    page, browser, live_server, login, assert_accessible, officer, coordinator, auditor, bo
):
    case = CaseFactory(officer=officer, status=CaseStatus.PREPARATION)
    detail = reverse("cases:detail", args=[case.pk])
    mail.outbox.clear()

    login(page, coordinator)
    page.goto(detail)
    expect(page.get_by_role("heading", level=1)).to_have_text(case.title)
    expect(page.locator("#case-officer")).to_contain_text(officer.get_full_name())
    assert_accessible(page)

    page.locator("#reassign-link").click()
    expect(page).to_have_url(url_is(reverse("cases:reassign", args=[case.pk])))
    assert_accessible(page)
    page.locator("#id_officer").select_option(label="Bo Berg")
    page.locator("#id_note").fill("Anna är föräldraledig från 1 april.")
    page.locator("main form button[type=submit]").click()

    expect(page).to_have_url(url_is(detail))
    expect(page.get_by_role("status").first).to_contain_text("Bo Berg")
    expect(page.locator("#case-officer")).to_contain_text("Bo Berg")
    latest = page.locator("#case-timeline > li").first
    expect(latest).to_contain_text("Bo Berg")
    expect(latest).to_contain_text("Anna är föräldraledig från 1 april.")
    assert_accessible(page)

    case.refresh_from_db()
    assert case.officer == bo
    assert (
        CaseEvent.objects.filter(case=case, kind=CaseEventKind.ASSIGNMENT, assignee=bo).count() == 1
    )
    assert [m.to for m in mail.outbox] == [["bo@example.se"]]

    # The auditor, in a browser of their own, reads the same case and finds nothing to do.
    auditor_page = browser.new_page(base_url=live_server.url)
    try:
        login(auditor_page, auditor)
        auditor_page.goto(detail)
        expect(auditor_page.locator("#case-officer")).to_contain_text("Bo Berg")
        expect(auditor_page.locator("#case-timeline > li").first).to_contain_text("Bo Berg")
        expect(auditor_page.locator("#no-actions")).to_be_visible()
        expect(auditor_page.locator("[data-action]")).to_have_count(0)
        expect(auditor_page.locator("#reassign-link")).to_have_count(0)
        expect(auditor_page.locator("#case-actions a, #case-actions button")).to_have_count(0)
        assert_accessible(auditor_page)
    finally:
        auditor_page.close()


def test_an_officer_moves_a_case_to_preparation_with_a_note(
    page, login, assert_accessible, officer
):
    received = CaseFactory(officer=officer)
    in_preparation = CaseFactory(officer=officer, status=CaseStatus.PREPARATION)
    login(page, officer)

    # A refused action: drafting needs a checklist where every criterion is met.
    page.goto(reverse("cases:detail", args=[in_preparation.pk]))
    page.locator('[data-action="start_drafting"]').click()
    expect(page).to_have_url(
        url_is(reverse("cases:transition", args=[in_preparation.pk, "start_drafting"]))
    )
    assert_accessible(page)
    page.locator("#id_note").fill("Vi börjar skriva.")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#refusal")).to_contain_text(rule_for(Case.checklist_passed))
    expect(page.locator("#id_note")).to_have_value("Vi börjar skriva.")
    assert_accessible(page)
    in_preparation.refresh_from_db()
    assert in_preparation.status == CaseStatus.PREPARATION

    # received → preparation, with a note that the timeline then shows.
    detail = reverse("cases:detail", args=[received.pk])
    page.goto(detail)
    expect(page.locator("#case-stage")).to_have_text(str(CaseStatus.RECEIVED.label))
    assert_accessible(page)
    page.locator('[data-action="start_preparation"]').click()
    expect(page).to_have_url(
        url_is(reverse("cases:transition", args=[received.pk, "start_preparation"]))
    )
    expect(page.locator("#target-stage")).to_have_text(str(CaseStatus.PREPARATION.label))
    assert_accessible(page)
    page.locator("#id_note").fill("Första mötet med föreningen är bokat den 3 mars.")
    page.locator("main form button[type=submit]").click()

    expect(page).to_have_url(url_is(detail))
    expect(page.locator("#case-stage")).to_have_text(str(CaseStatus.PREPARATION.label))
    latest = page.locator("#case-timeline > li").first
    expect(latest).to_contain_text("Första mötet med föreningen är bokat den 3 mars.")
    expect(latest).to_contain_text(officer.get_full_name())
    expect(page.locator('[data-action="start_drafting"]')).to_be_visible()
    assert_accessible(page)

    received.refresh_from_db()
    assert received.status == CaseStatus.PREPARATION
