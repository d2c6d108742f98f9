"""Reminders exactly once, through real Celery worker processes on Redis.

Each test starts ``python -m followups.tests.worker_helpers`` subprocesses (the project's
Celery app and worker, prefork pool, on this test's own Redis queue and key prefix) on the test
database, sends the beat task ``sweep_reminders`` as beat would, and counts what the workers
really sent (one ``.eml`` file per message). Whatever happens — the sweep run twice, two
worker processes at once, a worker killed with SIGKILL in the middle of sending — every
deadline ends with exactly one reminder per level and recipient: one outbox row, one in-app
notification, and one line in exactly one sent e-mail; none lost.

The expected reminders are worked out here from the rules users were given (due within the
reminder window → *due soon* to the owner; past due → *overdue* to the owner; more than
``escalate_after_days`` past due → *escalated* to every IOP coordinator; an owner away → the
case's substitute), not from the service's code.

Needs PostgreSQL (``SELECT … FOR UPDATE SKIP LOCKED``, and a database another process can
open: ``DATABASE_URL``) and Redis (``REDIS_URL``); skipped without them.
"""

from __future__ import annotations

import datetime
import re
from collections import Counter

import pytest
from dateutil.relativedelta import relativedelta

from django.db import connection
from django.utils import timezone

from iop.constants import Role
from iop.models import Notification
from iop.services.notifications import users_with_role
from iop.tests.celery_worker import redis_answers
from iop.tests.factories import UserFactory

from ..constants import FOLLOWED_STAGES, DeadlineState, ReminderLevel
from ..models import Absence, Deadline, ReminderEmail, ReminderOutbox, ReminderSettings
from ..services.reminders import NOTIFICATION_KIND, message_id, reminder_emails_send
from .factories import active_case
from .worker_helpers import REDIS_URL, Broker, Workers

SWEEP = "followups.tasks.sweep_reminders"
SEND = "followups.tasks.send_reminder_emails"

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="worker processes need PostgreSQL (SKIP LOCKED, a database they can share)",
    ),
    pytest.mark.skipif(
        not redis_answers(REDIS_URL),
        reason=f"Redis at REDIS_URL={REDIS_URL} does not answer; start redis-server",
    ),
    # transaction=True: the workers are other processes and see only what is committed.
    # serialized_rollback: the role groups come back after the flush at the end.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def workers(tmp_path):
    broker = Broker()
    with broker.client():
        started = Workers(broker, tmp_path)
        try:
            yield started
        finally:
            # Before pytest-django flushes the tables: no worker may hold a connection.
            started.stop_all()


# --- The partnerships and what they must get ------------------------------------------------


def partnerships(today: datetime.date) -> None:
    """Twelve active partnerships of four officers, each officer's first check-in due in about
    a week, about two weeks overdue and about two months overdue (escalated); the fourth
    officer is away, with the first officer as substitute of her cases. Two IOP coordinators.
    Five people get reminders: five digests."""
    for _ in range(2):
        UserFactory(role=Role.COORDINATOR)
    officers = [UserFactory(role=Role.CASE_OFFICER) for _ in range(4)]
    away, substitute = officers[3], officers[0]
    Absence.objects.create(
        user=away,
        starts_on=today - datetime.timedelta(days=3),
        ends_on=today + datetime.timedelta(days=30),
        note="Semester",
    )
    for officer in officers:
        for days in (8, -15, -60):
            # The first check-in falls six months after the activation.
            activated = today + datetime.timedelta(days=days) - relativedelta(months=6)
            active_case(
                activated, officer=officer, substitute=substitute if officer == away else None
            )


def expected_reminders(today: datetime.date) -> set[tuple[int, str, int]]:
    conf = ReminderSettings.current()
    coordinators = list(users_with_role(Role.COORDINATOR).values_list("pk", flat=True))
    away = set(
        Absence.objects.filter(starts_on__lte=today, ends_on__gte=today).values_list(
            "user_id", flat=True
        )
    )
    expected = set()
    for deadline in Deadline.objects.filter(
        state=DeadlineState.OPEN,
        case__status__in=FOLLOWED_STAGES,
        due_on__lte=today + datetime.timedelta(days=conf.due_soon_days),
    ).select_related("case"):
        case = deadline.case
        owner = case.substitute_id if case.officer_id in away else case.officer_id
        if deadline.due_on >= today:
            expected.add((deadline.pk, ReminderLevel.DUE_SOON.value, owner))
            continue
        expected.add((deadline.pk, ReminderLevel.OVERDUE.value, owner))
        if (today - deadline.due_on).days > conf.escalate_after_days:
            expected |= {(deadline.pk, ReminderLevel.ESCALATED.value, c) for c in coordinators}
    levels = {level for _, level, _ in expected}
    assert levels == set(ReminderLevel.values), levels  # the data covers every level
    return expected


# --- Reading what happened --------------------------------------------------------------------

LINK = re.compile(r"#deadline-(\d+)\b")


def mailed_items(mails) -> Counter:
    """(deadline, recipient address) of every entry of every e-mail sent, by the link to the
    deadline that each entry ends with."""
    items: Counter = Counter()
    for mail in mails:
        for found in LINK.finditer(mail.body):
            for address in mail.to:
                items[(int(found[1]), address)] += 1
    return items


def assert_exactly_once(workers: Workers, expected: set[tuple[int, str, int]]) -> None:
    """Every expected reminder once, and nothing else: outbox, notifications, e-mails."""
    rows = list(ReminderOutbox.objects.values_list("deadline_id", "level", "recipient_id"))
    assert len(rows) == len(set(rows))
    assert set(rows) == expected

    keys = Counter(
        Notification.objects.filter(kind=NOTIFICATION_KIND).values_list("recipient_id", "key")
    )
    assert keys == Counter((r, f"reminder:{d}:{level}") for d, level, r in expected)

    assert not ReminderOutbox.objects.filter(sent_at__isnull=True).exists()
    assert not ReminderOutbox.objects.filter(email__isnull=True).exists()
    assert not ReminderEmail.objects.filter(sent_at__isnull=True).exists()

    mails = workers.mails()
    ids = Counter(mail.message_id for mail in mails)
    # No e-mail twice (the one window left — a crash after the mail server accepted a message
    # and before it was marked — is one the tests keep out of: they kill between messages).
    assert [i for i, n in ids.items() if n > 1] == []
    emails = ReminderEmail.objects.select_related("recipient")
    assert set(ids) == {message_id(e) for e in emails}
    for mail in mails:
        [email] = [e for e in emails if message_id(e) == mail.message_id]
        assert mail.to == (email.recipient.email,)

    addresses = dict(
        ReminderOutbox.objects.values_list("recipient_id", "recipient__email").distinct()
    )
    # In this data nobody gets two levels of one deadline (the escalation goes to the
    # coordinators, who own no case), so an entry per (deadline, recipient) is an entry per
    # (deadline, level, recipient).
    assert len({(d, r) for d, _, r in expected}) == len(expected)
    assert mailed_items(mails) == Counter((d, addresses[r]) for d, _, r in expected)


def all_done(workers: Workers, sweeps: int) -> bool:
    """``sweeps`` sweeps finished, every reminder e-mailed, no task queued or running."""
    return (
        len(workers.finished(SWEEP)) >= sweeps
        and not ReminderOutbox.objects.filter(sent_at__isnull=True).exists()
        and workers.broker.pending() == 0
        and not workers.busy()
    )


# --- The tests --------------------------------------------------------------------------------


def test_the_sweep_run_twice_reminds_once(workers):
    today = timezone.localdate()
    partnerships(today)
    expected = expected_reminders(today)
    worker = workers.start("one")
    workers.wait_ready(worker)

    workers.broker.send(SWEEP)
    workers.wait_for("the first sweep and its e-mails", lambda: all_done(workers, 1))

    [first] = workers.finished(SWEEP)
    assert first["retval"] == len(expected)
    assert_exactly_once(workers, expected)
    sent = {m.path for m in workers.mails()}
    assert len(sent) == 5  # one digest per person

    # Beat's next run (or a duplicate delivery): nothing new is recorded or sent.
    workers.broker.send(SWEEP)
    workers.wait_for("the second sweep", lambda: all_done(workers, 2))

    assert [r["retval"] for r in workers.finished(SWEEP)] == [len(expected), 0]
    assert [r["retval"] for r in workers.finished(SEND)][-1] == 0
    assert {m.path for m in workers.mails()} == sent
    assert_exactly_once(workers, expected)


def test_two_worker_processes_at_once_remind_once(workers):
    today = timezone.localdate()
    partnerships(today)
    expected = expected_reminders(today)
    # Each message a little slow, so that the two workers' sending overlaps.
    pair = [workers.start(name, IOP_TEST_MAIL_DELAY="0.3") for name in ("left", "right")]
    workers.wait_ready(*pair)

    # Two beats fire at once, and four e-mail tasks of one digest each (each sends one and
    # queues the next while it found one): the two processes compete for every row.
    for _ in range(2):
        workers.broker.send(SWEEP)
    for _ in range(4):
        workers.broker.send(SEND, 1)
    workers.wait_for("both sweeps and all e-mails", lambda: all_done(workers, 2))

    sweeps = workers.finished(SWEEP)
    assert len(sweeps) == 2
    # Each reminder was counted by the one sweep that inserted it.
    assert sum(r["retval"] for r in sweeps) == len(expected)
    # Both processes worked, at the same time.
    assert {r["worker"] for r in workers.events() if r["event"] == "finished"} == {
        "left",
        "right",
    }
    assert workers.overlapped("left", "right")
    assert sum(r["retval"] for r in workers.finished(SEND)) == 5
    assert_exactly_once(workers, expected)


def test_a_worker_killed_while_sending_loses_nothing_and_sends_nothing_twice(workers, mailoutbox):
    today = timezone.localdate()
    partnerships(today)
    expected = expected_reminders(today)
    doomed = workers.start("doomed", IOP_TEST_MAIL_HOLD_AFTER="2")
    workers.wait_ready(doomed)

    workers.broker.send(SWEEP)
    # The worker has sent two digests and stopped before the third: kill it there.
    workers.wait_for("the worker to hold before its third e-mail", lambda: workers.held())
    doomed.kill()
    assert not doomed.group_alive()  # the main process and its pool process

    # What the killed worker left: every reminder recorded and notified (one transaction per
    # batch), two digests sent and marked, three claimed by it and not sent.
    assert set(ReminderOutbox.objects.values_list("deadline_id", "level", "recipient_id")) == (
        expected
    )
    assert len(workers.mails()) == 2
    assert ReminderEmail.objects.filter(sent_at__isnull=False).count() == 2
    unsent = list(ReminderEmail.objects.filter(sent_at__isnull=True))
    assert len(unsent) == 3
    now = timezone.now()
    assert all(e.claimed_until > now and e.attempts == 1 for e in unsent)
    assert not ReminderOutbox.objects.filter(email__isnull=True).exists()

    # While the claims hold, nobody sends them: the worker might only be slow.
    assert reminder_emails_send() == 0
    assert mailoutbox == []

    # The next sweep, after the claims have expired (its worker's clock is that far ahead):
    # it records nothing new and sends exactly the three claimed digests, with the same
    # Message-ID as the killed worker would have used.
    claim = ReminderSettings.current().claim_minutes
    later = workers.start("later", IOP_TEST_CLOCK_SHIFT=str((claim + 1) * 60))
    workers.wait_ready(later)
    workers.broker.send(SWEEP)
    workers.wait_for("the next sweep", lambda: all_done(workers, 2))

    [sweep] = workers.finished(SWEEP, worker="later")
    assert sweep["retval"] == 0
    assert sum(r["retval"] for r in workers.finished(SEND, worker="later")) == 3
    resent = ReminderEmail.objects.filter(pk__in=[e.pk for e in unsent])
    assert sorted(e.attempts for e in resent) == [2, 2, 2]
    assert ReminderEmail.objects.count() == 5
    assert_exactly_once(workers, expected)
