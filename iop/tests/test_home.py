import datetime

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from iop.constants import CaseStatus, Role
from iop.tests.factories import CaseFactory, ChecklistFactory

pytestmark = pytest.mark.django_db


def _queues(response) -> dict:
    return {q.key: q for q in response.context["queues"]}


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_officer_sees_initiatives_to_prepare_but_not_a_passed_checklist(client, officer):
    without_checklist = CaseFactory(officer=officer, status=CaseStatus.PREPARATION)
    passed = CaseFactory(officer=officer, ready_for_drafting=True)
    failed = CaseFactory(officer=officer, status=CaseStatus.PREPARATION)
    ChecklistFactory(case=failed, all_met=False)
    someone_elses = CaseFactory(status=CaseStatus.RECEIVED)
    client.force_login(officer)

    queue = _queues(client.get(reverse("home")))["to_prepare"]

    assert {c.pk for c in queue.cases} == {without_checklist.pk, failed.pk}
    assert passed.pk not in {c.pk for c in queue.cases}
    assert someone_elses.pk not in {c.pk for c in queue.cases}
    assert queue.total == 2


def test_substitute_sees_the_cases_they_stand_in_for(client, officer, make_user):
    substitute = make_user(Role.CASE_OFFICER, username="johan")
    case = CaseFactory(officer=officer, substitute=substitute, status=CaseStatus.SIGNING)
    client.force_login(substitute)
    assert [c.pk for c in _queues(client.get(reverse("home")))["to_sign"].cases] == [case.pk]


def test_jurist_queue_lists_legal_review_oldest_first(client, jurist):
    now = timezone.now()
    newer = CaseFactory(
        status=CaseStatus.LEGAL_REVIEW, status_changed_at=now - datetime.timedelta(days=1)
    )
    older = CaseFactory(
        status=CaseStatus.LEGAL_REVIEW, status_changed_at=now - datetime.timedelta(days=9)
    )
    CaseFactory(status=CaseStatus.DRAFTING)
    client.force_login(jurist)

    response = client.get(reverse("home"))
    queues = _queues(response)

    assert list(queues) == ["legal_review"]
    assert [c.pk for c in queues["legal_review"].cases] == [older.pk, newer.pk]
    assert older.registry_number in response.content.decode()


def test_secretary_sees_matters_for_the_committee(client, secretary):
    awaiting = CaseFactory(status=CaseStatus.AWAITING_DECISION)
    notice = CaseFactory(status=CaseStatus.NOTICE_GIVEN)
    client.force_login(secretary)
    queues = _queues(client.get(reverse("home")))
    assert [c.pk for c in queues["awaiting_decision"].cases] == [awaiting.pk]
    assert [c.pk for c in queues["notice_given"].cases] == [notice.pk]


def test_coordinator_sees_every_new_initiative(client, coordinator):
    new = CaseFactory(status=CaseStatus.RECEIVED)
    client.force_login(coordinator)
    assert [c.pk for c in _queues(client.get(reverse("home")))["new_initiatives"].cases] == [new.pk]


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.FINANCE])
def test_read_only_roles_have_nothing_waiting(client, make_user, role):
    CaseFactory(status=CaseStatus.LEGAL_REVIEW)
    CaseFactory(status=CaseStatus.AWAITING_DECISION)
    client.force_login(make_user(role))
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert response.context["queues"] == []
    assert 'id="waiting"' not in response.content.decode()


def test_queue_shows_at_most_ten_and_the_total(client, jurist):
    for _ in range(12):
        CaseFactory(status=CaseStatus.LEGAL_REVIEW)
    client.force_login(jurist)
    queue = _queues(client.get(reverse("home")))["legal_review"]
    assert len(queue.cases) == 10
    assert queue.total == 12


def _count_queries(client, user) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("home"))
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("role", [Role.CASE_OFFICER, Role.COORDINATOR, Role.JURIST, Role.SECRETARY])
def test_start_page_query_count_does_not_grow_with_cases(client, make_user, role):
    user = make_user(role)
    statuses = [
        CaseStatus.RECEIVED,
        CaseStatus.PREPARATION,
        CaseStatus.DRAFTING,
        CaseStatus.LEGAL_REVIEW,
        CaseStatus.AWAITING_DECISION,
        CaseStatus.SIGNING,
        CaseStatus.NOTICE_GIVEN,
    ]
    officer = user if role in (Role.CASE_OFFICER, Role.COORDINATOR) else None
    extra = {"officer": officer} if officer else {}
    for status in statuses:
        CaseFactory(status=status, **extra)
    few = _count_queries(client, user)
    for i in range(50):
        CaseFactory(status=statuses[i % len(statuses)], **extra)
    many = _count_queries(client, user)
    assert few == many


def test_start_page_of_an_officer_costs_the_same_queries_for_1_and_50_open_cases(client, officer):
    statuses = [
        CaseStatus.RECEIVED,
        CaseStatus.PREPARATION,
        CaseStatus.DRAFTING,
        CaseStatus.LEGAL_REVIEW,
        CaseStatus.SIGNING,
        CaseStatus.ACTIVE,
    ]
    CaseFactory(status=CaseStatus.PREPARATION, officer=officer)
    one = _count_queries(client, officer)
    for i in range(49):
        case = CaseFactory(status=statuses[i % len(statuses)], officer=officer)
        if i % 3 == 0:
            ChecklistFactory(case=case, all_met=bool(i % 2))
    fifty = _count_queries(client, officer)
    assert one == fifty
