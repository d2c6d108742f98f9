"""The case services: registration, what each role is offered, and the history they leave."""

import datetime

import pytest

from django.core.exceptions import ValidationError

from agreements import conditions as agreement_conditions
from agreements.models import ReviewComment
from iop.constants import CaseEventKind, CaseStatus, PublicBodyKind, Role, Transition
from iop.models import Case, CaseEvent
from iop.services import (
    TransitionRefused,
    available_transitions,
    case_assign_officer,
    case_register,
    case_transition,
    case_transitioned,
)
from iop.tests.factories import CaseFactory, CommitteeFactory, PublicBodyFactory, UserFactory
from iop.tests.test_workflow import ACTORS, ALLOWED, OFFICER, WORKFLOW, make_actor, ready_case
from iop.workflow import rule_for
from partners.tests.factories import OrganisationFactory

REGISTRATION = {
    "title": "Fritidsbanken Karlstad",
    "societal_challenge": "Barn och unga utan råd till fritidsutrustning.",
    "idea_description": "Gratis utlåning av sport- och fritidsutrustning.",
    "received_on": datetime.date(2026, 2, 3),
}


@pytest.fixture
def committee(db):
    return CommitteeFactory()


# --- Registration -------------------------------------------------------------------------


def test_register_numbers_the_case_and_records_who_did_what(
    committee, coordinator, officer, mailoutbox, django_capture_on_commit_callbacks
):
    flens = PublicBodyFactory(
        name="Flens kommun", short_code="FLEN", kind=PublicBodyKind.MUNICIPALITY
    )
    organisations = [OrganisationFactory(declared=True), OrganisationFactory()]

    with django_capture_on_commit_callbacks(execute=True):
        case = case_register(
            actor=coordinator,
            committee=committee,
            organisations=organisations,
            officer=officer,
            public_bodies=[flens],
            **REGISTRATION,
        )

    case = Case.objects.get(pk=case.pk)
    assert (case.registry_number, case.registry_year, case.registry_serial) == (
        "RV 2026/00001",
        2026,
        1,
    )
    assert (case.status, case.officer, case.created_by) == (
        CaseStatus.RECEIVED,
        officer,
        coordinator,
    )
    assert case.public_body == committee.public_body
    assert set(case.public_bodies.all()) == {committee.public_body, flens}
    assert set(case.organisations.all()) == set(organisations)

    events = [
        (e.kind, e.actor, e.assignee, e.from_status, e.to_status)
        for e in CaseEvent.objects.filter(case=case).order_by("pk")
    ]
    assert events == [
        (CaseEventKind.CREATED, coordinator, None, "", CaseStatus.RECEIVED),
        (CaseEventKind.ASSIGNMENT, coordinator, officer, CaseStatus.RECEIVED, CaseStatus.RECEIVED),
    ]

    # simple-history: the case was created (and its parties set) by the coordinator.
    history = list(case.history.order_by("history_id"))
    assert history[0].history_type == "+"
    assert {h.history_user for h in history} == {coordinator}
    assert history[-1].registry_number == "RV 2026/00001"

    # Registered for someone else: that officer is told.
    [mail] = mailoutbox
    assert mail.to == [officer.email]


def test_registering_for_oneself(
    committee, officer, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = case_register(
            actor=officer,
            committee=committee,
            organisations=[OrganisationFactory()],
            **REGISTRATION,
        )

    assert case.officer == officer
    assert list(case.public_bodies.all()) == [committee.public_body]
    assignment = CaseEvent.objects.get(case=case, kind=CaseEventKind.ASSIGNMENT)
    assert assignment.assignee == officer
    assert mailoutbox == []


def test_an_invalid_registration_leaves_nothing_behind(committee, officer):
    with pytest.raises(ValidationError):
        case_register(
            actor=officer,
            committee=committee,
            organisations=[],
            **{**REGISTRATION, "societal_challenge": ""},
        )
    assert Case.objects.count() == 0
    assert CaseEvent.objects.count() == 0


# --- What each role is offered --------------------------------------------------------------


@pytest.mark.parametrize("actor_kind", ACTORS)
def test_available_transitions_per_role_and_stage(db, actor_kind):
    officer, substitute = UserFactory(role=Role.CASE_OFFICER), UserFactory(role=Role.CASE_OFFICER)
    template = Case(officer=officer, substitute=substitute)
    # "inactive" is a deactivated coordinator here; it is offered nothing.
    actor = make_actor(actor_kind, template, OFFICER)

    offered = {}
    for status in CaseStatus:
        # Only the stage and the case's officers matter here: an unsaved case per stage will do.
        case = Case(status=status, officer=officer, substitute=substitute)
        offered[status] = sorted(t.name for t in available_transitions(case, actor))

    expected = {
        status: sorted(
            name
            for source, _, name, role in WORKFLOW
            if source == status and actor_kind in ALLOWED[role]
        )
        for status in CaseStatus
    }
    assert offered == expected


def test_available_transitions_describe_the_form(db, officer):
    case = CaseFactory(status=CaseStatus.RENEGOTIATION, officer=officer)
    offered = {t.name: t for t in available_transitions(case, officer)}

    assert set(offered) == {Transition.COMPLETE_RENEGOTIATION, Transition.GIVE_NOTICE}
    notice = offered[Transition.GIVE_NOTICE]
    assert (notice.source, notice.target) == (CaseStatus.RENEGOTIATION, CaseStatus.NOTICE_GIVEN)
    assert notice.fields == ("notice_date", "notice_given_by")
    assert notice.label and not notice.note_required


def test_the_jurist_returns_with_comments_on_the_version_not_a_note(db, jurist):
    case = ready_case(CaseStatus.LEGAL_REVIEW, Transition.RETURN_TO_DRAFTING)
    offered = {t.name: t.note_required for t in available_transitions(case, jurist)}
    # No note is asked for: the comments are written on the version (review_comments_given).
    assert offered == {Transition.RETURN_TO_DRAFTING: False, Transition.APPROVE_LEGAL_REVIEW: False}
    ReviewComment.objects.filter(version__agreement__case=case).delete()
    with pytest.raises(TransitionRefused) as refused:
        case_transition(case=case, name=Transition.RETURN_TO_DRAFTING, actor=jurist, note="Se § 7.")
    assert refused.value.reasons == [rule_for(agreement_conditions.review_comments_given)]


# --- History and after-commit announcements ---------------------------------------------------


def test_a_transition_is_in_the_case_history_with_its_actor(db, officer):
    case = ready_case(CaseStatus.SIGNING, Transition.ACTIVATE, officer=officer)
    before = case.history.count()

    case_transition(case=case, name=Transition.ACTIVATE, actor=officer)

    assert case.history.count() == before + 1
    latest = case.history.latest("history_id")
    assert (latest.history_type, latest.history_user, latest.status) == (
        "~",
        officer,
        CaseStatus.ACTIVE,
    )
    assert latest.prev_record.status == CaseStatus.SIGNING


def test_a_reassignment_is_in_the_case_history_with_its_actor(db, coordinator):
    case = CaseFactory()
    new_officer = UserFactory(role=Role.CASE_OFFICER)

    case_assign_officer(case=case, actor=coordinator, officer=new_officer)

    latest = case.history.latest("history_id")
    assert (latest.history_user, latest.officer) == (coordinator, new_officer)


@pytest.fixture
def announcements():
    received = []

    def listen(sender, **kwargs):
        kwargs.pop("signal")
        received.append(kwargs)

    case_transitioned.connect(listen, sender=Case)
    yield received
    case_transitioned.disconnect(listen, sender=Case)


def test_a_transition_is_announced_after_commit(
    db, officer, announcements, django_capture_on_commit_callbacks
):
    case = ready_case(CaseStatus.DRAFTING, Transition.SUBMIT_FOR_LEGAL_REVIEW, officer=officer)

    with django_capture_on_commit_callbacks() as callbacks:
        case_transition(case=case, name=Transition.SUBMIT_FOR_LEGAL_REVIEW, actor=officer)
    assert announcements == []  # later apps' side effects must not run before the commit
    for callback in callbacks:
        callback()

    event = CaseEvent.objects.get(case=case, kind=CaseEventKind.TRANSITION)
    assert announcements == [
        {
            "case_id": case.pk,
            "event_id": event.pk,
            "transition": Transition.SUBMIT_FOR_LEGAL_REVIEW,
            "from_status": CaseStatus.DRAFTING,
            "to_status": CaseStatus.LEGAL_REVIEW,
        }
    ]


def test_a_refused_transition_announces_nothing(
    db, officer, announcements, django_capture_on_commit_callbacks
):
    case = CaseFactory(status=CaseStatus.DRAFTING, officer=officer)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(TransitionRefused),
    ):
        case_transition(case=case, name=Transition.ACTIVATE, actor=officer)
    assert (callbacks, announcements) == ([], [])


def test_a_transition_takes_only_its_own_fields(db, officer):
    case = CaseFactory(status=CaseStatus.ACTIVE, officer=officer)
    with pytest.raises(ValueError, match="title"):
        case_transition(
            case=case, name=Transition.GIVE_NOTICE, actor=officer, data={"title": "Nytt namn"}
        )
    with pytest.raises(ValueError, match="no_such_transition"):
        case_transition(case=case, name="no_such_transition", actor=officer)
    case.refresh_from_db()
    assert case.status == CaseStatus.ACTIVE
    assert case.title != "Nytt namn"
    assert not CaseEvent.objects.filter(case=case).exists()


@pytest.mark.django_db
def test_changing_only_the_substitute_keeps_the_note_in_the_timeline(
    coordinator, officer, make_user
):
    from iop.constants import CaseEventKind
    from iop.services import case_assign_officer
    from iop.tests.factories import CaseFactory

    substitute = make_user(Role.CASE_OFFICER, username="johan")
    case = CaseFactory(officer=officer)
    case_assign_officer(
        case=case,
        actor=coordinator,
        officer=officer,
        substitute=substitute,
        note="Anna är föräldraledig.",
    )
    event = case.events.get(kind=CaseEventKind.SUBSTITUTE)
    assert (event.assignee, event.actor, event.note) == (
        substitute,
        coordinator,
        "Anna är föräldraledig.",
    )
    assert not case.events.filter(kind=CaseEventKind.ASSIGNMENT).exists()
