"""The follow-up in Django admin: every model registered; what the system derives or records
is read-only for every role and the superuser, with its history; absences, earlier follow-ups
and the reminder settings are written through their services, by whom the roles allow, with
refusals shown on the form and nothing saved; lists cost constant queries."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from iop.constants import Role

from ..constants import DeadlineKind, DeadlineState
from ..models import (
    Absence,
    CalendarToken,
    Deadline,
    EarlierFollowUp,
    ReminderSettings,
)
from ..services.deadlines import deadline_waive
from .factories import active_case

pytestmark = pytest.mark.django_db

APP = "followups"
D = datetime.date
ROLES = ["officer", "coordinator", "jurist", "secretary", "finance", "auditor"]
READ_ONLY = [
    "deadline",
    "checkin",
    "checkinaction",
    "annualevaluation",
    "followupreport",
    "noticerecord",
    "winddownplan",
    "reminderoutbox",
    "reminderemail",
    "calendartoken",
]


def url(model: str, action: str, *args) -> str:
    return reverse(f"admin:{APP}_{model}_{action}", args=args)


def at(day: datetime.date):
    moment = datetime.datetime(
        day.year, day.month, day.day, 10, 0, tzinfo=ZoneInfo("Europe/Stockholm")
    )
    return time_machine.travel(moment, tick=False)


@pytest.fixture
def login(client):
    def login_as(user):
        user.is_staff = True
        user.save(update_fields=["is_staff"])
        client.force_login(user)
        return client

    return login_as


@pytest.fixture
def superuser(make_user):
    return make_user(None, username="admin", is_staff=True, is_superuser=True)


@pytest.fixture
def case(officer):
    return active_case(officer=officer)


# --- Registered, and nothing derived is written here -------------------------------------------


def test_every_followups_model_is_registered():
    from django.apps import apps

    models = set(apps.get_app_config(APP).get_models())
    registered = {m for m in admin.site._registry if m._meta.app_label == APP}
    # simple_history's historical models are not registered of their own.
    assert registered == {m for m in models if not m.__name__.startswith("Historical")}


def test_no_read_only_model_can_be_added_changed_or_deleted_even_by_a_superuser(rf, superuser):
    request = rf.get("/")
    request.user = superuser
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label != APP:
            continue
        assert not model_admin.has_delete_permission(request), model
        assert "delete_selected" not in model_admin.get_actions(request)
        if model._meta.model_name in READ_ONLY:
            assert not model_admin.has_add_permission(request), model
            assert not model_admin.has_change_permission(request), model


def test_every_followups_admin_page_opens_for_a_superuser(login, superuser, case):
    deadline = Deadline.objects.filter(case=case).first()
    deadline_waive(deadline=deadline, actor=case.officer, reason="Parterna är överens.")
    CalendarToken.objects.create(user=case.officer)
    ReminderSettings.current()
    client = login(superuser)
    for model in admin.site._registry:
        opts = model._meta
        if opts.app_label != APP:
            continue
        assert client.get(url(opts.model_name, "changelist")).status_code == 200, opts.model_name
        obj = model._default_manager.first()
        if obj is None:
            continue
        assert client.get(url(opts.model_name, "change", obj.pk)).status_code == 200, opts
        if opts.model_name in READ_ONLY:
            assert client.get(url(opts.model_name, "add")).status_code == 403
    history = client.get(url("deadline", "history", deadline.pk))
    assert history.status_code == 200
    assert len(history.context["page_obj"].object_list) == deadline.history.count() >= 2


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_the_deadlines_and_cannot_change_them(request, login, case, role):
    user = request.getfixturevalue(role)
    client = login(user)
    deadline = Deadline.objects.filter(case=case).first()

    assert client.get(url("deadline", "changelist")).status_code == 200
    page = client.get(url("deadline", "change", deadline.pk))
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    assert 'name="_save"' not in page.content.decode()
    assert client.get(url("deadline", "history", deadline.pk)).status_code == 200
    response = client.post(url("deadline", "change", deadline.pk), {"state": "done"})
    assert response.status_code == 403
    assert Deadline.objects.get(pk=deadline.pk).state == DeadlineState.OPEN
    assert client.get(url("absence", "changelist")).status_code == 200
    assert client.get(url("remindersettings", "changelist")).status_code == 200


@pytest.mark.parametrize("role", ["jurist", "secretary", "finance", "auditor"])
def test_roles_without_follow_up_work_may_not_register_absences_or_history(
    request, login, case, role
):
    client = login(request.getfixturevalue(role))
    assert client.get(url("absence", "add")).status_code == 403
    assert client.get(url("earlierfollowup", "add")).status_code == 403
    response = client.post(
        url("absence", "add"),
        {"user": case.officer.pk, "starts_on": "2030-01-01", "ends_on": "2030-01-05"},
    )
    assert response.status_code == 403
    assert not Absence.objects.exists()


def test_a_user_who_is_not_staff_is_sent_to_log_in(client, officer):
    client.force_login(officer)
    response = client.get(url("deadline", "changelist"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_the_calendar_feeds_secret_is_never_shown(login, superuser, officer):
    token = CalendarToken.objects.create(user=officer)
    client = login(superuser)
    for page in (
        client.get(url("calendartoken", "changelist")),
        client.get(url("calendartoken", "change", token.pk)),
        client.get(url("calendartoken", "history", token.pk)),
    ):
        assert page.status_code == 200
        assert token.token not in page.content.decode()


# --- Reminder settings: the administrator's one row ------------------------------------------------


def settings_data(**changes) -> dict:
    row = ReminderSettings.current()
    data = {
        "due_soon_days": row.due_soon_days,
        "escalate_after_days": row.escalate_after_days,
        "renegotiation_lead_months": row.renegotiation_lead_months,
        "wind_down_plan_months_before_end": row.wind_down_plan_months_before_end,
        "horizon_months": row.horizon_months,
        "claim_minutes": row.claim_minutes,
        "send_emails": "on" if row.send_emails else "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


def test_the_superuser_changes_the_reminder_settings_with_history(login, superuser):
    row = ReminderSettings.current()
    client = login(superuser)
    response = client.post(
        url("remindersettings", "change", row.pk), settings_data(due_soon_days=21)
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    saved = ReminderSettings.objects.get()
    assert saved.due_soon_days == 21
    assert saved.history.latest("history_id").history_user == superuser
    assert client.get(url("remindersettings", "add")).status_code == 403


def test_a_setting_out_of_range_is_refused_and_the_form_keeps_what_was_typed(login, superuser):
    row = ReminderSettings.current()
    history = row.history.count()
    client = login(superuser)
    response = client.post(
        url("remindersettings", "change", row.pk), settings_data(due_soon_days=0, claim_minutes=5)
    )
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert list(form.errors) == ["due_soon_days"]
    assert form["claim_minutes"].value() == "5"
    assert ReminderSettings.objects.get().due_soon_days == 14
    assert ReminderSettings.objects.get().history.count() == history


@pytest.mark.parametrize("role", ["coordinator", "auditor"])
def test_no_role_changes_the_reminder_settings(request, login, role):
    row = ReminderSettings.current()
    client = login(request.getfixturevalue(role))
    page = client.get(url("remindersettings", "change", row.pk))
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    response = client.post(
        url("remindersettings", "change", row.pk), settings_data(due_soon_days=3)
    )
    assert response.status_code == 403
    assert ReminderSettings.objects.get().due_soon_days == 14


# --- Absences: oneself, or anyone by the coordinator ------------------------------------------------


def test_the_coordinator_registers_an_officers_absence_through_the_service(
    login, coordinator, officer
):
    with at(D(2026, 5, 4)):
        client = login(coordinator)
        response = client.post(
            url("absence", "add"),
            {
                "user": officer.pk,
                "starts_on": "2026-05-04",
                "ends_on": "2026-05-29",
                "note": "Sjuk",
            },
        )
    assert response.status_code == 302, response.context["adminform"].form.errors
    absence = Absence.objects.get()
    assert (absence.user, absence.created_by, absence.ends_on) == (
        officer,
        coordinator,
        D(2026, 5, 29),
    )
    assert absence.history.latest("history_id").history_user == coordinator


def test_an_absence_ending_before_it_starts_is_refused_in_swedish_with_what_was_typed(
    login, officer
):
    with at(D(2026, 5, 4)):
        client = login(officer)
        response = client.post(
            url("absence", "add"),
            {
                "user": officer.pk,
                "starts_on": "2026-05-20",
                "ends_on": "2026-05-10",
                "note": "Semester",
            },
        )
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors == {"ends_on": ["Sista dagen kan inte vara före första dagen."]}
    assert form["note"].value() == "Semester"
    assert not Absence.objects.exists()


def test_an_officer_registers_only_their_own_absence(login, officer, make_user):
    other = make_user(Role.CASE_OFFICER, username="johan")
    client = login(officer)
    page = client.get(url("absence", "add"))
    assert list(page.context["adminform"].form.fields["user"].queryset) == [officer]
    with at(D(2026, 5, 4)):
        response = client.post(
            url("absence", "add"),
            {"user": other.pk, "starts_on": "2026-05-04", "ends_on": "2026-05-08"},
        )
    assert response.status_code == 200
    assert "user" in response.context["adminform"].form.errors
    assert not Absence.objects.exists()


def test_an_absence_is_ended_early_on_its_page_and_only_by_whom_may(login, officer, make_user):
    from ..services.absence import absence_register

    with at(D(2026, 5, 4)):
        absence = absence_register(
            actor=officer, user=officer, starts_on=D(2026, 5, 4), ends_on=D(2026, 5, 29)
        )
    other = make_user(Role.CASE_OFFICER, username="johan")
    with at(D(2026, 5, 11)):
        page = login(other).get(url("absence", "change", absence.pk))
        assert page.context["has_change_permission"] is False
        assert (
            login(other).post(url("absence", "change", absence.pk), {"end_now": "on"}).status_code
            == 403
        )
        client = login(officer)
        page = client.get(url("absence", "change", absence.pk))
        assert page.context["has_change_permission"] is True
        response = client.post(url("absence", "change", absence.pk), {"end_now": "on"})
    assert response.status_code == 302
    absence.refresh_from_db()
    assert absence.ended_early_at is not None
    assert (absence.starts_on, absence.ends_on) == (D(2026, 5, 4), D(2026, 5, 29))


# --- Earlier follow-ups: an imported IOP's history ------------------------------------------------


def earlier_data(case, **changes) -> dict:
    data = {
        "case": case.pk,
        "kind": DeadlineKind.COMMITTEE_FOLLOW_UP.value,
        "done_on": "2024-05-14",
        "reference": "HSN 14 maj 2024 § 52",
    }
    data.update(changes)
    return data


def test_the_officer_records_an_earlier_follow_up_and_the_deadlines_count_from_it(login, officer):
    with at(D(2026, 1, 15)):
        case = active_case(D(2022, 5, 2), officer=officer)
        response = login(officer).post(url("earlierfollowup", "add"), earlier_data(case))
    assert response.status_code == 302, response.context["adminform"].form.errors
    earlier = EarlierFollowUp.objects.get()
    assert (earlier.case, earlier.created_by) == (case, officer)
    first, second, _third = Deadline.objects.filter(
        case=case, kind=DeadlineKind.COMMITTEE_FOLLOW_UP
    ).order_by("sequence")
    assert (first.state, first.done_record) == (DeadlineState.DONE, f"earlier:{earlier.pk}")
    assert second.nominal_on == D(2026, 5, 14)
    page = login(officer).get(url("earlierfollowup", "change", earlier.pk))
    assert page.context["has_change_permission"] is False


def test_an_earlier_follow_up_in_the_future_is_refused_with_what_was_typed(login, officer):
    with at(D(2026, 1, 15)):
        case = active_case(D(2022, 5, 2), officer=officer)
        response = login(officer).post(
            url("earlierfollowup", "add"), earlier_data(case, done_on="2026-02-01")
        )
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors == {"done_on": ["Datumet för uppföljningen kan inte ligga i framtiden."]}
    assert form["reference"].value() == "HSN 14 maj 2024 § 52"
    assert not EarlierFollowUp.objects.exists()


def test_only_cases_the_user_handles_are_offered_for_earlier_follow_ups(login, officer, case):
    other_case = active_case()
    page = login(officer).get(url("earlierfollowup", "add"))
    offered = set(page.context["adminform"].form.fields["case"].queryset)
    assert case in offered
    assert other_case not in offered


# --- Lists cost the same for one case and many -------------------------------------------------------


def _queries(client, model: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url(model, "changelist"))
    assert response.status_code == 200
    return len(queries)


LISTS = ["deadline", "checkin", "annualevaluation", "earlierfollowup", "absence", "reminderoutbox"]


def test_the_lists_cost_the_same_queries_for_one_and_many_cases(login, auditor, officer):
    client = login(auditor)
    active_case(officer=officer)
    one = {model: _queries(client, model) for model in LISTS}
    for _ in range(4):
        active_case()
    assert {model: _queries(client, model) for model in LISTS} == one
