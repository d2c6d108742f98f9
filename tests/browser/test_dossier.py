"""The auditor's dossier in Chromium: Maria opens a case's dossier, exports it, sees the
progress and then the download link, and downloads the ZIP; an export in flight moves on the
page by itself (htmx polls the panel) until its link appears. axe-core checks every state."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from django.core.files.base import ContentFile
from django.urls import reverse

from agreements.tests.factories import agreement_at
from iop.models import CaseDocument
from iop.services import case_document_register
from oversight.models import DossierDownload, DossierExport, ExportStatus
from oversight.services import exports
from partners.tests.upload_files import pdf_bytes

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def case():
    case = agreement_at(None, "signed").agreement.case
    case_document_register(
        actor=case.officer,
        case=case,
        kind=CaseDocument.Kind.ANNUAL_REPORT,
        title="Verksamhetsberättelse 2026",
        file=ContentFile(pdf_bytes(), name="rapport.pdf"),
    )
    return case


def test_the_auditor_exports_the_dossier_and_downloads_it(
    page, login, assert_accessible, auditor, case
):
    login(page, auditor)
    page.goto(case.get_absolute_url())
    page.locator("#open-dossier").click()
    expect(page.locator("h1")).to_contain_text(case.title)
    expect(page.locator("#dossier-toc")).to_be_visible()
    expect(page.locator("#export-none")).to_be_visible()
    assert_accessible(page)

    # One click: the build runs (Celery is eager in the tests) and the panel shows how far
    # it came, then the link.
    page.locator("#export-button").click()
    progress = page.locator("#export-progress")
    expect(progress).to_have_attribute("role", "progressbar")
    expect(progress).to_have_attribute("aria-valuenow", "100")
    link = page.locator("#export-download")
    expect(link).to_be_visible()
    assert_accessible(page)
    export = DossierExport.objects.get(case=case)
    assert (export.status, export.requested_by) == (ExportStatus.DONE, auditor)

    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.endswith(".zip")
    assert DossierDownload.objects.get().user == auditor


def test_an_export_in_flight_shows_its_progress_until_the_link_appears(
    page, login, assert_accessible, auditor, coordinator, case
):
    queued = exports.request_export(case=case, actor=coordinator, schedule=False)
    login(page, auditor)
    page.goto(reverse("oversight:dossier", args=[case.pk]))
    progress = page.locator("#export-progress")
    expect(progress).to_have_attribute("aria-valuenow", "0")
    expect(page.locator("#export-step")).to_be_visible()
    expect(page.locator("#export-button")).to_have_count(0)  # one export at a time
    assert_accessible(page)

    exports.export_build(export_id=queued.pk)  # the worker, here in the test's thread
    expect(page.locator("#export-download")).to_be_visible(timeout=10_000)
    expect(progress).to_have_attribute("aria-valuenow", "100")
    assert_accessible(page)
