"""Committee matters, meetings and decisions for tests, through the services."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from iop.constants import Role
from iop.models import Case
from iop.tests.factories import UserFactory

from .. import services
from ..constants import MatterKind, Outcome
from ..models import Decision, Matter, Meeting


def meeting_of(
    committee, *, date: datetime.date | None = None, secretary=None, **kwargs
) -> Meeting:
    """A meeting of ``committee`` (today by default); a past date is written directly, since
    the service refuses a new meeting before today."""
    date = date or timezone.localdate()
    values = {
        "starts_at": kwargs.pop("starts_at", datetime.time(13, 0)),
        "place": kwargs.pop("place", "Sessionssalen, Regionens hus"),
        "matters_deadline": kwargs.pop("matters_deadline", date),
    }
    existing = Meeting.objects.filter(
        committee=committee, date=date, starts_at=values["starts_at"]
    ).first()
    if existing is not None:
        return existing
    if date >= timezone.localdate():
        return services.create_meeting(
            actor=secretary or UserFactory(role=Role.SECRETARY),
            committee=committee,
            date=date,
            **values,
        )
    return Meeting.objects.create(committee=committee, date=date, **values)


def final_matter(
    case: Case,
    *,
    kind: MatterKind = MatterKind.NEW_IOP,
    actor=None,
    amount_change: Decimal | None = None,
    change_from: datetime.date | None = None,
    end_date: datetime.date | None = None,
) -> Matter:
    """The case's open matter of ``kind`` (prepared if there is none), completed and made
    final."""
    actor = actor or case.officer
    matter = services.open_matters(case).filter(kind=kind).first()
    if matter is None:
        if kind.changes_amount:
            amount_change = Decimal(50000) if amount_change is None else amount_change
            change_from = change_from or datetime.date(2026, 6, 1)
        matter = services.matter_prepare(
            case=case,
            actor=actor,
            kind=kind,
            amount_change=amount_change,
            change_from=change_from,
            end_date=end_date or (timezone.localdate() + datetime.timedelta(days=180)),
        )
    if matter.is_draft:
        fields = {}
        if kind.has_follow_up and not matter.follow_up_goal_fulfilment:
            fields["follow_up_goal_fulfilment"] = "Målen för året är nådda."
        if kind.changes_amount and not matter.renegotiation_needs:
            fields["renegotiation_needs"] = "Fler brottsoffer söker stöd."
        if fields:
            matter = services.matter_update(matter=matter, actor=actor, **fields)
        matter = services.matter_finalise(matter=matter, actor=actor)
    return Matter.objects.get(pk=matter.pk)


_paragraphs: dict[int, int] = {}


def decide(
    case: Case,
    outcome: Outcome = Outcome.APPROVED,
    *,
    kind: MatterKind = MatterKind.NEW_IOP,
    secretary=None,
    meeting: Meeting | None = None,
    paragraph: int | None = None,
    changed_text: str = "",
    note: str = "",
    **matter_kwargs,
) -> Decision:
    """The committee decides the case's matter of ``kind``: the matter is made final, put on a
    meeting's agenda (today's by default) and the decision recorded by a secretary."""
    secretary = secretary or UserFactory(role=Role.SECRETARY)
    matter = final_matter(case, kind=kind, **matter_kwargs)
    meeting = meeting or meeting_of(case.committee, secretary=secretary)
    services.add_to_agenda(matter=matter, meeting=meeting, actor=secretary)
    if paragraph is None:
        _paragraphs[meeting.pk] = _paragraphs.get(meeting.pk, 0) + 1
        paragraph = _paragraphs[meeting.pk] + 100
    return services.record_decision(
        matter=matter,
        actor=secretary,
        meeting=meeting,
        paragraph=paragraph,
        outcome=outcome,
        changed_text=changed_text,
        note=note,
    )
