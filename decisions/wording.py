"""The committee's words: the decision points, the title and the prefilled texts of a matter,
generated from the case in the wording of DOMAIN.md §7 — "Uppföljning av idéburet offentligt
partnerskap (IOP) mellan Region Värmland och Brottsofferjouren Värmland godkänns." — with
the parties named as in the agreement, amounts as «50 000 kronor per helår» and dates as
«1 juni 2026».

Documents are written in the installation's language (``settings.LANGUAGE_CODE``, Swedish),
whatever the language of the user who prepares them.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils import formats, translation
from django.utils.translation import gettext as _

from iop.facts import AgreementFacts, agreement_facts
from iop.models import Case

from .constants import MatterKind


def kronor(amount: Decimal | int) -> str:
    """«50 000 kronor»: whole kronor, thousands grouped by a space."""
    value = int(Decimal(amount).copy_abs().to_integral_value())
    grouped = f"{value:,}".replace(",", " ")
    return _("%(amount)s kronor") % {"amount": grouped}


def long_date(on: datetime.date) -> str:
    """«1 juni 2026»."""
    return formats.date_format(on, "j F Y")


def enumerate_names(names: Iterable[str]) -> str:
    """«A», «A och B», «A, B och C»."""
    names = [n for n in names if n]
    if len(names) <= 1:
        return "".join(names)
    return _("%(first)s and %(last)s") % {"first": ", ".join(names[:-1]), "last": names[-1]}


@dataclass(frozen=True)
class Parties:
    public: tuple[str, ...]
    organisations: tuple[str, ...]

    @property
    def all(self) -> str:
        return enumerate_names(self.public + self.organisations)

    @property
    def organisation_names(self) -> str:
        return enumerate_names(self.organisations)


def parties_of(case: Case, facts: AgreementFacts | None) -> Parties:
    """The parties as the agreement names them; before there is one, as the case does."""
    if facts is not None and facts.parties:
        return Parties(
            public=tuple(p.name for p in facts.public_parties),
            organisations=tuple(p.name for p in facts.organisations),
        )
    public = [b.name for b in case.public_bodies.all()] or [case.public_body.name]
    if case.public_body.name not in public:
        public.insert(0, case.public_body.name)
    return Parties(
        public=tuple(public), organisations=tuple(o.name for o in case.organisations.all())
    )


@dataclass(frozen=True)
class Point:
    key: str
    text: str


def _change_point(parties: Parties, amount_change: Decimal, change_from: datetime.date) -> Point:
    values = {
        "parties": parties.all,
        "amount": kronor(amount_change),
        "date": long_date(change_from),
    }
    if amount_change >= 0:
        text = _(
            "The idea-based public partnership (IOP) between %(parties)s is increased by "
            "%(amount)s per full year starting from %(date)s."
        )
    else:
        text = _(
            "The idea-based public partnership (IOP) between %(parties)s is reduced by "
            "%(amount)s per full year starting from %(date)s."
        )
    return Point("amount_change", text % values)


def decision_points(
    *,
    case: Case,
    kind: MatterKind,
    facts: AgreementFacts | None = None,
    amount_change: Decimal | None = None,
    change_from: datetime.date | None = None,
    end_date: datetime.date | None = None,
) -> list[Point]:
    """The numbered points of *Förslag till beslut* for a matter of ``kind``."""
    with translation.override(settings.LANGUAGE_CODE):
        parties = parties_of(case, facts)
        values = {"parties": parties.all}
        points: list[Point] = []
        if kind == MatterKind.NEW_IOP:
            points.append(
                Point(
                    "approve_agreement",
                    _(
                        "The idea-based public partnership (IOP) between %(parties)s is entered "
                        "into, and the agreement is approved."
                    )
                    % values,
                )
            )
            for party in facts.public_parties if facts else ():
                if party.annual_amount is None:
                    continue
                amount = {"body": party.name, "amount": kronor(party.annual_amount)}
                if facts.start_date:
                    amount["date"] = long_date(facts.start_date)
                    text = _(
                        "The contribution of %(body)s is %(amount)s per full year starting "
                        "from %(date)s."
                    )
                else:
                    text = _("The contribution of %(body)s is %(amount)s per full year.")
                points.append(Point(f"amount_{party.public_body_id}", text % amount))
        if kind.has_follow_up:
            points.append(
                Point(
                    "follow_up",
                    _(
                        "The follow-up of the idea-based public partnership (IOP) between "
                        "%(parties)s is approved."
                    )
                    % values,
                )
            )
        if kind.changes_amount and amount_change is not None and change_from is not None:
            points.append(_change_point(parties, amount_change, change_from))
        if kind == MatterKind.ENDING:
            if end_date is not None:
                text = _(
                    "The idea-based public partnership (IOP) between %(parties)s ends on %(date)s."
                ) % {**values, "date": long_date(end_date)}
            else:
                text = _("The idea-based public partnership (IOP) between %(parties)s ends.") % (
                    values
                )
            points.append(Point("ending", text))
            points.append(Point("wind_down", _("The wind-down plan is approved.")))
        return points


def matter_title(*, case: Case, kind: MatterKind, facts: AgreementFacts | None = None) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        names = {"organisations": parties_of(case, facts).organisation_names}
        titles = {
            MatterKind.NEW_IOP: _("Idea-based public partnership (IOP) with %(organisations)s"),
            MatterKind.FOLLOW_UP: _(
                "Follow-up of the idea-based public partnership (IOP) with %(organisations)s"
            ),
            MatterKind.RENEGOTIATION: _(
                "Renegotiation of the idea-based public partnership (IOP) with %(organisations)s"
            ),
            MatterKind.FOLLOW_UP_RENEGOTIATION: _(
                "Follow-up and renegotiation of the idea-based public partnership (IOP) with "
                "%(organisations)s"
            ),
            MatterKind.ENDING: _(
                "Ending of the idea-based public partnership (IOP) with %(organisations)s"
            ),
        }
        return titles[kind] % names


def resolution_intro(committee_name: str) -> str:
    """«Kultur- och bildningsnämnden beslutar att»."""
    with translation.override(settings.LANGUAGE_CODE):
        return _("%(committee)s decides") % {"committee": committee_name}


def economic_consequences(
    *,
    kind: MatterKind,
    facts: AgreementFacts | None,
    public_body_id: int | None,
    amount_change: Decimal | None = None,
    change_from: datetime.date | None = None,
) -> str:
    """The prefilled *Ekonomiska konsekvenser*: each public party's money per full year from
    the agreement, and the change the matter proposes with the new amount."""
    with translation.override(settings.LANGUAGE_CODE):
        if facts is None:
            return ""
        lines = []
        for party in facts.public_parties:
            if party.annual_amount is None:
                continue
            values = {"body": party.name, "amount": kronor(party.annual_amount)}
            if kind == MatterKind.NEW_IOP:
                lines.append(_("%(body)s contributes %(amount)s per full year.") % values)
            else:
                lines.append(_("%(body)s contributes %(amount)s per full year today.") % values)
        own = [c for c in facts.contributions if c.party in {p.name for p in facts.organisations}]
        if own:
            first_year = min(c.year for c in own)
            money = sum((c.money for c in own if c.year == first_year), Decimal(0))
            in_kind = sum((c.in_kind for c in own if c.year == first_year), Decimal(0))
            lines.append(
                _(
                    "The organisation contributes %(money)s in money and work and other "
                    "contributions worth %(in_kind)s in %(year)s, according to the agreement's "
                    "budget."
                )
                % {"money": kronor(money), "in_kind": kronor(in_kind), "year": first_year}
            )
        if kind.changes_amount and amount_change is not None and change_from is not None:
            current = facts.annual_amount_of(public_body_id) if public_body_id else None
            values = {"amount": kronor(amount_change), "date": long_date(change_from)}
            if amount_change >= 0:
                text = _(
                    "The proposal increases the amount by %(amount)s per full year from %(date)s"
                )
            else:
                text = _(
                    "The proposal reduces the amount by %(amount)s per full year from %(date)s"
                )
            text = text % values
            if current is not None:
                text += _(", to %(new)s per full year") % {"new": kronor(current + amount_change)}
            lines.append(text + ".")
        if kind == MatterKind.ENDING:
            lines.append(
                _(
                    "When the partnership ends, the payments end with it, as the wind-down plan sets out."
                )
            )
        return "\n\n".join(lines)


def contributions_text(facts: AgreementFacts | None) -> str:
    """The follow-up attachment's «Contributions of the parties (money and work)», per year
    and party from the agreement's budget."""
    with translation.override(settings.LANGUAGE_CODE):
        if facts is None:
            return ""
        lines = []
        for c in facts.contributions:
            values = {
                "year": c.year,
                "party": c.party,
                "money": kronor(c.money),
                "in_kind": kronor(c.in_kind),
            }
            lines.append(
                _("%(year)s – %(party)s: %(money)s in money, %(in_kind)s in work and kind.")
                % values
            )
        return "\n".join(lines)


def background_text(case: Case, facts: AgreementFacts | None) -> str:
    """The follow-up attachment's «Background, purpose and goals»: the agreement's background
    (the plan or strategy it serves), purpose and goals, and the societal challenge."""
    with translation.override(settings.LANGUAGE_CODE):
        parts = []
        if facts is not None:
            parts += [facts.background, facts.purpose, facts.goals]
        if case.societal_challenge:
            parts.append(
                _("The societal challenge: %(challenge)s") % {"challenge": case.societal_challenge}
            )
        return "\n\n".join(p.strip() for p in parts if p and p.strip())


def cooperation_text(case: Case, active_count: int) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return _(
            "%(body)s has %(count)s active idea-based public partnerships under %(committee)s."
        ) % {
            "body": case.public_body.name,
            "count": active_count,
            "committee": case.committee.name,
        }


def facts_of(case: Case) -> AgreementFacts | None:
    return agreement_facts(case)
