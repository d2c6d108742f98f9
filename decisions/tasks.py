"""The committee's background work: printing a final matter's documents, making a meeting's
package, printing decision extracts and minutes. Every task takes ids, is idempotent (a retry
or a duplicate delivery changes nothing more) and calls a service."""

from __future__ import annotations

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


def _publish(task, *args) -> None:
    """Send ``task`` after commit through the hub's outbox: while the broker is down the save
    still stands and the task waits in ``iop.PendingTask`` until the broker is back (and what
    was not printed is printed on demand anyway: the pages and the package print what is
    missing)."""
    from iop.services.outbox import publish_on_commit

    publish_on_commit(task, *args)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def render_matter_documents(matter_id: int) -> int:
    """Print and store the PDFs of a final matter's registered documents not yet printed.
    Returns how many were printed."""
    from .rendering import matter_documents_render

    return matter_documents_render(matter_id=matter_id)


def schedule_matter_documents(matter_id: int) -> None:
    _publish(render_matter_documents, matter_id)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def render_meeting_minutes(meeting_id: int) -> bool:
    """Print and store the meeting's minutes unless the stored ones hold every decision.
    Returns whether they were printed."""
    from .services.minutes import meeting_minutes_render

    return meeting_minutes_render(meeting_id=meeting_id)


def schedule_meeting_minutes(meeting_id: int) -> None:
    _publish(render_meeting_minutes, meeting_id)


# No automatic retry: a failed package says why on the meeting's page, with "try again".
@shared_task(bind=True)
def build_meeting_package(self, package_id: int) -> bool:
    """Make the queued meeting package ``package_id`` by merging the stored PDFs. Returns
    whether this run made it (a duplicate delivery finds it claimed or made: False; the same
    message redelivered after its worker was killed makes it)."""
    from .services.package import package_build

    return package_build(package_id=package_id, attempt=self.request.id or "")


def schedule_meeting_package(package_id: int) -> None:
    _publish(build_meeting_package, package_id)
