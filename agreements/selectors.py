"""Read use cases for agreements, each in a fixed number of queries whatever the size."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch

from .budget import BudgetSummary, budget_summary
from .constants import SectionKey, VersionStatus
from .models import (
    ActionPlanActivity,
    Agreement,
    AgreementParty,
    AgreementSection,
    AgreementVersion,
    BudgetLine,
)


@dataclass
class VersionDetail:
    """One version with everything it holds, loaded once: pages and the PDF render this."""

    version: AgreementVersion
    sections: list[AgreementSection]  # in the order of the headings
    parties: list[AgreementParty]
    lines: list[BudgetLine]
    activities: list[ActionPlanActivity]
    budget: BudgetSummary

    def section(self, key: str) -> AgreementSection | None:
        return next((s for s in self.sections if s.key == key), None)


def version_detail(version: AgreementVersion) -> VersionDetail:
    """Five queries: the version (with agreement and case), sections, parties, lines, activities."""
    version = (
        AgreementVersion.objects.select_related(
            "agreement__case__committee",
            "agreement__case__public_body",
            "agreement__case__officer",
            "submitted_by",
            "reviewed_by",
        )
        .prefetch_related(
            "sections",
            Prefetch(
                "parties",
                queryset=AgreementParty.objects.select_related("public_body", "organisation"),
            ),
            Prefetch(
                "budget_lines", queryset=BudgetLine.objects.order_by("year", "party__order", "pk")
            ),
            "activities",
        )
        .get(pk=version.pk)
    )
    order = {key: i for i, key in enumerate(SectionKey.values)}
    sections = sorted(version.sections.all(), key=lambda s: order[s.key])
    parties = list(version.parties.all())
    lines = list(version.budget_lines.all())
    for line in lines:  # the parties are already loaded
        line.party = next(p for p in parties if p.pk == line.party_id)
    return VersionDetail(
        version=version,
        sections=sections,
        parties=parties,
        lines=lines,
        activities=list(version.activities.all()),
        budget=budget_summary(version, parties=parties, lines=lines),
    )


def agreement_versions(agreement: Agreement) -> list[AgreementVersion]:
    return list(
        agreement.versions.select_related("created_by", "submitted_by", "reviewed_by").order_by(
            "-number"
        )
    )


# --- What the agreement adds to the case's pages (registered in AgreementsConfig.ready) -------


def awaiting_review(cases):
    """The cases among ``cases`` whose agreement waits for the jurist: in legal review, or a
    renegotiated version submitted while the case stays in renegotiation."""
    from django.db.models import Q

    from iop.constants import CaseStatus

    return cases.filter(
        Q(status=CaseStatus.LEGAL_REVIEW)
        | Q(status=CaseStatus.RENEGOTIATION, agreement__versions__status=VersionStatus.SUBMITTED)
    ).distinct()


def case_panel_context(request, case) -> dict:
    """The agreement's section of the case page: its newest version."""
    return {
        "agreement_version": AgreementVersion.objects.filter(agreement__case=case)
        .order_by("-number")
        .first()
    }
