"""Every PDF the system prints, made one way: archival PDF/A, tagged, with its metadata.

The agreement, the value declaration and the committee's documents all go through
``write_pdf``, so what the archive receives is the same kind of file whichever app printed it.

The variant is **PDF/A-2a** (ISO 19005-2, level A, "accessible"), WeasyPrint's ``pdf/a-2a``:

- PDF/A-2 part and conformance ``A`` in the XMP metadata stream (``pdfaid:part`` 2,
  ``pdfaid:conformance`` A), the sRGB output intent and a file identifier;
- tagged: WeasyPrint's ``pdf_tags`` is switched on by the variant, so the file has a structure
  tree (headings, paragraphs, tables with their header cells, lists) in reading order,
  ``/MarkInfo`` marked, ``/Lang`` in the catalogue and the title shown by the viewer
  (``DisplayDocTitle``); the running header and the page number stay out of the tree;
- fonts embedded (subset, with their Unicode map), as PDF/A requires: the print templates use
  DejaVu Sans, which is installed with the system.

Level A of PDF/A-2 rather than PDF/A-3: part 3 only adds embedding arbitrary files, which
these documents never carry and which not every archive accepts. WeasyPrint writes one
identification per file, so the file does not also claim PDF/UA-1 (``pdfuaid:part``): its
``pdf/ua-1`` variant gives the same tags but no PDF/A identification, and the archive needs
the latter. The XMP also holds the title (``dc:title``), the author (``dc:creator``), the
subject (``dc:description``) and the language (``dc:language``, which WeasyPrint 70 does not
write itself; ``write_pdf`` adds it).

partners/tests/test_pdf_archive.py checks these properties with pikepdf; no full validator
(veraPDF) runs in the test suite.
"""

from __future__ import annotations

import functools
import io
import subprocess
import tempfile
from xml.etree.ElementTree import SubElement, fromstring, tostring

# The variant of every printed document: PDF/A-2, level A (tagged). See the module docstring.
PDF_VARIANT = "pdf/a-2a"

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_DC = "http://purl.org/dc/elements/1.1/"


def write_pdf(
    html: str,
    *,
    title: str,
    author: str = "",
    subject: str = "",
    base_url: str | None = None,
    lang: str = "sv",
) -> bytes:
    """``html`` as an archival PDF (PDF/A-2a, tagged) with ``title``, ``author``, ``subject``
    and ``lang`` in its metadata; they win over the HTML's ``<title>`` and ``lang``.
    ``base_url`` resolves relative links and images (give every ``<img>`` its ``alt``: the
    tags carry it as the figure's alternative text)."""
    import weasyprint  # slow to import: only when a PDF is made

    options = {"pdf_variant": PDF_VARIANT}
    document = weasyprint.HTML(string=html, base_url=base_url).render(**options)
    metadata = _archive_metadata_class()(**vars(document.metadata))
    metadata.title = str(title)  # a lazy translation is welcome too
    metadata.authors = [str(author)] if author else []
    metadata.description = str(subject) if subject else None
    metadata.lang = lang
    document.metadata = metadata
    return document.write_pdf(**options)


@functools.cache
def _archive_metadata_class() -> type:
    from weasyprint.document import DocumentMetadata

    class ArchiveMetadata(DocumentMetadata):
        """WeasyPrint's metadata with the document language in the XMP too: ``dc:language``,
        a bag of BCP 47 tags in the Dublin Core schema, which PDF/A accepts without an
        extension schema. The catalogue's ``/Lang`` is written by WeasyPrint from ``lang``."""

        def generate_rdf_metadata(self, *args, **kwargs) -> bytes:
            rdf = fromstring(super().generate_rdf_metadata(*args, **kwargs))  # nosec B314  # WeasyPrint's own XMP
            if self.lang:
                description = SubElement(rdf, f"{{{_RDF}}}Description", {f"{{{_RDF}}}about": ""})
                language = SubElement(description, f"{{{_DC}}}language")
                SubElement(SubElement(language, f"{{{_RDF}}}Bag"), f"{{{_RDF}}}li").text = self.lang
            return tostring(rdf, encoding="utf-8")

    return ArchiveMetadata


def pdf_text(pdf: bytes) -> str:
    """The text of ``pdf`` as poppler's ``pdftotext`` reads it, whitespace normalised
    (lines broken where the page broke them, no-break spaces kept)."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        out = subprocess.run(
            ["pdftotext", handle.name, "-"], check=True, capture_output=True, text=True
        ).stdout
    return " ".join(out.split())


def page_count(pdf: bytes) -> int:
    """The number of pages of ``pdf``."""
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as document:
        return len(document.pages)
