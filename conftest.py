import pytest

from iop.constants import Role


@pytest.fixture
def make_user(db):
    from iop.tests.factories import UserFactory

    def make(role: Role | None = None, **kwargs):
        return UserFactory(role=role, **kwargs)

    return make


@pytest.fixture
def officer(make_user):
    return make_user(Role.CASE_OFFICER, username="anna")


@pytest.fixture
def coordinator(make_user):
    return make_user(Role.COORDINATOR, username="karin")


@pytest.fixture
def jurist(make_user):
    return make_user(Role.JURIST, username="erik")


@pytest.fixture
def secretary(make_user):
    return make_user(Role.SECRETARY, username="lena")


@pytest.fixture
def auditor(make_user):
    return make_user(Role.AUDITOR, username="maria")
