"""Authentication and sessions (OWASP ASVS V2, V3): the lockout after 20 wrong passwords and
its lifting, the staff-only password login, the password rules, Argon2 with rehashing, the
idle and absolute ends of a session, and single sign-on's mapping of groups to roles."""

import datetime
import logging
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from axes.models import AccessAttempt

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import PBKDF2PasswordHasher, identify_hasher
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import HttpRequest
from django.test.utils import CaptureQueriesContext
from django.urls import include, path, reverse
from django.utils import timezone

import iop.urls
from iop import session_timeout
from iop.constants import Role
from iop.hashers import OwaspArgon2PasswordHasher
from iop.oidc import IopOIDCBackend

pytestmark = pytest.mark.django_db

PASSWORD = "lösenord-för-test"  # UserFactory's
LOGIN = "/konto/logga-in/"
START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)

# The URLs with single sign-on on, as iop.urls has them when OIDC_ENABLED is set.
urlpatterns = [*iop.urls.urlpatterns, path("oidc/", include("iop.oidc"))]


class Records(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


@pytest.fixture
def audit_records():
    """What reaches the "iop.audit" logger (it does not propagate to the root logger)."""
    logger = logging.getLogger("iop.audit")
    handler = Records()
    logger.addHandler(handler)
    try:
        yield handler.records
    finally:
        logger.removeHandler(handler)


def log_in(client, username, password, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def is_logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def fail(client, username, times, **extra):
    for _ in range(times):
        response = log_in(client, username, "fel-lösenord", **extra)
    return response


# --- Lockout (django-axes) --------------------------------------------------------------------


class TestLockout:
    def test_twenty_wrong_passwords_lock_the_user_out_until_the_cool_off_ends(
        self, client, officer, audit_records
    ):
        with time_machine.travel(START, tick=False) as traveller:
            nineteenth = fail(client, officer.username, 19)
            assert nineteenth.status_code == 200 and "locked-out" not in nineteenth.content.decode()

            twentieth = fail(client, officer.username, 1)
            assert twentieth.status_code == 429
            page = twentieth.content.decode()
            assert 'id="locked-out"' in page and 'id="login-form"' in page  # the login page

            right = log_in(client, officer.username, PASSWORD)
            assert right.status_code == 429 and not is_logged_in(client)

            lockouts = [r for r in audit_records if getattr(r, "event", "") == "lockout"]
            assert lockouts and lockouts[0].username == officer.username
            assert lockouts[0].ip == "127.0.0.1"

            traveller.shift(datetime.timedelta(minutes=29))
            assert log_in(client, officer.username, PASSWORD).status_code == 429
            traveller.shift(datetime.timedelta(minutes=2))
            assert log_in(client, officer.username, PASSWORD).status_code == 302
            assert is_logged_in(client)

    # The tests below lower the limit: 20 attempts through the form cost seconds, and the
    # first test shows the limit itself.
    def test_wrong_passwords_from_one_address_lock_that_address(self, client, jurist, settings):
        settings.AXES_FAILURE_LIMIT = 3
        for n in range(3):
            log_in(client, f"gissning{n}", "fel-lösenord", REMOTE_ADDR="10.1.2.3")
        assert log_in(client, jurist.username, PASSWORD, REMOTE_ADDR="10.1.2.3").status_code == 429
        # The same user from another address is not locked.
        assert log_in(client, jurist.username, PASSWORD, REMOTE_ADDR="10.1.2.4").status_code == 302

    def test_the_coordinator_lifts_a_lockout(
        self, client, officer, coordinator, audit_records, settings
    ):
        settings.AXES_FAILURE_LIMIT = 3
        fail(client, officer.username, 3, REMOTE_ADDR="10.0.0.7")
        client.force_login(coordinator)

        page = client.get(reverse("account_lockouts"))
        assert page.status_code == 200
        assert "no-store" in page["Cache-Control"]
        locked = {(lock.username, lock.ip_address) for lock in page.context["lockouts"]}
        assert locked == {(officer.username, ""), ("", "10.0.0.7")}

        response = client.post(reverse("account_unlock"), {"username": officer.username})
        assert response.status_code == 302
        assert [r.actor for r in audit_records if getattr(r, "event", "") == "unlock"] == [
            coordinator.username
        ]
        client.post(reverse("account_unlock"), {"ip_address": "10.0.0.7"})
        client.logout()

        assert log_in(client, officer.username, PASSWORD, REMOTE_ADDR="10.0.0.7").status_code == 302

    def test_other_roles_may_not_lift_lockouts(self, client, officer, jurist):
        client.force_login(jurist)
        assert client.get(reverse("account_lockouts")).status_code == 403
        assert client.post(reverse("account_unlock"), {"username": "x"}).status_code == 403

    def test_the_lockouts_page_reads_a_constant_number_of_queries(self, client, coordinator):
        client.force_login(coordinator)

        def queries() -> int:
            with CaptureQueriesContext(connection) as captured:
                assert client.get(reverse("account_lockouts")).status_code == 200
            return len(captured)

        def locked(username, ip_address):
            AccessAttempt.objects.create(
                username=username,
                ip_address=ip_address,
                user_agent="",
                failures_since_start=20,
                attempt_time=timezone.now(),
                get_data="",
                post_data="",
                http_accept="",
                path_info=LOGIN,
            )

        locked("nils", "10.0.0.1")
        one = queries()
        locked("per", "10.0.0.2")
        locked("eva", "10.0.0.3")
        assert queries() == one
        assert len(client.get(reverse("account_lockouts")).context["lockouts"]) == 6


# --- Who may log in with a password -----------------------------------------------------------


class TestStaffLogin:
    def test_a_user_with_a_role_logs_in(self, client, officer):
        assert log_in(client, officer.username, PASSWORD).status_code == 302
        assert is_logged_in(client)

    def test_a_user_without_a_role_is_refused_like_a_wrong_password(self, client, make_user):
        user = make_user(None, username="utan-roll")
        response = log_in(client, user.username, PASSWORD)
        assert response.status_code == 200 and not is_logged_in(client)
        assert response.context["form"].errors

    def test_an_inactive_user_with_a_role_is_refused(self, client, make_user):
        user = make_user(Role.CASE_OFFICER, username="slutat", is_active=False)
        assert log_in(client, user.username, PASSWORD).status_code == 200
        assert not is_logged_in(client)

    def test_a_superuser_without_a_role_logs_in(self, client, make_user):
        make_user(None, username="root", is_superuser=True, is_staff=True)
        assert log_in(client, "root", PASSWORD).status_code == 302


def test_client_login_needs_a_request_now_that_axes_checks_every_password_login(client, officer):
    """django-axes refuses to check a password without the request it came with; tests that
    log in with a password pass one (``force_login`` needs none)."""
    with pytest.raises(ValueError, match="requires a request"):
        client.login(username=officer.username, password=PASSWORD)
    assert client.login(request=HttpRequest(), username=officer.username, password=PASSWORD)


# --- Passwords --------------------------------------------------------------------------------


def test_a_password_needs_twelve_characters():
    with pytest.raises(ValidationError, match="12"):
        validate_password("kort-lösen1")  # 11
    validate_password("tolv-tecken!")  # 12


def test_a_pbkdf2_password_is_rehashed_to_argon2_at_owasp_parameters_on_login(
    client, officer, settings
):
    settings.PASSWORD_HASHERS = [
        "iop.hashers.OwaspArgon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
    # Few iterations: the test checks the rehash, not PBKDF2's cost.
    old = PBKDF2PasswordHasher().encode(PASSWORD, "saltsaltsalt", iterations=1000)
    get_user_model().objects.filter(pk=officer.pk).update(password=old)

    assert log_in(client, officer.username, PASSWORD).status_code == 302

    officer.refresh_from_db()
    assert isinstance(identify_hasher(officer.password), OwaspArgon2PasswordHasher)
    assert officer.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert officer.check_password(PASSWORD)


# --- Sessions: 30 minutes idle, 8 hours at most -------------------------------------------------


class TestSessionTimeout:
    def test_thirty_idle_minutes_log_the_user_out(self, client, officer, audit_records):
        with time_machine.travel(START, tick=False) as traveller:
            client.force_login(officer)
            traveller.shift(datetime.timedelta(minutes=29))
            assert client.get(reverse("keep_alive")).status_code == 200  # activity
            traveller.shift(datetime.timedelta(minutes=29))
            assert client.get(reverse("keep_alive")).status_code == 200
            traveller.shift(datetime.timedelta(minutes=31))

            response = client.get(reverse("home"))

        assert response.status_code == 302
        assert response["Location"] == "/konto/utloggad/?reason=idle"
        assert not is_logged_in(client)
        [ended] = [r for r in audit_records if getattr(r, "event", "") == "session_timeout"]
        assert (ended.username, ended.reason) == (officer.username, "idle")

    def test_eight_hours_end_the_session_however_active(self, client, officer):
        with time_machine.travel(START, tick=False) as traveller:
            client.force_login(officer)
            for _ in range(19):  # 19 × 25 minutes: 7 h 55 min, each step active
                traveller.shift(datetime.timedelta(minutes=25))
                assert client.post(reverse("keep_alive")).status_code == 200
            traveller.shift(datetime.timedelta(minutes=6))
            response = client.post(reverse("keep_alive"))

        assert response["Location"] == "/konto/utloggad/?reason=absolute"
        assert not is_logged_in(client)

    def test_polling_is_no_activity(self, client, officer):
        with time_machine.travel(START, tick=False) as traveller:
            client.force_login(officer)
            for _ in range(3):  # a progress panel polling for 24 minutes
                traveller.shift(datetime.timedelta(minutes=8))
                client.get(reverse("keep_alive"), headers={"X-IOP-Poll": "1"})
            traveller.shift(datetime.timedelta(minutes=7))
            response = client.get(reverse("home"), headers={"HX-Request": "true"})

        # htmx requests are sent on with HX-Redirect, so the whole page goes.
        assert response.status_code == 204
        assert response["HX-Redirect"] == "/konto/utloggad/?reason=idle"
        assert not is_logged_in(client)

    def test_the_keep_alive_tells_the_time_left_and_only_post_extends_it(self, client, officer):
        with time_machine.travel(START, tick=False) as traveller:
            client.force_login(officer)
            traveller.shift(datetime.timedelta(minutes=10))
            asked = client.get(reverse("keep_alive"), headers={"X-IOP-Poll": "1"}).json()
            assert asked == {"remaining": 20 * 60, "ends_absolutely": False}
            extended = client.post(reverse("keep_alive")).json()
            assert extended["remaining"] == 30 * 60

    def test_an_ordinary_request_does_not_save_the_session(self, client, officer):
        client.force_login(officer)
        with CaptureQueriesContext(connection) as captured:
            client.get(reverse("keep_alive"))
        assert not [q for q in captured if "django_session" in q["sql"] and "UPDATE" in q["sql"]]

    def test_pages_carry_the_warning_dialog_with_the_time_left(self, client, officer):
        with time_machine.travel(START, tick=False):
            client.force_login(officer)
            page = client.get(reverse("home")).content.decode()
        assert 'id="session-timeout"' in page
        assert 'data-remaining="1800"' in page and 'data-warn-before="120"' in page
        assert 'src="/static/js/session-timeout.js"' in page
        client.logout()
        assert 'id="session-timeout"' not in client.get(LOGIN).content.decode()

    def test_logging_out_shows_the_logged_out_page(self, client, officer):
        client.force_login(officer)
        response = client.post(reverse("logout"), follow=True)
        assert response.redirect_chain[-1][0] == "/konto/utloggad/"
        assert response.context["reason"] == ""
        assert 'id="log-in-again"' in response.content.decode()
        assert 'id="session-timeout"' not in response.content.decode()

    @pytest.mark.parametrize(
        ("reason", "shown", "number"),
        [("idle", "idle", "30"), ("absolute", "absolute", "8"), ("made-up", "", None)],
    )
    def test_the_logged_out_page_says_why(self, client, reason, shown, number):
        response = client.get(reverse("logged_out"), {"reason": reason})
        assert response.status_code == 200  # public
        assert response.context["reason"] == shown
        text = response.content.decode().split('id="logged-out-reason">')[1].split("</p>")[0]
        if number:
            assert f" {number} " in text


def test_sessions_remember_when_they_began(client, officer):
    client.force_login(officer)
    assert client.session[session_timeout.LOGIN_AT] == client.session[session_timeout.ACTIVE_AT]


# --- Single sign-on (OIDC) ----------------------------------------------------------------------

OIDC_SETTINGS = {
    "OIDC_ENABLED": True,
    "OIDC_RP_CLIENT_ID": "iop-stod",
    "OIDC_RP_CLIENT_SECRET": "hemligt",
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "https://idp.region.example/authorize",
    "OIDC_OP_TOKEN_ENDPOINT": "https://idp.region.example/token",
    "OIDC_OP_USER_ENDPOINT": "https://idp.region.example/userinfo",
    "OIDC_OP_JWKS_ENDPOINT": "https://idp.region.example/jwks",
    "OIDC_GROUP_ROLE_MAP": {
        "IOP-handlaggare": Role.CASE_OFFICER.value,
        "IOP-jurister": Role.JURIST.value,
    },
    "AUTHENTICATION_BACKENDS": [
        "axes.backends.AxesStandaloneBackend",
        "iop.auth_backends.StaffBackend",
        "iop.oidc.IopOIDCBackend",
    ],
}


@pytest.fixture
def provider(settings, monkeypatch):
    """A fake identity provider in-process: the token and userinfo answers the backend would
    fetch; ``provider["claims"]`` is what the next login's userinfo says."""
    for name, value in OIDC_SETTINGS.items():
        setattr(settings, name, value)
    state = {"claims": {}}

    def get_token(self, payload):
        assert payload["code"] == "kod-från-idp" and payload["client_id"] == "iop-stod"
        return {"id_token": "id-token", "access_token": "access-token"}

    def verify_token(self, token, **kwargs):
        return {"sub": "abc", "nonce": kwargs.get("nonce")}

    monkeypatch.setattr(IopOIDCBackend, "get_token", get_token)
    monkeypatch.setattr(IopOIDCBackend, "verify_token", verify_token)
    monkeypatch.setattr(IopOIDCBackend, "get_userinfo", lambda self, *args: state["claims"])
    return state


def sign_on(client):
    start = client.get("/oidc/authenticate/")
    assert start.status_code == 302
    authorize = urlsplit(start["Location"])
    assert authorize.netloc == "idp.region.example"
    state = parse_qs(authorize.query)["state"][0]
    return client.get("/oidc/callback/", {"code": "kod-från-idp", "state": state})


def claims(*groups, email="sara.svensson@region.example"):
    return {
        "email": email,
        "preferred_username": "sarsve",
        "given_name": "Sara",
        "family_name": "Svensson",
        "groups": list(groups),
    }


@pytest.mark.urls(__name__)
class TestSingleSignOn:
    def test_a_mapped_group_creates_the_user_with_that_role(self, client, provider):
        provider["claims"] = claims("IOP-handlaggare", "Alla-anställda")

        response = sign_on(client)

        assert response.status_code == 302 and response["Location"] == reverse("home")
        user = get_user_model().objects.get(username="sarsve")
        assert (user.first_name, user.last_name) == ("Sara", "Svensson")
        assert list(user.groups.values_list("name", flat=True)) == [Role.CASE_OFFICER.value]
        assert user.is_staff and not user.has_usable_password()
        assert is_logged_in(client) and client.get(reverse("home")).status_code == 200

    def test_every_login_sets_the_roles_again(self, client, provider, make_user):
        user = make_user(Role.CASE_OFFICER, username="sarsve", email="sara.svensson@region.example")
        provider["claims"] = claims("IOP-jurister")

        sign_on(client)

        assert list(user.groups.values_list("name", flat=True)) == [Role.JURIST.value]

    def test_no_mapped_group_no_access(self, client, provider, audit_records):
        provider["claims"] = claims("Alla-anställda")

        response = sign_on(client)

        assert response["Location"] == "/konto/logga-in/?sso=failed"
        assert not is_logged_in(client)
        assert not get_user_model().objects.filter(username="sarsve").exists()
        assert any(getattr(r, "event", "") == "sso_refused" for r in audit_records)
        page = client.get(response["Location"]).content.decode()
        assert 'id="sso-failed"' in page and 'id="sso-login"' in page


def test_the_login_page_offers_single_sign_on_only_when_enabled(client):
    assert 'id="sso-login"' not in client.get(LOGIN).content.decode()


def test_an_unknown_role_in_the_group_map_is_a_configuration_error(settings):
    from django.core.exceptions import ImproperlyConfigured

    from iop.oidc import group_role_map

    settings.OIDC_GROUP_ROLE_MAP = {"IOP": "Chef"}
    with pytest.raises(ImproperlyConfigured, match="Chef"):
        group_role_map()
