"""The registry's (diariets) reads: the lines a user may see, of every case or of one, filtered,
searched and sorted for the register page and its exports. Row visibility is the cases'
(``Case.objects.for_user``); this only narrows and orders."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.db.models import QuerySet

from ..diarium import document_links
from ..models import Case, RegistryEntry

# What a line shows of its case and its registering user (one join, no query per row).
ENTRY_RELATED = ("case", "case__committee", "case__public_body", "registered_by")


@dataclass
class RegistryList:
    """The register's lines for a user and a set of GET parameters."""

    filterset: Any  # iop.filters.RegistryFilter, bound to the parameters
    queryset: QuerySet
    sort: str


def visible_entries(user: Any) -> QuerySet:
    """The lines of the cases ``user`` may see."""
    return RegistryEntry.objects.filter(case__in=Case.objects.for_user(user))


def with_documents(entries: QuerySet) -> QuerySet:
    """The lines with the documents they point at, so that their links
    (``RegistryEntry.get_download_url``) make no query: one query per kind of document
    model on the page, whatever its number of lines."""
    querysets = [
        link.model._default_manager.select_related(*link.select_related)
        for link in document_links()
    ]
    return entries.prefetch_related(GenericPrefetch("document", querysets))


def registry_list(*, user: Any, params: Any, documents: bool = True) -> RegistryList:
    """The register's lines visible to ``user``, filtered, searched and sorted by ``params``
    (a QueryDict: q, direction, kind, registered_from, registered_to, committee, public_body,
    case, sort). An invalid filter value gives no lines, so a list is never mistaken for the
    filtered one; an unknown sort key falls back to the newest first. ``documents`` fetches
    the pointed documents with the lines (the page's links; the exports need none)."""
    from ..filters import (
        REGISTRY_DEFAULT_SORT,
        REGISTRY_SORT_COLUMNS,
        RegistryFilter,
        apply_sort,
        parse_sort,
    )

    base = visible_entries(user).select_related(*ENTRY_RELATED)
    if documents:
        base = with_documents(base)
    filterset = RegistryFilter(params, queryset=base)
    queryset = filterset.qs if filterset.is_valid() else base.none()
    sort = parse_sort(
        params.get("sort"), columns=REGISTRY_SORT_COLUMNS, default=REGISTRY_DEFAULT_SORT
    )
    return RegistryList(
        filterset=filterset,
        queryset=apply_sort(queryset, sort, columns=REGISTRY_SORT_COLUMNS),
        sort=sort,
    )


def case_registry(*, case: Case) -> list[RegistryEntry]:
    """Every line of ``case`` (visible already: the caller fetched it with
    ``visible_case``), in the order of their numbers, with their documents."""
    return list(
        with_documents(
            RegistryEntry.objects.filter(case=case).select_related("registered_by")
        ).order_by("serial")
    )
