"""Oversight's background work: building a dossier export. The task takes the export's id, is
idempotent (a duplicate delivery finds the export claimed or built and does nothing) and calls
the service."""

from __future__ import annotations

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


# No automatic retry: a failed export says why on the dossier page, with "try again".
@shared_task
def build_dossier(export_id: int) -> bool:
    """Build the queued dossier export ``export_id``. Returns whether this run built it."""
    from .services.exports import export_build

    return export_build(export_id=export_id)


def schedule_build(export_id: int) -> None:
    """Send the build after commit through the hub's outbox: while the broker is down the
    export stays queued and the task waits in ``iop.PendingTask`` until the broker is back (and
    after ``ABANDONED_AFTER`` it counts as failed so that it can be asked for again)."""
    from iop.services.outbox import publish_on_commit

    publish_on_commit(build_dossier, export_id)
