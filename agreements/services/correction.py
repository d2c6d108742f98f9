"""Correcting a draft in the Django admin: the version's fields and its rows on one page,
with the same locks and checks as the agreement's own pages."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from ..models import AgreementSection, AgreementVersion
from .common import EditConflict, ensure_editable, lock_version, save_rows


@transaction.atomic
def draft_rows_correct(*, actor: Any, version: AgreementVersion, changed: Iterable[Any]) -> None:
    """Write rows of a draft corrected in the admin (after ``version_update`` checked the
    page's revision in the same transaction). A heading's text carries the revision it was
    opened at: if someone saved it since, nothing is written (``EditConflict``)."""
    locked = lock_version(version)
    ensure_editable(locked, actor)
    changed = list(changed)
    sections = [row for row in changed if isinstance(row, AgreementSection)]
    saved = dict(
        AgreementSection.objects.filter(pk__in=[s.pk for s in sections]).values_list(
            "pk", "revision"
        )
    )
    for section in sections:
        if saved.get(section.pk) != section.revision:
            raise EditConflict(section)
        section.revision += 1
        section.updated_by = actor
    save_rows(locked, actor=actor, changed=changed)
