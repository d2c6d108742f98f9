"""The dossier as a ZIP (written by the export's build, ``services.exports.export_build``):

- ``index.html`` — one self-contained page (no script, no outside style) listing everything in
  the archive, with links to the files;
- ``avtal/version-N.pdf`` — every agreement version, printed by the agreements' own renderer;
- ``protokollsutdrag/…pdf`` — every decision's extract: the stored, registered PDF, or printed
  now by the committee's renderer while the printing task has not stored it;
- ``handlingar/…`` — every registered document's file (the stored file as it came in; a
  committee document not printed yet is printed now);
- ``historik.csv`` — ``oversight.dossier.case_history``, one row per change;
- ``diarium.csv`` — the case's lines of the registry, as the registry's own export writes them.

The archive is written to a file handle (a temporary file), never held in memory whole. It
reads, and writes nothing but the handle.
"""

from __future__ import annotations

import csv
import io
import os
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from agreements.pdf import render_agreement_pdf
from decisions.constants import DocumentRole
from decisions.models import MatterDocument
from decisions.pdf_decisions import render_extract_pdf
from iop import exports
from iop.models import Case, RegistryEntry
from iop.selectors.registry import ENTRY_RELATED
from partners.files import stored_files

from ..dossier import Dossier, case_dossier, case_history, history_headings

INDEX = "index.html"
HISTORY_CSV = "historik.csv"
REGISTRY_CSV = "diarium.csv"
INDEX_TEMPLATE = "oversight/zip/index.html"


@dataclass
class ZipItem:
    """One file of the archive, as the index lists it."""

    path: str
    title: str
    detail: str = ""


@dataclass
class RegisteredItem:
    entry: RegistryEntry
    path: str = ""  # "" when the line has no file (a line without a document)


Progress = Callable[[int, str], None]


def _safe(text: str) -> str:
    return slugify(text)[:80] or "dokument"


def zip_name(case: Case) -> str:
    """``akt-rv-2026-00012-2026-05-04.zip``: the dossier of which case, exported which day."""
    return f"akt-{_safe(case.registry_number)}-{timezone.localdate().isoformat()}.zip"


def _file_fields() -> dict[str, list[str]]:
    """The stored file fields of each model that holds registered documents
    (``partners.files.register_stored_file``)."""
    fields: dict[str, list[str]] = {}
    for stored in stored_files():
        fields.setdefault(stored.model._meta.label, []).append(stored.field)
    return fields


def _read(field_file: Any) -> bytes:
    with field_file.open("rb") as handle:
        return handle.read()


def _document_bytes(document: Any, fields: dict[str, list[str]], extracts: dict[int, bytes]):
    """(bytes, extension) of a registered document's file, or None when it has none."""
    for name in fields.get(document._meta.label, []):
        field_file = getattr(document, name, None)
        if field_file:
            return _read(field_file), os.path.splitext(field_file.name)[1].lower()
    if isinstance(document, MatterDocument):
        # Registered when the matter was made final; the printing task stores its PDF after
        # commit. What it would print is printed here, the same renderer.
        if document.role == DocumentRole.EXTRACT and document.matter_id in extracts:
            return extracts[document.matter_id], ".pdf"
        from decisions.services.rendering import document_pdf

        return document_pdf(document), ".pdf"
    return None


def _history_csv(rows: list[Any]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=exports.CSV_DELIMITER)
    writer.writerow(history_headings())
    for row in rows:
        writer.writerow([defuse(v) for v in row.values()])
    return ("\ufeff" + buffer.getvalue()).encode()


def defuse(value: str) -> str:
    """A cell that a spreadsheet would run as a formula stays text (as ``iop.exports``)."""
    return "'" + value if value.startswith(exports.FORMULA_PREFIXES) else value


def _registry_csv(case: Case) -> bytes:
    entries = (
        RegistryEntry.objects.filter(case=case).select_related(*ENTRY_RELATED).order_by("serial")
    )
    return b"".join(exports.csv_chunks(entries, exports.REGISTRY_COLUMNS))


def _steps(progress: Progress | None) -> Progress:
    return progress or (lambda percent, step: None)


def write_dossier_zip(case: Case, handle: Any, *, progress: Progress | None = None) -> Dossier:
    """Write the dossier of ``case`` as a ZIP to ``handle``, telling ``progress(percent,
    step)`` as it goes. Returns the dossier it wrote."""
    tell = _steps(progress)
    dossier = case_dossier(case)
    history = case_history(case)
    versions: list[ZipItem] = []
    extracts: list[ZipItem] = []
    registered: list[RegisteredItem] = []
    with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        # (1) Every agreement version, as printed.
        count = len(dossier.versions) or 1
        for done, row in enumerate(dossier.versions, start=1):
            version = row.version
            tell(
                5 + 30 * (done - 1) // count,
                _("Printing agreement version %(n)s") % {"n": version.number},
            )
            path = f"avtal/version-{version.number}.pdf"
            archive.writestr(path, render_agreement_pdf(version))
            versions.append(
                ZipItem(
                    path=path,
                    title=_("Version %(n)s") % {"n": version.number},
                    detail=str(version.get_status_display()),
                )
            )

        # (2) Every decision's extract (protokollsutdrag).
        printed: dict[int, bytes] = {}
        decided = [row for row in dossier.decisions if row.decision is not None]
        count = len(decided) or 1
        for done, row in enumerate(decided, start=1):
            tell(
                35 + 20 * (done - 1) // count,
                _("Decision extract %(reference)s") % {"reference": row.reference},
            )
            data = _read(row.extract.file) if row.extract and row.extract.file else None
            if data is None:
                data = render_extract_pdf(row.decision)
            printed[row.matter.pk] = data
            meeting = row.decision.meeting
            path = (
                f"protokollsutdrag/{meeting.date.isoformat()}-{_safe(meeting.committee.short_code)}"
                f"-paragraf-{row.decision.paragraph}.pdf"
            )
            archive.writestr(path, data)
            extracts.append(
                ZipItem(
                    path=path, title=row.reference, detail=str(row.decision.get_outcome_display())
                )
            )

        # (3) Every registered document's file.
        fields = _file_fields()
        count = len(dossier.registry) or 1
        for done, entry in enumerate(dossier.registry, start=1):
            tell(
                55 + 30 * (done - 1) // count,
                _("Registered document %(number)s") % {"number": entry.number},
            )
            item = RegisteredItem(entry=entry)
            document = entry.document if entry.object_id else None
            found = _document_bytes(document, fields, printed) if document is not None else None
            if found is not None:
                data, extension = found
                item.path = (
                    f"handlingar/{_safe(entry.number)}-{_safe(entry.description)}{extension}"
                )
                archive.writestr(item.path, data)
            registered.append(item)

        # (4) The history and the registry as CSV.
        tell(88, _("Writing the history and the registry"))
        archive.writestr(HISTORY_CSV, _history_csv(history))
        archive.writestr(REGISTRY_CSV, _registry_csv(case))

        # (5) The index, last: it lists what the archive holds.
        tell(95, _("Writing the index"))
        archive.writestr(
            INDEX,
            render_to_string(
                INDEX_TEMPLATE,
                {
                    "dossier": dossier,
                    "case": case,
                    "versions": versions,
                    "extracts": extracts,
                    "registered": registered,
                    "history": history,
                    "history_csv": HISTORY_CSV,
                    "registry_csv": REGISTRY_CSV,
                    "exported_at": timezone.now(),
                },
            ),
        )
    return dossier
