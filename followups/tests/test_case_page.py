"""A case's follow-up page and the case page's panel: what comes next (overdue first, with the
days overdue in words), who answers for it, the history with what closed each deadline — in
a constant number of queries — and who may read and write each screen."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from django.conf import settings
from django.db import connection
from django.shortcuts import resolve_url
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import gettext as _

from iop.constants import CaseStatus, Role
from iop.tests.factories import UserFactory
from partners.tests import upload_files as files

from ..constants import DeadlineKind, DeadlineState
from ..models import AnnualEvaluation, CheckIn, Deadline
from ..services.checkins import ActionInput, check_in_book, check_in_record
from ..services.deadlines import deadline_waive, earlier_follow_up_record
from ..services.evaluations import annual_evaluation_record
from .factories import active_case

pytestmark = pytest.mark.django_db

D = datetime.date
TZ = ZoneInfo("Europe/Stockholm")
TODAY = D(2025, 9, 10)


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(datetime.datetime(2025, 9, 10, 10, 0, tzinfo=TZ), tick=False):
        yield TODAY


@pytest.fixture
def substitute(make_user):
    return make_user(Role.CASE_OFFICER, username="johan")


@pytest.fixture
def case(officer, substitute):
    return active_case(D(2025, 3, 3), officer=officer, substitute=substitute)


def at(day: D, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, 0, tzinfo=TZ)


def page_of(client, case) -> str:
    response = client.get(reverse("followups:case", args=[case.pk]))
    assert response.status_code == 200
    return response.content.decode()


def hold(case, held_on: D, actions: int = 1) -> CheckIn:
    return check_in_record(
        case=case,
        actor=case.officer,
        held_on=held_on,
        participants_public="Anna",
        participants_organisation="Sara",
        notes=f"Möte {held_on}",
        actions=[ActionInput(f"Åtgärd {n}", "Sara", None) for n in range(actions)],
    )


# --- What the page shows ----------------------------------------------------------------------


def test_overdue_deadlines_come_first_with_the_days_in_words(client, case):
    client.force_login(case.officer)
    response = client.get(reverse("followups:case", args=[case.pk]))
    rows = response.context["follow_up"].open
    assert rows[0].deadline.kind == DeadlineKind.CHECK_IN
    assert rows[0].days_overdue == 7  # due 2025-09-03
    assert [r.deadline.due_on for r in rows] == sorted(r.deadline.due_on for r in rows)
    page = response.content.decode()
    first = rows[0].deadline
    assert f'id="deadline-{first.pk}"' in page
    assert 'data-state="overdue"' in page and 'data-overdue="7"' in page
    # Text, not colour alone: the count of days is written out.
    assert "7" in page.split('data-overdue="7"')[1].split("</span>")[0]
    assert page.index('data-state="overdue"') < page.index('data-state="open"')
    assert 'id="overdue-count"' in page
    # Owner and substitute.
    assert 'id="deadline-owner"' in page and "anna" in page.split('id="deadline-owner"')[1][:300]
    assert "johan" in page.split('id="deadline-substitute"')[1][:300]
    # The writer's buttons.
    for name in ("check_in_new", "check_in_record", "evaluation_new"):
        assert reverse(f"followups:{name}", args=[case.pk]) in page
    assert reverse("followups:deadline_waive", args=[case.pk, first.pk]) in page


def test_the_history_shows_what_closed_each_deadline(client, case):
    check_in = hold(case, D(2025, 9, 8), actions=2)
    later = Deadline.objects.filter(case=case, state=DeadlineState.OPEN).order_by("due_on")[0]
    deadline_waive(deadline=later, actor=case.officer, reason="Båda parter avstår.")
    earlier_follow_up_record(
        case=case,
        actor=case.officer,
        kind=DeadlineKind.CHECK_IN,
        done_on=D(2025, 4, 1),
        reference="Anteckningar 2025-04-01",
    )
    booked = check_in_book(case=case, actor=case.officer, starts_at=at(D(2025, 10, 2)))
    client.force_login(case.officer)
    page = page_of(client, case)
    assert f'id="check-in-{check_in.pk}"' in page and "Åtgärd 1" in page and "Åtgärd 0" in page
    assert 'id="closed-deadlines"' in page
    assert f'href="{check_in.get_absolute_url()}"' in page
    assert 'data-state="waived"' in page and "Båda parter avstår." in page
    assert "Anteckningar 2025-04-01" in page
    assert f'data-check-in="{booked.pk}"' in page.split('id="booked-check-ins"')[1]
    assert reverse("followups:check_in_record", args=[case.pk, booked.pk]) in page
    # The calendar downloads of the open deadlines and the booked meeting.
    first_open = Deadline.objects.filter(case=case, state=DeadlineState.OPEN).first()
    ics = {"case_pk": case.pk, "pk": first_open.pk}
    assert reverse("followups:deadline_ics", kwargs=ics) in page
    ics = {"case_pk": case.pk, "pk": booked.pk}
    assert reverse("followups:check_in_ics", kwargs=ics) in page


def test_a_reader_sees_everything_and_no_button(client, case, auditor):
    hold(case, D(2025, 9, 8))
    client.force_login(auditor)
    page = page_of(client, case)
    assert 'id="held-check-ins"' in page
    assert 'id="follow-up-actions"' not in page
    assert reverse("followups:check_in_new", args=[case.pk]) not in page
    assert "data-waive=" not in page


def test_a_closed_case_shows_its_history_and_offers_no_recording(client, case):
    hold(case, D(2025, 9, 8))
    case.__class__.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED)
    client.force_login(case.officer)
    page = page_of(client, case)
    assert 'id="not-followed"' in page and 'id="held-check-ins"' in page
    assert 'id="follow-up-actions"' not in page


def test_the_case_page_panel_shows_the_next_three_and_the_overdue_count(client, case):
    client.force_login(case.officer)
    response = client.get(reverse("cases:detail", args=[case.pk]))
    page = response.content.decode()
    assert 'id="case-follow-up"' in page
    panel = page.split('id="case-follow-up"')[1].split("</section>")[0]
    assert panel.count("data-deadline=") == 3
    assert 'data-overdue="1"' in panel
    assert reverse("followups:case", args=[case.pk]) in panel


def test_no_panel_on_a_case_that_never_was_active(client, officer):
    from iop.tests.factories import CaseFactory

    case = CaseFactory(status=CaseStatus.DRAFTING, officer=officer)
    client.force_login(officer)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'id="case-follow-up"' not in page


# --- Queries ----------------------------------------------------------------------------------


def _with_history(case, meetings: int) -> None:
    for n in range(meetings):
        hold(case, D(2025, 3, 10) + datetime.timedelta(days=n), actions=3)
        check_in_book(case=case, actor=case.officer, starts_at=at(D(2025, 10, 1 + n)))
    for year in range(2025 - meetings, 2025):
        annual_evaluation_record(
            case=case,
            actor=case.officer,
            year=year,
            evaluated_on=D(2025, 9, 1),
            annual_report=files.upload("a.pdf", files.pdf_bytes()),
            evaluation="Bra.",
        )


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("name", ["followups:case", "cases:detail"])
def test_the_page_reads_in_constant_queries(client, officer, name, django_assert_max_num_queries):
    small = active_case(D(2025, 3, 3), officer=officer)
    large = active_case(D(2016, 3, 3), officer=officer)  # nine years of deadlines
    _with_history(small, 1)
    _with_history(large, 8)
    # Many more deadlines, in every state (the planner keeps few; the page must not care).
    states = [DeadlineState.OPEN, DeadlineState.DONE, DeadlineState.WAIVED, DeadlineState.CANCELLED]
    for n in range(40):
        Deadline.objects.create(
            case=large,
            kind=DeadlineKind.CHECK_IN,
            sequence=1000 + n,
            nominal_on=D(2024, 1, 1) + datetime.timedelta(days=14 * n),
            due_on=D(2024, 1, 1) + datetime.timedelta(days=14 * n),
            state=states[n % 4],
            waived_by=officer if states[n % 4] == DeadlineState.WAIVED else None,
            done_on=D(2024, 1, 1) if states[n % 4] == DeadlineState.DONE else None,
        )
    assert (
        Deadline.objects.filter(case=large).count()
        > 4 * Deadline.objects.filter(case=small).count()
    )
    assert AnnualEvaluation.objects.filter(case=large).count() == 8
    client.force_login(officer)
    url_small = reverse(name, args=[small.pk])
    url_large = reverse(name, args=[large.pk])
    client.get(url_small)  # warm the session and the caches
    assert _queries(client, url_small) == _queries(client, url_large)
    if name == "followups:case":
        with django_assert_max_num_queries(12):
            client.get(url_large)


# --- Who may do what --------------------------------------------------------------------------

WRITERS = ["case_officer", "substitute", "coordinator"]
READERS = ["other_officer", "jurist", "secretary", "finance", "auditor"]


@pytest.fixture
def people(case, make_user, coordinator, jurist, secretary, finance, auditor):
    return {
        "case_officer": case.officer,
        "substitute": case.substitute,
        "other_officer": make_user(Role.CASE_OFFICER),
        "coordinator": coordinator,
        "jurist": jurist,
        "secretary": secretary,
        "finance": finance,
        "auditor": auditor,
        "no_role": UserFactory(role=None),
    }


def screens(case, booked, held, deadline) -> dict:
    """Every screen: (url, what a writer posts, the status a writer gets for the post)."""
    r = lambda name, *args: reverse(f"followups:{name}", args=[case.pk, *args])  # noqa: E731
    record = {
        "held_on": "2025-09-08",
        "participants_public": "Anna",
        "participants_organisation": "Sara",
        "notes": "Anteckning",
        "actions-TOTAL_FORMS": "0",
        "actions-INITIAL_FORMS": "0",
    }
    return {
        "case": (r("case"), None),
        "check_in": (r("check_in", held.pk), None),
        "check_in_new": (
            r("check_in_new"),
            {"date": "2025-09-30", "time": "10:00", "duration_minutes": "60", "location": ""},
        ),
        "check_in_move": (
            r("check_in_move", booked.pk),
            {"date": "2025-10-30", "time": "10:00", "duration_minutes": "60", "location": ""},
        ),
        "check_in_record": (r("check_in_record"), record),
        "check_in_record_booked": (r("check_in_record", booked.pk), record),
        "check_in_cancel": (r("check_in_cancel", booked.pk), {"reason": "Nej"}),
        "evaluation_new": (
            r("evaluation_new"),
            {
                "year": "2024",
                "evaluated_on": "2025-09-01",
                "evaluation": "Bra.",
                "annual_report": files.upload("a.pdf", files.pdf_bytes()),
            },
        ),
        "deadline_waive": (r("deadline_waive", deadline.pk), {"reason": "Avstår."}),
    }


READ_ONLY = {"case", "check_in"}


@pytest.mark.parametrize("who", [*WRITERS, *READERS, "no_role", "anonymous"])
@pytest.mark.parametrize(
    "screen",
    [
        "case",
        "check_in",
        "check_in_new",
        "check_in_move",
        "check_in_record",
        "check_in_record_booked",
        "check_in_cancel",
        "evaluation_new",
        "deadline_waive",
    ],
)
def test_who_reads_and_who_writes(client, case, people, who, screen):
    booked = check_in_book(case=case, actor=case.officer, starts_at=at(D(2025, 9, 20)))
    held = hold(case, D(2025, 9, 1))
    deadline = Deadline.objects.filter(case=case, state=DeadlineState.OPEN).order_by("due_on")[0]
    url, data = screens(case, booked, held, deadline)[screen]
    before = (
        CheckIn.objects.count(),
        CheckIn.objects.filter(cancelled=True).count(),
        AnnualEvaluation.objects.count(),
        Deadline.objects.filter(state=DeadlineState.WAIVED).count(),
        CheckIn.history.count(),
    )

    def unchanged() -> bool:
        return before == (
            CheckIn.objects.count(),
            CheckIn.objects.filter(cancelled=True).count(),
            AnnualEvaluation.objects.count(),
            Deadline.objects.filter(state=DeadlineState.WAIVED).count(),
            CheckIn.history.count(),
        )

    if who == "anonymous":
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(resolve_url(settings.LOGIN_URL))
        if data is not None:
            assert client.post(url, data).status_code == 302
            assert unchanged()
        return
    client.force_login(people[who])
    if who == "no_role":
        assert client.get(url).status_code == 403
        if data is not None:
            assert client.post(url, data).status_code == 403
        assert unchanged()
        return
    if screen in READ_ONLY:
        assert client.get(url).status_code == 200
        assert client.post(url, {}).status_code == 405
        return
    if who in READERS:
        assert client.get(url).status_code == 403
        assert client.post(url, data).status_code == 403
        assert unchanged()
        return
    assert client.get(url).status_code == 200
    response = client.post(url, data)
    assert response.status_code == 302, getattr(response, "context", None) and [
        (f.errors if f else None) for f in [response.context.get("form")]
    ]
    assert not unchanged()


def test_a_deadline_of_another_case_is_not_found(client, case, officer):
    other = active_case(D(2025, 3, 3), officer=officer)
    deadline = Deadline.objects.filter(case=other).first()
    client.force_login(officer)
    url = reverse("followups:deadline_waive", args=[case.pk, deadline.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"reason": "x"}).status_code == 404
    assert Deadline.objects.get(pk=deadline.pk).state == DeadlineState.OPEN


def test_an_invisible_case_is_not_found(client, officer):
    client.force_login(officer)
    assert client.get(reverse("followups:case", args=[999999])).status_code == 404


# --- Waiving ----------------------------------------------------------------------------------


def test_waiving_without_a_reason_is_refused_next_to_the_field(client, case):
    deadline = Deadline.objects.filter(case=case, state=DeadlineState.OPEN).order_by("due_on")[0]
    client.force_login(case.officer)
    url = reverse("followups:deadline_waive", args=[case.pk, deadline.pk])
    response = client.post(url, {"reason": "   "})
    assert response.status_code == 200
    assert response.context["form"].errors["reason"] == [_("Say why the deadline is waived.")]
    assert 'id="form-errors"' in response.content.decode()
    assert Deadline.objects.get(pk=deadline.pk).state == DeadlineState.OPEN


def test_waiving_with_a_reason_shows_it_in_the_history(client, case):
    deadline = Deadline.objects.filter(case=case, state=DeadlineState.OPEN).order_by("due_on")[0]
    client.force_login(case.officer)
    url = reverse("followups:deadline_waive", args=[case.pk, deadline.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"reason": "Parterna har kommit överens."})
    assert response.status_code == 302
    waived = Deadline.objects.get(pk=deadline.pk)
    assert waived.state == DeadlineState.WAIVED and waived.waived_by == case.officer
    assert "Parterna har kommit överens." in page_of(client, case)
    # Waived once: the screen now says why it cannot be waived again.
    assert client.get(url).status_code == 409
