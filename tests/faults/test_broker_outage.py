"""Redis stops while a user saves: the save stands, the task waits in the outbox, and it is
sent once Redis is back (``iop.services.outbox``).

The broker is a redis-server of this module's own (``redis_server``), stopped and started
again on its port; the tasks are not eager. What reaches the broker is read off the queue with
kombu and then run as a worker would, so the test needs no worker process.
"""

from __future__ import annotations

import time

import pytest
from kombu import Connection

from django.urls import reverse

from iop.celery import app as celery_app
from iop.constants import CaseEventKind, CaseStatus, Role
from iop.models import CaseEvent, PendingTask
from iop.services.outbox import resend_pending
from iop.tasks import notify_officer_assigned
from iop.tests.celery_worker import forget_connections
from iop.tests.factories import CaseFactory, UserFactory

pytestmark = [pytest.mark.faults, pytest.mark.django_db]


@pytest.fixture
def broker(redis_server):
    """The project's Celery app on the throwaway Redis, not eager; put back afterwards."""
    overrides = {
        "broker_url": redis_server.url,
        "task_always_eager": False,
        "broker_transport_options": {"socket_connect_timeout": 1, "socket_timeout": 5},
    }
    saved = {key: celery_app.conf[key] for key in overrides}
    celery_app.conf.update(overrides)
    forget_connections(celery_app)
    try:
        yield redis_server
    finally:
        forget_connections(celery_app)
        celery_app.conf.update(saved)
        if redis_server.process is None:
            redis_server.start()


def queued(url: str) -> list[tuple[str, list]]:
    """Take every message off the default queue: (task name, args)."""
    messages = []
    with Connection(url) as connection:
        queue = connection.SimpleQueue("celery")
        while True:
            try:
                message = queue.get(block=False)
            except queue.Empty:
                break
            messages.append((message.headers["task"], list(message.payload[0])))
            message.ack()
        queue.close()
    return messages


def test_a_save_while_redis_is_down_stands_and_its_email_leaves_when_redis_is_back(
    broker, client, mailoutbox, django_capture_on_commit_callbacks
):
    coordinator = UserFactory(role=Role.COORDINATOR)
    case = CaseFactory(status=CaseStatus.PREPARATION)
    new_officer = UserFactory(role=Role.CASE_OFFICER)
    client.force_login(coordinator)
    broker.stop()  # Redis goes away

    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("cases:reassign", args=[case.pk]),
            {"officer": new_officer.pk, "note": "Semester."},
        )
    took = time.monotonic() - started

    # The user's save went through, quickly, without an error page …
    assert response.status_code == 302, response.content.decode()[:2000]
    assert took < 5, f"the save waited {took:.1f} s on the broker"
    case.refresh_from_db()
    assert case.officer == new_officer
    event = CaseEvent.objects.get(case=case, kind=CaseEventKind.ASSIGNMENT)
    # … and the e-mail it asked for waits in the outbox, not lost.
    [pending] = PendingTask.objects.all()
    assert (pending.task, pending.args) == (notify_officer_assigned.name, [event.pk])
    assert mailoutbox == []

    # While Redis is still down, the beat's resend keeps it (and says so by sending nothing).
    assert resend_pending() == 0
    assert PendingTask.objects.get().attempts == 1

    broker.start()  # Redis is back, on the same port
    assert resend_pending() == 1
    assert not PendingTask.objects.exists()
    assert resend_pending() == 0  # sent once: nothing left to send again

    # Exactly one message reached the queue; run it as the worker does: one e-mail.
    [(name, args)] = queued(broker.url)
    assert (name, args) == (notify_officer_assigned.name, [event.pk])
    assert celery_app.tasks[name](*args) is True
    [mail] = mailoutbox
    assert mail.to == [new_officer.email]


def test_the_next_successful_send_takes_what_an_outage_left_behind(
    broker, django_capture_on_commit_callbacks
):
    from iop.services.outbox import publish

    event = CaseEvent.objects.create(
        case=CaseFactory(status=CaseStatus.ACTIVE), kind=CaseEventKind.ASSIGNMENT
    )
    broker.stop()
    assert publish(notify_officer_assigned, event.pk) is False
    broker.start()
    assert publish(notify_officer_assigned, event.pk + 1) is True
    assert not PendingTask.objects.exists()
    assert sorted(args for _, args in queued(broker.url)) == [[event.pk], [event.pk + 1]]


def test_beat_resends_the_outbox_every_minute():
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="iop.tasks.resend_pending_tasks")
    assert task.enabled
    assert (task.interval.every, task.interval.period) == (1, "minutes")
