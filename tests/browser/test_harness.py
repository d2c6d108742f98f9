"""The harness itself: axe-core must fail a page with a known violation, or a green browser
suite would prove nothing."""

import pytest

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_assert_accessible_lists_every_violation(page, assert_accessible):
    page.set_content(
        """<!DOCTYPE html><html lang="sv"><head><title>Planterade fel</title></head>
        <body><main><h1>Planterade fel</h1>
        <img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
        <label>Namn</label><input type="text" id="namn">
        </main></body></html>"""
    )
    with pytest.raises(pytest.fail.Exception) as failure:
        assert_accessible(page)
    message = str(failure.value)
    assert "image-alt" in message
    assert "label" in message
    assert "2 accessibility violation(s)" in message


def test_a_csp_violation_in_the_console_fails_the_page(
    page, live_server, assert_accessible, csp_violations
):
    """A page that breaks the policy (here an inline style and an inline script, under the
    application's own header) is caught from the browser's console."""
    from django.test import Client

    policy = Client().get("/konto/logga-in/").headers["Content-Security-Policy"]
    page.route(
        f"{live_server.url}/planted-csp/",
        lambda route: route.fulfill(
            status=200,
            headers={"Content-Type": "text/html", "Content-Security-Policy": policy},
            body="""<!DOCTYPE html><html lang="sv"><head><title>Planterat</title></head>
            <body><main><h1 style="color: red">Planterat</h1>
            <script>document.title = "körde";</script></main></body></html>""",
        ),
    )
    page.goto(f"{live_server.url}/planted-csp/")
    page.wait_for_timeout(200)  # the console messages arrive after the load
    assert page.title() == "Planterat"  # the inline script did not run
    with pytest.raises(pytest.fail.Exception) as failure:
        assert_accessible(page)
    assert "Content-Security-Policy violation" in str(failure.value)
    assert any("inline style" in v for v in csp_violations)
    assert any("inline script" in v for v in csp_violations)
    csp_violations.clear()  # seen: the test's own teardown must not fail on them
