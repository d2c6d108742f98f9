"""Changing a case's details: what was typed at registration and the planning sheets.

Not its stage (``case_transition``), its registry number (fixed at registration) or who handles
it (``case_assign_officer``): each of those has its own service and its own event."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from .. import permissions
from ..models import Case
from .common import lock_case

# Set by registration and the transitions, never typed over (in the order the admin shows them).
SET_BY_THE_SERVICES = (
    "registry_number",
    "registry_year",
    "registry_serial",
    "public_body",
    "status",
    "status_changed_at",
    "closing_reason",
    "notice_date",
    "notice_given_by",
    "created_by",
    "created_at",
    "updated_at",
)
# Who handles the case changes through ``case_assign_officer``, with its event and e-mail.
NOT_DETAILS = frozenset({*SET_BY_THE_SERVICES, "officer", "substitute"})


def editable_fields() -> frozenset[str]:
    """The fields of a case ``case_update`` changes (the many-to-many parties included)."""
    return frozenset(
        f.name
        for f in Case._meta.get_fields()
        if (getattr(f, "concrete", False) or f.many_to_many)
        and not f.auto_created
        and f.name not in NOT_DETAILS
    )


@transaction.atomic
def case_update(*, case: Case, actor: Any, **fields: Any) -> Case:
    """Change some details of the case; the others are kept. The organisations and public
    parties are given as the full new set. Only whoever may change the case may do this."""
    unknown = set(fields) - editable_fields()
    if unknown:
        raise ValueError(f"Not a detail of the case that can be changed: {sorted(unknown)}")
    locked = lock_case(case)
    permissions.ensure_can_change_case(locked, actor)
    many = {
        name: fields.pop(name) for name in list(fields) if Case._meta.get_field(name).many_to_many
    }
    changed = [name for name, value in fields.items() if getattr(locked, name) != value]
    for name in changed:
        setattr(locked, name, fields[name])
    locked._history_user = actor
    if changed:
        locked.save(update_fields=[*changed, "updated_at"])
    for name, values in many.items():
        values = set(values)
        if name == "public_bodies":
            # The public body of the responsible committee is always a party.
            values.add(locked.public_body)
        if values != set(getattr(locked, name).all()):
            getattr(locked, name).set(values)
    return locked
