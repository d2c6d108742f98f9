"""The registry (diariet), read-only: its lines are written only by
``iop.services.diarium.diarium_register``, in the transaction of the document they register,
so nothing is added, changed or deleted here. Every staff role may view it
(``iop.view_registryentry``), with each line's history."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from ..models import RegistryEntry
from .base import HistoryAdmin, ReadOnlyAdmin


@admin.register(RegistryEntry)
class RegistryEntryAdmin(ReadOnlyAdmin, HistoryAdmin):
    list_display = (
        "number",
        "registered_on",
        "direction",
        "kind",
        "description",
        "counterpart",
        "registered_by",
    )
    list_filter = ("direction", "kind", "case__committee")
    list_select_related = ("case", "registered_by")
    search_fields = ("number", "description", "counterpart", "case__title")
    date_hierarchy = "registered_on"
    ordering = ("-registered_on", "-id")
    show_full_result_count = False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [field.name for field in RegistryEntry._meta.fields]
