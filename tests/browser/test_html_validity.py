"""The HTML check of the harness (tests/browser/html_validator.py): the Nu Html Checker must
fail a page with known errors, naming each with its line, or a green browser suite would prove
nothing about the HTML."""

import pytest

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

INVALID = """<!DOCTYPE html>
<html lang="sv"><head><meta charset="utf-8"><title>Planterade fel</title></head>
<body><main><h1 id="rubrik">Planterade fel</h1>
<p id="rubrik" hx-get="/">Samma id två gånger, och ett htmx-attribut utan data-.</p>
</main></body></html>"""


def test_assert_accessible_lists_every_html_error_with_its_line(page, assert_accessible):
    # A page "from the server" (so that its HTML is the response's), answered by the browser.
    page.route(
        "**/planterade-fel/",
        lambda route: route.fulfill(body=INVALID, content_type="text/html; charset=utf-8"),
    )
    page.goto("/planterade-fel/")
    with pytest.raises(pytest.fail.Exception) as failure:
        assert_accessible(page)
    message = str(failure.value)
    assert "The Nu Html Checker found 2 error(s)" in message
    assert "line 4: Duplicate ID “rubrik”." in message
    assert "line 4: Attribute “hx-get” not allowed on element “p” at this point." in message
    assert "axe-core" not in message  # the page itself passes axe
