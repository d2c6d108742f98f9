"""The auditor's dossier of a case (/arenden/<case>/akt/): the case from its initiative to today
on one page, and its export as a ZIP built in the background with its progress (htmx polls the
export panel) and a logged download.

Every staff role reads the page (``iop.view_case``; a user without a staff role is refused,
403); the auditor and the IOP coordinator export and download (``oversight.add_dossierexport``
/ ``view_dossierexport``, 403 for the others)."""

from __future__ import annotations

import os
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_POST

from iop import workflow
from iop.models import Case
from iop.views.common import stage_context, visible_case
from partners.files import file_response

from ..dossier import case_dossier, case_history
from ..models import DossierExport, ExportStatus
from ..services import exports

PAGE = "oversight/dossier.html"
EXPORT_PANEL = "oversight/_dossier_export.html"
CASE_PANEL = "oversight/_dossier_case_panel.html"


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    return response


def export_context(request: HttpRequest, case: Case) -> dict[str, Any]:
    """The export panel: the case's exports (the log: who asked, when, how it went, how often
    it was downloaded), the newest, whether one is in flight, the newest finished one. One
    query."""
    rows = list(
        DossierExport.objects.filter(case=case)
        .select_related("requested_by")
        .annotate(download_count=Count("downloads"))
        .order_by("-requested_at", "-pk")
    )
    latest = rows[0] if rows else None
    in_flight = latest is not None and latest.in_flight and not exports.is_abandoned(latest)
    done = next((e for e in rows if e.status == ExportStatus.DONE), None)
    return {
        "case": case,
        "exports": rows,
        "latest_export": latest,
        "in_flight": in_flight,
        "done_export": done,
        "may_export": exports.may_export(request.user),
        "may_download": exports.may_download(request.user),
    }


@require_GET
def dossier_page(request: HttpRequest, case_pk: int) -> HttpResponse:
    case = visible_case(request, case_pk, detail=True)
    if request.htmx and request.GET.get("panel") == "export":
        # The progress bar's poll: the export panel of this page, on its own.
        return _no_store(render(request, EXPORT_PANEL, export_context(request, case)))
    context = {
        "case": case,
        "dossier": case_dossier(case),
        "history": case_history(case),
        **export_context(request, case),
        **stage_context(case),
    }
    return _no_store(render(request, PAGE, context))


@require_POST
def dossier_export(request: HttpRequest, case_pk: int) -> HttpResponse:
    case = visible_case(request, case_pk)
    if not exports.may_export(request.user):
        raise PermissionDenied
    refusals: list[str] = []
    try:
        exports.request_export(case=case, actor=request.user)
    except exports.ExportRefused as refused:
        refusals = list(refused.reasons)
    if request.htmx:
        context = {**export_context(request, case), "refusals": refusals}
        return _no_store(render(request, EXPORT_PANEL, context))
    for reason in refusals:
        messages.error(request, reason)
    return redirect(reverse("oversight:dossier", args=[case.pk]) + "#dossier-export")


@require_GET
def dossier_download(request: HttpRequest, case_pk: int, export_pk: int) -> HttpResponse:
    case = visible_case(request, case_pk)
    if not exports.may_download(request.user):
        raise PermissionDenied
    export = get_object_or_404(DossierExport, pk=export_pk, case=case, status=ExportStatus.DONE)
    stem = os.path.splitext(os.path.basename(export.file.name))[0] if export.file else ""
    response = file_response(export.file, filename=stem)
    exports.download_record(export=export, actor=request.user)
    return _no_store(response)


urlpatterns = [
    path("", dossier_page, name="dossier"),
    path("exportera/", dossier_export, name="dossier_export"),
    path("exporter/<int:export_pk>/", dossier_download, name="dossier_download"),
]


def register() -> None:
    """The case page's link to the dossier, and oversight's part of the demo."""
    workflow.register_case_panel(key="dossier", template=CASE_PANEL, order=90)
    workflow.register_demo(key="oversight", play="oversight.demo.play", order=60)
