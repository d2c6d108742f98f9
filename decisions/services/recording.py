"""Recording the committee's decision on a matter: the outcome, the § and the meeting. The
decision moves the case through the hub's transition service, in the same transaction, so a
refused move records nothing."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from iop.constants import CaseEventKind, DocumentDirection, Role, Transition
from iop.models import Case, CaseEvent
from iop.permissions import ensure_can_record_decision
from iop.services import case_transition, record_event
from iop.services.diarium import diarium_attach, diarium_register
from iop.workflow import case_facts_changed

from .. import wording
from ..constants import DocumentRole, MatterKind, MatterStatus, Outcome
from ..models import Decision, Matter, MatterDocument, Meeting
from .common import MatterRefused, diarium_kind, lock_matter, stamp

# The case's move each outcome makes, per kind of matter; None: the case stays where it is
# and the decision is a timeline entry.
MOVES: dict[MatterKind, dict[str, Transition | None]] = {
    MatterKind.NEW_IOP: {
        Outcome.APPROVED: Transition.RECORD_APPROVAL,
        Outcome.APPROVED_WITH_CHANGES: Transition.RECORD_APPROVAL,
        Outcome.REJECTED: Transition.RECORD_REJECTION,
        Outcome.REFERRED_BACK: Transition.RECORD_REFERRAL_BACK,
    },
    MatterKind.RENEGOTIATION: {
        Outcome.APPROVED: Transition.START_RENEGOTIATION,
        Outcome.APPROVED_WITH_CHANGES: Transition.START_RENEGOTIATION,
    },
    MatterKind.FOLLOW_UP_RENEGOTIATION: {
        Outcome.APPROVED: Transition.START_RENEGOTIATION,
        Outcome.APPROVED_WITH_CHANGES: Transition.START_RENEGOTIATION,
    },
    MatterKind.ENDING: {
        Outcome.APPROVED: Transition.START_WINDING_DOWN,
        Outcome.APPROVED_WITH_CHANGES: Transition.START_WINDING_DOWN,
    },
    MatterKind.FOLLOW_UP: {},
}


def move_of(kind: MatterKind | str, outcome: Outcome | str) -> Transition | None:
    return MOVES[MatterKind(kind)].get(Outcome(outcome))


def decision_reference(meeting: Meeting, paragraph: int) -> str:
    """«Kultur- och bildningsnämnden 12 maj 2026 § 45»."""
    return f"{meeting.committee.name} {wording.long_date(meeting.date)} § {paragraph}"


def minuted_text(matter: Matter, outcome: Outcome, changed_text: str) -> str:
    """What the minutes say was decided: the points as proposed, the changed text, or the
    rejection or referral."""
    intro = wording.resolution_intro(matter.committee.name)
    if outcome == Outcome.APPROVED_WITH_CHANGES:
        return changed_text.strip()
    if outcome == Outcome.APPROVED:
        points = [f"{p.position}. {p.text}" for p in matter.points.order_by("position", "pk")]
        return "\n".join([intro, *points])
    if outcome == Outcome.REJECTED:
        return _("%(committee)s rejects the proposal.") % {"committee": matter.committee.name}
    return _("%(committee)s refers the matter back for further preparation.") % {
        "committee": matter.committee.name
    }


def refusals(
    *, matter: Matter, meeting: Meeting, paragraph: Any, outcome: str, changed_text: str
) -> dict[str, list[str]]:
    """Why the decision cannot be recorded, per field (``""`` for the whole form)."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if Decision.objects.filter(matter=matter).exists():
        add("", _("The decision on this matter is already recorded."))
        return errors
    if matter.status != MatterStatus.FINAL:
        add("", _("Only a final matter can be decided."))
    item = getattr(matter, "agenda_item", None)
    if item is None or item.meeting_id != meeting.pk:
        add("", _("The matter is not on the agenda of this meeting."))
    if meeting.date > timezone.localdate():
        add("", _("The meeting has not been held yet; record the decision on or after its day."))
    if isinstance(paragraph, bool) or not isinstance(paragraph, int) or not 0 < paragraph < 32768:
        add("paragraph", _("Give the § as a whole number, e.g. 45."))
    elif (
        Decision.objects.filter(meeting=meeting, paragraph=paragraph)
        .exclude(matter=matter)
        .exists()
    ):
        add(
            "paragraph",
            _("§ %(n)s is already used at this meeting.") % {"n": paragraph},
        )
    if outcome == Outcome.APPROVED_WITH_CHANGES and not changed_text.strip():
        add("changed_text", _("Write the decision as the committee changed it."))
    return errors


@transaction.atomic
def record_decision(
    *,
    matter: Matter,
    actor: Any,
    meeting: Meeting,
    paragraph: int,
    outcome: Outcome | str,
    changed_text: str = "",
    note: str = "",
) -> Decision:
    """Record the committee's decision on ``matter`` at ``meeting`` as § ``paragraph``, and move
    the case as the outcome says (approved new IOP → signing; rejected → rejected; referred
    back → drafting; renegotiation approved → renegotiation; ending approved → winding down;
    a follow-up stays active, its date the one the next follow-up counts from). Only the
    committee secretary records. The decision extract is registered and printed."""
    outcome = Outcome(outcome)
    case, matter = lock_matter(matter)
    ensure_can_record_decision(case, actor)
    # The meeting's row is locked too, so its minutes are printed before or after this
    # decision, never halfway (services.minutes takes the same lock).
    meeting = Meeting.objects.select_for_update().select_related("committee").get(pk=meeting.pk)
    errors = refusals(
        matter=matter,
        meeting=meeting,
        paragraph=paragraph,
        outcome=outcome,
        changed_text=changed_text,
    )
    if errors:
        raise DecisionRefused(errors)
    decision = Decision(
        matter=matter,
        meeting=meeting,
        paragraph=paragraph,
        outcome=outcome,
        decision_text=minuted_text(matter, outcome, changed_text),
        changed_text=changed_text.strip() if outcome == Outcome.APPROVED_WITH_CHANGES else "",
        note=note.strip(),
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    stamp(decision, actor)
    try:
        with transaction.atomic():
            decision.save()
    except IntegrityError as error:  # a concurrent recording of the same matter or §
        raise DecisionRefused(
            {"": [_("The decision or its § was recorded at the same moment by someone else.")]}
        ) from error
    reference = decision_reference(meeting, paragraph)
    # The timeline entry always starts with the reference («Kultur- och bildningsnämnden
    # 12 maj 2026 § 45»): an agreement version cites the decision through this event.
    summary = f"{reference}: {outcome.label} – {matter.title}"
    if note.strip():
        summary = f"{summary}\n{note.strip()}"
    move = move_of(matter.kind, outcome)
    if move is not None:
        moved = case_transition(case=case, name=move, actor=actor, note=summary)
        event = CaseEvent.objects.filter(case=moved, transition=move.value).latest("pk")
    else:
        event = record_event(case=case, kind=CaseEventKind.DECISION, actor=actor, note=summary)
    decision.case_event = event
    decision.save(update_fields=["case_event"])
    entry = diarium_register(
        case=case,
        actor=actor,
        kind=diarium_kind(DocumentRole.EXTRACT),
        description=_("Decision extract, %(reference)s") % {"reference": reference},
        direction=DocumentDirection.DRAWN_UP,
        registered_on=meeting.date,
        event=False,
    )
    extract = MatterDocument(
        matter=matter,
        role=DocumentRole.EXTRACT,
        title=_("Decision extract, %(reference)s") % {"reference": reference},
        registry_entry=entry,
    )
    stamp(extract, actor)
    extract.save()
    diarium_attach(entry=entry, document=extract)
    if outcome.approves and matter.matter_kind.changes_amount:
        _tell_finance(decision, reference)
    # The follow-up's deadlines (and whatever else derives from the decisions) follow, in
    # this transaction.
    case_facts_changed.send(sender=Case, case=case, source="decision")
    from ..tasks import schedule_matter_documents, schedule_meeting_minutes

    schedule_matter_documents(matter.pk)
    schedule_meeting_minutes(meeting.pk)
    return decision


def _tell_finance(decision: Decision, reference: str) -> None:
    """An approved change of an amount: finance is told, in the application and by e-mail."""
    from iop.services import notifications

    matter = decision.matter
    text = _(
        "%(reference)s: the amount of %(case)s changes by %(amount)s per full year from %(date)s."
    ) % {
        "reference": reference,
        "case": matter.case.registry_number,
        "amount": wording.kronor(matter.amount_change or 0)
        if (matter.amount_change or 0) >= 0
        else "−" + wording.kronor(matter.amount_change),
        "date": wording.long_date(matter.change_from) if matter.change_from else "",
    }
    notifications.notify(
        recipients=notifications.users_with_role(Role.FINANCE),
        kind="decisions.amount_changed",
        text=text,
        url=matter.case.get_absolute_url(),
        case=matter.case,
        key=f"decisions.amount_changed.{decision.pk}",
    )


class DecisionRefused(MatterRefused):
    """Recording refused; ``errors`` maps a form field (``""`` for the whole form) to reasons."""

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        super().__init__([m for messages in errors.values() for m in messages])
