"""The workflow registry: how the apps around the case hook into it without the case knowing them.

The hub (``iop``) declares the case, its stages and its transitions (``Transition``); every spoke
registers, from its own ``AppConfig.ready()``:

- **guards** on transitions (``register_guard``): a check of the case and the rule users read
  when it fails. django-fsm's own condition check, ``transition_refusals``, ``can_proceed``, the
  admin's buttons and the case page all see them;
- **case-page panels** (``register_case_panel``): a template and a context function, in order;
- **start-page queues** (``register_start_queue``): what waits for a user, per role;
- **action pages** (``register_action_page``): a transition that needs the spoke's own screen;
- **start-page panels** (``register_start_panel``): a section at the top of the start page
  (what is overdue first), a template and a context function of the user;
- **demo data** (``register_demo``): the spoke's part of the demo story.

Role permissions are each app's ``roles.py`` (``iop.roles.sync_roles`` finds them), and the
signals below tell the spokes that a case moved.

Nothing here imports a model at import time: ``iop.models`` builds its transitions from it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.dispatch import Signal
from django.utils.module_loading import import_string

from .constants import Transition

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from django.http import HttpRequest

    from .models import Case

__all__ = [
    "Guard",
    "Transition",
    "case_transition_applied",
    "case_facts_changed",
    "case_transitioned",
    "register_guard",
    "guards_of",
    "registered_guards",
    "rule",
    "unmet_rules",
]

# Sent after the transaction that moved a case has committed: apps hook their side effects
# (deadlines, documents, notifications) here.
case_transitioned = Signal()  # kwargs: case_id, event_id, transition, from_status, to_status

# Sent inside the transaction that moves a case, after the stage and event are saved: the
# receivers' writes (freezing an agreement version, say) commit or roll back with the move.
# A receiver raising TransitionRefused refuses the whole transition.
case_transition_applied = Signal()  # kwargs: case, event, transition, from_status, actor, note

# Sent inside the transaction that changed what a spoke tells the others of a case through
# ``iop.facts`` (a signed agreement version, a recorded committee decision): receivers that
# derive something from the facts (the follow-up deadlines) recompute it, in that transaction.
case_facts_changed = Signal()  # kwargs: case, source ("agreement", "decision", …)


# --- Guards ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Guard:
    """A condition of a transition: ``check(case)`` must hold, else users read ``rule``."""

    name: str
    check: Callable[[Case], bool]
    rule: Any  # a gettext_lazy sentence (English msgid, Swedish in locale/sv)
    app_label: str = "iop"

    def holds(self, case: Case) -> bool:
        return bool(self.check(case))


_guards: dict[Transition, list[Guard]] = {}


def rule(text: Any) -> Callable[[Callable], Callable]:
    """Declare a condition of the case with the rule users read when it is not met:

    @rule(_("The case must have at least one non-profit organisation."))
    def has_organisation(self) -> bool: ...
    """

    def decorate(check: Callable) -> Callable:
        check.guard = Guard(name=check.__name__, check=check, rule=text)
        return check

    return decorate


def register_guard(
    transition: Transition, check: Callable[[Case], bool], rule: Any, *, app_label: str = ""
) -> Guard:
    """Add a condition to ``transition``, from another app. Registering the same check twice
    (a test that re-runs ``ready()``) keeps one."""
    transition = Transition(transition)
    app_label = app_label or check.__module__.split(".")[0]
    guard = Guard(name=check.__name__, check=check, rule=rule, app_label=app_label)
    guards = _guards.setdefault(transition, [])
    guards[:] = [g for g in guards if g.check is not check] + [guard]
    return guard


def unregister_guard(transition: Transition, check: Callable) -> None:
    """Take a registered guard away again (tests that plant one)."""
    guards = _guards.get(Transition(transition), [])
    guards[:] = [g for g in guards if g.check is not check]


def registered_guards(transition: Transition) -> Callable[[Case], bool]:
    """The condition a ``@transition`` declares to consult the guards other apps register for
    it, so django-fsm (``can_proceed``, ``has_transition_perm``, the transition itself) checks
    them like its own."""
    transition = Transition(transition)

    def registered_guards_met(case: Case) -> bool:
        return all(g.holds(case) for g in _guards.get(transition, []))

    registered_guards_met.registered_for = transition
    return registered_guards_met


def guards_of(fsm_transition) -> list[Guard]:
    """Every guard of a declared django-fsm transition, the case's own first, in order."""
    result: list[Guard] = []
    for condition in fsm_transition.conditions:
        registered_for = getattr(condition, "registered_for", None)
        if registered_for is not None:
            result.extend(_guards.get(registered_for, []))
        else:
            result.append(
                getattr(condition, "guard", None)
                or Guard(name=condition.__name__, check=condition, rule=condition.__name__)
            )
    return result


def rule_for(check: Callable) -> str:
    """The rule users read when ``check`` (a condition of the case or a registered guard)
    fails."""
    own = getattr(check, "guard", None)
    if own is not None:
        return str(own.rule)
    for guards in _guards.values():
        for guard in guards:
            if guard.check is check:
                return str(guard.rule)
    raise LookupError(f"{check!r} is no condition of a transition")


def unmet_rules(case: Case, fsm_transition) -> list[str]:
    """The rules of ``fsm_transition`` that ``case`` does not meet now, as users read them."""
    return [str(g.rule) for g in guards_of(fsm_transition) if not g.holds(case)]


# --- Pages: case-page panels, start-page queues, action pages --------------------------------


@dataclass(frozen=True)
class CasePanel:
    """A section of the case page: ``template`` rendered with ``context(request, case)``."""

    key: str
    template: str
    context: Callable[[HttpRequest, Case], dict] | None = None
    order: int = 50


@dataclass(frozen=True)
class StartQueue:
    """A list on the start page of the cases that wait for the user to act.

    ``cases(user, visible)`` narrows ``visible`` (the cases the user may see) to those that wait
    for this user, or returns None when the queue is not for the user's role."""

    key: str
    title: Any
    description: Any
    cases: Callable[[Any, QuerySet], QuerySet | None]
    order: int = 50
    url_name: str = ""  # the queue's own page, if it has one (a URL name without arguments)
    link_text: Any = ""  # the link to that page
    link_id: str = ""  # the link's id in the page


@dataclass(frozen=True)
class StartPanel:
    """A section at the top of the start page: ``template`` rendered with
    ``context(user)``, or left out when ``context`` returns None (not for the user's role)."""

    key: str
    template: str
    context: Callable[[Any], dict | None]
    order: int = 50


@dataclass(frozen=True)
class DemoPart:
    """An app's part of the demo story: ``play`` (a dotted path, imported when the demo runs)
    is called with the story (``iop.demo.Story``) after the parts of lower ``order``."""

    key: str
    play: str
    order: int = 50

    def load(self) -> Callable[[Any], None]:
        return import_string(self.play)


@dataclass
class _Registry:
    panels: dict[str, CasePanel] = field(default_factory=dict)
    queues: dict[str, StartQueue] = field(default_factory=dict)
    action_pages: dict[Transition, str] = field(default_factory=dict)
    start_panels: dict[str, StartPanel] = field(default_factory=dict)
    demo: dict[str, DemoPart] = field(default_factory=dict)


_registry = _Registry()


def register_case_panel(
    *, key: str, template: str, context: Callable | None = None, order: int = 50
) -> None:
    _registry.panels[key] = CasePanel(key=key, template=template, context=context, order=order)


def case_panels() -> list[CasePanel]:
    return sorted(_registry.panels.values(), key=lambda p: (p.order, p.key))


def register_start_queue(
    *,
    key: str,
    title: Any,
    description: Any,
    cases: Callable[[Any, QuerySet], QuerySet | None],
    order: int = 50,
    url_name: str = "",
    link_text: Any = "",
    link_id: str = "",
) -> None:
    _registry.queues[key] = StartQueue(
        key=key,
        title=title,
        description=description,
        cases=cases,
        order=order,
        url_name=url_name,
        link_text=link_text,
        link_id=link_id,
    )


def start_queues() -> list[StartQueue]:
    return sorted(_registry.queues.values(), key=lambda q: (q.order, q.key))


def register_start_panel(
    *, key: str, template: str, context: Callable[[Any], dict | None], order: int = 50
) -> None:
    _registry.start_panels[key] = StartPanel(
        key=key, template=template, context=context, order=order
    )


def start_panels() -> list[StartPanel]:
    return sorted(_registry.start_panels.values(), key=lambda p: (p.order, p.key))


def register_action_page(transition: Transition, url_name: str) -> None:
    """The transition is taken on the app's own screen (``url_name``, reversed with the case's
    ``case_pk``): the case page links there and the generic confirmation page redirects."""
    _registry.action_pages[Transition(transition)] = url_name


def action_page(transition: Transition | str) -> str | None:
    return _registry.action_pages.get(Transition(transition))


def register_demo(*, key: str, play: str, order: int = 50) -> None:
    _registry.demo[key] = DemoPart(key=key, play=play, order=order)


def demo_parts() -> list[DemoPart]:
    return sorted(_registry.demo.values(), key=lambda d: (d.order, d.key))


def unregister(kind: str, key: Any) -> None:
    """Remove one registration (tests that plant a panel, queue, action page or demo part)."""
    getattr(_registry, kind).pop(key, None)
