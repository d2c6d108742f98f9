"""Every printed PDF is an archival one: PDF/A-2a, tagged, with its metadata and its fonts.

``assert_archival`` is what the archive checks of a file; the agreement's test
(agreements/tests/test_pdf_archive.py) uses it too.
"""

from __future__ import annotations

import io

import pikepdf
import pytest

from django.urls import reverse

from partners.declaration import TITLE, render_declaration_pdf
from partners.pdf import page_count, pdf_text, write_pdf
from partners.tests.factories import OrganisationFactory, ValueDeclarationFactory


def _fonts(pdf: pikepdf.Pdf):
    """Every font the pages use, composite fonts by their descendant (the one with the file)."""
    seen = set()
    for page in pdf.pages:
        for font in page.Resources.get("/Font", {}).values():
            for leaf in font.get("/DescendantFonts", [font]):
                if leaf.objgen not in seen:
                    seen.add(leaf.objgen)
                    yield leaf


def assert_archival(data: bytes, *, title: str, author: str, lang: str = "sv") -> None:
    """``data`` identifies itself as PDF/A-2 level A in its XMP metadata, carries its title,
    author and language, is tagged (a structure tree, marked), and embeds every font."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        meta = pdf.open_metadata()
        assert meta["pdfaid:part"] == "2"
        assert meta["pdfaid:conformance"] == "A"
        assert meta["dc:title"] == title
        assert meta["dc:creator"] == [author]
        assert meta["dc:language"] == {lang}
        assert str(pdf.Root.Lang) == lang
        assert pdf.Root.MarkInfo.Marked is True
        assert "/StructTreeRoot" in pdf.Root
        assert pdf.Root.ViewerPreferences.DisplayDocTitle is True
        assert pdf.Root.OutputIntents[0].S == "/GTS_PDFA1"  # the sRGB output intent
        assert "/ID" in pdf.trailer
        fonts = list(_fonts(pdf))
        assert fonts
        for font in fonts:
            descriptor = font.FontDescriptor
            assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor.keys()), (
                f"{font.BaseFont} is not embedded"
            )


def _structure_types(data: bytes) -> set[str]:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        types, todo = set(), [pdf.Root.StructTreeRoot.K]
        while todo:
            node = todo.pop()
            if isinstance(node, pikepdf.Array):
                todo.extend(node)
            elif isinstance(node, pikepdf.Dictionary) and "/S" in node:
                types.add(str(node.S))
                todo.append(node.get("/K"))
        return types


def test_write_pdf_gives_a_tagged_pdf_a_with_title_author_subject_and_language():
    html = (
        "<!DOCTYPE html><html lang='sv'><head><title>Ignored</title></head>"
        "<body style='font-family: \"DejaVu Sans\"'><h1>Tjänsteskrivelse</h1>"
        "<p>Kultur- och bildningsnämnden beslutar att godkänna överenskommelsen.</p>"
        "<table><tr><th scope='col'>Belopp</th></tr><tr><td>50 000 kronor per helår</td></tr>"
        "</table></body></html>"
    )
    data = write_pdf(
        html, title="Tjänsteskrivelse – RV 2026/00017", author="Region Värmland", subject="IOP"
    )

    assert_archival(data, title="Tjänsteskrivelse – RV 2026/00017", author="Region Värmland")
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert pdf.open_metadata()["dc:description"] == "IOP"
        assert str(pdf.docinfo.Title) == "Tjänsteskrivelse – RV 2026/00017"
        assert str(pdf.docinfo.Author) == "Region Värmland"
    # A reader with a screen reader gets the heading, the paragraph and the table as such.
    assert {"/H1", "/P", "/Table", "/TH", "/TD"} <= _structure_types(data)
    assert "50 000 kronor per helår" in pdf_text(data)
    assert page_count(data) == 1


def test_the_same_html_gives_the_same_file():
    """No clock in the file: printing again what has not changed archives the same bytes."""
    html = "<html lang='sv'><body><p>Avslut av IOP</p></body></html>"
    assert write_pdf(html, title="Avslut") == write_pdf(html, title="Avslut")


@pytest.fixture
def organisation(db):
    return OrganisationFactory(name="Föreningen Navet i Mora", org_number="8020023456")


def test_the_blank_value_declaration_is_an_archival_pdf(organisation):
    data = render_declaration_pdf(organisation=organisation)
    assert_archival(
        data, title=f"{TITLE} – Föreningen Navet i Mora", author="Föreningen Navet i Mora"
    )
    assert {"/H1", "/Table", "/TD"} <= _structure_types(data)


def test_the_recorded_value_declaration_served_to_the_officer_is_an_archival_pdf(
    client, officer, organisation
):
    declaration = ValueDeclarationFactory(organisation=organisation)
    client.force_login(officer)
    response = client.get(
        reverse("partners:declaration_pdf", args=[organisation.pk, declaration.pk])
    )
    assert response.status_code == 200
    assert_archival(
        response.content,
        title=f"{TITLE} – Föreningen Navet i Mora",
        author="Föreningen Navet i Mora",
    )
    assert "☒" in pdf_text(response.content)  # the ballot box glyphs are in the embedded font
