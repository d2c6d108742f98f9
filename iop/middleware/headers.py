"""Response headers every page carries (OWASP ASVS V14.4), beyond what Django and django-csp set.

- ``Permissions-Policy``: the browser features the application never uses (camera, microphone,
  geolocation, payment …) are switched off for it and anything it could embed
  (``PERMISSIONS_POLICY`` in the settings).
- ``Cache-Control: no-store, private`` on every response to a logged-in user that does not say
  itself how it may be cached: pages and downloads with case data stay out of the browser's
  disk cache and out of shared proxies. A view that sets Cache-Control (the public register's
  ``max-age``, the calendar feed) keeps its own; static files never reach this middleware
  (WhiteNoise answers them earlier in MIDDLEWARE).

Content-Security-Policy comes from django-csp (``CONTENT_SECURITY_POLICY``); Referrer-Policy,
X-Content-Type-Options, Cross-Origin-Opener-Policy from Django's SecurityMiddleware; X-Frame-
Options from XFrameOptionsMiddleware.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

PRIVATE_NO_STORE = "no-store, private"


def permissions_policy_header(policy: dict[str, list[str]]) -> str:
    """``{"camera": [], "fullscreen": ["self"]}`` → ``camera=(), fullscreen=(self)``."""
    return ", ".join(f"{feature}=({' '.join(allow)})" for feature, allow in policy.items())


class SecurityHeadersMiddleware:
    """Sets Permissions-Policy on every response and ``Cache-Control: no-store, private`` on a
    logged-in user's responses that set no Cache-Control of their own. Placed after
    AuthenticationMiddleware (it reads ``request.user``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]):
        self.get_response = get_response
        self.permissions_policy = permissions_policy_header(
            getattr(settings, "PERMISSIONS_POLICY", {})
        )

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if self.permissions_policy:
            response.headers.setdefault("Permissions-Policy", self.permissions_policy)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and "Cache-Control" not in response:
            response["Cache-Control"] = PRIVATE_NO_STORE
        return response
