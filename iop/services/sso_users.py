"""The user record a single sign-on (OIDC) login creates or brings up to date.

The identity provider is the source of truth for a signed-on user's name, e-mail and roles:
every login replaces the user's role groups with those its claims map to (``iop.oidc``);
groups that are not roles are left alone."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from ..constants import Role


@transaction.atomic
def sso_user_sync(
    *,
    user: Any | None,
    username: str,
    email: str,
    first_name: str,
    last_name: str,
    roles: Iterable[Role],
) -> Any:
    """Create the user (``user=None``) or update it from the identity provider's claims."""
    User = get_user_model()
    if user is None:
        user = User(username=username)
        user.set_unusable_password()
    else:
        user = User.objects.select_for_update().get(pk=user.pk)
    roles = sorted({Role(role) for role in roles})
    user.email = email
    user.first_name = first_name[:150]
    user.last_name = last_name[:150]
    user.is_staff = bool(roles) or user.is_superuser
    user.save()
    role_groups = Group.objects.filter(name__in=[r.value for r in roles])
    user.groups.remove(*user.groups.filter(name__in=Role.values).exclude(pk__in=role_groups))
    user.groups.add(*role_groups)
    return user
