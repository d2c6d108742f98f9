"""Register an initiative and go through its checklist in Chromium: a case officer registers
an initiative with a new organisation (after a wrong check digit is refused with everything
typed kept), answers all eighteen criteria and the seven questions relying on htmx's
autosave, reloads and finds everything kept, and sees the outcome "all met". A save that
fails keeps the typed text and says so. The auditor reads the checklist without inputs.
axe-core checks every page on the way."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from django.urls import reverse

from iop.constants import CHECKLIST_QUESTIONS, CaseStatus, Criterion, LegalForm
from iop.models import Case, Checklist
from iop.services.checklist import checklist_criterion_save
from iop.tests.factories import CaseFactory, CommitteeFactory
from partners.models import Organisation
from partners.tests.factories import OrganisationFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

QUESTIONS = [name for name, _question in CHECKLIST_QUESTIONS]


def url_is(path: str) -> re.Pattern:
    return re.compile(re.escape(path) + "$")


def test_an_officer_registers_an_initiative_and_fills_the_whole_checklist(
    page, login, assert_accessible, officer
):
    committee = CommitteeFactory()
    for name in ("Afasiföreningen", "Frykcenter", "Fritidsbanken Karlstad"):
        OrganisationFactory(name=name)
    login(page, officer)

    # --- Register the initiative, with a new organisation ---------------------------------
    page.goto(reverse("cases:create"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator("#id_officer")).to_have_value(str(officer.pk))
    assert_accessible(page)

    # The filter box narrows the list of existing organisations.
    page.locator("#organisation-filter").fill("fry")
    expect(page.locator("#id_organisations option:not([hidden])")).to_have_text(
        [re.compile(r"^Frykcenter \(802\d{3}-\d{4}\)$")]
    )
    page.locator("#organisation-filter").fill("")

    page.locator("#new-organisation summary").click()
    page.locator("#id_org-name").fill("Byalaget Norra Ny")
    page.locator("#id_org-org_number").fill("802481-1657")  # wrong check digit
    page.locator("#id_org-legal_form").select_option(LegalForm.NON_PROFIT_ASSOCIATION)
    page.locator("#id_org-email").fill("info@byalaget.se")
    page.locator("#id_org-phone").fill("0563-123 45")
    page.locator("#id_contact-name").fill("Sara Ordförande")
    page.locator("#id_contact-title").fill("Ordförande")
    page.locator("#id_title").fill("Mötesplatser för äldre i Norra Ny")
    page.locator("#id_societal_challenge").fill("Ensamhet bland äldre på landsbygden.")
    page.locator("#id_idea_description").fill("Föreningen vill bygga upp mötesplatser.")
    page.locator("#id_plan_direction").fill("Ingen ska vara ofrivilligt ensam.")
    page.locator("#id_plan_next_step").fill("Första mötet i april.")
    page.locator("#id_committee").select_option(str(committee.pk))
    page.locator("#initiative-form button[type=submit]").click()

    # Refused: the summary at the top, the error at the field, everything typed kept.
    expect(page.locator("#form-errors")).to_be_visible()
    expect(page.locator("#form-errors a[href='#id_org-org_number']")).to_be_visible()
    expect(page.locator("#id_org-org_number")).to_have_class(re.compile("is-invalid"))
    expect(page.locator("#id_org-org_number")).to_have_value("802481-1657")
    expect(page.locator("#id_org-name")).to_have_value("Byalaget Norra Ny")
    expect(page.locator("#id_contact-name")).to_have_value("Sara Ordförande")
    expect(page.locator("#id_title")).to_have_value("Mötesplatser för äldre i Norra Ny")
    expect(page.locator("#id_plan_next_step")).to_have_value("Första mötet i april.")
    expect(page.locator("#id_committee")).to_have_value(str(committee.pk))
    assert not Case.objects.exists() and not Organisation.objects.filter(name="Byalaget Norra Ny")
    assert_accessible(page)

    page.locator("#id_org-org_number").fill("802481-1658")
    page.locator("#initiative-form button[type=submit]").click()

    case = Case.objects.get()
    expect(page).to_have_url(url_is(reverse("cases:detail", args=[case.pk])))
    expect(page.locator("#case-organisations")).to_contain_text("Byalaget Norra Ny")
    assert case.organisations.get().contacts.get().name == "Sara Ordförande"
    assert_accessible(page)

    # --- The checklist, saved as you go ---------------------------------------------------
    checklist_url = reverse("cases:checklist", args=[case.pk])
    page.goto(checklist_url)
    expect(page.locator("#checklist-outcome")).to_have_attribute("data-outcome", "incomplete")
    assert_accessible(page)

    for criterion in Criterion:
        page.locator(f"#id_{criterion.value}-answer_0").check()  # yes
        expect(page.locator(f"#criterion-{criterion.value}-status")).to_have_attribute(
            "data-status", "saved"
        )
    page.locator("#id_rv5-comment").fill("Folkhälsoplanen nämner idéburna organisationer.")
    page.locator("#id_rv5-comment").press("Tab")
    expect(page.locator("#criterion-rv5-status")).to_have_attribute("data-status", "saved")
    for name in QUESTIONS:
        page.locator(f"#id_{name}").fill(f"Vårt svar om {name}.")
        page.locator(f"#id_{name}").press("Tab")
        expect(page.locator(f"#question-{name}-status")).to_have_attribute("data-status", "saved")

    outcome = page.locator("#checklist-outcome")
    expect(outcome).to_have_attribute("data-outcome", "passed")
    assert_accessible(page)

    # Nothing was submitted as a whole form; reloading shows everything kept.
    page.reload()
    for criterion in Criterion:
        expect(page.locator(f"#id_{criterion.value}-answer_0")).to_be_checked()
    expect(page.locator("#id_rv5-comment")).to_have_value(
        "Folkhälsoplanen nämner idéburna organisationer."
    )
    for name in QUESTIONS:
        expect(page.locator(f"#id_{name}")).to_have_value(f"Vårt svar om {name}.")
    expect(page.locator("#checklist-outcome")).to_have_attribute("data-outcome", "passed")
    assert_accessible(page)

    checklist = Checklist.objects.get(case=case)
    assert checklist.all_met
    assert checklist.equal_influence == "Vårt svar om equal_influence."


def test_a_failed_save_keeps_the_text_and_says_so_and_a_no_lists_the_criterion(
    page, login, assert_accessible, officer
):
    case = CaseFactory(officer=officer, status=CaseStatus.PREPARATION)
    login(page, officer)
    page.goto(reverse("cases:checklist", args=[case.pk]))

    # The server cannot be reached for this save: the row says so; the text stays.
    page.route("**/checklista/?criterion=rv2", lambda route: route.abort())
    page.locator("#id_rv2-comment").fill("Ingår inte i föreningsbidraget.")
    page.locator("#id_rv2-comment").press("Tab")
    status = page.locator("#criterion-rv2-status")
    expect(status).to_have_attribute("data-status", "error")
    expect(page.locator("#id_rv2-comment")).to_have_value("Ingår inte i föreningsbidraget.")
    assert_accessible(page)

    # Back online: the next change saves the row, typed text included.
    page.unroute("**/checklista/?criterion=rv2")
    page.locator("#id_rv2-answer_1").check()  # no
    expect(status).to_have_attribute("data-status", "saved")
    outcome = page.locator("#checklist-outcome")
    expect(outcome).to_have_attribute("data-outcome", "failed")
    expect(outcome.locator("#failed-criteria li")).to_have_count(1)
    expect(outcome.locator("#failed-criteria li")).to_have_attribute("data-criterion", "rv2")
    expect(
        outcome.locator(
            f"a[href='{reverse('cases:transition', args=[case.pk, 'close_not_pursued'])}']"
        )
    ).to_be_visible()
    assert_accessible(page)
    answer = Checklist.objects.get(case=case).answers.get(criterion="rv2")
    assert (answer.answer, answer.comment) == (False, "Ingår inte i föreningsbidraget.")


def test_the_auditor_reads_the_checklist_without_any_input(
    page, login, assert_accessible, officer, auditor
):
    case = CaseFactory(officer=officer, status=CaseStatus.PREPARATION)
    checklist_criterion_save(case=case, actor=officer, criterion="mora3", answer=False)
    login(page, auditor)

    page.goto(reverse("cases:checklist", args=[case.pk]))

    expect(page.locator("#checklist-read-only")).to_be_visible()
    expect(page.locator("main input, main textarea, main select")).to_have_count(0)
    expect(page.locator("#criterion-mora3")).to_have_attribute("data-answer", "no")
    expect(page.locator("#checklist-outcome")).to_have_attribute("data-outcome", "failed")
    assert_accessible(page)
