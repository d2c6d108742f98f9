"""The audit log (``iop.services.audit``): read-only for everyone, readable by the superuser
and the auditor (``iop.view_auditevent``)."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ..models import AuditEvent, AuditEventKind
from ..models.audit import AuditOutcome
from .base import ReadOnlyAdmin


class EventFilter(admin.SimpleListFilter):
    title = _("event")
    parameter_name = "event"

    def lookups(self, request, model_admin):
        return AuditEventKind.choices

    def queryset(self, request, queryset):
        return queryset.filter(event=self.value()) if self.value() else queryset


class OutcomeFilter(admin.SimpleListFilter):
    title = _("outcome")
    parameter_name = "outcome"

    def lookups(self, request, model_admin):
        return AuditOutcome.choices

    def queryset(self, request, queryset):
        return queryset.filter(outcome=self.value()) if self.value() else queryset


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = (
        "at",
        "event_name",
        "outcome_name",
        "username",
        "ip",
        "method",
        "path",
        "status",
        "object_type",
        "object_id",
    )
    list_filter = (EventFilter, OutcomeFilter, ("at", admin.DateFieldListFilter))
    search_fields = ("username", "path")
    date_hierarchy = "at"
    show_full_result_count = False
    fields = (
        "at",
        "event",
        "outcome",
        "user",
        "username",
        "ip",
        "method",
        "path",
        "status",
        "object_type",
        "object_id",
        "detail",
    )
    readonly_fields = fields

    @admin.display(description=_("event"), ordering="event")
    def event_name(self, obj: AuditEvent) -> str:
        return obj.event_label

    @admin.display(description=_("outcome"), ordering="outcome")
    def outcome_name(self, obj: AuditEvent) -> str:
        return obj.outcome_label
