"""What changed between two versions of an agreement, for people to read.

The jurist and the committee want to see what the parties changed since the version they saw:
the headings whose text changed (word by word), the term and plan fields, the parties, the
budget lines with their totals, and the activities. Everything works on two already loaded
``VersionDetail``s, so a comparison costs the queries of loading the two versions.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils import formats
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from .models import (
    PARTY_FIELDS,
    PLAN_FIELDS,
    TERMS_FIELDS,
    ActionPlanActivity,
    AgreementParty,
    BudgetLine,
)
from .selectors import VersionDetail
from .templatetags.agreement_format import kr as kronor
from .templatetags.agreement_format import number as hours_format
from .templatetags.agreement_format import percent

# The version's own fields a reader compares, in the order the agreement presents them.
TERM_FIELDS = TERMS_FIELDS + PLAN_FIELDS
ACTIVITY_FIELDS = ("description", "owner", "timetable", "expected_result")

# Words and the whitespace between them: joining the tokens gives the text back unchanged.
TOKEN = re.compile(r"\s+|[^\s]+")


@dataclass(frozen=True)
class Chunk:
    """A run of text that is the same in both versions, removed, or added."""

    op: str  # "equal", "delete" or "insert"
    text: str


@dataclass
class FieldChange:
    label: str
    old: str
    new: str
    chunks: list[Chunk] | None = None  # a word diff, for longer texts


@dataclass
class SectionChange:
    key: str
    label: str
    number: int  # the heading's number in the agreement
    chunks: list[Chunk]


@dataclass
class PartyChange:
    name: str
    changes: list[FieldChange]


@dataclass
class LineChange:
    party: str
    year: int
    kind: str
    description: str
    old: str
    new: str


@dataclass
class ActivityChange:
    description: str
    changes: list[FieldChange]


@dataclass
class VersionDiff:
    old: VersionDetail
    new: VersionDetail
    sections: list[SectionChange]
    unchanged_sections: list[str]
    terms: list[FieldChange]
    parties_added: list[AgreementParty]
    parties_removed: list[AgreementParty]
    parties_changed: list[PartyChange]
    lines_added: list[LineChange]
    lines_removed: list[LineChange]
    lines_changed: list[LineChange]
    totals: list[FieldChange]
    activities_added: list[ActivityChange] = field(default_factory=list)
    activities_removed: list[ActivityChange] = field(default_factory=list)
    activities_changed: list[ActivityChange] = field(default_factory=list)

    @property
    def parties_differ(self) -> bool:
        return bool(self.parties_added or self.parties_removed or self.parties_changed)

    @property
    def budget_differs(self) -> bool:
        return bool(self.lines_added or self.lines_removed or self.lines_changed or self.totals)

    @property
    def activities_differ(self) -> bool:
        return bool(self.activities_added or self.activities_removed or self.activities_changed)

    @property
    def has_changes(self) -> bool:
        return bool(
            self.sections
            or self.terms
            or self.parties_differ
            or self.budget_differs
            or self.activities_differ
        )


# --- Text -------------------------------------------------------------------------------


def word_diff(old: str, new: str) -> list[Chunk]:
    """The two texts as runs of kept, removed and added words (whitespace stays with them)."""
    a, b = TOKEN.findall(old or ""), TOKEN.findall(new or "")
    chunks: list[Chunk] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            chunks.append(Chunk("equal", "".join(a[i1:i2])))
            continue
        if op in ("delete", "replace"):
            chunks.append(Chunk("delete", "".join(a[i1:i2])))
        if op in ("insert", "replace"):
            chunks.append(Chunk("insert", "".join(b[j1:j2])))
    return _absorb_whitespace(chunks)


def _absorb_whitespace(chunks: list[Chunk]) -> list[Chunk]:
    """A lone space kept between two changes reads as noise: fold it into both sides, so
    "a b" → "c d" reads as one removal and one addition."""
    result: list[Chunk] = []
    i = 0
    while i < len(chunks):
        chunk = chunks[i]
        if (
            chunk.op == "equal"
            and not chunk.text.strip()
            and result
            and result[-1].op != "equal"
            and i + 1 < len(chunks)
            and chunks[i + 1].op != "equal"
        ):
            ops = {c.op for c in result[-2:] if c.op != "equal"}
            for op in ("delete", "insert"):
                if op in ops:
                    _extend(result, op, chunk.text)
            i += 1
            continue
        if chunk.op != "equal" and chunk.op in {c.op for c in result[-2:]}:
            _extend(result, chunk.op, chunk.text)
        else:
            result.append(chunk)
        i += 1
    return result


def _extend(chunks: list[Chunk], op: str, text: str) -> None:
    for index in range(len(chunks) - 1, max(len(chunks) - 3, -1), -1):
        if chunks[index].op == op:
            chunks[index] = Chunk(op, chunks[index].text + text)
            return


# --- Values -----------------------------------------------------------------------------


def display(obj: models.Model, name: str) -> str:
    """A field's value as a reader sees it: choice labels, Swedish dates, kronor."""
    model_field = obj._meta.get_field(name)
    value = getattr(obj, name)
    if value is None or value == "":
        return "–"
    if model_field.choices:
        return str(getattr(obj, f"get_{name}_display")())
    if isinstance(model_field, models.DateField):
        return formats.date_format(value, "DATE_FORMAT")
    if isinstance(model_field, models.DecimalField):
        return kronor(value)
    return str(value)


def _label(model: type[models.Model], name: str) -> str:
    return capfirst(str(model._meta.get_field(name).verbose_name))


def field_changes(
    old: models.Model, new: models.Model, names: tuple[str, ...]
) -> list[FieldChange]:
    changes = []
    for name in names:
        before, after = getattr(old, name), getattr(new, name)
        if before == after:
            continue
        change = FieldChange(_label(type(new), name), display(old, name), display(new, name))
        if isinstance(new._meta.get_field(name), models.TextField):
            change.chunks = word_diff(before or "", after or "")
        changes.append(change)
    return changes


# --- Rows -------------------------------------------------------------------------------


def party_identity(party: AgreementParty) -> tuple[str, Any, Any]:
    """A party is the same party in two versions when it is the same body or organisation."""
    return (party.kind, party.public_body_id, party.organisation_id)


def _line_key(line: BudgetLine, parties: dict[int, AgreementParty]) -> tuple:
    return (party_identity(parties[line.party_id]), line.year, line.kind, line.description)


def line_value(line: BudgetLine) -> str:
    """A line's value as written: volunteer work as hours × value per hour = kronor."""
    if line.hours is not None and line.hourly_value is not None and line.kind == "volunteer":
        hours = hours_format(line.hours)
        return _("%(hours)s h × %(rate)s = %(value)s") % {
            "hours": hours,
            "rate": kronor(line.hourly_value),
            "value": kronor(line.value),
        }
    return kronor(line.value)


def _pair(old_rows: list, new_rows: list, key) -> tuple[list, list, list]:
    """Match rows by ``key`` (in order, when several share a key): (pairs, removed, added)."""
    waiting: dict[Any, list] = {}
    for row in old_rows:
        waiting.setdefault(key(row), []).append(row)
    pairs, added = [], []
    for row in new_rows:
        candidates = waiting.get(key(row))
        if candidates:
            pairs.append((candidates.pop(0), row))
        else:
            added.append(row)
    removed = [row for rows in waiting.values() for row in rows]
    return pairs, removed, added


def _budget_changes(old: VersionDetail, new: VersionDetail):
    old_parties = {p.pk: p for p in old.parties}
    new_parties = {p.pk: p for p in new.parties}

    def key(line: BudgetLine) -> tuple:
        parties = old_parties if line.version_id == old.version.pk else new_parties
        return _line_key(line, parties)

    def row(line: BudgetLine, parties: dict, *, before: str, after: str) -> LineChange:
        return LineChange(
            party=parties[line.party_id].name,
            year=line.year,
            kind=str(line.get_kind_display()),
            description=line.description,
            old=before,
            new=after,
        )

    pairs, removed, added = _pair(old.lines, new.lines, key)
    changed = [
        row(after, new_parties, before=line_value(before), after=line_value(after))
        for before, after in pairs
        if (before.amount, before.hours, before.hourly_value)
        != (after.amount, after.hours, after.hourly_value)
    ]
    return (
        [row(line, new_parties, before="–", after=line_value(line)) for line in added],
        [row(line, old_parties, before=line_value(line), after="–") for line in removed],
        changed,
    )


def _total_changes(old: VersionDetail, new: VersionDetail) -> list[FieldChange]:
    changes = []
    before, after = old.budget, new.budget
    if before.total != after.total:
        changes.append(
            FieldChange(
                _("Total cost, all contributions"), kronor(before.total), kronor(after.total)
            )
        )
    if before.public_total != after.public_total:
        changes.append(
            FieldChange(
                _("Public parties' contribution"),
                kronor(before.public_total),
                kronor(after.public_total),
            )
        )
    if before.public_share != after.public_share:
        changes.append(
            FieldChange(
                _("Public share of the total cost"),
                percent(before.public_share),
                percent(after.public_share),
            )
        )
    old_totals = {party_identity(t.party): t.total for t in before.parties}
    for total in after.parties:
        previous = old_totals.get(party_identity(total.party))
        if previous is not None and previous != total.total:
            changes.append(
                FieldChange(
                    _("Contribution of %(party)s") % {"party": total.party.name},
                    kronor(previous),
                    kronor(total.total),
                )
            )
    return changes


def _activity(activity: ActionPlanActivity, changes: list[FieldChange] | None = None):
    return ActivityChange(description=activity.description, changes=changes or [])


def _activity_changes(old: VersionDetail, new: VersionDetail):
    pairs, removed, added = _pair(old.activities, new.activities, lambda a: a.description)
    # What is left was probably rewritten in place: pair it by its position in the plan.
    by_order, removed, added = _pair(removed, added, lambda a: a.order)
    changed = []
    for before, after in [*pairs, *by_order]:
        changes = field_changes(before, after, ACTIVITY_FIELDS)
        if changes:
            changed.append(_activity(after, changes))
    return (
        [_activity(a) for a in added],
        [_activity(a) for a in removed],
        changed,
    )


# --- The comparison ---------------------------------------------------------------------


def version_diff(old: VersionDetail, new: VersionDetail) -> VersionDiff:
    """What changed from ``old`` to ``new``."""
    old_sections = {s.key: s for s in old.sections}
    sections, unchanged = [], []
    for number, section in enumerate(new.sections, start=1):
        before = old_sections.get(section.key)
        before_text = before.text if before is not None else ""
        label = str(section.get_key_display())
        if before_text == section.text:
            unchanged.append(label)
        else:
            sections.append(
                SectionChange(section.key, label, number, word_diff(before_text, section.text))
            )

    party_pairs, parties_removed, parties_added = _pair(old.parties, new.parties, party_identity)
    parties_changed = [
        PartyChange(after.name, changes)
        for before, after in party_pairs
        if (changes := field_changes(before, after, PARTY_FIELDS))
    ]
    lines_added, lines_removed, lines_changed = _budget_changes(old, new)
    activities_added, activities_removed, activities_changed = _activity_changes(old, new)
    return VersionDiff(
        old=old,
        new=new,
        sections=sections,
        unchanged_sections=unchanged,
        terms=field_changes(old.version, new.version, TERM_FIELDS),
        parties_added=parties_added,
        parties_removed=parties_removed,
        parties_changed=parties_changed,
        lines_added=lines_added,
        lines_removed=lines_removed,
        lines_changed=lines_changed,
        totals=_total_changes(old, new),
        activities_added=activities_added,
        activities_removed=activities_removed,
        activities_changed=activities_changed,
    )
