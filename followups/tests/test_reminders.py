"""The reminders: once per deadline, level and recipient however often the sweep runs; windows,
so a sweep that did not run catches up; escalation to the coordinators; the substitute while
the owner is away; one e-mail per person; a claimed e-mail re-sent with its Message-ID only
after the claim expired; two concurrent sweeps (PostgreSQL); a broker that is down."""

from __future__ import annotations

import datetime
import itertools
import json
import threading
from unittest import mock

import pytest

from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone

from iop.constants import CaseStatus, Role
from iop.models import Notification
from iop.services.notifications import notification_email_send
from iop.tests.factories import CaseFactory, UserFactory
from partners.tests.factories import OrganisationFactory

from ..constants import DeadlineKind, DeadlineState, ReminderLevel
from ..models import Absence, Deadline, ReminderEmail, ReminderOutbox, ReminderSettings
from ..services import reminders
from ..services.reminders import (
    message_id,
    reminder_emails_send,
    reminders_enqueue,
    sweep,
)

TODAY = datetime.date(2026, 12, 3)
NOW = timezone.make_aware(datetime.datetime(2026, 12, 3, 6, 30))
_sequence = itertools.count(1)


@pytest.fixture
def anna(make_user):
    return make_user(Role.CASE_OFFICER, username="anna", first_name="Anna", last_name="Berg")


@pytest.fixture
def johan(make_user):
    return make_user(Role.CASE_OFFICER, username="johan", first_name="Johan", last_name="Ek")


@pytest.fixture
def karin(make_user):
    return make_user(Role.COORDINATOR, username="karin", first_name="Karin")


def followed_case(officer, substitute=None, status=CaseStatus.ACTIVE, name="Fritidsbanken"):
    return CaseFactory(
        status=status,
        officer=officer,
        substitute=substitute,
        organisations=[OrganisationFactory(name=name, declared=True)],
    )


def deadline_on(case, due_on, kind=DeadlineKind.CHECK_IN, state=DeadlineState.OPEN):
    return Deadline.objects.create(
        case=case,
        kind=kind,
        sequence=next(_sequence),
        nominal_on=due_on,
        due_on=due_on,
        state=state,
    )


def reminders_of(user):
    return list(
        ReminderOutbox.objects.filter(recipient=user)
        .order_by("deadline_id", "level")
        .values_list("deadline_id", "level", "on_behalf_of_id")
    )


# --- exactly once -------------------------------------------------------------------------


def test_sweeping_twice_reminds_once(anna, karin, mailoutbox):
    case = followed_case(anna)
    due = deadline_on(case, TODAY + datetime.timedelta(days=5))

    first = sweep(today=TODAY, now=NOW)
    second = sweep(today=TODAY, now=NOW + datetime.timedelta(hours=1))

    assert (first.created, first.emailed) == (1, 1)
    assert (second.created, second.emailed) == (0, 0)
    assert reminders_of(anna) == [(due.pk, ReminderLevel.DUE_SOON, None)]
    notification = Notification.objects.get(recipient=anna)
    assert notification.key == f"reminder:{due.pk}:due_soon"
    assert notification.text == (
        f"Fritidsbanken: Avstämningsmöte förfaller 8 december 2026 ({case.registry_number})"
    )
    assert notification.url.startswith(reverse("followups:case", args=[case.pk]))
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [anna.email]
    # The digest is the notification's e-mail: the hub's own e-mail never sends it again.
    assert notification.emailed_at is not None
    assert notification_email_send(notification_id=notification.pk) is False
    assert len(mailoutbox) == 1


def test_only_open_deadlines_of_followed_cases_within_the_window(anna, mailoutbox):
    case = followed_case(anna)
    deadline_on(case, TODAY + datetime.timedelta(days=15))  # beyond due_soon_days (14)
    deadline_on(case, TODAY, state=DeadlineState.DONE)
    deadline_on(case, TODAY, state=DeadlineState.WAIVED)
    closed = followed_case(anna, status=CaseStatus.CLOSED)
    deadline_on(closed, TODAY)
    inside = deadline_on(case, TODAY + datetime.timedelta(days=14))

    assert reminders_enqueue(today=TODAY) == 1
    assert reminders_of(anna) == [(inside.pk, ReminderLevel.DUE_SOON, None)]


def test_a_sweep_that_did_not_run_for_days_catches_up(anna, mailoutbox):
    case = followed_case(anna)
    missed = deadline_on(case, TODAY - datetime.timedelta(days=3))
    soon = deadline_on(case, TODAY + datetime.timedelta(days=2))

    # No sweep ran on the day the first became due soon, nor on its due date.
    assert reminders_enqueue(today=TODAY) == 2

    assert reminders_of(anna) == [
        (missed.pk, ReminderLevel.OVERDUE, None),
        (soon.pk, ReminderLevel.DUE_SOON, None),
    ]
    assert reminder_emails_send(now=NOW) == 1
    assert "försenad" in Notification.objects.get(key=f"reminder:{missed.pk}:overdue").text


def test_due_soon_then_overdue_each_once(anna, mailoutbox):
    case = followed_case(anna)
    due = deadline_on(case, TODAY)

    for day in range(-14, 3):
        reminders_enqueue(today=TODAY + datetime.timedelta(days=day))

    assert reminders_of(anna) == [
        (due.pk, ReminderLevel.DUE_SOON, None),
        (due.pk, ReminderLevel.OVERDUE, None),
    ]


def test_escalation_after_30_days_goes_to_every_coordinator_once(
    anna, karin, make_user, mailoutbox
):
    other_coordinator = make_user(Role.COORDINATOR, username="sara")
    make_user(Role.COORDINATOR, username="gone", is_active=False)
    case = followed_case(anna)
    late = deadline_on(case, TODAY - datetime.timedelta(days=30))

    reminders_enqueue(today=TODAY)  # 30 days overdue: not yet
    assert not ReminderOutbox.objects.filter(level=ReminderLevel.ESCALATED).exists()

    for day in range(1, 4):
        reminders_enqueue(today=TODAY + datetime.timedelta(days=day))

    escalated = ReminderOutbox.objects.filter(level=ReminderLevel.ESCALATED)
    assert sorted(escalated.values_list("recipient__username", flat=True)) == ["karin", "sara"]
    assert reminders_of(anna) == [(late.pk, ReminderLevel.OVERDUE, None)]
    assert Notification.objects.filter(recipient=other_coordinator).count() == 1
    text = Notification.objects.get(recipient=karin).text
    assert text == (
        "Fritidsbanken: Avstämningsmöte förföll 3 november 2026 och är försenad mer än 30 dagar "
        f"({case.registry_number})"
    )

    assert reminder_emails_send(now=NOW) == 3  # Anna, Karin, Sara: one each
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        [anna.email, karin.email, other_coordinator.email]
    )


def test_the_levels_follow_the_settings(anna, karin):
    conf = ReminderSettings.current()
    conf.due_soon_days = 30
    conf.escalate_after_days = 5
    conf.save()
    case = followed_case(anna)
    far = deadline_on(case, TODAY + datetime.timedelta(days=30))
    late = deadline_on(case, TODAY - datetime.timedelta(days=6))

    reminders_enqueue(today=TODAY)

    assert reminders_of(anna) == [
        (far.pk, ReminderLevel.DUE_SOON, None),
        (late.pk, ReminderLevel.OVERDUE, None),
    ]
    assert reminders_of(karin) == [(late.pk, ReminderLevel.ESCALATED, None)]


# --- absence ------------------------------------------------------------------------------


def test_while_anna_is_away_her_reminders_go_to_johan_and_stop_when_she_is_back(
    anna, johan, karin, mailoutbox
):
    case = followed_case(anna, substitute=johan)
    first = deadline_on(case, TODAY + datetime.timedelta(days=3))
    absence = Absence.objects.create(
        user=anna,
        starts_on=TODAY - datetime.timedelta(days=1),
        ends_on=TODAY + datetime.timedelta(days=7),
    )

    reminders_enqueue(today=TODAY)

    assert reminders_of(johan) == [(first.pk, ReminderLevel.DUE_SOON, anna.pk)]
    assert reminders_of(anna) == []
    text = Notification.objects.get(recipient=johan).text
    assert text.endswith("(som ersättare för Anna Berg)")
    assert reminder_emails_send(now=NOW) == 1
    assert mailoutbox[0].to == [johan.email]
    assert "Anna Berg" in mailoutbox[0].body

    # Anna is back early: from today she gets her reminders again, Johan nothing more.
    absence.ended_early_at = NOW + datetime.timedelta(days=2)
    absence.save()
    back = TODAY + datetime.timedelta(days=2)
    second = deadline_on(case, back + datetime.timedelta(days=10))
    reminders_enqueue(today=back)
    reminders_enqueue(today=TODAY + datetime.timedelta(days=4))  # the first is now overdue

    assert reminders_of(johan) == [(first.pk, ReminderLevel.DUE_SOON, anna.pk)]
    assert (second.pk, ReminderLevel.DUE_SOON, None) in reminders_of(anna)
    assert (first.pk, ReminderLevel.OVERDUE, None) in reminders_of(anna)


def test_after_the_last_day_of_absence_the_owner_is_reminded_again(anna, johan):
    case = followed_case(anna, substitute=johan)
    due = deadline_on(case, TODAY + datetime.timedelta(days=10))
    Absence.objects.create(
        user=anna,
        starts_on=TODAY - datetime.timedelta(days=5),
        ends_on=TODAY - datetime.timedelta(days=1),
    )

    reminders_enqueue(today=TODAY)

    assert reminders_of(anna) == [(due.pk, ReminderLevel.DUE_SOON, None)]
    assert reminders_of(johan) == []


def test_without_a_substitute_the_coordinators_stand_in(anna, johan, karin):
    alone = followed_case(anna)
    due = deadline_on(alone, TODAY + datetime.timedelta(days=1))
    # A substitute who is away as well counts as none.
    both_away = followed_case(anna, substitute=johan)
    other = deadline_on(both_away, TODAY + datetime.timedelta(days=1))
    for user in (anna, johan):
        Absence.objects.create(user=user, starts_on=TODAY, ends_on=TODAY)

    reminders_enqueue(today=TODAY)

    assert reminders_of(karin) == [
        (due.pk, ReminderLevel.DUE_SOON, anna.pk),
        (other.pk, ReminderLevel.DUE_SOON, anna.pk),
    ]
    assert reminders_of(johan) == []


# --- e-mail -------------------------------------------------------------------------------


def test_one_email_per_person_listing_all_their_items_with_links(anna, johan, mailoutbox):
    first_case = followed_case(anna)
    second_case = followed_case(anna, name="Läxhjälpen")
    items = [
        deadline_on(first_case, TODAY + datetime.timedelta(days=1)),
        deadline_on(
            first_case, TODAY - datetime.timedelta(days=2), kind=DeadlineKind.ANNUAL_EVALUATION
        ),
        deadline_on(second_case, TODAY + datetime.timedelta(days=9)),
    ]
    johans = deadline_on(followed_case(johan), TODAY + datetime.timedelta(days=4))

    result = sweep(today=TODAY, now=NOW)

    assert (result.created, result.emailed) == (4, 2)
    by_recipient = {m.to[0]: m for m in mailoutbox}
    mail = by_recipient[anna.email]
    assert mail.subject == "IOP-stöd: 3 påminnelser"
    for deadline in items:
        assert f"http://testserver{deadline.get_absolute_url()}" in mail.body or (
            deadline.get_absolute_url() in mail.body
        )
    assert "Läxhjälpen" in mail.body and "Fritidsbanken" in mail.body
    assert johans.get_absolute_url() not in mail.body
    assert by_recipient[johan.email].subject == "IOP-stöd: 1 påminnelse"
    email = ReminderEmail.objects.get(recipient=anna)
    assert mail.extra_headers["Message-ID"] == message_id(email)
    assert ReminderOutbox.objects.filter(email=email, sent_at__isnull=False).count() == 3


def test_a_claimed_but_unsent_email_is_resent_with_its_message_id_after_the_claim(anna, mailoutbox):
    deadline_on(followed_case(anna), TODAY + datetime.timedelta(days=1))
    reminders_enqueue(today=TODAY)

    # The SMTP server refuses (or the worker dies while sending): the e-mail stays claimed.
    with mock.patch("django.core.mail.EmailMessage.send", side_effect=OSError("refused")):
        assert reminder_emails_send(now=NOW) == 0
    email = ReminderEmail.objects.get()
    assert email.sent_at is None and email.claimed_until == NOW + datetime.timedelta(minutes=10)

    # While the claim holds, no one sends it.
    assert reminder_emails_send(now=NOW + datetime.timedelta(minutes=9)) == 0
    assert mailoutbox == []

    # Once it expired, the next run sends it: the same e-mail, the same Message-ID.
    assert reminder_emails_send(now=NOW + datetime.timedelta(minutes=11)) == 1
    assert len(mailoutbox) == 1
    assert mailoutbox[0].extra_headers["Message-ID"] == message_id(email)
    email.refresh_from_db()
    assert email.sent_at is not None and email.attempts == 2
    assert ReminderEmail.objects.count() == 1
    assert reminder_emails_send(now=NOW + datetime.timedelta(hours=2)) == 0
    assert len(mailoutbox) == 1


def test_a_crash_after_the_smtp_server_accepted_resends_with_the_same_message_id(anna, mailoutbox):
    """The documented window: accepted but not marked → one resend, recognisable by its ID."""
    deadline_on(followed_case(anna), TODAY + datetime.timedelta(days=1))
    reminders_enqueue(today=TODAY)

    with (
        mock.patch.object(reminders, "_mark_sent", side_effect=KeyboardInterrupt),
        pytest.raises(KeyboardInterrupt),
    ):
        reminder_emails_send(now=NOW)
    assert reminder_emails_send(now=NOW + datetime.timedelta(minutes=11)) == 1

    assert len(mailoutbox) == 2
    assert mailoutbox[0].extra_headers["Message-ID"] == mailoutbox[1].extra_headers["Message-ID"]


def test_with_emails_off_or_no_address_the_reminders_are_marked_without_mail(
    anna, make_user, mailoutbox
):
    no_address = make_user(Role.CASE_OFFICER, username="utan", email="")
    deadline_on(followed_case(no_address), TODAY)
    reminders_enqueue(today=TODAY)
    assert reminder_emails_send(now=NOW) == 0
    assert ReminderOutbox.objects.get(recipient=no_address).sent_at is not None

    conf = ReminderSettings.current()
    conf.send_emails = False
    conf.save()
    deadline_on(followed_case(anna), TODAY)
    reminders_enqueue(today=TODAY)
    assert reminder_emails_send(now=NOW) == 0
    assert mailoutbox == []
    assert ReminderOutbox.objects.get(recipient=anna).sent_at is not None
    assert Notification.objects.filter(recipient=anna).count() == 1


def test_batches_give_the_same_reminders_in_a_constant_number_of_queries(
    anna, johan, karin, django_assert_max_num_queries
):
    cases = [followed_case(anna, substitute=johan) for _ in range(3)]
    for case in cases:
        for days in (-40, -1, 3):
            deadline_on(case, TODAY + datetime.timedelta(days=days))
    Absence.objects.create(user=anna, starts_on=TODAY, ends_on=TODAY)

    # 9 deadlines in batches of 4: 3 batches of ~8 queries (whatever the batch's size).
    with django_assert_max_num_queries(40):
        created = reminders_enqueue(today=TODAY, batch_size=4)

    # Each case: overdue×2 + due soon to Johan, escalated×1 to Karin.
    assert created == 12
    assert ReminderOutbox.objects.count() == 12
    assert Notification.objects.count() == 12


# --- the tasks and the schedule -----------------------------------------------------------


def test_the_beat_schedule_runs_the_sweep_daily_at_0630_and_hourly(db):
    from django_celery_beat.models import PeriodicTask

    tasks = {t.name: t for t in PeriodicTask.objects.filter(task="followups.tasks.sweep_reminders")}
    daily = tasks["Follow-up reminders (daily)"]
    assert (daily.crontab.hour, daily.crontab.minute) == ("6", "30")
    assert str(daily.crontab.timezone) == "Europe/Stockholm"
    hourly = tasks["Follow-up reminders (hourly catch-up)"]
    assert (hourly.interval.every, hourly.interval.period) == (1, "hours")
    assert json.loads(hourly.kwargs) == {"recompute": False}
    assert json.loads(daily.kwargs) == {}


def test_the_sweep_task_records_and_emails(anna, mailoutbox, django_capture_on_commit_callbacks):
    from ..tasks import sweep_reminders

    deadline_on(followed_case(anna), timezone.localdate() + datetime.timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        created = sweep_reminders.delay().get()

    assert created == 1
    assert len(mailoutbox) == 1


def test_the_daily_sweep_replans_the_deadlines_and_the_hourly_catch_up_does_not(db):
    from ..tasks import sweep_reminders

    with mock.patch(
        "followups.services.deadlines.recompute_followed_cases", return_value=0
    ) as replan:
        sweep_reminders(recompute=False)
        assert replan.call_count == 0
        sweep_reminders()
        assert replan.call_count == 1


@pytest.fixture
def broker_down():
    """Celery not eager, its broker a closed port (Redis down)."""
    from iop.celery import app
    from iop.tests.celery_worker import forget_connections

    overrides = {
        "broker_url": "redis://127.0.0.1:1/0",
        "task_always_eager": False,
        "broker_connection_retry": False,
        "broker_connection_max_retries": 0,
        "broker_transport_options": {"max_retries": 0},
        "task_publish_retry": False,
    }
    saved = {key: app.conf[key] for key in overrides}
    app.conf.update(overrides)
    forget_connections(app)
    try:
        yield app
    finally:
        forget_connections(app)
        app.conf.update(saved)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_while_redis_is_down_saving_works_and_the_next_sweep_catches_up(broker_down, mailoutbox):
    from ..services.absence import absence_register
    from ..tasks import sweep_reminders

    anna = UserFactory(role=Role.CASE_OFFICER, first_name="Anna", last_name="Berg")
    johan = UserFactory(role=Role.CASE_OFFICER)
    karin = UserFactory(role=Role.COORDINATOR)
    today = timezone.localdate()
    case = followed_case(anna, substitute=johan)
    due = deadline_on(case, today + datetime.timedelta(days=2))

    # Recording commits; its e-mail cannot be queued, and nothing is lost.
    absence = absence_register(actor=karin, user=anna, starts_on=today, ends_on=today)
    assert Absence.objects.filter(pk=absence.pk).exists()
    told = Notification.objects.get(recipient=anna, key=f"absence:{absence.pk}")
    assert told.emailed_at is None

    # The sweep (beat delivers it when the broker answers, or runs it by hand) catches up:
    # it cannot queue the e-mails either, so it sends them itself.
    assert sweep_reminders() == 1
    assert reminders_of(johan) == [(due.pk, ReminderLevel.DUE_SOON, anna.pk)]
    assert [m.to for m in mailoutbox] == [[johan.email]]
    assert sweep_reminders() == 0
    assert len(mailoutbox) == 1


# --- concurrency (PostgreSQL) -------------------------------------------------------------


@pytest.mark.integration
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_concurrent_sweeps_send_each_reminder_exactly_once(mailoutbox, django_db_blocker):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL)")
    officers = [UserFactory(role=Role.CASE_OFFICER) for _ in range(4)]
    coordinator = UserFactory(role=Role.COORDINATOR)
    for officer in officers:
        case = followed_case(officer)
        for days in (-45, -2, 1, 6, 13):
            deadline_on(case, TODAY + datetime.timedelta(days=days))
    start = threading.Barrier(2, timeout=20)
    results: dict[str, object] = {}

    def run(name: str) -> None:
        try:
            with django_db_blocker.unblock():
                start.wait()
                created = reminders_enqueue(today=TODAY, batch_size=3)
                emailed = reminder_emails_send(now=NOW, limit=2)
                emailed += reminder_emails_send(now=NOW, limit=200)
                results[name] = (created, emailed)
        except Exception as error:  # reported by the assertions below
            results[name] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n,)) for n in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    for name in ("a", "b"):
        assert not isinstance(results[name], Exception), results[name]
    # Per officer: 2 overdue + 3 due soon; the coordinator: 4 escalated.
    total = 4 * 5 + 4
    assert ReminderOutbox.objects.count() == total
    assert results["a"][0] + results["b"][0] == total
    assert Notification.objects.filter(key__startswith="reminder:").count() == total
    assert not ReminderOutbox.objects.filter(sent_at__isnull=True).exists()
    # One e-mail per person, each reminder in exactly one of them.
    assert results["a"][1] + results["b"][1] == 5
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        [u.email for u in officers] + [coordinator.email]
    )
    assert ReminderEmail.objects.count() == 5
