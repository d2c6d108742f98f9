"""The case register (ärendelista): every case the user may see, filtered, searched, sorted,
paginated, and exported to xlsx or CSV with the same filters."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from .. import exports, permissions, selectors
from ..filters import SORT_COLUMNS

PER_PAGE_CHOICES = (25, 50, 100, 500)
DEFAULT_PER_PAGE = PER_PAGE_CHOICES[0]

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require_viewer(request: HttpRequest) -> None:
    if not permissions.can_view_cases(request.user):
        raise PermissionDenied


def _per_page(value: str | None) -> int:
    try:
        number = int(value or DEFAULT_PER_PAGE)
    except ValueError:
        return DEFAULT_PER_PAGE
    return number if number in PER_PAGE_CHOICES else DEFAULT_PER_PAGE


def _header_columns(sort: str, columns: dict | None = None) -> list[dict]:
    """Each sortable column's heading, its aria-sort state and the sort value its link sets
    (a click on the sorted column reverses it; any other column starts ascending).
    ``columns``: the sort columns of another list (the registry's); the case register's
    by default."""
    active, descending = sort.lstrip("-"), sort.startswith("-")
    headers = []
    for key, column in (SORT_COLUMNS if columns is None else columns).items():
        is_active = key == active
        headers.append(
            {
                "key": key,
                "label": column.label,
                "aria_sort": ("descending" if descending else "ascending") if is_active else "",
                "next_sort": f"-{key}" if is_active and not descending else key,
            }
        )
    return headers


def case_list(request: HttpRequest) -> HttpResponse:
    _require_viewer(request)
    result = selectors.case_list(user=request.user, params=request.GET)
    per_page = _per_page(request.GET.get("per_page"))
    page = Paginator(result.queryset, per_page).get_page(request.GET.get("page"))
    context = {
        "filter": result.filterset,
        "form": result.filterset.form,
        "page_obj": page,
        "cases": page.object_list,
        "columns": {c["key"]: c for c in _header_columns(result.sort)},
        "sort": result.sort,
        "per_page": per_page,
        "per_page_choices": PER_PAGE_CHOICES,
        "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "is_filtered": any(request.GET.get(name) for name in result.filterset.form.fields),
    }
    return render(request, "iop/case_list.html", context)


def case_export(request: HttpRequest) -> HttpResponseBase:
    """The filtered register, every row (not just one page), as ``?format=xlsx`` or ``csv``."""
    _require_viewer(request)
    kind = request.GET.get("format")
    if kind not in ("xlsx", "csv"):
        return HttpResponseBadRequest(_("Choose the format xlsx or csv."))
    queryset = selectors.case_list(user=request.user, params=request.GET).queryset
    filename = exports.export_filename(kind)
    if kind == "csv":
        response: HttpResponseBase = StreamingHttpResponse(
            exports.csv_chunks(queryset), content_type="text/csv; charset=utf-8"
        )
    else:
        response = HttpResponse(
            exports.xlsx_bytes(queryset, sheet_title=_("Case register")),
            content_type=XLSX_CONTENT_TYPE,
        )
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "private, no-store"
    return response
