"""What the bell and the notifications page read, and who holds a role (whom to notify)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from ..constants import Role
from ..models import Notification


def users_with_role(role: Role | str) -> QuerySet:
    """The active members of the role's group (``iop.constants.Role``), e.g. everyone in
    finance to tell of an approved amount change."""
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name=Role(role).value)
        .distinct()
        .order_by("pk")
    )


def notifications_for(user: Any) -> QuerySet:
    """The user's own notifications, newest first: no one reads another's."""
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-pk")


def unread_notification_count(user: Any) -> int:
    """One COUNT query (the bell in the navigation)."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
