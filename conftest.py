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
    if config.getoption("nomigrations", default=False):
        from django.db.models.signals import post_migrate

        post_migrate.connect(replay_data_migrations, dispatch_uid="tests-replay-data-migrations")


# The apps whose data migrations the test databases replay (third-party ones create no rows a
# test needs, and some of theirs only make sense on the schema of their time).
OWN_APPS = {"iop", "partners", "agreements", "decisions", "followups", "finance", "oversight"}


def replay_data_migrations(sender, using, **kwargs):
    """The test databases are made from the models (``--no-migrations``, in pyproject.toml's
    addopts), not by running the 70-odd migrations: rendering the migration states took each
    xdist worker most of a minute. What the migrations do besides the schema, their RunPython
    steps (the role groups and their permissions, the periodic tasks, the reminder settings
    row), runs here, on every test database, once its tables exist: in migration order, with
    the final state's models (on an empty database a data step finds nothing else to convert).
    The migrations themselves are applied in full by `make run` (CI's smoke test), the fault
    tests' own PostgreSQL, and checked against the models by ``makemigrations --check``."""
    from django.apps import apps
    from django.db import connections
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.operations.special import RunPython
    from django.test.utils import override_settings

    if sender is not list(apps.get_app_configs())[-1]:
        return  # post_migrate comes once per app: run after the last
    with override_settings(MIGRATION_MODULES={}):
        loader = MigrationLoader(None)
    plan = []
    for leaf in sorted(loader.graph.leaf_nodes()):
        plan += [node for node in loader.graph.forwards_plan(leaf) if node not in plan]
    steps = [
        operation.code
        for node in plan
        if node[0] in OWN_APPS
        for operation in loader.graph.nodes[node].operations
        if isinstance(operation, RunPython)
    ]
    state_apps = loader.project_state().apps
    connection = connections[using]
    with connection.schema_editor() as schema_editor:
        for code in steps:
            code(state_apps, schema_editor)


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
def django_db_setup(django_db_setup, django_db_blocker, request):
    """Make the serialized database contents (for ``serialized_rollback``) visible from every
    connection object. Django keeps them on the connection, and connections are per context;
    Playwright's sync API runs the browser tests in another context than the tests before
    them, so a browser test that followed an ordinary database test found nothing to restore
    after the previous browser test's flush (the role groups were gone).

    Django serializes only the apps that have migrations, and under ``--no-migrations`` none
    has: the contents are serialized again here with the migrations visible."""
    from django.db import connections
    from django.test.utils import override_settings

    for alias in connections:
        contents = getattr(connections[alias], "_test_serialized_contents", None)
        if contents is not None:
            if request.config.getoption("nomigrations", default=False):
                with django_db_blocker.unblock(), override_settings(MIGRATION_MODULES={}):
                    contents = connections[alias].creation.serialize_db_to_string()
                connections[alias]._test_serialized_contents = contents
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
