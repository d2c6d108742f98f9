"""The refusals every app raises: a transition or write refused, with the rules that stopped it."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied


class TransitionRefused(Exception):
    """A transition (or a write) was refused; ``reasons`` holds the rules that stopped it, in
    Swedish, as the user reads them."""

    def __init__(self, reasons: Iterable[str]):
        self.reasons = [str(r) for r in reasons]
        super().__init__(" ".join(self.reasons))


class TransitionForbidden(TransitionRefused, PermissionDenied):
    """Refused because of who is asking (views answer 403)."""
