"""Sessions end after 30 minutes without activity and 8 hours after login, whatever happens.

``SessionTimeoutMiddleware`` keeps two timestamps in the session: when the user logged in
(set by the ``user_logged_in`` signal, so ``Client.force_login`` sets it too) and when they
last did something. A request past either limit logs the user out and sends the browser to
the logged-out page, which says why. Requests that only poll (the package and export
progress panels send ``X-IOP-Poll: 1`` every second) and the keep-alive's status check are
no activity: they must not keep an unattended session open.

The last activity is written at most once a minute, so an ordinary page view does not save
the session (no extra query); the idle limit is therefore kept to within a minute.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import SESSION_KEY, logout, user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

LOGIN_AT = "iop_login_at"
ACTIVE_AT = "iop_active_at"
# The header a polling element sends (data-hx-headers='{"X-IOP-Poll": "1"}').
POLL_META = "HTTP_X_IOP_POLL"
# How stale the stored last activity may get before a request writes it again, in seconds.
ACTIVITY_RESOLUTION = 60

IDLE = "idle"
ABSOLUTE = "absolute"

audit = logging.getLogger("iop.audit")


def idle_limit() -> int:
    return settings.SESSION_IDLE_TIMEOUT


def absolute_limit() -> int:
    return settings.SESSION_COOKIE_AGE


@dataclass(frozen=True)
class Remaining:
    """Seconds left before the session ends for want of activity, and at the latest."""

    idle: int
    absolute: int

    @property
    def seconds(self) -> int:
        return max(0, min(self.idle, self.absolute))

    @property
    def idle_limit(self) -> int:
        return idle_limit()

    @property
    def warning(self) -> int:
        """How long before the end the page warns, in seconds."""
        return settings.SESSION_TIMEOUT_WARNING

    @property
    def ends_absolutely(self) -> bool:
        """The fixed end comes first: continuing cannot postpone it."""
        return self.absolute <= self.idle


def remaining(session, now: float | None = None) -> Remaining:
    now = time.time() if now is None else now
    login_at = session.get(LOGIN_AT, now)
    active_at = session.get(ACTIVE_AT, now)
    return Remaining(
        idle=int(active_at + idle_limit() - now), absolute=int(login_at + absolute_limit() - now)
    )


def expired_reason(session, now: float) -> str | None:
    left = remaining(session, now)
    if left.absolute <= 0:
        return ABSOLUTE
    if left.idle <= 0:
        return IDLE
    return None


def mark_active(session, now: float | None = None, *, force: bool = False) -> None:
    now = time.time() if now is None else now
    if force or now - session.get(ACTIVE_AT, 0) >= ACTIVITY_RESOLUTION:
        session[ACTIVE_AT] = int(now)
    session.setdefault(LOGIN_AT, int(now))


def is_poll(request: HttpRequest) -> bool:
    return bool(request.META.get(POLL_META))


def logged_out_url(reason: str = "") -> str:
    url = reverse("logged_out")
    return f"{url}?{urlencode({'reason': reason})}" if reason else url


@receiver(user_logged_in, dispatch_uid="iop.session_timeout.start")
def start_session_clock(sender, request, user, **kwargs) -> None:
    session = getattr(request, "session", None)
    if session is None:
        return
    now = int(time.time())
    session[LOGIN_AT] = now
    session[ACTIVE_AT] = now


class SessionTimeoutMiddleware:
    """After AuthenticationMiddleware, before LoginRequiredMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = request.session
        # The session's own key, not request.user: no user query on anonymous requests.
        if session.get(SESSION_KEY) is not None:
            now = time.time()
            reason = expired_reason(session, now)
            if reason:
                return self.end(request, reason)
            if not is_poll(request):
                mark_active(session, now)
            request.session_remaining = remaining(session, now)
        return self.get_response(request)

    def end(self, request: HttpRequest, reason: str) -> HttpResponse:
        username = request.user.get_username()
        logout(request)
        audit.info(
            "session ended",
            extra={"event": "session_timeout", "username": username, "reason": reason},
        )
        url = logged_out_url(reason)
        if request.headers.get("HX-Request"):
            # htmx follows this itself: the whole page goes, not just the polling panel.
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return HttpResponseRedirect(url)
