"""Registering and changing a partner organisation."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from ..models import Organisation
from .common import save_recorded


@transaction.atomic
def organisation_create(*, actor: Any, **fields: Any) -> Organisation:
    """Register a new partner organisation (name, organisation number, address …)."""
    return save_recorded(Organisation(**fields), actor)


@transaction.atomic
def organisation_update(*, organisation: Organisation, actor: Any, **fields: Any) -> Organisation:
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    for name, value in fields.items():
        setattr(organisation, name, value)
    return save_recorded(organisation, actor)
