"""Lifting a login lockout (django-axes) before its cool-off has run out.

The IOP coordinator and superusers may do it; the lifting is recorded on the audit log."""

from __future__ import annotations

import logging
from typing import Any

from axes.utils import reset

from django.core.exceptions import PermissionDenied

from ..permissions import is_coordinator

audit = logging.getLogger("iop.audit")


def may_unlock(user: Any) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or is_coordinator(user)))


def account_unlock(*, actor: Any, username: str = "", ip_address: str = "") -> int:
    """Forget the failed attempts of this username (or from this address): the next login
    with the right password succeeds. Returns how many attempt records were removed."""
    if not may_unlock(actor):
        raise PermissionDenied
    if not username and not ip_address:
        return 0
    removed = reset(username=username or None, ip=ip_address or None)
    audit.warning(
        "lockout lifted",
        extra={
            "event": "unlock",
            "username": username,
            "ip": ip_address,
            "actor": actor.get_username(),
        },
    )
    return removed
