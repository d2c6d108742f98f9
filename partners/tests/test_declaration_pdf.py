"""The value declaration printed for signing: what a signatory reads in the PDF."""

from __future__ import annotations

import subprocess
import tempfile

import pytest

from django.urls import reverse
from django.utils.translation import pgettext

from partners.declaration import INTRO, POINTS, ROUTINE_STATEMENT, render_declaration_html
from partners.tests.factories import OrganisationFactory, ValueDeclarationFactory


def _text(pdf: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        out = subprocess.run(
            ["pdftotext", handle.name, "-"], check=True, capture_output=True, text=True
        ).stdout
    return " ".join(out.split())


def _flat(text) -> str:
    return " ".join(str(text).split())


@pytest.fixture
def organisation(db):
    return OrganisationFactory(name="Föreningen Navet i Mora", org_number="8020023456")


def _page_of(page: int) -> str:
    return f"{pgettext('page x of y', 'Page')} {page} {pgettext('page x of y', 'of')}"


def test_the_blank_declaration_has_mora_s_full_text_and_lines_for_signing(
    client, auditor, organisation
):
    client.force_login(auditor)
    response = client.get(reverse("partners:declaration_pdf", args=[organisation.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline;")
    text = _text(response.content)
    assert "Föreningen Navet i Mora" in text
    assert "802002-3456" in text
    assert _flat(INTRO % {"organisation": organisation.name}) in text
    for point in POINTS:
        assert f"{point.number}. {_flat(point.text)}" in text
        for letter, ground in point.grounds:
            assert f"{letter}) {_flat(ground)}" in text
    assert len([g for p in POINTS for g in p.grounds]) == 7  # 4 a–g
    assert _flat(ROUTINE_STATEMENT) in text
    assert f"{_page_of(1)} 1" in text  # "Sida 1 av 1"
    assert "☒" not in text  # nothing ticked on the blank form


def test_a_recorded_declaration_prints_filled_in(client, officer, organisation):
    declaration = ValueDeclarationFactory(
        organisation=organisation,
        signatory_name="Sara Ordförande",
        signatory_title="Ordförande",
        no_anti_democracy=False,
    )
    client.force_login(officer)
    response = client.get(
        reverse("partners:declaration_pdf", args=[organisation.pk, declaration.pk])
    )
    assert response.status_code == 200
    text = _text(response.content)
    assert "Sara Ordförande" in text and "Ordförande" in text and "2026-01-15" in text
    assert text.count("☒") == 6  # five points and the routine statement; point 6 unconfirmed
    assert _page_of(1) in text


def test_a_declaration_of_another_organisation_is_404(client, officer, organisation):
    declaration = ValueDeclarationFactory()
    client.force_login(officer)
    url = reverse("partners:declaration_pdf", args=[organisation.pk, declaration.pk])
    assert client.get(url).status_code == 404


def test_the_page_counter_counts_every_page(organisation):
    """A long organisation name cannot push the count out: N is the real number of pages."""
    import weasyprint

    html = render_declaration_html(organisation=organisation).replace(
        "<h1>", "<div style='height: 250mm'></div><h1>"
    )
    text = _text(weasyprint.HTML(string=html).write_pdf())
    assert f"{_page_of(1)} 2" in text and f"{_page_of(2)} 2" in text


def test_the_html_escapes_the_organisation_name(db):
    organisation = OrganisationFactory(name='Föreningen <b>"Fet"</b>')
    html = render_declaration_html(organisation=organisation)
    assert "<b>" not in html.split("<body>")[1]
