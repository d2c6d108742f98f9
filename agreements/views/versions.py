"""The agreement's versions: the list, one version as it was, and what changed between two.

Every staff role reads them (``can_view_cases``); nothing here writes. A version that was
submitted, reviewed or signed is shown exactly as it was then.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.views.decorators.http import require_GET

from iop.models import Case
from iop.views.common import stage_context, visible_case

from .. import selectors, services
from ..constants import VersionStatus
from ..diff import version_diff
from ..forms import CompareForm
from ..models import Agreement, AgreementVersion, ReviewComment, RiskAssessment


def _agreement(case: Case) -> Agreement | None:
    return services.agreement_of(case)


def _version_numbers(versions: list[AgreementVersion]) -> list[int]:
    return sorted((v.number for v in versions), reverse=True)


@require_GET
def versions_view(request: HttpRequest, case_pk: int) -> HttpResponse:
    """Every version, newest first, with who wrote, submitted, reviewed and signed it."""
    case = visible_case(request, case_pk)
    agreement = _agreement(case)
    versions = selectors.agreement_versions(agreement) if agreement else []
    numbers = {v.pk: v.number for v in versions}
    rows = [(v, numbers.get(v.based_on_id)) for v in versions]
    compare_form = None
    if len(versions) >= 2:
        compare_form = CompareForm(
            numbers=_version_numbers(versions),
            initial={"fran": versions[1].number, "till": versions[0].number},
        )
    context = {
        "case": case,
        "agreement": agreement,
        "rows": rows,
        "compare_form": compare_form,
        **stage_context(case),
    }
    return render(request, "agreements/versions.html", context)


@require_GET
def version_view(request: HttpRequest, case_pk: int, number: int) -> HttpResponse:
    """One version read-only, with the jurist's comments on it."""
    case = visible_case(request, case_pk)
    agreement = _agreement(case)
    if agreement is None:
        raise Http404
    version = get_object_or_404(AgreementVersion, agreement=agreement, number=number)
    detail = selectors.version_detail(version)
    comments = list(
        ReviewComment.objects.filter(version=version)
        .select_related("author")
        .order_by("created_at", "pk")
    )
    section_numbers = {s.key: i for i, s in enumerate(detail.sections, start=1)}
    context = {
        "case": case,
        "agreement": agreement,
        "version": detail.version,
        "detail": detail,
        "general_comments": [c for c in comments if not c.section_key],
        "section_comments": sorted(
            (c for c in comments if c.section_key),
            key=lambda c: (section_numbers.get(c.section_key, 0), c.created_at, c.pk),
        ),
        "section_numbers": section_numbers,
        "assessment": _recorded_assessment(version),
        "in_force": (
            services.in_force_version(agreement)
            if version.status == VersionStatus.SUPERSEDED
            else None
        ),
        "based_on": (
            AgreementVersion.objects.filter(pk=version.based_on_id)
            .values_list("number", flat=True)
            .first()
            if version.based_on_id
            else None
        ),
        **stage_context(case),
    }
    return render(request, "agreements/version.html", context)


def _recorded_assessment(version: AgreementVersion) -> RiskAssessment | None:
    """The jurist's procurement-risk assessment, once the review of the version is over (while
    it is in review it is the jurist's unfinished work, shown only on the review page)."""
    if version.status in (VersionStatus.DRAFT, VersionStatus.SUBMITTED):
        return None
    return (
        RiskAssessment.objects.filter(version=version)
        .select_related("assessed_by")
        .prefetch_related("answers")
        .first()
    )


@require_GET
def diff_view(request: HttpRequest, case_pk: int) -> HttpResponse:
    """What changed from version ``fran`` to version ``till``. Missing, equal or unknown
    numbers give the form again with the reason (400), never an error page."""
    case = visible_case(request, case_pk)
    agreement = _agreement(case)
    if agreement is None:
        raise Http404
    versions = {v.number: v for v in agreement.versions.all()}
    form = CompareForm(request.GET, numbers=sorted(versions, reverse=True))
    context = {"case": case, "agreement": agreement, "form": form, **stage_context(case)}
    if not form.is_valid():
        return render(request, "agreements/diff.html", context, status=400)
    old = selectors.version_detail(versions[form.cleaned_data["fran"]])
    new = selectors.version_detail(versions[form.cleaned_data["till"]])
    context["diff"] = version_diff(old, new)
    return render(request, "agreements/diff.html", context)


urls: list = [
    path("arenden/<int:case_pk>/avtal/versioner/", versions_view, name="versions"),
    path("arenden/<int:case_pk>/avtal/versioner/<int:number>/", version_view, name="version"),
    path("arenden/<int:case_pk>/avtal/jamfor/", diff_view, name="diff"),
]
