"""The layout every screen shares: login, the start page, navigation, skip link, logout.

Assertions lean on structure (roles, ids, URLs); text is asserted only where a person would
notice it missing, and then as Django's or our Swedish wording.
"""

import re

import pytest
from playwright.sync_api import expect

from django.urls import reverse

from iop.constants import CaseStatus
from iop.tests.factories import CaseFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LOGIN_URL = reverse("login")


def url_is(live_server, path):
    """A matcher for the page's URL: exactly ``path`` on the live server, any query string."""
    return re.compile(rf"^{re.escape(live_server.url + path)}(\?.*)?$")


def test_anonymous_user_gets_the_login_page(page, live_server, assert_accessible):
    page.goto("/")

    expect(page).to_have_url(url_is(live_server, LOGIN_URL))
    assert "next=/" in page.url
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    expect(page).to_have_title(re.compile(r"– IOP-stöd$"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    username = page.get_by_label("Användarnamn")
    password = page.get_by_label("Lösenord")
    expect(username).to_have_attribute("autocomplete", "username")
    expect(password).to_have_attribute("autocomplete", "current-password")
    expect(username).to_be_focused()
    # Nothing of the logged-in navigation shows before logging in.
    expect(page.locator("#main-nav")).to_have_count(0)
    expect(page.locator("#logout-form")).to_have_count(0)
    assert_accessible(page)


def test_a_failed_login_says_why_in_swedish_and_keeps_the_username(
    page, live_server, assert_accessible, officer
):
    page.goto(LOGIN_URL)
    page.get_by_label("Användarnamn").fill("anna")
    page.get_by_label("Lösenord").fill("fel lösenord")
    page.get_by_role("button", name="Logga in").click()

    expect(page).to_have_url(url_is(live_server, LOGIN_URL))
    summary = page.get_by_role("alert")
    expect(summary).to_be_visible()
    # Django's own Swedish message for AuthenticationForm's invalid_login.
    expect(summary).to_contain_text("Ange ett korrekt användarnamn och lösenord")
    expect(page.get_by_label("Användarnamn")).to_have_value("anna")
    expect(page.get_by_label("Lösenord")).to_have_value("")
    expect(page.get_by_label("Lösenord")).to_be_focused()
    assert_accessible(page)


def test_an_empty_login_form_marks_the_fields(page, live_server, assert_accessible, officer):
    page.goto(LOGIN_URL)
    page.get_by_role("button", name="Logga in").click()

    expect(page).to_have_url(url_is(live_server, LOGIN_URL))
    expect(page.get_by_role("alert")).to_be_visible()
    for field in ("#id_username", "#id_password"):
        expect(page.locator(field)).to_have_attribute("aria-invalid", "true")
    # The summary links to the fields it names.
    expect(page.locator("#form-errors a[href='#id_username']")).to_have_count(1)
    assert_accessible(page)


def test_a_successful_login_lands_on_the_start_page(
    page, live_server, assert_accessible, officer, user_password
):
    case = CaseFactory(officer=officer, status=CaseStatus.PREPARATION, title="Mötesplats Kil")

    page.goto(LOGIN_URL)
    page.get_by_label("Användarnamn").fill("anna")
    page.get_by_label("Lösenord").fill(user_password)
    page.get_by_role("button", name="Logga in").click()

    expect(page).to_have_url(live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mina ärenden")
    expect(page).to_have_title("Mina ärenden – IOP-stöd")
    expect(page.locator("#current-user")).to_contain_text(officer.get_full_name())
    nav = page.get_by_role("navigation", name="Huvudmeny")
    expect(nav.get_by_role("link", name="Mina ärenden")).to_have_attribute("aria-current", "page")
    # The dashboard: the case in its stage's tile and in the table, linked to its page.
    expect(page.locator("#stages [data-stage='preparation'] .stage-count")).to_have_text("1")
    row = page.locator("#my-cases tbody tr", has_text="Mötesplats Kil")
    expect(row.get_by_role("link", name=case.registry_number)).to_have_attribute(
        "href", case.get_absolute_url()
    )
    assert_accessible(page)


def test_the_navigation_follows_the_role(page, login, assert_accessible, officer):
    login(page, officer)
    page.goto("/")
    nav = page.get_by_role("navigation", name="Huvudmeny")
    expect(nav.locator("a[href='/admin/']")).to_have_count(0)
    expect(nav.locator(f"a[href='{reverse('cases:list')}']")).to_have_count(1)
    expect(nav.locator(f"a[href='{reverse('partners:list')}']")).to_have_count(1)

    admin_user = UserFactory(username="admin", is_staff=True, is_superuser=True)
    page.context.clear_cookies()
    login(page, admin_user)
    page.goto("/")
    nav = page.get_by_role("navigation", name="Huvudmeny")
    expect(nav.get_by_role("link", name="Administration")).to_have_attribute("href", "/admin/")
    assert_accessible(page)


def test_the_skip_link_is_the_first_stop_and_moves_focus_to_main(page, login, officer):
    login(page, officer)
    page.goto("/")

    page.keyboard.press("Tab")
    skip = page.locator("#skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_have_attribute("href", "#main")
    # Visible when focused: inside the viewport and bigger than the 1px of a hidden element.
    box = skip.bounding_box()
    assert box is not None and box["width"] > 20 and box["height"] > 10 and box["y"] >= 0

    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    assert page.url.endswith("/#main")
    # The next Tab starts inside the main content, not in the header again.
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.getElementById('main').contains(document.activeElement)")


def test_logout_ends_the_session(page, live_server, login, assert_accessible, officer):
    login(page, officer)
    page.goto("/")

    page.locator("#logout-form").get_by_role("button").click()

    # "You are logged out", with the way back in.
    expect(page).to_have_url(url_is(live_server, reverse("logged_out")))
    expect(page.locator("#logout-form")).to_have_count(0)
    expect(page.get_by_role("link", name=re.compile("Logga in", re.I)).first).to_be_visible()
    assert_accessible(page)
    page.goto("/")
    expect(page).to_have_url(url_is(live_server, LOGIN_URL))


def test_pages_load_bootstrap_and_htmx_from_the_server_itself(page, live_server, login, officer):
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    login(page, officer)
    page.goto("/")

    assert page.evaluate("() => typeof bootstrap.Collapse") == "function"
    assert page.evaluate("() => typeof htmx.ajax") == "function"
    # Nothing from a CDN or any other host.
    assert requests
    assert all(url.startswith(live_server.url) for url in requests), requests


def test_htmx_requests_carry_the_csrf_token(page, live_server, login, officer):
    login(page, officer)
    page.goto("/")

    logout_url = reverse("logout")
    # Without the token Django refuses the POST ...
    plain = page.evaluate("async (url) => (await fetch(url, {method: 'POST'})).status", logout_url)
    assert plain == 403
    # ... and through htmx, with nothing but the page's own configuration (<body hx-headers>),
    # it goes through.
    status = page.evaluate(
        """(url) => new Promise((resolve) => {
            document.body.addEventListener("htmx:afterRequest",
                (event) => resolve(event.detail.xhr.status), {once: true});
            htmx.ajax("POST", url, {source: document.body, swap: "none"});
        })""",
        logout_url,
    )
    assert status == 200  # the logout's redirect to the login page, followed
    page.goto("/")
    expect(page).to_have_url(url_is(live_server, LOGIN_URL))
