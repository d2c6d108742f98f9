"""A matter's printed documents: the preview of a draft (printed on request) and the
registered PDFs of a final matter (printed in the background, served checked)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from iop.views.common import visible_case
from partners.files import file_response

from ..models import Matter, MatterDocument


def _matter(request: HttpRequest, case_pk: int, pk: int) -> Matter:
    case = visible_case(request, case_pk)
    return get_object_or_404(Matter.objects.select_related("case", "committee"), pk=pk, case=case)


@login_required
@require_GET
def preview(request: HttpRequest, case_pk: int, pk: int) -> HttpResponse:
    """The tjänsteskrivelse and its attachments as they would print now (a draft is marked as
    a preview on every page). Printed while the user waits: a few pages, well under a second."""
    from ..pdf import render_preview_pdf

    matter = _matter(request, case_pk, pk)
    response = HttpResponse(render_preview_pdf(matter), content_type="application/pdf")
    name = f"{slugify(matter.case.registry_number)}-{slugify(matter.get_kind_display())}.pdf"
    response.headers["Content-Disposition"] = content_disposition_header(
        as_attachment=False, filename=name
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def document(request: HttpRequest, case_pk: int, pk: int, document_pk: int) -> HttpResponse:
    """A registered document's stored PDF; 404 while it is still being printed."""
    matter = _matter(request, case_pk, pk)
    found = get_object_or_404(
        MatterDocument.objects.select_related("registry_entry"), pk=document_pk, matter=matter
    )
    if not found.file:
        raise Http404
    from ..pdf import download_name

    return file_response(found.file, filename=download_name(found).removesuffix(".pdf"))


urlpatterns = [
    path("<int:pk>/forhandsgranska.pdf", preview, name="preview"),
    path("<int:pk>/handlingar/<int:document_pk>/", document, name="document"),
]


def register() -> None:
    """The stored PDFs are read like the case they belong to (``partners.files``)."""
    from django.urls import reverse

    from iop import permissions
    from iop.diarium import register_document_kinds, register_document_link
    from iop.models import Case
    from partners.files import register_stored_file

    from ..constants import DocumentRole
    from ..pdf import download_name

    register_document_kinds("decisions.", DocumentRole)
    register_document_link(
        MatterDocument,
        lambda d: (
            reverse("decisions:document", args=[d.matter.case_id, d.matter_id, d.pk])
            if d.file
            else None
        ),
        select_related=("matter",),
    )
    register_stored_file(
        MatterDocument,
        "file",
        may_read=permissions.can_view_cases,
        download_name=lambda d: download_name(d).removesuffix(".pdf"),
        visible=lambda user: MatterDocument.objects.filter(
            matter__case__in=Case.objects.for_user(user)
        ),
    )
