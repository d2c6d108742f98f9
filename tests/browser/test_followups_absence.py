"""The absence page in Chromium: Anna registers her absence (with a mistake first: the form
keeps what she typed and says what is wrong), sees it, and ends it early when she is back;
Karin the IOP coordinator registers Johan's. axe-core checks every page on the way."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import expect

from django.utils import timezone

from followups.models import Absence
from iop.constants import Role
from iop.tests.factories import UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_registering_and_ending_an_absence(page, login, assert_accessible):
    anna = UserFactory(role=Role.CASE_OFFICER, first_name="Anna", last_name="Berg")
    today = timezone.localdate()
    login(page, anna)

    page.goto("/franvaro/")
    assert_accessible(page)
    page.locator("#id_starts_on").fill((today + datetime.timedelta(days=3)).isoformat())
    page.locator("#id_ends_on").fill(today.isoformat())
    page.locator("#id_note").fill("Semester")
    page.locator("#absence-form button[type=submit]").click()
    expect(page.locator("#form-errors")).to_be_visible()
    expect(page.locator("#id_note")).to_have_value("Semester")
    assert not Absence.objects.exists()
    assert_accessible(page)

    page.locator("#id_starts_on").fill(today.isoformat())
    page.locator("#id_ends_on").fill((today + datetime.timedelta(days=4)).isoformat())
    page.locator("#absence-form button[type=submit]").click()
    absence = Absence.objects.get()
    row = page.locator(f"#current-absences tr[data-absence='{absence.pk}']")
    expect(row).to_contain_text("Semester")
    assert_accessible(page)

    row.locator("button[type=submit]").click()
    expect(page.locator(f"#past-absences tr[data-absence='{absence.pk}']")).to_be_visible()
    absence.refresh_from_db()
    assert absence.ended_early_at is not None
    assert_accessible(page)


def test_the_coordinator_registers_someone_elses_absence(page, login, assert_accessible):
    karin = UserFactory(role=Role.COORDINATOR, first_name="Karin", last_name="Lund")
    johan = UserFactory(role=Role.CASE_OFFICER, first_name="Johan", last_name="Ek")
    today = timezone.localdate()
    login(page, karin)

    page.goto("/franvaro/")
    page.locator("#id_user").select_option(str(johan.pk))
    page.locator("#id_starts_on").fill(today.isoformat())
    page.locator("#id_ends_on").fill(today.isoformat())
    page.locator("#absence-form button[type=submit]").click()

    absence = Absence.objects.get()
    assert (absence.user, absence.created_by) == (johan, karin)
    expect(page.locator(f"#current-absences tr[data-absence='{absence.pk}']")).to_contain_text(
        "Johan Ek"
    )
    assert_accessible(page)
