"""Who may do what. Deny by default: a user acts only through a role (a group) that
carries the permission, and on a case only where the role's rule lets them.

The functions taking ``(case, user)`` are used as ``permission=`` on the case's
transitions, so the state machine, the views and the admin ask the same question.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from .exceptions import TransitionForbidden

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    from .models import Case

    AnyUser = AbstractBaseUser | AnonymousUser

# Permission codenames (declared in Case.Meta.permissions, granted to groups by migration).
HANDLE_CASE = "iop.handle_case"
COORDINATE_CASES = "iop.coordinate_cases"
REVIEW_LEGAL = "iop.review_legal"
RECORD_DECISION = "iop.record_decision"
VIEW_CASE = "iop.view_case"


def _active(user: AnyUser | None) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def can_view_cases(user: AnyUser | None) -> bool:
    """Every staff role may read every case: they are public records (allmänna handlingar)."""
    return _active(user) and user.has_perm(VIEW_CASE)


def can_register_case(user: AnyUser | None) -> bool:
    return _active(user) and user.has_perm("iop.add_case")


def is_coordinator(user: AnyUser | None) -> bool:
    return _active(user) and user.has_perm(COORDINATE_CASES)


def can_change_case(case: Case, user: AnyUser | None) -> bool:
    """Only the case's officer, its substitute and the IOP coordinator change a case."""
    if not _active(user):
        return False
    if user.is_superuser or user.has_perm(COORDINATE_CASES):
        return True
    return user.has_perm(HANDLE_CASE) and user.pk in (case.officer_id, case.substitute_id)


def can_review_legal(case: Case, user: AnyUser | None) -> bool:
    """The jurist acts on legal review."""
    return _active(user) and user.has_perm(REVIEW_LEGAL)


def can_record_decision(case: Case, user: AnyUser | None) -> bool:
    """The committee secretary records the committee's decisions."""
    return _active(user) and user.has_perm(RECORD_DECISION)


# The sentence a refused user reads, one per rule above, said once.
REFUSALS = {
    can_change_case: _(
        "Only the case's officer, its substitute or the IOP coordinator may do this."
    ),
    can_review_legal: _("Only a jurist may do this."),
    can_record_decision: _("Only a committee secretary may do this."),
}
GENERIC_REFUSAL = _("You do not have permission to do this.")


def refusal(rule) -> str:
    """What a user refused by ``rule`` (one of the ``(case, user)`` functions above) reads."""
    return str(REFUSALS.get(rule, GENERIC_REFUSAL))


def ensure(rule, case: Case, user: AnyUser | None) -> None:
    """Raise ``TransitionForbidden`` with the rule's sentence unless ``rule(case, user)``."""
    if not rule(case, user):
        raise TransitionForbidden([refusal(rule)])


def ensure_can_change_case(case: Case, user: AnyUser | None) -> None:
    ensure(can_change_case, case, user)


def ensure_can_review_legal(case: Case, user: AnyUser | None) -> None:
    ensure(can_review_legal, case, user)


def ensure_can_record_decision(case: Case, user: AnyUser | None) -> None:
    ensure(can_record_decision, case, user)
