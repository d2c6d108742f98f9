"""The demo data command: Region Värmland's IOPs in their stages with their agreements,
idempotent, every user can log in."""

import csv
import datetime
import io
import json
import re
import zipfile

import pytest

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from agreements import services as agreement_services
from agreements.constants import SectionKey, VersionStatus
from agreements.models import Agreement, AgreementVersion, ReviewComment
from decisions import wording
from decisions.constants import DocumentRole, MatterKind, MatterStatus, Outcome
from decisions.models import Decision, Matter, MatterDocument, Meeting, PerspectiveHeading
from iop.constants import CaseEventKind, CaseStatus, Role, Transition
from iop.management.commands.demo_data import DEMO_PASSWORD, DEMO_USERS
from iop.models import Case, CaseEvent, Committee, PublicBody, RegistryEntry, StaffProfile
from oversight.demo import AUDITOR, ORGANISATION
from oversight.dossier import case_history
from oversight.models import DossierDownload, DossierExport, ExportStatus
from oversight.public_register import build_register
from oversight.services import exports
from oversight.services.dossier_zip import HISTORY_CSV, INDEX, REGISTRY_CSV, defuse
from oversight.tests.test_public_register import (
    ABOUT,
    BUILD_QUERIES,
    CSV,
    JSON,
    PAGE,
    personal_data,
    validator,
)
from partners.models import Organisation
from partners.validators import validate_org_number

pytestmark = pytest.mark.django_db

# Written by hand from the brief (DOMAIN.md §9 and the Region Värmland pre-study, 2025):
# organisation -> (committee, stage).
EXPECTED_STAGES = {
    "EBL-skolan": ("HSN", CaseStatus.ACTIVE),
    "Frykcenter": ("HSN", CaseStatus.ACTIVE),
    "Afasiföreningen i Värmland": ("HSN", CaseStatus.ACTIVE),
    "Fritidsbanken Värmland": ("KBN", CaseStatus.ACTIVE),
    "Värmlands Idéburna": ("KBN", CaseStatus.ACTIVE),
    # Agera has given notice (followups.demo_story): its ending matter is prepared.
    "Agera Värmland": ("KBN", CaseStatus.NOTICE_GIVEN),
    "Suicide Zero": ("KBN", CaseStatus.LEGAL_REVIEW),
    "Brottsofferjouren Värmland": ("KBN", CaseStatus.AWAITING_DECISION),
    "Funktionsrätt Värmland": ("KBN", CaseStatus.RENEGOTIATION),
    "Bildningsförbundet Klarälvdalen": ("KBN", CaseStatus.PREPARATION),
    "Unga Röster Värmland": ("KBN", CaseStatus.PREPARATION),
    # Invented for the agreements: a draft being written, and an agreement being signed.
    "Föreningen Läsande bygd": ("KBN", CaseStatus.DRAFTING),
    "Kulturbussen Norra Värmland": ("KBN", CaseStatus.SIGNING),
}

# organisation -> the statuses of its agreement's versions, oldest first.
EXPECTED_VERSIONS = {
    "EBL-skolan": ["signed"],
    "Frykcenter": ["signed"],
    "Afasiföreningen i Värmland": ["returned", "signed"],
    "Fritidsbanken Värmland": ["signed"],
    "Värmlands Idéburna": ["superseded", "signed"],
    "Agera Värmland": ["signed"],
    "Suicide Zero": ["returned", "submitted"],
    "Brottsofferjouren Värmland": ["approved"],
    "Funktionsrätt Värmland": ["signed", "draft"],
    "Föreningen Läsande bygd": ["draft"],
    "Kulturbussen Norra Värmland": ["approved"],
}


def years_ago(years: int) -> datetime.date:
    """The day ``years`` years before today: the demo is dated relative to the day it loads."""
    today = timezone.localdate()
    return today.replace(year=today.year - years, day=min(today.day, 28))


def start_of_today() -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time()))


def decision_day(organisation: str) -> str:
    """The day the committee decided to renegotiate (its event), as the decision names it."""
    event = _case(organisation).events.get(transition=Transition.START_RENEGOTIATION)
    return timezone.localtime(event.at).date().isoformat()


def _renegotiation_decision(organisation: str) -> Decision:
    """The recorded decision that started the case's renegotiation."""
    decision = Decision.objects.select_related("meeting__committee", "case_event").get(
        case_event__case=_case(organisation),
        case_event__transition=Transition.START_RENEGOTIATION,
    )
    assert decision.meeting.date.isoformat() == decision_day(organisation)
    return decision


def _cites(version: AgreementVersion, decision: Decision) -> bool:
    """The version names the decision: its event, read «Kultur- och bildningsnämnden 28
    augusti 2025 § 89: …»."""
    reference = version.authorising_reference
    return version.authorising_event == decision.case_event and reference.startswith(
        f"{decision.meeting.committee.name} {wording.long_date(decision.meeting.date)} "
        f"§ {decision.paragraph}:"
    )


def run_demo_data() -> str:
    out = io.StringIO()
    # The test settings have DEBUG off, like production: the command wants to be told.
    call_command("demo_data", allow_production=True, stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    """Rows in every table of the project's apps and of auth, history tables included."""
    labels = (
        "iop",
        "partners",
        "agreements",
        "decisions",
        "followups",
        "finance",
        "oversight",
        "auth",
        "django_celery_beat",
    )
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in labels
    }


def test_running_twice_changes_nothing_and_keeps_a_password_the_user_changed():
    first = run_demo_data()
    latest_event = CaseEvent.objects.latest("pk").pk
    anna = get_user_model().objects.get(username="anna")
    anna.set_password("annas-eget-losenord")
    anna.save()  # a row of the user's history: when the password changed
    counts = row_counts()

    second = run_demo_data()

    assert "Demo data created" in first
    assert "nothing changed" in second
    assert row_counts() == counts
    assert CaseEvent.objects.latest("pk").pk == latest_event
    anna.refresh_from_db()
    assert anna.check_password("annas-eget-losenord")


def test_refuses_without_debug_unless_told():
    with pytest.raises(CommandError, match="allow-production"):
        call_command("demo_data", stdout=io.StringIO())
    assert not Case.objects.exists()


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo data, loaded once for the tests of this module that only read it (the
    classes below: the data itself, the auditor's dossier of a demo case, the public
    register), and rolled back after them (each test still runs in a savepoint of its own)."""
    with django_db_blocker.unblock(), transaction.atomic():
        run_demo_data()
        yield
        transaction.set_rollback(True)


@pytest.mark.usefixtures("demo")
class TestDemoData:
    def test_region_varmland_and_its_committees(self):
        region = PublicBody.objects.get()
        assert (region.name, region.short_code, region.kind) == ("Region Värmland", "RV", "region")
        assert dict(Committee.objects.values_list("short_code", "name")) == {
            "KBN": "Kultur- och bildningsnämnden",
            "HSN": "Hälso- och sjukvårdsnämnden",
        }

    def test_nine_real_and_four_invented_organisations(self):
        organisations = Organisation.objects.all()
        assert sorted(o.name for o in organisations) == sorted(EXPECTED_STAGES)
        for organisation in organisations:
            validate_org_number(organisation.org_number)  # the Luhn check digit holds
            assert organisation.org_number.startswith("802")
            assert organisation.city and organisation.email and organisation.phone
            assert organisation.member_count
            assert organisation.contacts.filter(is_primary=True).count() == 1

    def test_cases_are_in_their_stages(self):
        stages = {
            case.organisations.get().name: (case.committee.short_code, case.status)
            for case in Case.objects.select_related("committee")
        }
        assert stages == EXPECTED_STAGES

    def test_every_case_past_preparation_has_signed_value_declarations(self):
        early = {CaseStatus.RECEIVED, CaseStatus.PREPARATION}
        for case in Case.objects.all():
            organisation = case.organisations.get()
            assert organisation.has_signed_value_declaration() == (case.status not in early), case
            if case.status not in early:
                assert case.checklist.all_met

    def test_one_initiative_in_preparation_has_a_partly_filled_checklist(self):
        preparation = Case.objects.filter(status=CaseStatus.PREPARATION)
        partly = [c for c in preparation if hasattr(c, "checklist")]
        assert len(partly) == 1
        answers = partly[0].checklist.answers.all()
        assert any(a.answer is True for a in answers)
        assert any(a.answer is None for a in answers)
        assert partly[0].checklist.outcome == "incomplete"

    def test_health_committees_three_iops_active_for_three_to_four_years(self):
        cases = Case.objects.filter(committee__short_code="HSN")
        assert cases.count() == 3
        for case in cases:
            assert case.status == CaseStatus.ACTIVE
            assert years_ago(5) <= case.received_on <= years_ago(3)
            activated = case.events.get(transition=Transition.ACTIVATE)
            assert years_ago(4) <= timezone.localtime(activated.at).date() <= years_ago(3)

    def test_timelines_are_real_and_chronological(self):
        for case in Case.objects.all():
            events = list(case.events.order_by("pk"))
            assert events[0].kind == CaseEventKind.CREATED
            assert [e.at for e in events] == sorted(e.at for e in events), case
            assert events[0].at.date() == case.received_on
            assert years_ago(5) <= case.received_on < timezone.localdate()
            transitions = [e for e in events if e.kind == CaseEventKind.TRANSITION]
            # Each step follows from the one before: the services wrote them, in order.
            stage = CaseStatus.RECEIVED
            for event in transitions:
                assert event.from_status == stage
                stage = event.to_status
            assert stage == case.status
            # The stage changed with the last transition (a signature may follow it).
            assert case.status_changed_at == transitions[-1].at
            assert case.registry_number.startswith(f"RV {case.received_on.year}/")
            assert case.title and case.societal_challenge and case.idea_description

    def test_steps_are_taken_by_the_right_roles(self):
        by_transition = {
            Transition.APPROVE_LEGAL_REVIEW: Role.JURIST,
            Transition.RETURN_TO_DRAFTING: Role.JURIST,
            Transition.RECORD_APPROVAL: Role.SECRETARY,
            Transition.START_RENEGOTIATION: Role.SECRETARY,
            Transition.ACTIVATE: Role.CASE_OFFICER,
        }
        for transition, role in by_transition.items():
            for event in CaseEvent.objects.filter(transition=transition).select_related("actor"):
                assert event.actor.groups.filter(name=role.value).exists(), event

    def test_one_user_per_role_and_an_admin(self):
        User = get_user_model()
        for demo_user in DEMO_USERS:
            user = User.objects.get(username=demo_user.username)
            assert user.get_full_name() == demo_user.full_name
            if demo_user.role is None:
                assert user.is_superuser
            else:
                assert user.is_staff and not user.is_superuser
                assert list(user.groups.values_list("name", flat=True)) == [demo_user.role.value]
        roles = {u.role for u in DEMO_USERS if u.role}
        assert roles == set(Role)

    @pytest.mark.parametrize("demo_user", DEMO_USERS, ids=lambda u: u.username)
    def test_every_demo_user_can_log_in(self, client, demo_user):
        assert client.login(
            request=HttpRequest(), username=demo_user.username, password=DEMO_PASSWORD
        )
        response = client.get("/")
        assert response.status_code == 200
        assert demo_user.full_name in response.content.decode()


def _case(organisation: str) -> Case:
    return Case.objects.get(organisations__name=organisation)


def _versions(organisation: str) -> list[AgreementVersion]:
    return list(
        AgreementVersion.objects.filter(agreement__case=_case(organisation)).order_by("number")
    )


@pytest.mark.usefixtures("demo")
class TestDemoAgreements:
    def test_every_case_from_drafting_on_has_its_agreement_in_the_right_state(self):
        agreements = {
            a.case.organisations.get().name: [v.status for v in a.versions.order_by("number")]
            for a in Agreement.objects.select_related("case")
        }
        assert agreements == EXPECTED_VERSIONS

    def test_the_jurists_queue_holds_the_resubmitted_agreement(self, client):
        [waiting] = AgreementVersion.objects.filter(status=VersionStatus.SUBMITTED)
        assert waiting.agreement.case == _case("Suicide Zero")
        assert (waiting.number, waiting.submitted_by.username) == (2, "anna")
        assert not agreement_services.submission_problems(waiting)
        # The comments of the first round are on the returned version: per heading, and on
        # the whole.
        returned = _versions("Suicide Zero")[0]
        assert set(returned.review_comments.values_list("section_key", "author__username")) == {
            (SectionKey.COMMITMENTS, "erik"),
            (SectionKey.ECONOMY, "erik"),
            ("", "erik"),
        }
        client.login(request=HttpRequest(), username="erik", password=DEMO_PASSWORD)
        queue = client.get(reverse("agreements:review_queue"))
        assert queue.status_code == 200
        assert _case("Suicide Zero").registry_number in queue.content.decode()

    def test_the_draft_in_progress_leaves_work_for_the_officer(self):
        [draft] = _versions("Föreningen Läsande bygd")
        economy = draft.sections.get(key=SectionKey.ECONOMY).text
        assert "ersättning" in economy  # the wording for the officer to fix (DOMAIN.md §6.4)
        assert agreement_services.submission_problems(draft)
        assert draft.budget_lines.exists() and draft.activities.exists()

    def test_the_approved_agreements_were_assessed_by_the_jurist(self):
        for version in AgreementVersion.objects.exclude(
            status__in=[VersionStatus.DRAFT, VersionStatus.SUBMITTED, VersionStatus.RETURNED]
        ):
            assert version.reviewed_by.username == "erik", version
            assert not agreement_services.assessment_problems(version), version

    def test_in_signing_the_region_has_signed_and_the_organisation_not_yet(self):
        [version] = _versions("Kulturbussen Norra Värmland")
        region, organisation = version.parties.order_by("order")
        assert (region.is_public, region.has_signed) == (True, True)
        assert (organisation.is_public, organisation.has_signed) == (False, False)

    def test_active_cases_have_a_version_signed_by_every_party(self):
        for case in Case.objects.filter(status=CaseStatus.ACTIVE):
            version = agreement_services.in_force_version(case.agreement)
            assert version is not None, case
            assert all(p.has_signed and p.signatory_name for p in version.parties.all())
            activated = case.events.filter(kind=CaseEventKind.TRANSITION).latest("pk")
            assert version.signed_at == activated.at

    def test_the_renegotiations_change_the_amounts_under_a_named_decision(self):
        old, new = _versions("Värmlands Idéburna")
        assert new.based_on == old
        assert agreement_services.amounts_changed(new, old)
        assert _cites(new, _renegotiation_decision("Värmlands Idéburna"))
        signed, draft = _versions("Funktionsrätt Värmland")
        region = {v.pk: v.parties.get(kind="public_body").annual_amount for v in (signed, draft)}
        # Kultur- och bildningsnämnden's decision: + 200 000 kr per full year.
        assert region[draft.pk] - region[signed.pk] == 200_000
        assert _cites(draft, _renegotiation_decision("Funktionsrätt Värmland"))

    def test_the_agreements_are_dated_in_the_story(self):
        end = start_of_today()  # the story happened before the day it is loaded
        for version in AgreementVersion.objects.all():
            stamps = [version.created_at, version.updated_at, version.submitted_at]
            assert all(s is None or s < end for s in stamps), version
            assert all(h.history_date < end for h in version.history.all()), version
        assert all(c.created_at < end for c in ReviewComment.objects.all())


# --- The committee ---------------------------------------------------------------------------

# The case's steps that only a recorded committee decision takes.
COMMITTEE_TRANSITIONS = (
    Transition.RECORD_APPROVAL,
    Transition.RECORD_REJECTION,
    Transition.RECORD_REFERRAL_BACK,
    Transition.START_RENEGOTIATION,
    Transition.START_WINDING_DOWN,
)
# The stages a case reaches only through the committee's approval of its new IOP.
PAST_THE_COMMITTEE = (CaseStatus.SIGNING, CaseStatus.ACTIVE, CaseStatus.RENEGOTIATION)
# organisation -> the kinds of its decided matters, oldest first.
EXPECTED_DECISIONS = {
    "EBL-skolan": [MatterKind.NEW_IOP],
    "Frykcenter": [MatterKind.NEW_IOP],
    "Afasiföreningen i Värmland": [MatterKind.NEW_IOP],
    "Fritidsbanken Värmland": [MatterKind.NEW_IOP, MatterKind.FOLLOW_UP],
    "Värmlands Idéburna": [MatterKind.NEW_IOP, MatterKind.FOLLOW_UP_RENEGOTIATION],
    "Funktionsrätt Värmland": [MatterKind.NEW_IOP, MatterKind.RENEGOTIATION],
    "Agera Värmland": [MatterKind.NEW_IOP],
    "Kulturbussen Norra Värmland": [MatterKind.NEW_IOP],
}


def _local_day(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment).date()


@pytest.mark.usefixtures("demo")
class TestDemoCommittee:
    def test_every_committee_step_was_taken_by_a_recorded_decision(self):
        events = CaseEvent.objects.filter(transition__in=COMMITTEE_TRANSITIONS)
        assert events.count() == 10
        for event in events.select_related("committee_decision__meeting"):
            decision = event.committee_decision  # the decision that moved the case
            assert decision.outcome == Outcome.APPROVED, event
            assert decision.meeting.committee == event.case.committee
            assert decision.meeting.date == _local_day(event.at)
            assert decision.recorded_by.username == "lena"
            assert _local_day(decision.recorded_at) == decision.meeting.date

    def test_every_case_past_the_committee_has_its_decisions_with_meeting_and_paragraph(self):
        decided = {}
        for decision in Decision.objects.select_related("matter__case", "meeting").order_by(
            "meeting__date"
        ):
            name = decision.matter.case.organisations.get().name
            decided.setdefault(name, []).append(decision.matter.kind)
            assert decision.paragraph and decision.meeting.date < timezone.localdate()
            assert decision.matter.status == MatterStatus.FINAL
            assert decision.matter.agenda_item.meeting == decision.meeting
        assert decided == EXPECTED_DECISIONS
        for case in Case.objects.filter(status__in=PAST_THE_COMMITTEE):
            entered = Decision.objects.get(matter__case=case, matter__kind=MatterKind.NEW_IOP)
            assert entered.outcome == Outcome.APPROVED

    def test_each_decision_has_its_extract_in_the_diarium(self):
        for decision in Decision.objects.select_related("meeting__committee", "matter"):
            extract = decision.matter.documents.get(role=DocumentRole.EXTRACT)
            entry = extract.registry_entry
            assert entry.case_id == decision.matter.case_id
            assert entry.registered_on == decision.meeting.date
            assert f"§ {decision.paragraph}" in entry.description
            assert decision.meeting.committee.name in entry.description

    def test_the_paragraphs_run_through_each_committees_year(self):
        for committee in Committee.objects.all():
            by_year = {}
            for decision in Decision.objects.filter(meeting__committee=committee).order_by(
                "meeting__date", "paragraph"
            ):
                by_year.setdefault(decision.meeting.date.year, []).append(decision.paragraph)
            for paragraphs in by_year.values():
                assert paragraphs == sorted(set(paragraphs))
                assert all(5 <= p <= 150 for p in paragraphs)

    def test_the_committees_next_meeting_has_brottsofferjourens_matter_and_no_package(self):
        today = timezone.localdate()
        [meeting] = Meeting.objects.filter(date__gte=today)
        assert meeting.committee.short_code == "KBN"
        assert 7 <= (meeting.date - today).days <= 16
        assert today < meeting.matters_deadline < meeting.date
        assert meeting.place and meeting.starts_at
        [item] = meeting.items.select_related("matter__case")
        matter = item.matter
        assert matter.case == _case("Brottsofferjouren Värmland")
        assert matter.case.status == CaseStatus.AWAITING_DECISION
        assert (matter.kind, matter.status) == (MatterKind.NEW_IOP, MatterStatus.FINAL)
        assert not hasattr(matter, "decision")
        assert not meeting.packages.exists()
        [version] = _versions("Brottsofferjouren Värmland")
        assert version.status == VersionStatus.APPROVED
        assert {d.role for d in matter.documents.all()} == {
            DocumentRole.REPORT,
            DocumentRole.AGREEMENT,
        }

    def test_the_health_committees_iops_were_entered_and_never_followed_up(self):
        for case in Case.objects.filter(committee__short_code="HSN"):
            [decision] = Decision.objects.filter(matter__case=case)
            assert decision.matter.kind == MatterKind.NEW_IOP
            assert years_ago(5) <= decision.meeting.date <= years_ago(3)
            # The auditors' finding: no follow-up reached the committee.
            assert not Matter.objects.filter(
                case=case,
                kind__in=[MatterKind.FOLLOW_UP, MatterKind.FOLLOW_UP_RENEGOTIATION],
            ).exists()

    def test_a_follow_up_keeps_the_case_active_and_a_renegotiation_names_its_amount(self):
        follow_up = Decision.objects.get(matter__kind=MatterKind.FOLLOW_UP)
        case = follow_up.matter.case
        assert case == _case("Fritidsbanken Värmland") and case.status == CaseStatus.ACTIVE
        assert follow_up.case_event.kind == CaseEventKind.DECISION
        activated = case.events.get(transition=Transition.ACTIVATE)
        assert 700 <= (follow_up.meeting.date - _local_day(activated.at)).days <= 760
        for organisation in ("Värmlands Idéburna", "Funktionsrätt Värmland"):
            matter = Matter.objects.get(
                case=_case(organisation),
                kind__in=[MatterKind.RENEGOTIATION, MatterKind.FOLLOW_UP_RENEGOTIATION],
            )
            before, after = (v for v in _versions(organisation) if v.number in (1, 2))
            region = [v.parties.get(kind="public_body").annual_amount for v in (before, after)]
            # The decision's amount and day are those of the agreement's version 2.
            assert matter.amount_change == region[1] - region[0]
            assert matter.change_from == after.start_date
            points = [p.text for p in matter.points.order_by("position")]
            assert any("kronor per helår" in p and organisation in p for p in points)
        points = Matter.objects.get(kind=MatterKind.FOLLOW_UP_RENEGOTIATION).points.count()
        assert points == 2  # one tjänsteskrivelse, two decision points

    def test_the_diarium_holds_every_matter_document(self):
        documents = MatterDocument.objects.select_related("matter", "registry_entry")
        assert documents.count() > 0
        for document in documents:
            entry = document.registry_entry
            assert entry.case_id == document.matter.case_id
            assert entry.document == document
            assert entry.registered_on < timezone.localdate()
            assert entry.number.startswith(document.matter.case.registry_number)
            if document.role != DocumentRole.EXTRACT:
                assert entry.registered_on == _local_day(document.matter.finalised_at)
        # Every final matter printed its tjänsteskrivelse; each case's numbers run 1, 2, 3 …
        for matter in Matter.objects.filter(status=MatterStatus.FINAL):
            assert matter.documents.filter(role=DocumentRole.REPORT).exists()
        for case in Case.objects.all():
            serials = list(
                case.registry_entries.order_by("serial").values_list("serial", flat=True)
            )
            assert serials == list(range(1, len(serials) + 1))

    def test_the_tjansteskrivelser_have_their_people_and_perspectives(self):
        region = PublicBody.objects.get()
        headings = PerspectiveHeading.objects.filter(public_body=region)
        assert list(headings.values_list("heading", flat=True)) == [
            "Barnrättsperspektiv",
            "Jämställdhetsperspektiv",
            "Miljöperspektiv",
        ]
        assert region.logo
        for committee in Committee.objects.all():
            assert committee.signing_official_name and committee.signing_official_title
        titles = dict(StaffProfile.objects.values_list("user__username", "job_title"))
        assert titles["anna"] == "Handläggare" and titles["lena"] == "Nämndsekreterare"
        for matter in Matter.objects.select_related("case__officer", "committee"):
            assert matter.officer_name == matter.case.officer.get_full_name()
            assert matter.officer_title == "Handläggare"
            assert matter.signing_official_name == matter.committee.signing_official_name
            perspectives = matter.perspectives.order_by("position")
            assert [p.heading for p in perspectives] == list(
                headings.values_list("heading", flat=True)
            )
            # A draft the follow-up prepared (a follow-up report's, a notice's ending matter)
            # has its perspectives still to write.
            if matter.finalised_at is not None:
                assert all(p.text for p in perspectives)

    def test_the_committee_is_dated_in_the_story(self):
        end = start_of_today()
        stamps = [
            *Decision.objects.values_list("recorded_at", flat=True),
            *Matter.objects.exclude(finalised_at=None).values_list("finalised_at", flat=True),
            *Matter.objects.values_list("created_at", flat=True),
            *Meeting.objects.values_list("created_at", flat=True),
            *RegistryEntry.objects.values_list("registered_at", flat=True),
        ]
        assert all(s < end for s in stamps)
        for matter in Matter.objects.filter(decision__isnull=False):
            assert matter.finalised_at.date() < matter.agenda_item.meeting.matters_deadline

    def test_the_organisations_declared_grants_and_the_one_that_warns(self):
        from iop.funding import funding_overview
        from partners.models import DeclaredGrant

        grants = {(g.organisation.name, g.giver): g for g in DeclaredGrant.objects.all()}
        assert len(grants) == 5
        withdrawn = grants[("Föreningen Läsande bygd", "Svenska Akademien")]
        assert withdrawn.is_withdrawn and withdrawn.withdrawn_reason
        arvsfonden = grants[("Bildningsförbundet Klarälvdalen", "Arvsfonden")]
        case = Case.objects.get(organisations=arvsfonden.organisation)
        # Recorded by the case officer a few days after the initiative arrived, dated back.
        assert arvsfonden.recorded_by == case.officer
        assert arvsfonden.declared_on > case.received_on
        assert arvsfonden.recorded_at.date() == arvsfonden.declared_on
        (warning,) = funding_overview(case).warnings
        assert warning.kind == "grant" and "Arvsfonden" in warning.subject
        # Every other demo case: no warning (the operating grant is another activity).
        for other in Case.objects.exclude(pk=case.pk):
            assert funding_overview(other).warnings == (), other.title

    def test_finance_has_paid_held_corrected_and_one_payment_overdue(self):
        from finance.models import Payment, PaymentHold
        from finance.selectors import case_plan

        today = timezone.localdate()
        assert Payment.objects.count() > 50
        assert Payment.objects.filter(corrects__isnull=False).count() == 1
        assert all(p.paid_on < today for p in Payment.objects.all())
        (hold,) = PaymentHold.objects.filter(released_at__isnull=True)
        assert hold.reason == "Årsredovisningen för 2025 har inte kommit in"
        assert hold.case.organisations.get().name.startswith("Agera")
        fritidsbanken = Case.objects.get(organisations__name__startswith="Fritidsbanken")
        rows = [
            row
            for plan_year in case_plan(fritidsbanken, today=today).years
            for party in plan_year.parties
            for row in party.rows
            if row.due_on < today
        ]
        latest = max(rows, key=lambda r: r.due_on)
        assert latest.is_overdue and not latest.payments and latest.hold is None
        assert all(row.payments for row in rows if row is not latest)


# --- The auditor's dossier of a demo case (the must-show) ----------------------------


def demo_case(organisation: str) -> Case:
    return Case.objects.get(organisations__name=organisation)


def read_zip(export) -> zipfile.ZipFile:
    with export.file.open("rb") as handle:
        return zipfile.ZipFile(io.BytesIO(handle.read()))


def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


@pytest.mark.usefixtures("demo")
class TestDemoAuditLog:
    """The security story: the audit log an administrator and the auditor read."""

    def test_twenty_failed_logins_at_night_lock_johan_out_and_karin_lifts_it_next_morning(self):
        from iop import demo_security
        from iop.models import AuditEvent

        failed = AuditEvent.objects.filter(event="login_failed", username="johan")
        assert failed.count() == demo_security.ATTEMPTS
        assert set(failed.values_list("ip", flat=True)) == {demo_security.ATTACKER_IP}
        lockout = AuditEvent.objects.get(event="lockout", username="johan")
        attack = timezone.localtime(lockout.at)
        assert attack.hour == 22  # late in the evening, six working days ago or so
        assert 6 <= (timezone.localdate() - attack.date()).days <= 9
        assert all(event.at <= lockout.at for event in failed)
        unlock = AuditEvent.objects.get(event="unlock", username="johan")
        assert unlock.detail["actor"] == "karin"
        assert timezone.localtime(unlock.at).date() == attack.date() + datetime.timedelta(days=1)

    def test_marias_download_of_her_dossier_export_is_logged(self):
        from iop.models import AuditEvent

        export = DossierExport.objects.get(case=demo_case(ORGANISATION))
        download = AuditEvent.objects.get(event="export", username=AUDITOR)
        assert download.object_id == str(export.pk)
        assert download.path.endswith(f"/exporter/{export.pk}/")
        assert download.at > export.requested_at


@pytest.mark.usefixtures("demo")
class TestDemoDossier:
    def test_marias_export_is_built_and_logged(self):
        case = demo_case(ORGANISATION)
        export = DossierExport.objects.select_related("requested_by").get(case=case)
        assert export.requested_by.username == AUDITOR
        assert export.status == ExportStatus.DONE, export.error
        assert export.file and export.size
        event = CaseEvent.objects.get(case=case, kind=CaseEventKind.EXPORT)
        assert event.actor == export.requested_by
        assert event.at == export.requested_at  # dated back to the story's moment

    @pytest.mark.parametrize("organisation", ["Värmlands Idéburna", ORGANISATION])
    def test_the_zip_of_a_demo_case_holds_the_whole_case(self, organisation):
        from django.contrib.auth import get_user_model

        karin = get_user_model().objects.get(username="karin")  # the IOP coordinator
        case = demo_case(organisation)
        export = exports.build_now(case, karin)
        assert export.status == ExportStatus.DONE, export.error
        archive = read_zip(export)
        names = set(archive.namelist())

        versions = AgreementVersion.objects.filter(agreement__case=case)
        assert versions.count() >= 2
        for version in versions:
            assert archive.read(f"avtal/version-{version.number}.pdf").startswith(b"%PDF")

        decisions = Decision.objects.filter(matter__case=case)
        extracts = sorted(n for n in names if n.startswith("protokollsutdrag/"))
        assert decisions.exists() and len(extracts) == decisions.count()
        for decision in decisions:
            assert any(f"-paragraf-{decision.paragraph}.pdf" in n for n in extracts)
        assert all(archive.read(n).startswith(b"%PDF") for n in extracts)

        entries = list(RegistryEntry.objects.filter(case=case).order_by("serial"))
        documents = [n for n in names if n.startswith("handlingar/")]
        assert entries and len(documents) == len(entries)
        for entry in entries:
            assert any(n.startswith(f"handlingar/{slugify(entry.number)}-") for n in documents)
        registry = csv_rows(archive.read(REGISTRY_CSV))
        assert [r[0] for r in registry[1:]] == [e.number for e in entries]

        history = case_history(case)
        rows = csv_rows(archive.read(HISTORY_CSV))[1:]
        assert len(rows) == len(history) > 20
        assert rows == [[defuse(v) for v in row.values()] for row in history]

        index = archive.read(INDEX).decode()
        for name in names - {INDEX}:
            assert f'href="{name}"' in index

    def test_a_user_without_a_staff_role_gets_nothing(self, client, make_user):
        case = demo_case(ORGANISATION)
        export = DossierExport.objects.get(case=case)
        client.force_login(make_user())
        assert client.get(reverse("oversight:dossier", args=[case.pk])).status_code == 403
        assert client.post(reverse("oversight:dossier_export", args=[case.pk])).status_code == 403
        response = client.get(reverse("oversight:dossier_download", args=[case.pk, export.pk]))
        assert response.status_code == 403
        assert DossierExport.objects.filter(case=case).count() == 1
        assert not DossierDownload.objects.exists()

    def test_maria_reads_the_dossier_and_downloads_her_export(self, client):
        from django.contrib.auth import get_user_model

        maria = get_user_model().objects.get(username=AUDITOR)
        case = demo_case(ORGANISATION)
        export = DossierExport.objects.get(case=case)
        client.force_login(maria)
        page = client.get(reverse("oversight:dossier", args=[case.pk]))
        assert page.status_code == 200
        assert 'id="export-download"' in page.content.decode()
        response = client.get(reverse("oversight:dossier_download", args=[case.pk, export.pk]))
        assert response.status_code == 200
        assert DossierDownload.objects.get().user == maria


# --- The public register of the demo ------------------------------------------------------


@pytest.mark.usefixtures("demo")
class TestDemoHasNoPersonalData:
    """The public register of the demo: no person's name, e-mail or phone number."""

    @pytest.fixture(autouse=True)
    def empty_cache(self):
        cache.clear()
        yield
        cache.clear()

    def test_the_demo_people_are_found_to_search_for(self):
        from iop.management.commands.demo_data import DEMO_USERS

        people = personal_data()
        for user in DEMO_USERS:
            if user.last_name:
                assert f"{user.first_name} {user.last_name}" in people
        assert "Lars Öberg" in people  # Fritidsbanken's contact person (partners.demo_story)
        assert any("@" in p for p in people) and any(re.search(r"\d{3}-\d", p) for p in people)

    def test_no_name_email_or_phone_in_the_page_json_or_csv(self, client):
        outputs = {
            "page": client.get(reverse(PAGE)).content.decode(),
            "json": client.get(reverse(JSON)).content.decode(),
            "csv": client.get(reverse(CSV)).content.decode("utf-8-sig"),
            "about": client.get(reverse(ABOUT)).content.decode(),
        }
        payload = json.loads(outputs["json"])
        assert len(payload["items"]) == 7  # the demo's started partnerships
        validator().validate(payload)
        leaks = {
            (where, value)
            for value in personal_data()
            for where, text in outputs.items()
            if value in text or value.replace(" ", "") in text.replace(" ", "")
        }
        assert leaks == set()

    def test_the_build_costs_the_same_queries_as_with_two_cases(self, django_assert_num_queries):
        with django_assert_num_queries(BUILD_QUERIES):
            register = build_register()
        assert len(register.items) == 7
