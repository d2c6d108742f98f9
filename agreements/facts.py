"""The agreement as plain facts for the other spokes (``iop.facts``): the version in force,
or before signing the latest approved or submitted one."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from iop.facts import AgreementFacts, ContributionFacts, PartyFacts
from iop.models import Case

from .constants import BudgetKind, SectionKey, VersionStatus
from .models import AgreementVersion
from .selectors import version_detail

# Which version the committee and the follow-up talk about, best first.
PREFERENCE = (
    VersionStatus.SIGNED,
    VersionStatus.APPROVED,
    VersionStatus.SUBMITTED,
    VersionStatus.DRAFT,
    VersionStatus.RETURNED,
)


def current_version(case: Case) -> AgreementVersion | None:
    versions = list(
        AgreementVersion.objects.filter(agreement__case=case, status__in=PREFERENCE).order_by(
            "-number"
        )
    )
    for status in PREFERENCE:
        found = next((v for v in versions if v.status == status), None)
        if found is not None:
            return found
    return None


def agreement_facts(case: Case) -> AgreementFacts | None:
    version = current_version(case)
    if version is None:
        return None
    detail = version_detail(version)
    parties = tuple(
        PartyFacts(
            name=party.name,
            is_public=party.is_public,
            public_body_id=party.public_body_id,
            organisation_id=party.organisation_id,
            annual_amount=party.annual_amount,
            signatory_name=party.signatory_name,
            signatory_title=party.signatory_title,
        )
        for party in detail.parties
    )
    money: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
    in_kind: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
    descriptions: dict[tuple[str, int], list[str]] = defaultdict(list)
    for line in detail.lines:
        key = (line.party.name, line.year)
        if line.kind == BudgetKind.MONEY:
            money[key] += line.value
        else:
            in_kind[key] += line.value
        descriptions[key].append(line.description)
    contributions = tuple(
        ContributionFacts(
            party=name,
            year=year,
            money=money.get((name, year), Decimal(0)),
            in_kind=in_kind.get((name, year), Decimal(0)),
            descriptions=tuple(descriptions[(name, year)]),
        )
        for name, year in sorted(descriptions, key=lambda k: (k[1], k[0]))
    )

    def text(key: str) -> str:
        section = detail.section(key)
        return section.text if section else ""

    def render_pdf() -> bytes:
        from .pdf import render_agreement_pdf

        return render_agreement_pdf(version)

    from .pdf import AGREEMENT_TITLE, version_mark

    return AgreementFacts(
        version_id=version.pk,
        version_number=version.number,
        status=version.status,
        is_signed=version.status == VersionStatus.SIGNED,
        start_date=version.start_date,
        parties=parties,
        background=text(SectionKey.BACKGROUND),
        purpose=text(SectionKey.PURPOSE),
        goals=text(SectionKey.GOALS),
        contributions=contributions,
        term_kind=version.term_kind,
        term_years=version.term_years,
        revision_interval_years=version.revision_interval_years,
        notice_months=version.notice_months or 6,
        checkins_per_year=version.checkins_per_year or 2,
        render_pdf=render_pdf,
        pdf_title=f"{AGREEMENT_TITLE} ({version_mark(version)})",
    )
