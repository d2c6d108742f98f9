import logging

from celery import shared_task

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

logger = logging.getLogger(__name__)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notify_officer_assigned(event_id: int) -> bool:
    """E-mail the case officer named in an assignment event, once.

    Idempotent: the event row is locked and stamped in the same transaction that sends, so a
    retried or twice-delivered message sends nothing more. Returns whether it sent.
    """
    from .models import CaseEvent

    with transaction.atomic():
        event = (
            # of=("self",): PostgreSQL cannot lock the nullable side of the outer joins.
            CaseEvent.objects.select_for_update(of=("self",))
            .select_related("case", "case__committee", "assignee", "actor")
            .filter(pk=event_id, notified_at__isnull=True)
            .first()
        )
        if event is None or event.assignee is None or not event.assignee.email:
            return False
        with translation.override(settings.LANGUAGE_CODE):
            context = {"event": event, "case": event.case, "site_url": settings.SITE_URL}
            subject = render_to_string("iop/email/officer_assigned_subject.txt", context).strip()
            body = render_to_string("iop/email/officer_assigned.txt", context)
        send_mail(subject, body, None, [event.assignee.email])
        event.notified_at = timezone.now()
        event.save(update_fields=["notified_at"])
    logger.info("Notified %s of case %s", event.assignee.email, event.case.registry_number)
    return True


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_notification_email(notification_id: int) -> bool:
    """E-mail a notification (``iop.services.notifications``), once: the service locks the row
    and sends only while ``emailed_at`` is empty, so a retry or a duplicate delivery sends
    nothing more. Returns whether it sent."""
    from .services.notifications import notification_email_send

    return notification_email_send(notification_id=notification_id)


@shared_task
def clean_broker_folder(max_age_hours: int = 24) -> int:
    """Remove processed messages the filesystem broker leaves behind (embedded mode only)."""
    import time
    from pathlib import Path

    folder = (
        settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("processed_folder")
        if hasattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS")
        else None
    )
    if not folder or not Path(folder).is_dir():
        return 0
    limit = time.time() - max_age_hours * 3600
    removed = 0
    for path in Path(folder).iterdir():
        if path.is_file() and path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


@shared_task
def resend_pending_tasks() -> int:
    """Send again the tasks the broker could not take (``iop.services.outbox``); beat runs it
    every minute. Returns how many went."""
    from .services.outbox import resend_pending

    return resend_pending()
