"""What the organisation screens need from the registry (diariet) and the cases, which live
in the layer above.

``partners`` is the bottom layer: it imports nothing from the hub. It declares here the few
things it asks of the hub, and the hub (``iop``) provides them from its ``AppConfig.ready()``
with ``provide(...)``. The organisation's documents are numbered in the hub's registry series,
and one registered in a case is a line of the hub's registry (diariet) of that case, numbered
within it (``register``); which cases a user may see or register in is the hub's rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet


@dataclass(frozen=True)
class Matter:
    """The matter (ärende) a document is registered in: its registry number, the public body
    whose registry holds it, and the next free document number within it."""

    number: str
    public_body: Any
    next_serial: int


@dataclass(frozen=True)
class Registration:
    """A document's line in the hub's registry: the full number (``RV 2026/00012-3``), the
    matter's (case's) number and the running number within it. ``entry`` is the hub's row,
    handed back to ``Diarium.attach`` once the document is saved."""

    number: str
    matter_number: str
    serial: int
    entry: Any


class Diarium(Protocol):
    def cases_of(self, *, organisation: Any, user: Any) -> QuerySet:
        """The organisation's cases the user may see, newest first."""

    def cases_to_register_in(self, *, user: Any, organisation: Any = None) -> QuerySet:
        """The cases (of ``organisation``, if given) the user may register a document in."""

    def case_matter(self, *, case: Any, organisation: Any, actor: Any) -> Matter:
        """Lock ``case`` for the rest of the transaction and return it as the matter the
        organisation's document is registered in. Raises ``ValidationError`` (on ``case``)
        if the case is not the organisation's, ``PermissionDenied`` if ``actor`` may not
        register in it."""

    def open_matter(self, *, public_body: Any) -> str:
        """Reserve and return the next registry number of ``public_body``'s registry."""

    def register(
        self,
        *,
        case: Any,
        actor: Any,
        kind: str,
        description: str,
        direction: str,
        counterpart: str,
        registered_on: Any = None,
    ) -> Registration:
        """Register a document in ``case`` (a line of the registry with the next number, and
        the case's timeline entry), in the caller's transaction: a rollback takes the line
        and its number back. ``kind`` is ``"partners.<document kind>"``, ``direction`` one of
        the hub's directions (``"incoming"``, ``"drawn_up"``, ``"outgoing"``)."""

    def attach(self, *, registration: Registration, document: Any, actor: Any) -> None:
        """Point the registered line at the saved ``document`` (its download, the register's
        link)."""

    def correct(
        self, *, document: Any, actor: Any, kind: str, description: str, registered_on: Any
    ) -> None:
        """Carry a correction of the registered ``document`` to its line (nothing if it has
        none); the number stays."""


_provided: list[Diarium] = []


def provide(diarium: Diarium) -> None:
    """Called once by the hub's ``AppConfig.ready()``."""
    _provided[:] = [diarium]


def diarium() -> Diarium:
    if not _provided:
        raise ImproperlyConfigured("No registry is provided to partners (see partners.diarium).")
    return _provided[0]
