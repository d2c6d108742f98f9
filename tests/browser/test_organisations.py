"""A case officer's organisation work in the browser: register an organisation, upload its
statutes (after a renamed program is refused), record its signed value declaration, and
find both on the organisation's page. axe-core checks every page on the way."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from django.urls import reverse

from iop.constants import DocumentKind
from iop.tests.factories import PublicBodyFactory
from partners.models import Organisation, OrganisationDocument, ValueDeclaration
from partners.tests import upload_files as files

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def statutes_pdf(tmp_path):
    path = tmp_path / "stadgar.pdf"
    path.write_bytes(files.pdf_bytes())
    return path


@pytest.fixture
def renamed_program(tmp_path):
    path = tmp_path / "stadgar-kopia.pdf"
    path.write_bytes(files.EXE_BYTES)
    return path


def test_an_officer_registers_an_organisation_uploads_statutes_and_records_the_declaration(
    page, live_server, login, assert_accessible, officer, statutes_pdf, renamed_program
):
    PublicBodyFactory()  # Region Värmland, whose registry holds the organisation's own file
    login(page, officer)

    # The list, then the form to register an organisation.
    page.goto(reverse("partners:list"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page)
    page.locator("#add-organisation").click()
    expect(page).to_have_url(re.compile(re.escape(reverse("partners:create")) + "$"))
    assert_accessible(page)

    page.locator("#id_name").fill("Afasiföreningen i Värmland")
    page.locator("#id_org_number").fill("802002-3456")
    page.locator("#id_city").fill("Karlstad")
    page.locator("#organisation-form button[type=submit]").click()

    organisation = Organisation.objects.get()
    detail = reverse("partners:detail", args=[organisation.pk])
    expect(page).to_have_url(re.compile(re.escape(detail) + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Afasiföreningen i Värmland")
    expect(page.locator("#org-number")).to_have_text("802002-3456")
    assert_accessible(page)

    # Upload: a program renamed to .pdf is refused, what was typed stays, nothing is saved.
    page.locator("#add-document").click()
    assert_accessible(page)
    page.locator("#id_kind").select_option(DocumentKind.STATUTES.value)
    page.locator("#id_year").fill("2024")
    page.locator("#id_description").fill("Stadgar antagna vid årsmötet 2024")
    page.locator("#id_file").set_input_files(str(renamed_program))
    page.locator("#document-form button[type=submit]").click()

    summary = page.locator("#form-errors")
    expect(summary).to_be_visible()
    expect(summary).to_have_attribute("role", "alert")
    expect(summary).to_contain_text("stadgar-kopia.pdf")
    expect(page.locator("#id_description")).to_have_value("Stadgar antagna vid årsmötet 2024")
    expect(page.locator("#id_year")).to_have_value("2024")
    expect(page.locator("#id_kind")).to_have_value(DocumentKind.STATUTES.value)
    assert OrganisationDocument.objects.count() == 0
    assert_accessible(page)

    # The real statutes: registered with a number in the organisation's own file.
    page.locator("#id_file").set_input_files(str(statutes_pdf))
    page.locator("#document-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(re.escape(detail) + "#documents$"))
    document = OrganisationDocument.objects.get()
    assert re.fullmatch(r"RV \d{4}/\d{5}-1", document.registry_number)
    assert (document.kind, document.year, document.uploaded_by) == (
        DocumentKind.STATUTES,
        2024,
        officer,
    )
    row = page.locator("#document-table tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(document.registry_number)
    expect(row).to_contain_text("Stadgar antagna vid årsmötet 2024")
    assert_accessible(page)

    # The statutes download, as the file that was uploaded.
    with page.expect_download() as download_info:
        row.get_by_role("link").first.click()
    download = download_info.value
    number = document.registry_number.replace("/", "-")
    assert download.suggested_filename == f"{number} {document.get_kind_display()}.pdf"
    assert Path(download.path()).read_bytes() == files.pdf_bytes()

    # The blank declaration for signing is a PDF.
    blank = page.request.get(reverse("partners:declaration_pdf", args=[organisation.pk]))
    assert blank.status == 200
    assert blank.headers["content-type"] == "application/pdf"
    assert blank.body().startswith(b"%PDF")

    # The signed value declaration, every point confirmed.
    page.locator("#add-declaration").click()
    assert_accessible(page)
    page.locator("#id_signatory_name").fill("Sara Ordförande")
    page.locator("#id_signatory_title").fill("Ordförande")
    page.locator("#id_signed_on").fill("2026-01-15")
    for name in ValueDeclaration.POINT_FIELDS:
        page.locator(f"#id_{name}").check()
    page.locator("#declaration-form button[type=submit]").click()

    expect(page).to_have_url(re.compile(re.escape(detail) + "#declarations$"))
    declaration = ValueDeclaration.objects.get()
    assert declaration.is_signed and declaration.recorded_by == officer
    declarations = page.locator("#declaration-table tbody tr")
    expect(declarations).to_have_count(1)
    expect(declarations).to_contain_text("Sara Ordförande")
    expect(declarations).to_contain_text("2026-01-15")
    assert Organisation.objects.get().has_signed_value_declaration()
    # Both on the page at once, and the list now says the declaration is signed.
    expect(page.locator("#document-table")).to_contain_text(document.registry_number)
    assert_accessible(page)

    page.goto(reverse("partners:list") + "?q=8020023456")
    expect(page.locator("#organisation-table tbody tr")).to_have_count(1)
    assert_accessible(page)
