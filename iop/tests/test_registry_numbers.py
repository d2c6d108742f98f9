"""Registry numbers (diarienummer): `RV 2026/00001`, one series per public body and year,
no gaps and no duplicates — also when registrations fail or run at the same time."""

import datetime
import re
import threading

import pytest

from django.core.exceptions import ValidationError
from django.db import connection, transaction

from iop.constants import PublicBodyKind, Role
from iop.models import Case, RegistrySequence
from iop.services import case_register
from iop.tests.factories import CommitteeFactory, PublicBodyFactory, UserFactory
from partners.tests.factories import OrganisationFactory

NUMBER = re.compile(r"^[A-ZÅÄÖ]+ \d{4}/\d{5}$")


def register(committee, officer, organisation, *, received_on=datetime.date(2026, 3, 2), **kw):
    return case_register(
        actor=officer,
        title=kw.pop("title", "Mötesplatser för äldre"),
        committee=committee,
        societal_challenge="Ensamhet bland äldre.",
        idea_description="Föreningen driver mötesplatser i samarbete med regionen.",
        organisations=[organisation],
        received_on=received_on,
        **kw,
    )


@pytest.fixture
def committee(db):
    return CommitteeFactory()


@pytest.fixture
def organisation(db):
    return OrganisationFactory(declared=True)


def test_numbers_are_sequential_and_formatted(committee, officer, organisation):
    cases = [register(committee, officer, organisation) for _ in range(3)]

    assert [c.registry_number for c in cases] == ["RV 2026/00001", "RV 2026/00002", "RV 2026/00003"]
    assert [(c.registry_year, c.registry_serial) for c in cases] == [
        (2026, 1),
        (2026, 2),
        (2026, 3),
    ]
    assert all(NUMBER.match(c.registry_number) for c in cases)
    stored = Case.objects.order_by("registry_serial").values_list("registry_number", flat=True)
    assert list(stored) == [c.registry_number for c in cases]


def test_each_public_body_and_year_has_its_own_series(committee, officer, organisation):
    mora = CommitteeFactory(
        public_body=PublicBodyFactory(
            name="Mora kommun", short_code="MORA", kind=PublicBodyKind.MUNICIPALITY
        ),
        name="Kultur- och fritidsnämnden",
        short_code="KFN",
    )

    first = register(committee, officer, organisation)
    at_mora = register(mora, officer, organisation)
    next_year = register(committee, officer, organisation, received_on=datetime.date(2027, 1, 4))
    second = register(committee, officer, organisation)
    second_at_mora = register(mora, officer, organisation)

    assert first.registry_number == "RV 2026/00001"
    assert at_mora.registry_number == "MORA 2026/00001"
    assert next_year.registry_number == "RV 2027/00001"
    assert second.registry_number == "RV 2026/00002"
    assert second_at_mora.registry_number == "MORA 2026/00002"
    # The case is registered in its committee's public body, for the year it was received.
    assert (at_mora.public_body, next_year.registry_year) == (mora.public_body, 2027)


def test_a_failed_registration_gives_its_number_back(committee, officer, organisation):
    first = register(committee, officer, organisation)

    # Fails after the number was taken, inside the caller's transaction…
    with pytest.raises(RuntimeError), transaction.atomic():
        taken = register(committee, officer, organisation)
        assert taken.registry_number == "RV 2026/00002"
        raise RuntimeError("the document store is down")
    # …and inside the registration itself (the title is too long for the field).
    with pytest.raises(ValidationError):
        register(committee, officer, organisation, title="x" * 301)

    after = register(committee, officer, organisation)

    assert (first.registry_number, after.registry_number) == ("RV 2026/00001", "RV 2026/00002")
    assert Case.objects.count() == 2
    assert (
        RegistrySequence.objects.get(public_body=committee.public_body, year=2026).last_serial == 2
    )


# --- Concurrent registration, PostgreSQL only ----------------------------------------------------

CONCURRENT = 20


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: SQLite has no row locks and serialises every writer anyway",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_registrations_get_distinct_consecutive_numbers():
    # Committed before the threads start: every thread has its own connection and sees only
    # committed rows (hence transaction=True; serialized_rollback restores the role groups the
    # flush at the end removes).
    committee = CommitteeFactory()
    officer = UserFactory(role=Role.CASE_OFFICER)
    organisation = OrganisationFactory(declared=True)
    barrier = threading.Barrier(CONCURRENT, timeout=30)
    numbers: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def register_one(i: int) -> None:
        try:
            barrier.wait()
            case = register(committee, officer, organisation, title=f"Initiativ {i}")
            with lock:
                numbers.append(case.registry_number)
        except BaseException as e:  # reported by the main thread
            with lock:
                errors.append(e)
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=register_one, args=(i,)) for i in range(CONCURRENT)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert not any(t.is_alive() for t in threads)
    assert errors == []
    assert sorted(numbers) == [f"RV 2026/{n:05d}" for n in range(1, CONCURRENT + 1)]
    serials = sorted(Case.objects.values_list("registry_serial", flat=True))
    assert serials == list(range(1, CONCURRENT + 1))
