"""Hypothesis profiles and the world the fuzz tests drive (OWASP ASVS V5, issue 12).

``ci`` (the default) runs 200 examples per form; ``HYPOTHESIS_PROFILE=nightly`` runs 2000.
The examples database is off: CI's clones are fresh, and a stored failing example would
make two runs of the same commit differ.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

from django.db import transaction

_COMMON = {
    "deadline": None,
    "database": None,
    "suppress_health_check": [
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
}
settings.register_profile("ci", max_examples=200, **_COMMON)
settings.register_profile("nightly", max_examples=2000, **_COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Every object a form can point at, built once per module and rolled back after it."""
    from .world import build_world

    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)
