"""The audit log's sources and its database sink (what is logged, and the rules on personal
data: ``iop.services.audit``).

- ``AuditMiddleware`` logs every refusal (a 403: ``PermissionDenied`` anywhere, a failed CSRF
  check) and every export or download (a response that carries a file name in its
  ``Content-Disposition``: the registers' and plans' CSV and xlsx, the statistics, the
  dossier ZIP, the stored documents, the PDFs made). It looks at the status and one header
  of each response, so it writes only for those: one row and one line each.
- The receivers below log logins, failed logins and logouts (``django.contrib.auth``'s
  signals). Lockouts (django-axes' ``user_locked_out``), their lifting and the sessions'
  timeouts are logged where they happen (``iop.auth_backends``, ``iop.services.account_lockouts``,
  ``iop.session_timeout``) on the same logger.
- ``AuditDatabaseHandler`` is the ``iop.audit`` logger's handler that stores each event as an
  ``AuditEvent`` row (through ``iop.services.audit``).

The logging configuration imports this module before the app registry is ready: nothing
here imports a model at module level.
"""

from __future__ import annotations

import datetime
import logging
from email.message import Message
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

from .constants import AuditEventKind, AuditOutcome

logger = logging.getLogger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
# What a report or an export is: anything else served as a file is a download (a stored
# document, a PDF the application made).
EXPORT_CONTENT_TYPES = frozenset(
    {
        "text/csv",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/zip",
        "text/calendar",
        "application/json",
    }
)

# The extra keys of a log record that are columns of ``AuditEvent``; any other extra key of
# the record goes to ``detail``.
COLUMNS = (
    "event",
    "outcome",
    "user_id",
    "username",
    "ip",
    "method",
    "path",
    "status",
    "object_type",
    "object_id",
)
_TEXT_COLUMNS = ("outcome", "username", "method", "path", "object_type", "object_id")
_RECORD_KEYS = frozenset(logging.LogRecord("", logging.INFO, "", 0, "", (), None).__dict__) | {
    "message",
    "asctime",
    "taskName",
    "detail",
}


class AuditDatabaseHandler(logging.Handler):
    """The ``iop.audit`` logger's records as ``AuditEvent`` rows. A record without an
    ``event`` is no audit event and is left to the file. A failure to store is reported on
    stderr (``handleError``), never to the user's request."""

    def emit(self, record: logging.LogRecord) -> None:
        if not getattr(record, "event", None):
            return
        try:
            from .services.audit import audit_event_store, valid_ip

            columns = {key: getattr(record, key, None) for key in COLUMNS}
            for key in _TEXT_COLUMNS:
                columns[key] = str(columns[key] or "")
            columns["username"] = columns["username"][:150]
            columns["ip"] = valid_ip(columns["ip"])
            columns["status"] = int(columns["status"]) if columns["status"] else None
            detail = dict(getattr(record, "detail", None) or {})
            for key, value in record.__dict__.items():
                if key not in _RECORD_KEYS and key not in COLUMNS:
                    plain = isinstance(value, (str, int, float, bool, type(None)))
                    detail[key] = value if plain else str(value)
            audit_event_store(
                at=datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC),
                detail=detail,
                **columns,
            )
        except Exception:  # noqa: BLE001 — an audit failure must not fail the request
            self.handleError(record)


def download_name(response: HttpResponse) -> str:
    header = response.get("Content-Disposition", "")
    if not header:
        return ""
    message = Message()
    message["Content-Disposition"] = header
    return message.get_filename() or ""


def _is_csrf_failure(request: HttpRequest) -> bool:
    """Refused by the CSRF check: an unsafe request that the check did not let through, to
    a view that is not exempt from it."""
    if request.method in SAFE_METHODS or getattr(request, "csrf_processing_done", False):
        return False
    match = getattr(request, "resolver_match", None)
    return not (match and getattr(match.func, "csrf_exempt", False))


def _requested_object(request: HttpRequest, response: HttpResponse) -> tuple[str, str]:
    """The object's type and id: the model row the view named (``response.audit_object``),
    or else the view's name and its URL arguments."""
    obj = getattr(response, "audit_object", None)
    if obj is not None:
        return obj._meta.label, str(obj.pk)
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "", ""
    kwargs = match.kwargs
    if len(kwargs) == 1:
        object_id = str(next(iter(kwargs.values())))
    else:
        object_id = ",".join(f"{key}={value}" for key, value in kwargs.items())
    return match.view_name or "", object_id


def audit_response(request: HttpRequest, response: HttpResponse) -> None:
    from .services.audit import audit_record

    status = response.status_code
    object_type, object_id = _requested_object(request, response)
    if status == 403:
        event = (
            AuditEventKind.CSRF_FAILURE if _is_csrf_failure(request) else AuditEventKind.FORBIDDEN
        )
        audit_record(
            event=event,
            request=request,
            outcome=AuditOutcome.DENIED,
            status=status,
            object_type=object_type,
            object_id=object_id,
            level=logging.WARNING,
        )
        return
    content_type = response.get("Content-Type", "").split(";")[0].strip().lower()
    audit_record(
        event=AuditEventKind.EXPORT
        if content_type in EXPORT_CONTENT_TYPES
        else AuditEventKind.DOWNLOAD,
        request=request,
        outcome=AuditOutcome.SUCCESS,
        status=status,
        object_type=object_type,
        object_id=object_id,
        detail={"filename": download_name(response), "content_type": content_type},
    )


class AuditMiddleware:
    """Logs refusals (403) and files served to a logged-in user; any other response passes
    untouched, with no query."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        status = response.status_code
        if status == 403 or (
            200 <= status < 300
            and response.has_header("Content-Disposition")
            and getattr(request, "user", None) is not None
            and request.user.is_authenticated
        ):
            try:
                audit_response(request, response)
            except Exception:  # noqa: BLE001 — the response is sent whatever the log does
                logger.exception("The audit log could not record %s", request.path)
        return response


@receiver(user_logged_in, dispatch_uid="iop.audit.login")
def _log_login(sender, request, user, **kwargs) -> None:
    from .services.audit import audit_record

    audit_record(
        event=AuditEventKind.LOGIN, request=request, user=user, outcome=AuditOutcome.SUCCESS
    )


@receiver(user_login_failed, dispatch_uid="iop.audit.login_failed")
def _log_login_failed(sender, credentials: dict[str, Any], request=None, **kwargs) -> None:
    """The username as typed, nothing else of what was sent (never the password)."""
    from .services.audit import audit_record

    username = str(credentials.get(get_user_model().USERNAME_FIELD) or "")
    audit_record(
        event=AuditEventKind.LOGIN_FAILED,
        request=request,
        username=username,
        outcome=AuditOutcome.FAILURE,
        level=logging.WARNING,
    )


@receiver(user_logged_out, dispatch_uid="iop.audit.logout")
def _log_logout(sender, request, user, **kwargs) -> None:
    from .services.audit import audit_record

    audit_record(
        event=AuditEventKind.LOGOUT, request=request, user=user, outcome=AuditOutcome.SUCCESS
    )
