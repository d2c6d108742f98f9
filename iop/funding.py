"""The double-funding check (issue 11): what else funds the organisations of a case.

For each organisation of the case — one row per organisation number (``partners.Organisation``
is unique on it), so "the organisation number's" IOPs are the organisation's — this reads
its other IOP cases in this installation, whatever public body registered them, and the
grants it declared (``partners.DeclaredGrant``, withdrawn ones left out). It warns when the
same activity appears funded twice: when an ongoing other IOP, or a grant for a year the case
runs in, has at least ``MIN_SHARED_WORDS`` significant words in common with what this case
sets out to do (its title, the idea and the planned activities).

A significant word is a word of at least four letters, lower-cased, that is not a Swedish
function word, not a word every IOP uses (förening, region, partnerskap …), and not a word of
the organisation's own name; words are compared on a light Swedish stem (the plural and
definite endings cut), so «träffpunkter» meets «träffpunkten». The check is a pointer for the
officer and the jurist, not a verdict: the warning names the words it matched.

A selector of the hub: reads only, in a constant number of queries (three at most, two when
the case's organisations are prefetched), and nothing of a spoke — the case's own fields say
what it is about.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.urls import reverse
from django.utils.translation import gettext as _

from partners.models import DeclaredGrant

from .constants import FINAL_STATUSES, CaseStatus
from .models import Case

MIN_SHARED_WORDS = 2
MIN_WORD_LENGTH = 4

# Swedish function words of four letters or more (shorter ones are left out by length).
STOP_WORDS = frozenset(
    [
        "alla",
        "allas",
        "allt",
        "alltid",
        "aldrig",
        "andra",
        "annan",
        "annat",
        "bara",
        "bland",
        "blev",
        "blir",
        "blivit",
        "både",
        "båda",
        "dagens",
        "denna",
        "deras",
        "dess",
        "dessa",
        "dessutom",
        "detta",
        "dina",
        "dock",
        "där",
        "därför",
        "efter",
        "eftersom",
        "egen",
        "egna",
        "eller",
        "emot",
        "enligt",
        "fler",
        "flera",
        "främst",
        "från",
        "fått",
        "genom",
        "hade",
        "hans",
        "hela",
        "henne",
        "hennes",
        "hela",
        "helt",
        "hennes",
        "här",
        "icke",
        "inför",
        "ingen",
        "inga",
        "inget",
        "inom",
        "inte",
        "kommer",
        "kring",
        "kunde",
        "kunna",
        "många",
        "mellan",
        "mera",
        "mest",
        "mina",
        "mitt",
        "mycket",
        "medan",
        "något",
        "några",
        "också",
        "redan",
        "samma",
        "samt",
        "sedan",
        "sina",
        "sitt",
        "själv",
        "skall",
        "skulle",
        "sådan",
        "sådana",
        "sådant",
        "till",
        "under",
        "utan",
        "vara",
        "varit",
        "vars",
        "vart",
        "varje",
        "vilka",
        "vilken",
        "vilket",
        "vill",
        "vilja",
        "ville",
        "våra",
        "vårt",
        "även",
        "ännu",
        "över",
        "andra",
        "bättre",
        "både",
        "tillsammans",
        "genom",
        "ofta",
        "olika",
        "samtidigt",
        "särskilt",
        "också",
    ]
)

# Words nearly every IOP and grant in the region uses: they say nothing about the activity.
COMMON_WORDS = frozenset(
    [
        "förening",
        "föreningen",
        "föreningens",
        "föreningar",
        "föreningarna",
        "föreningslivet",
        "region",
        "regionen",
        "regionens",
        "regional",
        "regionala",
        "värmland",
        "värmlands",
        "kommun",
        "kommunen",
        "kommunens",
        "kommuner",
        "partnerskap",
        "partnerskapet",
        "partnerskapets",
        "samarbete",
        "samarbetet",
        "idéburen",
        "idéburna",
        "idéburet",
        "organisation",
        "organisationen",
        "organisationens",
        "organisationer",
        "verksamhet",
        "verksamheten",
        "verksamhetsbidrag",
        "organisationsbidrag",
        "bidrag",
        "bidraget",
        "projekt",
        "projektet",
        "projektbidrag",
        "insats",
        "insatsen",
        "insatser",
        "stöd",
        "stödet",
        "stödja",
        "arbete",
        "arbetet",
        "arbeta",
        "arbetar",
        "utveckla",
        "utveckling",
        "utvecklingen",
        "personer",
        "människor",
    ]
)

# Plural, definite and genitive endings, longest first; a stem keeps at least four letters.
SUFFIXES = (
    "arnas", "ernas", "ornas", "heten", "heter", "arna", "erna", "orna", "ande", "ende",
    "ens", "ets", "het", "are", "en", "et", "ar", "er", "or", "na", "a", "e", "s",
)  # fmt: skip

_WORD = re.compile(r"[^\W\d_]+")


def _stem(word: str) -> str:
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= MIN_WORD_LENGTH:
            return word[: -len(suffix)]
    return word


def significant_words(text: str, *, ignore: Iterable[str] = ()) -> dict[str, str]:
    """The significant words of ``text``: {stem: the word as first written}, lower-cased."""
    ignored = STOP_WORDS | COMMON_WORDS | {w.lower() for w in ignore}
    words: dict[str, str] = {}
    for word in _WORD.findall(unicodedata.normalize("NFC", text or "").lower()):
        if len(word) < MIN_WORD_LENGTH or word in ignored:
            continue
        words.setdefault(_stem(word), word)
    return words


def shared_words(these: dict[str, str], those: dict[str, str]) -> tuple[str, ...]:
    """The words of ``these`` whose stem ``those`` has too, sorted."""
    return tuple(sorted(these[stem] for stem in these.keys() & those.keys()))


@dataclass(frozen=True)
class OtherCase:
    """Another IOP case of one of the organisations."""

    pk: int
    registry_number: str
    title: str
    status: str
    public_body: str
    committee: str
    organisations: tuple[str, ...]

    @property
    def status_label(self) -> str:
        return CaseStatus(self.status).label

    @property
    def is_ongoing(self) -> bool:
        return self.status not in FINAL_STATUSES

    @property
    def url(self) -> str:
        return reverse("cases:detail", args=[self.pk])


@dataclass(frozen=True)
class Grant:
    """A grant one of the organisations declared (not withdrawn)."""

    pk: int
    organisation: str
    organisation_pk: int
    giver: str
    purpose: str
    amount: Decimal
    year: int
    declared_on: datetime.date
    overlaps: bool  # its year is one the case runs in


@dataclass(frozen=True)
class FundingWarning:
    """The same activity appears funded twice: this case and ``subject`` share ``words``."""

    kind: str  # "case" or "grant"
    subject: str
    words: tuple[str, ...]
    url: str = ""

    @property
    def message(self) -> str:
        values = {"subject": self.subject, "words": ", ".join(f"«{w}»" for w in self.words)}
        if self.kind == "case":
            return (
                _(
                    "The same activity appears funded twice: the ongoing IOP %(subject)s "
                    "shares the words %(words)s with this case."
                )
                % values
            )
        return (
            _(
                "The same activity appears funded twice: the declared grant %(subject)s "
                "shares the words %(words)s with this case."
            )
            % values
        )


@dataclass(frozen=True)
class FundingOverview:
    case: Case
    # (name, organisation number as printed, the organisation page's grants section)
    organisations: tuple[tuple[str, str, str], ...]
    other_cases: tuple[OtherCase, ...]
    grants: tuple[Grant, ...]
    warnings: tuple[FundingWarning, ...]
    first_year: int
    last_year: int | None  # None: the case is still open

    @property
    def is_empty(self) -> bool:
        return not (self.other_cases or self.grants)


def case_years(case: Case) -> tuple[int, int | None]:
    """The years the case runs in, as far as the hub knows: from the year the initiative was
    received; until the year it was closed, or open while it is not final."""
    last = case.status_changed_at.year if case.status in FINAL_STATUSES else None
    return case.received_on.year, last


def activity_text(title: str, idea: str, activities: str) -> str:
    return "\n".join(part for part in (title, idea, activities) if part)


def funding_overview(case: Case) -> FundingOverview:
    """The case's organisations' other IOPs and declared grants, and the double-funding
    warnings (see the module's docstring)."""
    organisations = sorted(case.organisations.all(), key=lambda o: (o.name, o.pk))
    first_year, last_year = case_years(case)
    if not organisations:
        return FundingOverview(case, (), (), (), (), first_year, last_year)
    by_pk = {o.pk: o for o in organisations}
    name_words = [w for o in organisations for w in _WORD.findall(o.name.lower())]
    own = significant_words(
        activity_text(case.title, case.idea_description, case.plan_activities),
        ignore=name_words,
    )

    rows = (
        Case.objects.filter(organisations__in=list(by_pk))
        .exclude(pk=case.pk)
        .order_by("-received_on", "-pk")
        .values_list(
            "pk",
            "registry_number",
            "title",
            "status",
            "public_body__name",
            "committee__name",
            "organisations",
            "idea_description",
            "plan_activities",
        )
    )
    cases: dict[int, dict] = {}
    for pk, number, title, status, body, committee, org_pk, idea, activities in rows:
        entry = cases.setdefault(
            pk,
            {
                "pk": pk,
                "registry_number": number,
                "title": title,
                "status": status,
                "public_body": body,
                "committee": committee,
                "organisations": [],
                "text": activity_text(title, idea, activities),
            },
        )
        entry["organisations"].append(by_pk[org_pk].name)
    other_cases = []
    warnings = []
    for entry in cases.values():
        text = entry.pop("text")
        other = OtherCase(**{**entry, "organisations": tuple(entry["organisations"])})
        other_cases.append(other)
        if other.is_ongoing:
            words = shared_words(own, significant_words(text, ignore=name_words))
            if len(words) >= MIN_SHARED_WORDS:
                subject = f"{other.registry_number} «{other.title}» ({other.public_body})"
                warnings.append(FundingWarning("case", subject, words, other.url))

    grants = []
    for grant in (
        DeclaredGrant.objects.in_force()
        .filter(organisation_id__in=list(by_pk))
        .order_by("-year", "giver", "pk")
    ):
        overlaps = grant.year >= first_year and (last_year is None or grant.year <= last_year)
        grants.append(
            Grant(
                pk=grant.pk,
                organisation=by_pk[grant.organisation_id].name,
                organisation_pk=grant.organisation_id,
                giver=grant.giver,
                purpose=grant.purpose,
                amount=grant.amount,
                year=grant.year,
                declared_on=grant.declared_on,
                overlaps=overlaps,
            )
        )
        if overlaps:
            words = shared_words(own, significant_words(grant.purpose, ignore=name_words))
            if len(words) >= MIN_SHARED_WORDS:
                subject = f"{grant.giver} {grant.year} «{grant.purpose}»"
                warnings.append(FundingWarning("grant", subject, words))

    return FundingOverview(
        case=case,
        organisations=tuple(
            (o.name, o.org_number_display, reverse("partners:detail", args=[o.pk]) + "#grants")
            for o in organisations
        ),
        other_cases=tuple(other_cases),
        grants=tuple(grants),
        warnings=tuple(warnings),
        first_year=first_year,
        last_year=last_year,
    )
