"""The committee's decisions printed: the decision extract (*protokollsutdrag*) of one
decision and the minutes (*protokoll*) of a meeting with every § in order (WeasyPrint through
``partners.pdf.write_pdf``: PDF/A, tagged, with metadata).

``render_extract_pdf`` is what ``decisions.services.rendering`` calls for a MatterDocument of
role EXTRACT; ``render_minutes_pdf`` is what ``services.minutes`` stores on the meeting."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from . import wording
from .models import Decision, Meeting

EXTRACT_TEMPLATE = "decisions/pdf/extract.html"
MINUTES_TEMPLATE = "decisions/pdf/minutes.html"


def _decisions_of(meeting: Meeting) -> list[Decision]:
    return list(
        meeting.decisions.select_related("matter__case", "recorded_by").order_by("paragraph")
    )


def extract_context(decision: Decision) -> dict:
    meeting = decision.meeting
    matter = decision.matter
    case = matter.case
    return {
        "decision": decision,
        "meeting": meeting,
        "matter": matter,
        "case": case,
        "committee": meeting.committee,
        "public_body": meeting.committee.public_body,
        "meeting_date": wording.long_date(meeting.date),
        "title": _("Decision extract"),
    }


def render_extract_html(decision: Decision) -> str:
    return render_to_string(EXTRACT_TEMPLATE, extract_context(decision))


def render_extract_pdf(decision: Decision) -> bytes:
    """The decision extract of ``decision``: the body and committee, the meeting's date, the
    §, the matter's title, the decision as minuted and the «Utdragsbestyrkande» line."""
    from partners.pdf import write_pdf

    decision = Decision.objects.select_related(
        "meeting__committee__public_body", "matter__case"
    ).get(pk=decision.pk)
    context = extract_context(decision)
    return write_pdf(
        render_to_string(EXTRACT_TEMPLATE, context),
        title=f"{context['title']} – {context['matter'].title}",
        author=context["public_body"].name,
        subject=f"{decision.meeting.committee.name} {context['meeting_date']} § {decision.paragraph}",
    )


def minutes_context(meeting: Meeting) -> dict:
    return {
        "meeting": meeting,
        "committee": meeting.committee,
        "public_body": meeting.committee.public_body,
        "meeting_date": wording.long_date(meeting.date),
        "decisions": _decisions_of(meeting),
        "title": _("Minutes"),
    }


def render_minutes_html(meeting: Meeting) -> str:
    return render_to_string(MINUTES_TEMPLATE, minutes_context(meeting))


def render_minutes_pdf(meeting: Meeting) -> bytes:
    """The minutes of ``meeting``: every recorded decision, § by §."""
    from partners.pdf import write_pdf

    meeting = Meeting.objects.select_related("committee__public_body").get(pk=meeting.pk)
    context = minutes_context(meeting)
    return write_pdf(
        render_to_string(MINUTES_TEMPLATE, context),
        title=f"{context['title']} – {meeting.committee.name} {context['meeting_date']}",
        author=context["public_body"].name,
        subject=f"{meeting.committee.name} {context['meeting_date']}",
    )


def minutes_download_name(meeting: Meeting) -> str:
    return f"protokoll-{meeting.committee.pk}-{meeting.date:%Y-%m-%d}.pdf"
