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


@pytest.fixture
def finance(make_user):
    return make_user(Role.FINANCE, username="olle")


# The xdist modes that keep pytest-django's order within each worker (see pytest_configure).
ORDER_KEEPING_DIST = {"no", "load", "each"}


def pytest_configure(config):
    """Under pytest-xdist only ``--dist load`` (what scripts/test.sh uses) may run the suite.

    pytest-django sorts the tests that run in a rolled-back transaction before those that
    commit (``transaction=True``, the browser tests): these flush every table when they end,
    role groups included, and the groups come back only when the next such test loads the
    serialized data. So no ordinary test may follow one in the same process. ``load`` hands
    each worker its tests in collection order; ``loadscope``, ``loadfile`` and ``loadgroup``
    (ordered by size by default) and ``worksteal`` (a worker steals earlier tests) do not.
    """
    dist = getattr(config.option, "dist", "no")
    distributing = bool(getattr(config.option, "tx", None))
    if distributing and dist not in ORDER_KEEPING_DIST and not hasattr(config, "workerinput"):
        raise pytest.UsageError(
            f"--dist {dist} reorders the tests, and a test that needs the role groups would "
            "run after a transactional test's flush: use --dist load (conftest.py)"
        )


@pytest.fixture(scope="session", autouse=True)
def media_root(tmp_path_factory):
    """MEDIA_ROOT in this session's (this xdist worker's) own temporary directory, so that a
    test that stores files on disk neither writes into var/media nor meets another worker's
    files. The test settings keep files in memory; a test may switch to FileSystemStorage."""
    from django.test import override_settings

    path = tmp_path_factory.mktemp("media")
    with override_settings(MEDIA_ROOT=str(path)):
        yield path


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup):
    """Make the serialized database contents (for ``serialized_rollback``) visible from every
    connection object. Django keeps them on the connection, and connections are per context;
    Playwright's sync API runs the browser tests in another context than the tests before
    them, so a browser test that followed an ordinary database test found nothing to restore
    after the previous browser test's flush (the role groups were gone)."""
    from django.db import connections

    for alias in connections:
        contents = getattr(connections[alias], "_test_serialized_contents", None)
        if contents is not None:
            type(connections[alias])._test_serialized_contents = contents


def pytest_collection_modifyitems(config, items):
    """Only browser tests may use Playwright's fixtures: a test elsewhere that names one (a
    parameter called ``page``, say) would silently run against the live server in a committed
    transaction, and its teardown would flush the role groups for every test after it."""
    from pathlib import Path

    browser_dir = Path(__file__).parent / "tests" / "browser"
    wrong = [
        item.nodeid
        for item in items
        if browser_dir not in item.path.parents
        and {"page", "context", "browser", "live_server"} & set(getattr(item, "fixturenames", ()))
    ]
    if wrong:
        raise pytest.UsageError(
            "Only tests under tests/browser may use Playwright's or the live server's "
            "fixtures (rename the parameter): " + ", ".join(wrong)
        )
