"""The audit log (``iop.services.audit``): read-only for everyone, readable by the superuser
and the auditor (``iop.view_auditevent``)."""

from __future__ import annotations

from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..constants import AuditEventKind, AuditOutcome
from ..models import AuditEvent
from .base import ReadOnlyAdmin


class _NamedValuesFilter(admin.SimpleListFilter):
    """A filter on a column whose values are named by a TextChoices that is not the field's
    choices (a module may log a value of its own without a migration)."""

    named_values: type[models.TextChoices]

    def lookups(self, request, model_admin):
        return self.named_values.choices

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(**{self.parameter_name: value}) if value else queryset


class EventFilter(_NamedValuesFilter):
    title = _("event")
    parameter_name = "event"
    named_values = AuditEventKind


class OutcomeFilter(_NamedValuesFilter):
    title = _("outcome")
    parameter_name = "outcome"
    named_values = AuditOutcome


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
