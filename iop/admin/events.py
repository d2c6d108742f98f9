"""The cases' events, across cases: written only by the services."""

from __future__ import annotations

from django.contrib import admin

from ..models import CaseEvent
from .base import ReadOnlyAdmin


@admin.register(CaseEvent)
class CaseEventAdmin(ReadOnlyAdmin):
    """The cases' timelines, across cases."""

    list_display = ("at", "case", "kind", "transition", "from_status", "to_status", "actor")
    list_filter = ("kind", "to_status")
    list_select_related = ("case", "actor", "assignee")
    search_fields = ("case__registry_number", "case__title", "note")
    date_hierarchy = "at"
