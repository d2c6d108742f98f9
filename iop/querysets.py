from __future__ import annotations

from django.db import models
from django.db.models import Q

from . import permissions
from .constants import FINAL_STATUSES


class CaseQuerySet(models.QuerySet):
    def for_user(self, user) -> CaseQuerySet:
        """The cases this user may see. Every staff role reads every case (public records);
        anyone else sees none. The one place row visibility is decided."""
        if permissions.can_view_cases(user):
            return self.all()
        return self.none()

    def handled_by(self, user) -> CaseQuerySet:
        """Cases where the user is the case officer or the substitute."""
        return self.filter(Q(officer=user) | Q(substitute=user))

    def changeable_by(self, user) -> CaseQuerySet:
        """The cases the user may change (``permissions.can_change_case`` as a query): all
        for the coordinator, the ones they handle for a case officer, none for the others."""
        if not permissions.can_view_cases(user):
            return self.none()
        if user.is_superuser or permissions.is_coordinator(user):
            return self.all()
        if user.has_perm(permissions.HANDLE_CASE):
            return self.handled_by(user)
        return self.none()

    def open(self) -> CaseQuerySet:
        return self.exclude(status__in=FINAL_STATUSES)

    def with_list_data(self) -> CaseQuerySet:
        """Everything a list row shows, in a constant number of queries."""
        return self.select_related(
            "committee", "public_body", "officer", "substitute"
        ).prefetch_related("organisations")
