"""What the committee's screens read, as plain data with a constant number of queries.

Each screen's reads are a section of their own; add new ones at the end.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.urls import NoReverseMatch, reverse

from iop import permissions
from iop.models import Case

from .constants import MatterKind, MatterStatus
from .models import DecisionPoint, Matter, MatterDocument, MatterPerspective
from .services.matters import STAGES

# --- A case's matters: the case page's panel and the matter page ------------------------------


def url_or_empty(name: str, *args: Any) -> str:
    """The URL of ``name``, or "" while no page of that name exists (a screen another part of
    the spoke builds, e.g. the PDF preview)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def case_matters(case: Case) -> list[Matter]:
    """The case's matters, newest first, each with its decision (and meeting) and the
    version that replaced it: one query."""
    return list(
        Matter.objects.filter(case=case)
        .select_related("decision__meeting", "replaced_by")
        .order_by("-created_at", "-pk")
    )


def preparable_kinds(case: Case, matters: list[Matter]) -> list[MatterKind]:
    """The kinds of matter that can be prepared at the case's stage
    (``services.matters.STAGES``) and have no open matter already."""
    open_kinds = {
        m.kind for m in matters if m.status != MatterStatus.REPLACED and decision_of(m) is None
    }
    return [kind for kind in MatterKind if case.status in STAGES[kind] and kind not in open_kinds]


def decision_of(matter: Matter) -> Any:
    """The matter's recorded decision, or None (the relation raises when there is none)."""
    try:
        return matter.decision
    except Matter.decision.RelatedObjectDoesNotExist:
        return None


def replacement_of(matter: Matter) -> Matter | None:
    try:
        return matter.replaced_by
    except Matter.replaced_by.RelatedObjectDoesNotExist:
        return None


@dataclass(frozen=True)
class MatterRow:
    """One line of the case page's panel."""

    matter: Matter
    decision: Any
    replaced_by: Matter | None


def case_panel_context(request: Any, case: Case) -> dict:
    """The committee's section of the case page: the case's matters and, for whoever may
    change the case, the kinds of matter that can be prepared now."""
    matters = case_matters(case)
    can_prepare = permissions.can_change_case(case, request.user)
    return {
        "matter_rows": [
            MatterRow(matter=m, decision=decision_of(m), replaced_by=replacement_of(m))
            for m in matters
        ],
        "can_prepare_matter": can_prepare,
        "prepare_kinds": preparable_kinds(case, matters) if can_prepare else [],
    }


@dataclass
class DocumentRow:
    document: MatterDocument
    download_url: str


@dataclass
class MatterDetail:
    """What the matter page shows: the matter with its committee, decision and versions, its
    points, perspectives and registered documents."""

    matter: Matter
    points: list[DecisionPoint]
    perspectives: list[MatterPerspective]
    documents: list[DocumentRow] = field(default_factory=list)
    decision: Any = None
    replaced_by: Matter | None = None
    preview_url: str = ""


def matters_of(case: Case) -> QuerySet[Matter]:
    """The case's matters with what the matter page shows of one (a matter of another case is
    not among them: 404)."""
    return (
        Matter.objects.filter(case=case)
        .select_related(
            "committee",
            "amount_public_body",
            "created_by",
            "finalised_by",
            "decision__meeting",
            "replaced_by",
            "replaces",
        )
        .prefetch_related(
            Prefetch("points", queryset=DecisionPoint.objects.order_by("position", "pk")),
            Prefetch("perspectives", queryset=MatterPerspective.objects.order_by("position", "pk")),
            Prefetch(
                "documents",
                queryset=MatterDocument.objects.select_related("registry_entry").order_by(
                    "attachment_number", "pk"
                ),
            ),
        )
    )


def matter_detail(matter: Matter) -> MatterDetail:
    """``matter`` as fetched by ``matters_of`` (nothing more is queried)."""
    case_pk = matter.case_id
    documents = [
        DocumentRow(
            document=d,
            download_url=url_or_empty("decisions:document", case_pk, matter.pk, d.pk)
            if d.is_rendered
            else "",
        )
        for d in matter.documents.all()
    ]
    return MatterDetail(
        matter=matter,
        points=list(matter.points.all()),
        perspectives=list(matter.perspectives.all()),
        documents=documents,
        decision=decision_of(matter),
        replaced_by=replacement_of(matter),
        preview_url=url_or_empty("decisions:preview", case_pk, matter.pk),
    )


def last_saved_by(matter: Matter) -> Any:
    """Who saved the matter last (its newest history row's user), for an edit conflict."""
    last = matter.history.select_related("history_user").order_by("-history_id").first()
    return last.history_user if last else None
