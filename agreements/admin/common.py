"""What the agreements' admins share: the conflict message, read-only records and inlines."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext_lazy

from partners.admin_base import HistoryAdmin

from ..models import AgreementVersion

CONFLICT = gettext_lazy(
    "Someone else saved this draft after you opened it. Open it again to see their changes."
)

TEXTAREA = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 3, "cols": 60})}}


def case_number(version: AgreementVersion) -> str:
    return version.agreement.case.registry_number


class ReadOnlyHistoryAdmin(HistoryAdmin):
    """Records written by the services only: viewable with their history, never changed."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
