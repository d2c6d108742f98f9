"""`manage.py check --deploy` under the production settings finds nothing to warn about, and a
response there carries the security headers."""

import functools
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_check_deploy_reports_no_issues():
    probe = production_probe()
    output = probe["check"]
    assert probe["check_passed"], output
    assert "no issues" in output, output
    assert "WARNINGS" not in output, output


def test_production_refuses_to_start_without_a_secret_key():
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_SETTINGS_MODULE": "iop.settings.production",
        "ALLOWED_HOSTS": "iop.regionvarmland.example",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


# One interpreter under the production settings (starting one costs seconds): `check --deploy`,
# then a request through the whole middleware stack, then the settings that hold secrets.
PRODUCTION_PROBE = """
import io, json
import django
django.setup()
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import Client
out = io.StringIO()
try:
    call_command("check", deploy=True, fail_level="WARNING", stdout=out, stderr=out)
    check_passed = True
except SystemCheckError as error:
    out.write(str(error))
    check_passed = False
response = Client().get("/halsa/", secure=True, HTTP_HOST="iop.regionvarmland.example")
secrets = {
    name: bool(getattr(settings, name))
    for name in dir(settings)
    if name.isupper() and name.endswith(("PASSWORD", "SECRET", "SECRET_KEY", "API_KEY", "TOKEN"))
}
print(json.dumps({
    "check": out.getvalue(),
    "check_passed": check_passed,
    "status": response.status_code,
    "headers": dict(response.headers),
    "secrets": secrets,
    "database_password": settings.DATABASES["default"].get("PASSWORD", ""),
}))
"""


@functools.cache
def production_probe() -> dict:
    # A clean environment: only what production must be given, nothing the test run set.
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_SETTINGS_MODULE": "iop.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "iop.regionvarmland.example",
        "DATABASE_URL": "sqlite://:memory:",  # the health check's SELECT 1, no file written
    }
    result = subprocess.run(
        [sys.executable, "-c", PRODUCTION_PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_sends_the_security_headers_and_holds_no_secret_of_its_own():
    """Under the production settings, given only SECRET_KEY and ALLOWED_HOSTS: a page carries
    the CSP and the other security headers, and no password or secret has a value that did not
    come from the environment (no default in the code)."""
    probe = production_probe()
    assert probe["status"] == 200
    headers = probe["headers"]
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in headers["Permissions-Policy"]
    # SECRET_KEY is the one secret set (from the environment); nothing else has a default.
    assert {name for name, has_value in probe["secrets"].items() if has_value} == {"SECRET_KEY"}
    assert probe["database_password"] == ""
