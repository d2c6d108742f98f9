"""The browser-test harness: Playwright driving Debian's Chromium against pytest-django's
live server, with axe-core checking every page a test visits.

A browser test is marked and uses the live server in a committed transaction::

    pytestmark = [
        pytest.mark.browser,
        pytest.mark.django_db(transaction=True, serialized_rollback=True),
    ]

    def test_something(page, login, assert_accessible, officer):
        login(page, officer)
        page.goto("/")
        assert_accessible(page)

``transaction=True`` because the live server answers from another thread, which only sees
committed rows; ``serialized_rollback=True`` because flushing the tables after a test would
otherwise also remove the role groups that a data migration created. Pages are opened with
paths (``page.goto("/")``): the browser context's base URL is the live server.

Under pytest-xdist (``make test``) every worker process has its own live server (on a free
port), its own Chromium and its own test database, so browser tests need no grouping.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from django.conf import settings
from django.test import Client

from tests.browser.html_validator import DocumentLog, HtmlValidator, format_errors

# Playwright's sync API runs an asyncio event loop in the test's thread; Django refuses ORM
# calls from such a thread unless told that this is intended.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/lib/chromium/chromium"  # Debian's; the /usr/bin wrapper prints a harmless error
# Without the background-networking flags Chromium tries to reach the internet, which is not
# there, and logs refused connections.
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

AXE_JS = Path(__file__).with_name("axe.min.js")  # npm axe-core, copied by `npm run vendor`
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# What iop.tests.factories.UserFactory sets for every user.
PASSWORD = "lösenord-för-test"


@pytest.fixture
def user_password() -> str:
    """The password of every user made by UserFactory, for tests that use the login form."""
    return PASSWORD


def pytest_collection_modifyitems(config, items):
    """Every test here must carry the marks the module docstring shows. A browser test without
    serialized_rollback would, on its teardown, flush the tables and recreate the content
    types, and every serialized test after it would fail to load its data."""
    here = Path(__file__).parent
    wrong = []
    for item in items:
        if here not in item.path.parents:
            continue
        db = item.get_closest_marker("django_db")
        if (
            item.get_closest_marker("browser") is None
            or db is None
            or not db.kwargs.get("transaction")
            or not db.kwargs.get("serialized_rollback")
        ):
            wrong.append(item.nodeid)
    if wrong:
        raise pytest.UsageError(
            "Browser tests need @pytest.mark.browser and "
            "@pytest.mark.django_db(transaction=True, serialized_rollback=True) "
            "(tests/browser/conftest.py): " + ", ".join(wrong)
        )


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args, live_server):
    return {
        **browser_context_args,
        "base_url": live_server.url,
        "locale": "sv-SE",
        "timezone_id": settings.TIME_ZONE,
        "viewport": {"width": 1280, "height": 900},
    }


@pytest.fixture
def login(live_server) -> Callable:
    """``login(page, user)``: the browser is logged in as ``user`` without going through the
    login form (test_layout.py tests the form itself): the session cookie that
    ``Client.force_login`` makes is handed to the page's browser context."""

    def log_in(page, user) -> None:
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        page.context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": cookie.value,
                    "url": live_server.url,
                    "httpOnly": True,
                    "sameSite": "Lax",
                }
            ]
        )

    return log_in


def axe_violations(page) -> list[dict]:
    """Run axe-core on the page as it is now and return its WCAG 2.0/2.1 A and AA violations."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol, which the page's Content-Security-Policy
        # does not govern (a <script> tag with the code would be refused by it).
        page.evaluate(AXE_JS.read_text())
    results = page.evaluate(
        """async (tags) => await axe.run(document, {
            runOnly: {type: "tag", values: tags},
            resultTypes: ["violations"],
        })""",
        AXE_TAGS,
    )
    return results["violations"]


def format_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation.get('impact') or 'n/a'}): {violation['help']}"
            f"  <{violation['helpUrl']}>"
        )
        for node in violation["nodes"]:
            target = json.dumps(node.get("target"), ensure_ascii=False)
            summary = " ".join((node.get("failureSummary") or "").split())
            lines.append(f"    at {target}: {summary}")
            lines.append(f"      {node.get('html', '')[:200]}")
    return "\n".join(lines)


@pytest.fixture(scope="session")
def html_validator():
    """The Nu Html Checker, one service per test session (tests/browser/html_validator.py)."""
    validator = HtmlValidator()
    yield validator
    validator.stop()


@pytest.fixture
def document_log(html_validator) -> DocumentLog:
    return DocumentLog()


class CspViolations(list):
    """What the browser refused under the Content-Security-Policy, from its console: an
    inline script or style, an eval, a resource from elsewhere. Every browser test ends with
    none (the ``context`` fixture), and ``assert_accessible`` checks it on each page."""

    def watch(self, context) -> None:
        def heard(message) -> None:
            if "Content Security Policy" in message.text:
                page = message.page.url if message.page else "?"
                self.append(f"{page}: {message.text}")

        context.on("console", heard)

    def report(self) -> str:
        return f"{len(self)} Content-Security-Policy violation(s):\n" + "\n".join(self)


@pytest.fixture
def csp_violations() -> CspViolations:
    return CspViolations()


@pytest.fixture
def context(context, document_log, csp_violations):
    """pytest-playwright's browser context, with the HTML of every page it loads kept for
    ``assert_accessible``, and the console watched for CSP violations (none is allowed)."""
    document_log.watch(context)
    csp_violations.watch(context)
    yield context
    if csp_violations:
        pytest.fail(csp_violations.report(), pytrace=False)


@pytest.fixture
def assert_accessible(html_validator, document_log, csp_violations) -> Callable:
    """``assert_accessible(page)``: fails, listing every violation and where it is, unless
    axe-core finds nothing against WCAG 2.0 and 2.1 levels A and AA on the page and the Nu
    Html Checker no error in the HTML the server sent for it."""

    def check(page) -> None:
        if csp_violations:
            pytest.fail(csp_violations.report(), pytrace=False)
        violations = axe_violations(page)
        html = document_log.html(page)
        errors = html_validator.errors(html) if html is not None else []
        if violations or errors:
            pytest.fail(
                (
                    f"axe-core found {len(violations)} accessibility violation(s) on {page.url}:\n"
                    + format_violations(violations)
                    if violations
                    else ""
                )
                + (
                    f"\nThe Nu Html Checker found {len(errors)} error(s) in {page.url}:\n"
                    + format_errors(errors)
                    if errors
                    else ""
                ),
                pytrace=False,
            )

    return check
