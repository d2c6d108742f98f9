"""The Django admin: cases are registered, reassigned and moved only through the services;
each user is offered exactly the transitions their role may take at the case's stage;
nothing an auditor may ask for can be deleted or reverted; lists cost a constant number
of queries."""

from __future__ import annotations

import datetime
import html

import pytest

from django.contrib import admin
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agreements import conditions as agreement_conditions
from agreements import services as agreement_services
from agreements.constants import SectionKey, VersionStatus
from agreements.models import AgreementVersion, ReviewComment
from agreements.tests.factories import complete_draft
from iop.constants import CaseEventKind, CaseStatus, DocumentKind, NoticeGivenBy, Role, Transition
from iop.models import Case, CaseEvent
from iop.services import case_transition
from iop.tests.factories import (
    CaseDocumentFactory,
    CaseFactory,
    ChecklistFactory,
    CommitteeFactory,
    PublicBodyFactory,
)
from iop.tests.test_workflow import ready_case
from iop.workflow import rule_for
from partners.services import document_register
from partners.tests import upload_files
from partners.tests.factories import ContactPersonFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def change_url(case) -> str:
    return reverse("admin:iop_case_change", args=[case.pk])


def transition_url(case, name: str) -> str:
    return reverse("admin:iop_case_transition", args=[case.pk, name])


def offered(response) -> set[str]:
    return {info.name for info, _url in response.context["case_actions"]}


def transition_events(case) -> list[CaseEvent]:
    return list(CaseEvent.objects.filter(case=case, kind=CaseEventKind.TRANSITION))


def rule(condition) -> str:
    """The Swedish rule a condition enforces, as it appears in the HTML."""
    return html.escape(rule_for(condition), quote=False)


@pytest.fixture
def login(client):
    """Log a role user into the admin (the roles are staff users, as the demo data makes them)."""

    def login_as(user):
        user.is_staff = True
        user.save(update_fields=["is_staff"])
        client.force_login(user)
        return client

    return login_as


@pytest.fixture
def superuser(make_user):
    return make_user(None, username="admin", is_staff=True, is_superuser=True)


@pytest.fixture
def other_officer(make_user):
    return make_user(Role.CASE_OFFICER, username="bo", email="bo@example.se")


def change_form_data(response) -> dict:
    """What the browser would post back from an admin change page, untouched."""
    data: dict = {}

    def add(form, prefix=""):
        for name in form.fields:
            value = form[name].value()
            key = f"{prefix}{name}"
            if value is None:
                continue
            if isinstance(value, list | tuple):
                data[key] = [getattr(v, "pk", v) for v in value]
            elif isinstance(value, datetime.date):
                data[key] = value.isoformat()
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


# --- Transitions as buttons ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status", "expected"),
    [
        ("officer", CaseStatus.RECEIVED, {Transition.START_PREPARATION}),
        (
            "officer",
            CaseStatus.PREPARATION,
            {Transition.CLOSE_NOT_PURSUED, Transition.START_DRAFTING},
        ),
        ("officer", CaseStatus.ACTIVE, {Transition.GIVE_NOTICE}),
        ("coordinator", CaseStatus.DRAFTING, {Transition.SUBMIT_FOR_LEGAL_REVIEW}),
        (
            "jurist",
            CaseStatus.LEGAL_REVIEW,
            {Transition.APPROVE_LEGAL_REVIEW, Transition.RETURN_TO_DRAFTING},
        ),
        (
            "secretary",
            CaseStatus.AWAITING_DECISION,
            {
                Transition.RECORD_APPROVAL,
                Transition.RECORD_REJECTION,
                Transition.RECORD_REFERRAL_BACK,
            },
        ),
        ("officer", CaseStatus.LEGAL_REVIEW, set()),
        ("jurist", CaseStatus.PREPARATION, set()),
        ("auditor", CaseStatus.PREPARATION, set()),
        ("auditor", CaseStatus.LEGAL_REVIEW, set()),
        ("finance", CaseStatus.ACTIVE, set()),
    ],
)
def test_the_change_page_offers_the_transitions_of_this_role_at_this_stage(
    request, login, officer, who, status, expected
):
    user = request.getfixturevalue(who)
    case = CaseFactory(status=status, officer=officer)
    response = login(user).get(change_url(case))
    assert response.status_code == 200
    assert offered(response) == expected
    page = response.content.decode()
    for name in expected:
        assert f'href="{transition_url(case, name)}"' in page
    if not expected:
        assert 'id="case-no-actions"' in page


def test_another_officer_sees_the_case_read_only_and_without_actions(login, officer, other_officer):
    case = CaseFactory(status=CaseStatus.PREPARATION, officer=officer)
    response = login(other_officer).get(change_url(case))
    assert response.status_code == 200
    assert response.context["has_change_permission"] is False
    assert offered(response) == set()
    assert 'name="_save"' not in response.content.decode()


@pytest.mark.parametrize(
    ("who", "status"),
    [("auditor", CaseStatus.ACTIVE), ("jurist", CaseStatus.LEGAL_REVIEW)],
)
def test_a_role_that_may_not_change_cases_sees_them_read_only(request, login, officer, who, status):
    case = CaseFactory(status=status, officer=officer)
    response = login(request.getfixturevalue(who)).get(change_url(case))
    assert response.status_code == 200
    assert response.context["has_change_permission"] is False
    assert 'name="_save"' not in response.content.decode()
    # ...and a crafted POST changes nothing.
    response = login(request.getfixturevalue(who)).post(change_url(case), {"title": "Nytt namn"})
    assert response.status_code == 403
    assert Case.objects.get(pk=case.pk).title == case.title


def test_the_stage_is_read_only_in_the_form(login, officer):
    case = CaseFactory(status=CaseStatus.PREPARATION, officer=officer)
    response = login(officer).get(change_url(case))
    form = response.context["adminform"].form
    assert "status" not in form.fields
    assert not {"registry_number", "registry_year", "registry_serial", "public_body"} & set(
        form.fields
    )
    assert response.context["case_stage_label"] == CaseStatus.PREPARATION.label


def test_a_transition_by_the_right_role_moves_the_case_and_writes_one_event(login, officer):
    case = CaseFactory(status=CaseStatus.RECEIVED, officer=officer)
    client = login(officer)
    page = client.get(transition_url(case, Transition.START_PREPARATION))
    assert page.status_code == 200
    response = client.post(
        transition_url(case, Transition.START_PREPARATION), {"note": "Första mötet bokat"}
    )
    assert response.status_code == 302
    assert response.url == change_url(case)
    case.refresh_from_db()
    assert case.status == CaseStatus.PREPARATION
    [event] = transition_events(case)
    assert (event.actor, event.transition, event.from_status, event.to_status, event.note) == (
        officer,
        Transition.START_PREPARATION,
        CaseStatus.RECEIVED,
        CaseStatus.PREPARATION,
        "Första mötet bokat",
    )
    followed = client.get(response.url)
    assert [m.level_tag for m in followed.context["messages"]] == ["success"]


def test_the_jurist_approves_in_legal_review_through_the_admin(login, officer, jurist):
    case = ready_case(CaseStatus.LEGAL_REVIEW, Transition.APPROVE_LEGAL_REVIEW, officer=officer)
    before = transition_events(case)
    response = login(jurist).post(
        transition_url(case, Transition.APPROVE_LEGAL_REVIEW), {"note": ""}
    )
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).status == CaseStatus.AWAITING_DECISION
    after = transition_events(case)
    [approval] = [e for e in after if e not in before]
    assert len(after) == len(before) + 1
    assert (approval.transition, approval.actor) == (Transition.APPROVE_LEGAL_REVIEW, jurist)
    # The agreement followed: the submitted version is now the approved one.
    assert AgreementVersion.objects.get(agreement__case=case).status == VersionStatus.APPROVED


def test_approving_without_the_assessment_shows_the_rule_and_changes_nothing(
    login, officer, jurist
):
    case = ready_case(CaseStatus.DRAFTING, Transition.SUBMIT_FOR_LEGAL_REVIEW, officer=officer)
    case_transition(case=case, name=Transition.SUBMIT_FOR_LEGAL_REVIEW, actor=officer)
    before = transition_events(case)
    response = login(jurist).post(
        transition_url(case, Transition.APPROVE_LEGAL_REVIEW), {"note": ""}
    )
    assert response.status_code == 200
    assert response.context["reasons"] == [rule_for(agreement_conditions.legal_assessment_recorded)]
    assert (
        f"<li>{rule(agreement_conditions.legal_assessment_recorded)}</li>"
        in response.content.decode()
    )
    assert Case.objects.get(pk=case.pk).status == CaseStatus.LEGAL_REVIEW
    assert transition_events(case) == before


@pytest.mark.parametrize(
    ("status", "name", "condition"),
    [
        (CaseStatus.AWAITING_DECISION, Transition.RECORD_APPROVAL, "approval_recorded"),
        (CaseStatus.AWAITING_DECISION, Transition.RECORD_REJECTION, "rejection_recorded"),
        (
            CaseStatus.AWAITING_DECISION,
            Transition.RECORD_REFERRAL_BACK,
            "referral_back_recorded",
        ),
        (CaseStatus.ACTIVE, Transition.START_RENEGOTIATION, "renegotiation_decided"),
        (CaseStatus.NOTICE_GIVEN, Transition.START_WINDING_DOWN, "ending_decided"),
    ],
)
def test_the_committee_s_moves_in_the_admin_need_the_recorded_decision(
    login, officer, secretary, status, name, condition
):
    # The committee's moves are made by recording the decision (decisions' screens); the
    # admin's button refuses without one, with the rule, and changes nothing.
    from decisions import conditions as decision_conditions

    case = CaseFactory(status=status, officer=officer)
    response = login(secretary).post(transition_url(case, name), {"note": "Beslut."})
    assert response.status_code == 200
    check = getattr(decision_conditions, condition)
    assert response.context["reasons"] == [rule_for(check)]
    assert f"<li>{rule(check)}</li>" in response.content.decode()
    assert Case.objects.get(pk=case.pk).status == status
    assert transition_events(case) == []


@pytest.mark.parametrize(
    ("who", "status", "name"),
    [
        ("auditor", CaseStatus.RECEIVED, Transition.START_PREPARATION),
        ("jurist", CaseStatus.RECEIVED, Transition.START_PREPARATION),
        ("other_officer", CaseStatus.RECEIVED, Transition.START_PREPARATION),
        ("officer", CaseStatus.LEGAL_REVIEW, Transition.APPROVE_LEGAL_REVIEW),
        ("secretary", CaseStatus.LEGAL_REVIEW, Transition.APPROVE_LEGAL_REVIEW),
        ("finance", CaseStatus.AWAITING_DECISION, Transition.RECORD_APPROVAL),
        # The right role, but not at this stage.
        ("jurist", CaseStatus.DRAFTING, Transition.APPROVE_LEGAL_REVIEW),
    ],
)
def test_a_transition_the_user_may_not_take_is_403_and_changes_nothing(
    request, login, officer, who, status, name
):
    case = CaseFactory(status=status, officer=officer)
    client = login(request.getfixturevalue(who))
    assert client.get(transition_url(case, name)).status_code == 403
    assert client.post(transition_url(case, name), {"note": "x"}).status_code == 403
    assert Case.objects.get(pk=case.pk).status == status
    assert transition_events(case) == []


def test_an_unknown_transition_is_404(login, officer):
    case = CaseFactory(officer=officer)
    assert login(officer).get(transition_url(case, "launch_rockets")).status_code == 404


def test_the_transition_view_is_csrf_protected(officer):
    case = CaseFactory(status=CaseStatus.RECEIVED, officer=officer)
    officer.is_staff = True
    officer.save()
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer)
    response = client.post(transition_url(case, Transition.START_PREPARATION), {"note": ""})
    assert response.status_code == 403
    assert Case.objects.get(pk=case.pk).status == CaseStatus.RECEIVED


def test_a_refused_transition_shows_the_swedish_rule_keeps_the_note_and_changes_nothing(
    login, officer
):
    case = CaseFactory(status=CaseStatus.PREPARATION, officer=officer)  # no checklist
    response = login(officer).post(
        transition_url(case, Transition.START_DRAFTING),
        {"note": "Checklistan gick vi igenom i går"},
    )
    assert response.status_code == 200
    assert response.context["reasons"] == [rule_for(Case.checklist_passed)]
    page = response.content.decode()
    assert f"<li>{rule(Case.checklist_passed)}</li>" in page
    assert 'id="refusal"' in page
    assert "Checklistan gick vi igenom i går" in page
    assert Case.objects.get(pk=case.pk).status == CaseStatus.PREPARATION
    assert transition_events(case) == []


def test_start_drafting_succeeds_once_the_checklist_is_met(login, officer):
    case = CaseFactory(officer=officer, ready_for_drafting=True)
    response = login(officer).post(transition_url(case, Transition.START_DRAFTING), {"note": ""})
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).status == CaseStatus.DRAFTING


def test_close_not_pursued_needs_a_reason(login, officer):
    case = CaseFactory(status=CaseStatus.PREPARATION, officer=officer)
    client = login(officer)
    page = client.get(transition_url(case, Transition.CLOSE_NOT_PURSUED)).content.decode()
    assert '<textarea name="closing_reason"' in page

    refused = client.post(
        transition_url(case, Transition.CLOSE_NOT_PURSUED), {"closing_reason": "  "}
    )
    assert refused.status_code == 200
    assert rule(Case.has_closing_reason) in refused.content.decode()
    assert Case.objects.get(pk=case.pk).status == CaseStatus.PREPARATION
    assert transition_events(case) == []

    done = client.post(
        transition_url(case, Transition.CLOSE_NOT_PURSUED),
        {"closing_reason": "Kommunen har redan upphandlat verksamheten."},
    )
    assert done.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.NOT_PURSUED
    assert case.closing_reason == "Kommunen har redan upphandlat verksamheten."
    assert len(transition_events(case)) == 1


def test_give_notice_asks_for_a_date_and_who_gave_it(login, officer):
    case = CaseFactory(status=CaseStatus.ACTIVE, officer=officer)
    client = login(officer)
    page = client.get(transition_url(case, Transition.GIVE_NOTICE)).content.decode()
    assert 'type="date" name="notice_date"' in page
    assert '<select name="notice_given_by"' in page

    future = client.post(
        transition_url(case, Transition.GIVE_NOTICE),
        {"notice_date": "2099-01-01", "notice_given_by": NoticeGivenBy.ORGANISATION},
    )
    assert future.status_code == 200
    assert future.context["reasons"] == [rule_for(Case.notice_date_not_in_future)]
    assert 'value="2099-01-01"' in future.content.decode()
    assert Case.objects.get(pk=case.pk).status == CaseStatus.ACTIVE

    done = client.post(
        transition_url(case, Transition.GIVE_NOTICE),
        {"notice_date": "2026-01-31", "notice_given_by": NoticeGivenBy.ORGANISATION},
    )
    assert done.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.notice_date, case.notice_given_by) == (
        CaseStatus.NOTICE_GIVEN,
        datetime.date(2026, 1, 31),
        NoticeGivenBy.ORGANISATION,
    )


def test_returning_to_drafting_requires_a_comment_on_the_version(login, officer, jurist):
    case = ready_case(CaseStatus.DRAFTING, Transition.SUBMIT_FOR_LEGAL_REVIEW, officer=officer)
    case_transition(case=case, name=Transition.SUBMIT_FOR_LEGAL_REVIEW, actor=officer)
    version = agreement_services.submitted_version(case.agreement)
    client = login(jurist)
    # A note on the transition is not a comment on the version.
    refused = client.post(
        transition_url(case, Transition.RETURN_TO_DRAFTING), {"note": "Se § 7 om vite."}
    )
    assert refused.status_code == 200
    assert refused.context["reasons"] == [rule_for(agreement_conditions.review_comments_given)]
    assert "Se § 7 om vite." in refused.content.decode()
    assert Case.objects.get(pk=case.pk).status == CaseStatus.LEGAL_REVIEW

    ReviewComment.objects.create(
        version=version, section_key=SectionKey.TERMINATION, text="Stryk vitet.", author=jurist
    )
    done = client.post(transition_url(case, Transition.RETURN_TO_DRAFTING), {"note": ""})
    assert done.status_code == 302
    assert Case.objects.get(pk=case.pk).status == CaseStatus.DRAFTING
    version.refresh_from_db()
    assert version.status == VersionStatus.RETURNED
    assert agreement_services.draft_version(case.agreement).based_on == version


def test_the_change_page_shows_the_timeline_newest_first(login, officer, jurist):
    case = CaseFactory(status=CaseStatus.DRAFTING, officer=officer)
    complete_draft(case)
    case_transition(case=case, name=Transition.SUBMIT_FOR_LEGAL_REVIEW, actor=officer)
    agreement_services.return_version(
        case=case,
        actor=jurist,
        comments=[(SectionKey.TERMINATION, "Vite hör inte hemma i ett partnerskap.")],
        note="Stryk vitesklausulen.",
    )
    response = login(officer).get(change_url(case))
    rows = response.context["case_timeline"]
    assert [(r["event"].kind, r["event"].transition) for r in rows] == [
        (CaseEventKind.TRANSITION, Transition.RETURN_TO_DRAFTING),
        (CaseEventKind.TRANSITION, Transition.SUBMIT_FOR_LEGAL_REVIEW),
        (CaseEventKind.AGREEMENT, ""),  # the agreement's draft was started
    ]
    assert rows[0]["who"] == jurist.get_full_name()
    page = response.content.decode()
    assert '<td class="note">Stryk vitesklausulen.</td>' in page


# --- Registering and reassigning through the services -------------------------------------


def _add_data(committee, organisations, officer, **overrides) -> dict:
    return {
        "title": "Mötesplatser för äldre",
        "committee": committee.pk,
        "organisations": [o.pk for o in organisations],
        "received_on": "2026-03-02",
        "societal_challenge": "Ensamhet bland äldre.",
        "idea_description": "Träffar i bygdegårdarna.",
        "officer": officer.pk,
        **overrides,
    }


def test_a_case_added_in_the_admin_is_registered_by_the_service(
    login, officer, django_capture_on_commit_callbacks
):
    committee = CommitteeFactory()
    organisations = [OrganisationFactory(), OrganisationFactory()]
    mora = PublicBodyFactory(name="Mora kommun", short_code="MORA", kind="kommun")
    client = login(officer)
    assert client.get(reverse("admin:iop_case_add")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:iop_case_add"),
            _add_data(committee, organisations, officer, public_bodies=[mora.pk]),
        )
    assert response.status_code == 302, response.context["adminform"].form.errors
    case = Case.objects.get()
    assert case.registry_number == "RV 2026/00001"
    assert (case.registry_year, case.registry_serial) == (2026, 1)
    assert case.status == CaseStatus.RECEIVED
    assert case.created_by == officer
    assert set(case.organisations.all()) == set(organisations)
    assert set(case.public_bodies.all()) == {committee.public_body, mora}
    assert [e.kind for e in case.events.order_by("pk")] == [
        CaseEventKind.CREATED,
        CaseEventKind.ASSIGNMENT,
    ]
    assert mail.outbox == []  # the officer registered it themselves

    second = client.post(
        reverse("admin:iop_case_add"), _add_data(committee, organisations, officer)
    )
    assert second.status_code == 302
    assert Case.objects.latest("pk").registry_number == "RV 2026/00002"


def test_registering_for_another_officer_emails_them(
    login, coordinator, officer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = login(coordinator).post(
            reverse("admin:iop_case_add"),
            _add_data(CommitteeFactory(), [OrganisationFactory()], officer),
        )
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [[officer.email]]


def test_changing_the_officer_in_the_admin_records_it_and_emails_the_new_officer_once(
    login, coordinator, officer, other_officer, django_capture_on_commit_callbacks
):
    case = CaseFactory(status=CaseStatus.PREPARATION, officer=officer)
    client = login(coordinator)
    data = change_form_data(client.get(change_url(case)))
    data.update(officer=other_officer.pk, title="Mötesplatser i hela länet")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(change_url(case), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    case.refresh_from_db()
    assert (case.officer, case.title, case.status) == (
        other_officer,
        "Mötesplatser i hela länet",
        CaseStatus.PREPARATION,
    )
    [event] = CaseEvent.objects.filter(case=case, kind=CaseEventKind.ASSIGNMENT)
    assert (event.actor, event.assignee) == (coordinator, other_officer)
    assert [m.to for m in mail.outbox] == [[other_officer.email]]


def test_editing_other_details_sends_no_email(login, officer, django_capture_on_commit_callbacks):
    case = CaseFactory(status=CaseStatus.PREPARATION, officer=officer)
    client = login(officer)
    data = change_form_data(client.get(change_url(case)))
    data["title"] = "Nytt namn"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(change_url(case), data)
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).title == "Nytt namn"
    assert not CaseEvent.objects.filter(case=case, kind=CaseEventKind.ASSIGNMENT).exists()
    assert mail.outbox == []


def test_the_officer_must_be_someone_who_handles_cases(login, coordinator, officer, auditor):
    case = CaseFactory(officer=officer)
    client = login(coordinator)
    data = change_form_data(client.get(change_url(case)))
    data["officer"] = auditor.pk
    response = client.post(change_url(case), data)
    assert response.status_code == 200
    assert [e.code for e in response.context["adminform"].form.errors.as_data()["officer"]] == [
        "invalid_choice"
    ]
    assert Case.objects.get(pk=case.pk).officer == officer


# --- Lists, search, filters ---------------------------------------------------------------


def _changelist_queries(client, **params) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("admin:iop_case_changelist"), params)
    assert response.status_code == 200
    return len(queries)


def test_the_case_list_costs_the_same_queries_for_1_and_30_cases(login, auditor):
    client = login(auditor)
    committees = [
        CommitteeFactory(),
        CommitteeFactory(name="Hälso- och sjukvårdsnämnden", short_code="HSN"),
    ]
    CaseFactory(
        committee=committees[0], organisations=[OrganisationFactory(), OrganisationFactory()]
    )
    one = _changelist_queries(client)
    for n in range(29):
        CaseFactory(
            committee=committees[n % 2],
            organisations=[OrganisationFactory() for _ in range(n % 3 + 1)],
            status=list(CaseStatus)[n % len(CaseStatus)],
        )
    assert Case.objects.count() == 30
    assert _changelist_queries(client) == one
    assert _changelist_queries(client, q="Partnerskap") == _changelist_queries(
        client, q="Partnerskap", status="active"
    )


def test_the_list_shows_the_columns_and_searches_organisation_numbers_with_hyphen(login, officer):
    organisation = OrganisationFactory(name="Fritidsbanken Karlstad", org_number="8020023456")
    case = CaseFactory(officer=officer, organisations=[organisation], title="Fritidsbanken")
    CaseFactory(officer=officer, title="Annat partnerskap")
    client = login(officer)
    response = client.get(reverse("admin:iop_case_changelist"))
    page = response.content.decode()
    assert case.registry_number in page and "Fritidsbanken Karlstad" in page
    for term in ("802002-3456", "8020023456", "Fritidsbanken Karl", case.registry_number):
        found = client.get(reverse("admin:iop_case_changelist"), {"q": term})
        assert list(found.context["cl"].result_list) == [case], term


def test_the_list_filters_by_stage_committee_officer_and_year(login, officer, other_officer):
    hsn = CommitteeFactory(name="Hälso- och sjukvårdsnämnden", short_code="HSN")
    a = CaseFactory(officer=officer, status=CaseStatus.ACTIVE, committee=hsn)
    b = CaseFactory(officer=other_officer, registry_year=2025)
    client = login(officer)

    def results(**params):
        response = client.get(reverse("admin:iop_case_changelist"), params)
        return set(response.context["cl"].result_list)

    assert results(status="active") == {a}
    assert results(committee__id__exact=hsn.pk) == {a}
    assert results(officer__id__exact=other_officer.pk) == {b}
    assert results(registry_year=2025) == {b}


# --- Nothing deletable, nothing reverted --------------------------------------------------


def test_a_case_cannot_be_deleted_even_by_a_superuser(login, superuser):
    case = CaseFactory()
    client = login(superuser)
    delete_url = reverse("admin:iop_case_delete", args=[case.pk])
    assert client.get(delete_url).status_code == 403
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    assert Case.objects.filter(pk=case.pk).exists()
    changelist = client.get(reverse("admin:iop_case_changelist"))
    assert "delete_selected" not in changelist.context["cl"].model_admin.get_actions(
        changelist.wsgi_request
    )


def test_no_model_in_iop_or_partners_can_be_deleted_except_contact_persons(rf, superuser):
    request = rf.get("/")
    request.user = superuser
    deletable = {
        model._meta.model_name
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label in {"iop", "partners"}
        and model_admin.has_delete_permission(request)
    }
    assert deletable == {"contactperson"}


def test_case_events_and_registry_sequences_are_read_only(login, superuser):
    case = CaseFactory()
    event = case.events.first() or CaseEvent.objects.create(case=case, kind=CaseEventKind.CREATED)
    client = login(superuser)
    assert client.get(reverse("admin:iop_caseevent_changelist")).status_code == 200
    assert client.get(reverse("admin:iop_caseevent_add")).status_code == 403
    response = client.get(reverse("admin:iop_caseevent_change", args=[event.pk]))
    assert response.status_code == 200
    assert response.context["has_change_permission"] is False
    assert (
        client.post(reverse("admin:iop_caseevent_change", args=[event.pk]), {}).status_code == 403
    )
    assert client.get(reverse("admin:iop_registrysequence_changelist")).status_code == 200
    assert client.get(reverse("admin:iop_registrysequence_add")).status_code == 403


def test_the_history_is_viewable_but_cannot_be_reverted(login, superuser, officer):
    case = CaseFactory(status=CaseStatus.DRAFTING, officer=officer)
    complete_draft(case)
    version = case.history.earliest()
    case_transition(case=case, name=Transition.SUBMIT_FOR_LEGAL_REVIEW, actor=officer)
    client = login(superuser)
    history = client.get(reverse("admin:iop_case_history", args=[case.pk]))
    assert history.status_code == 200
    old = reverse("admin:iop_case_simple_history", args=[case.pk, version.history_id])
    assert client.get(old).status_code == 200
    assert client.post(old, {"title": "Tillbaka"}).status_code == 403
    assert Case.objects.get(pk=case.pk).status == CaseStatus.LEGAL_REVIEW


# --- Every page of every model opens ------------------------------------------------------


def test_every_iop_and_partners_admin_page_opens_for_a_superuser(login, superuser):
    case = CaseFactory(ready_for_drafting=True)
    CaseDocumentFactory(case=case)
    ContactPersonFactory(organisation=case.organisations.get())
    document_register(
        organisation=case.organisations.get(),
        actor=superuser,
        kind=DocumentKind.STATUTES,
        file=upload_files.upload("stadgar.pdf", upload_files.pdf_bytes()),
        received_on=datetime.date(2026, 3, 2),
        case=case,
    )
    client = login(superuser)
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        if opts.app_label not in {"iop", "partners"}:
            continue
        info = f"admin:{opts.app_label}_{opts.model_name}"
        assert client.get(reverse(f"{info}_changelist")).status_code == 200, opts.model_name
        if model_admin.has_add_permission(type("R", (), {"user": superuser})()):
            assert client.get(reverse(f"{info}_add")).status_code == 200, opts.model_name
        obj = model._default_manager.first()
        if obj is not None:
            assert client.get(reverse(f"{info}_change", args=[obj.pk])).status_code == 200
            if hasattr(model, "history"):
                assert client.get(reverse(f"{info}_history", args=[obj.pk])).status_code == 200


def test_a_checklist_added_in_the_admin_gets_one_row_per_criterion(login, officer):
    case = CaseFactory(status=CaseStatus.PREPARATION, officer=officer)
    client = login(officer)
    data = {"case": case.pk, "answers-TOTAL_FORMS": 0, "answers-INITIAL_FORMS": 0}
    response = client.post(reverse("admin:iop_checklist_add"), data)
    assert response.status_code == 302
    assert case.checklist.answers.count() == 18


def test_only_the_case_officer_answers_the_checklist(login, officer, other_officer):
    checklist = ChecklistFactory(case=CaseFactory(officer=officer))
    url = reverse("admin:iop_checklist_change", args=[checklist.pk])
    assert login(other_officer).get(url).context["has_change_permission"] is False
    assert login(officer).get(url).context["has_change_permission"] is True


# --- The checklist is written through its service, and only while it may change ----------


@pytest.mark.parametrize("status", [CaseStatus.DRAFTING, CaseStatus.ACTIVE, CaseStatus.NOT_PURSUED])
def test_the_checklist_of_a_case_past_preparation_is_read_only_in_the_admin(
    login, officer, coordinator, status
):
    checklist = ChecklistFactory(case=CaseFactory(officer=officer, status=status))
    answer = checklist.answers.order_by("pk").first()
    checklist_url = reverse("admin:iop_checklist_change", args=[checklist.pk])
    answer_url = reverse("admin:iop_checklistanswer_change", args=[answer.pk])
    for user in (officer, coordinator):
        client = login(user)
        assert client.get(checklist_url).context["has_change_permission"] is False
        assert client.get(answer_url).context["has_change_permission"] is False
        # A crafted POST (what the checklist screen answers with 403) changes nothing.
        crafted = {
            "why_cooperate": "Ändrat i efterhand.",
            "answers-TOTAL_FORMS": 1,
            "answers-INITIAL_FORMS": 1,
            "answers-0-id": answer.pk,
            "answers-0-checklist": checklist.pk,
            "answers-0-answer": "false",
        }
        assert client.post(checklist_url, crafted).status_code == 403
        assert client.post(answer_url, {"answer": "false", "comment": "x"}).status_code == 403
    checklist.refresh_from_db()
    answer.refresh_from_db()
    assert (checklist.why_cooperate, answer.answer, answer.comment) == ("", None, "")


def test_the_admin_answers_the_checklist_in_preparation_through_the_service(login, officer):
    checklist = ChecklistFactory(case=CaseFactory(officer=officer, status=CaseStatus.PREPARATION))
    answer = checklist.answers.order_by("pk").first()
    client = login(officer)
    url = reverse("admin:iop_checklist_change", args=[checklist.pk])
    data = change_form_data(client.get(url))
    data["answers-0-answer"] = "true"
    data["answers-0-comment"] = "Tydligt i ansökan."
    data["why_cooperate"] = "För att nå fler."

    assert client.post(url, data).status_code == 302

    answer.refresh_from_db()
    checklist.refresh_from_db()
    assert (answer.answer, answer.comment) == (True, "Tydligt i ansökan.")
    assert checklist.why_cooperate == "För att nå fler."
    assert answer.history.latest().history_user == officer
    assert checklist.history.latest().history_user == officer
    # Only the row that changed was written.
    assert [a.history.count() for a in checklist.answers.exclude(pk=answer.pk)] == [0] * 17


def test_editing_a_case_in_the_admin_records_who_did_it(login, officer):
    case = CaseFactory(officer=officer)
    client = login(officer)
    data = change_form_data(client.get(change_url(case)))
    data["title"] = "Mötesplatser för unga"

    assert client.post(change_url(case), data).status_code == 302

    case.refresh_from_db()
    assert case.title == "Mötesplatser för unga"
    assert case.history.latest().history_user == officer
