"""The organisation screens: list, page, create/edit, contact persons, document upload and
download, value declarations (recorded, printed for signing). Thin: check the role, parse
the form, call a service or a selector, render or redirect."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from . import permissions, selectors, services
from .declaration import render_declaration_pdf
from .files import file_response
from .forms import (
    ContactPersonForm,
    DeclaredGrantForm,
    OrganisationDocumentForm,
    OrganisationForm,
    ValueDeclarationRecordForm,
    WithdrawGrantForm,
)
from .models import DeclaredGrant, Organisation, ValueDeclaration

PER_PAGE_CHOICES = (25, 50, 100)


def _per_page(value: str | None) -> int:
    try:
        number = int(value or PER_PAGE_CHOICES[0])
    except ValueError:
        return PER_PAGE_CHOICES[0]
    return number if number in PER_PAGE_CHOICES else PER_PAGE_CHOICES[0]


def _require(allowed: Callable[[Any], bool], request: HttpRequest) -> None:
    if not allowed(request.user):
        raise PermissionDenied


def _organisation(request: HttpRequest, pk: int) -> Organisation:
    return selectors.organisation_for_user(user=request.user, pk=pk)


def _bound(request: HttpRequest) -> tuple:
    """The form's data and files on POST (even when empty: an empty form is an error to
    show, not a fresh form), nothing on GET."""
    if request.method == "POST":
        return (request.POST, request.FILES)
    return (None, None)


def _save_or_errors(form, call: Callable[[], Any]) -> Any | None:
    """Run the service; a ValidationError it raises goes onto the form, next to its field."""
    try:
        return call()
    except ValidationError as error:
        form.add_error(None, error)
        return None


@require_GET
def organisation_list(request: HttpRequest) -> HttpResponse:
    _require(permissions.can_view_organisations, request)
    query = request.GET.get("q", "").strip()
    organisations = selectors.organisation_list(user=request.user, query=query)
    per_page = _per_page(request.GET.get("per_page"))
    page = Paginator(organisations, per_page).get_page(request.GET.get("page"))
    return render(
        request,
        "partners/organisation_list.html",
        {
            "query": query,
            "per_page": per_page,
            "per_page_choices": PER_PAGE_CHOICES,
            "page_obj": page,
            "organisations": page.object_list,
            "page_range": page.paginator.get_elided_page_range(
                page.number, on_each_side=2, on_ends=1
            ),
            "can_add": permissions.can_add_organisation(request.user),
        },
    )


@require_GET
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require(permissions.can_view_organisations, request)
    organisation = _organisation(request, pk)
    user = request.user
    return render(
        request,
        "partners/organisation_detail.html",
        {
            "page": selectors.organisation_page(user=user, organisation=organisation),
            "organisation": organisation,
            "can_change": permissions.can_change_organisation(user),
            "can_add_contact": permissions.can_add_contact(user),
            "can_change_contact": permissions.can_change_contact(user),
            "can_add_document": permissions.can_add_document(user),
            "can_view_documents": permissions.can_view_documents(user),
            "can_add_declaration": permissions.can_add_declaration(user),
            "can_view_declarations": permissions.can_view_declarations(user),
            "grants": _declared_grants(organisation) if permissions.can_view_grants(user) else None,
            "can_add_grant": permissions.can_add_grant(user),
            "can_change_grant": permissions.can_change_grant(user),
        },
    )


@require_http_methods(["GET", "POST"])
def organisation_create(request: HttpRequest) -> HttpResponse:
    _require(permissions.can_add_organisation, request)
    form = OrganisationForm(*_bound(request))
    if request.method == "POST" and form.is_valid():
        organisation = _save_or_errors(
            form, lambda: services.organisation_create(actor=request.user, **form.cleaned_data)
        )
        if organisation is not None:
            messages.success(
                request,
                _("The organisation %(name)s was registered.") % {"name": organisation.name},
            )
            return redirect(organisation)
    return render(
        request,
        "partners/organisation_form.html",
        {"form": form, "organisation": None, "title": _("Register an organisation")},
    )


@require_http_methods(["GET", "POST"])
def organisation_update(request: HttpRequest, pk: int) -> HttpResponse:
    _require(permissions.can_change_organisation, request)
    organisation = _organisation(request, pk)
    form = OrganisationForm(*_bound(request), instance=organisation)
    if request.method == "POST" and form.is_valid():
        saved = _save_or_errors(
            form,
            lambda: services.organisation_update(
                organisation=organisation, actor=request.user, **form.cleaned_data
            ),
        )
        if saved is not None:
            messages.success(
                request, _("The changes to %(name)s were saved.") % {"name": saved.name}
            )
            return redirect(saved)
    return render(
        request,
        "partners/organisation_form.html",
        {"form": form, "organisation": organisation, "title": _("Edit the organisation")},
    )


@require_http_methods(["GET", "POST"])
def contact_create(request: HttpRequest, pk: int) -> HttpResponse:
    _require(permissions.can_add_contact, request)
    organisation = _organisation(request, pk)
    form = ContactPersonForm(*_bound(request))
    if request.method == "POST" and form.is_valid():
        contact = _save_or_errors(
            form,
            lambda: services.contact_person_create(
                organisation=organisation, actor=request.user, **form.cleaned_data
            ),
        )
        if contact is not None:
            messages.success(
                request, _("The contact person %(name)s was added.") % {"name": contact.name}
            )
            return redirect(reverse("partners:detail", args=[organisation.pk]) + "#contacts")
    return render(
        request,
        "partners/contact_form.html",
        {"form": form, "organisation": organisation, "title": _("Add a contact person")},
    )


@require_http_methods(["GET", "POST"])
def contact_update(request: HttpRequest, pk: int, contact_pk: int) -> HttpResponse:
    _require(permissions.can_change_contact, request)
    organisation = _organisation(request, pk)
    contact = get_object_or_404(organisation.contacts, pk=contact_pk)
    form = ContactPersonForm(*_bound(request), instance=contact)
    if request.method == "POST" and form.is_valid():
        saved = _save_or_errors(
            form,
            lambda: services.contact_person_update(
                contact=contact, actor=request.user, **form.cleaned_data
            ),
        )
        if saved is not None:
            messages.success(
                request, _("The contact person %(name)s was saved.") % {"name": saved.name}
            )
            return redirect(reverse("partners:detail", args=[organisation.pk]) + "#contacts")
    return render(
        request,
        "partners/contact_form.html",
        {"form": form, "organisation": organisation, "title": _("Edit the contact person")},
    )


@require_http_methods(["GET", "POST"])
def document_create(request: HttpRequest, pk: int) -> HttpResponse:
    _require(permissions.can_add_document, request)
    organisation = _organisation(request, pk)
    form = OrganisationDocumentForm(*_bound(request), organisation=organisation, user=request.user)
    if request.method == "POST" and form.is_valid():
        document = _save_or_errors(
            form,
            lambda: services.document_register(
                organisation=organisation, actor=request.user, **form.cleaned_data
            ),
        )
        if document is not None:
            messages.success(
                request,
                _("%(kind)s was registered with registry number %(number)s.")
                % {"kind": document.get_kind_display(), "number": document.registry_number},
            )
            return redirect(reverse("partners:detail", args=[organisation.pk]) + "#documents")
        form.ask_for_file_again()
    return render(
        request,
        "partners/document_form.html",
        {"form": form, "organisation": organisation, "title": _("Upload a document")},
    )


@require_GET
def document_download(request: HttpRequest, pk: int, document_pk: int) -> FileResponse:
    _require(permissions.can_view_documents, request)
    organisation = _organisation(request, pk)
    document = get_object_or_404(organisation.documents, pk=document_pk)
    return file_response(document.file, filename=document.download_name)


@require_http_methods(["GET", "POST"])
def declaration_create(request: HttpRequest, pk: int) -> HttpResponse:
    _require(permissions.can_add_declaration, request)
    organisation = _organisation(request, pk)
    form = ValueDeclarationRecordForm(*_bound(request))
    if request.method == "POST" and form.is_valid():
        declaration = _save_or_errors(
            form,
            lambda: services.value_declaration_record(
                organisation=organisation, actor=request.user, **form.cleaned_data
            ),
        )
        if declaration is not None:
            if declaration.is_signed:
                text = _("The signed value declaration was recorded.")
            else:
                text = _(
                    "The value declaration was recorded, but it is incomplete: not every point "
                    "is confirmed."
                )
            messages.success(request, text)
            return redirect(reverse("partners:detail", args=[organisation.pk]) + "#declarations")
    return render(
        request,
        "partners/declaration_form.html",
        {
            "form": form,
            "organisation": organisation,
            "title": _("Record a value declaration"),
            "point_fields": [form[name] for name in ValueDeclaration.POINT_FIELDS],
        },
    )


@require_GET
def declaration_scan(request: HttpRequest, pk: int, declaration_pk: int) -> FileResponse:
    _require(permissions.can_view_declarations, request)
    organisation = _organisation(request, pk)
    declaration = get_object_or_404(organisation.value_declarations, pk=declaration_pk)
    return file_response(declaration.scanned_file, filename=declaration.download_name)


@require_GET
def declaration_pdf(
    request: HttpRequest, pk: int, declaration_pk: int | None = None
) -> HttpResponse:
    """The value declaration as a PDF: blank for signing, or filled with a recorded one."""
    _require(permissions.can_view_declarations, request)
    organisation = _organisation(request, pk)
    declaration = None
    if declaration_pk is not None:
        declaration = get_object_or_404(organisation.value_declarations, pk=declaration_pk)
    pdf = render_declaration_pdf(organisation=organisation, declaration=declaration)
    filename = f"{slugify(_('value declaration'))}-{organisation.org_number_display}.pdf"
    response = HttpResponse(pdf, content_type="application/pdf")
    response.headers["Content-Disposition"] = content_disposition_header(
        as_attachment=False, filename=filename
    )
    return response


# --- Declared grants (the double-funding check reads them on the case's pages) ---------------


def _declared_grants(organisation: Organisation) -> list[DeclaredGrant]:
    """Every grant the organisation declared, withdrawn ones too (marked, with the reason):
    one query."""
    return list(
        organisation.declared_grants.select_related("recorded_by", "withdrawn_by").order_by(
            "-year", "giver", "pk"
        )
    )


def _grants_url(organisation: Organisation) -> str:
    return reverse("partners:detail", args=[organisation.pk]) + "#grants"


@never_cache
@require_http_methods(["GET", "POST"])
def grant_create(request: HttpRequest, pk: int) -> HttpResponse:
    _require(permissions.can_add_grant, request)
    organisation = _organisation(request, pk)
    form = DeclaredGrantForm(*_bound(request))
    if request.method == "POST" and form.is_valid():
        grant = _save_or_errors(
            form,
            lambda: services.declare_grant(
                organisation=organisation, actor=request.user, **form.cleaned_data
            ),
        )
        if grant is not None:
            messages.success(
                request,
                _("The grant from %(giver)s for %(year)s was recorded.")
                % {"giver": grant.giver, "year": grant.year},
            )
            return redirect(_grants_url(organisation))
    return render(
        request,
        "partners/grant_form.html",
        {"form": form, "organisation": organisation, "title": _("Record a declared grant")},
    )


@never_cache
@require_http_methods(["GET", "POST"])
def grant_withdraw(request: HttpRequest, pk: int, grant_pk: int) -> HttpResponse:
    _require(permissions.can_change_grant, request)
    organisation = _organisation(request, pk)
    grant = get_object_or_404(
        organisation.declared_grants.select_related("withdrawn_by"), pk=grant_pk
    )
    form = WithdrawGrantForm(*_bound(request)[:1])
    if request.method == "POST" and form.is_valid():
        withdrawn = _save_or_errors(
            form,
            lambda: services.withdraw_grant(
                grant=grant, actor=request.user, reason=form.cleaned_data["reason"]
            ),
        )
        if withdrawn is not None:
            messages.success(
                request,
                _("The grant from %(giver)s for %(year)s was withdrawn.")
                % {"giver": withdrawn.giver, "year": withdrawn.year},
            )
            return redirect(_grants_url(organisation))
    return render(
        request,
        "partners/grant_withdraw.html",
        {
            "form": form,
            "organisation": organisation,
            "grant": grant,
            "title": _("Withdraw a declared grant"),
        },
        status=409 if grant.is_withdrawn and request.method == "POST" else 200,
    )
