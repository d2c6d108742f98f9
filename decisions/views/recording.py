"""Recording the committee's decisions (DOMAIN.md §3 stages 5, 8, 9): per matter on a
meeting's agenda, the secretary records the outcome and the §, which moves the case; the
decision extract and the meeting's minutes are downloaded from here.

Every staff role reads these pages (the auditor too); only the committee secretary (and an
admin) records: anyone else's POST is 403 and nothing is saved."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Max
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from iop import permissions
from iop.constants import Transition
from iop.exceptions import TransitionForbidden, TransitionRefused
from iop.views.common import stage_context, visible_case, visible_cases
from partners.files import file_response

from .. import pdf_decisions
from ..constants import DocumentRole, Outcome
from ..forms.recording import DecisionForm
from ..models import Decision, Matter, MatterDocument, Meeting
from ..services.minutes import meeting_minutes_render, minutes_outdated
from ..services.recording import DecisionRefused, minuted_text, record_decision


def may_record(user) -> bool:
    """The committee secretary (perm ``iop.record_decision``) and an admin record decisions."""
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.has_perm(permissions.RECORD_DECISION))
    )


def _visible_meeting(request: HttpRequest, meeting_pk: int) -> Meeting:
    visible_cases(request)  # 403 for a user without a staff role
    return get_object_or_404(
        Meeting.objects.select_related("committee__public_body"), pk=meeting_pk
    )


def _matter_of(request: HttpRequest, matter_pk: int) -> Matter:
    """The matter, if its case is visible to the user (404 otherwise)."""
    return get_object_or_404(
        Matter.objects.filter(case__in=visible_cases(request)).select_related(
            "case__committee", "committee", "agenda_item__meeting", "decision"
        ),
        pk=matter_pk,
    )


def _initial(matter: Matter, meeting: Meeting) -> dict:
    used = meeting.decisions.aggregate(last=Max("paragraph"))["last"]
    return {
        "paragraph": used + 1 if used else None,
        "changed_text": minuted_text(matter, Outcome.APPROVED, ""),
    }


@require_http_methods(["GET", "POST"])
def record_view(request: HttpRequest, meeting_pk: int, matter_pk: int) -> HttpResponse:
    """The "record the decision" form of one matter at one meeting.

    - POST by anyone but the secretary or an admin → 403, nothing saved;
    - refused (§ not a number or used at the meeting, decided already, the matter not on this
      meeting's agenda, the case not at the stage) → the form again with the Swedish reason
      next to the field and what was typed;
    - recorded → the meeting's page, which shows the decision and its extract."""
    meeting = _visible_meeting(request, meeting_pk)
    matter = _matter_of(request, matter_pk)
    can_record = may_record(request.user)
    if request.method == "POST" and not can_record:
        raise PermissionDenied
    decision = getattr(matter, "decision", None)
    form = None
    if can_record and decision is None:
        form = DecisionForm(
            request.POST if request.method == "POST" else None,
            initial=_initial(matter, meeting),
        )
    if request.method == "POST" and decision is not None:
        form = DecisionForm(request.POST)
        form.is_valid()
        form.add_error(None, _("The decision on this matter is already recorded."))
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            decision = record_decision(
                matter=matter,
                actor=request.user,
                meeting=meeting,
                paragraph=data["paragraph"],
                outcome=data["outcome"],
                changed_text=data["changed_text"],
                note=data["note"],
            )
        except TransitionForbidden:
            raise PermissionDenied from None
        except DecisionRefused as refused:
            form.add_refusals(refused.errors)
        except TransitionRefused as refused:  # the case's move: stage or another rule
            form.add_refusals({"": refused.reasons})
        else:
            messages.success(
                request,
                _("§ %(paragraph)s is recorded: %(outcome)s. The case is now at «%(stage)s».")
                % {
                    "paragraph": decision.paragraph,
                    "outcome": decision.get_outcome_display(),
                    "stage": decision.matter.case.get_status_display(),
                },
            )
            return redirect(meeting.get_absolute_url())
    item = getattr(matter, "agenda_item", None)
    context = {
        "meeting": meeting,
        "matter": matter,
        "case": matter.case,
        "decision": decision,
        "on_agenda": item is not None and item.meeting_id == meeting.pk,
        "points": list(matter.points.order_by("position", "pk")),
        "form": form,
        "can_record": can_record,
        **stage_context(matter.case),
    }
    return render(request, "decisions/recording/record.html", context)


@require_GET
def case_decisions(request: HttpRequest, case_pk: int) -> HttpResponse:
    """The case's matters on committee agendas and their decisions: where the case page's
    committee actions (record approval, start renegotiation …) lead."""
    case = visible_case(request, case_pk)
    matters = list(
        Matter.objects.filter(case=case, agenda_item__isnull=False)
        .select_related("agenda_item__meeting__committee", "decision__meeting")
        .order_by("-agenda_item__meeting__date", "-pk")
    )
    decided = list(
        Decision.objects.filter(matter__case=case)
        .exclude(matter__in=[m.pk for m in matters])
        .select_related("meeting__committee", "matter")
        .order_by("-meeting__date", "-paragraph")
    )
    context = {
        "case": case,
        "matters": matters,
        "other_decisions": decided,
        "can_record": may_record(request.user),
        **stage_context(case),
    }
    return render(request, "decisions/recording/case_decisions.html", context)


def _pdf_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=False, filename=filename
    )
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def extract_pdf(request: HttpRequest, decision_pk: int) -> HttpResponse:
    """The decision extract: the stored PDF, or (not printed yet) printed now without being
    stored, the render task stores it."""
    decision = get_object_or_404(
        Decision.objects.filter(matter__case__in=visible_cases(request)).select_related(
            "meeting__committee__public_body", "matter__case"
        ),
        pk=decision_pk,
    )
    filename = f"protokollsutdrag-{decision.meeting.date:%Y-%m-%d}-{decision.paragraph}.pdf"
    document = MatterDocument.objects.filter(
        matter_id=decision.matter_id, role=DocumentRole.EXTRACT
    ).first()
    if document is not None and document.file:
        return file_response(document.file, filename=filename.removesuffix(".pdf"))
    return _pdf_response(pdf_decisions.render_extract_pdf(decision), filename)


@require_GET
def minutes_pdf(request: HttpRequest, meeting_pk: int) -> HttpResponse:
    """The meeting's minutes, every § in order; printed first when a decision is missing."""
    meeting = _visible_meeting(request, meeting_pk)
    if not meeting.decisions.exists():
        raise Http404(_("No decision has been recorded at this meeting yet."))
    if minutes_outdated(meeting):
        meeting_minutes_render(meeting_id=meeting.pk)
        meeting.refresh_from_db()
    name = pdf_decisions.minutes_download_name(meeting).removesuffix(".pdf")
    return file_response(meeting.minutes_file, filename=name)


urlpatterns = [
    path(
        "sammantraden/<int:meeting_pk>/arenden/<int:matter_pk>/beslut/",
        record_view,
        name="record_decision",
    ),
    path("sammantraden/<int:meeting_pk>/protokoll/", minutes_pdf, name="minutes_pdf"),
    path("beslut/<int:decision_pk>/protokollsutdrag/", extract_pdf, name="extract_pdf"),
    path("arenden/<int:case_pk>/beslut/", case_decisions, name="case_decisions"),
]

# The case's committee moves are taken by recording the decision: the case page's buttons
# lead to the case's decisions page.
COMMITTEE_TRANSITIONS = (
    Transition.RECORD_APPROVAL,
    Transition.RECORD_REJECTION,
    Transition.RECORD_REFERRAL_BACK,
    Transition.START_RENEGOTIATION,
    Transition.START_WINDING_DOWN,
)


def register() -> None:
    """This screen's hooks into the case's workflow (iop.workflow)."""
    from iop import workflow
    from partners.files import register_stored_file

    for transition in COMMITTEE_TRANSITIONS:
        workflow.register_action_page(transition, "decisions:case_decisions")
    # The stored minutes are public records every staff role reads.
    register_stored_file(
        Meeting,
        "minutes_file",
        may_read=permissions.can_view_cases,
        download_name=lambda m: pdf_decisions.minutes_download_name(m).removesuffix(".pdf"),
        visible=lambda user: Meeting.objects.all(),
    )


def record_url(meeting: Meeting, matter: Matter) -> str:
    return reverse("decisions:record_decision", args=[meeting.pk, matter.pk])
