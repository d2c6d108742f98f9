"""The year's payment plan of every IOP (/utbetalningar/) and its export for the finance system
(/utbetalningar/<year>.xlsx or .csv, with the page's filters).

Every staff role reads it (``finance.view_payment``, the auditors ask «was it paid?»); anyone
else is refused (403), anonymous users get the login page. The pages show case data: no-store.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, re_path
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from iop import permissions

from .. import exports, selectors
from ..forms import YearPlanFilter
from ..plan import RULE_TEXT

PER_PAGE = 50
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def ensure_reader(request: HttpRequest) -> None:
    """Reading the plan: a staff role and the permission to view payments."""
    if not (
        permissions.can_view_cases(request.user) and request.user.has_perm("finance.view_payment")
    ):
        raise PermissionDenied


def no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    return response


def _plan(
    request: HttpRequest, year: int | None = None
) -> tuple[YearPlanFilter, selectors.YearPlan]:
    form = YearPlanFilter(request.GET or None)
    values = form.values()
    if year is not None:
        values["year"] = year
    return form, selectors.year_plan(**values)


@require_GET
def year_plan(request: HttpRequest) -> HttpResponse:
    ensure_reader(request)
    form, plan = _plan(request)
    page = Paginator(plan.rows, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    export_query = query.copy()
    export_query.pop("year", None)
    context = {
        "form": form,
        "plan": plan,
        "page_obj": page,
        "rows": page.object_list,
        "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "query": query.urlencode(),
        "export_query": export_query.urlencode(),
        "rule_text": RULE_TEXT,
        "may_record": request.user.has_perm("finance.add_payment"),
        "years": [plan.year - 1, plan.year + 1],
    }
    return no_store(render(request, "finance/year_plan.html", context))


@require_GET
def year_plan_export(request: HttpRequest, year: str, extension: str) -> HttpResponse:
    """The year's plan (every row, with the page's filters but the year of the address)."""
    ensure_reader(request)
    year = int(year)
    _form, plan = _plan(request, year)
    if extension == "csv":
        response = HttpResponse(
            exports.csv_bytes(plan.rows), content_type="text/csv; charset=utf-8"
        )
    else:
        response = HttpResponse(
            exports.xlsx_bytes(plan.rows, sheet_title=_("Payment plan %(year)s") % {"year": year}),
            content_type=XLSX_CONTENT_TYPE,
        )
    response["Content-Disposition"] = content_disposition_header(
        True, exports.filename(year, extension)
    )
    return no_store(response)


urlpatterns = [
    path("", year_plan, name="year_plan"),
    re_path(
        r"^(?P<year>[0-9]{4})\.(?P<extension>xlsx|csv)$",
        year_plan_export,
        name="year_plan_export",
    ),
]
