"""docker-compose.yml is kept correct without a Docker engine: its services, their commands, and
an environment the settings actually read (STACK.md: `docker compose` cannot run here)."""

import json
import os
import re
import subprocess
import sys
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import environ
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
APP_SERVICES = ("web", "worker", "beat")

# What `docker compose` would substitute for ${...} when only the required variables are set.
COMPOSE_SHELL = {"SECRET_KEY": "s" * 50, "POSTGRES_PASSWORD": "p" * 32}

_VARIABLE = re.compile(r"\$\{(?P<name>\w+)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")


def interpolate(value: str, shell: dict[str, str]) -> str:
    """Compose's ${NAME}, ${NAME:-default}, ${NAME-default} and ${NAME:?error} substitution."""

    def substitute(match: re.Match) -> str:
        name, op, arg = match["name"], match["op"], match["arg"]
        current = shell.get(name)
        unset = current is None or (current == "" and op in (":-", ":?"))
        if unset and op in (":-", "-"):
            return arg
        if unset and op in (":?", "?"):
            raise AssertionError(f"compose would stop: {name} is required ({arg})")
        return current or ""

    return _VARIABLE.sub(substitute, value.replace("$$", "\0")).replace("\0", "$")


@cache
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def service(name: str) -> dict:
    return compose()["services"][name]


def command(name: str) -> str:
    value = service(name)["command"]
    return " ".join(value) if isinstance(value, list) else value


def environment(name: str) -> dict[str, str]:
    value = service(name).get("environment", {})
    if isinstance(value, list):
        value = dict(item.split("=", 1) for item in value)
    return {k: interpolate(str(v), COMPOSE_SHELL) for k, v in value.items()}


@cache
def variables_read_by_settings(env_items: frozenset) -> frozenset[str]:
    """Every variable iop.settings.production (and base, which it imports) reads when started
    with exactly this environment; recorded by the settings in ENV_VARS_READ. A fresh
    interpreter, because what the settings read depends on what they are given (CONN_MAX_AGE
    only for a server database, say)."""
    code = (
        "import importlib, json;"
        "importlib.import_module('iop.settings.production');"
        "from iop.settings.base import ENV_VARS_READ;"
        "print(json.dumps(sorted(ENV_VARS_READ)))"
    )
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **dict(env_items)}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return frozenset(json.loads(result.stdout))


def test_the_five_services_exist():
    assert set(compose()["services"]) == {"web", "worker", "beat", "db", "redis"}
    assert service("db")["image"] == "postgres:15"
    assert service("redis")["image"] == "redis:7"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_are_built_from_this_repository(name):
    assert service(name)["build"] == "."
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert dockerfile.startswith("#") and "FROM python:3.11-slim" in dockerfile
    # WeasyPrint needs Pango and HarfBuzz in the image, as scripts/setup.sh installs them here.
    for library in ("libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0"):
        assert library in dockerfile


def test_web_migrates_then_runs_gunicorn():
    web = command("web")
    assert "python manage.py migrate --noinput" in web
    assert "exec gunicorn iop.wsgi:application --bind 0.0.0.0:8000" in web
    assert web.index("migrate") < web.index("gunicorn")


def test_worker_runs_celery_worker():
    assert command("worker").startswith("celery -A iop worker ")
    assert " -B" not in command("worker")  # beat runs once, in its own service


def test_beat_runs_the_database_scheduler():
    assert command("beat") == (
        "celery -A iop beat --loglevel=INFO "
        "--scheduler django_celery_beat.schedulers:DatabaseScheduler"
    )


@pytest.mark.parametrize("name", APP_SERVICES)
def test_every_variable_set_is_one_the_settings_read(name):
    env = environment(name)
    assert env, f"{name} sets no environment"
    read = variables_read_by_settings(frozenset(env.items()))
    assert set(env) - read == set(), f"{name} sets variables the settings never read"


@pytest.mark.parametrize("name", ["worker", "beat"])
def test_app_services_share_one_environment(name):
    assert environment(name) == environment("web")


def test_database_url_points_at_the_db_service():
    database = environ.Env.db_url_config(environment("web")["DATABASE_URL"])
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert database["HOST"] == "db"
    assert database["PORT"] == 5432
    db_env = service("db")["environment"]
    assert database["NAME"] == db_env["POSTGRES_DB"]
    assert database["USER"] == db_env["POSTGRES_USER"]
    assert database["PASSWORD"] == interpolate(db_env["POSTGRES_PASSWORD"], COMPOSE_SHELL)


def test_celery_broker_url_points_at_redis():
    broker = urlsplit(environment("worker")["CELERY_BROKER_URL"])
    assert (broker.scheme, broker.hostname, broker.port) == ("redis", "redis", 6379)


def test_production_secrets_are_required_not_defaulted():
    raw = compose()["x-app-env"]
    assert raw["SECRET_KEY"].startswith("${SECRET_KEY:?")
    with pytest.raises(AssertionError, match="SECRET_KEY is required"):
        interpolate(raw["SECRET_KEY"], {})
    # No default database password: compose stops unless one is given.
    for value in (raw["DATABASE_URL"], service("db")["environment"]["POSTGRES_PASSWORD"]):
        with pytest.raises(AssertionError, match="POSTGRES_PASSWORD is required"):
            interpolate(value, {"SECRET_KEY": "s" * 50})


def test_only_web_is_published_and_only_on_the_hosts_loopback():
    # The reverse proxy on the host reaches gunicorn; no other machine does, and the database
    # and Redis are reached only inside the compose network.
    assert service("web")["ports"] == ["127.0.0.1:8000:8000"]
    for name in ("worker", "beat", "db", "redis"):
        assert "ports" not in service(name), f"{name} publishes a port"


def test_gunicorn_trusts_forwarded_headers_only_from_the_proxy():
    web = command("web")
    assert '"*"' not in web and "'*'" not in web
    assert '--forwarded-allow-ips "127.0.0.1"' in interpolate(web, COMPOSE_SHELL)
    proxy = {**COMPOSE_SHELL, "FORWARDED_ALLOW_IPS": "172.18.0.1"}
    assert '--forwarded-allow-ips "172.18.0.1"' in interpolate(web, proxy)
