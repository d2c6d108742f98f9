"""The partner organisations' part of the demo story: their rows, contacts and value
declarations, written through ``partners.services`` (the data is in ``partners.demo_story``).

``partners`` is the bottom layer, so it registers no part of its own: the case's part
(``iop.demo``) calls these when its story first needs an organisation, and dates the rows back.
The declared grants are a part of their own (``play_grants``), registered by the hub.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from functools import partial
from typing import Any

from django.utils import timezone

from . import services
from .demo_story import GRANTS, ORGANISATIONS, DemoGrant, DemoOrganisation
from .models import DeclaredGrant, Organisation, ValueDeclaration

BY_KEY: dict[str, DemoOrganisation] = {o.key: o for o in ORGANISATIONS}


def ensure_organisation(key: str, *, actor: Any) -> tuple[Organisation, bool]:
    """The organisation ``key`` with its primary contact, and whether it was created now."""
    demo = BY_KEY[key]
    organisation = Organisation.objects.filter(org_number=demo.org_number).first()
    if organisation is not None:
        return organisation, False
    # The service's full_clean checks the organisation number's Luhn check digit.
    organisation = services.organisation_create(
        actor=actor,
        name=demo.name,
        org_number=demo.org_number,
        street_address=demo.street_address,
        postal_code=demo.postal_code,
        city=demo.city,
        email=demo.email,
        phone=demo.phone,
        member_count=demo.member_count,
    )
    services.contact_person_create(
        organisation=organisation,
        actor=actor,
        name=demo.contact_name,
        title=demo.contact_title,
        email=demo.contact_email,
        phone=demo.contact_phone,
        is_primary=True,
    )
    return organisation, True


def ensure_value_declaration(
    organisation: Organisation, *, signed_on: datetime.date, actor: Any
) -> ValueDeclaration | None:
    """The primary contact signs every point of the value declaration, unless a signed one
    exists. Returns the new declaration, or None."""
    if organisation.has_signed_value_declaration():
        return None
    contact = organisation.contacts.get(is_primary=True)
    return services.value_declaration_record(
        organisation=organisation,
        actor=actor,
        signatory_name=contact.name,
        signatory_title=contact.title,
        signed_on=signed_on,
        **dict.fromkeys(ValueDeclaration.POINT_FIELDS, True),
    )


# --- Declared grants --------------------------------------------------------------------------


def ensure_declared_grant(
    organisation: Organisation,
    demo: DemoGrant,
    *,
    year: int,
    declared_on: datetime.date,
    actor: Any,
) -> DeclaredGrant | None:
    """The grant ``demo`` for ``year``, declared on ``declared_on``, unless it exists (withdrawn
    or not). Returns the new grant, or None."""
    exists = DeclaredGrant.objects.filter(
        organisation=organisation, giver=demo.giver, purpose=demo.purpose, year=year
    ).exists()
    if exists:
        return None
    return services.declare_grant(
        organisation=organisation,
        actor=actor,
        giver=demo.giver,
        purpose=demo.purpose,
        amount=Decimal(demo.amount),
        year=year,
        declared_on=declared_on,
    )


def withdraw_declared_grant(grant: DeclaredGrant, demo: DemoGrant, *, actor: Any) -> bool:
    """Withdraw ``grant`` with the demo's reason, unless it is withdrawn already."""
    if grant.is_withdrawn:
        return False
    services.withdraw_grant(grant=grant, actor=actor, reason=demo.withdrawn_reason)
    return True


def play_grants(story: Any) -> None:
    """The declared grants' part of the demo story (``iop.demo.Story``, passed in by the demo
    command: this bottom layer imports nothing of it). Each grant is recorded by the case
    officer of its organisation's initiative some days after it arrived; an initiative that
    exists from an earlier run gets its missing grants today. Idempotent: a grant that exists
    is left alone."""
    for demo in GRANTS:
        case_story = story.cases.get(demo.organisation)
        year = story.today.year + demo.year_offset
        if case_story is not None:
            declared_on = case_story.received_on + datetime.timedelta(days=demo.declared_after)
            officer = case_story.demo.officer
        else:
            declared_on, officer = story.today, _an_officer(story)
            if officer is None:
                continue
        declared_on = _working_day(story, declared_on)
        story.schedule(
            _moment(story, declared_on, officer),
            partial(_declare, story, demo, year=year, declared_on=declared_on, officer=officer),
        )
        if demo.withdrawn_after is not None:
            withdrawn_on = _working_day(
                story, declared_on + datetime.timedelta(days=demo.withdrawn_after)
            )
            story.schedule(
                _moment(story, withdrawn_on, officer) + datetime.timedelta(minutes=30),
                partial(_withdraw, story, demo, year=year, officer=officer),
            )


def _working_day(story: Any, on: datetime.date) -> datetime.date:
    """``on`` or, on a weekend, the Friday before; never after the story's today."""
    return story.day(max(0, (story.today - on).days))


def _moment(story: Any, on: datetime.date, username: str) -> datetime.datetime:
    """``on`` at the time of day ``username`` works, but not later than now."""
    return min(story.moment(on, username), timezone.now() - datetime.timedelta(hours=1))


def _an_officer(story: Any) -> str | None:
    """Some case officer of the story (for grants of cases told in an earlier run)."""
    for case_story in story.cases.values():
        return case_story.demo.officer
    return next(iter(story.users), None)


def _organisation_of(demo: DemoGrant) -> Organisation | None:
    return Organisation.objects.filter(org_number=BY_KEY[demo.organisation].org_number).first()


def _declare(story: Any, demo: DemoGrant, *, year: int, declared_on, officer: str) -> None:
    organisation = _organisation_of(demo)
    if organisation is None:
        return
    grant = ensure_declared_grant(
        organisation, demo, year=year, declared_on=declared_on, actor=story.user(officer)
    )
    if grant is not None:
        story.count("declared grants")


def _withdraw(story: Any, demo: DemoGrant, *, year: int, officer: str) -> None:
    organisation = _organisation_of(demo)
    grant = (
        DeclaredGrant.objects.filter(
            organisation=organisation, giver=demo.giver, purpose=demo.purpose, year=year
        ).first()
        if organisation is not None
        else None
    )
    if grant is not None and withdraw_declared_grant(grant, demo, actor=story.user(officer)):
        story.count("withdrawn grants")
