"""Checking uploaded documents: type by content, extension and content in agreement, size.

A file's name says nothing about what it is (an ``.exe`` renamed to ``.pdf`` is still a
program), so the type is read from the file's first bytes with ``filetype``. Word (.docx)
and OpenDocument (.odt) files are ZIP archives; ``filetype`` recognises them only by the
order of their first entries, and it takes a macro-enabled Word file (.docm) for a .docx.
So every ZIP is opened and identified by the entry the standards define: OpenDocument's
``mimetype`` entry, Office Open XML's ``[Content_Types].xml``.

Past the type, the content is checked for what could harm whoever opens it (OWASP ASVS V12):
a PDF must be one all through (a ``%PDF-`` header followed by HTML is refused) and may carry
no active content (JavaScript, launch actions, embedded files); a ZIP-based document may hold
no macros (``vbaProject.bin``) and must not inflate out of proportion (a zip bomb).
``SizeLimitUploadHandler`` stops a file past ``MAX_UPLOAD_SIZE`` while it is still arriving.
"""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass

import filetype
import pikepdf

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.template.defaultfilters import filesizeformat
from django.utils.deconstruct import deconstructible
from django.utils.text import format_lazy, get_valid_filename
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class FileType:
    code: str
    label: str
    mime: str
    extensions: tuple[str, ...]


PDF = FileType("pdf", "PDF", "application/pdf", ("pdf",))
DOCX = FileType(
    "docx",
    "Word (.docx)",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ("docx",),
)
ODT = FileType("odt", "OpenDocument (.odt)", "application/vnd.oasis.opendocument.text", ("odt",))
PNG = FileType("png", "PNG", "image/png", ("png",))
JPEG = FileType("jpeg", "JPEG", "image/jpeg", ("jpg", "jpeg"))

FILE_TYPES = {t.code: t for t in (PDF, DOCX, ODT, PNG, JPEG)}
DOCUMENT_TYPES = ("pdf", "docx", "odt", "png", "jpeg")
SCAN_TYPES = ("pdf", "png", "jpeg")

# What a ZIP-based office document declares about itself.
_ODT_MIMETYPE = ODT.mime.encode()
_DOCX_MAIN_PART = (
    b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
)
# Identification entries are a few hundred bytes; refuse to inflate anything large (zip bombs).
_MAX_ID_ENTRY = 1024 * 1024
_HEAD_BYTES = 8192
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

_ZIP_OTHER = _(
    "a ZIP archive that is not a plain Word (.docx) or OpenDocument text (.odt) document, "
    "e.g. a document with macros"
)
_PROGRAM = _("a Windows program (.exe)")

# ZIP archives: a Word or OpenDocument text has a few dozen entries and inflates a few times
# over; anything far past that is a zip bomb, not a document.
_MAX_ZIP_ENTRIES = 1000
_MAX_ZIP_UNCOMPRESSED = 200 * 1024 * 1024
_MAX_ZIP_RATIO = 100
_MACRO_ENTRY = "vbaproject.bin"
# What a browser would take for a web page if it sniffed the file (looked for in the head).
_HTML_MARKERS = (b"<html", b"<script", b"<!doctype", b"<body", b"<head", b"<iframe", b"<svg")
# PDF names that run something or carry another file: JavaScript (/JS, /JavaScript, and the
# /OpenAction or /AA that would start it), /Launch (a program), embedded files.
_PDF_ACTIVE_NAMES = frozenset(
    {"/JS", "/JavaScript", "/AA", "/Launch", "/EmbeddedFile", "/EmbeddedFiles", "/RichMedia"}
)
# Longest stored file name (the storage adds directories and, on a clash, a suffix).
MAX_NAME_LENGTH = 100


def _read_head(file) -> bytes:
    position = file.tell() if hasattr(file, "tell") else 0
    file.seek(0)
    head = file.read(_HEAD_BYTES)
    file.seek(position)
    return head


def _small_entry(archive: zipfile.ZipFile, name: str) -> bytes:
    """The entry's content, or b"" if it is missing or too large to be an identifier."""
    try:
        info = archive.getinfo(name)
    except KeyError:
        return b""
    return archive.read(info) if info.file_size <= _MAX_ID_ENTRY else b""


def _zip_document_code(file) -> str | None:
    """'docx' or 'odt' if the ZIP archive is one, otherwise None."""
    file.seek(0)
    try:
        with zipfile.ZipFile(file) as archive:
            if _small_entry(archive, "mimetype").strip() == _ODT_MIMETYPE:
                return ODT.code
            if _DOCX_MAIN_PART in _small_entry(archive, "[Content_Types].xml"):
                return DOCX.code
    except (zipfile.BadZipFile, OSError, RuntimeError, EOFError, ValueError):
        return None
    finally:
        file.seek(0)
    return None


def sniff(file) -> tuple[str | None, str]:
    """What the file's content is: (code of an accepted type or None, description).

    The description names what was found (a MIME type, or "unknown") for the refusal message.
    """
    head = _read_head(file)
    guess = filetype.guess(head) if head else None
    if head.startswith(b"PK\x03\x04"):
        _check_zip_archive(file)
        code = _zip_document_code(file)
        if code:
            return code, FILE_TYPES[code].mime
        # A ZIP that is not a plain Word or OpenDocument text (e.g. .docm, .xlsx, any archive).
        return None, str(_ZIP_OTHER)
    if guess is None:
        return None, ""
    if guess.mime == PNG.mime and not head.startswith(_PNG_SIGNATURE):
        return None, ""  # filetype looks at 4 of the 8 signature bytes
    for file_type in (PDF, PNG, JPEG):
        if guess.mime == file_type.mime:
            return file_type.code, file_type.mime
    if guess.extension == "exe":
        return None, str(_PROGRAM)
    return None, f"{guess.mime}, .{guess.extension}"


def _check_zip_archive(file) -> None:
    """Refuses macros anywhere in the archive and archives that inflate like a zip bomb; reads
    only the central directory (nothing is inflated)."""
    file.seek(0)
    try:
        with zipfile.ZipFile(file) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, RuntimeError, EOFError, ValueError):
        return  # not a readable archive: the type check refuses it
    finally:
        file.seek(0)
    if any(
        os.path.basename(e.filename.replace("\\", "/")).lower() == _MACRO_ENTRY for e in entries
    ):
        raise ValidationError(
            _(
                "The file %(name)s contains macros (program code), which cannot be uploaded. "
                "Save the document without macros (as .docx or .odt) or as PDF and choose it again."
            ),
            code="macros",
            params={"name": file.name},
        )
    inflated = sum(e.file_size for e in entries)
    packed = max(sum(e.compress_size for e in entries), 1)
    if (
        len(entries) > _MAX_ZIP_ENTRIES
        or inflated > _MAX_ZIP_UNCOMPRESSED
        or inflated / packed > _MAX_ZIP_RATIO
    ):
        raise ValidationError(
            _(
                "The file %(name)s unpacks to far more than a document does (it may be a zip "
                "bomb), so it cannot be uploaded. Save the document again, or as PDF, and "
                "choose it again."
            ),
            code="zip_bomb",
            params={"name": file.name},
        )


def _pdf_refusal(file) -> ValidationError | None:
    """Why the PDF cannot be accepted, or None: a web page behind a PDF header, a file that is
    not a PDF past its first bytes, or active content in any object (object streams included:
    pikepdf reads the whole file, bounded by MAX_UPLOAD_SIZE)."""
    head = _read_head(file).lower()
    if any(marker in head for marker in _HTML_MARKERS):
        return ValidationError(
            _(
                "The file %(name)s begins like a PDF but contains a web page (HTML). Only real "
                "PDF documents can be uploaded: export the document as PDF and choose it again."
            ),
            code="pdf_html",
            params={"name": file.name},
        )
    file.seek(0)
    try:
        with pikepdf.open(getattr(file, "file", file)) as pdf:
            active = _pdf_active_content(pdf)
    except (pikepdf.PdfError, ValueError, OSError):
        return ValidationError(
            _(
                "The file %(name)s begins like a PDF but is not a readable PDF document; it may "
                "be damaged or something else renamed. Export the document as PDF again and "
                "choose it again."
            ),
            code="pdf_damaged",
            params={"name": file.name},
        )
    finally:
        file.seek(0)
    if active:
        return ValidationError(
            _(
                "The file %(name)s contains scripts, actions or embedded files (%(found)s), "
                "which cannot be uploaded. Print or export the document to a plain PDF "
                "without them and choose it again."
            ),
            code="pdf_active",
            params={"name": file.name, "found": ", ".join(sorted(active))},
        )
    return None


def _pdf_active_content(pdf: pikepdf.Pdf) -> set[str]:
    """The active-content names found as a key or a name value anywhere: in every object of
    the file and the dictionaries and arrays written directly inside them."""
    found: set[str] = set()

    def visit(obj) -> None:
        if isinstance(obj, pikepdf.Stream):
            obj = obj.stream_dict
        if isinstance(obj, pikepdf.Dictionary):
            found.update(k for k in obj if k in _PDF_ACTIVE_NAMES)
            children = obj.values()
        elif isinstance(obj, pikepdf.Array):
            children = obj
        else:
            return
        for child in children:
            if isinstance(child, pikepdf.Name):
                if str(child) in _PDF_ACTIVE_NAMES:
                    found.add(str(child))
            elif isinstance(child, pikepdf.Object) and not child.is_indirect:
                visit(child)  # an indirect object is visited as itself

    for obj in pdf.objects:
        visit(obj)
    return found


def safe_upload_name(name: str) -> str:
    """The uploaded file's name fit to store: no directories, only letters, digits, ``-_.``
    (``get_valid_filename``), at most MAX_NAME_LENGTH characters with its extension kept."""
    base = os.path.basename((name or "").replace("\\", "/"))
    try:
        cleaned = get_valid_filename(base)
    except Exception:  # SuspiciousFileOperation for "", "." and ".."
        cleaned = "fil"
    stem, ext = os.path.splitext(cleaned)
    ext = ext[:10]
    return (stem[: MAX_NAME_LENGTH - len(ext)] or "fil") + ext


class OversizedUpload(InMemoryUploadedFile):
    """Stands for a file that was cut off at MAX_UPLOAD_SIZE while arriving: no content, and
    the size received, so that the form's UploadValidator refuses it with its size message."""

    def __init__(self, *, field_name: str, name: str, content_type: str, size: int):
        super().__init__(io.BytesIO(b""), field_name, name, content_type, size, None)


class SizeLimitUploadHandler(FileUploadHandler):
    """First of FILE_UPLOAD_HANDLERS: passes a file's data on to the memory or temporary-file
    handler only up to MAX_UPLOAD_SIZE; past it, the rest is counted and dropped, and the
    file arrives as an empty ``OversizedUpload`` of the size sent. A 2 GB POST never reaches
    the disk; the web server's own limit (nginx ``client_max_body_size``) ends it sooner."""

    def new_file(
        self,
        field_name,
        file_name,
        content_type,
        content_length,
        charset=None,
        content_type_extra=None,
    ):
        super().new_file(
            field_name, file_name, content_type, content_length, charset, content_type_extra
        )
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.MAX_UPLOAD_SIZE:
            return None  # later handlers get nothing more
        return raw_data

    def file_complete(self, file_size):
        if self.received <= settings.MAX_UPLOAD_SIZE:
            return None  # the next handler hands over the file
        return OversizedUpload(
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=self.received,
        )


def extension_of(name: str) -> str:
    return os.path.splitext(name or "")[1].lower().lstrip(".")


def _labels(codes: Iterable[str]) -> str:
    return ", ".join(FILE_TYPES[c].label for c in codes)


def content_type_for(name: str) -> str:
    """The MIME type to serve a stored file with, from its (checked) extension."""
    ext = extension_of(name)
    for file_type in FILE_TYPES.values():
        if ext in file_type.extensions:
            return file_type.mime
    return "application/octet-stream"


@deconstructible
class UploadValidator:
    """Refuses a file that is too large, has an extension outside ``allowed``, or whose
    content is not what its extension says. Each refusal says what to do instead."""

    def __init__(self, allowed: Iterable[str] = DOCUMENT_TYPES):
        self.allowed = tuple(allowed)

    def __eq__(self, other) -> bool:
        return isinstance(other, UploadValidator) and self.allowed == other.allowed

    @property
    def accept(self) -> str:
        """For the file input's ``accept`` attribute (a hint for the browser's file picker)."""
        return ",".join(
            [f".{e}" for c in self.allowed for e in FILE_TYPES[c].extensions]
            + [FILE_TYPES[c].mime for c in self.allowed]
        )

    @property
    def help_text(self):
        return format_lazy(
            _("Allowed file types: {types}. At most {limit}."),
            types=_labels(self.allowed),
            limit=filesizeformat(settings.MAX_UPLOAD_SIZE),
        )

    def __call__(self, file) -> None:
        limit = settings.MAX_UPLOAD_SIZE
        if file.size > limit:
            raise ValidationError(
                _(
                    "The file is %(size)s; the largest file that can be uploaded is %(limit)s. "
                    "Choose a smaller file, or save the document with a lower resolution."
                ),
                code="too_large",
                params={"size": filesizeformat(file.size), "limit": filesizeformat(limit)},
            )
        if file.size == 0:
            raise ValidationError(
                _("The file %(name)s is empty. Choose the file again."),
                code="empty",
                params={"name": file.name},
            )
        ext = extension_of(file.name)
        expected = next(
            (FILE_TYPES[c] for c in self.allowed if ext in FILE_TYPES[c].extensions), None
        )
        if expected is None:
            raise ValidationError(
                _(
                    "Files ending in “.%(ext)s” cannot be uploaded here. Allowed file types: "
                    "%(types)s. Choose another file."
                ),
                code="extension",
                params={"ext": ext, "types": _labels(self.allowed)},
            )
        code, found = sniff(file)
        if code == expected.code:
            if code == PDF.code and (refusal := _pdf_refusal(file)) is not None:
                raise refusal
            return
        if code is None and not found:
            raise ValidationError(
                _(
                    "The file %(name)s is named as a %(expected)s file, but its content is not "
                    "a %(expected)s document; it may be damaged or renamed. Allowed file types: "
                    "%(types)s. Save or export the document in one of them and choose it again."
                ),
                code="content",
                params={
                    "name": file.name,
                    "expected": expected.label,
                    "types": _labels(self.allowed),
                },
            )
        raise ValidationError(
            _(
                "The file %(name)s is named as a %(expected)s file, but its content is of "
                "another type (%(found)s). The name and the content must agree, and only "
                "%(types)s can be uploaded. Choose the right file again."
            ),
            code="mismatch",
            params={
                "name": file.name,
                "expected": expected.label,
                "found": found,
                "types": _labels(self.allowed),
            },
        )


validate_document_upload = UploadValidator(DOCUMENT_TYPES)
validate_scan_upload = UploadValidator(SCAN_TYPES)
