"""What one spoke knows about a case that another needs, as plain data through the hub.

Spokes never import each other. The committee's documents need the agreement's parties and
money; the agreement's spoke provides them here (``provide_agreement_facts`` from its
``ready()``) and any spoke reads them with ``agreement_facts(case)``. The facts are frozen
dataclasses of names, numbers and texts: no model of the providing spoke leaks through.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import Case


@dataclass(frozen=True)
class PartyFacts:
    """A party as the agreement names it; ``annual_amount`` is a public party's money per
    full year (None for an organisation or when not set)."""

    name: str
    is_public: bool
    public_body_id: int | None = None
    organisation_id: int | None = None
    annual_amount: Decimal | None = None
    signatory_name: str = ""
    signatory_title: str = ""


@dataclass(frozen=True)
class ContributionFacts:
    """A party's contributions in one year: money, and work and other contributions in kind
    (valued in kronor), as in the agreement's budget."""

    party: str
    year: int
    money: Decimal
    in_kind: Decimal
    descriptions: tuple[str, ...] = ()


@dataclass(frozen=True)
class AgreementFacts:
    """The version in force (or, before signing, the one the committee decides on)."""

    version_id: int
    version_number: int
    status: str
    is_signed: bool
    start_date: datetime.date | None
    parties: tuple[PartyFacts, ...]
    background: str  # the agreement's background: the plan or strategy, the challenge
    purpose: str
    goals: str
    contributions: tuple[ContributionFacts, ...] = ()
    render_pdf: Callable[[], bytes] | None = field(default=None, compare=False)
    pdf_title: str = ""

    @property
    def public_parties(self) -> tuple[PartyFacts, ...]:
        return tuple(p for p in self.parties if p.is_public)

    @property
    def organisations(self) -> tuple[PartyFacts, ...]:
        return tuple(p for p in self.parties if not p.is_public)

    def annual_amount_of(self, public_body_id: int) -> Decimal | None:
        return next(
            (p.annual_amount for p in self.public_parties if p.public_body_id == public_body_id),
            None,
        )


_agreement_facts: list[Callable[[Case], AgreementFacts | None]] = []


def provide_agreement_facts(provider: Callable[[Case], AgreementFacts | None]) -> None:
    """Called once by the agreements spoke's ``ready()``."""
    _agreement_facts[:] = [provider]


def agreement_facts(case: Case) -> AgreementFacts | None:
    """The case's agreement as plain facts, or None (no agreement, or no spoke provides it)."""
    return _agreement_facts[0](case) if _agreement_facts else None
