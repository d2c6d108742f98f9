"""Saving a draft's action plan (DOMAIN.md §6.5): the plan's own fields and its activities,
from the revision of the draft the user edited."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from ..models import ActionPlanActivity, AgreementVersion
from .common import save_rows
from .drafting import version_update


@transaction.atomic
def plan_save(
    *,
    actor: Any,
    version: AgreementVersion,
    revision: int,
    data: dict[str, Any],
    changed: Iterable[ActionPlanActivity] = (),
    deleted: Iterable[ActionPlanActivity] = (),
) -> AgreementVersion:
    """The plan's fields through ``version_update`` (which locks the draft, checks
    ``revision`` and bumps it once), then the activities."""
    locked = version_update(version=version, data=data, revision=revision, actor=actor)
    save_rows(locked, actor=actor, changed=changed, deleted=deleted)
    return locked
