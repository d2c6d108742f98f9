"""The case officer's screens for the committee's matters (DOMAIN.md §7): the case page's
panel, preparing a matter, editing the draft's tjänsteskrivelse and attachments, making it
final, and replacing a final one by a new version.

Who may do what: every staff role reads every matter (``visible_case``); the case's officer,
its substitute and the IOP coordinator (``can_change_case``) prepare and edit them; anyone
else is answered 403 on a write (and on the prepare screen). A matter of another case under
this case's URL is 404. A final matter is a record: an edit of it is refused with the reason
(409), and it changes only by a new version.

Two people may edit the same draft at once. The form carries the revision it was opened at;
when someone saved since, the save is refused (``EditConflict``), the user keeps what they
typed and sees what the other person saved beside it; saving again overwrites on purpose.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from iop import permissions, workflow
from iop.exceptions import TransitionForbidden
from iop.models import Case
from iop.views.common import case_to_change, stage_context, visible_case

from .. import selectors, services, wording
from ..forms.matters import MatterForm, PrepareMatterForm
from ..models import Matter
from ..services import EditConflict, MatterRefused

# --- Helpers --------------------------------------------------------------------------------


def _matter_of(case: Case, pk: int) -> Matter:
    matter = get_object_or_404(selectors.matters_of(case), pk=pk)
    matter.case = case
    return matter


@dataclass
class Conflict:
    """What someone else saved since the user opened the form, shown beside their own."""

    by: Any
    at: Any
    rows: list[tuple[str, str]]


def _conflict_of(form: MatterForm, current: Matter) -> Conflict:
    """The saved values that differ from what the user typed."""
    rows: list[tuple[str, str]] = []
    typed = form.cleaned_data
    for name, field in form.fields.items():
        if name in ("revision", "remove_partner_request_file", "partner_request_file"):
            continue
        if name.startswith("perspective-"):
            continue
        saved = getattr(current, f"{name}_id" if name == "amount_public_body" else name, None)
        mine = typed.get(name)
        mine = getattr(mine, "pk", mine)
        if isinstance(mine, str):
            mine = mine.strip()
        if (saved or None) != (mine or None):
            shown = current.amount_public_body if name == "amount_public_body" else saved
            rows.append((str(field.label), "" if shown is None else str(shown)))
    saved_points = [p.text for p in current.points.order_by("position", "pk")]
    if saved_points != form.point_texts():
        text = "\n".join(f"{n}. {t}" for n, t in enumerate(saved_points, start=1))
        rows.append((_("Decision points"), text))
    return Conflict(by=selectors.last_saved_by(current), at=current.updated_at, rows=rows)


def _with_revision(data: QueryDict, revision: int) -> QueryDict:
    """What the user typed, now based on ``revision``: saving it again overwrites on purpose."""
    data = data.copy()
    data["revision"] = str(revision)
    return data


def _render_matter(
    request: HttpRequest,
    case: Case,
    matter: Matter,
    *,
    form: MatterForm | None = None,
    conflict: Conflict | None = None,
    refusals: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    detail = selectors.matter_detail(matter)
    may_change = permissions.can_change_case(case, request.user)
    editable = matter.is_draft and may_change
    if editable and form is None:
        form = MatterForm(matter=matter, perspectives=detail.perspectives)
    context = {
        "case": case,
        "matter": matter,
        "detail": detail,
        "form": form if editable else None,
        "conflict": conflict,
        "refusals": refusals or [],
        "may_change": may_change,
        "can_finalise": editable,
        "can_new_version": may_change and matter.is_final and detail.decision is None,
        "resolution_intro": wording.resolution_intro(matter.committee.name),
        "send_to_lines": [line for line in matter.send_to.splitlines() if line.strip()],
        "amount_change_text": _signed_kronor(matter.amount_change),
        **stage_context(case),
    }
    return render(request, "decisions/matters/matter.html", context, status=status)


def _signed_kronor(amount: Any) -> str:
    if amount is None:
        return ""
    sign = "+" if amount > 0 else "−"
    return f"{sign}{wording.kronor(amount)}"


# --- Preparing a matter ---------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def matter_prepare(request: HttpRequest, case_pk: int) -> HttpResponse:
    case = case_to_change(request, case_pk)
    offered = selectors.preparable_kinds(case, selectors.case_matters(case))
    initial = {}
    if request.GET.get("kind") in {k.value for k in offered}:
        initial["kind"] = request.GET["kind"]
    form = PrepareMatterForm(request.POST or None, case=case, offered=offered, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            matter = services.matter_prepare(
                case=case, actor=request.user, **form.service_arguments()
            )
        except TransitionForbidden:
            raise
        except MatterRefused as refused:
            for reason in refused.reasons:
                form.add_error(None, reason)
        else:
            messages.success(
                request,
                _("The matter «%(title)s» has been drafted from the case.")
                % {"title": matter.title},
            )
            return redirect(matter.get_absolute_url())
    context = {"case": case, "form": form, "offered": offered, **stage_context(case)}
    return render(request, "decisions/matters/prepare.html", context)


# --- The matter page: read, and edit the draft ----------------------------------------------


@require_http_methods(["GET", "POST"])
def matter_page(request: HttpRequest, case_pk: int, pk: int) -> HttpResponse:
    case = visible_case(request, case_pk)
    matter = _matter_of(case, pk)
    if request.method == "GET":
        return _render_matter(request, case, matter)
    if not permissions.can_change_case(case, request.user):
        raise PermissionDenied
    if not matter.is_draft:
        try:
            services.matters.ensure_draft(matter)
        except MatterRefused as refused:
            return _render_matter(request, case, matter, refusals=refused.reasons, status=409)
    detail_perspectives = list(matter.perspectives.all())
    form = MatterForm(
        data=request.POST, files=request.FILES, matter=matter, perspectives=detail_perspectives
    )
    # Adding or removing a point only shows the form again with it; nothing is saved yet.
    if "add_point" in request.POST:
        form.points.append("")
        return _render_matter(request, case, matter, form=form)
    if "remove_point" in request.POST:
        with contextlib.suppress(ValueError, IndexError):
            del form.points[int(request.POST["remove_point"])]
        return _render_matter(request, case, matter, form=form)
    if not form.is_valid():
        return _render_matter(request, case, matter, form=form)
    regenerate = "regenerate_points" in request.POST
    try:
        _save(request, matter, form, regenerate=regenerate)
    except EditConflict:
        current = Matter.objects.select_related("amount_public_body").get(pk=matter.pk)
        conflict = _conflict_of(form, current)
        messages.warning(
            request,
            _(
                "Someone else has saved this matter since you opened it. Your text has not been "
                "saved: compare it with what is saved now, and save again to replace it with "
                "yours."
            ),
        )
        form = MatterForm(
            data=_with_revision(request.POST, current.revision),
            matter=matter,
            perspectives=detail_perspectives,
        )
        return _render_matter(request, case, matter, form=form, conflict=conflict, status=409)
    except ValidationError as invalid:
        for name, errors in invalid.message_dict.items():
            for error in errors:
                form.add_error(name if name in form.fields else None, error)
        return _render_matter(request, case, matter, form=form)
    except TransitionForbidden:
        raise
    except MatterRefused as refused:
        return _render_matter(request, case, matter, refusals=refused.reasons, status=409)
    if regenerate:
        messages.success(
            request, _("The matter has been saved and its decision points generated again.")
        )
    else:
        messages.success(request, _("The matter has been saved."))
    return redirect(matter.get_absolute_url())


@transaction.atomic
def _save(request: HttpRequest, matter: Matter, form: MatterForm, *, regenerate: bool) -> None:
    """Every part of the form in one transaction: the texts (checking the revision first),
    the perspectives, the decision points."""
    actor = request.user
    services.matter_update(
        matter=matter, actor=actor, revision=form.cleaned_data["revision"], **form.matter_fields()
    )
    for perspective, text in form.perspective_texts():
        services.matter_perspective_save(perspective=perspective, actor=actor, text=text)
    if regenerate:
        services.matter_points_regenerate(matter=matter, actor=actor)
    else:
        services.matter_points_save(matter=matter, actor=actor, texts=form.point_texts())


# --- Making it final, and a new version -----------------------------------------------------


@require_POST
def matter_finalise(request: HttpRequest, case_pk: int, pk: int) -> HttpResponse:
    case = case_to_change(request, case_pk)
    matter = _matter_of(case, pk)
    try:
        services.matter_finalise(matter=matter, actor=request.user)
    except TransitionForbidden:
        raise
    except MatterRefused as refused:
        return _render_matter(request, case, matter, refusals=refused.reasons, status=409)
    messages.success(
        request,
        _(
            "The matter is final: its documents have been registered in the diarium and are "
            "being printed."
        ),
    )
    return redirect(matter.get_absolute_url())


@require_POST
def matter_new_version(request: HttpRequest, case_pk: int, pk: int) -> HttpResponse:
    case = case_to_change(request, case_pk)
    matter = _matter_of(case, pk)
    try:
        new = services.matter_new_version(matter=matter, actor=request.user)
    except TransitionForbidden:
        raise
    except MatterRefused as refused:
        return _render_matter(request, case, matter, refusals=refused.reasons, status=409)
    messages.success(
        request,
        _("Version %(n)s of the matter has been drafted; version %(old)s is replaced.")
        % {"n": new.version, "old": matter.version},
    )
    return redirect(new.get_absolute_url())


urlpatterns = [
    path("nytt/", matter_prepare, name="matter_prepare"),
    path("<int:pk>/", matter_page, name="matter"),
    path("<int:pk>/slutlig/", matter_finalise, name="matter_finalise"),
    path("<int:pk>/ny-version/", matter_new_version, name="matter_new_version"),
]


def register() -> None:
    """The case page's panel of the case's matters. No transition is taken here: the
    committee secretary records the decisions on the meeting's page."""
    workflow.register_case_panel(
        key="committee_matters",
        template="decisions/_case_panel.html",
        context=selectors.case_panel_context,
        order=20,
    )
