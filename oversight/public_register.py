"""The public register of IOPs (issue 11, item 5): what a public body publishes of its
partnerships, built from the signed agreements and the committee's decisions, as open data.

Only partnerships that have started are published: cases with a signed agreement version, in
force (active, renegotiated), ending (notice given, winding down) or ended (closed). Each item
holds what is public about a legal person's partnership with a public body — the organisation's
name and number, the committee, the purpose, the term, the money per full year, the
co-financing share and the decisions — and **no personal data**: no contact person, officer,
signatory, e-mail address or phone number is read, so none can leak.

The register is built in a fixed number of queries whatever the number of cases, and kept in
Django's cache (``PUBLIC_REGISTER_CACHE_SECONDS``) as the finished JSON and CSV bytes: a crawler
asking again and again costs the database nothing. A case that moves, or a committee decision
or signed version that changes what the register says, drops the copy at once
(``forget_register``), so the time limit is only the backstop.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import json
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import models, transaction
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agreements.budget import budget_summary, public_share
from agreements.constants import BudgetKind, SectionKey, TermKind
from agreements.models import AgreementParty, AgreementSection, AgreementVersion, BudgetLine
from decisions.constants import MatterKind
from decisions.models import Decision
from decisions.services.recording import decision_reference
from finance.timelines import APPROVING, timelines
from iop.constants import CaseStatus
from iop.exports import CSV_DELIMITER, FORMULA_PREFIXES
from iop.models import PublicBody

LICENCE = {
    "id": "CC0-1.0",
    "name": "Creative Commons Zero v1.0 Universal",
    "url": "https://creativecommons.org/publicdomain/zero/1.0/",
}
SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
CACHE_KEY = "oversight:public-register:v1:{language}"


class PublicStatus(models.TextChoices):
    """Where a published partnership stands, in the public's words (fewer than the case's
    stages: how far a renegotiation or a wind-down has come is internal)."""

    ACTIVE = "active", gettext_lazy("In force")
    ENDING = "ending", gettext_lazy("Ending")
    ENDED = "ended", gettext_lazy("Ended")


PUBLIC_STATUS = {
    CaseStatus.ACTIVE: PublicStatus.ACTIVE,
    CaseStatus.RENEGOTIATION: PublicStatus.ACTIVE,
    CaseStatus.NOTICE_GIVEN: PublicStatus.ENDING,
    CaseStatus.WINDING_DOWN: PublicStatus.ENDING,
    CaseStatus.CLOSED: PublicStatus.ENDED,
}

# The decisions the register shows: the committee approving the agreement, a change of it and
# its ending (a biennial follow-up alone changes nothing the public reads here).
PUBLISHED_MATTERS = [
    MatterKind.NEW_IOP,
    MatterKind.RENEGOTIATION,
    MatterKind.FOLLOW_UP_RENEGOTIATION,
    MatterKind.ENDING,
]


@dataclass(frozen=True)
class Register:
    """The built register: the payload, its files, and an ETag of the data (without the time
    it was built, so rebuilding unchanged data keeps the ETag)."""

    payload: dict[str, Any]
    json_bytes: bytes
    csv_bytes: bytes
    etag: str
    generated_at: datetime.datetime = field(compare=False)

    @property
    def items(self) -> list[dict[str, Any]]:
        return self.payload["items"]


# --- Reading ---------------------------------------------------------------------------------


def public_register() -> Register:
    """The register from the cache, built (and cached) when there is none."""
    key = CACHE_KEY.format(language=translation.get_language() or settings.LANGUAGE_CODE)
    register = cache.get(key)
    if register is None:
        register = build_register()
        cache.set(key, register, settings.PUBLIC_REGISTER_CACHE_SECONDS)
    return register


def forget_register(**kwargs: Any) -> None:
    """Drop the cached register once the change that outdates it has committed (a receiver of
    ``iop.workflow``'s signals)."""
    transaction.on_commit(_delete_cached)


def _delete_cached() -> None:
    cache.delete_many([CACHE_KEY.format(language=code) for code, _name in settings.LANGUAGES])


def site_url(name: str) -> str:
    """The stable, absolute address of one of the register's pages (SITE_URL + path)."""
    return settings.SITE_URL.rstrip("/") + reverse(name)


def build_register(*, today: datetime.date | None = None) -> Register:
    """Build the register: ten queries whatever the number of cases."""
    now = timezone.localtime()
    today = today or now.date()
    items = register_items(today=today)
    payload = {
        "generated_at": now.isoformat(timespec="seconds"),
        "publisher": {
            "name": ", ".join(PublicBody.objects.order_by("name").values_list("name", flat=True)),
            "url": settings.SITE_URL.rstrip("/") + "/",
        },
        "licence": LICENCE,
        "schema": site_url("oversight:public_register_schema"),
        "documentation": site_url("oversight:public_register_about"),
        "items": items,
    }
    data = {k: v for k, v in payload.items() if k != "generated_at"}
    etag = hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:32]
    return Register(
        payload=payload,
        json_bytes=json.dumps(payload, ensure_ascii=False, indent=2).encode(),
        csv_bytes=csv_bytes(items),
        etag=etag,
        generated_at=now,
    )


def register_items(*, today: datetime.date) -> list[dict[str, Any]]:
    """One item per published partnership, ordered by registry number. Four queries for the
    signed versions (with their case, parties, budget and purpose), four for the amount
    timelines, one for the decisions."""
    versions = list(
        AgreementVersion.objects.filter(
            signed_at__isnull=False, agreement__case__status__in=list(PUBLIC_STATUS)
        )
        .select_related("agreement__case__committee__public_body", "agreement__case__public_body")
        .prefetch_related(
            Prefetch(
                "parties",
                queryset=AgreementParty.objects.select_related("public_body", "organisation"),
            ),
            Prefetch("budget_lines", queryset=BudgetLine.objects.order_by("pk")),
            Prefetch(
                "sections",
                queryset=AgreementSection.objects.filter(key=SectionKey.PURPOSE),
                to_attr="purpose_sections",
            ),
        )
        .order_by("agreement__case_id", "number")
    )
    # The version in force is the newest signed one (a later signing supersedes the earlier).
    current: dict[int, AgreementVersion] = {}
    body_names: dict[int, str] = {}
    for version in versions:
        current[version.agreement.case_id] = version
        for party in version.parties.all():
            if party.public_body_id:
                body_names[party.public_body_id] = party.public_body.name
    if not current:
        return []

    amounts = timelines(current)
    decisions: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for decision in (
        Decision.objects.filter(
            matter__case_id__in=current,
            outcome__in=APPROVING,
            matter__kind__in=PUBLISHED_MATTERS,
        )
        .select_related("matter", "meeting__committee")
        .order_by("meeting__date", "paragraph", "pk")
    ):
        decisions[decision.matter.case_id].append(_decision_item(decision))

    items = [
        _item(version, amounts.get(case_id, {}), decisions[case_id], body_names, today)
        for case_id, version in current.items()
    ]
    items.sort(key=lambda item: item["registry_number"])
    return items


def _item(
    version: AgreementVersion,
    per_body: dict,
    decisions: list[dict[str, Any]],
    body_names: dict[int, str],
    today: datetime.date,
) -> dict[str, Any]:
    case = version.agreement.case
    parties = list(version.parties.all())
    status = PUBLIC_STATUS[case.status]
    timeline = next(iter(per_body.values()), None)
    start = timeline.start if timeline else version.start_date
    end = timeline.end if timeline else None
    funding = [
        {
            "public_body": body_names.get(body_id, ""),
            "amount_per_year": _money(t.current_amount(today)),
        }
        for body_id, t in sorted(per_body.items(), key=lambda kv: body_names.get(kv[0], ""))
    ]
    purpose = version.purpose_sections[0].text.strip() if version.purpose_sections else ""
    return {
        "registry_number": case.registry_number,
        "title": case.title,
        "purpose": purpose,
        "status": status.value,
        "status_label": str(status.label),
        "public_body": case.public_body.name,
        "committee": case.committee.name,
        "organisations": [
            {"name": p.organisation.name, "org_number": p.organisation.org_number_display}
            for p in parties
            if p.organisation_id
        ],
        "term": {
            "start": start.isoformat() if start else None,
            "end": end.isoformat() if end else None,
            "until_further_notice": end is None,
            "kind": version.term_kind,
            "kind_label": str(TermKind(version.term_kind).label),
        },
        "public_funding": funding,
        "public_amount_per_year": _money(
            sum((t.current_amount(today) for t in per_body.values()), Decimal(0))
        ),
        "co_financing": _co_financing(version, parties),
        "decisions": decisions,
    }


def _co_financing(version: AgreementVersion, parties: list[AgreementParty]) -> dict[str, Any]:
    """The partners' contributions (money, and work, premises and the like valued in kronor)
    against the whole budget of the version in force (DOMAIN.md §6.2)."""
    summary = budget_summary(version, parties=parties, lines=list(version.budget_lines.all()))
    partners = [t for t in summary.parties if not t.party.is_public]
    money = sum((t.by_kind.get(BudgetKind.MONEY.value, Decimal(0)) for t in partners), Decimal(0))
    share = public_share(summary.private_total, summary.total)
    return {
        "budget_total": _money(summary.total),
        "public_total": _money(summary.public_total),
        "partners_money": _money(money),
        "partners_in_kind": _money(summary.private_total - money),
        "partners_total": _money(summary.private_total),
        "partners_share_percent": float(share) if share is not None else None,
    }


def _decision_item(decision: Decision) -> dict[str, Any]:
    matter = decision.matter
    return {
        "date": decision.meeting.date.isoformat(),
        "committee": decision.meeting.committee.name,
        "paragraph": decision.paragraph,
        "reference": decision_reference(decision.meeting, decision.paragraph),
        "kind": matter.kind,
        "kind_label": str(MatterKind(matter.kind).label),
    }


def _money(amount: Decimal) -> int | float:
    """Kronor as a JSON number: whole kronor as an integer, öre as two decimals."""
    amount = Decimal(amount).quantize(Decimal("0.01"))
    return int(amount) if amount == amount.to_integral_value() else float(amount)


# --- The CSV file ----------------------------------------------------------------------------


def csv_columns() -> list[tuple[str, Any]]:
    """(heading, value of an item) for each column of the CSV file."""
    return [
        (_("Registry number"), lambda i: i["registry_number"]),
        (_("Title"), lambda i: i["title"]),
        (_("Purpose"), lambda i: i["purpose"]),
        (_("Status"), lambda i: i["status_label"]),
        (_("Organisation"), lambda i: "; ".join(o["name"] for o in i["organisations"])),
        (
            _("Organisation number"),
            lambda i: "; ".join(o["org_number"] for o in i["organisations"]),
        ),
        (_("Public body"), lambda i: i["public_body"]),
        (_("Committee"), lambda i: i["committee"]),
        (_("Start date"), lambda i: i["term"]["start"] or ""),
        (_("End date"), lambda i: i["term"]["end"] or ""),
        (
            _("Until further notice"),
            lambda i: _("yes") if i["term"]["until_further_notice"] else _("no"),
        ),
        (_("Public money per full year (kr)"), lambda i: _csv_number(i["public_amount_per_year"])),
        (
            _("Public money per full year and public party"),
            lambda i: "; ".join(
                f"{f['public_body']}: {_csv_number(f['amount_per_year'])}"
                for f in i["public_funding"]
            ),
        ),
        (_("Budget in total (kr)"), lambda i: _csv_number(i["co_financing"]["budget_total"])),
        (_("Partners' money (kr)"), lambda i: _csv_number(i["co_financing"]["partners_money"])),
        (
            _("Partners' contributions in kind (kr)"),
            lambda i: _csv_number(i["co_financing"]["partners_in_kind"]),
        ),
        (
            _("Co-financing share (%)"),
            lambda i: _csv_number(i["co_financing"]["partners_share_percent"]),
        ),
        (
            _("Decisions"),
            lambda i: "; ".join(f"{d['reference']} ({d['kind_label']})" for d in i["decisions"]),
        ),
    ]


def _csv_number(value: int | float | None) -> str:
    """A number as Swedish spreadsheets read it: a decimal comma, no grouping."""
    if value is None:
        return ""
    return str(value).replace(".", ",")


def _defuse(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def csv_bytes(items: list[dict[str, Any]]) -> bytes:
    """UTF-8 with a byte-order mark and ";" between fields, as the case register's export: Excel
    with Swedish settings opens it with å, ä, ö intact and one value per column."""
    columns = csv_columns()
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=CSV_DELIMITER)
    writer.writerow([heading for heading, _value in columns])
    for item in items:
        writer.writerow([_defuse(str(value(item))) for _heading, value in columns])
    return ("\ufeff" + buffer.getvalue()).encode()


# --- The schema ------------------------------------------------------------------------------


def _money_schema(description: str) -> dict[str, Any]:
    return {"type": "number", "minimum": 0, "description": description}


def schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the register's JSON; its descriptions are the
    documentation page's too."""
    date = {"type": "string", "format": "date"}
    decision = {
        "type": "object",
        "description": _("A decision of the committee on the partnership."),
        "required": ["date", "committee", "paragraph", "reference", "kind", "kind_label"],
        "additionalProperties": False,
        "properties": {
            "date": {**date, "description": _("The day of the committee's meeting.")},
            "committee": {"type": "string", "description": _("The committee that decided.")},
            "paragraph": {
                "type": "integer",
                "minimum": 1,
                "description": _("The paragraph (§) of the minutes."),
            },
            "reference": {
                "type": "string",
                "description": _("The decision as it is cited: committee, date and §."),
            },
            "kind": {
                "type": "string",
                "enum": [str(k) for k in PUBLISHED_MATTERS],
                "description": _(
                    "What was decided: new_iop (entering the IOP), renegotiation, "
                    "follow_up_renegotiation (follow-up and renegotiation) or ending."
                ),
            },
            "kind_label": {"type": "string", "description": _("What was decided, in words.")},
        },
    }
    item = {
        "type": "object",
        "description": _("One idea-based public partnership (IOP)."),
        "required": [
            "registry_number",
            "title",
            "purpose",
            "status",
            "status_label",
            "public_body",
            "committee",
            "organisations",
            "term",
            "public_funding",
            "public_amount_per_year",
            "co_financing",
            "decisions",
        ],
        "additionalProperties": False,
        "properties": {
            "registry_number": {
                "type": "string",
                "minLength": 1,
                "description": _("The case's registry number; stable, it identifies the IOP."),
            },
            "title": {"type": "string", "description": _("The name of the partnership.")},
            "purpose": {
                "type": "string",
                "description": _("The purpose, as the signed agreement in force words it."),
            },
            "status": {
                "type": "string",
                "enum": list(PublicStatus.values),
                "description": _(
                    "active: the agreement is in force; ending: notice has been given or the "
                    "committee has decided to end it; ended: the partnership is over."
                ),
            },
            "status_label": {"type": "string", "description": _("The status, in words.")},
            "public_body": {
                "type": "string",
                "description": _("The region or municipality whose committee handles the IOP."),
            },
            "committee": {"type": "string", "description": _("The committee responsible.")},
            "organisations": {
                "type": "array",
                "minItems": 0,
                "description": _("The non-profit organisations that are parties (legal persons)."),
                "items": {
                    "type": "object",
                    "required": ["name", "org_number"],
                    "additionalProperties": False,
                    "properties": {
                        "name": {"type": "string", "description": _("The organisation's name.")},
                        "org_number": {
                            "type": "string",
                            "pattern": r"^\d{6}-\d{4}$",
                            "description": _("The organisation number (NNNNNN-NNNN)."),
                        },
                    },
                },
            },
            "term": {
                "type": "object",
                "description": _("The term of the agreement."),
                "required": ["start", "end", "until_further_notice", "kind", "kind_label"],
                "additionalProperties": False,
                "properties": {
                    "start": {
                        "type": ["string", "null"],
                        "format": "date",
                        "description": _("The day the partnership started."),
                    },
                    "end": {
                        "type": ["string", "null"],
                        "format": "date",
                        "description": _(
                            "The last day: of a fixed term, of the notice period, or the day "
                            "the committee decided; null when it runs until further notice."
                        ),
                    },
                    "until_further_notice": {
                        "type": "boolean",
                        "description": _("True when no end date is set (tills vidare)."),
                    },
                    "kind": {
                        "type": "string",
                        "enum": list(TermKind.values),
                        "description": _(
                            "fixed: a fixed number of years; until_further_notice: until "
                            "further notice, with revision points."
                        ),
                    },
                    "kind_label": {"type": "string", "description": _("The term, in words.")},
                },
            },
            "public_funding": {
                "type": "array",
                "description": _(
                    "The money each public party pays per full year now (kronor per helår): "
                    "the signed agreement's amount as changed by the committee's decisions."
                ),
                "items": {
                    "type": "object",
                    "required": ["public_body", "amount_per_year"],
                    "additionalProperties": False,
                    "properties": {
                        "public_body": {
                            "type": "string",
                            "description": _("The public party."),
                        },
                        "amount_per_year": _money_schema(_("Kronor per full year.")),
                    },
                },
            },
            "public_amount_per_year": _money_schema(
                _("The public parties' money per full year now, in total (kronor).")
            ),
            "co_financing": {
                "type": "object",
                "description": _(
                    "The co-financing in the budget of the signed agreement in force, over all "
                    "its years; contributions in kind are valued in kronor."
                ),
                "required": [
                    "budget_total",
                    "public_total",
                    "partners_money",
                    "partners_in_kind",
                    "partners_total",
                    "partners_share_percent",
                ],
                "additionalProperties": False,
                "properties": {
                    "budget_total": _money_schema(_("Every party's contributions (kronor).")),
                    "public_total": _money_schema(_("The public parties' contributions (kronor).")),
                    "partners_money": _money_schema(_("The organisations' money (kronor).")),
                    "partners_in_kind": _money_schema(
                        _(
                            "The organisations' contributions in kind: volunteer work (hours × "
                            "value per hour), premises, equipment, competence (kronor)."
                        )
                    ),
                    "partners_total": _money_schema(
                        _("The organisations' contributions in total (kronor).")
                    ),
                    "partners_share_percent": {
                        "type": ["number", "null"],
                        "minimum": 0,
                        "maximum": 100,
                        "description": _(
                            "The co-financing share: the organisations' contributions as a "
                            "percentage of the whole budget, one decimal; null for an empty "
                            "budget."
                        ),
                    },
                },
            },
            "decisions": {
                "type": "array",
                "description": _(
                    "The committee's decisions approving the agreement, its changes and its "
                    "ending, oldest first."
                ),
                "items": decision,
            },
        },
    }
    return {
        "$schema": SCHEMA_DIALECT,
        "$id": site_url("oversight:public_register_schema"),
        "title": _("Public register of IOPs"),
        "description": _(
            "The idea-based public partnerships (IOP) that have started, with no personal data."
        ),
        "type": "object",
        "required": ["generated_at", "publisher", "licence", "schema", "documentation", "items"],
        "additionalProperties": False,
        "properties": {
            "generated_at": {
                "type": "string",
                "format": "date-time",
                "description": _("When the data was read from the case register."),
            },
            "publisher": {
                "type": "object",
                "description": _("Who publishes the register."),
                "required": ["name", "url"],
                "additionalProperties": False,
                "properties": {
                    "name": {"type": "string", "description": _("The public bodies.")},
                    "url": {"type": "string", "format": "uri", "description": _("The service.")},
                },
            },
            "licence": {
                "type": "object",
                "description": _("The licence of the data (CC0: no rights reserved)."),
                "required": ["id", "name", "url"],
                "additionalProperties": False,
                "properties": {
                    "id": {"type": "string", "const": LICENCE["id"]},
                    "name": {"type": "string"},
                    "url": {"type": "string", "format": "uri"},
                },
            },
            "schema": {
                "type": "string",
                "format": "uri",
                "description": _("This schema's address."),
            },
            "documentation": {
                "type": "string",
                "format": "uri",
                "description": _("The documentation's address."),
            },
            "items": {
                "type": "array",
                "description": _("The partnerships, ordered by registry number."),
                "items": item,
            },
        },
    }


@dataclass(frozen=True)
class FieldDoc:
    name: str
    types: str
    required: bool
    description: str


def field_docs(node: dict[str, Any] | None = None, prefix: str = "") -> list[FieldDoc]:
    """The schema's fields as a flat list («items[].term.end»), for the documentation page."""
    node = node or schema()
    docs: list[FieldDoc] = []
    required = set(node.get("required", []))
    for name, prop in node.get("properties", {}).items():
        path = f"{prefix}{name}"
        types = prop.get("type", "")
        types = " | ".join(types) if isinstance(types, list) else types
        if "format" in prop:
            types += f" ({prop['format']})"
        docs.append(FieldDoc(path, types, name in required, str(prop.get("description", ""))))
        if prop.get("type") == "object":
            docs.extend(field_docs(prop, path + "."))
        elif prop.get("type") == "array" and isinstance(prop.get("items"), dict):
            docs.extend(field_docs(prop["items"], path + "[]."))
    return docs
