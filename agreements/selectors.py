"""Read use cases for agreements, each in a fixed number of queries whatever the size."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from iop import permissions
from iop.constants import CaseStatus
from iop.models import Case
from partners.models import Organisation

from .budget import BudgetSummary, budget_summary
from .constants import SectionKey, VersionStatus
from .models import (
    ActionPlanActivity,
    Agreement,
    AgreementParty,
    AgreementSection,
    AgreementVersion,
    BudgetLine,
    ReviewComment,
)
from .services import EDITABLE_CASE_STATUSES


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
            "authorising_event",
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


def returned_comments(version: AgreementVersion, key: str | None = None) -> list[ReviewComment]:
    """The jurist's comments on the returned version ``version`` continues from (only on
    ``key``'s heading when given); none when it does not continue a returned version."""
    if not version.based_on_id:
        return []
    comments = ReviewComment.objects.filter(
        version_id=version.based_on_id, version__status=VersionStatus.RETURNED
    )
    if key is not None:
        comments = comments.filter(section_key=key)
    return list(comments.select_related("author", "version"))


# --- The jurist's queue: one definition for the queue page and the start page -----------------


def review_queue(user: Any) -> QuerySet[AgreementVersion]:
    """The versions waiting for the jurist in the cases ``user`` may see, oldest submission
    first: the case's first review and the versions of renegotiated agreements alike."""
    return (
        AgreementVersion.objects.for_user(user)
        .filter(status=VersionStatus.SUBMITTED)
        .select_related("agreement__case__officer", "agreement__case__committee", "submitted_by")
        .prefetch_related(
            Prefetch(
                "agreement__case__organisations",
                queryset=Organisation.objects.order_by("name"),
            )
        )
        .order_by("submitted_at", "pk")
    )


def awaiting_review(cases: QuerySet[Case]) -> QuerySet[Case]:
    """The cases among ``cases`` whose agreement waits for the jurist (the start page's
    queue): in legal review, or with a version in the queue while in renegotiation."""
    return cases.filter(
        Q(status=CaseStatus.LEGAL_REVIEW)
        | Q(status=CaseStatus.RENEGOTIATION, agreement__versions__status=VersionStatus.SUBMITTED)
    ).distinct()


# --- What the agreement adds to the case's page (registered in AgreementsConfig.ready) --------


def case_panel_context(request, case) -> dict:
    """The agreement's section of the case page: its newest version, and what the user can
    do from there."""
    version = AgreementVersion.objects.filter(agreement__case=case).order_by("-number").first()
    return {
        "agreement_version": version,
        "can_sign": version is not None and version.accepts_signatures(case),
        "can_start_draft": (
            version is None
            and case.status in EDITABLE_CASE_STATUSES
            and permissions.can_change_case(case, request.user)
        ),
    }
