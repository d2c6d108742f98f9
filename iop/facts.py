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
    # The term and the action plan's follow-up routine (DOMAIN.md §3 stage 6, §6.5):
    # "fixed" (``term_years``) or "until_further_notice" (revision every
    # ``revision_interval_years``); the notice period; the check-in meetings a year.
    term_kind: str = ""
    term_years: int | None = None
    revision_interval_years: int | None = None
    notice_months: int = 6
    checkins_per_year: int = 2
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


# --- The committee's decisions, for the follow-up (the decisions spoke provides them) --------


@dataclass(frozen=True)
class DecisionFacts:
    """A recorded committee decision on a case: ``kind`` is the matter's kind ("new_iop",
    "follow_up", "renegotiation", "follow_up_renegotiation", "ending"), ``decided_on`` the
    meeting's date, ``reference`` «Kultur- och bildningsnämnden 12 maj 2026 § 45»."""

    decision_id: int
    kind: str
    approves: bool
    decided_on: datetime.date
    reference: str
    url: str = ""

    @property
    def is_follow_up(self) -> bool:
        return self.kind in ("follow_up", "follow_up_renegotiation")

    @property
    def is_renegotiation(self) -> bool:
        return self.kind in ("renegotiation", "follow_up_renegotiation")


_decision_facts: list[Callable[[Case], tuple[DecisionFacts, ...]]] = []


def provide_decision_facts(provider: Callable[[Case], tuple[DecisionFacts, ...]]) -> None:
    """Called once by the decisions spoke's ``ready()``."""
    _decision_facts[:] = [provider]


def decision_facts(case: Case) -> tuple[DecisionFacts, ...]:
    """The case's recorded decisions, oldest first (empty when no spoke provides them)."""
    return _decision_facts[0](case) if _decision_facts else ()


# --- Asking the committee's spoke for a matter (follow-up, renegotiation, ending) ------------


@dataclass(frozen=True)
class FollowUpTexts:
    """The follow-up attachment's five headings (DOMAIN.md §7), as the follow-up report
    writes them."""

    cooperation: str
    background: str
    contributions: str
    goal_fulfilment: str
    development: str


@dataclass(frozen=True)
class MatterRequest:
    """What another spoke asks the committee's spoke to prepare: ``kind`` as in
    ``DecisionFacts``; the follow-up texts fill the follow-up attachment; an amount change
    (per full year, from a date) makes it a follow-up and renegotiation matter; ``end_date``
    is the ending matter's last day."""

    kind: str
    follow_up: FollowUpTexts | None = None
    amount_change: Decimal | None = None
    change_from: datetime.date | None = None
    end_date: datetime.date | None = None


@dataclass(frozen=True)
class PreparedMatter:
    matter_id: int
    title: str
    url: str
    created: bool  # False: an open matter of the kind existed and was filled in


class MatterNotPrepared(Exception):
    """The committee's spoke refused (the stage, an open matter, …): ``messages`` say why."""

    def __init__(self, messages: list[str]):
        super().__init__("; ".join(str(m) for m in messages))
        self.messages = [str(m) for m in messages]


_matter_preparer: list[Callable[..., PreparedMatter]] = []


def provide_matter_preparer(preparer: Callable[..., PreparedMatter]) -> None:
    """Called once by the decisions spoke's ``ready()``: ``preparer(case=, actor=, request=)``."""
    _matter_preparer[:] = [preparer]


def prepare_matter(*, case: Case, actor, request: MatterRequest) -> PreparedMatter:
    """Ask the committee's spoke to prepare (or fill in its open) matter of ``request.kind``;
    raises ``MatterNotPrepared`` with the reasons when it cannot, or when no spoke provides
    matters."""
    if not _matter_preparer:
        raise MatterNotPrepared(["No committee matters are available in this installation."])
    return _matter_preparer[0](case=case, actor=actor, request=request)
