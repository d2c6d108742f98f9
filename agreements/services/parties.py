"""Saving a draft's parties: who signs for each, in which order, the contact persons and each
party's money per full year. The parties themselves come from the case."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from ..models import AgreementParty, AgreementVersion
from .common import save_rows
from .drafting import lock_draft


@transaction.atomic
def parties_save(
    *, actor: Any, version: AgreementVersion, revision: int, changed: Iterable[AgreementParty]
) -> AgreementVersion:
    """Write the changed parties of the draft, unless someone saved it since ``revision``."""
    locked = lock_draft(version, revision=revision, actor=actor)
    changed = list(changed)
    if any(party.pk is None for party in changed):
        raise ValueError("the parties come from the case: none are added here")
    save_rows(locked, actor=actor, changed=changed)
    return locked
