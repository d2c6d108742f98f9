"""The agreement version as a PDF: any staff role may read it (cases are public records).

Rendered in the request: one version is a few pages and WeasyPrint needs well under a second,
so a background task would only add waiting.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.http import content_disposition_header

from iop import permissions
from iop.models import Case

from ..models import AgreementVersion
from ..pdf import pdf_filename, render_agreement_pdf


def agreement_pdf(request: HttpRequest, case_pk: int, number: int) -> HttpResponse:
    """Version ``number`` of the case's agreement, as the parties read and sign it."""
    if not permissions.can_view_cases(request.user):
        raise PermissionDenied
    case = get_object_or_404(Case.objects.for_user(request.user), pk=case_pk)
    version = get_object_or_404(
        AgreementVersion.objects.select_related("agreement__case"),
        agreement__case=case,
        number=number,
    )
    response = HttpResponse(render_agreement_pdf(version), content_type="application/pdf")
    response.headers["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=pdf_filename(version)
    )
    return response


urls: list = [
    path(
        "arenden/<int:case_pk>/avtal/versioner/<int:number>/pdf/",
        agreement_pdf,
        name="pdf",
    ),
]
