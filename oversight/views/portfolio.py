"""The portfolio (/portfolj/): every IOP by stage and committee, the money per year, the
follow-up's health and the initiatives over time, each as an accessible chart with its table
beside it, filtered by committee and year; and each table as xlsx (/portfolj/<table>.xlsx)
with the same filters.

Who sees it: every staff role that reads cases (``iop.view_case``: the IOP coordinator works
from it, the others read it); a user without a staff role gets 403, an anonymous user the
login page. The pages show case data, so no browser or proxy keeps them (no-store).
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from iop import permissions
from iop.exports import export_filename
from iop.models import Committee

from .. import charts
from ..portfolio import (
    TABLE_SLUGS,
    YEARS_AHEAD,
    PortfolioFilter,
    Table,
    first_year,
    portfolio,
    portfolio_table,
    table_xlsx,
)

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class PortfolioFilterForm(forms.Form):
    committee = forms.ModelChoiceField(
        label=gettext_lazy("Committee"),
        queryset=Committee.objects.select_related("public_body"),
        required=False,
        empty_label=gettext_lazy("All committees"),
    )
    year = forms.TypedChoiceField(
        label=gettext_lazy("Year"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("All years"))] + [(y, str(y)) for y in years]

    def portfolio_filter(self) -> PortfolioFilter:
        if not self.is_valid():
            return PortfolioFilter()
        return PortfolioFilter(
            committee=self.cleaned_data["committee"], year=self.cleaned_data["year"]
        )


def _ensure_reader(request: HttpRequest) -> None:
    if not permissions.can_view_cases(request.user):
        raise PermissionDenied


def _form(request: HttpRequest) -> PortfolioFilterForm:
    this_year = timezone.localdate().year
    first = first_year(request.user) or this_year
    years = list(range(this_year + YEARS_AHEAD, min(first, this_year) - 1, -1))
    return PortfolioFilterForm(request.GET or None, years=years)


def _cells(table: Table) -> dict:
    """The table's rows with each value written the Swedish way (kronor, grouped numbers)."""

    def cells(row):
        return [
            {"value": value, "text": charts.format_value(value, column.kind)}
            for value, column in zip(row.values, table.columns, strict=True)
        ]

    return {
        "rows": [{"row": row, "cells": cells(row)} for row in table.rows],
        "total": {"row": table.total, "cells": cells(table.total)} if table.total else None,
    }


@require_GET
@never_cache
def portfolio_page(request: HttpRequest) -> HttpResponse:
    _ensure_reader(request)
    form = _form(request)
    filter_ = form.portfolio_filter()
    result = portfolio(user=request.user, filter_=filter_)
    query = request.GET.urlencode() if form.is_bound and form.is_valid() else ""
    chart_styles: list[str] = []
    sections = [
        {
            "table": table,
            "svg": None if table.is_empty else charts.render_chart(table, styles=chart_styles),
            "export_query": query,
            **_cells(table),
        }
        for table in result.tables
    ]
    return render(
        request,
        "oversight/portfolio.html",
        {
            "form": form,
            "portfolio": result,
            "sections": sections,
            # pygal's own style sheets (the charts' colours and fonts, scoped by chart id):
            # our CSS, generated from the chart specs, never user input.
            "chart_styles": "\n".join(chart_styles),
            "is_filtered": bool(filter_.committee or filter_.year),
        },
    )


@require_GET
@never_cache
def portfolio_export(request: HttpRequest, table: str) -> HttpResponse:
    _ensure_reader(request)
    if table not in TABLE_SLUGS:
        raise Http404
    form = _form(request)
    if form.is_bound and not form.is_valid():
        return HttpResponseBadRequest(_("The filters could not be used."))
    filter_ = form.portfolio_filter()
    data = portfolio_table(user=request.user, filter_=filter_, slug=table)
    response = HttpResponse(table_xlsx(data, filter_), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(
        True, export_filename("xlsx", stem=f"portfolj-{table}")
    )
    return response


urlpatterns = [
    path("", portfolio_page, name="portfolio"),
    path("<slug:table>.xlsx", portfolio_export, name="portfolio_export"),
]


def register() -> None:
    """Hooks into the case (iop.workflow), called from registration.py: the portfolio adds
    nothing to the case page; the main menu links it (templates/base.html)."""
