"""Notifications: exactly once per key, e-mailed once after commit, a broker that is down loses
nothing, the bell counts only the user's own, and each user reads and marks only their own.
And the two admin pieces that came with them: the staff profile on the user and the public
body's logo."""

from __future__ import annotations

import datetime
import io
import logging
import threading
import time
from unittest import mock

import pytest
from kombu.exceptions import OperationalError
from PIL import Image

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections, transaction
from django.urls import reverse

from iop.constants import Role
from iop.models import Notification, PublicBody, StaffProfile
from iop.services.notifications import mark_all_read, mark_read, notify, users_with_role
from iop.services.staff_profiles import staff_profile_save
from iop.tasks import send_notification_email
from iop.tests.factories import CaseFactory, PublicBodyFactory, UserFactory

LIST_URL = "/aviseringar/"


@pytest.fixture
def recipient(finance):
    return finance


def notify_amount_change(recipient, **kwargs):
    defaults = {
        "recipients": [recipient],
        "kind": "amount_changed",
        "text": "Beslutat belopp ändrat för RV 2026/1",
        "url": "/arenden/1/",
        "key": "amount-changed:1:2",
    }
    return notify(**{**defaults, **kwargs})


# --- notify: exactly once, e-mail after commit ---------------------------------------------


def test_the_same_key_twice_is_one_notification(recipient, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        first = notify_amount_change(recipient)
        second = notify_amount_change(recipient)

    assert len(first) == 1
    assert second == []
    assert Notification.objects.filter(recipient=recipient).count() == 1


@pytest.mark.integration
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_concurrent_transactions_with_one_key_make_one_notification(
    mailoutbox, django_db_blocker
):
    """On PostgreSQL the second insert waits on the unique index for the first transaction,
    then finds its row: one notification, one e-mail, no error in either request."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL)")
    recipient = UserFactory(role=Role.FINANCE)
    inserted, release = threading.Event(), threading.Event()
    results: dict[str, object] = {}

    def run(name: str, hold: bool) -> None:
        # A thread opens its own connection: let it through pytest-django's blocker whatever
        # state an earlier test in this worker left it in (under xdist the first thread was
        # once refused with a RuntimeError).
        try:
            with django_db_blocker.unblock(), transaction.atomic():
                results[name] = notify_amount_change(recipient)
                if hold:
                    inserted.set()
                    release.wait(timeout=20)
        except Exception as error:  # reported by the assertions below
            import traceback

            error.trace = traceback.format_exc()
            results[name] = error
        finally:
            connections.close_all()

    first = threading.Thread(target=run, args=("first", True))
    first.start()
    assert inserted.wait(timeout=20)
    second = threading.Thread(target=run, args=("second", False))
    second.start()
    # Let the first commit only once the second is waiting for its lock.
    deadline, waited = time.monotonic() + 20, False
    while not waited and time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            waited = cursor.fetchone()[0] > 0
        if not waited:
            time.sleep(0.05)
    release.set()
    first.join(timeout=20)
    second.join(timeout=20)

    assert waited, "the second transaction never waited for the first"
    for name in ("first", "second"):
        assert not isinstance(results[name], Exception), results[name].trace
    assert len(results["first"]) == 1
    assert results["second"] == []
    assert Notification.objects.filter(recipient=recipient).count() == 1
    assert len(mailoutbox) == 1


def test_without_a_key_every_call_notifies(recipient, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        notify_amount_change(recipient, key="")
        notify_amount_change(recipient, key="")
    assert Notification.objects.filter(recipient=recipient).count() == 2


def test_one_key_reaches_each_recipient_once(
    recipient, make_user, django_capture_on_commit_callbacks
):
    colleague = make_user(Role.FINANCE, username="sara")
    with django_capture_on_commit_callbacks():
        notify_amount_change(recipient)
        created = notify_amount_change(recipient, recipients=[recipient, colleague, colleague])
    assert [n.recipient for n in created] == [colleague]
    assert Notification.objects.filter(key="amount-changed:1:2").count() == 2


def test_the_email_leaves_after_commit_once_even_if_the_task_runs_twice(
    recipient, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://iop.example.se"
    case = CaseFactory()

    with django_capture_on_commit_callbacks() as callbacks:
        [notification] = notify_amount_change(recipient, case=case)
    assert mailoutbox == []  # nothing leaves before the transaction has committed
    for callback in callbacks:
        callback()  # the eager task sends

    assert send_notification_email(notification.pk) is False  # a duplicate delivery
    [mail] = mailoutbox
    assert mail.to == [recipient.email]
    assert "Beslutat belopp ändrat för RV 2026/1" in mail.subject
    assert "https://iop.example.se/arenden/1/" in mail.body
    assert "Hej" in mail.body
    assert mail.extra_headers["Message-ID"] == f"<notification-{notification.pk}@iop.example.se>"
    notification.refresh_from_db()
    assert notification.emailed_at is not None


def test_the_task_sends_an_unmailed_notification_once(recipient, mailoutbox):
    with mock.patch("iop.services.notifications.transaction.on_commit"):
        [notification] = notify_amount_change(recipient)

    assert send_notification_email(notification.pk) is True
    assert send_notification_email(notification.pk) is False
    assert len(mailoutbox) == 1


def test_no_email_when_asked_for_none(recipient, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify_amount_change(recipient, email=False)
    assert mailoutbox == []
    assert Notification.objects.get(recipient=recipient).emailed_at is None


def test_a_broker_that_is_down_at_commit_loses_nothing(
    recipient, mailoutbox, django_capture_on_commit_callbacks, caplog
):
    with (
        mock.patch.object(
            send_notification_email, "delay", side_effect=OperationalError("Connection refused")
        ),
        caplog.at_level(logging.ERROR, logger="iop.services.notifications"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        [notification] = notify_amount_change(recipient)  # no exception reaches the caller

    saved = Notification.objects.get(pk=notification.pk)
    assert saved.emailed_at is None  # stays unmailed, for a later run
    assert mailoutbox == []
    assert "stays unmailed" in caplog.text


def test_inactive_users_are_not_notified(recipient, django_capture_on_commit_callbacks):
    recipient.is_active = False
    recipient.save()
    with django_capture_on_commit_callbacks():
        assert notify_amount_change(recipient) == []


def test_users_with_role_are_the_active_members_of_the_group(recipient, make_user, officer):
    left = make_user(Role.FINANCE, username="gustav", is_active=False)
    assert list(users_with_role(Role.FINANCE)) == [recipient]
    assert left not in users_with_role(Role.FINANCE)


# --- Marking read ----------------------------------------------------------------------------


def test_mark_read_changes_only_the_users_own(recipient, officer):
    mine = Notification.objects.create(recipient=recipient, kind="k", text="Min")
    theirs = Notification.objects.create(recipient=officer, kind="k", text="Deras")

    assert mark_read(user=recipient, notification_ids=[mine.pk, theirs.pk]) == 1

    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.read_at is not None
    assert theirs.read_at is None


def test_mark_all_read(recipient, officer):
    for text in ("En", "Två"):
        Notification.objects.create(recipient=recipient, kind="k", text=text)
    Notification.objects.create(recipient=officer, kind="k", text="Deras")

    assert mark_all_read(user=recipient) == 2
    assert not Notification.objects.filter(recipient=recipient, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=officer, read_at__isnull=True).count() == 1


# --- The bell and the page -------------------------------------------------------------------


def test_the_bell_counts_the_recipients_unread_only(client, recipient, officer):
    for text in ("En", "Två"):
        Notification.objects.create(recipient=recipient, kind="k", text=text)

    client.force_login(recipient)
    page = client.get(reverse("home")).content.decode()
    assert "Aviseringar" in page
    assert "2 olästa" in page

    client.force_login(officer)
    page = client.get(reverse("home")).content.decode()
    assert "Aviseringar" in page
    assert "olästa" not in page


def test_the_bell_reads_nothing_for_an_anonymous_visitor(db, client, django_assert_max_num_queries):
    with django_assert_max_num_queries(0):
        response = client.get(reverse("login"))
    assert "Aviseringar" not in response.content.decode()


def test_the_page_lists_the_users_own_newest_first(client, recipient, officer):
    Notification.objects.create(
        recipient=recipient,
        kind="k",
        text="Äldre",
        url="/arenden/1/",
        created_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
    )
    Notification.objects.create(recipient=recipient, kind="k", text="Nyare", url="/arenden/2/")
    Notification.objects.create(recipient=officer, kind="k", text="Någon annans")

    client.force_login(recipient)
    page = client.get(LIST_URL).content.decode()

    assert page.index("Nyare") < page.index("Äldre")
    assert 'href="/arenden/2/"' in page
    assert "Någon annans" not in page
    assert "Oläst" in page
    assert "Markera som läst" in page
    assert "Markera alla som lästa" in page


def test_marking_read_from_the_page(client, recipient):
    notification = Notification.objects.create(recipient=recipient, kind="k", text="En")
    client.force_login(recipient)

    response = client.post(reverse("notifications:mark_read", args=[notification.pk]))

    assert response.status_code == 302
    assert response.url == LIST_URL
    notification.refresh_from_db()
    assert notification.read_at is not None
    page = client.get(LIST_URL).content.decode()
    assert "olästa" not in page
    assert "Markera alla som lästa" not in page


def test_marking_all_read_from_the_page_keeps_the_page(client, recipient):
    for text in ("En", "Två"):
        Notification.objects.create(recipient=recipient, kind="k", text=text)
    client.force_login(recipient)

    response = client.post(reverse("notifications:mark_all_read"), {"page": "2"})

    assert response.url == f"{LIST_URL}?page=2"
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_another_users_notification_is_not_found(client, recipient, officer):
    theirs = Notification.objects.create(recipient=officer, kind="k", text="Deras")
    client.force_login(recipient)

    response = client.post(reverse("notifications:mark_read", args=[theirs.pk]))

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_marking_read_needs_post(client, recipient):
    notification = Notification.objects.create(recipient=recipient, kind="k", text="En")
    client.force_login(recipient)
    assert client.get(reverse("notifications:mark_read", args=[notification.pk])).status_code == 405


def test_the_page_needs_a_login(client):
    response = client.get(LIST_URL)
    assert response.status_code == 302
    assert reverse("login") in response.url


@pytest.mark.parametrize("count", [3, 30])
def test_the_page_reads_the_same_number_of_queries_for_3_and_30(
    client, recipient, count, django_assert_num_queries
):
    case = CaseFactory()
    for n in range(count):
        Notification.objects.create(
            recipient=recipient, kind="k", text=f"Avisering {n}", case=case, url="/arenden/1/"
        )
    client.force_login(recipient)

    # session, user, the paginator's count, the menu's permissions (2), the bell's count, the
    # page's rows (with their cases)
    with django_assert_num_queries(7):
        response = client.get(LIST_URL)
    assert response.status_code == 200
    assert case.registry_number in response.content.decode()


# --- Admin: the staff profile on the user ----------------------------------------------------


@pytest.fixture
def superuser(make_user):
    return make_user(None, username="admin", is_staff=True, is_superuser=True)


def change_form_data(response) -> dict:
    """What the browser would post back from an admin change page, untouched."""
    data: dict = {}

    def add(form, prefix=""):
        for name in form.fields:
            value = form[name].value()
            key = f"{prefix}{name}"
            if value is None:
                continue
            if isinstance(value, datetime.datetime):  # a split date and time widget
                data[f"{key}_0"] = value.date().isoformat()
                data[f"{key}_1"] = value.time().strftime("%H:%M:%S")
            elif isinstance(value, list | tuple):
                data[key] = [getattr(v, "pk", v) for v in value]
            else:
                data[key] = getattr(value, "pk", value)

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[f"{management.prefix}-{name}"] = management[name].value()
        for form in formset.forms:
            add(form, prefix=f"{form.prefix}-")
    return data


def test_the_staff_profile_inline_saves_the_title_with_history(client, superuser, officer):
    client.force_login(superuser)
    url = reverse("admin:auth_user_change", args=[officer.pk])

    data = change_form_data(client.get(url))
    data["staff_profile-0-job_title"] = "Utvecklingsstrateg"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors

    profile = StaffProfile.objects.get(user=officer)
    assert profile.job_title == "Utvecklingsstrateg"

    data = change_form_data(client.get(url))
    assert data["staff_profile-0-job_title"] == "Utvecklingsstrateg"  # shown on the user page
    data["staff_profile-0-job_title"] = "Strateg, civilsamhälle"
    assert client.post(url, data).status_code == 302

    history = list(profile.history.order_by("history_date"))
    assert [h.job_title for h in history] == ["Utvecklingsstrateg", "Strateg, civilsamhälle"]
    assert {h.history_user for h in history} == {superuser}
    changelist = client.get(reverse("admin:auth_user_changelist")).content.decode()
    assert "Strateg, civilsamhälle" in changelist


def test_saving_a_user_without_a_title_adds_no_profile(client, superuser, officer):
    client.force_login(superuser)
    url = reverse("admin:auth_user_change", args=[officer.pk])
    assert client.post(url, change_form_data(client.get(url))).status_code == 302
    assert not StaffProfile.objects.filter(user=officer).exists()


def test_only_the_user_or_an_administrator_changes_a_title(officer, coordinator, superuser):
    staff_profile_save(user=officer, actor=officer, job_title="Handläggare")
    staff_profile_save(user=officer, actor=superuser, job_title="Utvecklare")
    with pytest.raises(PermissionDenied):
        staff_profile_save(user=officer, actor=coordinator, job_title="Chef")
    assert StaffProfile.objects.get(user=officer).job_title == "Utvecklare"


# --- Admin: the public body's logo -----------------------------------------------------------


def image_bytes(kind: str = "PNG", size: tuple[int, int] = (40, 20)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (18, 63, 107)).save(buffer, format=kind)
    return buffer.getvalue()


def post_logo(client, body: PublicBody, upload: SimpleUploadedFile):
    url = reverse("admin:iop_publicbody_change", args=[body.pk])
    data = {"name": body.name, "short_code": body.short_code, "kind": body.kind, "logo": upload}
    return client.post(url, data)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("logo.png", b"This is not an image at all, only text."),
        ("logo.txt", b"This is not an image at all, only text."),
        ("logo.png", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"),
    ],
)
def test_the_logo_upload_refuses_what_is_not_a_png_or_jpeg(client, superuser, name, content):
    body = PublicBodyFactory()
    client.force_login(superuser)

    response = post_logo(client, body, SimpleUploadedFile(name, content))

    assert response.status_code == 200
    [error] = response.context["adminform"].form.errors["logo"]
    assert "PNG" in error and "JPEG" in error
    assert any(word in error for word in ("Filer", "filen", "Filen"))  # Swedish, not English
    body.refresh_from_db()
    assert not body.logo


def test_the_logo_upload_refuses_a_large_image(client, superuser):
    body = PublicBodyFactory()
    client.force_login(superuser)
    big = image_bytes() + b"\0" * (2 * 1024 * 1024)

    response = post_logo(client, body, SimpleUploadedFile("logo.png", big))

    [error] = response.context["adminform"].form.errors["logo"]
    assert "högst 2,0" in error
    body.refresh_from_db()
    assert not body.logo


@pytest.mark.parametrize(("kind", "name"), [("PNG", "logo.png"), ("JPEG", "logo.jpg")])
def test_the_logo_is_saved_and_shown_as_a_thumbnail(client, superuser, kind, name):
    body = PublicBodyFactory()
    client.force_login(superuser)

    response = post_logo(client, body, SimpleUploadedFile(name, image_bytes(kind)))

    assert response.status_code == 302
    body.refresh_from_db()
    assert body.logo
    page = client.get(reverse("admin:iop_publicbody_change", args=[body.pk])).content.decode()
    assert f'<img src="{body.logo.url}"' in page
    served = client.get(body.logo.url)
    assert served.status_code == 200
    assert served["Content-Type"] == ("image/png" if kind == "PNG" else "image/jpeg")
