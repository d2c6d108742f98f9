"""The follow-up's periodic jobs (run by beat: ``followups/migrations/0002_periodic_tasks.py``).

``sweep_reminders`` runs daily at 06:30 (Europe/Stockholm) and, as a catch-up, every hour: it
is idempotent (the outbox's unique constraint), and it selects deadlines by windows, so an
hourly run adds nothing once the day's reminders exist, while a first run or a beat that was
down over a holiday catches up at its next run. It records the reminders in batches and then
schedules the e-mails with ``delay_on_commit``; if the broker cannot be reached it sends them
itself (the claims keep that exactly-once). While Redis is down nothing is lost: what users
save is saved, and the next sweep finds what is due.
"""

from __future__ import annotations

import logging

from celery import shared_task
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def sweep_reminders(recompute: bool = True) -> int:
    """Plan the followed cases' deadlines ahead (``recompute``: the daily run; the hourly
    catch-up skips it, the deadlines are planned months ahead), record the reminders due, and
    have them e-mailed. Returns the reminders created."""
    from .services.deadlines import recompute_followed_cases
    from .services.reminders import reminder_emails_send, reminders_enqueue

    if recompute:
        recompute_followed_cases()
    created = reminders_enqueue()
    try:
        send_reminder_emails.delay_on_commit()
    except (OperationalError, OSError):
        logger.warning("Broker unreachable: the sweep sends the reminder e-mails itself")
        reminder_emails_send()
    return created


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_reminder_emails(limit: int = 200) -> int:
    """Send the unsent reminder e-mails (claimed, so two deliveries of this task send each once).
    When it sent a full ``limit`` there may be more: it schedules itself again."""
    from .services.reminders import reminder_emails_send

    sent = reminder_emails_send(limit=limit)
    if sent >= limit:
        try:
            send_reminder_emails.delay_on_commit(limit)
        except (OperationalError, OSError):
            logger.warning("Broker unreachable: the next sweep sends the remaining e-mails")
    return sent
