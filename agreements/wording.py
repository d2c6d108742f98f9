"""The wording check (DOMAIN.md §6.3–6.4; SKL, *Utveckla idéburet offentligt partnerskap*, ch. 4).

An IOP agreement uses the words of cooperation, not of commerce: «överenskommelse», not
«kontrakt». The words of commerce, sanction clauses (vite, skadestånd) and detailed
regulation of how the work is done all point towards procurement, so the jurist looks at
every one that is left. This module finds them in a text, suggests the cooperative wording
in the same inflected form (kontraktet → överenskommelsen) and replaces one hit or all.

Every form is listed explicitly rather than guessed from a stem: Swedish inflection is
irregular enough (ett kontrakt, kontrakten; en överenskommelse, överenskommelserna) that a
wrong suggestion would be worse than none. Compounds are matched by their first part
(kontraktstid → avtalstid) where the replacement still makes a good word; otherwise the hit
comes with advice only and no one-click replacement.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import models
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .constants import SectionKey

if TYPE_CHECKING:
    from .models import AgreementSection, AgreementVersion
    from .selectors import VersionDetail


class Category(models.TextChoices):
    SKL_WORD = "skl_word", _("Word to avoid (SKL)")
    SANCTION = "sanction", _("Sanction clause")
    DETAILED = "detailed", _("Detailed regulation")


class WordingRefused(Exception):
    """A replacement was refused; ``message`` says why, in Swedish."""

    def __init__(self, message: str):
        self.message = str(message)
        super().__init__(self.message)


class StaleHit(WordingRefused):
    """The text no longer holds the hit at that place: someone changed it meanwhile."""


class NoSuggestion(WordingRefused):
    """The hit has advice only; the parties rewrite the sentence themselves."""


@dataclass(frozen=True, eq=False)
class Rule:
    """One word (or phrase) to avoid with all its forms.

    ``forms`` maps each form (lower case; a space stands for any whitespace) to the same
    form of the suggested wording, or None when there is no wording to put in its place.
    ``compounds`` maps the first part of a compound (kontrakts-) to the first part of the
    suggested compound (avtals-), or None for advice only."""

    avoid: str
    use: str
    category: str
    forms: dict[str, str | None]
    compounds: dict[str, str | None] = field(default_factory=dict)
    note: str = ""  # the reason when it is not simply "use X, not Y"

    @property
    def reason(self) -> str:
        if self.note:
            return str(self.note)
        return gettext(
            "SKL: write «%(use)s», not «%(avoid)s» — the words of cooperation, not of commerce."
        ) % {
            "use": self.use,
            "avoid": self.avoid,
        }


SANCTION_NOTE = _(
    "Sanction clauses (vite, skadestånd) point towards procurement. An IOP provides only for "
    "repayment (återbetalning) of money that was not used as agreed."
)
DETAILED_NOTE = _(
    "Detailed regulation of how the work is done points towards procurement. Describe the "
    "purposes and each party's commitments in general terms."
)
COMMERCIAL_NOTE = _(
    "A word of commerce (SKL): describe what the parties do together instead, for example "
    "«genomföra», «bidra med» or «utbetalning»."
)
LEAVE_NOTE = _(
    "SKL: write that a party has the right to leave the project («rätt att lämna projektet»), "
    "not that it may cancel («häva») the agreement."
)

_OBJECTS = ("", " avtalet", " överenskommelsen", " kontraktet", " samarbetet", " partnerskapet")


def _advice_only(forms: str) -> dict[str, str | None]:
    """Comma-separated forms that get advice but no replacement."""
    return {form.strip(): None for form in forms.split(",")}


def _leave_forms() -> dict[str, str | None]:
    forms: dict[str, str | None] = {}
    for obj in _OBJECTS:
        forms[f"rätt att häva{obj}"] = "rätt att lämna projektet"
        forms[f"rätten att häva{obj}"] = "rätten att lämna projektet"
    forms |= {
        "hävningsrätt": "rätt att lämna projektet",
        "hävningsrätten": "rätten att lämna projektet",
        "hävning": "utträde ur projektet",
        "hävningen": "utträdet ur projektet",
        "häva": None,
        "häver": None,
        "hävs": None,
        "hävde": None,
        "hävt": None,
    }
    return forms


# The more specific rules come first: when two match the same words, the first one wins.
RULES: tuple[Rule, ...] = (
    # Phrases first: replacing their single word alone would leave broken Swedish
    # («betalar utbetalning», «mot samfinansiering»).
    Rule(
        "betala ersättning",
        "betala ut medel",
        Category.SKL_WORD,
        {
            "betala ersättning": "betala ut medel",
            "betalar ersättning": "betalar ut medel",
            "betalas ersättning": "betalas medel ut",
            "betalat ersättning": "betalat ut medel",
            "betalade ersättning": "betalade ut medel",
            "utgår ersättning": "betalas medel ut",
            "utgår ersättningen": "betalas medlen ut",
        },
    ),
    Rule(
        "mot fakturering",
        "efter rekvisition",
        Category.SKL_WORD,
        {
            "mot fakturering": "efter rekvisition",
            "mot faktura": "efter rekvisition",
            "efter fakturering": "efter rekvisition",
            "efter faktura": "efter rekvisition",
        },
    ),
    Rule(
        "kontraktspart",
        "partner",
        Category.SKL_WORD,
        {
            "kontraktspart": "partner",
            "kontraktsparten": "partnern",
            "kontraktsparter": "partner",
            "kontraktsparterna": "partnerna",
            "kontraktspartens": "partnerns",
            "kontraktsparternas": "partnernas",
        },
    ),
    Rule(
        "kontrakt",
        "överenskommelse",
        Category.SKL_WORD,
        {
            "kontrakt": "överenskommelse",
            "kontraktet": "överenskommelsen",
            "kontrakten": "överenskommelserna",
            "kontrakts": "överenskommelses",
            "kontraktets": "överenskommelsens",
            "kontraktens": "överenskommelsernas",
        },
        # kontraktstid → avtalstid: «avtal» makes the compounds «överenskommelse» cannot.
        {"kontrakts": "avtals"},
    ),
    Rule(
        "ersättning",
        "utbetalning",
        Category.SKL_WORD,
        {
            "ersättning": "utbetalning",
            "ersättningen": "utbetalningen",
            "ersättningar": "utbetalningar",
            "ersättningarna": "utbetalningarna",
            "ersättningens": "utbetalningens",
            "ersättningarnas": "utbetalningarnas",
        },
        {"ersättnings": "utbetalnings"},
    ),
    Rule(
        "uppdrag",
        "projekt",
        Category.SKL_WORD,
        {
            "uppdrag": "projekt",
            "uppdraget": "projektet",
            "uppdragen": "projekten",
            "uppdragets": "projektets",
            "uppdragens": "projektens",
            # The commissioning party and the contractor: in an IOP they are parties.
            "uppdragsgivare": "part",
            "uppdragsgivaren": "parten",
            "uppdragsgivarna": "parterna",
            "uppdragsgivarens": "partens",
            "uppdragstagare": "partner",
            "uppdragstagaren": "partnern",
            "uppdragstagarna": "partnerna",
            "uppdragstagarens": "partnerns",
        },
        {"uppdrags": "projekt"},  # uppdragsbeskrivning → projektbeskrivning
    ),
    Rule(
        "anskaffning",
        "partnerskap",
        Category.SKL_WORD,
        {
            "anskaffning": "partnerskap",
            "anskaffningen": "partnerskapet",
            "anskaffningar": "partnerskap",
            "anskaffningarna": "partnerskapen",
            "anskaffningens": "partnerskapets",
        },
        {"anskaffnings": None},
    ),
    Rule(
        "fakturering",
        "samfinansiering",
        Category.SKL_WORD,
        {
            "fakturering": "samfinansiering",
            "faktureringen": "samfinansieringen",
            "faktureringens": "samfinansieringens",
            # The verb has no cooperative counterpart; the sentence needs rewriting.
            "fakturera": None,
            "fakturerar": None,
            "faktureras": None,
            "fakturerade": None,
            "fakturerat": None,
        },
    ),
    Rule(
        "rätt att häva",
        "rätt att lämna projektet",
        Category.SKL_WORD,
        _leave_forms(),
        note=LEAVE_NOTE,
    ),
    Rule(
        "skadestånd",
        "återbetalning",
        Category.SANCTION,
        {
            "skadestånd": "återbetalning",
            "skadeståndet": "återbetalningen",
            "skadestånden": "återbetalningarna",
            "skadeståndets": "återbetalningens",
        },
        {"skadestånds": "återbetalnings"},  # skadeståndsskyldig → återbetalningsskyldig
        note=SANCTION_NOTE,
    ),
    Rule(
        "vite",
        "återbetalning",
        Category.SANCTION,
        {
            "vite": "återbetalning",
            "vitet": "återbetalningen",
            "viten": "återbetalningar",
            "vitena": "återbetalningarna",
            "vitets": "återbetalningens",
            "vitenas": "återbetalningarnas",
        },
        {"vites": "återbetalnings"},  # vitesbelopp → återbetalningsbelopp
        note=SANCTION_NOTE,
    ),
    Rule(
        "leverantör",
        "partner",
        Category.SKL_WORD,
        {
            "leverantör": "partner",
            "leverantören": "partnern",
            "leverantörer": "partner",
            "leverantörerna": "partnerna",
            "leverantörens": "partnerns",
            "leverantörernas": "partnernas",
        },
        {"leverantörs": None},
    ),
    Rule(
        "beställare",
        "part",
        Category.SKL_WORD,
        {
            "beställare": "part",
            "beställaren": "parten",
            "beställarna": "parterna",
            "beställarens": "partens",
            "beställarnas": "parternas",
        },
    ),
    Rule(
        "beställa",
        "",
        Category.SKL_WORD,
        _advice_only(
            "beställa, beställer, beställs, beställde, beställt, "
            "beställning, beställningen, beställningar, beställningarna"
        ),
        note=COMMERCIAL_NOTE,
    ),
    Rule(
        "leverera",
        "genomföra",
        Category.SKL_WORD,
        {
            "leverera": "genomföra",
            "levererar": "genomför",
            "levereras": "genomförs",
            "levererade": "genomförde",
            "levererat": "genomfört",
        },
    ),
    Rule(
        "leverans",
        "insats",
        Category.SKL_WORD,
        {
            "leverans": "insats",
            "leveransen": "insatsen",
            "leveranser": "insatser",
            "leveranserna": "insatserna",
            "leveransens": "insatsens",
        },
        {"leverans": None},  # leveransvillkor, leveranstid
    ),
    Rule(
        "detaljreglering",
        "",
        Category.DETAILED,
        _advice_only(
            "ska utföras enligt, skall utföras enligt, ska utföras på följande sätt, "
            "ska genomföras enligt, ska levereras enligt, i detalj, exakt hur, "
            "detaljstyrning, detaljstyrningen, kravspecifikation, kravspecifikationen, "
            "kravspecifikationer, kravspecifikationerna"
        ),
        note=DETAILED_NOTE,
    ),
)


def _form_pattern(form: str) -> str:
    return r"\s+".join(re.escape(word) for word in form.split())


def _rule_pattern(rule: Rule) -> re.Pattern[str]:
    # Longest forms first, then compounds: an alternative that fails the closing
    # lookahead (kontrakt in kontraktet) gives way to the next one.
    alternatives = [_form_pattern(f) for f in sorted(rule.forms, key=len, reverse=True)]
    alternatives += [re.escape(prefix) + r"\w+" for prefix in rule.compounds]
    # \w is Unicode-aware, so å, ä and ö count as letters on either side of a word.
    return re.compile(rf"(?<!\w)(?:{'|'.join(alternatives)})(?!\w)", re.IGNORECASE | re.UNICODE)


_PATTERNS = tuple((rule, _rule_pattern(rule)) for rule in RULES)


@dataclass(frozen=True)
class Hit:
    """One word or phrase to avoid, at ``text[start:end] == matched``."""

    start: int
    end: int
    matched: str
    suggestion: str | None
    rule: Rule

    @property
    def category(self) -> str:
        return self.rule.category

    @property
    def category_label(self) -> str:
        return str(Category(self.rule.category).label)

    @property
    def avoid(self) -> str:
        return self.rule.avoid

    @property
    def reason(self) -> str:
        return self.rule.reason


def match_case(original: str, suggestion: str) -> str:
    """The suggestion written like the original: KONTRAKTET → ÖVERENSKOMMELSEN,
    Kontraktet → Överenskommelsen, kontraktet → överenskommelsen."""
    letters = [ch for ch in original if ch.isalpha()]
    if len(letters) > 1 and all(ch.isupper() for ch in letters):
        return suggestion.upper()
    if original[:1].isupper():
        return suggestion[:1].upper() + suggestion[1:]
    return suggestion


def _suggestion(rule: Rule, matched: str) -> str | None:
    normalised = " ".join(matched.lower().split())
    if normalised in rule.forms:
        suggestion = rule.forms[normalised]
    else:
        prefix = next(p for p in rule.compounds if normalised.startswith(p))
        replacement = rule.compounds[prefix]
        suggestion = None if replacement is None else replacement + matched[len(prefix) :].lower()
    return None if suggestion is None else match_case(matched, suggestion)


def check_text(text: str | None) -> list[Hit]:
    """Every word or phrase to avoid in ``text``, in order and without overlaps (where two
    overlap, the one starting first wins, then the longer, then the more specific rule)."""
    if not text:
        return []
    found = []
    for order, (rule, pattern) in enumerate(_PATTERNS):
        for m in pattern.finditer(text):
            found.append((m.start(), -(m.end() - m.start()), order, m, rule))
    found.sort(key=lambda item: item[:3])
    hits: list[Hit] = []
    end = 0
    for start, _length, _order, m, rule in found:
        if start < end:
            continue
        hits.append(Hit(start, m.end(), m.group(), _suggestion(rule, m.group()), rule))
        end = m.end()
    return hits


def hit_at(text: str, start: int, matched: str) -> Hit:
    """The hit at ``start`` reading ``matched``; StaleHit if the text changed since.
    Whitespace inside a phrase may differ: a browser posts a line break as CR LF."""
    wanted = " ".join(matched.split())
    for hit in check_text(text):
        if hit.start == start and " ".join(hit.matched.split()) == wanted:
            return hit
    raise StaleHit(
        gettext(
            "«%(word)s» is no longer at that place in the text: it was changed after the page "
            "was loaded. Look at the words found in the saved text."
        )
        % {"word": matched}
    )


def replace_hit(text: str, start: int, matched: str) -> str:
    """``text`` with the hit at ``start`` replaced by its suggestion. Refused (StaleHit)
    when the text there no longer reads ``matched``, and (NoSuggestion) for advice-only hits."""
    hit = hit_at(text, start, matched)
    if hit.suggestion is None:
        raise NoSuggestion(
            gettext("There is no wording to put in place of «%(word)s»; rewrite the sentence.")
            % {"word": matched}
        )
    return text[: hit.start] + hit.suggestion + text[hit.end :]


def replace_all(text: str) -> str:
    """``text`` with every hit that has a suggestion replaced; advice-only hits stay."""
    for hit in reversed(check_text(text)):
        if hit.suggestion is not None:
            text = text[: hit.start] + hit.suggestion + text[hit.end :]
    return text


def _ordered_sections(version: AgreementVersion) -> list[AgreementSection]:
    order = {key: i for i, key in enumerate(SectionKey.values)}
    return sorted(version.sections.all(), key=lambda s: order.get(s.key, len(order)))


def version_hits(
    detail_or_version: VersionDetail | AgreementVersion,
) -> list[tuple[AgreementSection, list[Hit]]]:
    """The sections of a version that have hits, in the order of the headings, each with its
    hits. Given a VersionDetail this reads nothing more from the database; given a version,
    one query (none if its sections are prefetched)."""
    from .selectors import VersionDetail

    if isinstance(detail_or_version, VersionDetail):
        sections: Iterable[AgreementSection] = detail_or_version.sections
    else:
        sections = _ordered_sections(detail_or_version)
    result = []
    for section in sections:
        hits = check_text(section.text)
        if hits:
            result.append((section, hits))
    return result


def _escape_lines(text: str) -> str:
    return escape(text).replace("\r\n", "\n").replace("\n", "<br>\n")


def highlight(text: str | None, hits: list[Hit], *, id_prefix: str = "") -> SafeString:
    """``text`` as HTML, escaped, line breaks kept, each hit in a <mark>. The mark carries
    hidden text naming the kind of hit, so the meaning is not in the colour alone; with
    ``id_prefix`` the n-th mark gets the id ``<id_prefix>-<n>`` (from 0) to link to."""
    text = text or ""
    parts: list[str] = []
    position = 0
    for number, hit in enumerate(hits):
        parts.append(_escape_lines(text[position : hit.start]))
        parts.append(
            format_html(
                '<mark class="wording-hit wording-{}"{}><span class="visually-hidden">{}: </span>{}</mark>',
                hit.category,
                format_html(' id="{}-{}"', id_prefix, number) if id_prefix else "",
                hit.category_label,
                mark_safe(_escape_lines(hit.matched)),  # nosec B308, B703  # escaped just now
            )
        )
        position = hit.end
    parts.append(_escape_lines(text[position:]))
    return mark_safe("".join(parts))  # nosec B308, B703  # every piece was escaped above
