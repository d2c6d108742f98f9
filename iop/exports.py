"""Export of the case register and of the registry (diariet) to CSV and xlsx.

Column headings are the model fields' verbose names, so the file speaks the same (Swedish)
words as the rest of the application and needs no translations of its own. Rows are read
with ``iterator(chunk_size=…)``: memory stays flat and the query count only grows with the
number of chunks (one query for the cases and one for their organisations per chunk).
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.text import capfirst

from partners.models import Organisation
from partners.users import display_name

from .constants import CaseStatus, DocumentDirection
from .models import Case, RegistryEntry

EXPORT_CHUNK_SIZE = 1000
CSV_DELIMITER = ";"  # Swedish Excel reads ";" as the list separator (the comma is the decimal sign)
DATE_FORMAT = "YYYY-MM-DD"
# A cell starting with one of these is run as a formula by spreadsheet programs (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _local_date(value: datetime.datetime | None) -> datetime.date | None:
    return timezone.localdate(value) if value is not None else None


@dataclass(frozen=True)
class Column:
    heading: Callable[[], str]
    value: Callable[[Case], Any]
    width: int = 20


def _field_heading(model, field: str) -> Callable[[], str]:
    return lambda: capfirst(str(model._meta.get_field(field).verbose_name))


COLUMNS: tuple[Column, ...] = (
    Column(_field_heading(Case, "registry_number"), lambda c: c.registry_number, 16),
    Column(_field_heading(Case, "title"), lambda c: c.title, 40),
    Column(
        _field_heading(Case, "organisations"),
        lambda c: "; ".join(o.name for o in c.organisations.all()),
        40,
    ),
    Column(
        _field_heading(Organisation, "org_number"),
        lambda c: "; ".join(o.org_number_display for o in c.organisations.all()),
        16,
    ),
    Column(_field_heading(Case, "committee"), lambda c: c.committee.name, 30),
    Column(_field_heading(Case, "officer"), lambda c: display_name(c.officer), 24),
    Column(_field_heading(Case, "substitute"), lambda c: display_name(c.substitute), 24),
    Column(_field_heading(Case, "status"), lambda c: str(CaseStatus(c.status).label), 24),
    Column(_field_heading(Case, "received_on"), lambda c: c.received_on, 14),
    Column(
        _field_heading(Case, "status_changed_at"), lambda c: _local_date(c.status_changed_at), 14
    ),
)


# The registry's lines (``iop.selectors.registry.registry_list``): one query per chunk, the
# case and the registering user joined.
REGISTRY_COLUMNS: tuple[Column, ...] = (
    Column(_field_heading(RegistryEntry, "number"), lambda e: e.number, 20),
    Column(_field_heading(RegistryEntry, "registered_on"), lambda e: e.registered_on, 14),
    Column(
        _field_heading(RegistryEntry, "direction"),
        lambda e: str(DocumentDirection(e.direction).label),
        14,
    ),
    Column(_field_heading(RegistryEntry, "kind"), lambda e: e.kind_label, 30),
    Column(_field_heading(RegistryEntry, "description"), lambda e: e.description, 50),
    Column(_field_heading(RegistryEntry, "counterpart"), lambda e: e.counterpart, 30),
    Column(_field_heading(Case, "title"), lambda e: e.case.title, 40),
    Column(_field_heading(Case, "committee"), lambda e: e.case.committee.name, 30),
    Column(
        _field_heading(RegistryEntry, "registered_by"),
        lambda e: display_name(e.registered_by) if e.registered_by_id else "",
        24,
    ),
)


def headings(columns: tuple[Column, ...] = COLUMNS) -> list[str]:
    return [column.heading() for column in columns]


def rows(queryset: QuerySet, columns: tuple[Column, ...] = COLUMNS) -> Iterator[list[Any]]:
    """One list of values per row (a case, or a line of the registry); dates stay ``date``
    objects."""
    for obj in queryset.iterator(chunk_size=EXPORT_CHUNK_SIZE):
        yield [column.value(obj) for column in columns]


def _defuse(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


class _Line:
    """A file-like object that hands back what csv.writer writes to it."""

    def write(self, value: str) -> str:
        return value


def csv_chunks(queryset: QuerySet, columns: tuple[Column, ...] = COLUMNS) -> Iterator[bytes]:
    """The CSV file, streamed: UTF-8 with a byte-order mark and ";" between fields, so that
    Excel with Swedish settings opens it with å, ä, ö intact and one value per column."""
    writer = csv.writer(_Line(), delimiter=CSV_DELIMITER)
    yield ("\ufeff" + writer.writerow(headings(columns))).encode()
    for values in rows(queryset, columns):
        line = [
            v.isoformat() if isinstance(v, datetime.date) else _defuse("" if v is None else v)
            for v in values
        ]
        yield writer.writerow(line).encode()


def _cell(ws, value: Any) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=value)
    if isinstance(value, datetime.date):
        cell.number_format = DATE_FORMAT
    elif cell.data_type == "f":
        # Text that looks like a formula stays text.
        cell.data_type = "s"
    return cell


def xlsx_bytes(
    queryset: QuerySet, *, sheet_title: str, columns: tuple[Column, ...] = COLUMNS
) -> bytes:
    """The xlsx workbook, written in openpyxl's write-only mode (rows are not kept in memory)."""
    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet(title=sheet_title[:31])
    for index, column in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = column.width
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for text in headings(columns):
        cell = WriteOnlyCell(ws, value=text)
        cell.font = bold
        header.append(cell)
    ws.append(header)
    count = 0
    for values in rows(queryset, columns):
        ws.append([_cell(ws, v) for v in values])
        count += 1
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_filename(
    extension: str, *, today: datetime.date | None = None, stem: str = "arendelista"
) -> str:
    # Hard-coded Swedish like the URLs (/arenden/): file names are addresses, not prose.
    return f"{stem}-{(today or timezone.localdate()).isoformat()}.{extension}"
