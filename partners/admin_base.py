"""What every admin of the project shares, in the bottom layer so that every app's admin can
build on it: the base for audited models, and searching organisation numbers as typed."""

from __future__ import annotations

import re
from typing import Any

from simple_history.admin import SimpleHistoryAdmin

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

# "802002-3456" typed in a search box finds the organisation stored as "8020023456".
_HYPHENATED_ORG_NUMBER = re.compile(r"\b(\d{6})-(\d{4})\b")


def search_org_numbers_without_hyphen(search_term: str) -> str:
    return _HYPHENATED_ORG_NUMBER.sub(r"\1\2", search_term)


class HistoryAdmin(SimpleHistoryAdmin):
    """Base for every model an auditor may ask about: the history of each object is
    viewable, nothing is deleted, and no old version is written back."""

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def revert_disabled(self, request: HttpRequest, obj: Any = None) -> bool:
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # simple_history saves a POST to this view even when the revert button is hidden.
        if request.method != "GET":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


def adopt_saved(obj: Any, saved: Any) -> None:
    """Make the admin's unsaved ``obj`` the row a service saved, for what the admin does next
    with it (the change message, the inlines, the redirect)."""
    for field in type(saved)._meta.concrete_fields:
        setattr(obj, field.attname, getattr(saved, field.attname))
    obj._state.adding = False
    obj._state.db = saved._state.db
