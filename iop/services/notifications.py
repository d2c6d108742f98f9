"""Telling people: a notification in the application (the bell) and, after commit, the
e-mail that goes with it.

``notify`` writes in the caller's transaction, so a notification exists exactly when what it
tells of was saved. A ``key`` makes it exactly-once per recipient (the unique constraint
``notification_once_per_key``): a retried task or a repeated step adds nothing. The e-mail
leaves after commit through Celery; the task locks the row and stamps ``emailed_at`` in the
transaction that sends, so a retried or twice-delivered task sends one e-mail. If the broker
cannot be reached at commit, what was saved stays saved and the row stays unmailed
(``emailed_at`` empty), for a later run to pick up.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from ..models import Case, Notification
from ..selectors.notifications import users_with_role

__all__ = [
    "absolute_url",
    "mark_all_read",
    "mark_read",
    "message_id",
    "notification_email_send",
    "notify",
    "users_with_role",
]

logger = logging.getLogger(__name__)

# The longest subject line a notification's text makes (RFC 5322 recommends 78 per line).
_SUBJECT_LENGTH = 78


def _unique_recipients(recipients: Iterable[Any]) -> list[Any]:
    seen: set[int] = set()
    unique = []
    for user in recipients:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        unique.append(user)
    return unique


@transaction.atomic
def notify(
    *,
    recipients: Iterable[Any],
    kind: str,
    text: str,
    url: str = "",
    case: Case | None = None,
    key: str = "",
    email: bool = True,
) -> list[Notification]:
    """Notify each (active) recipient once; returns the notifications this call created.

    With a ``key``, a recipient who already has a notification of that key gets nothing new
    (get_or_create on the unique constraint: on PostgreSQL a concurrent insert of the same key
    waits for the other transaction and then finds its row). With ``email`` the recipients
    who have an address are e-mailed after commit.
    """
    fields = {"kind": kind, "text": text.strip()[:500], "url": url, "case": case}
    created: list[Notification] = []
    for recipient in _unique_recipients(recipients):
        if key:
            notification, is_new = Notification.objects.get_or_create(
                recipient=recipient, key=key, defaults=fields
            )
            if not is_new:
                continue
        else:
            notification = Notification.objects.create(recipient=recipient, **fields)
        created.append(notification)
    if email:
        to_mail = [n.pk for n in created if n.recipient.email]
        if to_mail:
            transaction.on_commit(lambda: _schedule_emails(to_mail))
    return created


def _schedule_emails(notification_ids: list[int]) -> None:
    """After commit: hand each e-mail to Celery through the outbox. A broker that is down loses
    nothing (the rows are saved, unmailed, and the task waits in ``iop.PendingTask`` until the
    broker is back), so the error is logged, not raised into the request that saved."""
    from ..tasks import send_notification_email
    from .outbox import publish

    for notification_id in notification_ids:
        if not publish(send_notification_email, notification_id):
            logger.error(
                "Could not queue the e-mail of notification %s; it stays unmailed until the "
                "outbox re-sends it",
                notification_id,
            )


def absolute_url(url: str) -> str:
    """The link as it works outside the application (an e-mail): SITE_URL before a path."""
    if not url or urlsplit(url).scheme:
        return url
    return settings.SITE_URL.rstrip("/") + "/" + url.lstrip("/")


def message_id(notification: Notification) -> str:
    """The e-mail's Message-ID, the same on every attempt, so that a mail server or client
    can recognise a resend after a crash between sending and committing as one message."""
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"<notification-{notification.pk}@{domain}>"


def _email(notification: Notification) -> EmailMessage:
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "notification": notification,
            "recipient": notification.recipient,
            "link": absolute_url(notification.url),
            "all_url": absolute_url("/aviseringar/"),
        }
        subject = render_to_string("iop/notifications/email_subject.txt", context)
        body = render_to_string("iop/notifications/email.txt", context)
    subject = " ".join(subject.split())
    if len(subject) > _SUBJECT_LENGTH:
        subject = subject[: _SUBJECT_LENGTH - 1].rstrip() + "…"
    return EmailMessage(
        subject=subject,
        body=body,
        to=[notification.recipient.email],
        headers={"Message-ID": message_id(notification)},
    )


@transaction.atomic
def notification_email_send(*, notification_id: int) -> bool:
    """Send the notification's e-mail unless it has been sent; returns whether it sent.

    The row is locked and stamped in the transaction that sends, so two deliveries of the
    task queue up and the second finds it sent. A failed send raises and rolls back (the row
    stays unmailed for the task's retry)."""
    notification = (
        # of=("self",): PostgreSQL cannot lock the nullable side of an outer join.
        Notification.objects.select_for_update(of=("self",))
        .select_related("recipient", "case")
        .filter(pk=notification_id, emailed_at__isnull=True)
        .first()
    )
    if notification is None or not notification.recipient.email:
        return False
    _email(notification).send()
    notification.emailed_at = timezone.now()
    notification.save(update_fields=["emailed_at"])
    return True


@transaction.atomic
def mark_read(*, user: Any, notification_ids: Iterable[int]) -> int:
    """Mark the user's own notifications among ``notification_ids`` read; returns how many
    changed. Another user's ids change nothing."""
    return Notification.objects.filter(
        recipient=user, pk__in=list(notification_ids), read_at__isnull=True
    ).update(read_at=timezone.now())


@transaction.atomic
def mark_all_read(*, user: Any) -> int:
    """Mark every unread notification of the user read; returns how many changed."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
