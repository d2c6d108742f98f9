"""The calendar: a secret feed address per user (renewed on request, the old one then 404)
holding the user's open deadlines and booked check-ins with stable UIDs, and the download of
one deadline or check-in. Who may reach what."""

from __future__ import annotations

import datetime

import icalendar
import pytest
from dateutil.relativedelta import relativedelta

from django.urls import reverse
from django.utils import timezone, translation

from iop.constants import Role
from iop.tests.factories import UserFactory

from ..constants import DeadlineKind, DeadlineState
from ..models import CalendarToken, CheckIn, Deadline
from ..services import calendar as calendar_services
from ..services.deadlines import deadlines_recompute
from .factories import active_case

pytestmark = pytest.mark.django_db

ROLES = [
    Role.CASE_OFFICER,
    Role.COORDINATOR,
    Role.JURIST,
    Role.SECRETARY,
    Role.FINANCE,
    Role.AUDITOR,
]


def ago(**delta) -> datetime.date:
    return timezone.localdate() - relativedelta(**delta)


def feed_url(user) -> str:
    token = calendar_services.calendar_token_for(user=user)
    return reverse("followups:calendar_feed", args=[token.token])


def parse(response) -> icalendar.Calendar:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.content)


def events(cal: icalendar.Calendar) -> dict[str, icalendar.Event]:
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}


@pytest.fixture
def anna_case(officer):
    return active_case(ago(months=8), officer=officer)


@pytest.fixture
def booked(anna_case):
    starts = timezone.now().replace(microsecond=0) + datetime.timedelta(days=4)
    return CheckIn.objects.create(
        case=anna_case, starts_at=starts, duration_minutes=90, location="Fritidsbanken, Karlstad"
    )


# --- The feed ---------------------------------------------------------------------------


def test_the_feed_holds_the_users_open_deadlines_and_booked_check_ins_only(
    client, officer, anna_case, booked, make_user
):
    johan = make_user(Role.CASE_OFFICER, username="johan")
    other = active_case(ago(months=8), officer=johan)
    CheckIn.objects.create(case=other, starts_at=timezone.now() + datetime.timedelta(days=2))
    CheckIn.objects.create(
        case=anna_case, starts_at=timezone.now() + datetime.timedelta(days=9), cancelled=True
    )

    cal = parse(client.get(feed_url(officer)))  # no login: the secret is the credential

    found = events(cal)
    open_deadlines = Deadline.objects.filter(case=anna_case, state=DeadlineState.OPEN)
    assert open_deadlines.exists()
    expected = {f"deadline-{d.pk}@127.0.0.1" for d in open_deadlines} | {str(booked.uid)}
    assert set(found) == expected
    assert not any(f"deadline-{d.pk}@" in uid for d in other.deadlines.all() for uid in found)
    deadline = open_deadlines.order_by("due_on").first()
    event = found[f"deadline-{deadline.pk}@127.0.0.1"]
    assert event.decoded("DTSTART") == deadline.due_on  # all day
    assert event.decoded("DTEND") == deadline.due_on + datetime.timedelta(days=1)
    with translation.override("sv"):
        expected = translation.gettext("Deadline: %(deadline)s – %(case)s") % {
            "deadline": translation.gettext("Check-in meeting"),
            "case": "",
        }
        assert str(event["SUMMARY"]).startswith(expected.strip())
    assert anna_case.registry_number in str(event["SUMMARY"])
    assert "SEQUENCE" in event and "LAST-MODIFIED" in event
    meeting = found[str(booked.uid)]
    assert meeting.decoded("DTSTART") == booked.starts_at
    assert meeting.decoded("DTEND") - meeting.decoded("DTSTART") == datetime.timedelta(minutes=90)
    assert str(meeting["LOCATION"]) == "Fritidsbanken, Karlstad"


def test_the_substitute_has_the_cases_deadlines_too(client, officer, make_user):
    johan = make_user(Role.CASE_OFFICER, username="johan")
    case = active_case(ago(months=8), officer=officer, substitute=johan)
    found = events(parse(client.get(feed_url(johan))))
    assert {f"deadline-{d.pk}@127.0.0.1" for d in case.deadlines.filter(state="open")} == set(found)


def test_done_deadlines_leave_the_feed(client, officer, anna_case):
    first = Deadline.objects.filter(case=anna_case, kind=DeadlineKind.CHECK_IN).order_by("due_on")[
        0
    ]
    CheckIn.objects.create(case=anna_case, held_on=first.due_on - datetime.timedelta(days=3))
    deadlines_recompute(anna_case)
    assert Deadline.objects.get(pk=first.pk).state == DeadlineState.DONE
    assert f"deadline-{first.pk}@127.0.0.1" not in events(parse(client.get(feed_url(officer))))


def test_uids_and_sequences_are_stable_across_a_recomputation(client, officer, anna_case, booked):
    url = feed_url(officer)
    before = {uid: int(e["SEQUENCE"]) for uid, e in events(parse(client.get(url))).items()}
    deadlines_recompute(anna_case)
    deadlines_recompute(anna_case)
    after = {uid: int(e["SEQUENCE"]) for uid, e in events(parse(client.get(url))).items()}
    assert after == before


def test_a_changed_deadline_keeps_its_uid_with_a_higher_sequence(client, officer, anna_case):
    url = feed_url(officer)
    deadline = Deadline.objects.filter(case=anna_case, state="open").order_by("due_on")[0]
    uid = f"deadline-{deadline.pk}@127.0.0.1"
    before = events(parse(client.get(url)))[uid]
    Deadline.objects.filter(pk=deadline.pk).update(
        due_on=deadline.due_on + datetime.timedelta(days=1),
        updated_at=deadline.updated_at + datetime.timedelta(hours=1),
    )
    after = events(parse(client.get(url)))[uid]
    assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])
    assert after.decoded("DTSTART") == deadline.due_on + datetime.timedelta(days=1)


def test_a_wrong_token_is_not_found(client, officer, anna_case):
    feed_url(officer)
    assert client.get(reverse("followups:calendar_feed", args=["not-the-token"])).status_code == 404


def test_a_renewed_token_makes_the_old_address_not_found(client, officer, anna_case):
    old = feed_url(officer)
    client.force_login(officer)
    response = client.post(reverse("followups:calendar"))
    assert response.status_code == 302
    client.logout()
    assert client.get(old).status_code == 404
    new = feed_url(officer)
    assert new != old
    assert client.get(new).status_code == 200
    assert CalendarToken.objects.get(user=officer).history.count() == 2


def test_a_user_who_lost_their_role_loses_the_feed(client, officer, anna_case):
    url = feed_url(officer)
    officer.groups.clear()
    assert client.get(url).status_code == 404


# --- The page ---------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    for method in (client.get, client.post):
        response = method(reverse("followups:calendar"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", ROLES)
def test_every_staff_role_has_a_calendar_address_and_may_renew_it(client, make_user, role):
    user = make_user(role)
    client.force_login(user)
    response = client.get(reverse("followups:calendar"))
    assert response.status_code == 200
    token = CalendarToken.objects.get(user=user).token
    assert response.context["feed_url"].endswith(f"/kalender/{token}.ics")
    assert response.context["feed_url"] in response.content.decode()
    assert response.context["webcal_url"] == f"webcal://testserver/kalender/{token}.ics"
    assert client.get(reverse("followups:calendar")).context["feed_url"].endswith(token + ".ics")
    assert client.post(reverse("followups:calendar")).status_code == 302
    assert CalendarToken.objects.get(user=user).token != token


def test_a_user_without_a_staff_role_has_no_calendar(client, make_user):
    client.force_login(make_user(None))
    assert client.get(reverse("followups:calendar")).status_code == 403
    assert client.post(reverse("followups:calendar")).status_code == 403
    assert not CalendarToken.objects.exists()


def test_the_renewal_needs_the_csrf_token(officer):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(officer)
    assert client.post(reverse("followups:calendar")).status_code == 403


# --- Downloads --------------------------------------------------------------------------


def test_anonymous_visitors_cannot_download(client, anna_case, booked):
    deadline = anna_case.deadlines.first()
    for url in (
        reverse("followups:deadline_ics", args=[anna_case.pk, deadline.pk]),
        reverse("followups:check_in_ics", args=[anna_case.pk, booked.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", ROLES)
def test_every_staff_role_downloads_a_deadline_and_a_check_in(
    client, make_user, anna_case, booked, role
):
    client.force_login(make_user(role))
    deadline = anna_case.deadlines.order_by("due_on").first()
    response = client.get(reverse("followups:deadline_ics", args=[anna_case.pk, deadline.pk]))
    assert "attachment" in response["Content-Disposition"]
    (event,) = parse(response).walk("VEVENT")
    assert str(event["UID"]) == calendar_services.deadline_uid(deadline)
    response = client.get(reverse("followups:check_in_ics", args=[anna_case.pk, booked.pk]))
    (event,) = parse(response).walk("VEVENT")
    assert str(event["UID"]) == str(booked.uid)
    assert (
        client.post(reverse("followups:check_in_ics", args=[anna_case.pk, booked.pk])).status_code
        == 405
    )


def test_a_download_without_a_role_is_refused(client, make_user, anna_case):
    client.force_login(make_user(None))
    deadline = anna_case.deadlines.first()
    url = reverse("followups:deadline_ics", args=[anna_case.pk, deadline.pk])
    assert client.get(url).status_code == 403


def test_an_object_of_another_case_is_not_found(client, officer, anna_case, booked):
    other = active_case(ago(months=8), officer=UserFactory(role=Role.CASE_OFFICER))
    client.force_login(officer)
    deadline = other.deadlines.first()
    assert (
        client.get(reverse("followups:deadline_ics", args=[anna_case.pk, deadline.pk])).status_code
        == 404
    )
    assert (
        client.get(reverse("followups:check_in_ics", args=[other.pk, booked.pk])).status_code == 404
    )
    unbooked = CheckIn.objects.create(case=anna_case, held_on=ago(days=3))
    assert (
        client.get(reverse("followups:check_in_ics", args=[anna_case.pk, unbooked.pk])).status_code
        == 404
    )


def test_the_feed_reads_in_constant_queries(client, officer, django_assert_max_num_queries):
    for _n in range(5):
        case = active_case(ago(months=8), officer=officer)
        CheckIn.objects.create(case=case, starts_at=timezone.now() + datetime.timedelta(days=3))
    url = feed_url(officer)
    with django_assert_max_num_queries(8):
        parse(client.get(url))
