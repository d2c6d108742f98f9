"""The demo's follow-up story (followups.demo): what a newcomer sees after ``make run``.

Hälso- och sjukvårdsnämnden's three IOPs have had no follow-up to the committee since they
became active (the auditors' finding), Kultur- och bildningsnämnden's are on time with their
check-ins and evaluations recorded, Anna has the check-in with Fritidsbanken due soon and
Agera's annual report overdue, Agera has given notice, Funktionsrätt Värmland's biennial report
has its committee matter prepared, Johan is away, and the sweep queued when the load commits
sends Anna her reminders."""

from __future__ import annotations

import datetime
import io

import pytest
from dateutil.relativedelta import relativedelta

from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.test import TestCase
from django.utils import timezone

from iop.constants import CaseStatus
from iop.models import Case, CaseDocument

from .. import demo
from ..constants import DeadlineKind, DeadlineState, ReminderLevel
from ..models import (
    Absence,
    AnnualEvaluation,
    CheckIn,
    Deadline,
    EarlierFollowUp,
    FollowUpReport,
    NoticeRecord,
    ReminderOutbox,
)
from ..selectors import committee_overview, committee_summaries
from ..services.reminders import absent_user_ids

pytestmark = pytest.mark.django_db

FOLLOWED = ("active", "renegotiation", "notice_given", "winding_down")
LOADED: dict[str, list] = {}


def run_demo_data() -> str:
    out = io.StringIO()
    call_command("demo_data", allow_production=True, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    """The demo loaded once for this module and rolled back after it; the callbacks it left
    for the commit (the queued sweep) are kept for the test that runs them."""
    with django_db_blocker.unblock(), transaction.atomic():
        with TestCase.captureOnCommitCallbacks() as callbacks:
            run_demo_data()
        # Of what waits for the commit (the matters' PDFs, the notifications), the sweep.
        LOADED["callbacks"] = [c for c in callbacks if c is demo.queue_sweep]
        yield
        transaction.set_rollback(True)


def today() -> datetime.date:
    return timezone.localdate()


def case_of(organisation: str) -> Case:
    return Case.objects.get(organisations__name=organisation)


def user(username: str):
    return get_user_model().objects.get(username=username)


def open_deadlines(case: Case):
    return Deadline.objects.filter(case=case, state=DeadlineState.OPEN)


def committee_follow_ups(case: Case):
    return Deadline.objects.filter(case=case, kind=DeadlineKind.COMMITTEE_FOLLOW_UP)


@pytest.mark.usefixtures("loaded")
class TestFollowUpStory:
    def test_health_committees_three_iops_miss_their_committee_follow_up(self):
        cases = Case.objects.filter(committee__short_code="HSN")
        assert cases.count() == 3
        for case in cases:
            assert case.status == CaseStatus.ACTIVE
            first = committee_follow_ups(case).order_by("sequence").first()
            # Due two years after the activation, never done: overdue for a year or more.
            assert first.state == DeadlineState.OPEN
            assert (today() - first.due_on).days > 365, case
            assert not committee_follow_ups(case).filter(state=DeadlineState.DONE).exists()
            assert not EarlierFollowUp.objects.filter(
                case=case, kind=DeadlineKind.COMMITTEE_FOLLOW_UP
            ).exists()
            # The officers did meet the organisations: only the committee never heard.
            assert CheckIn.objects.filter(case=case, held_on__isnull=False).exists()
            assert (
                not open_deadlines(case)
                .filter(
                    kind__in=[DeadlineKind.CHECK_IN, DeadlineKind.ANNUAL_EVALUATION],
                    due_on__lt=today(),
                )
                .exists()
            )

    def test_the_oversight_shows_the_health_committee_red_and_culture_on_time(self):
        karin = user("karin")
        summaries = {s.committee.short_code: s for s in committee_summaries(user=karin)}
        assert summaries["HSN"].active == 3
        assert summaries["HSN"].missing_follow_up == 3
        assert summaries["KBN"].missing_follow_up == 0
        hsn = summaries["HSN"].committee
        rows = committee_overview(user=karin, committee=hsn).rows
        assert len(rows) == 3
        assert all(row.committee_follow_up_overdue_days > 365 for row in rows)
        assert all(row.last_committee_follow_up is None for row in rows)

    def test_culture_committees_iops_are_followed_up_on_time(self):
        cases = Case.objects.filter(committee__short_code="KBN", status__in=FOLLOWED)
        assert cases.count() == 4
        for case in cases:
            assert (
                not committee_follow_ups(case)
                .filter(state=DeadlineState.OPEN, due_on__lt=today())
                .exists()
            ), case
            held = CheckIn.objects.filter(case=case, held_on__isnull=False)
            assert held.count() >= 2, case
            assert all(c.notes and c.participants_organisation for c in held)
        # A committee follow-up decided, and the next one planned two years on.
        fritidsbanken = case_of("Fritidsbanken Värmland")
        done = committee_follow_ups(fritidsbanken).get(state=DeadlineState.DONE)
        assert done.done_note.startswith("Kultur- och bildningsnämnden")
        # Actions agreed at the meetings, with who does them.
        actions = [a for c in CheckIn.objects.filter(case__in=cases) for a in c.actions.all()]
        assert actions and all(a.owner for a in actions)

    def test_annual_evaluations_register_the_annual_report(self):
        evaluations = AnnualEvaluation.objects.select_related("annual_report")
        assert evaluations.count() >= 6
        for evaluation in evaluations:
            report = evaluation.annual_report
            assert report.kind == CaseDocument.Kind.ANNUAL_REPORT
            assert report.registry_number
            report.file.open("rb")
            assert report.file.read(5) == b"%PDF-"
            report.file.close()
            assert evaluation.evaluation

    def test_history_before_the_follow_up_module_is_entered_as_earlier_follow_ups(self):
        earlier = EarlierFollowUp.objects.all()
        assert earlier.exists()
        since = today() - datetime.timedelta(days=demo.data.MODULE_SINCE_DAYS)
        assert all(e.done_on < since and e.reference for e in earlier)
        assert {e.kind for e in earlier} == {
            DeadlineKind.CHECK_IN,
            DeadlineKind.ANNUAL_EVALUATION,
        }

    def test_anna_has_the_fritidsbanken_check_in_due_soon_and_agera_overdue(self):
        anna = user("anna")
        soon = today() + datetime.timedelta(days=demo.DUE_SOON_DAYS)
        culture = Deadline.objects.filter(
            case__officer=anna,
            case__committee__short_code="KBN",
            case__status__in=FOLLOWED,
            state=DeadlineState.OPEN,
        )
        [due_soon] = culture.filter(due_on__gte=today(), due_on__lte=soon)
        [overdue] = culture.filter(due_on__lt=today())
        assert due_soon.kind == DeadlineKind.CHECK_IN
        assert due_soon.case == case_of("Fritidsbanken Värmland")
        assert overdue.kind == DeadlineKind.ANNUAL_EVALUATION
        assert overdue.case == case_of("Agera Värmland")
        # Twelve days, give or take the weekend the story's days move to.
        assert 11 <= (today() - overdue.due_on).days <= 16
        assert not AnnualEvaluation.objects.filter(case=overdue.case).exists()
        # The meeting is booked for the coming Thursday, before the deadline.
        [booked] = CheckIn.objects.filter(case=due_soon.case, held_on__isnull=True)
        starts = timezone.localtime(booked.starts_at)
        assert starts.date() == demo.coming_thursday(today())
        assert starts.weekday() == 3 and today() < starts.date() <= due_soon.due_on

    def test_agera_has_given_notice_with_its_end_date_and_wind_down_plan_deadline(self):
        agera = case_of("Agera Värmland")
        assert agera.status == CaseStatus.NOTICE_GIVEN
        notice = NoticeRecord.objects.get(case=agera)
        assert notice.given_by == "organisation"
        assert notice.notice_months == 6
        assert notice.end_date == notice.given_on + relativedelta(months=6)
        assert notice.letter.kind == CaseDocument.Kind.NOTICE_LETTER
        assert notice.matter_id is not None  # the committee's ending matter
        plan = open_deadlines(agera).get(kind=DeadlineKind.WIND_DOWN_PLAN)
        end = open_deadlines(agera).get(kind=DeadlineKind.PARTNERSHIP_END)
        assert today() < plan.due_on < end.due_on <= notice.end_date
        # Nothing planned after the end: the later check-ins no longer apply.
        assert not open_deadlines(agera).filter(due_on__gt=notice.end_date).exists()

    def test_funktionsratts_biennial_report_has_its_committee_matter_prepared(self):
        case = case_of("Funktionsrätt Värmland")
        report = FollowUpReport.objects.get(case=case)
        assert report.is_prepared and report.matter_id and report.matter_url
        assert all(getattr(report, name).strip() for name in FollowUpReport.HEADINGS)
        # Its follow-up falls due in the coming weeks: on time, not yet done.
        [due] = committee_follow_ups(case).filter(state=DeadlineState.OPEN).order_by("sequence")[:1]
        assert today() < due.due_on <= today() + datetime.timedelta(days=60)

    def test_johan_is_away_and_anna_stands_in(self):
        johan = user("johan")
        absence = Absence.objects.get(user=johan)
        assert absence.starts_on <= today() <= absence.ends_on
        assert absence.created_by == user("karin")
        assert absent_user_ids([johan.pk], today()) == {johan.pk}
        afasi = case_of("Afasiföreningen i Värmland")
        assert (afasi.officer, afasi.substitute) == (johan, user("anna"))

    def test_the_sweep_queued_by_the_load_mails_annas_reminders(
        self, django_capture_on_commit_callbacks
    ):
        assert LOADED["callbacks"], "the load queues the sweep when it commits"
        mail.outbox = []
        with django_capture_on_commit_callbacks(execute=True):
            for callback in LOADED["callbacks"]:
                callback()
        anna, johan, karin = user("anna"), user("johan"), user("karin")
        reminders = ReminderOutbox.objects.filter(recipient=anna)
        levels = {
            (r.deadline.case.organisations.get().name, r.deadline.kind, r.level)
            for r in reminders.select_related("deadline__case")
        }
        assert (
            "Fritidsbanken Värmland",
            DeadlineKind.CHECK_IN,
            ReminderLevel.DUE_SOON,
        ) in levels
        assert (
            "Agera Värmland",
            DeadlineKind.ANNUAL_EVALUATION,
            ReminderLevel.OVERDUE,
        ) in levels
        # Standing in for Johan, away this week: his partnership's reminders come to Anna.
        assert reminders.filter(on_behalf_of=johan).exists()
        assert not ReminderOutbox.objects.filter(recipient=johan).exists()
        # The health committee's missing follow-ups escalate to the coordinator.
        assert (
            ReminderOutbox.objects.filter(
                recipient=karin,
                level=ReminderLevel.ESCALATED,
                deadline__kind=DeadlineKind.COMMITTEE_FOLLOW_UP,
                deadline__case__committee__short_code="HSN",
            ).count()
            == 3
        )
        # One e-mail to Anna listing her items, sent and marked.
        to_anna = [
            m
            for m in mail.outbox
            if m.to == [anna.email]
            and m.extra_headers.get("Message-ID", "").startswith("<reminders-")
        ]
        assert len(to_anna) == 1
        body = to_anna[0].body
        assert "Fritidsbanken" in body and "Agera" in body
        assert not reminders.filter(sent_at__isnull=True).exists()


def test_the_coming_thursday():
    assert demo.coming_thursday(datetime.date(2026, 12, 7)) == datetime.date(2026, 12, 10)
    assert demo.coming_thursday(datetime.date(2026, 12, 10)) == datetime.date(2026, 12, 17)
    assert demo.coming_thursday(datetime.date(2026, 12, 12)) == datetime.date(2026, 12, 17)


def test_a_broker_that_cannot_be_reached_leaves_the_sweep_to_beat(monkeypatch, caplog):
    from .. import tasks

    def unreachable(*args, **kwargs):
        raise OSError("connection refused")

    monkeypatch.setattr(tasks.sweep_reminders, "delay", unreachable)
    demo.queue_sweep()  # no exception: the demo is loaded, beat sweeps later
    assert "beat runs it later" in caplog.text


def test_rows_planned_before_the_activation_was_dated_back_are_planned_again():
    """The activation's receivers plan while its event still reads today; the demo then dates
    it back. The next recomputation plans from the real activation: the evaluation it missed
    twelve days ago is open, under the key the early plan had used."""
    from ..schedule import Existing, Inputs, plan

    today, activated = datetime.date(2026, 12, 3), datetime.date(2025, 11, 21)
    early = (
        Existing("check_in", 6, datetime.date(2027, 6, 3), DeadlineState.OPEN),
        Existing("check_in", 12, datetime.date(2027, 12, 3), DeadlineState.OPEN),
        Existing("annual_evaluation", 1, datetime.date(2027, 12, 3), DeadlineState.OPEN),
    )
    planned = plan(Inputs(active_since=activated, today=today, existing=early))
    [evaluation] = [
        p for p in planned if p.kind == DeadlineKind.ANNUAL_EVALUATION and p.sequence == 1
    ]
    assert evaluation.nominal_on == datetime.date(2026, 11, 21) and evaluation.is_open
    check_ins = {p.sequence: p.nominal_on for p in planned if p.kind == DeadlineKind.CHECK_IN}
    assert check_ins[12] == datetime.date(2026, 11, 21)
