"""Real files of each accepted type, and impostors, for the upload tests (made on the spot:
no binary fixtures in the repository)."""

from __future__ import annotations

import functools
import io
import subprocess
import tempfile
import zipfile
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

DOCX_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="{main}"/>'
    "</Types>"
)
DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
DOCM_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"


@functools.cache
def pdf_bytes() -> bytes:
    """A real one-page PDF, made by WeasyPrint."""
    import weasyprint

    return weasyprint.HTML(string="<h1>Stadgar för Föreningen</h1><p>§ 1 Ändamål</p>").write_pdf()


@functools.cache
def _raster(fmt: str) -> bytes:
    """A real PNG or JPEG: the PDF's page rasterised by poppler's pdftoppm."""
    with tempfile.TemporaryDirectory() as tmp:
        pdf = Path(tmp) / "in.pdf"
        pdf.write_bytes(pdf_bytes())
        flag = {"png": "-png", "jpeg": "-jpeg"}[fmt]
        subprocess.run(
            ["pdftoppm", flag, "-r", "20", "-singlefile", str(pdf), str(Path(tmp) / "out")],
            check=True,
        )
        return next(Path(tmp).glob("out.*")).read_bytes()


def png_bytes() -> bytes:
    return _raster("png")


def jpeg_bytes() -> bytes:
    return _raster("jpeg")


@functools.cache  # a ZIP records the time it was written: make it once
def docx_bytes(main: str = DOCX_MAIN) -> bytes:
    """A minimal Word document: [Content_Types].xml declaring the main part, and the part."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", DOCX_CONTENT_TYPES.format(main=main))
        archive.writestr(
            "_rels/.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
            "</Relationships>",
        )
        archive.writestr(
            "word/document.xml",
            '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            "<w:body><w:p><w:r><w:t>Stadgar</w:t></w:r></w:p></w:body></w:document>",
        )
    return buffer.getvalue()


@functools.cache
def docx_bytes_unusual_order() -> bytes:
    """A Word document whose first entries are ones filetype does not look at."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for n in range(6):
            archive.writestr(f"customXml/item{n}.xml", "<x/>")
        archive.writestr("[Content_Types].xml", DOCX_CONTENT_TYPES.format(main=DOCX_MAIN))
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@functools.cache
def odt_bytes() -> bytes:
    """A minimal OpenDocument text: the uncompressed ``mimetype`` entry first, as the
    standard requires."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


@functools.cache
def zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    return buffer.getvalue()


# A Windows program's first bytes: the "MZ" DOS header, then the PE header offset.
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 240
TEXT_BYTES = "Stadgar för föreningen, inskrivna i ett textdokument.\n".encode() * 20

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "odt": "application/vnd.oasis.opendocument.text",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
}


def upload(name: str, data: bytes, content_type: str | None = None) -> SimpleUploadedFile:
    ext = name.rsplit(".", 1)[-1].lower()
    return SimpleUploadedFile(
        name, data, content_type=content_type or CONTENT_TYPES.get(ext, "application/octet-stream")
    )
