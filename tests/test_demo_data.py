"""The demo data command: Region Värmland's IOPs in their stages with their agreements,
idempotent, every user can log in."""

import datetime
import io

import pytest

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from agreements import services as agreement_services
from agreements.constants import SectionKey, VersionStatus
from agreements.models import Agreement, AgreementVersion, ReviewComment
from iop.constants import CaseEventKind, CaseStatus, Role, Transition
from iop.management.commands.demo_data import DEMO_PASSWORD, DEMO_USERS
from iop.models import Case, CaseEvent, Committee, PublicBody
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
    "Agera Värmland": ("KBN", CaseStatus.ACTIVE),
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


def run_demo_data() -> str:
    out = io.StringIO()
    # The test settings have DEBUG off, like production: the command wants to be told.
    call_command("demo_data", allow_production=True, stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    """Rows in every table of the project's apps and of auth, history tables included."""
    labels = ("iop", "partners", "agreements", "auth", "django_celery_beat")
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in labels
    }


def test_running_twice_changes_nothing():
    first = run_demo_data()
    counts = row_counts()
    latest_event = CaseEvent.objects.latest("pk").pk

    second = run_demo_data()

    assert "Demo data created" in first
    assert "nothing changed" in second
    assert row_counts() == counts
    assert CaseEvent.objects.latest("pk").pk == latest_event


def test_refuses_without_debug_unless_told():
    with pytest.raises(CommandError, match="allow-production"):
        call_command("demo_data", stdout=io.StringIO())
    assert not Case.objects.exists()


def test_a_password_the_user_changed_is_kept():
    run_demo_data()
    anna = get_user_model().objects.get(username="anna")
    anna.set_password("annas-eget-losenord")
    anna.save()

    run_demo_data()

    anna.refresh_from_db()
    assert anna.check_password("annas-eget-losenord")


@pytest.fixture(scope="class")
def demo(django_db_setup, django_db_blocker):
    """The demo data, loaded once for the tests that only read it, and rolled back after them
    (each test still runs in a savepoint of its own)."""
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
        assert client.login(username=demo_user.username, password=DEMO_PASSWORD)
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
        client.login(username="erik", password=DEMO_PASSWORD)
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
        decided = decision_day("Värmlands Idéburna")
        assert new.authorising_decision == f"Kultur- och bildningsnämnden {decided} § 118"
        signed, draft = _versions("Funktionsrätt Värmland")
        region = {v.pk: v.parties.get(kind="public_body").annual_amount for v in (signed, draft)}
        # Kultur- och bildningsnämnden's decision § 19: + 200 000 kr per full year.
        assert region[draft.pk] - region[signed.pk] == 200_000
        decided = decision_day("Funktionsrätt Värmland")
        assert draft.authorising_decision == f"Kultur- och bildningsnämnden {decided} § 19"

    def test_the_agreements_are_dated_in_the_story(self):
        end = start_of_today()  # the story happened before the day it is loaded
        for version in AgreementVersion.objects.all():
            stamps = [version.created_at, version.updated_at, version.submitted_at]
            assert all(s is None or s < end for s in stamps), version
            assert all(h.history_date < end for h in version.history.all()), version
        assert all(c.created_at < end for c in ReviewComment.objects.all())
