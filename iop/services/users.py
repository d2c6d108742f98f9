"""Staff accounts end by deactivation: a user who has acted stays the author of the history,
the case events and the audit log, so no user is deleted."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction


@transaction.atomic
def user_deactivate(*, user: Any, actor: Any) -> bool:
    """Deactivate ``user`` (no more logins; their sessions end at the next request), with
    history. Returns whether anything changed. Refused for an actor who may not change
    users, and for the actor themselves (an administrator does not lock themselves out)."""
    if not actor.has_perm("auth.change_user") or user.pk == actor.pk:
        raise PermissionDenied
    user = type(user)._default_manager.select_for_update().get(pk=user.pk)
    if not user.is_active:
        return False
    user.is_active = False
    user._history_user = actor
    user.save(update_fields=["is_active"])
    return True
