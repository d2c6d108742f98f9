"""The tjänsteskrivelse and its attachments as printed for the committee (WeasyPrint, from
``templates/decisions/pdf/``): A4, the body's name and logo, the registry number and date in
the header of every page after the first, «Sida X av Y», archival PDF/A
(``partners.pdf.write_pdf``).

Everything a page prints comes from ``report_context``: the matter's frozen text, its
numbered attachments, the case. A draft prints the same, marked as a preview on every page.
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from partners.pdf import write_pdf

from . import wording
from .constants import DocumentRole, MatterKind, MatterStatus
from .models import Matter, MatterDocument
from .services import document_plan

TEMPLATES = {
    DocumentRole.REPORT: "decisions/pdf/report.html",
    DocumentRole.FOLLOW_UP: "decisions/pdf/follow_up.html",
    DocumentRole.RENEGOTIATION: "decisions/pdf/renegotiation.html",
    DocumentRole.WIND_DOWN: "decisions/pdf/wind_down.html",
}


@dataclass(frozen=True)
class Attachment:
    number: int
    role: str
    title: str


def attachments_of(matter: Matter) -> list[Attachment]:
    """The matter's attachments, numbered Bilaga 1, 2 … in the order they print: the
    registered ones of a final matter, the planned ones of a draft."""
    documents = [d for d in matter.documents.all() if d.role != DocumentRole.EXTRACT]
    if documents:
        return [
            Attachment(d.attachment_number, d.role, d.title)
            for d in sorted(documents, key=lambda d: d.attachment_number or 0)
            if d.attachment_number
        ]
    planned = [p for p in document_plan(matter) if p[0] != DocumentRole.REPORT]
    return [Attachment(n, role, title) for n, (role, title) in enumerate(planned, start=1)]


def document_date(matter: Matter) -> datetime.date:
    moment = matter.finalised_at or timezone.now()
    return timezone.localdate(moment)


def logo_uri(public_body: Any) -> str:
    """The body's logo as a file URI WeasyPrint reads from the storage, or ""."""
    if not public_body.logo:
        return ""
    try:
        return Path(public_body.logo.path).as_uri()
    except (NotImplementedError, ValueError, FileNotFoundError):
        return ""


def report_context(matter: Matter) -> dict[str, Any]:
    matter = (
        Matter.objects.select_related("case__public_body", "case__committee", "committee")
        .prefetch_related("points", "perspectives", "documents")
        .get(pk=matter.pk)
    )
    case = matter.case
    attachments = attachments_of(matter)
    return {
        "matter": matter,
        "case": case,
        "kind": MatterKind(matter.kind),
        "body": case.public_body,
        "logo": logo_uri(case.public_body),
        "committee": matter.committee,
        "date": document_date(matter),
        "registry_number": case.registry_number,
        "intro": wording.resolution_intro(matter.committee.name),
        "points": list(matter.points.all()),
        "perspectives": list(matter.perspectives.all()),
        "attachments": attachments,
        "send_to": [line.strip() for line in matter.send_to.splitlines() if line.strip()],
        "is_preview": matter.status == MatterStatus.DRAFT,
        "is_replaced": matter.status == MatterStatus.REPLACED,
        "organisations": ", ".join(o.name for o in case.organisations.all()),
    }


def render_html(matter: Matter, role: DocumentRole | str, context: dict | None = None) -> str:
    role = DocumentRole(role)
    with translation.override(settings.LANGUAGE_CODE):
        context = dict(context or report_context(matter))
        if role != DocumentRole.REPORT:
            context["attachment"] = next(
                (a for a in context["attachments"] if a.role == role), None
            )
        return render_to_string(TEMPLATES[role], context)


def document_title(matter: Matter, role: DocumentRole | str) -> str:
    role = DocumentRole(role)
    with translation.override(settings.LANGUAGE_CODE):
        if role == DocumentRole.REPORT:
            return _("Tjänsteskrivelse: %(title)s") % {"title": matter.title}
        return f"{role.label}: {matter.title}"


def render_pdf(matter: Matter, role: DocumentRole | str, context: dict | None = None) -> bytes:
    """One of the matter's printed documents (not the agreement, the partner's file or the
    extract, which come from elsewhere) as an archival PDF."""
    context = context or report_context(matter)
    return write_pdf(
        render_html(matter, role, context),
        title=document_title(matter, role),
        author=context["body"].name,
        subject=context["committee"].name,
    )


def render_preview_pdf(matter: Matter) -> bytes:
    """The draft's tjänsteskrivelse and its own attachments as one PDF, marked as a preview
    (the agreement is its own PDF, on the agreement's page)."""
    import pikepdf

    context = report_context(matter)
    roles = [DocumentRole.REPORT] + [
        DocumentRole(a.role) for a in context["attachments"] if a.role in TEMPLATES
    ]
    merged = pikepdf.Pdf.new()
    parts = [pikepdf.Pdf.open(io.BytesIO(render_pdf(matter, role, context))) for role in roles]
    for part in parts:
        merged.pages.extend(part.pages)
    out = io.BytesIO()
    merged.save(out)
    return out.getvalue()


def download_name(document: MatterDocument) -> str:
    registry = document.registry_entry.number.replace(" ", "-").replace("/", "-")
    return f"{registry}.pdf"
