"""What every page's template may use."""

from __future__ import annotations

from functools import cache

from django.http import HttpRequest

from .selectors.notifications import unread_notification_count


def notifications(request: HttpRequest) -> dict:
    """The unread count for the bell in the navigation: one COUNT query, made only for a
    logged-in user and only when a template reads it (the admin's pages do not)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    @cache
    def unread_count() -> int:
        return unread_notification_count(user)

    return {"unread_notification_count": unread_count}
