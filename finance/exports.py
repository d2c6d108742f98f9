"""The year's payment plan for the finance system, as xlsx and as CSV.

One line per planned payment (case × public party × period). In the **xlsx** amounts are numbers
(format ``# ##0,00`` in a Swedish Excel) and dates are dates. The **CSV** is UTF-8 with a
byte-order mark and ``;`` between fields, so Excel with Swedish settings opens it with å, ä, ö
intact; amounts are written with a **decimal comma and no thousands separator**
(``154166,67``), which Swedish Excel and most finance systems' importers read as a number;
dates are ISO (``2026-04-01``). Column headings are the same Swedish words as the page.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import save_workbook

from django.utils.translation import gettext as _

from iop.exports import CSV_DELIMITER, DATE_FORMAT, FORMULA_PREFIXES

from .selectors import PlanRow

AMOUNT_FORMAT = "#,##0.00"


@dataclass(frozen=True)
class Column:
    heading: Callable[[], str]
    value: Callable[[PlanRow], Any]
    width: int = 18


COLUMNS: tuple[Column, ...] = (
    Column(lambda: _("Registry number"), lambda r: r.case.registry_number, 16),
    Column(lambda: _("Organisation"), lambda r: "; ".join(o.name for o in r.organisations), 36),
    Column(
        lambda: _("Organisation number"),
        lambda r: "; ".join(o.org_number_display for o in r.organisations),
        16,
    ),
    Column(lambda: _("Public party"), lambda r: r.public_body.name, 24),
    Column(lambda: _("Committee"), lambda r: r.case.committee.name, 30),
    Column(lambda: _("Period"), lambda r: r.period_label, 10),
    Column(lambda: _("Due on"), lambda r: r.due_on, 12),
    Column(lambda: _("Planned"), lambda r: r.planned, 14),
    Column(lambda: _("Paid"), lambda r: r.paid, 14),
    Column(lambda: _("Difference"), lambda r: r.difference, 14),
    Column(lambda: _("Held because"), lambda r: r.hold.reason if r.hold else "", 40),
)


def headings() -> list[str]:
    return [c.heading() for c in COLUMNS]


def _defuse(value: str) -> str:
    # A cell starting with "=", "+", "-" or "@" would run as a formula (CSV injection).
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}".replace(".", ",")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return _defuse(str(value))


def csv_bytes(rows: list[PlanRow]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=CSV_DELIMITER, lineterminator="\r\n")
    writer.writerow(headings())
    for row in rows:
        writer.writerow([csv_text(c.value(row)) for c in COLUMNS])
    return ("\ufeff" + buffer.getvalue()).encode()


def xlsx_bytes(rows: list[PlanRow], *, sheet_title: str) -> bytes:
    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet(title=sheet_title[:31])
    for index, column in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(index)].width = column.width
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for text in headings():
        cell = WriteOnlyCell(ws, value=text)
        cell.font = bold
        header.append(cell)
    ws.append(header)
    for row in rows:
        cells = []
        for column in COLUMNS:
            value = column.value(row)
            cell = WriteOnlyCell(ws, value=value)
            if isinstance(value, datetime.date):
                cell.number_format = DATE_FORMAT
            elif isinstance(value, Decimal):
                cell.number_format = AMOUNT_FORMAT
            elif cell.data_type == "f":
                cell.data_type = "s"  # text that looks like a formula stays text
            cells.append(cell)
        ws.append(cells)
    ws.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{len(rows) + 1}"
    out = io.BytesIO()
    save_workbook(workbook, out)  # openpyxl's writer, to a buffer (no ORM write)
    return out.getvalue()


def filename(year: int, extension: str) -> str:
    # Hard-coded Swedish like the URLs: file names are addresses, not prose.
    return f"utbetalningsplan-{year}.{extension}"
