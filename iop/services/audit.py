"""The audit log (OWASP ASVS V7.2): every access decision worth asking about afterwards.

What is logged: logins (success and failure), logouts, lockouts, refusals (every 403: a
``PermissionDenied`` anywhere, a failed CSRF check), exports and downloads. For each: who
(user id and username), what (the event, the object's type and id, the path), when (ISO
time), from where (the client's address, ``iop.auth_backends.client_ip``: ``REMOTE_ADDR``, or
the address the trusted proxies appended to ``X-Forwarded-For``) and the outcome.

Where it goes: the ``iop.audit`` logger, whose two handlers (``LOGGING`` in the settings)
write each event as one JSON object per line to ``AUDIT_LOG_FILE`` and as one ``AuditEvent``
row, which the superuser and the auditor read in the admin. Any code may log an audit event
with ``logging.getLogger("iop.audit").info(message, extra={"event": …, …})``; the database
handler (``iop.audit.AuditDatabaseHandler``) stores the keys it knows as columns and the
rest in ``detail``. ``audit_record`` is the same with the request's fields filled in.

Personal data, kept to what the purpose needs: no password (a failed login records only the
username that was typed), no request body, no query string (the path only: a search for a
personal number never reaches the log), no cookies or headers beyond the address. The log
is append-only: nothing updates or deletes a row.
"""

from __future__ import annotations

import datetime
import ipaddress
import logging
from typing import Any

from django.db import transaction
from django.http import HttpRequest

from ..models import AuditEvent

logger = logging.getLogger("iop.audit")


def valid_ip(value: Any) -> str | None:
    try:
        return str(ipaddress.ip_address(str(value).strip())) if value else None
    except ValueError:
        return None


def request_fields(request: HttpRequest | None) -> dict[str, Any]:
    """Who asked, from where, for which path (never the query string)."""
    if request is None:
        return {}
    from ..auth_backends import client_ip

    fields: dict[str, Any] = {
        "ip": valid_ip(client_ip(request)),
        "method": request.method or "",
        "path": request.path[:500],
    }
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        fields.update(user_id=user.pk, username=user.get_username())
    return fields


def audit_record(
    *,
    event: str,
    request: HttpRequest | None = None,
    user: Any = None,
    username: str | None = None,
    outcome: str = "",
    status: int | None = None,
    object_type: str = "",
    object_id: Any = "",
    detail: dict[str, Any] | None = None,
    level: int = logging.INFO,
) -> None:
    """Log one audit event to the file and the database (through the ``iop.audit`` logger)."""
    fields = request_fields(request)
    if user is not None and getattr(user, "pk", None) is not None:
        fields.update(user_id=user.pk, username=user.get_username())
    if username is not None:
        fields["username"] = username[:150]
    fields.update(
        event=event,
        outcome=outcome,
        status=status,
        object_type=object_type,
        object_id=str(object_id)[:255] if object_id not in (None, "") else "",
        detail=detail or {},
    )
    logger.log(level, event, extra=fields)


def audit_event_store(*, at: datetime.datetime, detail: dict[str, Any], **columns: Any) -> None:
    """One ``AuditEvent`` row: one INSERT, committed at once outside a transaction (as after
    a view), in a savepoint of its own inside one, so that a failure leaves the caller's
    transaction usable. Called by the ``iop.audit`` logger's database handler
    (``iop.audit.AuditDatabaseHandler``) for each audit event logged."""
    if not transaction.get_connection().in_atomic_block:
        AuditEvent.objects.create(at=at, detail=detail, **columns)
        return
    with transaction.atomic():
        AuditEvent.objects.create(at=at, detail=detail, **columns)
