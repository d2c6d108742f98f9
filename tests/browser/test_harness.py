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
