"""The agreement as printed for the parties to read and sign: one version on A4 (WeasyPrint).

Everything comes from ``selectors.version_detail``, the same read the version page uses, so
the paper and the screen cannot disagree. A version that is not yet the one to sign is marked
as a draft on every page, so an unfinished text is never mistaken for the agreement.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.template.loader import render_to_string
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from partners.pdf import write_pdf

from .constants import VersionStatus
from .models import AgreementParty, AgreementVersion, BudgetLine
from .selectors import VersionDetail, version_detail

# Translators: the heading of the printed agreement, "Överenskommelse om idéburet offentligt
# partnerskap".
AGREEMENT_TITLE = gettext_lazy("Agreement on an idea-based public partnership")

TEMPLATE = "agreements/pdf/agreement.html"

# Versions that are not (yet) the text the parties sign: printed with "DRAFT" on every page.
DRAFT_STATUSES = frozenset({VersionStatus.DRAFT, VersionStatus.RETURNED, VersionStatus.SUBMITTED})


@dataclass
class BudgetYear:
    year: int
    lines: list[BudgetLine]
    party_totals: list[tuple[AgreementParty, Decimal]]
    total: Decimal


def is_draft(version: AgreementVersion) -> bool:
    return version.status in DRAFT_STATUSES


def version_mark(version: AgreementVersion) -> str:
    """What the printed version is: shown under the title and in the header of every page."""
    number = {"number": version.number}
    if is_draft(version):
        return _("DRAFT – version %(number)s") % number
    if version.status == VersionStatus.APPROVED:
        return _("Version %(number)s – for signing") % number
    if version.status == VersionStatus.SIGNED:
        return _("Version %(number)s – signed") % number
    return _("Version %(number)s – superseded") % number


def end_date(version: AgreementVersion) -> datetime.date | None:
    """The last day of a fixed term: five years from 2027-01-01 end on 2031-12-31."""
    if version.term_kind != "fixed" or not version.start_date or not version.term_years:
        return None
    start = version.start_date
    year = start.year + version.term_years
    if year > datetime.MAXYEAR:
        return None
    try:
        anniversary = start.replace(year=year)
    except ValueError:  # 29 February, and the anniversary year is no leap year
        anniversary = start.replace(year=year, day=28) + datetime.timedelta(days=1)
    return anniversary - datetime.timedelta(days=1)


def budget_years(detail: VersionDetail) -> list[BudgetYear]:
    """The budget lines grouped by year (in party order, as the selector sorts them) with
    each party's and the year's total."""
    years = []
    for year in detail.budget.years:
        by_party = detail.budget.by_year.get(year, {})
        years.append(
            BudgetYear(
                year=year,
                lines=[line for line in detail.lines if line.year == year],
                party_totals=[(p, by_party[p.pk]) for p in detail.parties if p.pk in by_party],
                total=detail.budget.year_total(year),
            )
        )
    return years


def agreement_context(detail: VersionDetail) -> dict[str, Any]:
    version = detail.version
    return {
        "detail": detail,
        "version": version,
        "case": version.agreement.case,
        "title": AGREEMENT_TITLE,
        "mark": version_mark(version),
        "is_draft": is_draft(version),
        "end_date": end_date(version),
        "budget_years": budget_years(detail),
    }


def render_agreement_html(version: AgreementVersion) -> str:
    return render_to_string(TEMPLATE, agreement_context(version_detail(version)))


def render_agreement_pdf(version: AgreementVersion) -> bytes:
    """The version as an A4 PDF/A (tagged, see ``partners.pdf``), for reading, archiving or
    signing on paper: titled with the agreement's title, registry number and version mark,
    by the public body that registered the case."""
    context = agreement_context(version_detail(version))
    case = context["case"]
    return write_pdf(
        render_to_string(TEMPLATE, context),
        title=f"{context['title']} – {case.registry_number} – {context['mark']}",
        author=case.public_body.name,
        subject=case.title,
    )


def pdf_filename(version: AgreementVersion) -> str:
    """``overenskommelse-RV-2026-00017-v2.pdf``: the registry number "RV 2026/00017" with
    its spaces and slashes as hyphens."""
    # Translators: the start of the PDF's file name; ASCII letters only are kept, å ä ö
    # become a a o ("överenskommelse" → "overenskommelse").
    word = pgettext("file name", "agreement")
    registry = re.sub(r"[^A-Za-z0-9]+", "-", version.agreement.case.registry_number).strip("-")
    return f"{slugify(word) or 'agreement'}-{registry}-v{version.number}.pdf"
