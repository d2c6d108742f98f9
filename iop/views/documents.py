"""A case's documents: their list (linked from the case page), registering one (the case's officer, its
substitute, the IOP coordinator) and downloading one (every staff role). Thin: check, parse
the form, call ``iop.services.case_document_register``, render or redirect."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from partners.files import file_response

from .. import permissions
from ..forms.documents import CaseDocumentForm
from ..models import Case
from ..services.documents import case_document_register
from .common import visible_case


def case_documents_panel(request: HttpRequest, case: Case) -> dict:
    """The context of the case page's documents section (``iop/documents/_panel.html``): a
    link to the case's documents, so that the case page makes no query for them."""
    return {"can_register_document": permissions.can_change_case(case, request.user)}


@require_GET
def case_documents(request: HttpRequest, pk: int) -> HttpResponse:
    """The documents registered in the case, newest first, each with its download."""
    case = visible_case(request, pk)
    documents = case.documents.select_related("uploaded_by").order_by("-received_on", "-pk")
    return render(
        request,
        "iop/documents/list.html",
        {
            "case": case,
            "case_documents": list(documents),
            "can_register_document": permissions.can_change_case(case, request.user),
        },
    )


@require_http_methods(["GET", "POST"])
def case_document_create(request: HttpRequest, pk: int) -> HttpResponse:
    case = visible_case(request, pk)
    permissions.ensure_can_change_case(case, request.user)
    bound = (request.POST, request.FILES) if request.method == "POST" else ()
    form = CaseDocumentForm(*bound)
    if request.method == "POST" and form.is_valid():
        try:
            document = case_document_register(actor=request.user, case=case, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
            form.ask_for_file_again()
        else:
            messages.success(
                request,
                _("%(title)s was registered with registry number %(number)s.")
                % {"title": document.title, "number": document.registry_number},
            )
            return redirect(reverse("cases:documents", args=[case.pk]))
    return render(request, "iop/documents/form.html", {"case": case, "form": form})


@require_GET
def case_document_download(request: HttpRequest, pk: int, document_pk: int) -> FileResponse:
    case = visible_case(request, pk)
    document = get_object_or_404(case.documents, pk=document_pk)
    return file_response(document.file, filename=document.download_name)
