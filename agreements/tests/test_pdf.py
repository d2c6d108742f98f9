"""The agreement printed: what a secretary, a signatory or an auditor reads in the PDF."""

from __future__ import annotations

import datetime
import subprocess
import tempfile

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext, ngettext, pgettext

from iop.constants import Role
from iop.models import Case

from ..constants import BudgetKind, SectionKey, SigningMethod, TermKind
from ..models import ActionPlanActivity, AgreementSection, AgreementVersion, BudgetLine
from ..pdf import (
    AGREEMENT_TITLE,
    end_date,
    pdf_filename,
    render_agreement_html,
    render_agreement_pdf,
    version_mark,
)
from .factories import agreement_at, complete_draft


def _poppler(tool: str, pdf: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        args = [tool, handle.name] + (["-"] if tool == "pdftotext" else [])
        return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def _flat(text) -> str:
    """Whitespace normalised: pdftotext gives the (narrow) no-break spaces of "1 320 000 kr"
    and "45,5 %" back as they are, and breaks lines where the page did."""
    return " ".join(str(text).split())


def _text(pdf: bytes) -> str:
    return _flat(_poppler("pdftotext", pdf))


def _pages(pdf: bytes) -> int:
    line = next(x for x in _poppler("pdfinfo", pdf).splitlines() if x.startswith("Pages:"))
    return int(line.split()[1])


def _page_of(page: int, pages: int) -> str:
    return f"{pgettext('page x of y', 'Page')} {page} {pgettext('page x of y', 'of')} {pages}"


@pytest.fixture
def draft(db):
    return complete_draft()


def test_the_draft_prints_parties_every_heading_the_budget_and_the_page_count(draft):
    pdf = render_agreement_pdf(draft)
    text, pages = _text(pdf), _pages(pdf)
    case = draft.agreement.case

    assert _flat(AGREEMENT_TITLE) in text
    assert _flat(case.title) in text and case.registry_number in text
    parties = list(draft.parties.select_related("organisation").order_by("order"))
    assert len(parties) == 2
    for party in parties:
        assert _flat(party.name) in text
        assert f"{party.signatory_name}, {party.signatory_title}" in text
        assert text.count(party.signatory_name) >= 2  # the party and its signature block
    assert parties[1].organisation.org_number_display in text
    assert "2027-01-01" in text  # the start date, in the Swedish (ISO) format
    for number, (key, label) in enumerate(SectionKey.choices, start=1):
        assert f"{number}. {_flat(label)}" in text
        assert _flat(draft.sections.get(key=key).text) in text
    # DOMAIN.md's example: 600 000 + 2 000 h × 300 kr + 120 000 = 1 320 000; public 45,5 %.
    assert "600 000 kr" in text and "120 000 kr" in text and "720 000 kr" in text
    assert "1 320 000 kr" in text
    assert "45,5 %" in text
    assert "Veckoträffar i bygdegården" in text  # the action plan
    assert _page_of(1, pages) in text and _page_of(pages, pages) in text
    assert text.count(case.registry_number) >= pages  # the header of every page


def test_headings_come_in_the_order_of_the_agreement(draft):
    text = _text(render_agreement_pdf(draft))
    positions = [
        text.index(f"{n}. {_flat(label)}") for n, label in enumerate(SectionKey.labels, start=1)
    ]
    assert positions == sorted(positions)


def test_a_draft_is_marked_as_a_draft_on_every_page(draft):
    pdf = render_agreement_pdf(draft)
    text, pages = _text(pdf), _pages(pdf)
    mark = gettext("DRAFT – version %(number)s") % {"number": draft.number}
    assert version_mark(draft) == mark
    assert text.count(_flat(mark)) >= pages + 1  # under the title and in every header


@pytest.mark.parametrize("state", ["submitted", "returned"])
def test_a_version_before_approval_is_still_a_draft(db, state):
    version = agreement_at(None, state)
    assert _flat(gettext("DRAFT – version %(number)s") % {"number": 1}) in _text(
        render_agreement_pdf(version)
    )


def test_the_approved_version_is_printed_for_signing_not_as_a_draft(db):
    version = agreement_at(None, "approved")
    text = _text(render_agreement_pdf(version))
    assert _flat(gettext("Version %(number)s – for signing") % {"number": 1}) in text
    assert _flat(gettext("DRAFT – version %(number)s") % {"number": 1}) not in text


def test_a_signed_version_shows_each_party_s_date_and_method(db):
    version = agreement_at(None, "signed")
    text = _text(render_agreement_pdf(version))
    recorded = gettext("Signature recorded: signed on %(date)s, %(method)s.") % {
        "date": "2026-11-01",
        "method": SigningMethod.PAPER.label.lower(),
    }
    assert text.count(_flat(recorded)) == version.parties.count() == 2
    assert _flat(gettext("Version %(number)s – signed") % {"number": 1}) in text
    assert _flat(gettext("DRAFT – version %(number)s") % {"number": 1}) not in text


def test_long_texts_flow_over_the_pages_with_their_paragraphs(draft):
    short_pages = _pages(render_agreement_pdf(draft))
    paragraphs = [
        f"Stycke {i}: " + "Föreningen träffar de äldre i bygden. " * 12 for i in range(40)
    ]
    AgreementSection.objects.filter(version=draft, key=SectionKey.BACKGROUND).update(
        text="\n\n".join(paragraphs)
    )
    html = render_agreement_html(draft)
    assert html.count("<p>Stycke ") == 40  # each paragraph its own

    pdf = render_agreement_pdf(draft)
    text, pages = _text(pdf), _pages(pdf)
    assert pages > short_pages > 1
    for page in range(1, pages + 1):
        assert _page_of(page, pages) in text
    assert all(f"Stycke {i}:" in text for i in range(40))


def test_the_term_until_further_notice_and_a_fixed_term_s_last_day(draft):
    assert end_date(draft) == datetime.date(2031, 12, 31)
    draft.start_date = datetime.date(2028, 2, 29)
    assert end_date(draft) == datetime.date(2033, 2, 28)

    AgreementVersion.objects.filter(pk=draft.pk).update(
        term_kind=TermKind.UNTIL_FURTHER_NOTICE, revision_interval_years=2
    )
    draft.refresh_from_db()
    assert end_date(draft) is None
    term = ngettext(
        "Until further notice, revised every year",
        "Until further notice, revised every %(years)s years",
        2,
    ) % {"years": 2}
    assert _flat(term) in _text(render_agreement_pdf(draft))


def test_the_text_is_escaped(draft):
    AgreementSection.objects.filter(version=draft, key=SectionKey.GOALS).update(
        text='Mål <b>"fetstil"</b>'
    )
    html = render_agreement_html(draft)
    assert "<b>" not in html and "&lt;b&gt;" in html


def test_the_number_of_queries_does_not_grow_with_the_budget_and_plan(draft):
    with CaptureQueriesContext(connection) as small:
        render_agreement_html(draft)
    party = draft.parties.order_by("order").first()
    for year in range(2028, 2032):
        for i in range(5):
            BudgetLine.objects.create(
                version=draft,
                party=party,
                year=year,
                kind=BudgetKind.MONEY,
                description=f"Medel {i}",
                amount=1000,
            )
    for order in range(2, 12):
        ActionPlanActivity.objects.create(
            version=draft, order=order, description="Träff", owner="Föreningen", timetable="2028"
        )
    with CaptureQueriesContext(connection) as large:
        html = render_agreement_html(draft)
    assert len(large) == len(small)
    assert html.count("Medel 4") == 4


def test_the_file_name_carries_the_registry_number_and_version(draft):
    Case.objects.filter(pk=draft.agreement.case_id).update(registry_number="RV 2026/00017")
    version = AgreementVersion.objects.select_related("agreement__case").get(pk=draft.pk)
    word = slugify(pgettext("file name", "agreement"))
    assert pdf_filename(version) == f"{word}-RV-2026-00017-v1.pdf"


# The view: every staff role reads agreements; anyone else is refused.

STAFF_ROLES = [
    Role.CASE_OFFICER,
    Role.COORDINATOR,
    Role.JURIST,
    Role.SECRETARY,
    Role.AUDITOR,
    Role.FINANCE,
]


def _url(version: AgreementVersion, number: int | None = None) -> str:
    return reverse("agreements:pdf", args=[version.agreement.case_id, number or version.number])


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_every_staff_role_downloads_the_pdf(client, make_user, draft, role):
    client.force_login(make_user(role))
    response = client.get(_url(draft))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert pdf_filename(draft) in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF")


def test_the_auditor_reads_the_signed_version(client, auditor, db):
    version = agreement_at(None, "signed")
    client.force_login(auditor)
    response = client.get(_url(version))
    assert response.status_code == 200
    assert "2026-11-01" in _text(response.content)


def test_a_user_without_a_role_is_refused(client, make_user, draft):
    client.force_login(make_user(None))
    assert client.get(_url(draft)).status_code == 403


def test_anonymous_is_sent_to_log_in(client, draft):
    response = client.get(_url(draft))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_unknown_version_or_case_is_404(client, auditor, draft):
    client.force_login(auditor)
    assert client.get(_url(draft, number=2)).status_code == 404
    other = complete_draft()
    # Version 1 exists, but of another case: never served under this one.
    missing_case = max(draft.agreement.case_id, other.agreement.case_id) + 1
    assert client.get(reverse("agreements:pdf", args=[missing_case, 1])).status_code == 404


def test_a_case_without_an_agreement_is_404(client, auditor, db):
    from .factories import drafting_case

    case = drafting_case()
    client.force_login(auditor)
    assert client.get(reverse("agreements:pdf", args=[case.pk, 1])).status_code == 404


def test_the_view_s_queries_do_not_grow_with_the_budget(client, auditor, draft):
    client.force_login(auditor)
    client.get(_url(draft))  # the session's first request saves it: not the view's work
    with CaptureQueriesContext(connection) as small:
        assert client.get(_url(draft)).status_code == 200
    party = draft.parties.order_by("order").first()
    BudgetLine.objects.bulk_create(
        BudgetLine(
            version=draft,
            party=party,
            year=2028 + i % 4,
            kind=BudgetKind.MONEY,
            description=f"Medel {i}",
            amount=1000,
        )
        for i in range(30)
    )
    with CaptureQueriesContext(connection) as large:
        assert client.get(_url(draft)).status_code == 200
    assert len(large) == len(small)
