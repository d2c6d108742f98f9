"""Single sign-on with the region's identity provider (OpenID Connect, mozilla-django-oidc).

Off unless ``OIDC_ENABLED``. The provider's ``groups`` claim decides who gets in and as what:
``OIDC_GROUP_ROLE_MAP`` maps the provider's group names to our role groups
(``iop.constants.Role`` values). A user none of whose groups maps to a role is refused, as
the staff password login refuses a user without a role (``iop.auth_backends``); a user who
gets in has exactly the mapped roles, set again at every login.

The URLs (``urlpatterns`` below, included under ``/oidc/`` by ``iop.urls`` when enabled) are
public: the login-required middleware must let the browser reach them before it is logged in.
"""

from __future__ import annotations

import logging

from mozilla_django_oidc.auth import OIDCAuthenticationBackend, default_username_algo
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ImproperlyConfigured
from django.urls import path

from .constants import Role
from .services.sso_users import sso_user_sync

audit = logging.getLogger("iop.audit")


def group_role_map() -> dict[str, Role]:
    """``OIDC_GROUP_ROLE_MAP`` checked: every value must name one of our roles."""
    mapping = getattr(settings, "OIDC_GROUP_ROLE_MAP", {}) or {}
    unknown = sorted(str(v) for v in mapping.values() if v not in Role.values)
    if unknown:
        raise ImproperlyConfigured(
            f"OIDC_GROUP_ROLE_MAP names roles that do not exist: {', '.join(unknown)}; "
            f"the roles are {', '.join(Role.values)}"
        )
    return {str(group): Role(role) for group, role in mapping.items()}


def roles_from_claims(claims: dict) -> list[Role]:
    groups = claims.get(getattr(settings, "OIDC_GROUPS_CLAIM", "groups")) or []
    if isinstance(groups, str):
        groups = [groups]
    mapping = group_role_map()
    return sorted({mapping[g] for g in groups if g in mapping})


class IopOIDCBackend(OIDCAuthenticationBackend):
    """Creates and updates users from the provider's claims; no mapped group, no access."""

    def verify_claims(self, claims: dict) -> bool:
        if not claims.get("email"):
            audit.warning("sso refused", extra={"event": "sso_refused", "reason": "no e-mail"})
            return False
        if not roles_from_claims(claims):
            audit.warning(
                "sso refused",
                extra={"event": "sso_refused", "username": claims["email"], "reason": "no role"},
            )
            return False
        return True

    def get_username(self, claims: dict) -> str:
        wanted = (claims.get("preferred_username") or "").strip()[:150]
        if wanted and not self.UserModel.objects.filter(username=wanted).exists():
            return wanted
        return default_username_algo(claims.get("email"), claims)

    def _sync(self, user, claims: dict):
        return sso_user_sync(
            user=user,
            username=user.get_username() if user else self.get_username(claims),
            email=claims["email"],
            first_name=claims.get("given_name", "") or "",
            last_name=claims.get("family_name", "") or "",
            roles=roles_from_claims(claims),
        )

    def create_user(self, claims: dict):
        return self._sync(None, claims)

    def update_user(self, user, claims: dict):
        return self._sync(user, claims)


urlpatterns = [
    path(
        "authenticate/",
        login_not_required(OIDCAuthenticationRequestView.as_view()),
        name="oidc_authentication_init",
    ),
    path(
        "callback/",
        login_not_required(OIDCAuthenticationCallbackView.as_view()),
        name="oidc_authentication_callback",
    ),
]
