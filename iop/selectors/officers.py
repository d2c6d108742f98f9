"""Who may be given a case."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import Q, QuerySet

from .. import permissions

User = get_user_model()


def case_officer_choices() -> QuerySet:
    """The active users who may be case officer or substitute: those whose role (or own
    permissions) carries iop.handle_case — the case officers and the IOP coordinators."""
    app_label, codename = permissions.HANDLE_CASE.split(".")
    perm = Permission.objects.filter(content_type__app_label=app_label, codename=codename)
    return (
        User.objects.filter(is_active=True)
        .filter(Q(groups__permissions__in=perm) | Q(user_permissions__in=perm))
        .distinct()
        .order_by("first_name", "last_name", "username")
    )
