"""Absences: oneself or the coordinator for anyone; no end before the start, no overlap, no
past period; ended early keeps the row with history; the page /franvaro/ and its roles."""

from __future__ import annotations

import datetime

import pytest

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from iop.constants import Role
from iop.models import Notification

from ..models import Absence
from ..services.absence import absence_end, absence_register
from ..services.deadlines import FollowUpRefused

URL = "/franvaro/"


@pytest.fixture
def today():
    return timezone.localdate()


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


# --- the service --------------------------------------------------------------------------


def test_an_officer_registers_their_own_absence_with_history(officer, today):
    absence = absence_register(
        actor=officer, user=officer, starts_on=today, ends_on=today + days(4), note="Semester"
    )

    assert (absence.user, absence.created_by, absence.note) == (officer, officer, "Semester")
    record = absence.history.get()
    assert record.history_user == officer
    # Nobody else registered it: no notification.
    assert not Notification.objects.filter(recipient=officer).exists()


def test_the_coordinator_registers_anyones_and_the_person_is_told(officer, coordinator, today):
    absence = absence_register(
        actor=coordinator, user=officer, starts_on=today, ends_on=today + days(1)
    )

    assert absence.created_by == coordinator
    told = Notification.objects.get(recipient=officer)
    assert told.key == f"absence:{absence.pk}"
    assert "ersättare" in told.text


def test_an_officer_cannot_register_someone_else(officer, make_user, today):
    other = make_user(Role.CASE_OFFICER, username="johan")
    with pytest.raises(PermissionDenied):
        absence_register(actor=officer, user=other, starts_on=today, ends_on=today)
    assert not Absence.objects.exists()


@pytest.mark.parametrize("role", [Role.JURIST, Role.SECRETARY, Role.FINANCE, Role.AUDITOR])
def test_roles_without_reminders_register_no_absence(make_user, role, today):
    user = make_user(role)
    with pytest.raises(PermissionDenied):
        absence_register(actor=user, user=user, starts_on=today, ends_on=today)


def test_an_end_before_the_start_is_refused(officer, today):
    with pytest.raises(FollowUpRefused) as refused:
        absence_register(actor=officer, user=officer, starts_on=today + days(3), ends_on=today)
    assert refused.value.errors == {"ends_on": ["Sista dagen kan inte vara före första dagen."]}
    assert not Absence.objects.exists()


def test_a_period_that_is_over_is_refused(officer, today):
    with pytest.raises(FollowUpRefused) as refused:
        absence_register(
            actor=officer, user=officer, starts_on=today - days(5), ends_on=today - days(1)
        )
    assert "ends_on" in refused.value.errors


def test_overlapping_absences_are_refused(officer, today):
    absence_register(actor=officer, user=officer, starts_on=today, ends_on=today + days(10))

    for start, end in [(5, 12), (-0, 0), (10, 20)]:
        with pytest.raises(FollowUpRefused) as refused:
            absence_register(
                actor=officer,
                user=officer,
                starts_on=today + days(start),
                ends_on=today + days(end),
            )
        assert "redan registrerad som frånvarande" in refused.value.errors[""][0]
    # Right after it: fine.
    absence_register(
        actor=officer, user=officer, starts_on=today + days(11), ends_on=today + days(12)
    )
    assert Absence.objects.count() == 2


def test_ending_early_frees_the_days_after_and_keeps_the_row(officer, coordinator, today):
    absence = absence_register(
        actor=officer, user=officer, starts_on=today - days(0), ends_on=today + days(10)
    )

    ended = absence_end(actor=coordinator, absence=absence)

    assert ended.ended_early_at is not None
    assert [h.history_user for h in ended.history.order_by("history_id")] == [officer, coordinator]
    # The days after today are free again.
    absence_register(
        actor=officer, user=officer, starts_on=today + days(1), ends_on=today + days(3)
    )
    with pytest.raises(FollowUpRefused):
        absence_end(actor=officer, absence=ended)


def test_someone_else_cannot_end_an_officers_absence(officer, make_user, today):
    other = make_user(Role.CASE_OFFICER, username="johan")
    absence = absence_register(actor=officer, user=officer, starts_on=today, ends_on=today)
    with pytest.raises(PermissionDenied):
        absence_end(actor=other, absence=absence)
    absence.refresh_from_db()
    assert absence.ended_early_at is None


# --- the page -----------------------------------------------------------------------------


def test_the_url_is_franvaro():
    assert reverse("followups:absences") == URL


def test_the_page_needs_a_login(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/login" in response.url or "inloggning" in response.url or "next=" in response.url


@pytest.mark.parametrize("role", [Role.JURIST, Role.SECRETARY, Role.FINANCE, Role.AUDITOR])
def test_roles_without_reminders_get_403(client, make_user, role):
    client.force_login(make_user(role))
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"starts_on": "2030-01-01", "ends_on": "2030-01-02"}).status_code == 403


def test_an_officer_registers_their_absence_on_the_page(client, officer, today):
    client.force_login(officer)
    page = client.get(URL)
    assert page.status_code == 200
    assert 'name="user"' not in page.content.decode()

    response = client.post(
        URL,
        {"starts_on": today.isoformat(), "ends_on": (today + days(2)).isoformat(), "note": "VAB"},
        follow=True,
    )

    absence = Absence.objects.get()
    assert (absence.user, absence.note) == (officer, "VAB")
    content = response.content.decode()
    assert "registrerades" in content
    assert f'data-absence="{absence.pk}"' in content


def test_an_officer_sees_only_their_own(client, officer, make_user, today):
    other = make_user(Role.CASE_OFFICER, username="johan")
    theirs = absence_register(actor=other, user=other, starts_on=today, ends_on=today)
    client.force_login(officer)
    assert f'data-absence="{theirs.pk}"' not in client.get(URL).content.decode()
    # And cannot end it (not found).
    response = client.post(reverse("followups:absence_end", args=[theirs.pk]))
    assert response.status_code == 404


def test_the_coordinator_chooses_whom(client, coordinator, officer, today):
    client.force_login(coordinator)
    page = client.get(URL).content.decode()
    assert 'name="user"' in page

    client.post(
        URL,
        {"user": officer.pk, "starts_on": today.isoformat(), "ends_on": today.isoformat()},
    )

    absence = Absence.objects.get()
    assert (absence.user, absence.created_by) == (officer, coordinator)


def test_bad_input_rerenders_with_what_was_typed_and_saves_nothing(client, officer, today):
    client.force_login(officer)
    response = client.post(
        URL,
        {
            "starts_on": (today + days(5)).isoformat(),
            "ends_on": today.isoformat(),
            "note": "Kurs i Umeå",
        },
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert "Sista dagen kan inte vara före första dagen." in content
    assert 'value="Kurs i Umeå"' in content
    assert not Absence.objects.exists()


def test_an_overlap_is_shown_on_the_form(client, officer, today):
    absence_register(actor=officer, user=officer, starts_on=today, ends_on=today + days(3))
    client.force_login(officer)
    response = client.post(
        URL, {"starts_on": today.isoformat(), "ends_on": (today + days(1)).isoformat()}
    )
    assert "redan registrerad som frånvarande" in response.content.decode()
    assert Absence.objects.count() == 1


def test_ending_from_the_page(client, officer, today):
    absence = absence_register(
        actor=officer, user=officer, starts_on=today, ends_on=today + days(3)
    )
    client.force_login(officer)

    assert client.get(reverse("followups:absence_end", args=[absence.pk])).status_code == 405
    client.post(reverse("followups:absence_end", args=[absence.pk]))

    absence.refresh_from_db()
    assert absence.ended_early_at is not None
    page = client.get(URL).content.decode()
    # It is history now.
    assert f'data-absence="{absence.pk}"' in page.split('id="past-absences"')[1]


def test_the_page_reads_a_constant_number_of_queries(
    client, coordinator, make_user, today, django_assert_max_num_queries
):
    def add(n: int) -> None:
        for _ in range(n):
            user = make_user(Role.CASE_OFFICER)
            absence_register(actor=coordinator, user=user, starts_on=today, ends_on=today + days(2))

    client.force_login(coordinator)
    add(2)
    with django_assert_max_num_queries(20) as few:
        client.get(URL)
    add(20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(URL).status_code == 200


def test_the_history_pages(client, officer, today):
    for n in range(25):
        absence = Absence.objects.create(
            user=officer, starts_on=today - days(100 + n * 2), ends_on=today - days(100 + n * 2)
        )
    client.force_login(officer)
    first = client.get(URL).content.decode()
    second = client.get(URL + "?page=2").content.decode()
    assert first.count("data-absence=") == 20
    assert second.count("data-absence=") == 5
    assert f'data-absence="{absence.pk}"' in second


# --- the start page panel -----------------------------------------------------------------


def test_the_start_panel_tells_the_absent_and_the_substitute(officer, make_user, today):
    from django.template.loader import render_to_string

    from iop.constants import CaseStatus
    from iop.tests.factories import CaseFactory

    from ..views.absence import start_panel_context

    johan = make_user(Role.CASE_OFFICER, username="johan", first_name="Johan", last_name="Ek")
    officer.first_name, officer.last_name = "Anna", "Berg"
    officer.save()
    CaseFactory(status=CaseStatus.ACTIVE, officer=officer, substitute=johan)
    assert start_panel_context(officer) is None
    assert start_panel_context(johan) is None

    absence_register(actor=officer, user=officer, starts_on=today, ends_on=today + days(2))

    own = render_to_string("followups/absence/_start_panel.html", start_panel_context(officer))
    assert "Du är registrerad som frånvarande" in own
    theirs = render_to_string("followups/absence/_start_panel.html", start_panel_context(johan))
    assert "Du är ersättare i dag för Anna Berg" in theirs


def test_no_start_panel_for_roles_without_reminders(auditor):
    from ..views.absence import start_panel_context

    assert start_panel_context(auditor) is None
