"""The registry (diariet): the register of every document, filtered, searched, sorted,
paginated and exported to xlsx or CSV with the same filters; and the register of one case.
Every staff role reads it (``can_view_cases``); anyone else is refused (403), and the login
middleware sends the anonymous to the login page. Thin: parse, call the selector, render."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from .. import exports
from ..filters import REGISTRY_SORT_COLUMNS
from ..selectors.registry import case_registry as case_registry_lines
from ..selectors.registry import registry_list as registry_lines
from .common import visible_case
from .register import (
    PER_PAGE_CHOICES,
    XLSX_CONTENT_TYPE,
    _header_columns,
    _per_page,
    _require_viewer,
)

EXPORT_STEM = "diarium"


@require_GET
def registry_list(request: HttpRequest) -> HttpResponse:
    _require_viewer(request)
    result = registry_lines(user=request.user, params=request.GET)
    per_page = _per_page(request.GET.get("per_page"))
    page = Paginator(result.queryset, per_page).get_page(request.GET.get("page"))
    form = result.filterset.form
    context = {
        "form": form,
        "page_obj": page,
        "entries": page.object_list,
        "columns": {
            c["key"]: c for c in _header_columns(result.sort, columns=REGISTRY_SORT_COLUMNS)
        },
        "sort": result.sort,
        "per_page": per_page,
        "per_page_choices": PER_PAGE_CHOICES,
        "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "is_filtered": any(request.GET.get(name) for name in form.fields),
    }
    return render(request, "iop/registry/list.html", context)


@require_GET
def registry_export(request: HttpRequest) -> HttpResponseBase:
    """The filtered register, every line (not just one page), as ``?format=xlsx`` or ``csv``;
    ``?case=<pk>`` gives one case's register."""
    _require_viewer(request)
    kind = request.GET.get("format")
    if kind not in ("xlsx", "csv"):
        return HttpResponseBadRequest(_("Choose the format xlsx or csv."))
    queryset = registry_lines(user=request.user, params=request.GET, documents=False).queryset
    filename = exports.export_filename(kind, stem=EXPORT_STEM)
    columns = exports.REGISTRY_COLUMNS
    if kind == "csv":
        response: HttpResponseBase = StreamingHttpResponse(
            exports.csv_chunks(queryset, columns), content_type="text/csv; charset=utf-8"
        )
    else:
        response = HttpResponse(
            exports.xlsx_bytes(queryset, sheet_title=_("Registry"), columns=columns),
            content_type=XLSX_CONTENT_TYPE,
        )
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def case_registry(request: HttpRequest, pk: int) -> HttpResponse:
    """The case's register: every document registered in it, in the order of their numbers."""
    case = visible_case(request, pk)
    return render(
        request,
        "iop/registry/case.html",
        {"case": case, "entries": case_registry_lines(case=case)},
    )
