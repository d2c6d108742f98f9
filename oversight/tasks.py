"""Oversight's background work: building a dossier export. The task takes the export's id, is
idempotent (a duplicate delivery finds the export claimed or built and does nothing) and calls
the service."""

from __future__ import annotations

import logging

from celery import shared_task
from kombu.exceptions import OperationalError

from django.db import transaction

logger = logging.getLogger(__name__)


# No automatic retry: a failed export says why on the dossier page, with "try again".
@shared_task
def build_dossier(export_id: int) -> bool:
    """Build the queued dossier export ``export_id``. Returns whether this run built it."""
    from .services.exports import export_build

    return export_build(export_id=export_id)


def schedule_build(export_id: int) -> None:
    """Send the build after commit; while the broker is down the export stays queued, and after
    ``ABANDONED_AFTER`` it counts as failed so that it can be asked for again."""

    def send() -> None:
        try:
            build_dossier.delay(export_id)
        except OperationalError:  # pragma: no cover - broker down
            logger.warning("Broker unavailable: dossier export %s not queued", export_id)

    transaction.on_commit(send)
