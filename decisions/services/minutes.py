"""The meeting's minutes (protokoll): printed and stored on the meeting, again whenever a
decision is recorded at it (``record_decision`` schedules ``tasks.render_meeting_minutes``)."""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from ..models import Meeting


def minutes_outdated(meeting: Meeting) -> bool:
    """The stored minutes are missing or miss a decision recorded since they were printed."""
    if not meeting.decisions.exists():
        return False
    if not meeting.minutes_file or meeting.minutes_rendered_at is None:
        return True
    return meeting.decisions.filter(recorded_at__gt=meeting.minutes_rendered_at).exists()


@transaction.atomic
def meeting_minutes_render(*, meeting_id: int) -> bool:
    """Print and store the minutes of the meeting unless the stored ones are up to date
    (idempotent: a retry or a second worker finds them printed). The meeting's row is locked,
    as ``record_decision`` locks it, so a decision recorded meanwhile waits and is printed by
    the run it schedules. Returns whether the minutes were printed."""
    from ..pdf_decisions import minutes_download_name, render_minutes_pdf

    meeting = (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("committee__public_body")
        .get(pk=meeting_id)
    )
    if not minutes_outdated(meeting):
        return False
    printed_at = timezone.now()
    pdf = render_minutes_pdf(meeting)
    meeting.minutes_file.save(minutes_download_name(meeting), ContentFile(pdf), save=False)
    meeting.minutes_rendered_at = printed_at
    # Earlier prints stay in storage: the meeting's history names them.
    meeting._history_user = None
    meeting.save(update_fields=["minutes_file", "minutes_rendered_at"])
    return True
