"""Handing background work to Celery so that a broker outage loses nothing: the outbox.

Every task a save schedules goes through :func:`publish_on_commit` (or :func:`publish` when
already committed). After commit it tries the broker; the broker's connection timeout and
publish retries are kept short (``iop/settings/base.py``, faults block), so a save never
hangs long on a Redis that is down. When the broker cannot take the message, the task is
written to :class:`~iop.models.PendingTask` instead of being lost, and the user's save stands
(no error reaches the request). :func:`resend_pending` — run by beat every minute
(``iop.tasks.resend_pending_tasks``) and after the next message the broker takes — sends the
rows again and deletes each once the broker has it. The tasks are idempotent (they take ids
and check what is done), so a row sent twice (a crash between sending and deleting) does no
harm.
"""

from __future__ import annotations

import logging
from typing import Any

from kombu.exceptions import OperationalError

from django.db import transaction

from ..models import PendingTask

logger = logging.getLogger(__name__)

# What the broker's client raises when it cannot reach the broker: kombu wraps the transport's
# errors in OperationalError; redis-py's ConnectionError/TimeoutError are OSErrors.
BROKER_ERRORS: tuple[type[BaseException], ...] = (OperationalError, OSError)
try:  # pragma: no cover - redis is installed wherever the broker is Redis
    import redis.exceptions

    BROKER_ERRORS += (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)
except ImportError:  # pragma: no cover
    pass

# How many rows one resend takes at most (the beat runs every minute).
RESEND_BATCH = 500


def _send(task: Any, args: list, kwargs: dict) -> None:
    if isinstance(task, str):
        from celery import current_app

        task = current_app.tasks.get(task) or task
        if isinstance(task, str):  # pragma: no cover - a task renamed since the row was written
            current_app.send_task(task, args=args, kwargs=kwargs)
            return
    task.delay(*args, **kwargs)


def publish(task: Any, *args: Any, **kwargs: Any) -> bool:
    """Send ``task`` (a Celery task or its name) now; when the broker cannot be reached, keep
    it in the outbox. Returns whether the broker took it. Never raises a broker error."""
    from celery import current_app

    name = task if isinstance(task, str) else task.name
    eager = current_app.conf.task_always_eager
    # Eager (the test settings) runs the task in place: its own errors (an OSError of a
    # failed print) are the caller's to see; only the broker's own error means "not sent".
    errors = OperationalError if eager else BROKER_ERRORS
    try:
        _send(task, list(args), kwargs)
    except errors:
        logger.warning("Broker unavailable: %s%r kept in the outbox", name, args)
        _keep(name, list(args), kwargs)
        return False
    # The broker answers again: what an outage left behind goes out too (one query when the
    # outbox is empty; none in eager mode, where nothing is ever left behind).
    if not eager and PendingTask.objects.exists():
        resend_pending()
    return True


@transaction.atomic
def _keep(name: str, args: list, kwargs: dict) -> PendingTask:
    return PendingTask.objects.create(task=name, args=args, kwargs=kwargs)


def publish_on_commit(task: Any, *args: Any, **kwargs: Any) -> None:
    """:func:`publish` once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: publish(task, *args, **kwargs))


def resend_pending(*, limit: int = RESEND_BATCH) -> int:
    """Send the outbox's tasks again, oldest first; each row the broker took is deleted. Stops
    at the first broker error (still down: the next run tries again). Returns how many went.

    Rows are claimed with ``SKIP LOCKED`` on PostgreSQL, so two resends at once send each row
    once; the row is deleted in the transaction that sent it."""
    sent = 0
    while sent < limit:
        with transaction.atomic():
            row = PendingTask.objects.select_for_update(skip_locked=True).order_by("pk").first()
            if row is None:
                break
            try:
                _send(row.task, list(row.args), dict(row.kwargs))
            except BROKER_ERRORS:
                PendingTask.objects.filter(pk=row.pk).update(attempts=row.attempts + 1)
                logger.warning("Broker still unavailable: %s pending task(s) wait", sent)
                break
            row.delete()
            sent += 1
    if sent:
        logger.info("Re-sent %s pending task(s) from the outbox", sent)
    return sent
