"""The versions list, one version, the diff between two, and renegotiation of a signed
agreement (issue 4, items 7–8)."""

from __future__ import annotations

import html
from decimal import Decimal

import pytest

from django.conf import settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from agreements import services
from agreements.constants import BudgetKind, SectionKey, VersionStatus
from agreements.diff import version_diff, word_diff
from agreements.models import ActionPlanActivity, AgreementVersion, BudgetLine
from agreements.pdf import render_agreement_html
from agreements.selectors import version_detail
from agreements.tests.factories import (
    SECTION_TEXT,
    agreement_at,
    complete_draft,
    drafting_case,
    record_assessment,
)
from agreements.tests.test_drafting import terms_data
from decisions.constants import MatterKind, Outcome
from decisions.tests.factories import decide
from iop.constants import CaseStatus, Role
from iop.services import TransitionRefused

pytestmark = pytest.mark.django_db

STAFF_ROLES = [
    Role.CASE_OFFICER,
    Role.COORDINATOR,
    Role.JURIST,
    Role.SECRETARY,
    Role.FINANCE,
    Role.AUDITOR,
]
NEW_GOALS = "Fler äldre deltar i en gemenskap varannan vecka."


def _edit_draft(draft: AgreementVersion, *, actor) -> None:
    """Change one sentence and one budget amount of a draft, through the services."""
    section = draft.sections.get(key=SectionKey.GOALS)
    services.section_save(section=section, text=NEW_GOALS, revision=section.revision, actor=actor)
    with transaction.atomic():
        services.lock_draft(draft, revision=draft.revision, actor=actor)
        line = draft.budget_lines.get(kind=BudgetKind.PREMISES)
        line.amount = Decimal("150000")
        line.save()


@pytest.fixture
def returned_case():
    """Version 1 submitted and returned; version 2 the draft, with a sentence and a budget
    line changed."""
    first = agreement_at(None, "returned")
    case = first.agreement.case
    second = services.draft_version(first.agreement)
    _edit_draft(second, actor=case.officer)
    return case


def _urls(case) -> list[str]:
    return [
        reverse("agreements:versions", args=[case.pk]),
        reverse("agreements:version", args=[case.pk, 1]),
        reverse("agreements:diff", args=[case.pk]) + "?fran=1&till=2",
    ]


# --- Access ---------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client, returned_case):
    for url in _urls(returned_case):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse(settings.LOGIN_URL))


def test_user_without_role_is_refused(client, make_user, returned_case):
    client.force_login(make_user(None))
    for url in _urls(returned_case):
        assert client.get(url).status_code == 403


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_every_staff_role_reads_versions(client, make_user, role, returned_case):
    client.force_login(make_user(role))
    for url in _urls(returned_case):
        assert client.get(url).status_code == 200, url


def test_pages_only_take_get(client, officer, returned_case):
    client.force_login(returned_case.officer)
    for url in _urls(returned_case):
        assert client.post(url).status_code == 405


def test_unknown_case_or_version_is_404(client, officer, returned_case):
    client.force_login(officer)
    assert client.get(reverse("agreements:version", args=[returned_case.pk, 9])).status_code == 404
    assert client.get(reverse("agreements:versions", args=[999999])).status_code == 404
    case_without = drafting_case()
    assert client.get(reverse("agreements:version", args=[case_without.pk, 1])).status_code == 404
    assert client.get(reverse("agreements:diff", args=[case_without.pk])).status_code == 404
    response = client.get(reverse("agreements:versions", args=[case_without.pk]))
    assert response.status_code == 200 and b'id="no-versions"' in response.content


# --- The list and one version -------------------------------------------------------------


def test_list_shows_versions_newest_first_with_compare_form(client, officer, returned_case):
    client.force_login(officer)
    response = client.get(reverse("agreements:versions", args=[returned_case.pk]))
    rows = [version.number for version, _based_on in response.context["rows"]]
    assert rows == [2, 1]
    assert response.context["rows"][0][1] == 1  # version 2 is based on version 1
    form = response.context["compare_form"]
    assert (form.initial["fran"], form.initial["till"]) == (1, 2)
    content = response.content.decode()
    assert 'data-status="returned"' in content and 'data-status="draft"' in content
    assert reverse("agreements:version", args=[returned_case.pk, 1]) in content


def test_version_page_shows_the_body_and_the_jurists_comments(client, auditor, returned_case):
    client.force_login(auditor)
    response = client.get(reverse("agreements:version", args=[returned_case.pk, 1]))
    content = response.content.decode()
    assert response.context["version"].status == VersionStatus.RETURNED
    assert [c.text for c in response.context["section_comments"]] == ["Förtydliga målen."]
    assert 'id="review-comments"' in content and "Förtydliga målen." in content
    for text in SECTION_TEXT.values():
        assert text in content
    assert 'id="version-parties"' in content and 'id="version-activities"' in content
    assert "Firmatecknare 1" in content


# --- The diff ---------------------------------------------------------------------------


def test_diff_shows_changed_sentence_and_budget_line(client, jurist, returned_case):
    """Must-show: a changed sentence and a changed budget line, each with old and new."""
    client.force_login(jurist)
    url = reverse("agreements:diff", args=[returned_case.pk]) + "?fran=1&till=2"
    response = client.get(url)
    assert response.status_code == 200
    content = response.content.decode()
    diff = response.context["diff"]
    assert [s.key for s in diff.sections] == [SectionKey.GOALS]
    assert len(diff.unchanged_sections) == len(SectionKey.values) - 1
    # The sentence: the removed word struck through and the added one marked, both labelled.
    assert 'id="diff-section-goals"' in content
    assert "<del" in content and "<ins" in content
    [goals] = diff.sections
    old_goals = SECTION_TEXT[SectionKey.GOALS]
    assert "".join(c.text for c in goals.chunks if c.op != "insert") == old_goals
    assert "".join(c.text for c in goals.chunks if c.op != "delete") == NEW_GOALS
    assert "varje</del>" in content and "varannan</ins>" in content
    assert gettext("removed:") in content and gettext("added:") in content
    # The budget line: old and new value, and the total before and after.
    [line] = diff.lines_changed
    assert line.description == "Föreningens lokaler"
    assert line.old in content and line.new in content
    assert "120\u202f000" in line.old and "150\u202f000" in line.new
    assert "1\u202f320\u202f000" in content and "1\u202f350\u202f000" in content


def test_identical_versions_say_so(client, officer):
    first = agreement_at(None, "returned")
    client.force_login(officer)
    response = client.get(
        reverse("agreements:diff", args=[first.agreement.case_id]) + "?fran=1&till=2"
    )
    assert response.status_code == 200
    assert not response.context["diff"].has_changes
    assert b'id="no-changes"' in response.content


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("", "fran"),
        ("?fran=1", "till"),
        ("?fran=1&till=1", "__all__"),
        ("?fran=1&till=7", "till"),
        ("?fran=x&till=2", "fran"),
    ],
)
def test_bad_comparison_gives_the_form_with_the_reason(
    client, officer, returned_case, query, field
):
    client.force_login(officer)
    response = client.get(reverse("agreements:diff", args=[returned_case.pk]) + query)
    assert response.status_code == 400
    form = response.context["form"]
    assert field in form.errors
    assert "diff" not in response.context
    assert b'id="form-errors"' in response.content


def test_word_diff_keeps_the_text():
    old, new = "Parterna möts med respekt.", "Parterna möts varje månad med tillit."
    chunks = word_diff(old, new)
    assert "".join(c.text for c in chunks if c.op != "insert") == old
    assert "".join(c.text for c in chunks if c.op != "delete") == new
    assert {"delete", "insert", "equal"} == {c.op for c in chunks}


def test_diff_of_terms_parties_budget_and_activities():
    first = agreement_at(None, "returned")
    draft = services.draft_version(first.agreement)
    actor = first.agreement.case.officer
    draft = services.version_update(
        version=draft, data={"notice_months": 3}, revision=draft.revision, actor=actor
    )
    with transaction.atomic():
        services.lock_draft(draft, revision=draft.revision, actor=actor)
        public = draft.parties.order_by("order").first()
        public.annual_amount = Decimal("650000")
        public.signatory_name = "Ny firmatecknare"
        public.save()
        BudgetLine.objects.create(
            version=draft,
            party=public,
            year=2028,
            kind=BudgetKind.MONEY,
            description="Medel från regionen",
            amount=Decimal("650000"),
        )
        draft.budget_lines.get(kind=BudgetKind.VOLUNTEER).delete()
        ActionPlanActivity.objects.create(
            version=draft, order=2, description="Studiecirkel", owner="Föreningen", timetable="Höst"
        )
        draft.activities.filter(order=1).update(timetable="Från februari 2027")
    diff = version_diff(version_detail(first), version_detail(draft))
    assert [c.new for c in diff.terms] == ["3"]
    [party] = diff.parties_changed
    assert [c.new for c in party.changes] == ["Ny firmatecknare", "650\u202f000\xa0kr"]
    assert [line.year for line in diff.lines_added] == [2028]
    assert [line.kind for line in diff.lines_removed] == [str(BudgetKind.VOLUNTEER.label)]
    assert "2\u202f000" in diff.lines_removed[0].old  # hours × value per hour
    assert {c.label for c in diff.totals} >= {gettext("Total cost, all contributions")}
    assert [a.description for a in diff.activities_added] == ["Studiecirkel"]
    [changed] = diff.activities_changed
    assert [c.new for c in changed.changes] == ["Från februari 2027"]


# --- Frozen versions ----------------------------------------------------------------------


def test_a_signed_version_cannot_be_edited():
    version = agreement_at(None, "signed")
    actor = version.agreement.case.officer
    section = version.sections.get(key=SectionKey.GOALS)
    with pytest.raises(services.VersionFrozen):
        services.section_save(
            section=section, text="Ändrat", revision=section.revision, actor=actor
        )
    with pytest.raises(services.VersionFrozen):
        services.version_update(
            version=version, data={"notice_months": 1}, revision=version.revision, actor=actor
        )
    with pytest.raises(services.VersionFrozen), transaction.atomic():
        services.lock_draft(version, revision=version.revision, actor=actor)
    section.refresh_from_db()
    assert section.text == SECTION_TEXT[SectionKey.GOALS]


def test_the_drafting_view_refuses_to_edit_a_signed_version(client):
    version = agreement_at(None, "signed")
    case = version.agreement.case
    section = version.sections.get(key=SectionKey.GOALS)
    client.force_login(case.officer)
    response = client.post(
        reverse("agreements:section", args=[case.pk, SectionKey.GOALS]),
        {"text": "Ändrat", "revision": section.revision},
    )
    assert response.status_code == 409
    section.refresh_from_db()
    assert section.text == SECTION_TEXT[SectionKey.GOALS]


# --- Renegotiation --------------------------------------------------------------------------


def test_renegotiation_needs_the_committee_decision_for_a_changed_amount(jurist, secretary):
    signed = agreement_at(None, "signed")
    case = signed.agreement.case
    officer = case.officer
    case.refresh_from_db()
    assert case.status == CaseStatus.ACTIVE

    decision = decide(
        case, Outcome.APPROVED, kind=MatterKind.RENEGOTIATION, secretary=secretary, paragraph=45
    )
    draft = services.start_revision(case=case, actor=officer)
    assert (draft.number, draft.based_on_id) == (2, signed.pk)
    # The new version cites the recorded decision to renegotiate that put the case here.
    assert draft.authorising_event == decision.case_event
    assert draft.authorising_reference.startswith(f"{case.committee.name} ")
    assert "§ 45" in draft.authorising_reference
    with transaction.atomic():
        services.lock_draft(draft, revision=draft.revision, actor=officer)
        line = draft.budget_lines.get(kind=BudgetKind.MONEY)
        line.amount = Decimal("650000")
        line.save()
        draft.parties.filter(pk=line.party_id).update(annual_amount=Decimal("650000"))

    # Without the link (an earlier typed note is no citation) the changed amount is refused.
    draft = AgreementVersion.objects.get(pk=draft.pk)
    draft = services.version_update(
        version=draft,
        data={
            "authorising_event": None,
            "authorising_decision": "Kultur- och bildningsnämnden 2027-05-12 § 45",
        },
        revision=draft.revision,
        actor=officer,
    )
    reason = gettext(
        "This version changes an amount of the agreement in force: it must cite the committee's recorded decision to renegotiate."
    )
    with pytest.raises(TransitionRefused) as refused:
        services.submit_draft(case=case, actor=officer)
    assert reason in refused.value.reasons
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT

    draft = services.version_update(
        version=draft,
        data={"authorising_event": decision.case_event},
        revision=draft.revision,
        actor=officer,
    )
    services.submit_draft(case=case, actor=officer)
    case.refresh_from_db()
    draft.refresh_from_db()
    assert case.status == CaseStatus.RENEGOTIATION
    assert draft.status == VersionStatus.SUBMITTED

    record_assessment(draft, jurist)
    services.approve_version(case=case, actor=jurist)
    draft.refresh_from_db()
    assert draft.status == VersionStatus.APPROVED
    for party in draft.parties.order_by("order", "pk"):
        services.record_signature(
            party=party, actor=officer, signed_on=timezone.localdate(), method="digital"
        )
    case.refresh_from_db()
    signed.refresh_from_db()
    draft.refresh_from_db()
    assert case.status == CaseStatus.ACTIVE
    assert signed.status == VersionStatus.SUPERSEDED
    assert draft.status == VersionStatus.SIGNED
    assert services.in_force_version(case.agreement) == draft


def test_the_version_cites_the_decision_on_its_page_form_and_pdf(client, secretary):
    signed = agreement_at(None, "signed")
    case = signed.agreement.case
    decision = decide(
        case, Outcome.APPROVED, kind=MatterKind.RENEGOTIATION, secretary=secretary, paragraph=45
    )
    draft = services.start_revision(case=case, actor=case.officer)
    reference = draft.authorising_reference
    assert reference.startswith(f"{case.committee.name} ") and "§ 45" in reference
    client.force_login(case.officer)
    page = client.get(reverse("agreements:version", args=[case.pk, draft.number]))
    assert html.escape(reference) in page.content.decode()
    assert render_agreement_html(draft).count(html.escape(reference)) == 1
    # The terms form offers the case's recorded decisions to renegotiate, no other case's.
    other = agreement_at(None, "signed").agreement.case
    elsewhere = decide(other, Outcome.APPROVED, kind=MatterKind.RENEGOTIATION, secretary=secretary)
    terms = client.get(reverse("agreements:terms", args=[case.pk])).content.decode()
    assert f'value="{decision.case_event.pk}"' in terms
    assert f'value="{elsewhere.case_event.pk}"' not in terms
    response = client.post(
        reverse("agreements:terms", args=[case.pk]),
        terms_data(draft, authorising_event=str(elsewhere.case_event.pk)),
    )
    assert response.status_code == 200 and response.context["form"].errors["authorising_event"]
    draft.refresh_from_db()
    assert draft.authorising_event == decision.case_event


def test_an_earlier_typed_note_is_shown_as_such(client):
    signed = agreement_at(None, "signed")
    case = signed.agreement.case
    AgreementVersion.objects.filter(pk=signed.pk).update(
        authorising_decision="Kultur- och bildningsnämnden 2025-05-12 § 19"
    )
    client.force_login(case.officer)
    page = client.get(reverse("agreements:version", args=[case.pk, signed.number]))
    html_text = page.content.decode()
    assert 'id="version-earlier-decision-note"' in html_text
    assert "Kultur- och bildningsnämnden 2025-05-12 § 19" in html_text
    assert 'id="version-authorising-decision"' not in html_text


def test_renegotiation_without_amount_change_needs_no_decision(secretary):
    signed = agreement_at(None, "signed")
    case = signed.agreement.case
    decide(case, Outcome.APPROVED, kind=MatterKind.RENEGOTIATION, secretary=secretary)
    draft = services.start_revision(case=case, actor=case.officer)
    section = draft.sections.get(key=SectionKey.VALUES)
    services.section_save(
        section=section, text="Parterna möts med tillit.", revision=1, actor=case.officer
    )
    assert services.submission_problems(draft) == []


# --- Query counts --------------------------------------------------------------------------


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def _add_versions(case, jurist, rounds: int) -> None:
    for _round in range(rounds):
        services.submit_draft(case=case, actor=case.officer)
        services.return_version(case=case, actor=jurist, comments=[("", "Ännu en runda.")])


def test_versions_list_queries_do_not_grow(client, officer, jurist):
    few = complete_draft(drafting_case()).agreement.case
    many = agreement_at(None, "returned", jurist=jurist).agreement.case
    _add_versions(many, jurist, 8)
    assert many.agreement.versions.count() == 10
    client.force_login(officer)
    assert _queries(client, reverse("agreements:versions", args=[few.pk])) == _queries(
        client, reverse("agreements:versions", args=[many.pk])
    )


def test_version_and_diff_queries_do_not_grow(client, officer, returned_case):
    client.force_login(officer)
    diff_url = reverse("agreements:diff", args=[returned_case.pk]) + "?fran=1&till=2"
    version_url = reverse("agreements:version", args=[returned_case.pk, 2])
    small_diff, small_version = _queries(client, diff_url), _queries(client, version_url)
    draft = services.draft_version(returned_case.agreement)
    party = draft.parties.first()
    for year in range(2028, 2038):
        BudgetLine.objects.create(
            version=draft,
            party=party,
            year=year,
            kind=BudgetKind.MONEY,
            description="Medel",
            amount=Decimal(year),
        )
        ActionPlanActivity.objects.create(
            version=draft, order=year, description=f"Aktivitet {year}", owner="A", timetable="B"
        )
    assert _queries(client, diff_url) == small_diff
    assert _queries(client, version_url) == small_version


def test_the_auditor_reads_the_recorded_assessment_once_the_review_is_over(client, auditor):
    from agreements.tests.factories import agreement_at

    version = agreement_at(None, "approved")
    client.force_login(auditor)
    url = reverse("agreements:version", args=[version.agreement.case_id, version.number])
    response = client.get(url)
    assert response.status_code == 200
    assessment = version.risk_assessment
    assert response.context["assessment"] == assessment
    assert assessment.overall_assessment in response.content.decode()


def test_the_assessment_in_progress_is_not_shown_on_the_version_page(client, auditor, jurist):
    from agreements.tests.factories import agreement_at, record_assessment

    version = agreement_at(None, "submitted")
    record_assessment(version, jurist, overall="Preliminär bedömning under arbete.")
    client.force_login(auditor)
    url = reverse("agreements:version", args=[version.agreement.case_id, version.number])
    response = client.get(url)
    assert response.context["assessment"] is None
    assert "Preliminär bedömning" not in response.content.decode()
