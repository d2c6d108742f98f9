"""A case officer's journey through the real pages in Chromium, as one continuous story
(issue 3, the first "Must show"): register an initiative with a new organisation, fill the
whole checklist through htmx's autosave, upload the organisation's statutes and record its
signed value declaration, move the case to preparation and on to drafting; then the IOP
coordinator gives the case to another case officer, who alone is e-mailed, and the auditor
reads the case and finds nothing to do. Factories only set the scene (users, a committee);
every step of the story is taken in the browser. axe-core checks every page on the way."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from iop.constants import (
    CHECKLIST_QUESTIONS,
    CaseEventKind,
    CaseStatus,
    Criterion,
    DocumentKind,
    LegalForm,
    Role,
)
from iop.models import Case, CaseEvent, Checklist
from iop.tests.factories import CommitteeFactory
from partners.models import Organisation, OrganisationDocument, ValueDeclaration

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

QUESTIONS = [name for name, _question in CHECKLIST_QUESTIONS]


def url_is(path: str) -> re.Pattern:
    return re.compile(re.escape(path) + "$")


@pytest.fixture
def bo(make_user):
    """The case officer who takes the case over."""
    return make_user(
        Role.CASE_OFFICER, username="bo", first_name="Bo", last_name="Berg", email="bo@example.se"
    )


@pytest.fixture
def statutes_pdf(tmp_path):
    """A real one-page PDF: the association's statutes."""
    import weasyprint

    path = tmp_path / "stadgar-byalaget.pdf"
    weasyprint.HTML(
        string="<h1>Stadgar för Byalaget Norra Ny</h1><p>§ 1 Ändamål: mötesplatser.</p>"
    ).write_pdf(path)
    assert path.read_bytes().startswith(b"%PDF")
    return path


def take_action(page, assert_accessible, *, case: Case, name: str, target: CaseStatus, note: str):
    """From the case page: the action's button, its confirmation page, confirm, and back on
    the case page at the new stage."""
    page.locator(f'[data-action="{name}"]').click()
    expect(page).to_have_url(url_is(reverse("cases:transition", args=[case.pk, name])))
    expect(page.locator("#target-stage")).to_have_text(str(target.label))
    assert_accessible(page)
    page.locator("#id_note").fill(note)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(url_is(reverse("cases:detail", args=[case.pk])))
    expect(page.locator("#case-stage")).to_have_attribute("data-stage", target.value)
    assert_accessible(page)


def test_an_officer_takes_an_initiative_to_drafting_and_the_coordinator_reassigns_it(
    page,
    browser,
    browser_context_args,
    login,
    assert_accessible,
    officer,
    coordinator,
    auditor,
    bo,
    statutes_pdf,
):
    committee = CommitteeFactory()
    mail.outbox.clear()
    login(page, officer)

    # --- 1. Register the initiative, with a new organisation ------------------------------
    page.goto(reverse("cases:create"))
    expect(page.locator("#id_officer")).to_have_value(str(officer.pk))
    assert_accessible(page)
    page.locator("#new-organisation summary").click()
    page.locator("#id_org-name").fill("Byalaget Norra Ny")
    page.locator("#id_org-org_number").fill("802481-1658")
    page.locator("#id_org-legal_form").select_option(LegalForm.NON_PROFIT_ASSOCIATION)
    page.locator("#id_org-email").fill("info@byalaget.se")
    page.locator("#id_contact-name").fill("Sara Ordförande")
    page.locator("#id_contact-title").fill("Ordförande")
    page.locator("#id_title").fill("Mötesplatser för äldre i Norra Ny")
    page.locator("#id_societal_challenge").fill("Ensamhet bland äldre på landsbygden.")
    page.locator("#id_idea_description").fill("Föreningen vill bygga upp mötesplatser.")
    page.locator("#id_committee").select_option(str(committee.pk))
    page.locator("#initiative-form button[type=submit]").click()

    case = Case.objects.get()
    organisation = Organisation.objects.get()
    detail = reverse("cases:detail", args=[case.pk])
    expect(page).to_have_url(url_is(detail))
    expect(page.get_by_role("heading", level=1)).to_have_text("Mötesplatser för äldre i Norra Ny")
    expect(page.locator("#case-stage")).to_have_attribute("data-stage", CaseStatus.RECEIVED)
    expect(page.locator("#case-organisations")).to_contain_text("Byalaget Norra Ny")
    assert list(case.organisations.all()) == [organisation]
    assert (case.officer, case.created_by) == (officer, officer)
    assert_accessible(page)

    # --- 2. The whole checklist, saved as it is filled in ---------------------------------
    checklist_url = reverse("cases:checklist", args=[case.pk])
    page.locator(f"#case-checklist a[href='{checklist_url}']").click()
    expect(page).to_have_url(url_is(checklist_url))
    expect(page.locator("#checklist-outcome")).to_have_attribute("data-outcome", "incomplete")
    assert_accessible(page)
    for criterion in Criterion:
        page.locator(f"#id_{criterion.value}-answer_0").check()  # yes
        expect(page.locator(f"#criterion-{criterion.value}-status")).to_have_attribute(
            "data-status", "saved"
        )
    for name in QUESTIONS:
        page.locator(f"#id_{name}").fill(f"Byalagets svar om {name}.")
        page.locator(f"#id_{name}").press("Tab")
        expect(page.locator(f"#question-{name}-status")).to_have_attribute("data-status", "saved")
    expect(page.locator("#checklist-outcome")).to_have_attribute("data-outcome", "passed")
    assert_accessible(page)
    checklist = Checklist.objects.get(case=case)
    assert checklist.all_met
    assert all(getattr(checklist, name) == f"Byalagets svar om {name}." for name in QUESTIONS)

    # The case page shows the outcome.
    page.goto(detail)
    expect(page.locator("#case-checklist [data-outcome]")).to_have_attribute(
        "data-outcome", "passed"
    )
    assert_accessible(page)

    # --- 3. The organisation: its statutes and its signed value declaration ---------------
    organisation_url = reverse("partners:detail", args=[organisation.pk])
    page.locator(f"#case-organisations a[href='{organisation_url}']").click()
    expect(page).to_have_url(url_is(organisation_url))
    expect(page.get_by_role("heading", level=1)).to_have_text("Byalaget Norra Ny")
    expect(page.locator("#case-table tbody tr")).to_have_count(1)
    assert_accessible(page)

    page.locator("#add-document").click()
    expect(page).to_have_url(url_is(reverse("partners:document_create", args=[organisation.pk])))
    # The organisation's one open case is where the document is registered unless changed.
    expect(page.locator("#id_case")).to_have_value(str(case.pk))
    assert_accessible(page)
    page.locator("#id_kind").select_option(DocumentKind.STATUTES.value)
    page.locator("#id_year").fill("2025")
    page.locator("#id_description").fill("Stadgar antagna vid årsmötet 2025")
    page.locator("#id_file").set_input_files(str(statutes_pdf))
    page.locator("#document-form button[type=submit]").click()

    expect(page).to_have_url(url_is(organisation_url + "#documents"))
    document = OrganisationDocument.objects.get()
    assert (document.kind, document.case, document.uploaded_by) == (
        DocumentKind.STATUTES,
        case,
        officer,
    )
    assert document.registry_number == f"{case.registry_number}-1"
    assert document.file.read() == statutes_pdf.read_bytes()
    expect(page.locator("#document-table tbody tr")).to_have_count(1)
    expect(page.locator("#document-table tbody tr")).to_contain_text(document.registry_number)
    assert_accessible(page)

    page.locator("#add-declaration").click()
    expect(page).to_have_url(url_is(reverse("partners:declaration_create", args=[organisation.pk])))
    assert_accessible(page)
    page.locator("#id_signatory_name").fill("Sara Ordförande")
    page.locator("#id_signatory_title").fill("Ordförande")
    page.locator("#id_signed_on").fill(timezone.localdate().isoformat())
    assert len(ValueDeclaration.POINT_FIELDS) == 7  # the six points and the routine statement
    for name in ValueDeclaration.POINT_FIELDS:
        page.locator(f"#id_{name}").check()
    page.locator("#declaration-form button[type=submit]").click()

    expect(page).to_have_url(url_is(organisation_url + "#declarations"))
    declaration = ValueDeclaration.objects.get()
    assert declaration.is_signed and declaration.recorded_by == officer
    assert organisation.has_signed_value_declaration()
    expect(page.locator("#declaration-table tbody tr")).to_have_count(1)
    expect(page.locator("#declaration-table tbody tr")).to_contain_text("Sara Ordförande")
    assert_accessible(page)

    # --- 4. Back to the case: preparation, then drafting ----------------------------------
    page.locator(f"#case-table a[href='{detail}']").click()
    expect(page).to_have_url(url_is(detail))
    expect(page.locator("#case-stage")).to_have_attribute("data-stage", CaseStatus.RECEIVED)
    assert_accessible(page)

    take_action(
        page,
        assert_accessible,
        case=case,
        name="start_preparation",
        target=CaseStatus.PREPARATION,
        note="Första mötet med Byalaget hölls den 3 mars.",
    )
    take_action(
        page,
        assert_accessible,
        case=case,
        name="start_drafting",
        target=CaseStatus.DRAFTING,
        note="Checklistan och värdegrundsintyget är klara.",
    )

    transitions = page.locator('#case-timeline > li[data-kind="transition"]')
    expect(transitions).to_have_count(2)
    expect(transitions.nth(0)).to_contain_text(str(CaseStatus.DRAFTING.label))
    expect(transitions.nth(0)).to_contain_text("Checklistan och värdegrundsintyget är klara.")
    expect(transitions.nth(1)).to_contain_text(str(CaseStatus.PREPARATION.label))
    expect(transitions.nth(1)).to_contain_text("Första mötet med Byalaget hölls den 3 mars.")
    expect(page.locator('#case-timeline > li[data-kind="created"]')).to_have_count(1)
    case.refresh_from_db()
    assert case.status == CaseStatus.DRAFTING
    assert list(
        CaseEvent.objects.filter(case=case, kind=CaseEventKind.TRANSITION)
        .order_by("at", "pk")
        .values_list("transition", "from_status", "to_status", "actor")
    ) == [
        ("start_preparation", CaseStatus.RECEIVED, CaseStatus.PREPARATION, officer.pk),
        ("start_drafting", CaseStatus.PREPARATION, CaseStatus.DRAFTING, officer.pk),
    ]
    assert mail.outbox == []  # an officer who registers a case for themselves is not e-mailed

    # --- 5. The coordinator, in a browser of their own, gives the case to Bo --------------
    coordinator_context = browser.new_context(**browser_context_args)
    try:
        coordinator_page = coordinator_context.new_page()
        login(coordinator_page, coordinator)
        coordinator_page.goto(detail)
        expect(coordinator_page.locator("#case-officer")).to_contain_text(officer.get_full_name())
        assert_accessible(coordinator_page)
        coordinator_page.locator("#reassign-link").click()
        expect(coordinator_page).to_have_url(url_is(reverse("cases:reassign", args=[case.pk])))
        assert_accessible(coordinator_page)
        coordinator_page.locator("#id_officer").select_option(str(bo.pk))
        coordinator_page.locator("#id_note").fill("Anna är föräldraledig från 1 april.")
        coordinator_page.locator("main form button[type=submit]").click()

        expect(coordinator_page).to_have_url(url_is(detail))
        expect(coordinator_page.locator("#case-officer")).to_contain_text("Bo Berg")
        expect(coordinator_page.locator("#case-stage")).to_have_attribute(
            "data-stage", CaseStatus.DRAFTING
        )
        latest = coordinator_page.locator("#case-timeline > li").first
        expect(latest).to_have_attribute("data-kind", CaseEventKind.ASSIGNMENT)
        expect(latest).to_contain_text("Bo Berg")
        expect(latest).to_contain_text("Anna är föräldraledig från 1 april.")
        assert_accessible(coordinator_page)
    finally:
        coordinator_context.close()

    case.refresh_from_db()
    assert case.officer == bo
    assignment = CaseEvent.objects.get(case=case, kind=CaseEventKind.ASSIGNMENT, assignee=bo)
    assert assignment.actor == coordinator and assignment.notified_at is not None
    assert [message.to for message in mail.outbox] == [[bo.email]]
    assert case.registry_number in mail.outbox[0].subject + mail.outbox[0].body

    # --- 6. The auditor reads the case and finds nothing to do ----------------------------
    auditor_context = browser.new_context(**browser_context_args)
    try:
        auditor_page = auditor_context.new_page()
        login(auditor_page, auditor)
        auditor_page.goto(detail)
        expect(auditor_page.get_by_role("heading", level=1)).to_have_text(
            "Mötesplatser för äldre i Norra Ny"
        )
        expect(auditor_page.locator("#case-officer")).to_contain_text("Bo Berg")
        expect(auditor_page.locator("#case-stage")).to_have_attribute(
            "data-stage", CaseStatus.DRAFTING
        )
        expect(auditor_page.locator("#no-actions")).to_be_visible()
        expect(auditor_page.locator("[data-action]")).to_have_count(0)
        expect(auditor_page.locator("#reassign-link")).to_have_count(0)
        expect(auditor_page.locator("#case-actions a, #case-actions button")).to_have_count(0)
        assert_accessible(auditor_page)
    finally:
        auditor_context.close()
