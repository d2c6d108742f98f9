"""The demo story, and the case's part of it (the data is in ``iop.demo_story``).

``manage.py demo_data`` makes a ``Story`` dated relative to the day it runs, lets every app's
registered part (``workflow.register_demo``) add to it in order, and plays it. A part adds
**events** to one timeline: the case's part registers each initiative and takes each step of
its step list; a spoke *reacts* to the steps it needs (``Story.react``: the agreement is drafted
two weeks after «start drafting») or *takes a step over* when its own service takes the case's
transition (``Story.take_over``: the last signature activates the case). The story then plays
the timeline in the order of the story's days, each event as the demo user whose role takes
it, through the same services the application uses, and dates what each event wrote back to
its moment in the story (``backdate``).

Idempotent: what exists is left alone (users keep a password they changed, a case that exists
is not played again), what is missing is created, so a second run changes nothing.
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache, partial
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser, Group
from django.db import connection, models
from django.db.models import Model
from django.utils import timezone

from partners import demo as partners_demo

from .constants import Criterion, PublicBodyKind, Transition
from .demo_story import (
    CASES,
    COMMITTEES,
    DEFAULT_TIME,
    DEMO_PASSWORD,
    DEMO_USERS,
    OFFICER,
    PUBLIC_BODY,
    TIME_OF_DAY,
    DemoCase,
    month_start,
    swedish_date,
)
from .models import Case, Committee, PublicBody
from .services import case_register, case_transition, checklist_answer, checklist_questions_save

__all__ = [
    "DEMO_PASSWORD",
    "DEMO_USERS",
    "CaseStory",
    "PlannedStep",
    "Story",
    "backdate",
    "days_after",
    "hours_after",
    "logins_table",
    "month_start",
    "play",
    "swedish_date",
]

User = get_user_model()


# --- The story ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedStep:
    """A step of a case's story on its day: ``at`` is the moment its user takes it."""

    transition: Transition
    username: str
    on: datetime.date
    at: datetime.datetime
    note: str
    previous_on: datetime.date  # the day of the step before (or of the case's registration)


@dataclass
class CaseStory:
    """One case told in this run (a case that already exists is not told again)."""

    key: str  # the organisation's key in partners.demo_story
    demo: DemoCase
    committee: Committee
    registrar: str
    received_on: datetime.date
    received_at: datetime.datetime
    steps: tuple[PlannedStep, ...]
    case: Case | None = None  # registered when the story is played
    last_at: datetime.datetime | None = None  # the moment of its latest event

    def step(self, transition: Transition) -> PlannedStep | None:
        """The case's last step ``transition``, if its story has one."""
        return next((s for s in reversed(self.steps) if s.transition == transition), None)


# When an event happens, given the step it reacts to; and what it does.
When = Callable[["Story", CaseStory, PlannedStep], datetime.datetime]
Reaction = Callable[["Story", CaseStory, PlannedStep], object]


def hours_after(hours: float) -> When:
    """``hours`` after the step's moment (negative: before)."""
    return lambda story, case_story, step: step.at + datetime.timedelta(hours=hours)


def days_after(days: int, username: str = OFFICER) -> When:
    """``days`` after the step's day (negative: before), at ``username``'s time of day (the
    case's officer by default)."""

    def when(story: Story, case_story: CaseStory, step: PlannedStep) -> datetime.datetime:
        who = case_story.demo.officer if username == OFFICER else username
        return story.moment(step.on + datetime.timedelta(days=days), who)

    return when


@dataclass(frozen=True)
class _Event:
    at: datetime.datetime
    order: int  # events at the same moment keep the order they were added in
    action: Callable[[], object]
    case_story: CaseStory | None


class Story:
    """The demo story of one run: the demo users, the dates (each a number of days before
    ``today``), the cases told, and the timeline of what happens to them."""

    def __init__(self, *, today: datetime.date | None = None) -> None:
        self.today = today or timezone.localdate()
        # Every stamp written from now on by this run is dated back to its story's moment.
        self.started = timezone.now()
        self.users: dict[str, AbstractUser] = {}
        self.committees: dict[str, Committee] = {}
        self.cases: dict[str, CaseStory] = {}
        self.created: dict[str, int] = {}
        self._events: list[_Event] = []
        self._reactions: list[tuple[Transition, When, Reaction]] = []
        self._performers: dict[Transition, Reaction] = {}
        self._order = itertools.count()

    # Dates.

    def day(self, days_ago: int) -> datetime.date:
        """The working day ``days_ago`` days before today (a weekend gives the Friday)."""
        on = self.today - datetime.timedelta(days=days_ago)
        return on - datetime.timedelta(days=max(0, on.weekday() - 4))

    def moment(self, on: datetime.date, username: str = "") -> datetime.datetime:
        """``on`` at the time of day ``username`` works."""
        time_of_day = TIME_OF_DAY.get(username, DEFAULT_TIME)
        return timezone.make_aware(datetime.datetime.combine(on, time_of_day))

    # People and counts.

    def user(self, username: str) -> AbstractUser:
        return self.users[username]

    def officer(self, case_story: CaseStory) -> AbstractUser:
        return self.users[case_story.demo.officer]

    def actor(self, case_story: CaseStory, step: PlannedStep) -> AbstractUser:
        return self.users[step.username]

    def count(self, what: str, n: int = 1) -> None:
        self.created[what] = self.created.get(what, 0) + n

    # What the parts add.

    def tell(self, demo: DemoCase, committee: Committee) -> CaseStory:
        """Add ``demo`` to the story: its steps on their days."""
        registrar = demo.officer if demo.registered_by == OFFICER else demo.registered_by
        received_on = self.day(demo.received)
        steps = []
        previous_on = received_on
        for step in demo.steps:
            username = demo.officer if step.actor == OFFICER else step.actor
            on = self.day(step.days_ago)
            note = step.note(on) if callable(step.note) else step.note
            steps.append(
                PlannedStep(
                    step.transition, username, on, self.moment(on, username), note, previous_on
                )
            )
            previous_on = on
        case_story = CaseStory(
            key=demo.organisation,
            demo=demo,
            committee=committee,
            registrar=registrar,
            received_on=received_on,
            received_at=self.moment(received_on, registrar),
            steps=tuple(steps),
        )
        self.cases[case_story.key] = case_story
        return case_story

    def schedule(
        self,
        at: datetime.datetime,
        action: Callable[[], object],
        *,
        case_story: CaseStory | None = None,
    ) -> None:
        """``action`` happens at ``at`` in the story."""
        self._events.append(_Event(at, next(self._order), action, case_story))

    def react(self, transition: Transition, reaction: Reaction, *, when: When) -> None:
        """In every case told, ``reaction(story, case_story, step)`` happens ``when`` (relative
        to each step ``transition``)."""
        self._reactions.append((Transition(transition), when, reaction))

    def take_over(self, transition: Transition, perform: Reaction) -> None:
        """The step ``transition`` is taken by ``perform(story, case_story, step)`` (an app's
        service that takes the case's transition itself) instead of ``case_transition``."""
        self._performers[Transition(transition)] = perform

    def take_step(self, case_story: CaseStory, step: PlannedStep) -> None:
        perform = self._performers.get(step.transition)
        if perform is not None:
            perform(self, case_story, step)
            return
        case_transition(
            case=case_story.case,
            name=step.transition,
            actor=self.actor(case_story, step),
            note=step.note,
        )

    # Playing it.

    def play(self) -> None:
        """Play the timeline in the story's order, dating each event's writes back to it."""
        events = list(self._events)
        for case_story in self.cases.values():
            for step in case_story.steps:
                for transition, when, reaction in self._reactions:
                    if transition == step.transition:
                        action = partial(reaction, self, case_story, step)
                        at = when(self, case_story, step)
                        events.append(_Event(at, next(self._order), action, case_story))
        for event in sorted(events, key=lambda e: (e.at, e.order)):
            with self.happened_at(event.at):
                event.action()
            if event.case_story is not None:
                event.case_story.last_at = event.at
        for case_story in self.cases.values():
            # A case was last changed with its latest event, whichever app's it was.
            backdate(Case, models.Q(pk=case_story.case.pk), updated_at=case_story.last_at)

    @contextmanager
    def happened_at(self, when: datetime.datetime) -> Iterator[None]:
        """Date every stamp the block writes (case events, history rows, the apps' own
        created/updated/submitted/signed columns) back to ``when``."""
        yield
        window = (self.started, timezone.now())
        for model, names in _written_in(window):
            written = models.Q()
            for name in names:
                written |= models.Q(**{f"{name}__range": window})
            backdate(
                model,
                written,
                **{
                    name: models.Case(
                        models.When(**{f"{name}__range": window}, then=models.Value(when)),
                        default=models.F(name),
                    )
                    for name in names
                },
            )


def backdate(model: type[Model], where: models.Q, **stamps: Any) -> int:
    """Date rows back to when they happened in the demo story: the one write of the demo that
    goes around the services, after they have written the rows (services stamp *now*)."""
    return model._default_manager.filter(where).update(**stamps)


def _written_in(
    window: tuple[datetime.datetime, datetime.datetime],
) -> list[tuple[type[Model], tuple[str, ...]]]:
    """The stamped models with a stamp in ``window``, found in one query: the demo dates its
    story back after each of some 300 events, and most touch two or three tables."""
    stamped = _stamped_models()
    quote = connection.ops.quote_name
    since, until = (connection.ops.adapt_datetimefield_value(moment) for moment in window)
    checks, params = [], []
    for model, names in stamped:
        columns = [quote(model._meta.get_field(name).column) for name in names]
        condition = " OR ".join(f"{column} BETWEEN %s AND %s" for column in columns)
        checks.append(f"EXISTS (SELECT 1 FROM {quote(model._meta.db_table)} WHERE {condition})")  # nosec B608  # quoted names, bound values
        params += [since, until] * len(columns)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(checks), params)
        found = cursor.fetchone()
    return [entry for entry, written in zip(stamped, found, strict=True) if written]


@cache
def _project_labels() -> frozenset[str]:
    base = str(settings.BASE_DIR.resolve())
    return frozenset(
        config.label
        for config in apps.get_app_configs()
        if config.path.startswith(base) and "site-packages" not in config.path
    )


@cache
def _stamped_models() -> tuple[tuple[type[Model], tuple[str, ...]], ...]:
    """Every model of the project's own apps with date-and-time columns, history included."""
    stamped = []
    for model in apps.get_models():
        if model._meta.app_label not in _project_labels():
            continue
        names = tuple(
            f.name for f in model._meta.concrete_fields if isinstance(f, models.DateTimeField)
        )
        if names:
            stamped.append((model, names))
    return tuple(stamped)


# --- The case's part ---------------------------------------------------------------------------


def play(story: Story) -> None:
    """Users, Region Värmland and its committees now; each case not yet in the database told
    from its registration through its steps."""
    ensure_users(story)
    ensure_committees(story)
    for demo in sorted(CASES, key=lambda c: -c.received):
        committee = story.committees[demo.committee]
        if Case.objects.filter(committee=committee, title=demo.title).exists():
            continue
        case_story = story.tell(demo, committee)
        story.schedule(
            case_story.received_at, partial(register, story, case_story), case_story=case_story
        )
        for step in case_story.steps:
            story.schedule(
                step.at, partial(story.take_step, case_story, step), case_story=case_story
            )
        if demo.checklist:
            story.schedule(
                case_story.steps[-1].at + datetime.timedelta(hours=2),
                partial(answer_checklist, story, case_story),
                case_story=case_story,
            )
    for transition, when, reaction in REACTIONS:
        story.react(transition, reaction, when=when)


def ensure_users(story: Story) -> None:
    for demo in DEMO_USERS:
        user = User.objects.filter(username=demo.username).first()
        if user is None:
            fields = {
                "email": demo.email,
                "password": DEMO_PASSWORD,
                "first_name": demo.first_name,
                "last_name": demo.last_name,
            }
            if demo.role is None:
                user = User.objects.create_superuser(demo.username, **fields)
            else:
                # Staff: the role users may also work in Django admin.
                user = User.objects.create_user(demo.username, is_staff=True, **fields)
                user.groups.add(Group.objects.get(name=demo.role.value))
            story.count("users")
        story.users[demo.username] = user


def ensure_committees(story: Story) -> None:
    """Reference data, as an administrator enters it in Django admin."""
    region = PublicBody.objects.filter(short_code=PUBLIC_BODY["short_code"]).first()
    if region is None:
        region = PublicBody.objects.create(**PUBLIC_BODY, kind=PublicBodyKind.REGION)
        story.count("public bodies")
    for code, name in COMMITTEES.items():
        committee = Committee.objects.filter(public_body=region, short_code=code).first()
        if committee is None:
            committee = Committee.objects.create(public_body=region, short_code=code, name=name)
            story.count("committees")
        story.committees[code] = committee


def register(story: Story, case_story: CaseStory) -> None:
    """The initiative arrives: its organisation registered if new, the case registered."""
    demo = case_story.demo
    actor = story.user(case_story.registrar)
    organisation, created = partners_demo.ensure_organisation(demo.organisation, actor=actor)
    if created:
        story.count("organisations")
    case_story.case = case_register(
        actor=actor,
        title=demo.title,
        committee=case_story.committee,
        societal_challenge=demo.societal_challenge,
        idea_description=demo.idea_description,
        organisations=[organisation],
        officer=story.officer(case_story),
        substitute=story.user(demo.substitute),
        received_on=case_story.received_on,
    )
    story.count("cases")


def sign_value_declaration(story: Story, case_story: CaseStory, step: PlannedStep) -> None:
    organisation = case_story.case.organisations.get()
    declaration = partners_demo.ensure_value_declaration(
        organisation,
        signed_on=step.on - datetime.timedelta(days=14),
        actor=story.officer(case_story),
    )
    if declaration is not None:
        story.count("value declarations")


def pass_checklist(story: Story, case_story: CaseStory, step: PlannedStep) -> None:
    """Every criterion met, the political programme named, two questions answered."""
    demo = case_story.demo
    answers = {c.value: (True, "") for c in Criterion}
    answers[Criterion.RV_POLITICAL_PROGRAMME.value] = (True, demo.plan)
    _answer(
        story,
        case_story,
        answers,
        {"societal_challenge": demo.societal_challenge, "why_cooperate": demo.idea_description},
    )


def answer_checklist(story: Story, case_story: CaseStory) -> None:
    """A case in preparation: the checklist partly gone through."""
    _answer(story, case_story, case_story.demo.checklist, case_story.demo.checklist_questions)


def _answer(
    story: Story,
    case_story: CaseStory,
    answers: dict[str, tuple[bool | None, str]],
    questions: dict[str, str],
) -> None:
    officer = story.officer(case_story)
    for criterion, (answer, comment) in answers.items():
        checklist_answer(
            case=case_story.case, actor=officer, criterion=criterion, answer=answer, comment=comment
        )
    checklist_questions_save(case=case_story.case, actor=officer, **questions)


# The case's own reactions to its steps: the week before «start drafting» the organisation has
# signed its value declaration and the checklist is gone through.
REACTIONS: tuple[tuple[Transition, When, Reaction], ...] = (
    (Transition.START_DRAFTING, days_after(-14), sign_value_declaration),
    (Transition.START_DRAFTING, days_after(-7), pass_checklist),
)


def logins_table() -> str:
    rows = [("username", "password", "name", "role")]
    rows += [(u.username, DEMO_PASSWORD, u.full_name, u.role_label) for u in DEMO_USERS]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["", "Demo logins (a user who changed the password keeps the new one):"]
    lines += [
        "  " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows
    ]
    return "\n".join(line.rstrip() for line in lines)
