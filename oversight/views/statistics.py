"""The yearly statistics for the municipal board (/statistik/): per committee the initiatives
received, not pursued, the agreements decided, approved, rejected and referred back, the
partnerships ended and the public money planned and paid, with the last five years beside
them; printable as a PDF report (/statistik/2026.pdf) and exported to xlsx and CSV.

Who sees what: every staff role that reads cases (``iop.view_case``); the numbers are made of
public records. The pages and files change nothing and are never cached (``no-store``).
The year shown first is the current one, marked as the numbers so far.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from iop import exports, permissions
from iop.models import Committee

from ..statistics import COLUMNS, StatisticsRow, YearlyStatistics, first_year, yearly_statistics

PAGE_TEMPLATE = "oversight/statistics.html"
PDF_TEMPLATE = "oversight/pdf/statistics.html"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("pdf", "xlsx", "csv")


class StatisticsFilter(forms.Form):
    """The year and the committee; a value that is not offered falls back to the default."""

    year = forms.TypedChoiceField(label=gettext_lazy("Year"), coerce=int, required=False)
    committee = forms.ModelChoiceField(
        label=gettext_lazy("Committee"),
        queryset=Committee.objects.select_related("public_body").order_by(
            "public_body__name", "name"
        ),
        required=False,
        empty_label=gettext_lazy("All committees"),
    )

    def __init__(self, *args, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, str(y)) for y in years]
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select"


def _ensure_reader(request: HttpRequest) -> None:
    if not permissions.can_view_cases(request.user):
        raise PermissionDenied


def _years() -> list[int]:
    """From the first year with a case to this year, newest first."""
    this_year = timezone.localdate().year
    return list(range(this_year, min(first_year(), this_year) - 1, -1))


def _committee(request: HttpRequest) -> Committee | None:
    value = request.GET.get("committee")
    if not value:
        return None
    if not value.isdigit():
        raise Http404
    return get_object_or_404(Committee.objects.select_related("public_body"), pk=int(value))


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    return response


def statistics(request: HttpRequest) -> HttpResponse:
    _ensure_reader(request)
    years = _years()
    form = StatisticsFilter(request.GET or None, years=years)
    year, committee = years[0], None
    if form.is_bound:
        form.is_valid()  # a value not offered is shown as an error; the default is used
        year = form.cleaned_data.get("year") or year
        committee = form.cleaned_data.get("committee")
    stats = yearly_statistics(year, committee=committee)
    query = f"?committee={committee.pk}" if committee else ""
    context = {
        "form": form,
        "stats": stats,
        "today": timezone.localdate(),
        "exports": [
            (fmt, reverse("oversight:statistics_export", args=[year, fmt]) + query, label)
            for fmt, label in (
                ("pdf", _("Printable report (PDF)")),
                ("xlsx", _("Spreadsheet (xlsx)")),
                ("csv", _("CSV")),
            )
        ],
    }
    return _no_store(render(request, PAGE_TEMPLATE, context))


def statistics_export(request: HttpRequest, year: int, fmt: str) -> HttpResponse:
    _ensure_reader(request)
    if fmt not in FORMATS or not 1900 <= year <= 9999:
        raise Http404
    stats = yearly_statistics(year, committee=_committee(request))
    # The files are the public body's documents: written in the installation's language.
    with translation.override(settings.LANGUAGE_CODE):
        if fmt == "pdf":
            response = HttpResponse(render_pdf(stats), content_type="application/pdf")
        elif fmt == "xlsx":
            response = HttpResponse(xlsx_bytes(stats), content_type=XLSX_CONTENT_TYPE)
        else:
            response = HttpResponse(csv_bytes(stats), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        fmt != "pdf", download_name(stats, fmt)
    )
    return _no_store(response)


def download_name(stats: YearlyStatistics, fmt: str) -> str:
    # Hard-coded Swedish like the URLs: file names are addresses, not prose.
    suffix = f"-{stats.committee.short_code.lower()}" if stats.committee else ""
    return f"iop-statistik-{stats.year}{suffix}.{fmt}"


def report_title(year: int) -> str:
    return _("IOP statistics %(year)s") % {"year": year}


def _body_names(stats: YearlyStatistics) -> str:
    return ", ".join(stats.public_bodies)


def render_html(stats: YearlyStatistics) -> str:
    """The HTML the PDF is printed from (the tests read it too)."""
    return render_to_string(
        PDF_TEMPLATE,
        {
            "stats": stats,
            "title": report_title(stats.year),
            "public_body": _body_names(stats),
            "today": timezone.localdate(),
        },
    )


def render_pdf(stats: YearlyStatistics) -> bytes:
    from partners.pdf import write_pdf

    subject = stats.committee.name if stats.committee else _("All committees")
    return write_pdf(
        render_html(stats),
        title=report_title(stats.year),
        author=_body_names(stats),
        subject=str(subject),
    )


def _row_label(row: StatisticsRow) -> str:
    return row.committee.name if row.committee else _("Total")


def _table(stats: YearlyStatistics) -> tuple[list[str], list[list]]:
    headings = [_("Committee"), _("Public body"), *(str(c.label) for c in COLUMNS)]
    lines = [
        [_row_label(r), r.committee.public_body.name if r.committee else "", *r.values()]
        for r in [*stats.rows, stats.total]
    ]
    return headings, lines


def _series_table(stats: YearlyStatistics) -> tuple[list[str], list[list]]:
    headings = [_("Year"), *(str(c.label) for c in COLUMNS)]
    return headings, [[r.year, *r.values()] for r in stats.series]


def xlsx_bytes(stats: YearlyStatistics) -> bytes:
    """Three sheets: the year per committee with its total, the last five years, and what
    each column counts. Amounts are numbers in kronor with öre."""
    workbook = Workbook()
    bold = Font(bold=True)

    def sheet(ws, headings, lines, *, bold_last: bool = False) -> None:
        ws.append(headings)
        for cell in ws[1]:
            cell.font = bold
        for line in lines:
            ws.append([float(v) if isinstance(v, Decimal) else v for v in line])
        for column_cells in ws.iter_cols(min_row=1, max_row=ws.max_row):
            for cell in column_cells[1:]:
                if isinstance(cell.value, float):
                    cell.number_format = "#,##0.00"
        if bold_last:
            for cell in ws[ws.max_row]:
                cell.font = bold
        for index, heading in enumerate(headings):
            ws.column_dimensions[ws.cell(1, index + 1).column_letter].width = max(
                12, len(heading) + 2
            )
        ws.column_dimensions["A"].width = 36
        ws.freeze_panes = "B2"

    ws = workbook.active
    ws.title = str(report_title(stats.year))[:31]
    sheet(ws, *_table(stats), bold_last=True)
    sheet(workbook.create_sheet(_("Last five years")[:31]), *_series_table(stats))
    definitions = workbook.create_sheet(_("Definitions")[:31])
    definitions.append([_("Column"), _("What is counted")])
    for cell in definitions[1]:
        cell.font = bold
    for column in COLUMNS:
        definitions.append([str(column.label), str(column.definition)])
    definitions.column_dimensions["A"].width = 28
    definitions.column_dimensions["B"].width = 100
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _csv_value(value) -> str:
    if isinstance(value, Decimal):
        # Swedish Excel: the comma is the decimal sign (and ";" the list separator).
        return f"{value:.2f}".replace(".", ",")
    text = str(value)
    return "'" + text if text.startswith(exports.FORMULA_PREFIXES) else text


def csv_bytes(stats: YearlyStatistics) -> bytes:
    """The year per committee and the total, UTF-8 with a byte-order mark and ";" between
    fields like the case register's export."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=exports.CSV_DELIMITER)
    headings, lines = _table(stats)
    writer.writerow([_("Year"), *headings])
    for line in lines:
        writer.writerow([_csv_value(v) for v in [stats.year, *line]])
    return ("\ufeff" + buffer.getvalue()).encode()


urlpatterns = [
    path("", statistics, name="statistics"),
    path("<int:year>.<str:fmt>", statistics_export, name="statistics_export"),
]


def register() -> None:
    """Hooks into the case (iop.workflow), called from registration.py: none — the statistics
    are reached from the portfolio and the main menu."""
