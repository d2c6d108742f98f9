"""Every response carries the security headers (OWASP ASVS V14.4), a logged-in user's pages and
downloads are never stored by the browser or a proxy, the pages have no inline script or
style for the Content-Security-Policy to block (Django admin included), and admin lives at
the configured path."""

from __future__ import annotations

import importlib
import re

import pytest

from django.conf import settings
from django.test import override_settings
from django.urls import Resolver404, clear_url_caches, resolve, reverse

from iop.constants import CaseStatus, DocumentDirection
from iop.models import CaseDocument
from iop.services import case_document_register
from iop.tests.factories import CaseFactory, UserFactory
from partners.tests import upload_files as files

pytestmark = pytest.mark.django_db

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
EVERY_RESPONSE = {
    "Content-Security-Policy": CSP,
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}
# An inline <script> (one without src=), an on…= handler, a style= attribute or a <style> block.
INLINE = re.compile(
    r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>"
    r"|\son[a-z]+\s*=|\sstyle\s*=|<style[\s>]",
    re.IGNORECASE,
)


def _sorted_directives(header: str) -> list[str]:
    return sorted(part.strip() for part in header.split(";"))


def assert_security_headers(response) -> None:
    for name, value in EVERY_RESPONSE.items():
        if name == "Content-Security-Policy":
            assert _sorted_directives(response[name]) == _sorted_directives(value)
        else:
            assert response[name] == value, name
    policy = response["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in policy


def assert_no_inline_code(response) -> None:
    html = response.content.decode()
    found = INLINE.findall(html)
    assert not found, f"inline script or style the CSP would block: {found[:3]}"


@pytest.fixture
def world(officer):
    """A case with a registered document, its officer and a superuser."""
    case = CaseFactory(officer=officer, status=CaseStatus.WINDING_DOWN)
    document = case_document_register(
        actor=officer,
        case=case,
        kind=CaseDocument.Kind.WIND_DOWN_PLAN,
        title="Avvecklingsplan",
        file=files.upload("plan.pdf", files.pdf_bytes()),
        direction=DocumentDirection.INCOMING,
    )
    admin = UserFactory(username="admin", is_staff=True, is_superuser=True)
    return {"officer": officer, "admin": admin, "case": case, "document": document}


def test_an_anonymous_page_carries_every_header(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert_security_headers(response)
    assert_no_inline_code(response)


def test_the_public_register_keeps_its_own_caching(client):
    response = client.get(reverse("oversight:public_register_json"))
    assert response.status_code == 200
    assert f"max-age={settings.PUBLIC_REGISTER_CACHE_SECONDS}" in response["Cache-Control"]
    assert "no-store" not in response["Cache-Control"]


@pytest.mark.parametrize(
    "screen",
    ["home", "cases:list", "case", "registry:list", "partners:list", "cases:export", "download"],
)
def test_a_logged_in_users_pages_and_downloads_are_never_stored(client, world, screen):
    client.force_login(world["officer"])
    if screen == "case":
        url = reverse("cases:detail", args=[world["case"].pk])
    elif screen == "download":
        url = world["document"].file.url
    elif screen == "cases:export":
        url = reverse(screen) + "?format=csv"
    else:
        url = reverse(screen)
    response = client.get(url)
    assert response.status_code == 200, url
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"] or response["Cache-Control"] == "no-store"
    assert_security_headers(response)
    if response["Content-Type"].startswith("text/html"):
        assert_no_inline_code(response)


@pytest.mark.parametrize("screen", ["index", "changelist", "change"])
def test_django_admin_renders_without_inline_script_or_style(client, world, screen):
    client.force_login(world["admin"])
    url = {
        "index": reverse("admin:index"),
        "changelist": reverse("admin:iop_case_changelist"),
        "change": reverse("admin:iop_case_change", args=[world["case"].pk]),
    }[screen]
    response = client.get(url)
    assert response.status_code == 200
    assert_security_headers(response)
    assert_no_inline_code(response)
    assert "no-store" in response["Cache-Control"]


def test_static_files_are_answered_before_the_cache_middleware():
    middleware = settings.MIDDLEWARE
    assert middleware.index("whitenoise.middleware.WhiteNoiseMiddleware") < middleware.index(
        "iop.middleware.headers.SecurityHeadersMiddleware"
    )
    assert middleware.index(
        "django.contrib.auth.middleware.AuthenticationMiddleware"
    ) < middleware.index("iop.middleware.headers.SecurityHeadersMiddleware")


def test_htmx_is_configured_for_the_csp(client, world):
    client.force_login(world["officer"])
    html = client.get(reverse("home")).content.decode()
    assert (
        """<meta name="htmx-config" content='{"includeIndicatorStyles": false, """
        """"allowEval": false, "allowScriptTags": false}'>"""
    ) in html


def _reload_urls():
    import iop.urls

    clear_url_caches()
    importlib.reload(iop.urls)


def test_admin_is_served_at_the_configured_path():
    try:
        with override_settings(ADMIN_URL="forvaltning-7f3a/"):
            _reload_urls()
            assert resolve("/forvaltning-7f3a/").url_name == "index"
            assert reverse("admin:index") == "/forvaltning-7f3a/"
            with pytest.raises(Resolver404):
                resolve("/admin/")
    finally:
        _reload_urls()
    assert reverse("admin:index") == "/admin/"
