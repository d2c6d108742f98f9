"""The legal review round trip in Chromium (issue 4): the officer submits the draft, the jurist
returns it with a comment on one heading, the officer revises that heading and submits again,
and the jurist records the procurement-risk assessment and approves. The case's stages and
timeline follow; axe-core checks every page on the way."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from django.urls import reverse

from agreements.constants import RiskFactor, SectionKey, VersionStatus
from agreements.models import AgreementVersion, ReviewComment
from agreements.tests.factories import complete_draft, drafting_case
from iop.constants import CaseEventKind, CaseStatus
from iop.models import Case, CaseEvent

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

COMMENT = "Målen behöver bli mätbara: hur många deltar varje vecka?"
NEW_GOALS = "Minst 40 äldre deltar i en mötesplats varje vecka under 2027."


def url_is(path: str) -> re.Pattern:
    return re.compile(re.escape(path) + r"(#.*)?$")


def switch_user(page, login, user) -> None:
    page.context.clear_cookies()
    login(page, user)


def test_officer_and_jurist_take_the_agreement_through_legal_review(
    page, login, assert_accessible, officer, jurist
):
    case = drafting_case(officer=officer)
    complete_draft(case)
    agreement_url = reverse("agreements:detail", args=[case.pk])
    review_url = reverse("agreements:review", args=[case.pk])
    case_url = reverse("cases:detail", args=[case.pk])

    # The officer finds the draft complete and sends it to the jurist.
    login(page, officer)
    page.goto(agreement_url)
    expect(page.locator("#readiness-ok")).to_be_visible()
    assert_accessible(page)
    page.locator("#submit-draft").click()
    expect(page.locator("#version-status")).to_have_attribute("data-status", "submitted")
    assert Case.objects.get(pk=case.pk).status == CaseStatus.LEGAL_REVIEW

    # The jurist finds it in the queue and returns it with a comment on the goals.
    switch_user(page, login, jurist)
    page.goto(reverse("agreements:review_queue"))
    assert_accessible(page)
    page.get_by_role("link", name=case.registry_number, exact=True).click()
    expect(page).to_have_url(url_is(review_url))
    assert_accessible(page)
    page.locator("#return-form summary").click()
    page.locator(f"#id_comment-{SectionKey.GOALS}").fill(COMMENT)
    page.locator("#return-form button[type=submit]").click()
    expect(page).to_have_url(url_is(reverse("agreements:review_queue")))
    assert Case.objects.get(pk=case.pk).status == CaseStatus.DRAFTING
    assert ReviewComment.objects.get(version__number=1).section_key == SectionKey.GOALS

    # The officer reads the comment on the agreement page, rewrites the goals and resubmits.
    switch_user(page, login, officer)
    page.goto(agreement_url)
    expect(page.locator(f"#comments-{SectionKey.GOALS}")).to_contain_text(COMMENT)
    expect(
        page.locator(f"#returned-comments a[href='#section-{SectionKey.GOALS}']")
    ).to_be_visible()
    expect(page.locator("#version-status")).to_have_attribute("data-status", "draft")
    assert_accessible(page)
    page.goto(reverse("agreements:section", args=[case.pk, SectionKey.GOALS]))
    expect(page.locator(f"#comments-{SectionKey.GOALS}")).to_contain_text(COMMENT)
    assert_accessible(page)
    page.locator("#id_text").fill(NEW_GOALS)
    page.locator("#save-section").click()
    expect(page.locator(f"#section-{SectionKey.GOALS}")).to_contain_text(NEW_GOALS)
    page.locator("#submit-draft").click()
    expect(page.locator("#version-status")).to_have_attribute("data-status", "submitted")

    # The jurist sees what is missing, fills in the assessment and approves in one step.
    switch_user(page, login, jurist)
    page.goto(review_url)
    expect(page.locator("#assessment-missing")).to_be_visible()
    for factor in RiskFactor.values:
        page.locator(f"#factor-{factor} input[value=partnership]").check()
    page.locator("#id_overall_assessment").fill(
        "Organisationens eget initiativ, samfinansierat och utan sanktioner: ett partnerskap."
    )
    assert_accessible(page)
    # Approving saves what was typed in the assessment first.
    page.locator("#approve-form button[type=submit]").click()
    expect(page).to_have_url(url_is(reverse("agreements:review_queue")))
    assert_accessible(page)
    page.goto(case_url)
    expect(page.locator("#case-agreement")).to_be_visible()
    assert_accessible(page)

    case.refresh_from_db()
    assert case.status == CaseStatus.AWAITING_DECISION
    versions = {v.number: v for v in AgreementVersion.objects.filter(agreement__case=case)}
    assert versions[1].status == VersionStatus.RETURNED
    assert versions[2].status == VersionStatus.APPROVED
    assert versions[2].sections.get(key=SectionKey.GOALS).text == NEW_GOALS
    moves = list(
        CaseEvent.objects.filter(case=case, kind=CaseEventKind.TRANSITION)
        .order_by("at", "pk")
        .values_list("transition", "actor__username")
    )
    assert moves == [
        ("submit_for_legal_review", officer.username),
        ("return_to_drafting", jurist.username),
        ("submit_for_legal_review", officer.username),
        ("approve_legal_review", jurist.username),
    ]
