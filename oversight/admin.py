"""Oversight in Django admin: the dossier exports and their downloads are the log of who
exported and downloaded what, when. Written by the dossier's services only, so read-only here
for every role and for the superuser, with their history viewable (never reverted)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from partners.admin_base import HistoryAdmin

from .models import DossierDownload, DossierExport


class ReadOnlyHistoryAdmin(HistoryAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class DownloadInline(admin.TabularInline):
    model = DossierDownload
    extra = 0
    can_delete = False
    fields = ("user", "at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(DossierExport)
class DossierExportAdmin(ReadOnlyHistoryAdmin):
    list_display = ("case", "requested_by", "requested_at", "status", "progress", "finished_at")
    list_filter = ("status",)
    list_select_related = ("case", "requested_by")
    search_fields = ("case__registry_number", "case__title")
    date_hierarchy = "requested_at"
    inlines = [DownloadInline]


@admin.register(DossierDownload)
class DossierDownloadAdmin(ReadOnlyHistoryAdmin):
    list_display = ("export", "user", "at")
    list_select_related = ("export", "user")
    search_fields = ("export__case__registry_number",)
    date_hierarchy = "at"
