"""The committee secretary's screens (/namnd/sammantraden/…): a committee's meetings, a new
meeting, and the meeting's page — its agenda (order, move to a later meeting, take off), the
final matters waiting for an agenda, and the meeting package with its progress bar.

Who sees what:
- every staff role reads every page (the auditor follows the matters to the decision);
- the secretary (and the administrator) changes: every POST and the forms' pages of anyone
  else are 403; users without a staff role 403; anonymous users go to the login page.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from iop import permissions, workflow
from iop.exceptions import TransitionRefused
from iop.models import Committee
from partners.files import file_response, register_stored_file
from partners.ui import form_helper

from ..constants import PackageStatus
from ..forms.meetings import AgendaAddForm, AgendaLaterForm, AgendaMoveForm, MeetingForm
from ..models import AgendaItem, Meeting, MeetingPackage
from ..services import add_to_agenda, create_meeting, remove_from_agenda
from ..services import package as packages
from ..services.meetings import (
    agenda_move,
    agenda_move_to_later,
    later_meetings,
    may_keep_meetings,
    ready_matters,
    update_meeting,
)
from .recording import may_record

PAST_PER_PAGE = 20
MEETING_TEMPLATE = "decisions/meetings/meeting.html"
PACKAGE_PANEL = "decisions/meetings/_package.html"


# --- Access -----------------------------------------------------------------------------


def _ensure_reader(request: HttpRequest) -> None:
    if not permissions.can_view_cases(request.user):
        raise PermissionDenied


def _ensure_keeper(request: HttpRequest) -> None:
    _ensure_reader(request)
    if not may_keep_meetings(request.user):
        raise PermissionDenied


def _meeting(request: HttpRequest, pk: int) -> Meeting:
    _ensure_reader(request)
    return get_object_or_404(
        Meeting.objects.select_related("committee", "committee__public_body"), pk=pk
    )


def _refused(request: HttpRequest, refused: TransitionRefused) -> None:
    for reason in refused.reasons:
        messages.error(request, reason)


def _to_agenda(meeting: Meeting) -> HttpResponse:
    return redirect(f"{meeting.get_absolute_url()}#agenda")


# --- A committee's meetings -------------------------------------------------------------


@require_GET
def meeting_list(request: HttpRequest) -> HttpResponse:
    """The meetings of one committee (the one chosen, or the first): those to come first,
    soonest first; those held below, latest first, page by page."""
    _ensure_reader(request)
    committees = list(Committee.objects.filter(is_active=True).select_related("public_body"))
    chosen = request.GET.get("committee", "")
    committee = next((c for c in committees if str(c.pk) == chosen), None)
    if chosen and committee is None:
        raise Http404
    committee = committee or (committees[0] if committees else None)
    today = timezone.localdate()
    upcoming: list[Meeting] = []
    page = None
    if committee is not None:
        meetings = Meeting.objects.filter(committee=committee).annotate(
            item_count=Count("items", distinct=True)
        )
        upcoming = list(meetings.filter(date__gte=today).order_by("date", "starts_at", "pk"))
        page = Paginator(
            meetings.filter(date__lt=today).order_by("-date", "-starts_at", "-pk"), PAST_PER_PAGE
        ).get_page(request.GET.get("page"))
    context = {
        "committees": committees,
        "committee": committee,
        "upcoming": upcoming,
        "page_obj": page,
        "page_range": (
            page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
            if page is not None
            else []
        ),
        "may_keep": may_keep_meetings(request.user),
    }
    return render(request, "decisions/meetings/list.html", context)


def _form_page(
    request: HttpRequest, form: MeetingForm, *, meeting: Meeting | None, status: int = 200
) -> HttpResponse:
    context = {
        "form": form,
        "helper": form_helper(form),
        "meeting": meeting,
        "title": _("Change the meeting") if meeting else _("New meeting"),
    }
    return render(request, "decisions/meetings/form.html", context, status=status)


def _field_errors(form: MeetingForm, error: ValidationError) -> None:
    for name, texts in error.message_dict.items():
        for text in texts:
            form.add_error(name if name in form.fields else None, text)


@require_http_methods(["GET", "POST"])
def meeting_new(request: HttpRequest) -> HttpResponse:
    _ensure_keeper(request)
    if request.method == "POST":
        form = MeetingForm(request.POST)
        if form.is_valid():
            try:
                meeting = create_meeting(
                    actor=request.user,
                    committee=form.cleaned_data["committee"],
                    **form.service_fields(),
                )
            except ValidationError as error:
                _field_errors(form, error)
            else:
                messages.success(
                    request, _("The meeting %(meeting)s was added.") % {"meeting": meeting}
                )
                return redirect(meeting.get_absolute_url())
        return _form_page(request, form, meeting=None)
    form = MeetingForm(initial={"committee": request.GET.get("committee")})
    return _form_page(request, form, meeting=None)


@require_http_methods(["GET", "POST"])
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    _ensure_keeper(request)
    if meeting.date < timezone.localdate():
        messages.error(request, _("The meeting has already been held and cannot be changed."))
        return redirect(meeting.get_absolute_url())
    form = MeetingForm(request.POST or None, meeting=meeting)
    if request.method == "POST" and form.is_valid():
        try:
            update_meeting(meeting=meeting, actor=request.user, **form.service_fields())
        except ValidationError as error:
            _field_errors(form, error)
        except TransitionRefused as refused:
            _refused(request, refused)
            return redirect(meeting.get_absolute_url())
        else:
            messages.success(request, _("The meeting was changed."))
            return redirect(meeting.get_absolute_url())
    return _form_page(request, form, meeting=meeting)


# --- The meeting's page -----------------------------------------------------------------


def _package_context(request: HttpRequest, meeting: Meeting) -> dict[str, Any]:
    package = packages.latest_package(meeting)
    done = (
        package
        if package is not None and package.status == PackageStatus.DONE
        else MeetingPackage.objects.filter(meeting=meeting, status=PackageStatus.DONE).first()
    )
    return {
        "meeting": meeting,
        "package": package,
        "done_package": done,
        "in_flight": package is not None and package.status in packages.IN_FLIGHT,
        "stale": done is not None and packages.is_stale(done, packages.package_signature(meeting)),
        "may_keep": may_keep_meetings(request.user),
    }


def _render_meeting(
    request: HttpRequest,
    meeting: Meeting,
    *,
    add_form: AgendaAddForm | None = None,
    status: int = 200,
) -> HttpResponse:
    may_keep = may_keep_meetings(request.user)
    items = list(
        AgendaItem.objects.filter(meeting=meeting)
        .select_related("matter", "matter__case", "matter__decision")
        .annotate(
            document_count=Count("matter__documents", distinct=True),
            printed_count=Count(
                "matter__documents", filter=~Q(matter__documents__file=""), distinct=True
            ),
        )
        .order_by("position", "pk")
    )
    today = timezone.localdate()
    to_come = meeting.date >= today
    candidates = (
        ready_matters(meeting.committee).select_related("case").order_by("finalised_at", "pk")
    )
    later = list(later_meetings(meeting)) if may_keep and to_come else []
    context = {
        "meeting": meeting,
        "committee": meeting.committee,
        "items": items,
        "to_come": to_come,
        "may_keep": may_keep,
        "may_change": may_keep and to_come,
        "candidates": list(candidates) if to_come else [],
        "add_form": add_form or AgendaAddForm(candidates=candidates),
        "later": later,
        "can_record": may_record(request.user),
        "has_decisions": any(getattr(i.matter, "decision", None) for i in items),
        **_package_context(request, meeting),
    }
    return render(request, MEETING_TEMPLATE, context, status=status)


@require_GET
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    if request.htmx and request.GET.get("panel") == "package":
        # The progress bar's poll: the package panel of this page, on its own.
        return render(request, PACKAGE_PANEL, _package_context(request, meeting))
    return _render_meeting(request, meeting)


@require_POST
def agenda_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    _ensure_keeper(request)
    form = AgendaAddForm(request.POST, candidates=ready_matters(meeting.committee))
    if not form.is_valid():
        return _render_meeting(request, meeting, add_form=form, status=200)
    added = 0
    for matter in form.cleaned_data["matters"].order_by("finalised_at", "pk"):
        try:
            add_to_agenda(matter=matter, meeting=meeting, actor=request.user)
        except TransitionRefused as refused:
            _refused(request, refused)
        else:
            added += 1
    if added:
        messages.success(
            request,
            _("%(count)s matter(s) put on the agenda.") % {"count": added},
        )
    return _to_agenda(meeting)


def _item(meeting: Meeting, item_pk: int) -> AgendaItem:
    return get_object_or_404(
        AgendaItem.objects.select_related("matter", "meeting"), pk=item_pk, meeting=meeting
    )


@require_POST
def agenda_move_view(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    _ensure_keeper(request)
    item = _item(meeting, item_pk)
    form = AgendaMoveForm(request.POST)
    if form.is_valid():
        try:
            agenda_move(item=item, actor=request.user, direction=form.cleaned_data["direction"])
        except TransitionRefused as refused:
            _refused(request, refused)
    return _to_agenda(meeting)


@require_POST
def agenda_later_view(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    _ensure_keeper(request)
    item = _item(meeting, item_pk)
    # Any meeting of the committee is accepted here; the service refuses an earlier one.
    form = AgendaLaterForm(
        request.POST, later=Meeting.objects.filter(committee_id=meeting.committee_id)
    )
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return _to_agenda(meeting)
    target = form.cleaned_data["meeting"]
    try:
        agenda_move_to_later(item=item, meeting=target, actor=request.user)
    except TransitionRefused as refused:
        _refused(request, refused)
    else:
        messages.success(
            request,
            _("«%(title)s» was moved to the agenda of %(meeting)s.")
            % {"title": item.matter.title, "meeting": target},
        )
    return _to_agenda(meeting)


@require_POST
def agenda_remove_view(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    _ensure_keeper(request)
    item = _item(meeting, item_pk)
    remove_from_agenda(item=item, actor=request.user)
    messages.success(
        request, _("«%(title)s» was taken off the agenda.") % {"title": item.matter.title}
    )
    return _to_agenda(meeting)


# --- The package ------------------------------------------------------------------------


@require_POST
def package_request_view(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    _ensure_keeper(request)
    refusals: list[str] = []
    try:
        packages.package_request(
            meeting=meeting, actor=request.user, force=request.POST.get("force") == "1"
        )
    except TransitionRefused as refused:
        refusals = list(refused.reasons)
    if request.htmx:
        context = {**_package_context(request, meeting), "refusals": refusals}
        return render(request, PACKAGE_PANEL, context)
    for reason in refusals:
        messages.error(request, reason)
    return redirect(f"{meeting.get_absolute_url()}#package-panel")


@require_GET
def package_download(request: HttpRequest, pk: int, package_pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    package = get_object_or_404(
        MeetingPackage.objects.select_related("meeting__committee"),
        pk=package_pk,
        meeting=meeting,
        status=PackageStatus.DONE,
    )
    return file_response(package.file, filename=packages.download_name(package))


urlpatterns = [
    path("sammantraden/", meeting_list, name="meetings"),
    path("sammantraden/nytt/", meeting_new, name="meeting_new"),
    path("sammantraden/<int:pk>/", meeting_detail, name="meeting"),
    path("sammantraden/<int:pk>/andra/", meeting_edit, name="meeting_edit"),
    path("sammantraden/<int:pk>/dagordning/", agenda_add_view, name="agenda_add"),
    path(
        "sammantraden/<int:pk>/dagordning/<int:item_pk>/flytta/",
        agenda_move_view,
        name="agenda_move",
    ),
    path(
        "sammantraden/<int:pk>/dagordning/<int:item_pk>/senare/",
        agenda_later_view,
        name="agenda_later",
    ),
    path(
        "sammantraden/<int:pk>/dagordning/<int:item_pk>/ta-bort/",
        agenda_remove_view,
        name="agenda_remove",
    ),
    path("sammantraden/<int:pk>/handlingar/", package_request_view, name="package_request"),
    path(
        "sammantraden/<int:pk>/handlingar/<int:package_pk>/",
        package_download,
        name="package_download",
    ),
]


# --- Hooks into the workflow ------------------------------------------------------------


def _agenda_queue(user: Any, visible: Any) -> Any:
    """The cases with a final matter the committee has not decided and that is on no
    agenda: the secretary's to put on one."""
    if not may_keep_meetings(user):
        return None
    return visible.filter(Exists(ready_matters().filter(case=OuterRef("pk"))))


def register() -> None:
    """This screen's hooks into the case's workflow (iop.workflow)."""
    workflow.register_start_queue(
        key="agenda",
        order=55,
        title=gettext_lazy("Matters for an agenda"),
        description=gettext_lazy(
            "Final matters the committee has not decided that are on no meeting's agenda."
        ),
        cases=_agenda_queue,
        url_name="decisions:meetings",
        link_text=gettext_lazy("Open the committee's meetings"),
        link_id="meetings-link",
    )
    register_stored_file(
        MeetingPackage,
        "file",
        may_read=permissions.can_view_cases,
        download_name=packages.download_name,
    )
