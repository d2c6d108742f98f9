"""Who may log in with a password, and which address a login attempt comes from.

The staff login admits active users who hold one of the staff roles (``iop.constants.Role``)
or are superusers. Anyone else — a user whose roles were taken away, an account made for an
organisation's portal later — is refused with the same message as a wrong password, and the
attempt counts towards the lockout (django-axes, first in ``AUTHENTICATION_BACKENDS``).
"""

from __future__ import annotations

import logging

from axes.signals import user_locked_out

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.dispatch import receiver
from django.http import HttpRequest

from .constants import Role

audit = logging.getLogger("iop.audit")


def has_staff_access(user) -> bool:
    """An active superuser, or an active user in at least one role group."""
    if not user.is_active:
        return False
    return user.is_superuser or user.groups.filter(name__in=Role.values).exists()


class StaffBackend(ModelBackend):
    """Django's username and password check, for staff users only.

    Only ``authenticate`` checks the role: a logged-in request's ``get_user`` stays Django's
    own (one query), so pages keep their query counts."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None and not has_staff_access(user):
            return None
        return user


def client_ip(request: HttpRequest) -> str | None:
    """The client's address for the lockout (``AXES_CLIENT_IP_CALLABLE``).

    Behind ``REVERSE_PROXY_COUNT`` trusted proxies the client is the address those proxies
    appended to ``X-Forwarded-For``, counted from the right (entries further left are what the
    client itself sent and cannot be trusted); without proxies it is ``REMOTE_ADDR``."""
    proxies = getattr(settings, "REVERSE_PROXY_COUNT", 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR")


@receiver(user_locked_out, dispatch_uid="iop.auth_backends.audit_lockout")
def audit_lockout(sender, request, username=None, ip_address=None, **kwargs) -> None:
    """Every locked-out attempt on the audit log (django-axes keeps its own records too)."""
    audit.warning("lockout", extra={"event": "lockout", "username": username, "ip": ip_address})
