"""What the hub's admins share beyond ``partners.admin_base``: read-only records, and the
cases a user may add to."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from partners.admin_base import HistoryAdmin, search_org_numbers_without_hyphen

from ..models import Case

__all__ = [
    "HistoryAdmin",
    "ReadOnlyAdmin",
    "cases_user_may_change",
    "search_org_numbers_without_hyphen",
]


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records only the system writes (case events, registry sequences)."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def cases_user_may_change(user) -> QuerySet:
    """The cases this user may add documents or a checklist to (can_change_case as a query)."""
    return Case.objects.changeable_by(user)
