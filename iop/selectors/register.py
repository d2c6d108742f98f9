"""The case register's reads: its rows for a user and a set of GET parameters, shared by the
list and its exports. Row visibility comes from ``for_user()``; this only narrows and orders."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from ..models import Case


@dataclass
class CaseList:
    """The case register's rows for a user and a set of GET parameters."""

    filterset: Any  # iop.filters.CaseFilter, bound to the parameters
    queryset: QuerySet
    sort: str

    @property
    def is_valid(self) -> bool:
        return self.filterset.is_valid()


# What the register's rows and its exports show; the long texts and the users' other columns
# stay in the database (an export of thousands of rows spent most of its time building them).
CASE_LIST_FIELDS = (
    "registry_number",
    "registry_year",
    "registry_serial",
    "title",
    "status",
    "status_changed_at",
    "received_on",
    "public_body__short_code",
    "committee__name",
    *(
        f"{who}__{f}"
        for who in ("officer", "substitute")
        for f in ("first_name", "last_name", "username")
    ),
)


def case_list(*, user, params) -> CaseList:
    """The register's cases visible to ``user``, filtered, searched and sorted by ``params``
    (a QueryDict: q, status, committee, officer, organisation, year, sort). An invalid filter
    value gives no rows, so a list is never mistaken for the filtered one; an unknown sort
    key falls back to the default order."""
    from ..filters import CaseFilter, apply_sort, parse_sort

    base = Case.objects.for_user(user).with_list_data().only(*CASE_LIST_FIELDS)
    filterset = CaseFilter(params, queryset=base)
    queryset = filterset.qs if filterset.is_valid() else base.none()
    sort = parse_sort(params.get("sort"))
    return CaseList(filterset=filterset, queryset=apply_sort(queryset, sort), sort=sort)
