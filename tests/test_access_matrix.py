"""Access control proven for every URL (OWASP ASVS V4: 4.1.1, 4.1.3, 4.1.5, 4.2.1, 4.3.1).

Every route of the URLconf — walked recursively from ``get_resolver()``, named or not, Django
admin's included — is requested with GET and with a POST of empty data by the roles of
tests/access_world.py, and the outcome compared with the hand-written table
(tests/access_table.py). Every role that must be refused is asked; of the roles a route lets
through, one (moving from route to route, so each is let through somewhere) — rendering the
pages is what costs; ``ACCESS_MATRIX_FULL=1`` asks every role everywhere.

- a route the table does not know fails ``test_every_route_is_in_the_table`` by name, so a new
  view cannot escape the matrix (``test_an_unchecked_view_is_caught`` plants one and shows it);
- a refused POST (403/404/405, login) must leave the database as it was (a count of every
  table's rows, history included);
- IDOR (ASVS 4.2.1): every route with a case (or organisation, or meeting) id plus another
  object's id is asked for with side B's object under side A's URL: 404 for every role, never
  B's data;
- Django admin: every changelist/add/change/delete/history URL of every registered model, for
  every role: the role's permissions (the apps' ``roles.py``) are the most the admin may show —
  read-only roles open the view pages and never add, change or delete; a user who is not
  staff, and anonymous, is sent to the admin's login;
- stored files: uploads and printed documents are served only through checked views. MEDIA_URL
  is answered by ``partners.files.stored_file``, which asks the owner's rule: anonymous is sent
  to the login and a user without a staff role is refused; no URL serves the storage's
  directory. In production the checked view may hand the sending to the web server
  (``FILE_SERVE_ACCEL_REDIRECT``: an ``X-Accel-Redirect`` to an ``internal`` location, empty
  body) — the check stays in Django either way.

Each request runs in a savepoint that is rolled back, so the one world built for the module
stays as it was; mismatches are collected and reported together, one line each.
"""

from __future__ import annotations

import os
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from django.conf import settings
from django.db import connection, transaction
from django.shortcuts import resolve_url
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from tests.access_table import (
    CHANGE_CASE,
    FORBIDDEN,
    LOGIN,
    NOT_ALLOWED,
    NOT_FOUND,
    OK,
    ROLES,
    TABLE,
    Check,
)
from tests.access_world import PLAN_YEAR, build_world

REFUSALS = {FORBIDDEN, NOT_FOUND, NOT_ALLOWED, LOGIN}


# --- the URLconf, walked -------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    key: str  # the table's key: the name, with its kwargs where a name has several patterns
    name: str | None
    pattern: str
    kwargs: tuple[str, ...]

    @property
    def is_admin(self) -> bool:
        return bool(self.name and self.name.startswith("admin:")) or self.pattern.startswith(
            settings.ADMIN_URL
        )


def _pattern_kwargs(pattern) -> list[str]:
    converters = getattr(pattern, "converters", None)
    if converters is not None and not hasattr(pattern, "_regex"):
        return list(converters)
    regex = getattr(pattern, "regex", None)
    return list(regex.groupindex) if regex is not None else []


def _walk(resolver, prefix: str = "", namespace: str = "", kwargs=()) -> Iterator[tuple]:
    for entry in resolver.url_patterns:
        here = [*kwargs, *_pattern_kwargs(entry.pattern)]
        if isinstance(entry, URLResolver):
            space = entry.namespace or ""
            inner = f"{namespace}:{space}" if namespace and space else (space or namespace)
            yield from _walk(entry, prefix + str(entry.pattern), inner, here)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield name, prefix + str(entry.pattern), tuple(here)


def all_routes(urlconf: str | None = None) -> list[Route]:
    walked = list(_walk(get_resolver(urlconf)))
    names = [name for name, _pattern, _kwargs in walked]
    routes = []
    for name, pattern, kwargs in walked:
        if name is None:
            key = pattern
        elif names.count(name) > 1:
            key = f"{name}({','.join(sorted(kwargs))})"
        else:
            key = name
        routes.append(Route(key=key, name=name, pattern=pattern, kwargs=kwargs))
    return routes


def missing_from_table(routes: list[Route], table: dict[str, Check]) -> list[str]:
    """Routes outside Django admin without a table entry (admin: see admin_routes)."""
    return sorted(
        f"{route.key}  ({route.pattern})"
        for route in routes
        if not route.is_admin and route.key not in table
    )


# --- the world and the clients -------------------------------------------------------------


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once for the module and rolled back after it (each test still runs in a
    savepoint of its own, and each request in another)."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


@pytest.fixture
def clients(world, db) -> dict[str, Client]:
    made = {}
    for role in (*ROLES, "nonstaff"):
        client = Client(raise_request_exception=False)
        if role != "anonymous":
            client.force_login(world["users"][role])
        made[role] = client
    return made


def value(spec, world: dict, role: str):
    """The URL kwarg ``spec`` names: ``"A.case"`` → case A's id, ``"A.org_document.file"`` →
    its file's name, ``"notification.officer"``, ``"absence"``, ``"token"``, ``"this_year"``;
    anything else is used as it is."""
    if spec == "this_year":
        return timezone.localdate().year
    if spec == "plan_year":
        return PLAN_YEAR
    if spec == "token":
        return world["token"].token
    if spec == "case_type":
        from django.contrib.contenttypes.models import ContentType

        return ContentType.objects.get_for_model(world["A"]["case"]).pk
    if spec == "A.case.officer":
        return world["A"]["case"].officer_id
    if spec == "absence":
        return world["absence"].pk
    if not isinstance(spec, str) or "." not in spec:
        return spec
    head, *rest = spec.split(".")
    if head == "notification":
        return world["notifications"][rest[0]].pk
    obj = world[head][rest[0]]
    if rest[1:]:
        return getattr(obj, rest[1]).name
    return obj.pk


def table_url(route: Route, check: Check, world: dict, role: str, **override) -> str:
    kwargs = {name: value(spec, world, role) for name, spec in check.kwargs.items()}
    kwargs.update(override)
    if route.name is None:  # an unnamed regex route (admin's catch-all): fill its groups
        path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(kwargs[m.group(1)]), route.pattern)
        return "/" + path.replace("^", "").replace("$", "")
    return reverse(route.name, kwargs=kwargs)


def _login_urls() -> tuple[str, ...]:
    return (resolve_url(settings.LOGIN_URL), reverse("admin:login"))


def outcome(response, method: str) -> str:
    code = response.status_code
    if code in (301, 302) and response["Location"].split("?")[0] in _login_urls():
        return LOGIN
    if 200 <= code < 400 or code in (400, 409):  # past the check, refused by input or stage
        return OK
    return str(code)


# What a refused request may write: the audit log of refusals and downloads, django-axes'
# records of logins, sessions.
LOG_TABLES = ("audit", "axes_", "django_session")
_FINGERPRINT: list[str] = []


def fingerprint() -> int:
    """Rows of every table but the logs, added up: one query, whatever the number of tables.
    Every row written or deleted (and every change of a model with history) moves it."""
    if not _FINGERPRINT:
        tables = sorted(
            table
            for table in connection.introspection.django_table_names(only_existing=True)
            if not any(part in table for part in LOG_TABLES)
        )
        quote = connection.ops.quote_name
        _FINGERPRINT.append(
            "SELECT " + " + ".join(f"(SELECT COUNT(*) FROM {quote(t)})" for t in tables)
        )
    with connection.cursor() as cursor:
        cursor.execute(_FINGERPRINT[0])
        return cursor.fetchone()[0]


def ask(client: Client, method: str, url: str, baseline: int, *, redirect=None) -> tuple[str, bool]:
    """The outcome of one request, and whether a refused one changed the database. Every
    request is rolled back, so ``baseline`` (the world's fingerprint) holds before each."""
    with transaction.atomic():
        response = getattr(client, method)(url)
        got = outcome(response, method)
        if redirect is not None and response.status_code in (301, 302) and got == OK:
            got = redirect  # e.g. admin's "a user is never deleted": sent to the change page
        # 405 and the login redirect are answered before any view runs.
        changed = got in (FORBIDDEN, NOT_FOUND, "redirect") and fingerprint() != baseline
        transaction.set_rollback(True)
    return got, changed


# A POST to a page that only shows is sent as these roles (the method check does not depend
# on the role; what matters is that it writes nothing).
READ_ONLY_POSTERS = ("anonymous", "other_officer", "auditor")


# Roles that change nothing anywhere (README: the auditor reads everything, changes nothing):
# in admin every add, change and delete is refused them, GET and POST.
READ_ONLY_ROLES = ("auditor",)

# Of the roles a route lets through, this many are asked (rendering a page is what costs):
# every role that must be refused is always asked. ACCESS_MATRIX_FULL=1 asks every role.
PASSING_SAMPLE = 1
FULL = bool(os.environ.get("ACCESS_MATRIX_FULL"))


def sampled(key: str, method: str, rule: dict, roles, *, refused: int | None = None) -> set[str]:
    """The roles asked for ``rule``: anonymous, and of the roles let through a sample that
    moves from route to route (a stable hash), so that each role, the superuser included, is
    let through somewhere; every refused role — or, with ``refused``, the read-only roles,
    the user who is not staff and that many others, moving the same way."""
    if FULL:
        return set(roles)
    start = zlib.crc32(f"{key} {method}".encode())
    passing = [role for role in roles if rule[role] == OK and role != "anonymous"]
    chosen = {passing[(start + i) % len(passing)] for i in range(PASSING_SAMPLE) if passing}
    others = [role for role in roles if role not in passing and role != "anonymous"]
    if refused is not None:
        always = [role for role in others if role in (*READ_ONLY_ROLES, "nonstaff")]
        rest = [role for role in others if role not in always]
        others = always + [rest[(start + i) % len(rest)] for i in range(refused) if rest]
    return {"anonymous", *chosen, *others} & set(roles)


def expectations(key: str, check: Check, roles) -> Iterator[tuple[str, str, set[str]]]:
    for role in sampled(key, "get", check.get, roles):
        yield role, "get", {check.get[role]}
    if check.post is not None:
        for role in sampled(key, "post", check.post, roles):
            yield role, "post", {check.post[role]}
    else:
        for role in set(READ_ONLY_POSTERS) & set(roles):
            yield role, "post", {NOT_ALLOWED, check.get[role]}


def run_matrix(routes, clients, world, *, roles=ROLES, table=None) -> list[str]:
    table = TABLE if table is None else table
    baseline = fingerprint()
    mismatches = []
    for route in routes:
        check = table[route.key]
        for role, method, expected in sorted(expectations(route.key, check, roles)):
            url = table_url(route, check, world, role)
            got, changed = ask(clients[role], method, url, baseline)
            if route.key.endswith("logout") and role != "anonymous":
                clients[role].force_login(world["users"][role])
            if got not in expected:
                mismatches.append(
                    f"{method.upper()} {url} [{route.key}] as {role}: "
                    f"expected {' or '.join(sorted(expected))}, got {got}"
                )
            elif changed:
                mismatches.append(
                    f"{method.upper()} {url} [{route.key}] as {role}: refused ({got}) "
                    "but the database changed"
                )
    return mismatches


def report(mismatches: list[str]) -> str:
    return f"{len(mismatches)} access mismatches:\n" + "\n".join(mismatches)


# --- the tests -----------------------------------------------------------------------------


def test_every_route_is_in_the_table():
    routes = all_routes()
    missing = missing_from_table(routes, TABLE)
    assert not missing, (
        "Routes without an entry in tests/access_table.py (say who may GET and POST them):\n"
        + "\n".join(missing)
    )
    keys = {route.key for route in routes}
    assert not sorted(set(TABLE) - keys), "Table entries for routes that do not exist"


def table_routes() -> list[Route]:
    """The routes the table covers: every one outside admin, and admin's own (site) views."""
    return [route for route in all_routes() if route.key in TABLE]


def test_every_role_gets_what_the_table_says(clients, world):
    routes = table_routes()
    mismatches = run_matrix(routes, clients, world)
    assert not mismatches, report(mismatches)


def idor_requests(routes, world) -> Iterator[tuple[Route, str, str, str]]:
    """(route, role, method, url) with side B's object in one owned kwarg of side A's URL,
    for every role the table lets through that route."""
    for route in routes:
        check = TABLE[route.key]
        if not check.owned:
            continue
        method, rule = ("get", check.get) if OK in check.get.values() else ("post", check.post)
        for kwarg in check.owned:
            other = check.kwargs[kwarg].replace("A.", "B.", 1)
            for role in ROLES:
                if rule[role] == OK:
                    override = {kwarg: value(other, world, role)}
                    yield route, role, method, table_url(route, check, world, role, **override)


def test_another_cases_object_under_this_cases_url_is_not_found(clients, world):
    """ASVS 4.2.1 (IDOR): B's agreement document, matter, check-in, payment … under A's URL is
    404 for every role that may open A's — never B's data, and nothing written."""
    baseline = fingerprint()
    mismatches, asked = [], 0
    for route, role, method, url in idor_requests(table_routes(), world):
        asked += 1
        got, changed = ask(clients[role], method, url, baseline)
        if got != NOT_FOUND or changed:
            mismatches.append(
                f"{method.upper()} {url} [{route.key}] as {role}: expected 404, got {got}"
                + (" and the database changed" if changed else "")
            )
    assert asked > 100  # every owned kwarg of about thirty routes, for each role let through
    assert not mismatches, report(mismatches)


# --- Django admin ----------------------------------------------------------------------------

# The per-model admin views Django (and django-simple-history) make for every registered
# model, with the permission each needs; any other admin URL must be in the table.
ADMIN_VIEWS = {
    "changelist": ("view", "change"),
    "add": ("add",),
    "change": ("view", "change"),
    "delete": ("delete",),
    "history": ("view", "change"),
    "simple_history": ("view", "change"),
}
ADMIN_ROLES = (*ROLES, "nonstaff")


def admin_routes(routes: list[Route]) -> tuple[dict, list[Route]]:
    """{(app_label, model_name, view): Route} of the per-model views of every registered
    model, and the admin routes that are none of them (they need a table entry)."""
    from django.contrib import admin

    known = {}
    for model in admin.site._registry:
        for view in ADMIN_VIEWS:
            known[f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}"] = (
                model,
                view,
            )
    per_model, other = {}, []
    for route in routes:
        if not route.is_admin:
            continue
        if route.name in known:
            per_model[known[route.name]] = route
        elif route.name is not None or not route.pattern.endswith("<path:object_id>/"):
            other.append(route)  # the unnamed "<id>/" ones only redirect to the change page
    return per_model, other


def admin_url(model, view: str) -> str | None:
    info = f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}"
    if view in ("changelist", "add"):
        return reverse(info)
    obj = model._default_manager.order_by("pk").first()
    if obj is None:
        return None
    if view == "simple_history":
        record = getattr(obj, "history", None)
        first = record.order_by("history_id").first() if record is not None else None
        return reverse(info, args=[obj.pk, first.history_id]) if first else None
    return reverse(info, args=[obj.pk])


def admin_expected(user, model, view: str) -> set[str]:
    """What the role's permissions (the apps' roles.py) allow is the most the admin may show:
    a ModelAdmin may refuse more (the services write), never less."""
    if user is None:
        return {LOGIN}
    if not user.is_staff:
        return {LOGIN}
    opts = model._meta
    perms = {f"{opts.app_label}.{action}_{opts.model_name}" for action in ADMIN_VIEWS[view]}
    if not any(user.has_perm(perm) for perm in perms):
        return {FORBIDDEN}
    if user.is_superuser and view in ("changelist", "change", "history", "simple_history"):
        return {OK}
    return {OK, FORBIDDEN}


def test_django_admin_shows_each_role_what_its_permissions_allow(clients, world):
    routes = all_routes()
    per_model, _other = admin_routes(routes)
    users = {role: world["users"].get(role) for role in ADMIN_ROLES}
    baseline = fingerprint()
    mismatches, asked = [], 0
    for (model, view), _route in sorted(per_model.items(), key=lambda i: str(i[0])):
        url = admin_url(model, view)
        if url is None:
            continue  # no row of the model in the world to open
        rule = {role: admin_expected(users[role], model, view) for role in ADMIN_ROLES}
        plain = {role: (OK if OK in rule[role] else next(iter(rule[role]))) for role in rule}
        key = f"{model._meta.label} {view}"
        for role in sampled(key, "get", plain, ADMIN_ROLES, refused=1):
            asked += 1
            got, changed = ask(clients[role], "get", url, baseline, redirect="redirect")
            if got == "redirect" and not changed:
                continue  # sent elsewhere (the change page, the login), nothing shown or done
            if got not in rule[role]:
                mismatches.append(
                    f"GET {url} [{key}] as {role}: expected {' or '.join(sorted(rule[role]))}, "
                    f"got {got}"
                )
            if role in READ_ONLY_ROLES and view in ("add", "delete") and got == OK:
                mismatches.append(f"GET {url} [{key}] as {role}: a read-only role got {got}")
        if view not in ("add", "change", "delete"):
            continue
        # A POST the role may not make: refused, nothing written. Asked as the read-only
        # roles, the user who is not staff and one more refused role (moving from model to
        # model).
        refused = [role for role in ADMIN_ROLES if rule[role] <= {FORBIDDEN, LOGIN}]
        if view == "change":  # with only the view permission, a change is refused too
            refused += [
                role
                for role in ADMIN_ROLES
                if users[role] is not None
                and users[role].is_staff
                and not users[role].has_perm(
                    f"{model._meta.app_label}.change_{model._meta.model_name}"
                )
                and role not in refused
            ]
        if not refused:
            continue
        extra = refused[zlib.crc32(key.encode()) % len(refused)]
        for role in {*READ_ONLY_ROLES, "nonstaff", extra} & set(refused) if not FULL else refused:
            asked += 1
            got, changed = ask(clients[role], "post", url, baseline, redirect="redirect")
            if got not in (FORBIDDEN, LOGIN, "redirect") or changed:
                mismatches.append(
                    f"POST {url} [{key}] as {role}: expected 403 or login, got {got}"
                    + (" and the database changed" if changed else "")
                )
    assert asked > 300
    assert not mismatches, report(mismatches)


def test_every_admin_url_is_a_model_view_or_in_the_table():
    per_model, other = admin_routes(all_routes())
    missing = sorted(f"{r.key}  ({r.pattern})" for r in other if r.key not in TABLE)
    assert len(per_model) > 250
    assert not missing, "Admin URLs that are no model's standard view and not in the table:\n" + (
        "\n".join(missing)
    )


# --- a planted view: the matrix catches a route without a check -------------------------------


def test_an_unchecked_view_is_caught(clients, world):
    """A view added without a table entry fails the coverage test by name; given the entry a
    careful author would write (only the case's officers), its missing check fails the
    matrix for every role it lets through."""
    planted = "tests.access_planted_urls"
    with override_settings(ROOT_URLCONF=planted):
        routes = all_routes(planted)
        assert missing_from_table(routes, TABLE) == [
            "planted_unchecked  (arenden/<int:case_pk>/oskyddad/)"
        ]
        route = next(r for r in routes if r.key == "planted_unchecked")
        table = {route.key: Check(kwargs={"case_pk": "A.case"}, get=CHANGE_CASE)}
        mismatches = run_matrix([route], clients, world, table=table)
    refused = [role for role in ROLES if CHANGE_CASE[role] == FORBIDDEN]
    for role in refused:
        assert any(f"as {role}: expected 403, got ok" in line for line in mismatches), role


# --- stored files --------------------------------------------------------------------------------


def _callbacks(resolver) -> Iterator:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _callbacks(entry)
        else:
            yield entry.callback


def test_media_url_is_only_the_checked_view():
    """Every stored file's URL is MEDIA_URL + its name, and MEDIA_URL is answered by the view
    that checks who asks; no route serves a directory (django.views.static)."""
    from django.urls import resolve
    from django.views import static

    from partners.files import stored_file

    assert resolve(settings.MEDIA_URL + "organisations/1/any.pdf").func is stored_file
    assert static.serve not in set(_callbacks(get_resolver()))


class TestStoredFiles:
    def test_only_a_staff_role_gets_a_stored_file(self, clients, world, make_user):
        document = world["A"]["org_document"]
        url = document.file.url
        assert url.startswith(settings.MEDIA_URL)
        assert outcome(clients["anonymous"].get(url), "get") == LOGIN
        roleless = Client()
        roleless.force_login(make_user(None, username="matrix-roleless"))
        assert roleless.get(url).status_code == 403
        response = clients["auditor"].get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == b"%PDF-1.4 matrix"
        assert "X-Accel-Redirect" not in response

    @override_settings(FILE_SERVE_ACCEL_REDIRECT="/protected-media/")
    def test_with_accel_redirect_the_web_server_sends_the_file(self, clients, world, make_user):
        document = world["A"]["org_document"]
        response = clients["auditor"].get(document.file.url)
        assert response.status_code == 200
        assert response["X-Accel-Redirect"] == "/protected-media/" + document.file.name
        assert response.content == b""
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["X-Content-Type-Options"] == "nosniff"
        # The named downloads of the screens go the same way, after their own check.
        package = world["A"]["package"]
        url = reverse(
            "decisions:package_download",
            kwargs={"pk": package.meeting_id, "package_pk": package.pk},
        )
        assert clients["jurist"].get(url)["X-Accel-Redirect"].endswith(package.file.name)
        # A refusal is still Django's: no header, no file.
        anonymous = clients["anonymous"].get(document.file.url)
        assert outcome(anonymous, "get") == LOGIN
        assert "X-Accel-Redirect" not in anonymous
        roleless = Client()
        roleless.force_login(make_user(None, username="matrix-roleless"))
        refused = roleless.get(document.file.url)
        assert refused.status_code == 403
        assert "X-Accel-Redirect" not in refused
