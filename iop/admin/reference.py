"""Reference data: public bodies, committees and the registry's sequences."""

from __future__ import annotations

from django.contrib import admin

from ..models import Committee, PublicBody, RegistrySequence
from .base import HistoryAdmin, ReadOnlyAdmin


@admin.register(PublicBody)
class PublicBodyAdmin(HistoryAdmin):
    list_display = ("name", "short_code", "kind")
    list_filter = ("kind",)
    search_fields = ("name", "short_code")


@admin.register(Committee)
class CommitteeAdmin(HistoryAdmin):
    list_display = ("name", "short_code", "public_body", "is_active")
    list_filter = ("public_body", "is_active")
    list_select_related = ("public_body",)
    search_fields = ("name", "short_code", "public_body__name")


@admin.register(RegistrySequence)
class RegistrySequenceAdmin(ReadOnlyAdmin):
    list_display = ("public_body", "year", "last_serial")
    list_filter = ("public_body", "year")
    list_select_related = ("public_body",)
