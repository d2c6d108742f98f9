"""Saving a draft's co-financing budget (DOMAIN.md §6.2): its lines, changed, added and
deleted in one go, from the revision of the draft the user edited."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from ..models import AgreementVersion, BudgetLine
from .common import save_rows
from .drafting import lock_draft


@transaction.atomic
def budget_save(
    *,
    actor: Any,
    version: AgreementVersion,
    revision: int,
    changed: Iterable[BudgetLine] = (),
    deleted: Iterable[BudgetLine] = (),
) -> AgreementVersion:
    """Write the draft's budget lines, unless someone saved the draft since ``revision``
    (``EditConflict``). Simple-history records each changed and deleted line with who did it.
    Returns the draft at its new revision."""
    locked = lock_draft(version, revision=revision, actor=actor)
    save_rows(locked, actor=actor, changed=changed, deleted=deleted)
    return locked
