"""Notice of termination and the wind-down (DOMAIN.md §3 stage 9): either party gives notice,
the end date is the notice date plus the agreed notice period, the committee's ending matter is
prepared, the wind-down plan is registered, and the case is closed."""

from __future__ import annotations

import datetime
import subprocess
from zoneinfo import ZoneInfo

import pytest
import time_machine

from django.core.files.storage import default_storage
from django.urls import reverse

from agreements.tests.factories import agreement_at
from decisions.constants import MatterKind
from decisions.models import Matter
from decisions.tests.factories import decide
from iop import facts
from iop.constants import CaseStatus, DocumentDirection, NoticeGivenBy, Role, Transition
from iop.exceptions import TransitionRefused
from iop.models import Case, CaseDocument, CaseEvent, RegistryEntry
from iop.tests.factories import UserFactory
from partners.tests import upload_files as files

from ..constants import DeadlineKind, DeadlineState
from ..models import Deadline, NoticeRecord, WindDownPlan
from ..services.deadlines import FollowUpRefused
from ..services.ending import end_date_of, notice_register, wind_down_plan_register
from .factories import active_case

pytestmark = pytest.mark.django_db

STOCKHOLM = ZoneInfo("Europe/Stockholm")
REASON = "Föreningen lägger ner verksamheten i Arvika."


def at(day: datetime.date):
    moment = datetime.datetime.combine(day, datetime.time(10, 0), tzinfo=STOCKHOLM)
    return time_machine.travel(moment, tick=False)


@pytest.fixture(autouse=True)
def fresh_storage(settings):
    """An empty in-memory file storage for each test, so "no file left" can be checked."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }


@pytest.fixture
def march_15():
    with at(datetime.date(2026, 3, 15)):
        yield


@pytest.fixture
def case(march_15):
    """Active since 1 March 2024, no agreement (six months' notice by default)."""
    return active_case(datetime.date(2024, 3, 1))


def stored_files(case) -> list[str]:
    found = []

    def walk(prefix: str) -> None:
        if not default_storage.exists(prefix):
            return
        directories, names = default_storage.listdir(prefix)
        found.extend(f"{prefix}/{n}" for n in names)
        for directory in directories:
            walk(f"{prefix}/{directory}")

    walk(f"cases/{case.pk}")
    return found


def url(name, case):
    return reverse(f"followups:{name}", args=[case.pk])


def notice_data(**overrides):
    data = {
        "given_on": "2026-03-15",
        "given_by": NoticeGivenBy.ORGANISATION,
        "reason": REASON,
        "letter": files.upload("uppsagning.pdf", files.pdf_bytes()),
        "letter_title": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def assert_nothing_saved(case, status=CaseStatus.ACTIVE):
    assert not NoticeRecord.objects.filter(case=case).exists()
    assert not CaseDocument.objects.filter(case=case).exists()
    assert not RegistryEntry.objects.filter(case=case).exists()
    assert not Matter.objects.filter(case=case).exists()
    assert stored_files(case) == []
    case.refresh_from_db()
    assert case.status == status
    assert case.notice_date is None


def move_to(case, status):
    Case.objects.filter(pk=case.pk).update(status=status)
    case.refresh_from_db()


# --- Notice --------------------------------------------------------------------------------


def test_end_dates_follow_the_calendar_months():
    assert end_date_of(datetime.date(2026, 3, 15), 6) == datetime.date(2026, 9, 15)
    assert end_date_of(datetime.date(2026, 8, 31), 6) == datetime.date(2027, 2, 28)
    assert end_date_of(datetime.date(2027, 8, 31), 6) == datetime.date(2028, 2, 29)


def test_notice_on_15_march_ends_on_15_september_and_prepares_the_ending_matter(client, case):
    client.force_login(case.officer)
    response = client.post(url("notice", case), notice_data())
    assert response.status_code == 302
    assert response["Location"] == url("ending", case)

    notice = NoticeRecord.objects.get(case=case)
    assert notice.given_on == datetime.date(2026, 3, 15)
    assert notice.notice_months == 6
    assert notice.end_date == datetime.date(2026, 9, 15)
    assert notice.reason == REASON
    assert {h.history_user for h in notice.history.all()} == {case.officer}

    case.refresh_from_db()
    assert case.status == CaseStatus.NOTICE_GIVEN
    assert case.notice_date == datetime.date(2026, 3, 15)
    assert case.notice_given_by == NoticeGivenBy.ORGANISATION
    event = CaseEvent.objects.get(case=case, transition=Transition.GIVE_NOTICE.value)
    assert event.note == REASON

    # The letter came from the organisation: registered as incoming, from it.
    letter = notice.letter
    assert letter.kind == CaseDocument.Kind.NOTICE_LETTER
    assert letter.direction == DocumentDirection.INCOMING
    assert letter.counterpart == case.organisations.get().name
    assert letter.registry_number.startswith(case.registry_number)
    assert letter.file.read() == files.pdf_bytes()

    # The committee's ending matter, with the end date as its decision point.
    matter = Matter.objects.get(case=case, kind=MatterKind.ENDING)
    assert matter.end_date == datetime.date(2026, 9, 15)
    assert notice.matter_id == matter.pk
    assert notice.matter_url == matter.get_absolute_url()
    points = [p.text for p in matter.points.order_by("position")]
    assert any("15 september 2026" in p for p in points)

    # The deadlines of the ending, planned by the transition's receiver.
    end = Deadline.objects.get(case=case, kind=DeadlineKind.PARTNERSHIP_END)
    assert end.nominal_on == datetime.date(2026, 9, 15)
    assert end.state == DeadlineState.OPEN
    plan = Deadline.objects.get(case=case, kind=DeadlineKind.WIND_DOWN_PLAN)
    assert plan.state == DeadlineState.OPEN
    assert plan.due_on <= datetime.date(2026, 9, 15)

    page = client.get(url("ending", case))
    html = page.content.decode()
    assert page.context["days_left"] == 184
    assert 'datetime="2026-09-15"' in html
    assert f'href="{matter.get_absolute_url()}"' in html
    assert 'id="register-plan"' in html


def test_the_public_bodys_notice_letter_is_outgoing_and_the_agreed_period_counts(client):
    with at(datetime.date(2027, 1, 31)):
        version = agreement_at(None, "signed")
        case = Case.objects.get(pk=version.agreement.case_id)
        assert version.notice_months == 6
        registered = notice_register(
            case=case,
            actor=case.officer,
            given_on=datetime.date(2027, 1, 31),
            given_by=NoticeGivenBy.PUBLIC_BODY,
            reason="Regionen prioriterar om sina medel.",
            letter=files.upload("brev.pdf", files.pdf_bytes()),
            letter_title="Uppsägning av överenskommelsen",
        )
    notice = registered.notice
    assert registered.matter_refusals == []
    assert notice.end_date == datetime.date(2027, 7, 31)
    assert notice.letter.direction == DocumentDirection.OUTGOING
    assert notice.letter.title == "Uppsägning av överenskommelsen"
    matter = Matter.objects.get(pk=notice.matter_id)
    assert matter.kind == MatterKind.ENDING and matter.end_date == datetime.date(2027, 7, 31)


def test_the_case_pages_notice_button_goes_to_the_notice_page(client, case):
    client.force_login(case.officer)
    page = client.get(reverse("cases:detail", args=[case.pk]))
    assert f'href="{url("notice", case)}" data-action="give_notice"' in page.content.decode()
    generic = client.get(reverse("cases:transition", args=[case.pk, "give_notice"]))
    assert generic.status_code == 302 and generic["Location"] == url("notice", case)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"reason": "  "}, "reason"),
        ({"given_on": "2026-03-16"}, "given_on"),
        ({"given_on": ""}, "given_on"),
        ({"given_by": ""}, "given_by"),
        ({"letter": None}, "letter"),
        ({"letter": files.upload("uppsagning.pdf", files.EXE_BYTES)}, "letter"),
        ({"letter": files.upload("uppsagning.txt", files.TEXT_BYTES)}, "letter"),
    ],
    ids=["no-reason", "future", "no-date", "no-party", "no-letter", "exe-as-pdf", "txt"],
)
def test_a_refused_notice_saves_nothing_and_keeps_what_was_typed(client, case, overrides, field):
    client.force_login(case.officer)
    response = client.post(url("notice", case), notice_data(**overrides))
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors
    assert_nothing_saved(case)
    html = response.content.decode()
    assert 'id="form-errors"' in html and 'role="alert"' in html
    if field != "reason":
        assert REASON in html


def test_a_future_date_is_refused_by_the_service_too(case):
    with pytest.raises(FollowUpRefused) as refused:
        notice_register(
            case=case,
            actor=case.officer,
            given_on=datetime.date(2026, 3, 16),
            given_by=NoticeGivenBy.ORGANISATION,
            reason=REASON,
            letter=files.upload("brev.pdf", files.pdf_bytes()),
        )
    assert set(refused.value.errors) == {"given_on"}
    assert_nothing_saved(case)


@pytest.mark.parametrize(
    "status", [CaseStatus.CLOSED, CaseStatus.DRAFTING, CaseStatus.WINDING_DOWN]
)
def test_notice_is_refused_at_a_stage_that_cannot_take_it(client, case, status):
    move_to(case, status)
    client.force_login(case.officer)
    page = client.get(url("notice", case))
    assert page.status_code == 409
    assert page.context["form"] is None and page.context["blocked"]
    assert page.context["blocked"][0] in page.content.decode()
    response = client.post(url("notice", case), notice_data())
    assert response.status_code == 409
    assert_nothing_saved(case, status=status)
    with pytest.raises(FollowUpRefused):
        notice_register(
            case=case,
            actor=case.officer,
            given_on=datetime.date(2026, 3, 15),
            given_by=NoticeGivenBy.ORGANISATION,
            reason=REASON,
            letter=files.upload("brev.pdf", files.pdf_bytes()),
        )
    assert_nothing_saved(case, status=status)


def test_a_refusal_after_the_letter_was_stored_leaves_no_file(case, monkeypatch):
    from ..services import ending

    def refuse(**kwargs):
        raise TransitionRefused(["Ett annat program vägrar."])

    monkeypatch.setattr(ending, "case_transition", refuse)
    with pytest.raises(FollowUpRefused) as refused:
        notice_register(
            case=case,
            actor=case.officer,
            given_on=datetime.date(2026, 3, 15),
            given_by=NoticeGivenBy.ORGANISATION,
            reason=REASON,
            letter=files.upload("brev.pdf", files.pdf_bytes()),
        )
    assert refused.value.errors == {"": ["Ett annat program vägrar."]}
    assert_nothing_saved(case)


def test_a_second_notice_is_refused(client, case):
    client.force_login(case.officer)
    client.post(url("notice", case), notice_data())
    response = client.get(url("notice", case))
    assert response.status_code == 302 and response["Location"] == url("ending", case)
    with pytest.raises(FollowUpRefused):
        notice_register(
            case=case,
            actor=case.officer,
            given_on=datetime.date(2026, 3, 15),
            given_by=NoticeGivenBy.PUBLIC_BODY,
            reason="Igen",
            letter=files.upload("brev.pdf", files.pdf_bytes()),
        )
    assert NoticeRecord.objects.filter(case=case).count() == 1
    assert CaseDocument.objects.filter(case=case).count() == 1


def test_a_refused_ending_matter_keeps_the_notice_and_warns_and_can_be_prepared_later(
    client, case, monkeypatch
):
    def refuse(**kwargs):
        raise facts.MatterNotPrepared(["Nämndens ärenden är stängda för underhåll."])

    monkeypatch.setattr(facts, "_matter_preparer", [refuse])
    client.force_login(case.officer)
    response = client.post(url("notice", case), notice_data(), follow=True)
    notice = NoticeRecord.objects.get(case=case)
    assert notice.matter_id is None
    case.refresh_from_db()
    assert case.status == CaseStatus.NOTICE_GIVEN
    shown = [str(m) for m in response.context["messages"]]
    assert any("Nämndens ärenden är stängda för underhåll." in m for m in shown)
    assert 'id="prepare-matter"' in response.content.decode()
    assert not Matter.objects.filter(case=case).exists()

    monkeypatch.undo()
    response = client.post(url("notice_matter", case))
    assert response.status_code == 302
    notice.refresh_from_db()
    matter = Matter.objects.get(case=case, kind=MatterKind.ENDING)
    assert notice.matter_id == matter.pk and matter.end_date == datetime.date(2026, 9, 15)


# --- The wind-down plan and closing -------------------------------------------------------


@pytest.fixture
def noticed(client, case):
    client.force_login(case.officer)
    client.post(url("notice", case), notice_data())
    client.logout()
    case.refresh_from_db()
    return case


def test_a_written_plan_is_printed_registered_and_closes_its_deadline(client, noticed):
    client.force_login(noticed.officer)
    text = "Verksamheten avvecklas under sommaren.\n\nUtrustningen skänks till Fritidsbanken."
    response = client.post(url("wind_down", noticed), {"text": text, "received_on": ""})
    assert response.status_code == 302
    plan = WindDownPlan.objects.get(case=noticed)
    document = plan.document
    assert document.kind == CaseDocument.Kind.WIND_DOWN_PLAN
    assert document.direction == DocumentDirection.DRAWN_UP
    assert document.received_on == datetime.date(2026, 3, 15)
    pdf = document.file.read()
    assert pdf.startswith(b"%PDF")
    read = subprocess.run(
        ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    assert "Utrustningen skänks till Fritidsbanken." in read
    assert noticed.registry_number in read
    assert "15 september 2026" in read
    deadline = Deadline.objects.get(case=noticed, kind=DeadlineKind.WIND_DOWN_PLAN)
    assert deadline.state == DeadlineState.DONE
    assert deadline.done_record == f"document:{document.pk}"


def test_an_uploaded_plan_is_registered_as_incoming(noticed):
    plan = wind_down_plan_register(
        case=noticed,
        actor=noticed.officer,
        file=files.upload("avveckling.docx", files.docx_bytes()),
        received_on=datetime.date(2026, 3, 14),
    )
    assert plan.text == ""
    assert plan.document.direction == DocumentDirection.INCOMING
    assert plan.document.received_on == datetime.date(2026, 3, 14)
    assert plan.history.get().history_user == noticed.officer


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"text": ""}, ""),
        ({"text": "Planen", "file": files.upload("plan.pdf", files.pdf_bytes())}, ""),
        ({"file": files.upload("plan.pdf", files.EXE_BYTES)}, "file"),
        ({"text": "Planen", "received_on": "2026-03-16"}, "received_on"),
    ],
    ids=["neither", "both", "exe-as-pdf", "future"],
)
def test_a_refused_plan_saves_nothing(client, noticed, data, field):
    before = set(stored_files(noticed))
    client.force_login(noticed.officer)
    response = client.post(url("wind_down", noticed), data)
    assert response.status_code == 200
    form = response.context["form"]
    if field:
        assert field in form.errors
    else:
        assert form.non_field_errors()
    assert not WindDownPlan.objects.filter(case=noticed).exists()
    assert not CaseDocument.objects.filter(
        case=noticed, kind=CaseDocument.Kind.WIND_DOWN_PLAN
    ).exists()
    assert set(stored_files(noticed)) == before


def test_a_plan_is_refused_before_notice_and_on_a_closed_case(client, case):
    client.force_login(case.officer)
    response = client.post(url("wind_down", case), {"text": "Planen"})
    assert response.status_code == 409
    move_to(case, CaseStatus.CLOSED)
    response = client.post(url("wind_down", case), {"text": "Planen"})
    assert response.status_code == 409
    with pytest.raises(FollowUpRefused):
        wind_down_plan_register(case=case, actor=case.officer, text="Planen")
    assert not WindDownPlan.objects.exists()
    assert stored_files(case) == []


def test_the_case_is_tracked_until_it_is_closed(client, noticed):
    client.force_login(noticed.officer)
    page = client.get(url("ending", noticed))
    assert not page.context["close_offered"]  # the committee has not decided yet

    decide(noticed, kind=MatterKind.ENDING)
    noticed.refresh_from_db()
    assert noticed.status == CaseStatus.WINDING_DOWN
    page = client.get(url("ending", noticed))
    assert page.context["close_offered"] and not page.context["can_close"]
    assert page.context["close_refusals"]  # no wind-down plan yet
    assert page.context["ending_decision"] is not None

    wind_down_plan_register(case=noticed, actor=noticed.officer, text="Planen.")
    page = client.get(url("ending", noticed))
    assert page.context["can_close"]
    close = reverse("cases:transition", args=[noticed.pk, "close"])
    assert f'href="{close}"' in page.content.decode()
    assert client.post(close, {"note": ""}).status_code == 302
    noticed.refresh_from_db()
    assert noticed.status == CaseStatus.CLOSED
    end = Deadline.objects.get(case=noticed, kind=DeadlineKind.PARTNERSHIP_END)
    assert end.state == DeadlineState.DONE
    page = client.get(url("ending", noticed))
    assert 'id="register-plan"' not in page.content.decode()


def test_the_case_page_shows_the_ending_panel_once_notice_is_given(client, case):
    client.force_login(case.officer)
    page = client.get(reverse("cases:detail", args=[case.pk]))
    assert 'id="case-ending"' not in page.content.decode()
    client.post(url("notice", case), notice_data())
    page = client.get(reverse("cases:detail", args=[case.pk]))
    html = page.content.decode()
    assert 'id="case-ending"' in html and f'href="{url("ending", case)}"' in html


def test_the_ending_page_reads_in_constant_queries(client, noticed):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(noticed.officer)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url("ending", noticed)).status_code == 200
        return len(captured)

    wind_down_plan_register(case=noticed, actor=noticed.officer, text="Plan 1.")
    once = queries()
    for n in range(4):
        wind_down_plan_register(case=noticed, actor=noticed.officer, text=f"Plan {n + 2}.")
    assert queries() == once
    assert once <= 30


# --- Who may do what ----------------------------------------------------------------------

READ_ONLY = [Role.AUDITOR, Role.JURIST, Role.SECRETARY, Role.FINANCE]


@pytest.mark.parametrize("role", [*READ_ONLY, Role.CASE_OFFICER, None])
def test_only_the_officer_substitute_and_coordinator_give_notice(client, case, role):
    client.force_login(UserFactory(role=role))
    assert client.get(url("notice", case)).status_code == 403
    assert client.post(url("notice", case), notice_data()).status_code == 403
    assert_nothing_saved(case)


@pytest.mark.parametrize("role", [*READ_ONLY, Role.CASE_OFFICER, None])
def test_only_the_officer_substitute_and_coordinator_register_the_plan(client, noticed, role):
    client.force_login(UserFactory(role=role))
    assert client.get(url("wind_down", noticed)).status_code == 403
    assert client.post(url("wind_down", noticed), {"text": "Planen"}).status_code == 403
    assert client.post(url("notice_matter", noticed)).status_code == 403
    assert not WindDownPlan.objects.exists()


@pytest.mark.parametrize("role", READ_ONLY)
def test_every_staff_role_reads_the_ending_page_and_the_auditor_changes_nothing(
    client, noticed, role
):
    client.force_login(UserFactory(role=role))
    response = client.get(url("ending", noticed))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'datetime="2026-09-15"' in html
    for control in ('id="register-plan"', 'id="close-case"', 'id="prepare-matter"'):
        assert control not in html
    assert client.post(url("ending", noticed)).status_code == 405


def test_no_staff_role_is_refused_the_ending_page_and_anonymous_logs_in(client, noticed):
    client.force_login(UserFactory(role=None))
    assert client.get(url("ending", noticed)).status_code == 403
    client.logout()
    for name in ("ending", "notice", "wind_down"):
        response = client.get(url(name, noticed))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_the_coordinator_and_the_substitute_act(client, case, coordinator):
    substitute = UserFactory(role=Role.CASE_OFFICER)
    Case.objects.filter(pk=case.pk).update(substitute=substitute)
    client.force_login(substitute)
    assert client.get(url("notice", case)).status_code == 200
    assert client.post(url("notice", case), notice_data()).status_code == 302
    client.force_login(coordinator)
    assert client.get(url("wind_down", case)).status_code == 200
    assert client.post(url("wind_down", case), {"text": "Planen"}).status_code == 302
    assert NoticeRecord.objects.get(case=case).created_by == substitute
    assert WindDownPlan.objects.get(case=case).created_by == coordinator
