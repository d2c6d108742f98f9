"""Check-in meetings: booked ahead, recorded after they were held (participants, notes, agreed
actions), cancelled — each closing its deadline or refused with the sentence users read,
nothing half-saved."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from django.urls import reverse
from django.utils.translation import gettext as _

from iop.constants import CaseEventKind, CaseStatus
from iop.exceptions import TransitionForbidden
from iop.models import CaseEvent

from ..constants import DeadlineKind, DeadlineState
from ..models import CheckIn, CheckInAction, Deadline
from ..services.checkins import (
    ActionInput,
    check_in_book,
    check_in_cancel,
    check_in_record,
    closed_case_refusal,
)
from ..services.deadlines import FollowUpRefused
from .factories import active_case

pytestmark = pytest.mark.django_db

D = datetime.date
TZ = ZoneInfo("Europe/Stockholm")
ACTIVATED = D(2025, 3, 3)
TODAY = D(2025, 9, 10)  # the first check-in (due 2025-09-03) is a week overdue


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(datetime.datetime(2025, 9, 10, 10, 0, tzinfo=TZ), tick=False):
        yield TODAY


@pytest.fixture
def case(officer):
    return active_case(ACTIVATED, officer=officer)


def first_check_in(case) -> Deadline:
    return Deadline.objects.filter(case=case, kind=DeadlineKind.CHECK_IN).order_by("due_on")[0]


def record(case, **changes):
    arguments = {
        "case": case,
        "actor": case.officer,
        "held_on": D(2025, 9, 8),
        "participants_public": "Anna Svensson, handläggare",
        "participants_organisation": "Sara Nilsson, sekreterare",
        "notes": "Verksamheten går enligt plan.",
        "actions": [ActionInput("Skicka verksamhetsplanen", "Sara", D(2025, 10, 1))],
    }
    arguments.update(changes)
    return check_in_record(**arguments)


def at(day: D, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, 0, tzinfo=TZ)


# --- Services ---------------------------------------------------------------------------------


def test_recording_a_held_meeting_closes_its_deadline_and_writes_the_timeline(case):
    deadline = first_check_in(case)
    assert deadline.state == DeadlineState.OPEN and deadline.is_overdue
    check_in = record(case)
    deadline.refresh_from_db()
    assert deadline.state == DeadlineState.DONE
    assert deadline.done_on == D(2025, 9, 8)
    assert deadline.done_record == f"checkin:{check_in.pk}"
    assert deadline.done_url == check_in.get_absolute_url()
    assert [(a.position, a.text, a.owner) for a in check_in.actions.all()] == [
        (1, "Skicka verksamhetsplanen", "Sara")
    ]
    event = CaseEvent.objects.filter(case=case, kind=CaseEventKind.FOLLOW_UP).latest("pk")
    assert "2025-09-08" in event.note and event.actor == case.officer
    assert check_in.history.first().history_user == case.officer


def test_a_booked_meeting_is_recorded_on_its_own_row(case):
    booked = check_in_book(
        case=case, actor=case.officer, starts_at=at(D(2025, 9, 12)), location="Kulturhuset"
    )
    assert booked.is_booked and booked.uid
    with time_machine.travel(at(D(2025, 9, 12), 15), tick=False):
        recorded = record(case, check_in=booked, held_on=D(2025, 9, 12))
    assert recorded.pk == booked.pk and recorded.uid == booked.uid
    assert recorded.starts_at == at(D(2025, 9, 12)) and recorded.location == "Kulturhuset"
    assert CheckIn.objects.filter(case=case).count() == 1


def test_a_meeting_dated_after_today_is_refused_and_nothing_is_saved(case):
    events = CaseEvent.objects.count()
    with pytest.raises(FollowUpRefused) as refused:
        record(case, held_on=TODAY + datetime.timedelta(days=1))
    assert refused.value.errors == {
        "held_on": [_("The meeting cannot be recorded before it is held: the date is after today.")]
    }
    assert not CheckIn.objects.exists() and not CheckInAction.objects.exists()
    assert CaseEvent.objects.count() == events
    assert first_check_in(case).state == DeadlineState.OPEN


def test_both_sides_and_notes_are_required_and_an_action_needs_who(case):
    with pytest.raises(FollowUpRefused) as refused:
        record(
            case,
            participants_public=" ",
            participants_organisation="",
            notes="",
            actions=[ActionInput("", "", None), ActionInput("Ringa", "", D(2025, 9, 1))],
        )
    errors = refused.value.errors
    assert set(errors) == {
        "participants_public",
        "participants_organisation",
        "notes",
        "actions-1-owner",
        "actions-1-due_on",
    }
    assert not CheckIn.objects.exists()


def test_a_date_before_the_activation_is_refused(case):
    with pytest.raises(FollowUpRefused) as refused:
        record(case, held_on=D(2025, 2, 1))
    assert list(refused.value.errors) == ["held_on"]


@pytest.mark.parametrize("status", [CaseStatus.CLOSED, CaseStatus.DRAFTING])
def test_recording_on_a_case_not_in_follow_up_is_refused(case, status):
    booked = check_in_book(case=case, actor=case.officer, starts_at=at(D(2025, 9, 20)))
    case.__class__.objects.filter(pk=case.pk).update(status=status)
    events = CaseEvent.objects.count()
    for attempt in (
        lambda: record(case),
        lambda: record(case, check_in=booked),
        lambda: check_in_book(case=case, actor=case.officer, starts_at=at(D(2025, 9, 20))),
        lambda: check_in_cancel(check_in=booked, actor=case.officer),
    ):
        with pytest.raises(FollowUpRefused) as refused:
            attempt()
        assert refused.value.errors[""] == [closed_case_refusal()]
    assert CheckIn.objects.filter(case=case).count() == 1
    assert CheckIn.objects.get().is_booked
    assert CaseEvent.objects.count() == events


def test_correcting_a_record_keeps_its_history_and_replaces_the_actions(case):
    check_in = record(
        case,
        actions=[ActionInput("A", "Sara", None), ActionInput("B", "Anna", None)],
    )
    record(
        case,
        check_in=check_in,
        notes="Rättad anteckning.",
        actions=[ActionInput("A", "Sara", None)],
    )
    check_in.refresh_from_db()
    assert check_in.notes == "Rättad anteckning."
    assert [a.text for a in check_in.actions.all()] == ["A"]
    assert check_in.history.count() == 2
    # Action A unchanged (no new history row), B deleted (a deletion in its history).
    assert CheckInAction.history.filter(text="A").count() == 1
    assert CheckInAction.history.filter(text="B", history_type="-").count() == 1
    assert first_check_in(case).state == DeadlineState.DONE


def test_booking_refuses_a_time_passed_and_a_bad_length(case):
    with pytest.raises(FollowUpRefused) as refused:
        check_in_book(
            case=case, actor=case.officer, starts_at=at(D(2025, 9, 1)), duration_minutes=0
        )
    assert set(refused.value.errors) == {"starts_at", "duration_minutes"}
    assert not CheckIn.objects.exists()


def test_cancelling_a_booking_leaves_the_deadline_open(case):
    booked = check_in_book(case=case, actor=case.officer, starts_at=at(D(2025, 9, 20)))
    cancelled = check_in_cancel(check_in=booked, actor=case.officer, reason="Sjukdom")
    assert cancelled.cancelled and cancelled.cancelled_reason == "Sjukdom"
    assert first_check_in(case).state == DeadlineState.OPEN
    with pytest.raises(FollowUpRefused):
        check_in_cancel(check_in=booked, actor=case.officer)
    with pytest.raises(FollowUpRefused):
        record(case, check_in=booked)
    held = record(case)
    with pytest.raises(FollowUpRefused) as refused:
        check_in_cancel(check_in=held, actor=case.officer)
    assert refused.value.errors[""] == [
        _("The meeting is recorded as held and cannot be cancelled.")
    ]


def test_a_reader_cannot_write(case, auditor):
    with pytest.raises(TransitionForbidden):
        record(case, actor=auditor)
    with pytest.raises(TransitionForbidden):
        check_in_book(case=case, actor=auditor, starts_at=at(D(2025, 9, 20)))
    assert not CheckIn.objects.exists()


# --- Screens ----------------------------------------------------------------------------------


def url(name, case, *args):
    return reverse(f"followups:{name}", args=[case.pk, *args])


def record_data(**changes) -> dict:
    data = {
        "held_on": "2025-09-08",
        "participants_public": "Anna Svensson",
        "participants_organisation": "Sara Nilsson",
        "notes": "Bra möte.",
        "actions-TOTAL_FORMS": "2",
        "actions-INITIAL_FORMS": "0",
        "actions-MIN_NUM_FORMS": "0",
        "actions-MAX_NUM_FORMS": "30",
        "actions-0-text": "Skicka budgeten",
        "actions-0-owner": "Sara",
        "actions-0-due_on": "2025-10-01",
        "actions-1-text": "",
        "actions-1-owner": "",
        "actions-1-due_on": "",
    }
    data.update(changes)
    return data


def test_booking_on_the_screen(client, case):
    client.force_login(case.officer)
    page = client.get(url("check_in_new", case))
    assert page.status_code == 200 and 'id="book-form"' in page.content.decode()
    response = client.post(
        url("check_in_new", case),
        {"date": "2025-09-24", "time": "13:30", "duration_minutes": "90", "location": "Rum 4"},
    )
    booked = CheckIn.objects.get(case=case)
    assert response.status_code == 302 and response["Location"] == booked.get_absolute_url()
    assert booked.starts_at == datetime.datetime(2025, 9, 24, 13, 30, tzinfo=TZ)
    assert booked.duration_minutes == 90 and booked.location == "Rum 4"
    detail = client.get(booked.get_absolute_url()).content.decode()
    assert 'data-state="booked"' in detail and "Rum 4" in detail


def test_moving_a_booking_keeps_its_calendar_id(client, case):
    booked = check_in_book(case=case, actor=case.officer, starts_at=at(D(2025, 9, 20)))
    client.force_login(case.officer)
    form = client.get(url("check_in_move", case, booked.pk))
    assert 'value="2025-09-20"' in form.content.decode()
    client.post(
        url("check_in_move", case, booked.pk),
        {"date": "2025-09-22", "time": "09:00", "duration_minutes": "60", "location": ""},
    )
    moved = CheckIn.objects.get()
    assert moved.uid == booked.uid and moved.starts_at == at(D(2025, 9, 22), 9)


def test_a_past_booking_time_is_refused_next_to_the_day(client, case):
    client.force_login(case.officer)
    response = client.post(
        url("check_in_new", case),
        {"date": "2025-09-01", "time": "10:00", "duration_minutes": "60", "location": "Rum 4"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["date"] == [
        _("The time has passed. Book a coming meeting, or record one that was held.")
    ]
    assert 'value="Rum 4"' in response.content.decode()
    assert not CheckIn.objects.exists()


def test_recording_on_the_screen_closes_the_deadline(client, case):
    booked = check_in_book(
        case=case, actor=case.officer, starts_at=at(D(2025, 9, 8)) + datetime.timedelta(days=30)
    )
    CheckIn.objects.filter(pk=booked.pk).update(starts_at=at(D(2025, 9, 8)))
    client.force_login(case.officer)
    form = client.get(url("check_in_record", case, booked.pk))
    assert 'value="2025-09-08"' in form.content.decode()  # the booked day
    response = client.post(url("check_in_record", case, booked.pk), record_data())
    assert response.status_code == 302
    held = CheckIn.objects.get(pk=booked.pk)
    assert held.held_on == D(2025, 9, 8)
    assert [(a.text, a.owner, a.due_on) for a in held.actions.all()] == [
        ("Skicka budgeten", "Sara", D(2025, 10, 1))
    ]
    assert first_check_in(case).state == DeadlineState.DONE


def test_a_meeting_after_today_is_refused_on_the_field_with_what_was_typed(client, case):
    client.force_login(case.officer)
    response = client.post(url("check_in_record", case), record_data(held_on="2025-09-11"))
    assert response.status_code == 200
    assert response.context["form"].errors["held_on"] == [
        _("The meeting cannot be recorded before it is held: the date is after today.")
    ]
    page = response.content.decode()
    assert "Bra möte." in page and 'value="Skicka budgeten"' in page
    assert 'id="form-errors"' in page
    assert not CheckIn.objects.exists()


def test_an_action_without_who_is_refused_on_its_row(client, case):
    client.force_login(case.officer)
    response = client.post(url("check_in_record", case), record_data(**{"actions-0-owner": ""}))
    assert response.status_code == 200
    assert response.context["formset"].forms[0].errors["owner"] == [_("Say who does it.")]
    assert not CheckIn.objects.exists()


def test_add_an_action_gives_one_more_row_and_saves_nothing(client, case):
    client.force_login(case.officer)
    response = client.post(url("check_in_record", case), record_data(add_action="1"))
    assert response.status_code == 200
    assert len(response.context["formset"].forms) == 3
    assert 'name="actions-2-text"' in response.content.decode()
    assert not CheckIn.objects.exists()


def test_recording_on_a_closed_case_is_refused_with_the_reason(client, case):
    case.__class__.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED)
    client.force_login(case.officer)
    assert client.get(url("check_in_record", case)).status_code == 409
    response = client.post(url("check_in_record", case), record_data())
    assert response.status_code == 409
    assert closed_case_refusal() in response.content.decode()
    assert not CheckIn.objects.exists()


def test_cancelling_on_the_screen(client, case):
    booked = check_in_book(case=case, actor=case.officer, starts_at=at(D(2025, 9, 20)))
    client.force_login(case.officer)
    assert client.get(url("check_in_cancel", case, booked.pk)).status_code == 200
    response = client.post(url("check_in_cancel", case, booked.pk), {"reason": "Flyttas"})
    assert response.status_code == 302
    assert CheckIn.objects.get().cancelled
    again = client.get(url("check_in_cancel", case, booked.pk))
    assert again.status_code == 409


def test_a_check_in_of_another_case_is_not_found(client, case, officer):
    other = active_case(ACTIVATED, officer=officer)
    booked = check_in_book(case=other, actor=officer, starts_at=at(D(2025, 9, 20)))
    client.force_login(officer)
    for name in ("check_in", "check_in_record", "check_in_cancel", "check_in_move"):
        assert client.get(url(name, case, booked.pk)).status_code == 404
    assert client.post(url("check_in_cancel", case, booked.pk)).status_code == 404
    assert not CheckIn.objects.get().cancelled
