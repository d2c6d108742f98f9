"""How a user is named on screens, in exports and in documents. Here, in the bottom layer, so
that every app names people the same way."""

from __future__ import annotations

from typing import Any


def display_name(user: Any) -> str:
    """The user's full name, or the username when no name is recorded; "" for no user."""
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()
