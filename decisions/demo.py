"""The committee's part of the demo story (the data is in ``decisions.demo_story``).

Every committee step of a case's story (``record_approval``, ``record_rejection``,
``record_referral_back``, ``start_renegotiation``, ``start_winding_down``) is taken over by the
committee's services, as in the application: the case's matter — the new-IOP matter drafted
when the case reached *awaiting decision*, or a follow-up, renegotiation or ending matter the
officer prepares four weeks before — is completed and made final by the officer (its
documents registered in the diarium), put on the agenda of the committee's meeting on the
step's day by the last day for matters, and the secretary records the committee's decision at
that meeting with the § the committee's minutes have reached, which moves the case. The
biennial follow-ups the story has are decided the same way (the case stays active), and
Kultur- och bildningsnämnden's next meeting has Brottsofferjouren Värmland's matter on its
agenda, with no meeting package yet.

Before the story is played: the titles of the demo users, the committees' signing officials,
Region Värmland's perspective headings and a logo, as an administrator enters them.

The PDFs of the matters are printed by the Celery task the services schedule after commit
(``make run``'s worker prints them); the demo itself never waits for WeasyPrint.
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import Any

from django.core.files.base import ContentFile
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from iop.constants import CaseEventKind, Transition
from iop.demo import CaseStory, PlannedStep, Story, backdate, month_start
from iop.demo_story import OFFICER, paragraph_on
from iop.models import Committee, PublicBody, RegistryEntry, StaffProfile
from iop.services import lock_case, record_event
from iop.services.staff_profiles import staff_profile_save

from . import services
from .constants import MatterKind, Outcome
from .demo_story import (
    ADMIN,
    CHANGES,
    FINAL_DAYS_BEFORE_DEADLINE,
    FOLLOW_UP_WITH_RENEGOTIATION,
    FOLLOW_UPS,
    LOGO_COLOURS,
    LOGO_FILE,
    LOGO_TEXT,
    MATTERS_DEADLINE_DAYS,
    MEETING_PLACES,
    MEETING_PLANNED_DAYS_BEFORE,
    MEETING_TIMES,
    PERSPECTIVE_HEADINGS,
    PERSPECTIVE_TEXTS,
    PREPARED_DAYS_BEFORE,
    SECRETARY,
    SIGNING_OFFICIALS,
    STAFF_TITLES,
    UPCOMING,
)
from .models import AgendaItem, Matter, Meeting, PerspectiveHeading

# The case's steps the committee's decision takes, and the decision that takes each.
COMMITTEE_STEPS = {
    Transition.RECORD_APPROVAL: Outcome.APPROVED,
    Transition.RECORD_REJECTION: Outcome.REJECTED,
    Transition.RECORD_REFERRAL_BACK: Outcome.REFERRED_BACK,
    Transition.START_RENEGOTIATION: Outcome.APPROVED,
    Transition.START_WINDING_DOWN: Outcome.APPROVED,
}
ENDING_MONTHS_AFTER = 6  # an ending decided ends the partnership on the first of the 6th month


@dataclass(frozen=True)
class Hearing:
    """A case's matter of ``kind`` before its committee at the meeting on ``on``."""

    case_story: CaseStory
    kind: MatterKind
    outcome: Outcome
    on: datetime.date


def play(story: Story) -> None:
    ensure_reference_data(story)
    ensure_staff_titles(story)
    # A committee step of a case's story: the matter prepared, made final and put on the
    # agenda before the meeting on the step's day, where the decision takes the step.
    final_days = MATTERS_DEADLINE_DAYS + FINAL_DAYS_BEFORE_DEADLINE
    reactions = (
        (prepare, _before(PREPARED_DAYS_BEFORE, OFFICER)),
        (make_final, _before(final_days, OFFICER)),
        (put_on_agenda, _before(MATTERS_DEADLINE_DAYS, SECRETARY)),
    )
    for transition in COMMITTEE_STEPS:
        for action, when in reactions:
            story.react(transition, _on_step(action, when), when=when)
        story.take_over(transition, _on_step(record))
    # The follow-ups the committee approves: the case stays active.
    for key, (days_ago, _follow_up) in FOLLOW_UPS.items():
        case_story = story.cases.get(key)
        if case_story is not None:
            hearing = Hearing(
                case_story, MatterKind.FOLLOW_UP, Outcome.APPROVED, story.day(days_ago)
            )
            _schedule_hearing(story, hearing, record_it=True)
    # The committee's next meeting, its agenda ready, its package not yet made.
    case_story = story.cases.get(UPCOMING.organisation)
    if case_story is not None:
        on = story.day(-UPCOMING.in_days)
        hearing = Hearing(case_story, MatterKind.NEW_IOP, Outcome.APPROVED, on)
        planned = story.day(MEETING_PLANNED_DAYS_BEFORE - UPCOMING.in_days)
        story.schedule(
            story.moment(planned, SECRETARY), partial(meeting_on, story, case_story.committee, on)
        )
        events = (
            (UPCOMING.final_days_ago, case_story.demo.officer, make_final),
            (UPCOMING.agenda_days_ago, SECRETARY, put_on_agenda),
        )
        for days_ago, who, action in events:
            at = story.moment(story.day(days_ago), who)
            story.schedule(at, partial(action, story, hearing, at), case_story=case_story)


def _on_step(action, when=None):
    """``action(story, hearing, at)`` as a reaction ``when`` (or the taking) of a committee
    step: ``at`` is the event's moment in the story."""

    def react(story: Story, case_story: CaseStory, step: PlannedStep) -> object:
        hearing = Hearing(
            case_story,
            kind_of(case_story, step.transition),
            COMMITTEE_STEPS[step.transition],
            step.on,
        )
        at = when(story, case_story, step) if when is not None else step.at
        return action(story, hearing, at)

    return react


def _working_day(on: datetime.date) -> datetime.date:
    """A weekend gives the Friday before."""
    return on - datetime.timedelta(days=max(0, on.weekday() - 4))


def _before(days: int, username: str):
    """The working day ``days`` before the step's day, at ``username``'s time of day."""

    def when(story: Story, case_story: CaseStory, step: PlannedStep) -> datetime.datetime:
        who = case_story.demo.officer if username == OFFICER else username
        return story.moment(_working_day(step.on - datetime.timedelta(days=days)), who)

    return when


def _schedule_hearing(story: Story, hearing: Hearing, *, record_it: bool) -> None:
    """A hearing that is no step of the case's story (a follow-up): each of its events."""
    case_story, on = hearing.case_story, hearing.on
    officer = case_story.demo.officer
    events = [
        (PREPARED_DAYS_BEFORE, officer, prepare),
        (MATTERS_DEADLINE_DAYS + FINAL_DAYS_BEFORE_DEADLINE, officer, make_final),
        (MATTERS_DEADLINE_DAYS, SECRETARY, put_on_agenda),
    ]
    for days, who, action in events:
        at = story.moment(_working_day(on - datetime.timedelta(days=days)), who)
        story.schedule(at, partial(action, story, hearing, at), case_story=case_story)
    if record_it:
        at = story.moment(on, SECRETARY)
        story.schedule(at, partial(record, story, hearing, at), case_story=case_story)


def kind_of(case_story: CaseStory, transition: Transition) -> MatterKind:
    if transition == Transition.START_RENEGOTIATION:
        if case_story.key in FOLLOW_UP_WITH_RENEGOTIATION:
            return MatterKind.FOLLOW_UP_RENEGOTIATION
        return MatterKind.RENEGOTIATION
    if transition == Transition.START_WINDING_DOWN:
        return MatterKind.ENDING
    return MatterKind.NEW_IOP


# --- The matter, the agenda, the decision ------------------------------------------------------


def change_of(story: Story, case_story: CaseStory) -> tuple[Decimal, datetime.date]:
    """The renegotiated amount per full year and the day it applies from, as version 2 of the
    agreement has them."""
    change = CHANGES[case_story.key]
    starts_after = case_story.step(change.starts_after)
    return Decimal(change.amount), month_start(starts_after.on, change.months_after)


def prepare(story: Story, hearing: Hearing, at: datetime.datetime) -> None:
    """The officer prepares a follow-up, renegotiation or ending matter (a new IOP's matter
    was drafted when the case reached *awaiting decision*)."""
    if hearing.kind == MatterKind.NEW_IOP:
        return
    case_story = hearing.case_story
    amount_change = change_from = end_date = None
    if hearing.kind.changes_amount:
        amount_change, change_from = change_of(story, case_story)
    if hearing.kind == MatterKind.ENDING:
        end_date = month_start(hearing.on, ENDING_MONTHS_AFTER)
    services.matter_prepare(
        case=case_story.case,
        actor=story.officer(case_story),
        kind=hearing.kind,
        amount_change=amount_change,
        change_from=change_from,
        end_date=end_date,
    )


def _open_matter(hearing: Hearing) -> Matter:
    return services.open_matters(hearing.case_story.case).get(kind=hearing.kind)


def make_final(story: Story, hearing: Hearing, at: datetime.datetime) -> None:
    """The officer writes what the case does not fill in (the perspectives, the follow-up's
    goal fulfilment, the renegotiation's reasons) and makes the matter final: its documents
    are registered in the diarium on that day."""
    case_story = hearing.case_story
    officer = story.officer(case_story)
    matter = _open_matter(hearing)
    fields: dict[str, Any] = {}
    key = case_story.key
    follow_up = FOLLOW_UP_WITH_RENEGOTIATION.get(key) or FOLLOW_UPS.get(key, (0, None))[1]
    if hearing.kind.has_follow_up and follow_up is not None:
        fields["follow_up_goal_fulfilment"] = follow_up.goal_fulfilment
        fields["follow_up_development"] = follow_up.development
    if hearing.kind.changes_amount:
        change = CHANGES[key]
        fields["renegotiation_needs"] = change.needs
        fields["renegotiation_consequences"] = change.consequences
        fields["partner_request"] = change.partner_request
    if fields:
        matter = services.matter_update(
            matter=matter, actor=officer, revision=matter.revision, **fields
        )
    organisation = case_story.case.organisations.get().name
    for perspective in matter.perspectives.order_by("position", "pk"):
        text = PERSPECTIVE_TEXTS.get(perspective.heading)
        if text:
            services.matter_perspective_save(
                perspective=perspective, actor=officer, text=text.format(organisation=organisation)
            )
    matter = services.matter_finalise(matter=Matter.objects.get(pk=matter.pk), actor=officer)
    # The register's day is the day the documents were drawn up in the story.
    backdate(
        RegistryEntry,
        Q(pk__in=matter.documents.values("registry_entry")),
        registered_on=timezone.localtime(at).date(),
    )
    story.count("committee matters")


def meeting_on(story: Story, committee: Committee, on: datetime.date) -> Meeting:
    """The committee's meeting on ``on``: entered by the secretary (a meeting to come through
    the service; one already held as it was entered then, see ``held_meeting``)."""
    code = committee.short_code
    starts_at = MEETING_TIMES[code]
    meeting = Meeting.objects.filter(committee=committee, date=on, starts_at=starts_at).first()
    if meeting is not None:
        return meeting
    deadline = on - datetime.timedelta(days=MATTERS_DEADLINE_DAYS)
    secretary = story.user(SECRETARY)
    if on >= timezone.localdate():
        meeting = services.create_meeting(
            actor=secretary,
            committee=committee,
            date=on,
            starts_at=starts_at,
            place=MEETING_PLACES[code],
            matters_deadline=deadline,
        )
    else:
        meeting = held_meeting(
            committee=committee,
            date=on,
            starts_at=starts_at,
            place=MEETING_PLACES[code],
            matters_deadline=deadline,
            actor=secretary,
        )
    story.count("committee meetings")
    return meeting


def held_meeting(
    *,
    committee: Committee,
    date: datetime.date,
    starts_at: datetime.time,
    place: str,
    matters_deadline: datetime.date,
    actor: Any,
) -> Meeting:
    """A meeting already held when the demo loads, written as the secretary entered it before
    it was held (``services.create_meeting`` refuses a date before today)."""
    meeting = Meeting(
        committee=committee,
        date=date,
        starts_at=starts_at,
        place=place,
        matters_deadline=matters_deadline,
        created_by=actor,
    )
    meeting.full_clean()
    meeting._history_user = actor
    meeting.save()
    return meeting


def put_on_agenda(story: Story, hearing: Hearing, at: datetime.datetime) -> None:
    """The secretary puts the final matter on the agenda of the meeting on the hearing's day,
    by the last day for matters."""
    secretary = story.user(SECRETARY)
    matter = _open_matter(hearing)
    meeting = meeting_on(story, hearing.case_story.committee, hearing.on)
    if meeting.date >= timezone.localdate():
        services.add_to_agenda(matter=matter, meeting=meeting, actor=secretary)
    else:
        put_on_held_agenda(matter=matter, meeting=meeting, actor=secretary)


def put_on_held_agenda(*, matter: Matter, meeting: Meeting, actor: Any) -> AgendaItem:
    """What ``services.add_to_agenda`` wrote before the meeting was held (it refuses a meeting
    already held): the matter last on the agenda, and the case's timeline entry."""
    case = lock_case(matter.case_id)
    last = meeting.items.aggregate(last=Max("position"))["last"] or 0
    item = AgendaItem(matter=matter, meeting=meeting, position=last + 1, added_by=actor)
    item._history_user = actor
    item.save()
    record_event(
        case=case,
        kind=CaseEventKind.MATTER,
        actor=actor,
        note=_("Put on the agenda of %(meeting)s") % {"meeting": meeting},
    )
    return item


def record(story: Story, hearing: Hearing, at: datetime.datetime) -> None:
    """The secretary records the committee's decision, the meeting's next §: the case moves
    (a follow-up's decision is an entry in its timeline) and the extract is registered."""
    matter = _open_matter(hearing)
    meeting = matter.agenda_item.meeting
    paragraph = paragraph_on(meeting.committee.short_code, meeting.date) + meeting.decisions.count()
    services.record_decision(
        matter=matter,
        actor=story.user(SECRETARY),
        meeting=meeting,
        paragraph=paragraph,
        outcome=hearing.outcome,
    )
    story.count("committee decisions")


# --- Reference data and titles ----------------------------------------------------------------


def ensure_staff_titles(story: Story) -> None:
    """Each demo user's title, as an administrator enters it (a title changed since is kept)."""
    admin = story.user(ADMIN)
    for username, title in STAFF_TITLES.items():
        user = story.users.get(username)
        if user is None or StaffProfile.objects.filter(user=user).exists():
            continue
        staff_profile_save(user=user, actor=admin, job_title=title)
        story.count("staff titles")


def ensure_reference_data(story: Story) -> None:
    """Region Värmland's perspective headings and logo and the committees' signing officials,
    as an administrator enters them in Django admin (only what is missing)."""
    admin = story.user(ADMIN)
    committees = list(story.committees.values())
    region = committees[0].public_body
    for position, (heading, guidance) in enumerate(PERSPECTIVE_HEADINGS, start=1):
        if PerspectiveHeading.objects.filter(public_body=region, heading=heading).exists():
            continue
        row = PerspectiveHeading(
            public_body=region, heading=heading, guidance=guidance, position=position
        )
        row._history_user = admin
        row.save()
        story.count("perspective headings")
    for committee in committees:
        official = SIGNING_OFFICIALS.get(committee.short_code)
        if official is None or committee.signing_official_name:
            continue
        committee.signing_official_name, committee.signing_official_title = official
        committee._history_user = admin
        committee.save(update_fields=["signing_official_name", "signing_official_title"])
        story.count("signing officials")
    if not region.logo:
        png = logo_png()
        if png is not None:
            region = PublicBody.objects.get(pk=region.pk)
            region.logo.save(LOGO_FILE, ContentFile(png), save=False)
            region._history_user = admin
            region.save(update_fields=["logo"])
            story.count("logos")


def logo_png() -> bytes | None:
    """The demo's logo for Region Värmland: its name on a coloured band (None without
    Pillow)."""
    try:
        from PIL import Image, ImageDraw, ImageFont
    except ImportError:  # pragma: no cover - Pillow comes with WeasyPrint
        return None
    background, foreground = LOGO_COLOURS
    image = Image.new("RGB", (600, 160), background)
    draw = ImageDraw.Draw(image)
    try:
        font = ImageFont.load_default(size=56)
    except TypeError:  # pragma: no cover - Pillow before 10.1
        font = ImageFont.load_default()
    left, top, right, bottom = draw.textbbox((0, 0), LOGO_TEXT, font=font)
    width, height = right - left, bottom - top
    draw.text(
        ((600 - width) / 2 - left, (160 - height) / 2 - top), LOGO_TEXT, fill=foreground, font=font
    )
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
