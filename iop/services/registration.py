"""Registering an initiative as a case, with its registry number (diarienummer)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from ..constants import CaseEventKind
from ..models import Case, Committee, PublicBody, RegistrySequence
from .assignment import record_assignment
from .common import record_event


def next_registry_number(*, public_body: PublicBody, year: int) -> tuple[int, str]:
    """Reserve the next serial number for ``public_body`` and ``year``.

    Must run inside the transaction that creates the case: the sequence row stays locked
    until it commits, so concurrent registrations queue up and a rolled-back registration
    gives its number back. No gaps, no duplicates.
    """
    # Create the year's row if it is missing, without racing another connection doing the same.
    RegistrySequence.objects.bulk_create(
        [RegistrySequence(public_body=public_body, year=year, last_serial=0)], ignore_conflicts=True
    )
    sequence = RegistrySequence.objects.select_for_update().get(public_body=public_body, year=year)
    sequence.last_serial += 1
    sequence.save(update_fields=["last_serial"])
    return sequence.last_serial, f"{public_body.short_code} {year}/{sequence.last_serial:05d}"


@transaction.atomic
def case_register(
    *,
    actor: Any,
    title: str,
    committee: Committee,
    societal_challenge: str,
    idea_description: str,
    organisations: Iterable[Any],
    officer: AbstractBaseUser | None = None,
    substitute: AbstractBaseUser | None = None,
    public_bodies: Iterable[PublicBody] = (),
    received_on: datetime.date | None = None,
    **extra: Any,
) -> Case:
    """Register an initiative: a new case with its registry number, in stage «received»."""
    received_on = received_on or timezone.localdate()
    officer = officer or actor
    public_body = committee.public_body
    serial, number = next_registry_number(public_body=public_body, year=received_on.year)
    case = Case(
        registry_number=number,
        registry_year=received_on.year,
        registry_serial=serial,
        public_body=public_body,
        committee=committee,
        title=title,
        societal_challenge=societal_challenge,
        idea_description=idea_description,
        received_on=received_on,
        officer=officer,
        substitute=substitute,
        created_by=actor,
        **extra,
    )
    case._history_user = actor
    # The stage is protected (FSMField): full_clean must not assign it back.
    case.full_clean(exclude=["registry_number", "registry_year", "registry_serial", "status"])
    case.save()
    case.organisations.set(organisations)
    case.public_bodies.set({public_body, *public_bodies})
    record_event(case=case, kind=CaseEventKind.CREATED, actor=actor, from_status="")
    record_assignment(case=case, actor=actor, officer=officer)
    return case
