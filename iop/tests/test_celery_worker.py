"""The officer-assignment e-mail: sent after commit, once, and only to someone else.

The integration test runs a real Celery worker (in a thread of this process) on Redis; the
unit tests run the task eagerly, as the test settings do.
"""

import contextlib
import logging
import os
import threading
import uuid
from dataclasses import dataclass
from typing import Any

import pytest

from django.db import connections

from iop.celery import app as celery_app
from iop.constants import CaseEventKind, CaseStatus, Role
from iop.models import CaseEvent
from iop.services import TransitionForbidden, TransitionRefused, case_assign_officer
from iop.tasks import notify_officer_assigned
from iop.tests.celery_worker import forget_connections, redis_answers
from iop.tests.factories import CaseFactory, UserFactory

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")


# --- Unit tests (eager) --------------------------------------------------------------------


@pytest.fixture
def case(db):
    return CaseFactory(
        status=CaseStatus.PREPARATION, substitute=UserFactory(role=Role.CASE_OFFICER)
    )


def assignments(case):
    return list(CaseEvent.objects.filter(case=case, kind=CaseEventKind.ASSIGNMENT))


def test_new_officer_is_emailed_once_after_commit(
    case, coordinator, mailoutbox, django_capture_on_commit_callbacks
):
    new_officer = UserFactory(role=Role.CASE_OFFICER)

    with django_capture_on_commit_callbacks() as callbacks:
        case_assign_officer(case=case, actor=coordinator, officer=new_officer, note="Semester.")
    assert mailoutbox == []  # nothing leaves before the transaction has committed

    [event] = assignments(case)
    assert (event.actor, event.assignee, event.note) == (coordinator, new_officer, "Semester.")
    assert len(callbacks) == 1
    callbacks[0]()

    [mail] = mailoutbox
    assert mail.to == [new_officer.email]
    assert case.registry_number in mail.subject
    assert case.registry_number in mail.body
    event.refresh_from_db()
    assert event.notified_at is not None
    # A retried or twice-delivered message sends nothing more.
    assert notify_officer_assigned.delay(event.pk).get() is False
    assert len(mailoutbox) == 1


@pytest.mark.parametrize("who", ["substitute", "coordinator"])
def test_assigning_oneself_sends_nothing(
    case, coordinator, who, mailoutbox, django_capture_on_commit_callbacks
):
    actor = case.substitute if who == "substitute" else coordinator

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        case_assign_officer(case=case, actor=actor, officer=actor)

    [event] = assignments(case)  # the change is recorded …
    assert (event.actor, event.assignee, event.notified_at) == (actor, actor, None)
    assert callbacks == []  # … but nobody is told what they did themselves
    assert mailoutbox == []


def test_assigning_the_same_officer_again_writes_no_event(
    case, coordinator, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        case_assign_officer(case=case, actor=coordinator, officer=case.officer)

    assert assignments(case) == []
    assert callbacks == []
    assert mailoutbox == []


def test_only_a_case_officer_can_be_assigned(case, coordinator, jurist, mailoutbox):
    with pytest.raises(TransitionRefused) as refused:
        case_assign_officer(case=case, actor=coordinator, officer=jurist)
    assert jurist.get_full_name() in refused.value.reasons[0]
    assert assignments(case) == []
    assert mailoutbox == []


@pytest.mark.parametrize("role", [Role.CASE_OFFICER, Role.JURIST, Role.SECRETARY, Role.AUDITOR])
def test_only_the_case_officers_and_the_coordinator_may_reassign(case, role, mailoutbox):
    actor = UserFactory(role=role)  # not this case's officer or substitute
    with pytest.raises(TransitionForbidden):
        case_assign_officer(case=case, actor=actor, officer=UserFactory(role=Role.CASE_OFFICER))
    assert assignments(case) == []
    assert mailoutbox == []


# --- Integration: a real worker on Redis ------------------------------------------------------


@dataclass(frozen=True)
class Run:
    task: str
    args: tuple
    result: Any
    thread: int


class TaskLog:
    """The tasks the worker has finished, to wait on without sleeping."""

    def __init__(self) -> None:
        self.runs: list[Run] = []
        self.changed = threading.Condition()

    def task_postrun(self, sender=None, args=None, retval=None, **kwargs) -> None:
        # Runs in the worker's thread: close its database connections, as a worker process
        # does after each task, so the test database can be flushed and dropped afterwards.
        connections.close_all()
        with self.changed:
            self.runs.append(Run(sender.name, tuple(args or ()), retval, threading.get_ident()))
            self.changed.notify_all()

    def wait_for(self, predicate, timeout: float = 20) -> None:
        with self.changed:
            assert self.changed.wait_for(lambda: predicate(self.runs), timeout), self.runs


@contextlib.contextmanager
def kept_logging():
    """The embedded worker sets up logging for a worker process (levels, handlers, and
    environment for forked children); the rest of the test session keeps its own."""
    loggers = [logging.getLogger(), logging.getLogger("celery.task")]
    saved = [(lg, lg.level, lg.handlers[:], lg.propagate) for lg in loggers]
    env = {
        k: os.environ.get(k)
        for k in ("_MP_FORK_LOGLEVEL_", "_MP_FORK_LOGFILE_", "_MP_FORK_LOGFORMAT_")
    }
    try:
        yield
    finally:
        for lg, level, handlers, propagate in saved:
            lg.setLevel(level)
            lg.handlers[:] = handlers
            lg.propagate = propagate
        for key, value in env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture
def redis_worker(monkeypatch):
    """A Celery worker in a thread, consuming from Redis; the app is put back afterwards."""
    if not redis_answers(REDIS_URL):
        pytest.skip(f"Redis at REDIS_URL={REDIS_URL} does not answer; start redis-server")
    import celery.contrib.testing.tasks  # noqa: F401 — registers celery.ping, the start check
    from celery.contrib.testing.worker import start_worker
    from celery.signals import task_postrun

    # Keys of our own on the shared Redis database: another xdist worker of this run (its
    # PYTEST_XDIST_WORKER is gw0, gw1, …) or another checkout's run has its own prefix, so no
    # worker takes another's messages or reads another's results.
    prefix = f"iop-test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}-{uuid.uuid4().hex}:"
    overrides = {
        "broker_url": REDIS_URL,
        "result_backend": REDIS_URL,
        "task_always_eager": False,
        "task_ignore_result": False,
        "broker_transport_options": {"global_keyprefix": prefix},
        "result_backend_transport_options": {"global_keyprefix": prefix},
        "worker_hijack_root_logger": False,
    }
    saved = {key: celery_app.conf[key] for key in overrides}
    log = TaskLog()
    celery_app.conf.update(overrides)
    forget_connections(celery_app)
    # A task reads task_ignore_result once, when it is bound to the app; the worker's start
    # check and our redeliveries wait for results, so these two must keep them.
    for name in ("celery.ping", notify_officer_assigned.name):
        monkeypatch.setattr(celery_app.tasks[name], "ignore_result", False)
    task_postrun.connect(log.task_postrun, weak=False)
    try:
        with kept_logging(), start_worker(celery_app, shutdown_timeout=30):
            yield log
    finally:
        task_postrun.disconnect(log.task_postrun)
        forget_connections(celery_app)
        celery_app.conf.update(saved)


@pytest.mark.integration
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_assignment_email_is_sent_exactly_once_through_a_real_worker(redis_worker, mailoutbox):
    # transaction=True: the service really commits, so on_commit really sends the message and
    # the worker's own connection sees the rows. serialized_rollback restores the role groups
    # that the flush at the end of such a test removes.
    coordinator = UserFactory(role=Role.COORDINATOR)
    case = CaseFactory(status=CaseStatus.ACTIVE)
    new_officer = UserFactory(role=Role.CASE_OFFICER)
    notify = notify_officer_assigned.name

    case_assign_officer(case=case, actor=coordinator, officer=new_officer)

    event = CaseEvent.objects.get(case=case, kind=CaseEventKind.ASSIGNMENT)
    redis_worker.wait_for(lambda runs: any(r.task == notify for r in runs))
    assert len(mailoutbox) == 1
    event.refresh_from_db()
    notified_at = event.notified_at
    assert notified_at is not None

    # The same message delivered twice more (a retry, a redelivery): the worker sends nothing.
    again = [notify_officer_assigned.delay(event.pk).get(timeout=20) for _ in range(2)]

    assert again == [False, False]
    # The result is stored before task_postrun fires: wait for the worker to finish all three.
    redis_worker.wait_for(lambda runs: sum(r.task == notify for r in runs) == 3)
    runs = [r for r in redis_worker.runs if r.task == notify]
    assert [(r.args, r.result) for r in runs] == [
        ((event.pk,), True),
        ((event.pk,), False),
        ((event.pk,), False),
    ]
    assert all(r.thread != threading.get_ident() for r in runs)  # the worker did it, not us
    [mail] = mailoutbox
    assert mail.to == [new_officer.email]
    assert case.registry_number in mail.subject
    event.refresh_from_db()
    assert event.notified_at == notified_at
