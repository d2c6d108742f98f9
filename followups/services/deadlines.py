"""Deadlines derived from the case: ``deadlines_recompute`` plans them afresh from what is
known (``followups.schedule``) and brings the rows in line — it updates the row it planned
before, never adds a second one (the unique constraint on case, kind and number), and keeps a
row that no longer applies as *cancelled* with the reason. It runs whenever the case becomes
active, its agreement or a decision changes, its stage changes, or something is recorded, and
daily to plan the next months (``recompute_followed_cases``)."""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from iop import facts
from iop.constants import CaseEventKind, CaseStatus, Transition
from iop.models import Case, CaseDocument, CaseEvent
from iop.permissions import ensure_can_change_case
from iop.services import lock_case, record_event

from .. import schedule
from ..constants import FOLLOWED_STAGES, DeadlineKind, DeadlineState
from ..models import (
    AnnualEvaluation,
    CheckIn,
    Deadline,
    EarlierFollowUp,
    NoticeRecord,
    ReminderSettings,
)

__all__ = [
    "FollowUpRefused",
    "active_since",
    "deadline_waive",
    "deadlines_recompute",
    "earlier_follow_up_record",
    "inputs_of",
    "recompute_followed_cases",
    "reminder_settings_update",
]

logger = logging.getLogger(__name__)


class FollowUpRefused(Exception):
    """A follow-up write refused; ``errors`` maps a form field ("" for the whole form) to the
    messages users read."""

    def __init__(self, errors: dict[str, list[str]] | list[str]):
        if isinstance(errors, list):
            errors = {"": errors}
        self.errors = {k: [str(m) for m in v] for k, v in errors.items()}
        super().__init__(" ".join(m for v in self.errors.values() for m in v))


def closed_case_refusal() -> str:
    """Why nothing of the follow-up can be recorded on a case that is not followed."""
    return _(
        "The case is not in active follow-up (it is closed or not yet active), so no "
        "follow-up can be recorded on it."
    )


def ensure_followed(case: Case) -> None:
    if case.status not in FOLLOWED_STAGES:
        raise FollowUpRefused([closed_case_refusal()])


def cancelled_text(code: str) -> str:
    """Why a deadline no longer applies, stored in the site's language (so a recomputation
    under another active language does not rewrite it)."""
    with translation.override(settings.LANGUAGE_CODE):
        return _cancelled_text(code)


def _cancelled_text(code: str) -> str:
    return {
        "after_end": _("The partnership ends before this date."),
        "notice": _("Notice of termination was given."),
        "closed": _("The case is closed."),
        "gone": _("No longer in the plan: the agreement or the decisions changed."),
        "superseded": _("Passed without a decision; the next revision point replaces it."),
    }.get(code, code)


def _localdate(moment: datetime.datetime) -> datetime.date:
    return timezone.localdate(moment)


def active_since(case: Case) -> datetime.date | None:
    """The day the partnership became active: the latest activation of the case."""
    event = (
        CaseEvent.objects.filter(case=case, transition=Transition.ACTIVATE.value)
        .order_by("-at", "-pk")
        .first()
    )
    if event is not None:
        return _localdate(event.at)
    return None


def inputs_of(
    case: Case,
    *,
    today: datetime.date | None = None,
    rows: list[Deadline] | None = None,
) -> schedule.Inputs | None:
    """What the cadence needs to know of ``case``, or None when it has no follow-up (it has
    not been active). ``rows``: the case's deadlines, when the caller has them already."""
    since = active_since(case)
    if since is None:
        return None
    today = today or timezone.localdate()
    reminder_settings = ReminderSettings.current()
    agreement = facts.agreement_facts(case)
    decisions = [d for d in facts.decision_facts(case) if d.approves and d.decided_on >= since]
    earlier = list(EarlierFollowUp.objects.filter(case=case))

    def earlier_of(kind: str) -> tuple[schedule.Record, ...]:
        return tuple(
            schedule.Record(on=e.done_on, key=f"earlier:{e.pk}", note=e.reference)
            for e in earlier
            if e.kind == kind
        )

    follow_ups = tuple(
        schedule.Record(
            on=d.decided_on, key=f"decision:{d.decision_id}", note=d.reference, url=d.url
        )
        for d in decisions
        if d.is_follow_up
    ) + earlier_of(DeadlineKind.COMMITTEE_FOLLOW_UP)
    renegotiations = tuple(
        schedule.Record(
            on=d.decided_on, key=f"decision:{d.decision_id}", note=d.reference, url=d.url
        )
        for d in decisions
        if d.is_renegotiation
    )
    check_ins = tuple(
        schedule.Record(
            on=c.held_on,
            key=f"checkin:{c.pk}",
            note=_("Check-in meeting held %(date)s") % {"date": c.held_on.isoformat()},
            url=c.get_absolute_url(),
        )
        for c in CheckIn.objects.filter(case=case, held_on__isnull=False, cancelled=False)
    ) + earlier_of(DeadlineKind.CHECK_IN)
    evaluations = tuple(
        schedule.Record(
            on=e.evaluated_on,
            key=f"evaluation:{e.pk}",
            note=_("Annual evaluation %(year)s") % {"year": e.year},
            url=e.get_absolute_url(),
        )
        for e in AnnualEvaluation.objects.filter(case=case)
    ) + earlier_of(DeadlineKind.ANNUAL_EVALUATION)
    notice = NoticeRecord.objects.filter(case=case).first()
    notice_on = notice.given_on if notice else case.notice_date
    end_date = notice.end_date if notice else None
    if notice_on is not None and end_date is None:
        months = agreement.notice_months if agreement else 6
        end_date = schedule.add_months(notice_on, months)
    plan_document = (
        CaseDocument.objects.filter(case=case, kind=CaseDocument.Kind.WIND_DOWN_PLAN)
        .order_by("received_on", "pk")
        .first()
    )
    wind_down = (
        schedule.Record(
            on=plan_document.received_on,
            key=f"document:{plan_document.pk}",
            note=plan_document.download_name,
        )
        if plan_document
        else None
    )
    closed = None
    if case.status == CaseStatus.CLOSED:
        event = (
            CaseEvent.objects.filter(case=case, transition=Transition.CLOSE.value)
            .order_by("-at")
            .first()
        )
        closed_on = _localdate(event.at) if event else today
        closed = schedule.Record(on=closed_on, key="closed", note=_("The case was closed."))
    if rows is None:
        rows = list(Deadline.objects.filter(case=case))
    existing = tuple(
        schedule.Existing(
            kind=r.kind,
            sequence=r.sequence,
            nominal_on=r.nominal_on,
            state=r.state,
            done_record=r.done_record,
        )
        for r in rows
    )
    return schedule.Inputs(
        active_since=since,
        today=today,
        checkins_per_year=agreement.checkins_per_year if agreement else 2,
        term_kind=agreement.term_kind if agreement else "",
        term_years=agreement.term_years if agreement else None,
        revision_interval_years=agreement.revision_interval_years if agreement else None,
        term_start=agreement.start_date if agreement else None,
        follow_up_decisions=follow_ups,
        renegotiation_decisions=renegotiations,
        check_ins=check_ins,
        evaluations=evaluations,
        notice_on=notice_on,
        end_date=end_date,
        wind_down_plan=wind_down,
        closed=closed,
        horizon_months=reminder_settings.horizon_months,
        renegotiation_lead_months=reminder_settings.renegotiation_lead_months,
        wind_down_plan_months_before_end=reminder_settings.wind_down_plan_months_before_end,
        existing=existing,
    )


_TRACKED = (
    "nominal_on",
    "due_on",
    "state",
    "done_on",
    "done_record",
    "done_note",
    "done_url",
    "cancelled_reason",
)


def _apply(row: Deadline, planned: schedule.Planned) -> bool:
    """Bring ``row`` in line with ``planned``; whether anything changed. A waived row is the
    user's decision and stays as it is."""
    if row.state == DeadlineState.WAIVED:
        return False
    before = tuple(getattr(row, name) for name in _TRACKED)
    row.nominal_on = planned.nominal_on
    row.due_on = planned.due_on
    if planned.done is not None:
        row.state = DeadlineState.DONE
        row.done_on = planned.done.on
        row.done_record = planned.done.key[:60]
        row.done_note = planned.done.note[:300]
        row.done_url = planned.done.url[:300]
        row.cancelled_reason = ""
    else:
        row.done_on, row.done_record, row.done_note, row.done_url = None, "", "", ""
        if planned.cancelled:
            row.state = DeadlineState.CANCELLED
            row.cancelled_reason = cancelled_text(planned.cancelled)
        else:
            row.state = DeadlineState.OPEN
            row.cancelled_reason = ""
    return before != tuple(getattr(row, name) for name in _TRACKED)


def deadlines_recompute(
    case: Case | int, *, today: datetime.date | None = None, actor: Any = None
) -> list[Deadline]:
    """Plan the case's deadlines afresh and save what changed (with ``actor`` in the history
    when a user's step caused it); returns the case's deadlines. Runs in the caller's
    transaction (the case is locked), so a refused step changes none. Recomputing with nothing
    new changes nothing: no row is saved, no history written."""
    # The texts stored on the rows (what closed them, why one no longer applies) are in the
    # site's language whoever's request ran this, so a recomputation does not rewrite them.
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        case = lock_case(case)
        rows_list = list(Deadline.objects.filter(case=case))
        inputs = inputs_of(case, today=today, rows=rows_list)
        if inputs is None:
            return []
        rows = {(d.kind, d.sequence): d for d in rows_list}
        history_user = actor if getattr(actor, "pk", None) else None
        seen = set()
        for planned in schedule.plan(inputs):
            key = (planned.kind.value, planned.sequence)
            seen.add(key)
            row = rows.get(key)
            if row is None:
                if planned.cancelled:
                    continue
                row = Deadline(case=case, kind=planned.kind, sequence=planned.sequence)
                _apply(row, planned)
                row._history_user = history_user
                row.save()
                rows[key] = row
            elif _apply(row, planned):
                row._history_user = history_user
                row.save()
        for key, row in rows.items():
            if key not in seen and row.state == DeadlineState.OPEN:
                row.state = DeadlineState.CANCELLED
                row.cancelled_reason = cancelled_text("gone")
                row._history_user = history_user
                row.save()
        return sorted(rows.values(), key=lambda d: (d.due_on, d.pk))


def recompute_if_followed(case: Case, *, actor: Any = None) -> None:
    """For the receivers: recompute when the case has (or had) a follow-up."""
    if case.status in FOLLOWED_STAGES or case.status == CaseStatus.CLOSED:
        deadlines_recompute(case, actor=actor)


def recompute_followed_cases(batch_size: int = 200) -> int:
    """Plan every followed case afresh: the daily extension of the rolling horizon (the next
    check-ins and evaluations), and the backfill of partnerships that were active before the
    system. Cases are read in batches by primary key and each is recomputed in its own
    transaction, so one case's failure (logged) neither stops nor undoes the others. Returns
    how many cases were recomputed."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    done = 0
    last_pk = 0
    while True:
        batch = list(
            Case.objects.filter(status__in=FOLLOWED_STAGES, pk__gt=last_pk)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        if not batch:
            return done
        for pk in batch:
            try:
                deadlines_recompute(pk)
            except Exception:
                logger.exception("Could not plan the follow-up deadlines of case %s", pk)
            else:
                done += 1
        last_pk = batch[-1]


EARLIER_KINDS = (
    DeadlineKind.CHECK_IN,
    DeadlineKind.ANNUAL_EVALUATION,
    DeadlineKind.COMMITTEE_FOLLOW_UP,
)


@transaction.atomic
def earlier_follow_up_record(
    *, case: Case, actor: Any, kind: str, done_on: datetime.date, reference: str
) -> EarlierFollowUp:
    """Record a follow-up made before the case was in this system (its date and where it is
    recorded), and plan the deadlines from it. Refused on a case not followed, for a date in
    the future or before the activation, and without a reference."""
    case = lock_case(case)
    ensure_can_change_case(case, actor)
    errors: dict[str, list[str]] = {}
    since = active_since(case)
    if case.status not in FOLLOWED_STAGES or since is None:
        errors.setdefault("", []).append(
            _("Earlier follow-ups are recorded on an active partnership.")
        )
    if kind not in [k.value for k in EARLIER_KINDS]:
        errors.setdefault("kind", []).append(
            _("Choose a check-in meeting, an annual evaluation or a follow-up to the committee.")
        )
    if done_on is None:
        errors.setdefault("done_on", []).append(_("Give the date of the follow-up."))
    elif done_on > timezone.localdate():
        errors.setdefault("done_on", []).append(
            _("The date of the follow-up cannot be in the future.")
        )
    elif since is not None and done_on < since:
        errors.setdefault("done_on", []).append(
            _("The date is before the partnership became active (%(date)s).")
            % {"date": since.isoformat()}
        )
    reference = (reference or "").strip()
    if not reference:
        errors.setdefault("reference", []).append(
            _("Say where the follow-up is recorded, e.g. the minutes' paragraph.")
        )
    if errors:
        raise FollowUpRefused(errors)
    earlier = EarlierFollowUp(
        case=case, kind=kind, done_on=done_on, reference=reference[:300], created_by=actor
    )
    earlier._history_user = actor
    earlier.full_clean()
    earlier.save()
    record_event(
        case=case,
        kind=CaseEventKind.FOLLOW_UP,
        actor=actor,
        note=_("Earlier follow-up recorded: %(kind)s, %(date)s (%(reference)s).")
        % {
            "kind": earlier.get_kind_display(),
            "date": done_on.isoformat(),
            "reference": reference,
        },
    )
    deadlines_recompute(case, actor=actor)
    return earlier


@transaction.atomic
def deadline_waive(*, deadline: Deadline, actor: Any, reason: str) -> Deadline:
    """Waive an open deadline, with the reason and who: e.g. the check-in that both parties
    agreed to skip. Refused without a reason, for a deadline not open, and on a closed
    case."""
    case = lock_case(deadline.case_id)
    ensure_can_change_case(case, actor)
    row = Deadline.objects.select_for_update().get(pk=deadline.pk)
    errors: dict[str, list[str]] = {}
    if case.status not in FOLLOWED_STAGES:
        errors.setdefault("", []).append(closed_case_refusal())
    elif row.state != DeadlineState.OPEN:
        errors.setdefault("", []).append(_("Only an open deadline can be waived."))
    if not reason.strip():
        errors.setdefault("reason", []).append(_("Say why the deadline is waived."))
    if errors:
        raise FollowUpRefused(errors)
    row.state = DeadlineState.WAIVED
    row.waived_reason = reason.strip()
    row.waived_by = actor
    row.waived_at = timezone.now()
    row._history_user = actor
    row.save()
    record_event(
        case=case,
        kind=CaseEventKind.FOLLOW_UP,
        actor=actor,
        note=_("Deadline waived: %(deadline)s, due %(date)s. Reason: %(reason)s")
        % {
            "deadline": row.get_kind_display(),
            "date": row.due_on.isoformat(),
            "reason": row.waived_reason,
        },
    )
    # A waived committee follow-up moves the next one on from its date.
    deadlines_recompute(case, actor=actor)
    row.refresh_from_db()
    return row


@transaction.atomic
def reminder_settings_update(*, actor: Any, **values: Any) -> ReminderSettings:
    """Change the reminder settings (the one row), with the administrator in its history.
    Changed lead times and horizon apply to the deadlines at their next recomputation (the
    daily run, or anything that changes a case)."""
    if not getattr(actor, "is_active", False) or not actor.has_perm(
        "followups.change_remindersettings"
    ):
        raise PermissionDenied
    known = {f.name for f in ReminderSettings._meta.concrete_fields} - {"id"}
    unknown = set(values) - known
    if unknown:
        raise ValueError(f"Not a reminder setting: {sorted(unknown)}")
    ReminderSettings.objects.get_or_create(pk=1)
    row = ReminderSettings.objects.select_for_update().get(pk=1)
    for name, value in values.items():
        setattr(row, name, value)
    try:
        row.full_clean()
    except ValidationError as invalid:
        raise FollowUpRefused(
            {field: [str(m) for m in messages] for field, messages in invalid.message_dict.items()}
        ) from invalid
    row._history_user = actor
    row.save()
    return row
