"""What the organisation's write use cases share: validate, record who did it, save."""

from __future__ import annotations

from typing import Any


def save_recorded(obj, actor: Any, *, exclude: list[str] | None = None):
    """Validate ``obj`` and save it with ``actor`` as the history's user."""
    obj._history_user = actor
    obj.full_clean(exclude=exclude)
    obj.save()
    return obj


def delete_recorded(obj, actor: Any) -> None:
    """Delete ``obj`` with ``actor`` as the history's user (the deletion is recorded)."""
    obj._history_user = actor
    obj.delete()
