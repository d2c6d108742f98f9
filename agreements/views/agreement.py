"""The agreement's page (DOMAIN.md §3.3, §6) and the steps that start, submit and revise a
draft.

Every staff role reads the agreement; the case's officer, its substitute and the IOP
coordinator (``can_change_case``) start, submit and revise it; anyone else is answered 403.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from iop import permissions
from iop.constants import CaseStatus
from iop.services import TransitionForbidden, TransitionRefused
from iop.views.common import visible_case

from .. import services
from ..constants import SECTION_GUIDANCE, VersionStatus
from ..models import AgreementSection, ReviewComment
from ..selectors import returned_comments, version_detail
from ..wording import Hit, check_text, highlight
from .common import case_to_change, detail_url, newest_version, refusal_messages

# Bootstrap colour of a version's status badge; the badge always carries the status as text.
VERSION_STYLES = {
    VersionStatus.DRAFT: "text-bg-secondary",
    VersionStatus.SUBMITTED: "text-bg-primary",
    VersionStatus.RETURNED: "text-bg-warning",
    VersionStatus.APPROVED: "text-bg-success",
    VersionStatus.SIGNED: "text-bg-success",
    VersionStatus.SUPERSEDED: "text-bg-dark",
}


@dataclass
class SectionRow:
    """One heading on the agreement's page, with its wording hits."""

    section: AgreementSection
    number: int
    guidance: str
    hits: list[Hit]
    highlighted: SafeString
    # The jurist's comments on this heading in the returned version the draft continues.
    comments: list[ReviewComment] = field(default_factory=list)


# --- The agreement's page -------------------------------------------------------------------


def agreement_detail(request: HttpRequest, case_pk: int) -> HttpResponse:
    case = visible_case(request, case_pk)
    user = request.user
    can_change = permissions.can_change_case(case, user)
    version = newest_version(case)
    context: dict[str, Any] = {"case": case, "can_change": can_change, "version": version}
    if version is None:
        context["can_start"] = can_change and case.status in services.EDITABLE_CASE_STATUSES
        return render(request, "agreements/agreement.html", context)

    detail = version_detail(version)
    version = detail.version
    editable = services.can_edit_draft(version, user)
    rows = []
    for number, section in enumerate(detail.sections, start=1):
        hits = check_text(section.text)
        rows.append(
            SectionRow(
                section=section,
                number=number,
                guidance=SECTION_GUIDANCE.get(section.key, ""),
                hits=hits,
                highlighted=highlight(section.text, hits, id_prefix=f"wording-{section.key}"),
            )
        )
    is_draft = version.is_draft
    # A draft that continues a returned version is written against the jurist's comments:
    # each heading's comments are shown in its section, the general ones at the top.
    comments = returned_comments(version) if is_draft else []
    by_key: dict[str, list[ReviewComment]] = defaultdict(list)
    for comment in comments:
        by_key[comment.section_key].append(comment)
    for row in rows:
        row.comments = by_key.pop(row.section.key, [])
    # Whatever is not placed in a section (the general comments) stays in the top block.
    general_comments = [c for c in comments if c.section_key in by_key]
    context.update(
        detail=detail,
        version=version,
        version_style=VERSION_STYLES.get(version.status, "text-bg-secondary"),
        editable=editable,
        is_draft=is_draft,
        can_sign=version.accepts_signatures(case),
        rows=rows,
        returned_comments=comments,
        returned_number=comments[0].version.number if comments else None,
        commented_rows=[row for row in rows if row.comments],
        general_comments=general_comments,
        # The version's rows are prefetched, so the checks read them without new queries.
        problems=services.submission_problems(version) if is_draft else [],
        can_submit=editable,
        can_revise=(
            can_change
            and case.status == CaseStatus.RENEGOTIATION
            and version.status == VersionStatus.SIGNED
        ),
        can_review=(
            version.status == VersionStatus.SUBMITTED and permissions.can_review_legal(case, user)
        ),
    )
    return render(request, "agreements/agreement.html", context)


@require_POST
def agreement_start_view(request: HttpRequest, case_pk: int) -> HttpResponse:
    case = case_to_change(request, case_pk)
    try:
        services.agreement_start(case=case, actor=request.user)
    except TransitionForbidden:
        raise
    except TransitionRefused as refused:
        refusal_messages(request, _("The agreement draft could not be started."), refused.reasons)
    else:
        messages.success(
            request,
            _("Version 1 of the agreement has been started, prefilled from the case."),
        )
    return redirect(detail_url(case))


@require_POST
def submit_view(request: HttpRequest, case_pk: int) -> HttpResponse:
    case = case_to_change(request, case_pk)
    try:
        version = services.submit_draft(case=case, actor=request.user)
    except TransitionForbidden:
        raise
    except TransitionRefused as refused:
        refusal_messages(
            request, _("The agreement has not been sent to the jurist."), refused.reasons
        )
        return redirect(detail_url(case, "readiness"))
    messages.success(
        request,
        _("Version %(number)s has been sent to the jurist for legal review.")
        % {"number": version.number},
    )
    return redirect(detail_url(case))


@require_POST
def revise_view(request: HttpRequest, case_pk: int) -> HttpResponse:
    case = case_to_change(request, case_pk)
    try:
        version = services.start_revision(case=case, actor=request.user)
    except TransitionForbidden:
        raise
    except TransitionRefused as refused:
        refusal_messages(request, _("No new version could be started."), refused.reasons)
    else:
        messages.success(
            request,
            _("Version %(number)s has been started from the agreement in force.")
            % {"number": version.number},
        )
    return redirect(detail_url(case))


urls: list = [
    path("arenden/<int:case_pk>/avtal/", agreement_detail, name="detail"),
    path("arenden/<int:case_pk>/avtal/starta/", agreement_start_view, name="start"),
    path("arenden/<int:case_pk>/avtal/skicka/", submit_view, name="submit"),
    path("arenden/<int:case_pk>/avtal/ny-version/", revise_view, name="revise"),
]
