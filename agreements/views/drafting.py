"""Drafting the agreement (DOMAIN.md §3.3, §6): the agreement's page, one heading's text,
the term, the parties, and the steps that start, submit and revise a draft.

Who may do what: every staff role reads the agreement; the case's officer, its substitute and
the IOP coordinator (``can_change_case``) write the draft; anyone else is answered 403 on an
edit screen. A draft is written only while the case is in drafting or renegotiation; a
submitted, approved or signed version is a record, and an edit of it is refused with the
reason (409).

Two people may edit the same draft at once. Every form carries the revision it was opened at;
when someone saved since, the save is refused (``EditConflict``), the user keeps what they
typed, sees what the other person saved beside it, and a second save overwrites on purpose.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import formats
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from iop import permissions
from iop.constants import CaseStatus
from iop.models import Case
from iop.services import TransitionForbidden, TransitionRefused
from iop.views.case import visible_case

from .. import services
from ..constants import SECTION_GUIDANCE, SectionKey, VersionStatus
from ..forms import TERMS_FIELDS, PartyFormSet, RevisionForm, SectionForm, TermsForm
from ..models import AgreementParty, AgreementSection, AgreementVersion, ReviewComment
from ..selectors import version_detail
from ..services import EditConflict
from ..templatetags.agreement_format import kr
from ..wording import Hit, check_text, highlight

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


@dataclass
class Conflict:
    """What someone else saved since the user opened the form, shown beside their own."""

    by: Any
    at: Any
    rows: list[tuple[str, str]]


# --- Finding the case and the draft ---------------------------------------------------------


def _case_to_change(request: HttpRequest, case_pk: int) -> Case:
    case = visible_case(request, case_pk)
    if not permissions.can_change_case(case, request.user):
        raise PermissionDenied
    return case


def _newest_version(case: Case) -> AgreementVersion | None:
    # Only the newest version can be a draft, so the newest is the one being written, or
    # (with no draft) the one in review, awaiting signatures or in force.
    return (
        AgreementVersion.objects.filter(agreement__case=case)
        .select_related("agreement__case")
        .order_by("-number")
        .first()
    )


def _editable_draft(case: Case, user: Any) -> AgreementVersion:
    """The draft this user may edit now; ``TransitionRefused`` with the reason otherwise."""
    version = _newest_version(case)
    if version is None:
        raise TransitionRefused([_("No agreement has been started for this case yet.")])
    version.agreement.case = case
    services.ensure_editable(version, user)
    return version


def _refused(
    request: HttpRequest, case: Case, reasons: list[str], unsaved: str = ""
) -> HttpResponse:
    """The edit cannot be made (the version is frozen, or the case is at another stage)."""
    return render(
        request,
        "agreements/refused.html",
        {"case": case, "reasons": reasons, "unsaved": unsaved},
        status=409,
    )


def _with_revision(data: QueryDict, revision: int) -> QueryDict:
    """What the user typed, now based on ``revision``: saving it again overwrites on purpose."""
    data = data.copy()
    data["revision"] = str(revision)
    return data


def _conflict_message(request: HttpRequest) -> None:
    messages.warning(
        request,
        _(
            "Someone else has saved this since you opened it. Your text has not been saved: "
            "compare it with what is saved now, and save again to replace it with yours."
        ),
    )


def _version_saved_by(version: AgreementVersion) -> tuple[Any, Any]:
    last = version.history.select_related("history_user").first()
    return (last.history_user if last else None, version.updated_at)


# --- The agreement's page -------------------------------------------------------------------


def agreement_detail(request: HttpRequest, case_pk: int) -> HttpResponse:
    case = visible_case(request, case_pk)
    user = request.user
    can_change = permissions.can_change_case(case, user)
    version = _newest_version(case)
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
    is_draft = version.status == VersionStatus.DRAFT
    # A draft that continues a returned version is written against the jurist's comments:
    # each heading's comments are shown in its section, the general ones at the top.
    returned_comments = _returned_comments(version) if is_draft else []
    by_key: dict[str, list[ReviewComment]] = defaultdict(list)
    for comment in returned_comments:
        by_key[comment.section_key].append(comment)
    for row in rows:
        row.comments = by_key.pop(row.section.key, [])
    # Whatever is not placed in a section (the general comments) stays in the top block.
    general_comments = [c for c in returned_comments if c.section_key in by_key]
    context.update(
        detail=detail,
        version=version,
        version_style=VERSION_STYLES.get(version.status, "text-bg-secondary"),
        editable=editable,
        rows=rows,
        returned_comments=returned_comments,
        returned_number=returned_comments[0].version.number if returned_comments else None,
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


def _returned_comments(version: AgreementVersion, key: str | None = None) -> list[ReviewComment]:
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


def _detail_url(case: Case, anchor: str = "") -> str:
    url = reverse("agreements:detail", args=[case.pk])
    return f"{url}#{anchor}" if anchor else url


def _refusal_messages(request: HttpRequest, intro: str, reasons: list[str]) -> None:
    messages.error(request, intro)
    for reason in reasons:
        messages.error(request, reason)


@require_POST
def agreement_start_view(request: HttpRequest, case_pk: int) -> HttpResponse:
    case = _case_to_change(request, case_pk)
    try:
        services.agreement_start(case=case, actor=request.user)
    except TransitionForbidden:
        raise
    except TransitionRefused as refused:
        _refusal_messages(request, _("The agreement draft could not be started."), refused.reasons)
    else:
        messages.success(
            request,
            _("Version 1 of the agreement has been started, prefilled from the case."),
        )
    return redirect(_detail_url(case))


@require_POST
def submit_view(request: HttpRequest, case_pk: int) -> HttpResponse:
    case = _case_to_change(request, case_pk)
    try:
        version = services.submit_draft(case=case, actor=request.user)
    except TransitionForbidden:
        raise
    except TransitionRefused as refused:
        _refusal_messages(
            request, _("The agreement has not been sent to the jurist."), refused.reasons
        )
        return redirect(_detail_url(case, "readiness"))
    messages.success(
        request,
        _("Version %(number)s has been sent to the jurist for legal review.")
        % {"number": version.number},
    )
    return redirect(_detail_url(case))


@require_POST
def revise_view(request: HttpRequest, case_pk: int) -> HttpResponse:
    case = _case_to_change(request, case_pk)
    try:
        version = services.start_revision(case=case, actor=request.user)
    except TransitionForbidden:
        raise
    except TransitionRefused as refused:
        _refusal_messages(request, _("No new version could be started."), refused.reasons)
    else:
        messages.success(
            request,
            _("Version %(number)s has been started from the agreement in force.")
            % {"number": version.number},
        )
    return redirect(_detail_url(case))


# --- Editing the draft ----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def section_edit(request: HttpRequest, case_pk: int, key: str) -> HttpResponse:
    if key not in SectionKey.values:
        raise Http404
    case = _case_to_change(request, case_pk)
    try:
        version = _editable_draft(case, request.user)
    except TransitionForbidden:
        raise
    except TransitionRefused as refused:
        return _refused(request, case, refused.reasons, request.POST.get("text", ""))
    section = get_object_or_404(
        AgreementSection.objects.select_related("updated_by"), version=version, key=key
    )
    conflict = None
    if request.method == "POST":
        form = SectionForm(request.POST, key=key)
        if form.is_valid():
            try:
                services.section_save(
                    section=section,
                    text=form.cleaned_data["text"],
                    revision=form.cleaned_data["revision"],
                    actor=request.user,
                )
            except EditConflict as edited:
                current = edited.current
                _conflict_message(request)
                conflict = Conflict(
                    by=current.updated_by,
                    at=current.updated_at,
                    rows=[(section.get_key_display(), current.text)],
                )
                form = SectionForm(_with_revision(request.POST, current.revision), key=key)
            except TransitionForbidden:
                raise
            except TransitionRefused as refused:
                return _refused(request, case, refused.reasons, form.cleaned_data["text"])
            else:
                messages.success(
                    request, _("«%(heading)s» saved.") % {"heading": section.get_key_display()}
                )
                following = _following_key(key)
                if "save_next" in request.POST and following:
                    return redirect("agreements:section", case_pk=case.pk, key=following)
                return redirect(_detail_url(case, f"section-{key}"))
    else:
        form = SectionForm(initial={"text": section.text, "revision": section.revision}, key=key)
    text = form["text"].value() or ""
    hits = check_text(text)
    context = {
        "case": case,
        "version": version,
        "section": section,
        "number": SectionKey.values.index(key) + 1,
        "form": form,
        "conflict": conflict,
        "hits": hits,
        "highlighted": highlight(text, hits, id_prefix=f"wording-{key}"),
        # The replace buttons point into the saved text: offer them only while the form
        # shows exactly that text.
        "can_replace": not form.is_bound,
        "next_key": _following_key(key),
        # The jurist's comments on this heading, when the draft continues a returned version.
        "returned_comments": _returned_comments(version, key),
    }
    return render(request, "agreements/section_form.html", context, status=409 if conflict else 200)


def _following_key(key: str) -> str:
    keys = list(SectionKey.values)
    index = keys.index(key)
    return keys[index + 1] if index + 1 < len(keys) else ""


@require_http_methods(["GET", "POST"])
def terms_edit(request: HttpRequest, case_pk: int) -> HttpResponse:
    case = _case_to_change(request, case_pk)
    try:
        version = _editable_draft(case, request.user)
    except TransitionForbidden:
        raise
    except TransitionRefused as refused:
        return _refused(request, case, refused.reasons)
    conflict = None
    if request.method == "POST":
        form = TermsForm(request.POST, instance=version)
        if form.is_valid():
            try:
                services.version_update(
                    version=version,
                    data=form.version_data(),
                    revision=form.cleaned_data["revision"],
                    actor=request.user,
                )
            except EditConflict as edited:
                current = edited.current
                _conflict_message(request)
                by, at = _version_saved_by(current)
                conflict = Conflict(by=by, at=at, rows=_terms_rows(current))
                form = TermsForm(_with_revision(request.POST, current.revision), instance=version)
            except TransitionForbidden:
                raise
            except TransitionRefused as refused:
                return _refused(request, case, refused.reasons)
            else:
                messages.success(request, _("The term of the agreement has been saved."))
                return redirect(_detail_url(case, "term"))
    else:
        form = TermsForm(instance=version, initial={"revision": version.revision})
    context = {"case": case, "version": version, "form": form, "conflict": conflict}
    return render(request, "agreements/terms_form.html", context, status=409 if conflict else 200)


def _terms_rows(version: AgreementVersion) -> list[tuple[str, str]]:
    rows = []
    for name in TERMS_FIELDS:
        field = AgreementVersion._meta.get_field(name)
        value = getattr(version, name)
        if name == "term_kind":
            value = version.get_term_kind_display()
        elif name == "start_date" and value:
            value = formats.date_format(value, "DATE_FORMAT")
        rows.append((str(field.verbose_name).capitalize(), "" if value is None else str(value)))
    return rows


@require_http_methods(["GET", "POST"])
def parties_edit(request: HttpRequest, case_pk: int) -> HttpResponse:
    case = _case_to_change(request, case_pk)
    try:
        version = _editable_draft(case, request.user)
    except TransitionForbidden:
        raise
    except TransitionRefused as refused:
        return _refused(request, case, refused.reasons)
    parties = AgreementParty.objects.filter(version=version).select_related(
        "public_body", "organisation"
    )
    conflict = None
    if request.method == "POST":
        formset = PartyFormSet(request.POST, queryset=parties, prefix="parties")
        revision_form = RevisionForm(request.POST)
        if formset.is_valid() and revision_form.is_valid():
            try:
                with transaction.atomic():
                    services.lock_draft(
                        version, revision=revision_form.cleaned_data["revision"], actor=request.user
                    )
                    for form in formset.forms:
                        if form.has_changed():
                            party = form.save(commit=False)
                            party._history_user = request.user
                            party.save()
            except EditConflict as edited:
                current = edited.current
                _conflict_message(request)
                by, at = _version_saved_by(current)
                conflict = Conflict(by=by, at=at, rows=_party_rows(parties.all()))
                revision_form = RevisionForm({"revision": current.revision})
            except TransitionForbidden:
                raise
            except TransitionRefused as refused:
                return _refused(request, case, refused.reasons)
            else:
                messages.success(request, _("The parties have been saved."))
                return redirect(_detail_url(case, "parties"))
    else:
        formset = PartyFormSet(queryset=parties, prefix="parties")
        revision_form = RevisionForm(initial={"revision": version.revision})
    context = {
        "case": case,
        "version": version,
        "formset": formset,
        "revision_form": revision_form,
        "conflict": conflict,
    }
    return render(request, "agreements/parties_form.html", context, status=409 if conflict else 200)


def _party_rows(parties) -> list[tuple[str, str]]:
    rows = []
    for party in parties.order_by("order", "pk"):
        lines = [
            _("Signing order: %(order)s") % {"order": party.order},
            _("Signatory: %(name)s")
            % {
                "name": ", ".join(v for v in (party.signatory_name, party.signatory_title) if v)
                or "–"
            },
            _("Contact person: %(name)s")
            % {
                "name": ", ".join(
                    v for v in (party.contact_name, party.contact_email, party.contact_phone) if v
                )
                or "–"
            },
            _("Amount per full year: %(amount)s") % {"amount": kr(party.annual_amount)},
        ]
        rows.append((party.name, "\n".join(lines)))
    return rows


urls: list = [
    path("arenden/<int:case_pk>/avtal/", agreement_detail, name="detail"),
    path("arenden/<int:case_pk>/avtal/starta/", agreement_start_view, name="start"),
    path("arenden/<int:case_pk>/avtal/avsnitt/<slug:key>/", section_edit, name="section"),
    path("arenden/<int:case_pk>/avtal/villkor/", terms_edit, name="terms"),
    path("arenden/<int:case_pk>/avtal/parter/", parties_edit, name="parties"),
    path("arenden/<int:case_pk>/avtal/skicka/", submit_view, name="submit"),
    path("arenden/<int:case_pk>/avtal/ny-version/", revise_view, name="revise"),
]
