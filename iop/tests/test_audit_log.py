"""The audit log (ASVS V7.2): refusals, logins, exports and downloads are logged with who,
what, when, from where and how it went — in the database, read in the admin by the
superuser and the auditor only and changed by no one, and in the JSON-lines file."""

from __future__ import annotations

import datetime
import json
import logging
from pathlib import Path

import pytest

from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse

from iop.constants import Role
from iop.models import AuditEvent
from iop.tests.factories import CaseDocumentFactory

pytestmark = pytest.mark.django_db

PASSWORD = "lösenord-för-test"  # UserFactory's


def audit_file_lines_after(offset: int) -> list[str]:
    for handler in logging.getLogger("iop.audit").handlers:
        handler.flush()
    path = Path(settings.AUDIT_LOG_FILE)
    with path.open(encoding="utf-8") as log:
        log.seek(offset)
        return log.read().splitlines()


def audit_file_size() -> int:
    path = Path(settings.AUDIT_LOG_FILE)
    return path.stat().st_size if path.exists() else 0


def test_a_refusal_is_logged_with_who_what_and_from_where(client, make_user):
    nobody = make_user(None, username="utan-roll")
    client.force_login(nobody)
    before = AuditEvent.objects.count()

    with override_settings(REVERSE_PROXY_COUNT=1):
        response = client.get(
            reverse("cases:list") + "?q=19121212-1212", HTTP_X_FORWARDED_FOR="203.0.113.7"
        )

    assert response.status_code == 403
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.latest("pk")
    assert (event.event, event.outcome, event.status) == ("forbidden", "denied", 403)
    assert (event.user, event.username) == (nobody, "utan-roll")
    assert event.ip == "203.0.113.7"
    assert (event.method, event.path) == ("GET", reverse("cases:list"))
    assert event.object_type == "cases:list"
    # The query string (a search for a personal number) is never logged.
    assert "19121212" not in json.dumps(
        {f.attname: str(getattr(event, f.attname)) for f in AuditEvent._meta.fields}
    )


def test_a_failed_csrf_check_is_logged_as_such(officer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer)

    response = client.post(reverse("logout"))

    assert response.status_code == 403
    event = AuditEvent.objects.latest("pk")
    assert (event.event, event.user, event.ip) == ("csrf_failure", officer, "127.0.0.1")


def test_logins_are_logged_and_a_failed_one_without_its_password(client, officer):
    offset = audit_file_size()

    client.post(reverse("login"), {"username": "anna", "password": "fel-lösenord-123"})
    client.post(reverse("login"), {"username": "anna", "password": PASSWORD})
    client.post(reverse("logout"))

    events = list(AuditEvent.objects.filter(event__startswith="log").order_by("pk"))
    assert [(e.event, e.outcome, e.username) for e in events] == [
        ("login_failed", "failure", "anna"),
        ("login", "success", "anna"),
        ("logout", "success", "anna"),
    ]
    assert events[0].user is None and events[1].user == officer
    assert {e.ip for e in events} == {"127.0.0.1"}
    lines = audit_file_lines_after(offset)
    stored = json.dumps([e.detail for e in events]) + "\n".join(lines)
    assert "fel-lösenord" not in stored and PASSWORD not in stored


def test_a_download_and_an_export_are_logged_one_json_object_a_line(client, officer):
    document = CaseDocumentFactory()
    client.force_login(officer)
    offset = audit_file_size()
    url = reverse("cases:document_download", args=[document.case.pk, document.pk])

    download = client.get(url)
    export = client.get(reverse("cases:export") + "?format=csv")
    b"".join(export.streaming_content)
    stored = client.get(document.file.url)  # the storage's URL, as the admin links it

    assert download.status_code == export.status_code == stored.status_code == 200
    got = list(AuditEvent.objects.filter(event__in=["download", "export"]).order_by("pk"))
    assert [(e.event, e.user, e.path, e.status) for e in got] == [
        ("download", officer, url, 200),
        ("export", officer, reverse("cases:export"), 200),
        ("download", officer, document.file.url, 200),
    ]
    assert (got[2].object_type, got[2].object_id) == ("iop.CaseDocument", str(document.pk))
    assert got[0].object_type == "cases:document_download"
    assert got[0].object_id == f"pk={document.case.pk},document_pk={document.pk}"
    assert got[0].detail["filename"].endswith(".pdf")
    assert got[1].detail["content_type"] == "text/csv"

    lines = audit_file_lines_after(offset)
    records = [json.loads(line) for line in lines]  # one valid JSON object per line
    assert [r["event"] for r in records if r["event"] in ("download", "export")] == [
        "download",
        "export",
        "download",
    ]
    download_line = next(r for r in records if r["event"] == "download")
    assert download_line["username"] == "anna" and download_line["ip"] == "127.0.0.1"
    assert download_line["path"] == url
    assert datetime.datetime.fromisoformat(download_line["timestamp"]).tzinfo is not None


def test_an_ordinary_page_writes_no_audit_event(client, officer):
    client.force_login(officer)
    before = AuditEvent.objects.count()

    assert client.get(reverse("cases:list")).status_code == 200

    assert AuditEvent.objects.count() == before


def test_another_modules_audit_line_is_stored_with_its_own_keys():
    logging.getLogger("iop.audit").warning(
        "lockout", extra={"event": "lockout", "username": "anna", "ip_address": "198.51.100.4"}
    )

    event = AuditEvent.objects.get(event="lockout")
    assert event.username == "anna"
    assert event.detail == {"ip_address": "198.51.100.4"}


def test_the_admin_shows_the_log_to_superuser_and_auditor_and_lets_no_one_change_it(
    client, make_user
):
    superuser = make_user(None, username="root", is_staff=True, is_superuser=True)
    auditor = make_user(Role.AUDITOR, username="maria", is_staff=True)
    staff_officer = make_user(Role.CASE_OFFICER, username="sven", is_staff=True)
    client.force_login(superuser)  # the login itself is an entry
    entry = AuditEvent.objects.latest("pk")
    changelist = reverse("admin:iop_auditevent_changelist")
    change = reverse("admin:iop_auditevent_change", args=[entry.pk])

    for user in (superuser, auditor):
        client.force_login(user)
        response = client.get(changelist, {"event": "login", "q": "root"})
        assert response.status_code == 200
        assert entry in response.context["cl"].result_list
        assert client.get(change).status_code == 200  # read-only view
        assert client.get(reverse("admin:iop_auditevent_add")).status_code == 403
        assert client.post(change, {"username": "someone"}).status_code == 403
        delete = reverse("admin:iop_auditevent_delete", args=[entry.pk])
        assert client.post(delete, {"post": "yes"}).status_code == 403
    entry.refresh_from_db()
    assert entry.username == "root"
    assert AuditEvent.objects.filter(pk=entry.pk).exists()

    client.force_login(staff_officer)
    assert client.get(changelist).status_code == 403
