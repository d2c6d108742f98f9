"""The case page: details, timeline, actions (transitions) and reassignment."""

from __future__ import annotations

import datetime
import re

import pytest

from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from agreements import conditions as agreement_conditions
from iop import workflow
from iop.constants import CaseEventKind, CaseStatus, Criterion, Role, Transition
from iop.models import Case, CaseEvent
from iop.selectors import TimelineEntry, case_timeline
from iop.services import case_assign_officer, case_register, case_transition, transition_names
from iop.tests.factories import CaseFactory, ChecklistFactory, CommitteeFactory
from iop.workflow import rule_for
from partners.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

ALL_ROLES = list(Role)


def detail_url(case):
    return reverse("cases:detail", args=[case.pk])


def transition_url(case, name):
    return reverse("cases:transition", args=[case.pk, name])


def reassign_url(case):
    return reverse("cases:reassign", args=[case.pk])


def shown_actions(response) -> list[str]:
    return re.findall(r'data-action="([a-z_]+)"', response.content.decode())


def event_count(case) -> int:
    return CaseEvent.objects.filter(case=case).count()


@pytest.fixture
def case(officer):
    return CaseFactory(officer=officer)


@pytest.fixture
def other_officer(make_user):
    return make_user(Role.CASE_OFFICER, username="bo", email="bo@example.se")


# --- Who may open what ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", [detail_url, reassign_url, lambda c: transition_url(c, Transition.START_PREPARATION)]
)
def test_anonymous_is_sent_to_the_login_page(client, case, url):
    response = client.get(url(case))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("role", ALL_ROLES)
def test_every_staff_role_may_read_the_case(client, make_user, case, role):
    client.force_login(make_user(role))
    response = client.get(detail_url(case))
    assert response.status_code == 200
    assert response.context["case"] == case
    assert case.registry_number in response.content.decode()


def test_a_user_without_a_role_is_refused(client, make_user, case):
    client.force_login(make_user(None))
    assert client.get(detail_url(case)).status_code == 403
    assert client.get(reassign_url(case)).status_code == 403


@pytest.mark.parametrize(
    "url", [detail_url, reassign_url, lambda c: transition_url(c, Transition.START_PREPARATION)]
)
def test_a_case_that_does_not_exist_is_404(client, officer, url):
    client.force_login(officer)
    missing = Case(pk=999_999)
    assert client.get(url(missing)).status_code == 404


def test_an_unknown_action_is_404(client, officer, case):
    client.force_login(officer)
    assert client.get(transition_url(case, "delete_everything")).status_code == 404
    assert client.post(transition_url(case, "delete_everything")).status_code == 404


# --- What the page shows -------------------------------------------------------------------


def test_the_page_shows_the_case_details(client, auditor, make_user):
    substitute = make_user(Role.CASE_OFFICER, first_name="Johan", last_name="Persson")
    organisation = OrganisationFactory(name="Fritidsbanken", declared=True)
    case = CaseFactory(
        status=CaseStatus.PREPARATION, substitute=substitute, organisations=[organisation]
    )
    client.force_login(auditor)
    content = client.get(detail_url(case)).content.decode()
    assert case.registry_number in content
    assert re.search(
        r'id="case-stage"[^>]*>\s*' + re.escape(str(CaseStatus.PREPARATION.label)), content
    )
    assert f'href="{reverse("partners:detail", args=[organisation.pk])}"' in content
    assert organisation.org_number_display in content
    assert case.committee.name in content
    assert case.public_body.name in content
    assert case.officer.get_full_name() in content
    assert "Johan Persson" in content
    assert case.societal_challenge in content
    assert case.idea_description in content
    assert 'id="case-plan"' not in content  # no planning sheet filled in yet

    Case.objects.filter(pk=case.pk).update(plan_target_group="Unga 13–25 år i Värmland.")
    content = client.get(detail_url(case)).content.decode()
    assert 'id="case-plan"' in content
    assert "Unga 13–25 år i Värmland." in content


def test_the_checklist_outcome_is_shown(client, auditor):
    case = CaseFactory(status=CaseStatus.PREPARATION)
    client.force_login(auditor)
    response = client.get(detail_url(case))
    assert response.context["checklist"] is None
    assert "data-outcome" not in response.content.decode()

    checklist = ChecklistFactory(case=case, all_met=True)
    assert 'data-outcome="passed"' in client.get(detail_url(case)).content.decode()

    failed = checklist.answers.get(criterion=Criterion.RV_NO_MARKET)
    failed.answer = False
    failed.save()
    content = client.get(detail_url(case)).content.decode()
    assert 'data-outcome="failed"' in content
    assert str(Criterion.RV_NO_MARKET.label) in content
    try:
        checklist_url = reverse("cases:checklist", args=[case.pk])
    except NoReverseMatch:  # the checklist screen is not there yet
        return
    assert f'href="{checklist_url}"' in content


# Opening start_preparation on a received case, and the reassignment, per role.
MATRIX = {
    "case_officer": (200, 200),
    "substitute": (200, 200),
    Role.COORDINATOR: (200, 200),
    "other_officer": (403, 403),
    Role.JURIST: (403, 403),
    Role.SECRETARY: (403, 403),
    Role.FINANCE: (403, 403),
    Role.AUDITOR: (403, 403),
}


@pytest.mark.parametrize(("who", "expected"), MATRIX.items(), ids=[str(k) for k in MATRIX])
def test_permission_matrix_for_actions_and_reassignment(client, make_user, who, expected):
    officer = make_user(Role.CASE_OFFICER)
    substitute = make_user(Role.CASE_OFFICER)
    case = CaseFactory(officer=officer, substitute=substitute)
    user = {
        "case_officer": officer,
        "substitute": substitute,
        "other_officer": make_user(Role.CASE_OFFICER),
    }.get(who) or make_user(who)
    client.force_login(user)

    transition_status, reassign_status = expected
    assert (
        client.get(transition_url(case, Transition.START_PREPARATION)).status_code
        == transition_status
    )
    assert client.get(reassign_url(case)).status_code == reassign_status
    page = client.get(detail_url(case))
    assert (Transition.START_PREPARATION in shown_actions(page)) == (transition_status == 200)
    assert (reassign_url(case) in page.content.decode()) == (reassign_status == 200)
    if transition_status == 403:
        response = client.post(transition_url(case, Transition.START_PREPARATION), {"note": "x"})
        assert response.status_code == 403
        response = client.post(reassign_url(case), {"officer": user.pk})
        assert response.status_code == 403
        case.refresh_from_db()
        assert case.status == CaseStatus.RECEIVED
        assert case.officer == officer


# --- Actions --------------------------------------------------------------------------------


def test_the_case_officer_sees_the_actions_of_the_stage(client, officer, case):
    client.force_login(officer)
    response = client.get(detail_url(case))
    assert shown_actions(response) == [Transition.START_PREPARATION]
    assert reassign_url(case) in response.content.decode()

    case = CaseFactory(officer=officer, status=CaseStatus.PREPARATION)
    response = client.get(detail_url(case))
    assert set(shown_actions(response)) == {Transition.CLOSE_NOT_PURSUED, Transition.START_DRAFTING}


def test_another_case_officer_sees_no_actions_and_a_crafted_post_is_403(
    client, case, other_officer
):
    client.force_login(other_officer)
    response = client.get(detail_url(case))
    assert shown_actions(response) == []
    assert reassign_url(case) not in response.content.decode()

    before = event_count(case)
    response = client.post(
        transition_url(case, Transition.START_PREPARATION), {"note": "Kapar ärendet"}
    )
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.status == CaseStatus.RECEIVED
    assert event_count(case) == before


@pytest.mark.parametrize("status", list(CaseStatus))
def test_the_auditor_sees_no_actions_in_any_stage(client, auditor, status):
    case = CaseFactory(status=status)
    client.force_login(auditor)
    response = client.get(detail_url(case))
    assert response.status_code == 200
    assert shown_actions(response) == []
    assert response.context["can_reassign"] is False
    assert 'id="reassign-link"' not in response.content.decode()


def test_the_auditor_cannot_take_any_action_by_a_crafted_request(client, auditor):
    case = CaseFactory(status=CaseStatus.LEGAL_REVIEW)
    client.force_login(auditor)
    for name in transition_names():
        assert client.get(transition_url(case, name)).status_code == 403
        assert client.post(transition_url(case, name), {"note": "x"}).status_code == 403
    case.refresh_from_db()
    assert case.status == CaseStatus.LEGAL_REVIEW


@pytest.mark.parametrize("status", list(CaseStatus))
def test_the_jurist_sees_approve_and_return_only_in_legal_review(client, jurist, status):
    case = CaseFactory(status=status)
    client.force_login(jurist)
    shown = set(shown_actions(client.get(detail_url(case))))
    if status == CaseStatus.LEGAL_REVIEW:
        assert shown == {Transition.APPROVE_LEGAL_REVIEW, Transition.RETURN_TO_DRAFTING}
    else:
        assert shown == set()


def test_an_action_in_the_wrong_stage_is_refused_with_the_stage_rule(client, jurist):
    """The jurist may approve agreements, but this case has moved on (a stale page): the page
    says why, offers no form (409), and nothing changes."""
    case = CaseFactory(status=CaseStatus.DRAFTING)
    client.force_login(jurist)
    for response in (
        client.get(transition_url(case, Transition.APPROVE_LEGAL_REVIEW)),
        client.post(transition_url(case, Transition.APPROVE_LEGAL_REVIEW), {"note": "ok"}),
    ):
        assert response.status_code == 409
        assert response.context["reasons"]
        assert "form" not in response.context
        assert 'id="refusal"' in response.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.DRAFTING
    assert event_count(case) == 0


def test_the_officer_moves_a_case_to_preparation_with_a_note(client, officer, case):
    client.force_login(officer)
    page = client.get(transition_url(case, Transition.START_PREPARATION))
    assert page.status_code == 200
    assert 'name="note"' in page.content.decode()

    response = client.post(
        transition_url(case, Transition.START_PREPARATION), {"note": "Första mötet bokat 3 mars."}
    )
    assert response.status_code == 302
    assert response.url == detail_url(case)
    case.refresh_from_db()
    assert case.status == CaseStatus.PREPARATION
    event = CaseEvent.objects.get(case=case, kind=CaseEventKind.TRANSITION)
    assert (event.actor, event.transition, event.note) == (
        officer,
        Transition.START_PREPARATION,
        "Första mötet bokat 3 mars.",
    )

    page = client.get(response.url)
    assert [m.level_tag for m in page.context["messages"]] == ["success"]
    latest = page.context["timeline"][0]
    assert (latest.kind, latest.note, latest.actor) == (
        CaseEventKind.TRANSITION,
        "Första mötet bokat 3 mars.",
        officer,
    )
    assert "Första mötet bokat 3 mars." in page.content.decode()


def test_a_refused_transition_shows_the_rule_and_changes_nothing(client, officer):
    case = CaseFactory(officer=officer, status=CaseStatus.PREPARATION)  # no checklist yet
    client.force_login(officer)
    before = event_count(case)
    response = client.post(
        transition_url(case, Transition.START_DRAFTING), {"note": "Nu skriver vi"}
    )
    assert response.status_code == 200
    assert response.context["reasons"] == [rule_for(Case.checklist_passed)]
    content = response.content.decode()
    assert 'id="refusal"' in content
    assert rule_for(Case.checklist_passed) in content
    assert "Nu skriver vi" in content  # what was typed is kept
    case.refresh_from_db()
    assert case.status == CaseStatus.PREPARATION
    assert event_count(case) == before


def test_start_drafting_goes_through_once_the_checklist_is_met(client, officer):
    case = CaseFactory(officer=officer, ready_for_drafting=True)
    client.force_login(officer)
    response = client.post(transition_url(case, Transition.START_DRAFTING), {"note": ""})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.DRAFTING


def test_closing_as_not_pursued_requires_a_reason_and_keeps_what_was_typed(client, officer):
    case = CaseFactory(officer=officer, status=CaseStatus.PREPARATION)
    client.force_login(officer)
    page = client.get(transition_url(case, Transition.CLOSE_NOT_PURSUED))
    assert 'name="closing_reason"' in page.content.decode()

    response = client.post(
        transition_url(case, Transition.CLOSE_NOT_PURSUED),
        {"note": "Samtal med föreningen 12/3", "closing_reason": "   "},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.has_error("closing_reason", "required")
    assert form.errors["closing_reason"] == [rule_for(Case.has_closing_reason)]
    content = response.content.decode()
    assert 'id="form-errors"' in content
    assert "Samtal med föreningen 12/3" in content
    case.refresh_from_db()
    assert case.status == CaseStatus.PREPARATION
    assert event_count(case) == 0

    response = client.post(
        transition_url(case, Transition.CLOSE_NOT_PURSUED),
        {"note": "Samtal med föreningen 12/3", "closing_reason": "Det är en upphandling."},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.NOT_PURSUED
    assert case.closing_reason == "Det är en upphandling."


def test_returning_to_drafting_requires_a_comment(client, jurist):
    from agreements.models import ReviewComment
    from iop.tests.test_workflow import ready_case

    case = ready_case(CaseStatus.LEGAL_REVIEW, Transition.RETURN_TO_DRAFTING)
    ReviewComment.objects.filter(version__agreement__case=case).delete()
    client.force_login(jurist)
    # The jurist's comments are written on the version; a note alone does not return it.
    response = client.post(
        transition_url(case, Transition.RETURN_TO_DRAFTING), {"note": "Stryk vitesklausulen i § 9."}
    )
    assert response.status_code == 200
    assert response.context["reasons"] == [rule_for(agreement_conditions.review_comments_given)]
    case.refresh_from_db()
    assert case.status == CaseStatus.LEGAL_REVIEW

    ReviewComment.objects.create(
        version=case.agreement.versions.get(),
        section_key="",
        text="Stryk vitesklausulen i § 9.",
        author=jurist,
    )
    response = client.post(transition_url(case, Transition.RETURN_TO_DRAFTING), {"note": ""})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.DRAFTING


@pytest.fixture
def generic_notice_form():
    """The hub's own form for a transition's fields, as an installation without the follow-up
    spoke has it: the spoke's notice page is taken away for the test."""
    page = workflow.action_page(Transition.GIVE_NOTICE)
    workflow.unregister("action_pages", Transition.GIVE_NOTICE)
    yield
    if page:
        workflow.register_action_page(Transition.GIVE_NOTICE, page)


def test_the_notice_button_leads_to_the_follow_up_spokes_notice_page(client, officer):
    case = CaseFactory(officer=officer, status=CaseStatus.ACTIVE)
    client.force_login(officer)
    response = client.get(transition_url(case, Transition.GIVE_NOTICE))
    assert response.status_code == 302
    assert response.url == reverse("followups:notice", args=[case.pk])


@pytest.mark.usefixtures("generic_notice_form")
def test_notice_in_the_future_is_refused_and_the_typed_values_kept(client, officer):
    case = CaseFactory(officer=officer, status=CaseStatus.ACTIVE)
    client.force_login(officer)
    page = client.get(transition_url(case, Transition.GIVE_NOTICE))
    content = page.content.decode()
    assert 'type="date"' in content
    assert 'name="notice_given_by"' in content

    future = timezone.localdate() + datetime.timedelta(days=30)
    response = client.post(
        transition_url(case, Transition.GIVE_NOTICE),
        {
            "note": "Brev från föreningen",
            "notice_date": future.isoformat(),
            "notice_given_by": "organisation",
        },
    )
    assert response.status_code == 200
    assert response.context["reasons"] == [rule_for(Case.notice_date_not_in_future)]
    content = response.content.decode()
    assert f'value="{future.isoformat()}"' in content
    assert "Brev från föreningen" in content
    assert re.search(r'<option value="organisation"\s+selected', content)
    case.refresh_from_db()
    assert (case.status, case.notice_date) == (CaseStatus.ACTIVE, None)

    today = timezone.localdate()
    response = client.post(
        transition_url(case, Transition.GIVE_NOTICE),
        {"note": "", "notice_date": today.isoformat(), "notice_given_by": "organisation"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.notice_date) == (CaseStatus.NOTICE_GIVEN, today)


# --- Reassignment ---------------------------------------------------------------------------


def test_the_coordinator_reassigns_and_the_new_officer_gets_one_email(
    client, coordinator, case, other_officer, make_user, django_capture_on_commit_callbacks
):
    substitute = make_user(Role.CASE_OFFICER, username="cecilia")
    client.force_login(coordinator)
    page = client.get(reassign_url(case))
    assert page.status_code == 200
    choices = {u.username for u in page.context["form"].fields["officer"].queryset}
    assert {"anna", "bo", "cecilia", "karin"} <= choices

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reassign_url(case),
            {
                "officer": other_officer.pk,
                "substitute": substitute.pk,
                "note": "Anna är föräldraledig.",
            },
        )
    assert response.status_code == 302
    assert response.url == detail_url(case)
    case.refresh_from_db()
    assert (case.officer, case.substitute) == (other_officer, substitute)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["bo@example.se"]
    assert case.registry_number in mail.outbox[0].subject
    event = CaseEvent.objects.filter(case=case, kind=CaseEventKind.ASSIGNMENT).latest("at")
    assert (event.actor, event.assignee, event.note) == (
        coordinator,
        other_officer,
        "Anna är föräldraledig.",
    )


def test_only_case_officers_may_be_chosen(client, coordinator, case, jurist):
    client.force_login(coordinator)
    assert jurist not in client.get(reassign_url(case)).context["form"].fields["officer"].queryset
    response = client.post(reassign_url(case), {"officer": jurist.pk})
    assert response.status_code == 200
    assert response.context["form"].has_error("officer", "invalid_choice")
    case.refresh_from_db()
    assert case.officer.username == "anna"


def test_the_substitute_must_be_someone_else(client, coordinator, case, other_officer):
    client.force_login(coordinator)
    response = client.post(
        reassign_url(case),
        {"officer": other_officer.pk, "substitute": other_officer.pk, "note": "Bo tar över"},
    )
    assert response.status_code == 200
    assert response.context["form"].has_error("substitute", "same_person")
    assert "Bo tar över" in response.content.decode()
    case.refresh_from_db()
    assert case.officer.username == "anna"


def test_saving_without_a_change_is_refused(client, officer, case):
    client.force_login(officer)
    response = client.post(reassign_url(case), {"officer": officer.pk})
    assert response.status_code == 200
    assert response.context["form"].has_error("__all__", "unchanged")


def test_the_case_officer_may_hand_the_case_over(client, officer, case, other_officer):
    client.force_login(officer)
    response = client.post(reassign_url(case), {"officer": other_officer.pk})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.officer == other_officer
    # Anna is no longer officer or substitute: she now sees no actions.
    assert shown_actions(client.get(detail_url(case))) == []


# --- Timeline -------------------------------------------------------------------------------


@pytest.fixture
def registered_case(officer, coordinator):
    committee = CommitteeFactory()
    return case_register(
        actor=officer,
        title="Fritidsbanken Karlstad",
        committee=committee,
        societal_challenge="Barn som inte har råd med fritidsutrustning.",
        idea_description="Lån av sport- och fritidsutrustning.",
        organisations=[OrganisationFactory(name="Fritidsbanken", declared=True)],
        received_on=datetime.date(2026, 2, 3),
    )


def test_the_timeline_shows_events_and_changes_newest_first_with_names(
    client, registered_case, officer, coordinator, other_officer, time_machine
):
    case = registered_case
    time_machine.move_to(timezone.now() + datetime.timedelta(minutes=1))
    case_transition(case=case, name=Transition.START_PREPARATION, actor=officer, note="Möte bokat")
    time_machine.move_to(timezone.now() + datetime.timedelta(minutes=1))
    case_assign_officer(case=case, actor=coordinator, officer=other_officer, note="Omfördelat")

    client.force_login(coordinator)
    timeline = client.get(detail_url(case)).context["timeline"]
    assert timeline == case_timeline(case)
    assert [e.at for e in timeline] == sorted((e.at for e in timeline), reverse=True)
    summary = [(e.kind, e.actor) for e in timeline]
    assert summary == [
        (CaseEventKind.ASSIGNMENT, coordinator),
        (TimelineEntry.CHANGE, coordinator),
        (CaseEventKind.TRANSITION, officer),
        (CaseEventKind.ASSIGNMENT, officer),
        (CaseEventKind.CREATED, officer),
    ]
    reassigned, change, moved = timeline[0], timeline[1], timeline[2]
    assert reassigned.note == "Omfördelat"
    assert reassigned.detail == other_officer.get_full_name()
    officer_field = str(Case._meta.get_field("officer").verbose_name)
    assert [(c.label.lower(), c.old, c.new) for c in change.changes] == [
        (officer_field.lower(), officer.get_full_name(), other_officer.get_full_name())
    ]
    assert moved.note == "Möte bokat"
    assert moved.detail == f"{CaseStatus.RECEIVED.label} → {CaseStatus.PREPARATION.label}"


def test_the_timeline_shows_changes_of_plain_and_many_to_many_fields(registered_case, coordinator):
    case = registered_case
    case.title = "Fritidsbanken Värmland"
    case._history_user = coordinator
    case.save()
    case.organisations.add(OrganisationFactory(name="Agera"))

    org_change, title_change = case_timeline(case)[:2]
    assert (org_change.kind, org_change.actor) == (TimelineEntry.CHANGE, coordinator)
    assert [(c.old, c.new) for c in org_change.changes] == [
        ("Fritidsbanken", "Agera, Fritidsbanken")
    ]
    assert [(c.old, c.new) for c in title_change.changes] == [
        ("Fritidsbanken Karlstad", "Fritidsbanken Värmland")
    ]


def test_the_timeline_leaves_out_the_registration_saves_and_stage_fields(registered_case):
    # case_register saves the case, then its organisations and public parties: those belong
    # to the registration, not to later changes; a stage change is told by its event only.
    entries = case_timeline(registered_case)
    assert [e.kind for e in entries] == [CaseEventKind.ASSIGNMENT, CaseEventKind.CREATED]


def _busy_case(officer, coordinator, other_officer, rounds: int) -> Case:
    case = CaseFactory(officer=officer, status=CaseStatus.PREPARATION)
    for i in range(rounds):
        case_assign_officer(
            case=case,
            actor=coordinator,
            officer=other_officer if i % 2 == 0 else officer,
            substitute=officer if i % 2 == 0 else other_officer,
            note=f"runda {i}",
        )
        case.title = f"Titel {i}"
        case._history_user = coordinator
        case.save()
    ChecklistFactory(case=case)
    return case


def test_the_case_page_makes_the_same_number_of_queries_for_1_and_50_events(
    client, officer, coordinator, other_officer
):
    client.force_login(coordinator)
    counts = {}
    for rounds in (1, 50):
        case = _busy_case(officer, coordinator, other_officer, rounds)
        client.get(detail_url(case))  # warm up the session and permission caches
        with CaptureQueriesContext(connection) as queries:
            response = client.get(detail_url(case))
        assert response.status_code == 200
        assert len(response.context["timeline"]) >= 2 * rounds
        counts[rounds] = len(queries)
    assert counts[1] == counts[50]
    # The spokes' panels (the agreement's, the committee's matters, the payments, the
    # dossier's), the double-funding check and the menu's unread notifications count each add
    # a constant number.
    assert counts[50] <= 21, counts
