"""The grants an organisation declared it receives from others, recorded and withdrawn: what
the double-funding check (``iop.funding``) compares the organisation's IOPs with."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import permissions
from ..models import DeclaredGrant, Organisation
from .common import save_recorded

# A grant is declared for a year close to now: an older one says nothing about double
# funding, one further ahead is not yet decided by its giver.
EARLIEST_YEAR = 1990
YEARS_AHEAD = 5


def validate_grant(
    *, giver: str, purpose: str, amount: Decimal | None, year: int | None, declared_on: Any
) -> None:
    """What a declared grant must be, each mistake next to its field (forms call it too)."""
    errors: dict[str, str] = {}
    today = timezone.localdate()
    if not giver:
        errors["giver"] = _("Enter who gives the grant.")
    if not purpose:
        errors["purpose"] = _("Enter what the grant pays for.")
    if amount is None:
        errors["amount"] = _("Enter the grant's amount in kronor.")
    elif amount < 0:
        errors["amount"] = _("The amount cannot be negative.")
    if year is None:
        errors["year"] = _("Enter the year the grant is for.")
    elif not EARLIEST_YEAR <= year <= today.year + YEARS_AHEAD:
        errors["year"] = _("The year must be between %(first)s and %(last)s.") % {
            "first": EARLIEST_YEAR,
            "last": today.year + YEARS_AHEAD,
        }
    if declared_on is None:
        errors["declared_on"] = _("Enter the day the organisation declared the grant.")
    elif declared_on > today:
        errors["declared_on"] = _("The date declared cannot be later than today.")
    if errors:
        raise ValidationError(errors, code="invalid")


@transaction.atomic
def declare_grant(
    *,
    organisation: Organisation,
    actor: Any,
    giver: str,
    purpose: str,
    amount: Decimal | None,
    year: int | None,
    declared_on: datetime.date | None,
) -> DeclaredGrant:
    """Record a grant the organisation declared (giver, purpose, amount, year). The same
    grant (giver, year and purpose) declared twice is refused while the first stands."""
    if not permissions.can_add_grant(actor):
        raise PermissionDenied
    giver, purpose = (giver or "").strip(), (purpose or "").strip()
    validate_grant(giver=giver, purpose=purpose, amount=amount, year=year, declared_on=declared_on)
    # Two officers recording the same declaration at once: the second waits and is refused.
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    duplicate = DeclaredGrant.objects.in_force().filter(
        organisation=organisation, giver__iexact=giver, year=year, purpose__iexact=purpose
    )
    if duplicate.exists():
        raise ValidationError(
            _(
                "This grant is already declared: %(giver)s, %(year)s, «%(purpose)s». Withdraw "
                "that one first if it was wrong."
            )
            % {"giver": giver, "year": year, "purpose": purpose},
            code="duplicate",
        )
    grant = DeclaredGrant(
        organisation=organisation,
        giver=giver,
        purpose=purpose,
        amount=amount,
        year=year,
        declared_on=declared_on,
        recorded_by=actor,
    )
    return save_recorded(grant, actor)


@transaction.atomic
def withdraw_grant(*, grant: DeclaredGrant, actor: Any, reason: str) -> DeclaredGrant:
    """Withdraw a grant declared in error or no longer received, with the reason. The row
    stays (the history shows what the check counted before); the check no longer counts it."""
    if not permissions.can_change_grant(actor):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the grant is withdrawn.")}, code="required")
    grant = DeclaredGrant.objects.select_for_update().get(pk=grant.pk)
    if grant.is_withdrawn:
        raise ValidationError(_("The grant has already been withdrawn."), code="withdrawn")
    grant.withdrawn_at = timezone.now()
    grant.withdrawn_by = actor
    grant.withdrawn_reason = reason
    return save_recorded(grant, actor)
