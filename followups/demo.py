"""The follow-up's part of the demo story (``iop.workflow.register_demo``; the data is in
``followups.demo_story``).

For every partnership the story makes active, the follow-up it had: the check-ins held and the
annual evaluations made, each a little before it fell due, through the services a case officer
uses (``check_in_record``, ``annual_evaluation_record`` with a generated annual report
registered in the diarium); those before IOP-stöd's follow-up came into use are entered on
that day as earlier follow-ups (``earlier_follow_up_record``). Then Anna's week: the check-in
with Fritidsbanken booked for Thursday (``check_in_book``), Agera's annual report missing,
Agera's notice (``notice_register``: the end date, the wind-down plan's deadline, the
committee's ending matter), Funktionsrätt Värmland's biennial report with its committee matter
prepared (``report_save``, ``report_prepare_matter``), and Johan on sick leave
(``absence_register``). The committee's follow-ups are the committee's decisions
(``decisions.demo``); Hälso- och sjukvårdsnämnden's partnerships have none.

Every event is scheduled in the story's timeline at its moment, so what it writes is dated
back to it. When the load commits, the reminder sweep is queued (``sweep_reminders``): the
first ``make run`` mails the reminders due without waiting for beat.

Idempotent like the rest: the follow-up of a case is told with its case, so a case that exists
is not followed up again; an absence is registered only for a user who has none.
"""

from __future__ import annotations

import datetime
import logging
from functools import partial
from html import escape

from dateutil.relativedelta import relativedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from iop.constants import Transition
from iop.demo import CaseStory, Story
from iop.models import Case
from partners import demo_story as partners_story
from partners.pdf import write_pdf

from . import demo_story as data
from .constants import FOLLOWED_STAGES, DeadlineKind
from .models import Absence, ReminderSettings
from .schedule import workday_on_or_before
from .services.absence import absence_register
from .services.checkins import ActionInput, check_in_book, check_in_record
from .services.deadlines import deadlines_recompute, earlier_follow_up_record
from .services.ending import notice_register
from .services.evaluations import annual_evaluation_record
from .services.reports import report_prefill, report_prepare_matter, report_save

logger = logging.getLogger(__name__)

# As every demo agreement says (agreements.demo_story.VERSION_FIELDS): two check-ins a year.
CHECKINS_PER_YEAR = 2
# Reminders go out this many days ahead (the settings' default; the demo does not write them).
DUE_SOON_DAYS = ReminderSettings._meta.get_field("due_soon_days").default


def play(story: Story) -> None:
    """The follow-up of each case told in this run, Johan's absence, and the sweep queued."""
    # Cases loaded by an earlier run: their deadlines planned up to today's horizon.
    for case in Case.objects.filter(status__in=FOLLOWED_STAGES).order_by("pk"):
        deadlines_recompute(case)
    for case_story in story.cases.values():
        if case_story.step(Transition.ACTIVATE) is not None:
            follow_up(story, case_story)
    for away in data.ABSENCES:
        register_absence(story, away)
    transaction.on_commit(queue_sweep, robust=True)


# --- When -------------------------------------------------------------------------------------


def _days(story: Story, days_ago: int) -> datetime.date:
    return story.today - datetime.timedelta(days=days_ago)


def _at(on: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    """``on`` at ``hour``, never later than now (a service stamps now and refuses the future)."""
    moment = timezone.make_aware(datetime.datetime.combine(on, datetime.time(hour, minute)))
    return min(moment, timezone.now() - datetime.timedelta(minutes=1))


def coming_thursday(today: datetime.date) -> datetime.date:
    """The next Thursday after today (a week on when today is a Thursday)."""
    return today + datetime.timedelta(days=(3 - today.weekday()) % 7 or 7)


def cadence(
    activated_on: datetime.date, kind: DeadlineKind, until: datetime.date
) -> list[datetime.date]:
    """The days the check-ins (two a year) or evaluations (one) fall due, up to ``until``."""
    months = 12 // CHECKINS_PER_YEAR if kind == DeadlineKind.CHECK_IN else 12
    days = []
    step = 1
    while (due := activated_on + relativedelta(months=months * step)) <= until:
        days.append(due)
        step += 1
    return days


def held_on(story: Story, due: datetime.date) -> datetime.date:
    """A little before it falls due; one due in the coming fortnight was held days ago."""
    on = due - datetime.timedelta(days=data.HELD_DAYS_BEFORE_DUE)
    if due > story.today:
        on = min(on, _days(story, data.HELD_EARLY_DAYS_AGO))
    return workday_on_or_before(on)


# --- The case's follow-up ---------------------------------------------------------------------


def follow_up(story: Story, case_story: CaseStory) -> None:
    key = case_story.key
    activated_on = case_story.step(Transition.ACTIVATE).on
    module_since = _days(story, data.MODULE_SINCE_DAYS)
    horizon = story.today + datetime.timedelta(days=DUE_SOON_DAYS)
    notice = data.NOTICES.get(key)
    booking = data.BOOKED.get(key)
    earlier: dict[DeadlineKind, datetime.date] = {}

    for kind in (DeadlineKind.CHECK_IN, DeadlineKind.ANNUAL_EVALUATION):
        due_days = cadence(activated_on, kind, horizon)
        for number, due in enumerate(due_days):
            last_due = number == len(due_days) - 1 or due_days[number + 1] > story.today
            if kind == DeadlineKind.CHECK_IN and booking and due > story.today:
                schedule_booking(story, case_story, booking)
                continue
            if (
                kind == DeadlineKind.ANNUAL_EVALUATION
                and key in data.REPORT_NOT_ARRIVED
                and due <= story.today
                and last_due
            ):
                continue  # the annual report has not arrived
            on = held_on(story, due)
            if on < activated_on:
                continue
            if on < module_since:
                earlier[kind] = on  # the latest before the follow-up module
                continue
            action = record_check_in if kind == DeadlineKind.CHECK_IN else record_evaluation
            story.schedule(
                _at(on, data.NOTES_HOUR),
                partial(action, story, case_story, on, number),
                case_story=case_story,
            )
    if earlier:
        story.schedule(
            story.moment(module_since, case_story.demo.officer),
            partial(enter_earlier, story, case_story, earlier),
            case_story=case_story,
        )
    if notice:
        story.schedule(
            story.moment(_days(story, notice.registered_days_ago), case_story.demo.officer),
            partial(give_notice, story, case_story, notice),
            case_story=case_story,
        )
    report = data.REPORTS.get(key)
    if report:
        officer = case_story.demo.officer
        written = story.moment(_days(story, report.written_days_ago), officer)
        prepared = story.moment(_days(story, report.prepared_days_ago), officer)
        state: dict[str, object] = {}
        story.schedule(
            written, partial(write_report, story, case_story, report, state), case_story=case_story
        )
        story.schedule(
            prepared, partial(prepare_report, story, case_story, state), case_story=case_story
        )


def _organisation(case_story: CaseStory) -> partners_story.DemoOrganisation:
    return next(o for o in partners_story.ORGANISATIONS if o.key == case_story.key)


def _participants(story: Story, case_story: CaseStory) -> tuple[str, str]:
    officer = story.officer(case_story)
    organisation = _organisation(case_story)
    return (
        f"{officer.get_full_name()}, handläggare",
        f"{organisation.contact_name}, {organisation.contact_title.lower()}",
    )


def record_check_in(story: Story, case_story: CaseStory, on: datetime.date, number: int) -> None:
    organisation = _organisation(case_story)
    officer = story.officer(case_story)
    notice = data.NOTICES.get(case_story.key)
    if notice and on > _days(story, notice.given_days_ago):
        notes, actions = data.CHECK_IN_NOTES_AFTER_NOTICE, ()
    else:
        notes = data.CHECK_IN_NOTES[number % len(data.CHECK_IN_NOTES)]
        actions = data.CHECK_IN_ACTIONS[number % len(data.CHECK_IN_ACTIONS)]
    public, theirs = _participants(story, case_story)
    owners = {"officer": officer.get_full_name(), "organisation": organisation.contact_name}
    check_in_record(
        case=case_story.case,
        actor=officer,
        held_on=on,
        participants_public=public,
        participants_organisation=theirs,
        notes=notes.format(organisation=organisation.name),
        actions=[
            ActionInput(text, owners[who], on + datetime.timedelta(days=days))
            for text, who, days in actions
        ],
    )
    story.count("check-in meetings")


def schedule_booking(story: Story, case_story: CaseStory, booking: data.Booking) -> None:
    thursday = coming_thursday(story.today)
    starts_at = timezone.make_aware(
        datetime.datetime.combine(thursday, datetime.time(booking.hour))
    )
    at = story.moment(_days(story, booking.booked_days_ago), case_story.demo.officer)

    def book() -> None:
        check_in_book(
            case=case_story.case,
            actor=story.officer(case_story),
            starts_at=starts_at,
            duration_minutes=booking.duration_minutes,
            location=booking.location,
        )
        story.count("check-in meetings booked")

    story.schedule(at, book, case_story=case_story)


def _pdf(title: str, author: str, paragraphs: tuple[str, ...] | list[str]) -> bytes:
    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    html = (
        f'<html lang="sv"><head><meta charset="utf-8"><title>{escape(title)}</title></head>'
        f"<body><h1>{escape(title)}</h1><p>{escape(author)}</p>{body}</body></html>"
    )
    return write_pdf(html, title=title, author=author, subject=title, lang="sv")


def annual_report_pdf(organisation: str, year: int) -> bytes:
    """The organisation's annual report as the demo draws it: a page of text."""
    title = data.ANNUAL_REPORT_TITLE.format(year=year)
    return _pdf(title, organisation, [p.format(year=year) for p in data.ANNUAL_REPORT_TEXT])


def record_evaluation(story: Story, case_story: CaseStory, on: datetime.date, number: int) -> None:
    name = _organisation(case_story).name
    year = on.year - 1  # the annual report of the year before
    annual_evaluation_record(
        case=case_story.case,
        actor=story.officer(case_story),
        year=year,
        evaluated_on=on,
        annual_report=ContentFile(annual_report_pdf(name, year), name=f"arsredovisning-{year}.pdf"),
        evaluation=data.EVALUATION_TEXT.format(organisation=name, year=year),
        public_view=data.EVALUATION_PUBLIC_VIEW,
        organisation_view=data.EVALUATION_ORGANISATION_VIEW.format(organisation=name),
    )
    story.count("annual evaluations")


def enter_earlier(
    story: Story, case_story: CaseStory, earlier: dict[DeadlineKind, datetime.date]
) -> None:
    """The day the follow-up came into use: the latest check-in and evaluation before it,
    entered from the notes and the diarium."""
    references = {
        DeadlineKind.CHECK_IN: data.EARLIER_CHECK_IN_REFERENCE,
        DeadlineKind.ANNUAL_EVALUATION: data.EARLIER_EVALUATION_REFERENCE,
    }
    for kind, on in earlier.items():
        earlier_follow_up_record(
            case=case_story.case,
            actor=story.officer(case_story),
            kind=kind.value,
            done_on=on,
            reference=references[kind].format(
                date=on.isoformat(), number=case_story.case.registry_number
            ),
        )
        story.count("earlier follow-ups")


def give_notice(story: Story, case_story: CaseStory, notice: data.Notice) -> None:
    """The organisation's letter registered: the end date, the wind-down plan's deadline and
    the committee's ending matter follow."""
    organisation = _organisation(case_story)
    letter = _pdf(notice.letter_title, organisation.name, notice.letter.split("\n\n"))
    notice_register(
        case=case_story.case,
        actor=story.officer(case_story),
        given_on=_days(story, notice.given_days_ago),
        given_by=notice.given_by,
        reason=notice.reason,
        letter=ContentFile(letter, name="uppsagning.pdf"),
        letter_title=notice.letter_title,
    )
    story.count("notices of termination")


def write_report(
    story: Story, case_story: CaseStory, report: data.Report, state: dict[str, object]
) -> None:
    texts = report_prefill(case_story.case)
    texts.update(goal_fulfilment=report.goal_fulfilment, development=report.development)
    state["report"] = report_save(case=case_story.case, actor=story.officer(case_story), **texts)
    story.count("follow-up reports")


def prepare_report(story: Story, case_story: CaseStory, state: dict[str, object]) -> None:
    report_prepare_matter(report=state["report"], actor=story.officer(case_story))


# --- Absence and the sweep --------------------------------------------------------------------


def register_absence(story: Story, away: data.Away) -> None:
    user = story.users.get(away.username)
    if user is None or Absence.objects.filter(user=user).exists():
        return
    monday = story.today - datetime.timedelta(days=story.today.weekday())
    ends_on = monday + datetime.timedelta(weeks=away.weeks - 1, days=4)

    def register() -> None:
        absence_register(
            actor=story.user(away.registered_by),
            user=user,
            starts_on=monday,
            ends_on=max(ends_on, story.today),
            note=away.note,
        )
        story.count("absences")

    story.schedule(_at(monday, 9, 5), register)


def queue_sweep() -> None:
    """After the load commits: the reminder sweep, so a first run mails without waiting for
    beat. A broker that cannot be reached leaves it to beat's next run."""
    from . import tasks

    sweep = getattr(tasks, "sweep_reminders", None)
    if sweep is None:
        return
    try:
        sweep.delay()
    except Exception:  # noqa: BLE001 - the demo is loaded; beat sweeps later
        logger.warning("The reminder sweep could not be queued; beat runs it later")
