"""Checking uploaded documents: type by content, extension and content in agreement, size.

A file's name says nothing about what it is (an ``.exe`` renamed to ``.pdf`` is still a
program), so the type is read from the file's first bytes with ``filetype``. Word (.docx)
and OpenDocument (.odt) files are ZIP archives; ``filetype`` recognises them only by the
order of their first entries, and it takes a macro-enabled Word file (.docm) for a .docx.
So every ZIP is opened and identified by the entry the standards define: OpenDocument's
``mimetype`` entry, Office Open XML's ``[Content_Types].xml``.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass

import filetype

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.deconstruct import deconstructible
from django.utils.text import format_lazy
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
