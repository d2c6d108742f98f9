"""The golden paths of the case officer, the jurist and the committee secretary by keyboard
alone (WCAG 2.1.1, 2.4.3, 2.4.7): Tab, Shift+Tab, Enter and Space, no clicks and no filled
fields. After every key the focused element must show a focus indicator, and after an htmx
swap the focus must still be on an element of the page, not fallen back to <body>
(static/js/focus.js). axe-core and the Nu Html Checker check the pages on the way."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from django.urls import reverse

from agreements.constants import SectionKey
from agreements.models import ReviewComment
from agreements.tests.factories import agreement_at, drafting_case
from decisions.tests.test_meetings import meeting_with
from iop.constants import CaseStatus
from iop.models import Checklist
from iop.tests.factories import CaseFactory, CommitteeFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# What the focused element looks like: its selector match and whether it shows a focus ring
# (an outline, or Bootstrap's box-shadow on form fields and buttons).
FOCUS_STATE = """(selector) => {
    const el = document.activeElement;
    if (!el || el === document.body) return {matches: false, body: true, visible: false};
    const style = getComputedStyle(el);
    const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
    const shadow = style.boxShadow && style.boxShadow !== "none";
    return {matches: el.matches(selector), body: false, visible: outline || Boolean(shadow),
            html: el.outerHTML.slice(0, 120)};
}"""


def focus_state(page, selector: str = "*") -> dict:
    return page.evaluate(FOCUS_STATE, selector)


def tab_to(page, selector: str, *, limit: int = 150, key: str = "Tab") -> None:
    """Press Tab (or ``key``) until the focused element matches ``selector``; every element
    on the way must show that it has the focus."""
    for _ in range(limit):
        page.keyboard.press(key)
        state = focus_state(page, selector)
        if not state["body"]:
            assert state["visible"], f"no visible focus indicator on {state['html']}"
        if state["matches"]:
            return
    pytest.fail(f"{selector} not reached with {limit} presses of {key}", pytrace=False)


def assert_focus_kept(page) -> None:
    state = focus_state(page)
    assert not state["body"], "the focus fell back to <body>"
    assert state["visible"], f"no visible focus indicator on {state['html']}"


def url_is(path: str) -> re.Pattern:
    return re.compile(re.escape(path) + r"(\?.*)?(#.*)?$")


def test_the_officer_logs_in_opens_a_case_and_answers_the_checklist(
    page, assert_accessible, officer, user_password
):
    case = CaseFactory(officer=officer, status=CaseStatus.PREPARATION)
    case_url = reverse("cases:detail", args=[case.pk])
    checklist_url = reverse("cases:checklist", args=[case.pk])

    # The accessibility statement is public (checked by axe-core and vnu like every page).
    page.goto(reverse("accessibility"))
    expect(page.locator("#compliance-status")).to_be_visible()
    assert_accessible(page)

    # The login form: the username field has the focus from the start.
    page.goto(reverse("login"))
    assert_accessible(page)
    assert_focus_kept(page)
    page.keyboard.type(officer.username)
    tab_to(page, "input[type=password]")
    page.keyboard.type(user_password)
    page.keyboard.press("Enter")
    expect(page).to_have_url(url_is(reverse("home")))

    # The case register from the main menu, the case from the register.
    tab_to(page, f"#main-nav a[href='{reverse('cases:list')}']")
    page.keyboard.press("Enter")
    expect(page).to_have_url(url_is(reverse("cases:list")))
    assert_accessible(page)
    tab_to(page, f"main a[href='{case_url}']")
    page.keyboard.press("Enter")
    expect(page).to_have_url(url_is(case_url))
    assert_accessible(page)

    # The checklist: an answer saves the row as you go (htmx); the focus stays on it.
    tab_to(page, f"main a[href='{checklist_url}']")
    page.keyboard.press("Enter")
    expect(page).to_have_url(url_is(checklist_url))
    tab_to(page, "input[name='rv2-answer']")
    page.keyboard.press("Shift+Tab")  # and back again: Shift+Tab works as well
    tab_to(page, "input[name='rv2-answer']")
    # The focus lands on the checked "not answered"; the arrow keys choose within the group
    # (as in every radio group), Space confirms.
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("Space")
    expect(page.locator("#criterion-rv2-status")).to_have_attribute("data-status", "saved")
    assert_focus_kept(page)
    assert page.evaluate("document.activeElement.id") == "id_rv2-answer_0"
    assert Checklist.objects.get(case=case).answers.get(criterion="rv2").answer is True
    assert_accessible(page)


def test_the_jurist_opens_a_review_from_the_queue_and_returns_it_with_a_comment(
    page, login, assert_accessible, officer, jurist
):
    case = agreement_at(drafting_case(officer=officer), "submitted").agreement.case
    review_url = reverse("agreements:review", args=[case.pk])
    login(page, jurist)
    page.goto(reverse("home"))

    tab_to(page, "#nav-review-queue")
    page.keyboard.press("Enter")
    expect(page).to_have_url(url_is(reverse("agreements:review_queue")))
    tab_to(page, f"main a[href='{review_url}']")
    page.keyboard.press("Enter")
    expect(page).to_have_url(url_is(review_url))
    assert_accessible(page)

    # "Return with comments" opens with Enter; the comment is typed on the goals heading.
    tab_to(page, "#return-form summary")
    page.keyboard.press("Enter")
    tab_to(page, f"#id_comment-{SectionKey.GOALS}")
    page.keyboard.type("Målen behöver bli mätbara.")
    tab_to(page, "#return-form button[type=submit]")
    page.keyboard.press("Enter")
    expect(page).to_have_url(url_is(reverse("agreements:review_queue")))
    assert ReviewComment.objects.get().text == "Målen behöver bli mätbara."


def test_the_secretary_opens_the_meeting_and_asks_for_the_package(
    page, login, assert_accessible, secretary
):
    meeting = meeting_with(CommitteeFactory(), secretary, 1)
    meeting_url = reverse("decisions:meeting", args=[meeting.pk])
    login(page, secretary)
    page.goto(reverse("decisions:meetings") + f"?committee={meeting.committee_id}")

    tab_to(page, f"main a[href='{meeting_url}']")
    page.keyboard.press("Enter")
    expect(page).to_have_url(url_is(meeting_url))
    assert_accessible(page)

    # The button is inside the panel that htmx replaces: the focus moves to the new panel.
    tab_to(page, "#package-request button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator("#package-progress")).to_have_attribute(
        "aria-valuenow", "100", timeout=30_000
    )
    assert_focus_kept(page)
    expect(page.locator("#package-download")).to_be_visible()
    assert_accessible(page)
