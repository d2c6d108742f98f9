"""The tjänsteskrivelse as the secretary prints it: one document with both decision points of
a follow-up and renegotiation, its attachments numbered, archival PDF/A."""

from __future__ import annotations

import datetime
import io
import re
import subprocess
from decimal import Decimal

import pikepdf
import pytest

from agreements.tests.factories import agreement_at

from ..constants import DocumentRole, MatterKind
from ..models import MatterDocument
from ..rendering import matter_documents_render
from .factories import final_matter

pytestmark = pytest.mark.django_db


def pdf_text(pdf: bytes) -> str:
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    # pdftotext keeps the no-break spaces of «50 000»; and a point may wrap over lines.
    return re.sub(r"\s+", " ", text.replace("\xa0", " ").replace("\u202f", " "))


@pytest.fixture
def region_case():
    version = agreement_at(None, "signed")
    case = version.agreement.case
    assert case.public_body.name == "Region Värmland"
    organisation = case.organisations.get()
    organisation.name = "Brottsofferjouren Värmland"
    organisation.save()
    return case


def test_follow_up_and_renegotiation_prints_one_report_with_both_points(region_case, settings):
    case = region_case
    matter = final_matter(
        case,
        kind=MatterKind.FOLLOW_UP_RENEGOTIATION,
        amount_change=Decimal(50000),
        change_from=datetime.date(2026, 6, 1),
    )
    assert matter_documents_render(matter_id=matter.pk) >= 3
    documents = {d.role: d for d in MatterDocument.objects.filter(matter=matter)}
    # One tjänsteskrivelse, the follow-up and the renegotiation attachments, the agreement.
    assert set(documents) >= {
        DocumentRole.REPORT,
        DocumentRole.FOLLOW_UP,
        DocumentRole.RENEGOTIATION,
        DocumentRole.AGREEMENT,
    }
    report = documents[DocumentRole.REPORT].file.read()
    text = pdf_text(report)
    body = case.public_body.name
    assert (
        f"Uppföljning av idéburet offentligt partnerskap (IOP) mellan {body} och "
        "Brottsofferjouren Värmland godkänns." in text
    )
    assert (
        f"Idéburet offentligt partnerskap (IOP) mellan {body} och Brottsofferjouren Värmland "
        "utökas med 50 000 kronor per helår med start från 1 juni 2026." in text
    )
    assert "Förslag till beslut" in text
    assert "Bilaga 1" in text and "Bilaga 2" in text
    assert "Sida 1 av" in text
    # The attachments' headings.
    follow_up = pdf_text(documents[DocumentRole.FOLLOW_UP].file.read())
    for heading in (
        "Kort beskrivning av samverkan genom IOP",
        "Bakgrund, syfte och mål med detta IOP",
        "Måluppfyllelse och effekter",
        "Identifierade utvecklingsområden",
    ):
        assert heading in follow_up
    renegotiation = pdf_text(documents[DocumentRole.RENEGOTIATION].file.read())
    assert "Behov och skäl" in renegotiation
    assert "Konsekvenser om äskandet avslås" in renegotiation
    assert documents[DocumentRole.FOLLOW_UP].attachment_number == 1
    assert "Bilaga 1" in follow_up
    # Archival: PDF/A-2 in the XMP metadata, tagged, Swedish.
    with pikepdf.Pdf.open(io.BytesIO(report)) as pdf:
        meta = pdf.open_metadata()
        assert meta["pdfaid:part"] == "2"
        assert "/StructTreeRoot" in pdf.Root
        assert str(pdf.Root.Lang) == "sv"
        assert len(pdf.pages) == int(re.search(r"Sida 1 av (\d+)", text).group(1))


def test_printing_twice_prints_nothing_more(region_case):
    matter = final_matter(region_case, kind=MatterKind.FOLLOW_UP)
    first = matter_documents_render(matter_id=matter.pk)
    assert first >= 2
    stored = list(MatterDocument.objects.filter(matter=matter).values_list("sha256", flat=True))
    assert matter_documents_render(matter_id=matter.pk) == 0
    assert list(MatterDocument.objects.filter(matter=matter).values_list("sha256", flat=True)) == (
        stored
    )
