"""Editing the draft (DOMAIN.md §3.3, §6): one heading's text, the term and the parties.

Who may do what: the case's officer, its substitute and the IOP coordinator
(``can_change_case``) write the draft; anyone else is answered 403 on an edit screen. A draft
is written only while the case is in drafting or renegotiation; a submitted, approved or
signed version is a record, and an edit of it is refused with the reason (409).

Two people may edit the same draft at once. Every form carries the revision it was opened at;
when someone saved since, the save is refused (``EditConflict``), the user keeps what they
typed, sees what the other person saved beside it, and a second save overwrites on purpose.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import formats
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from iop.models import Case
from iop.services import TransitionForbidden, TransitionRefused

from .. import services
from ..constants import SectionKey
from ..forms import PartyFormSet, RevisionForm, SectionForm, TermsForm
from ..models import TERMS_FIELDS, AgreementParty, AgreementSection, AgreementVersion
from ..selectors import returned_comments
from ..services import EditConflict
from ..templatetags.agreement_format import kr
from ..wording import check_text, highlight
from .common import case_to_change, detail_url, editable_draft


@dataclass
class Conflict:
    """What someone else saved since the user opened the form, shown beside their own."""

    by: Any
    at: Any
    rows: list[tuple[str, str]]


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


# --- Editing the draft ----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def section_edit(request: HttpRequest, case_pk: int, key: str) -> HttpResponse:
    if key not in SectionKey.values:
        raise Http404
    case = case_to_change(request, case_pk)
    try:
        version = editable_draft(case, request.user)
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
                return redirect(detail_url(case, f"section-{key}"))
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
        "returned_comments": returned_comments(version, key),
    }
    return render(request, "agreements/section_form.html", context, status=409 if conflict else 200)


def _following_key(key: str) -> str:
    keys = list(SectionKey.values)
    index = keys.index(key)
    return keys[index + 1] if index + 1 < len(keys) else ""


@require_http_methods(["GET", "POST"])
def terms_edit(request: HttpRequest, case_pk: int) -> HttpResponse:
    case = case_to_change(request, case_pk)
    try:
        version = editable_draft(case, request.user)
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
                return redirect(detail_url(case, "term"))
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
    case = case_to_change(request, case_pk)
    try:
        version = editable_draft(case, request.user)
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
                services.parties_save(
                    actor=request.user,
                    version=version,
                    revision=revision_form.cleaned_data["revision"],
                    changed=[
                        form.save(commit=False) for form in formset.forms if form.has_changed()
                    ],
                )
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
                return redirect(detail_url(case, "parties"))
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
    path("arenden/<int:case_pk>/avtal/avsnitt/<slug:key>/", section_edit, name="section"),
    path("arenden/<int:case_pk>/avtal/villkor/", terms_edit, name="terms"),
    path("arenden/<int:case_pk>/avtal/parter/", parties_edit, name="parties"),
]
