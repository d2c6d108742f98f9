"""Printing a final matter's registered documents and storing their PDFs: what the render
task does (``decisions.tasks.render_matter_documents``). Idempotent: a document already
printed is left alone; two workers on the same matter queue on the document's row lock and the
second finds it printed."""

from __future__ import annotations

import hashlib
import io
import logging

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from .. import wording
from ..constants import DocumentRole
from ..models import Matter, MatterDocument

logger = logging.getLogger(__name__)


def page_count(pdf: bytes) -> int:
    import pikepdf

    with pikepdf.Pdf.open(io.BytesIO(pdf)) as document:
        return len(document.pages)


def document_pdf(document: MatterDocument, context: dict | None = None) -> bytes:
    """The PDF of one registered document, by its role."""
    from .. import pdf

    matter = document.matter
    role = DocumentRole(document.role)
    if role in pdf.TEMPLATES:
        return pdf.render_pdf(matter, role, context)
    if role == DocumentRole.AGREEMENT:
        facts = wording.facts_of(matter.case)
        if facts is None or facts.render_pdf is None:
            raise LookupError(f"matter {matter.pk} has no agreement to attach")
        return facts.render_pdf()
    if role == DocumentRole.PARTNER_REQUEST:
        return _partner_request_pdf(matter)
    if role == DocumentRole.EXTRACT:
        from ..pdf_decisions import render_extract_pdf

        return render_extract_pdf(matter.decision)
    raise LookupError(role)


def _partner_request_pdf(matter: Matter) -> bytes:
    """The partner's uploaded request: a PDF as it came; another format is kept in the
    registry and printed as a page that says where it is."""
    from django.template.loader import render_to_string

    from partners.pdf import write_pdf

    field = matter.partner_request_file
    with field.open("rb") as handle:
        data = handle.read()
    if data.startswith(b"%PDF-"):
        return data
    html = render_to_string(
        "decisions/pdf/file_placeholder.html",
        {"matter": matter, "name": field.name.rsplit("/", 1)[-1], "case": matter.case},
    )
    return write_pdf(html, title=matter.title, author=matter.case.public_body.name)


def matter_documents_render(*, matter_id: int) -> int:
    """Print and store every document of the matter that has no PDF yet. Returns how many
    were printed."""
    printed = 0
    pending = list(
        MatterDocument.objects.filter(matter_id=matter_id, file="").values_list("pk", flat=True)
    )
    for pk in pending:
        with transaction.atomic():
            document = (
                MatterDocument.objects.select_for_update(of=("self",))
                .select_related("matter__case", "registry_entry")
                .get(pk=pk)
            )
            if document.file:
                continue
            pdf = document_pdf(document)
            from ..pdf import download_name

            document.file.save(download_name(document), ContentFile(pdf), save=False)
            document.pages = page_count(pdf)
            document.sha256 = hashlib.sha256(pdf).hexdigest()
            document.rendered_at = timezone.now()
            document.save(update_fields=["file", "pages", "sha256", "rendered_at"])
            printed += 1
    if printed:
        logger.info("Printed %s document(s) of matter %s", printed, matter_id)
    return printed
