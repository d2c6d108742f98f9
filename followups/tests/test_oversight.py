"""The oversight per committee: every active IOP with its last check-in, annual evaluation and
committee follow-up, red with the number of days where the committee's follow-up is missing
(the auditors' finding, DOMAIN.md §8); who may read it; constant queries."""

from __future__ import annotations

import datetime
import re

import pytest
from dateutil.relativedelta import relativedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from iop.constants import CaseStatus, Role
from iop.tests.factories import CaseFactory, CommitteeFactory, UserFactory

from .. import selectors
from ..constants import DeadlineKind, DeadlineState
from ..models import CheckIn, Deadline, EarlierFollowUp
from ..services.deadlines import deadlines_recompute
from .factories import active_case

pytestmark = pytest.mark.django_db

ROLES = [
    Role.CASE_OFFICER,
    Role.COORDINATOR,
    Role.JURIST,
    Role.SECRETARY,
    Role.FINANCE,
    Role.AUDITOR,
]


def today() -> datetime.date:
    return timezone.localdate()


def ago(**delta) -> datetime.date:
    return today() - relativedelta(**delta)


@pytest.fixture
def hsn():
    return CommitteeFactory(name="Hälso- och sjukvårdsnämnden", short_code="HSN")


@pytest.fixture
def kbn():
    return CommitteeFactory(name="Kultur- och bildningsnämnden", short_code="KBN")


def followed_up(case, on: datetime.date, kind=DeadlineKind.COMMITTEE_FOLLOW_UP):
    EarlierFollowUp.objects.create(case=case, kind=kind, done_on=on, reference=f"HSN {on} § 12")
    deadlines_recompute(case)
    return case


def sv(singular: str, plural: str = "", n: int = 1) -> str:
    """The page's Swedish for an English msgid (a {% blocktranslate count %} when plural)."""
    with translation.override("sv"):
        if plural:
            return translation.ngettext(singular, plural, n) % {"counter": n}
        return translation.gettext(singular)


def words(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


# --- Who may read ----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["followups:oversight", "followups:oversight_committee"])
def test_anonymous_visitors_are_sent_to_the_login_page(client, hsn, name):
    url = reverse(name, kwargs={"committee_pk": hsn.pk} if "committee" in name else {})
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", ROLES)
def test_every_staff_role_reads_the_oversight(client, make_user, hsn, role):
    active_case(ago(years=3), committee=hsn)
    client.force_login(make_user(role))
    assert client.get(reverse("followups:oversight")).status_code == 200
    response = client.get(reverse("followups:oversight_committee", args=[hsn.pk]))
    assert response.status_code == 200
    assert len(response.context["overview"].rows) == 1


def test_a_user_without_a_staff_role_is_refused(client, make_user, hsn):
    client.force_login(make_user(None))
    assert client.get(reverse("followups:oversight")).status_code == 403
    assert client.get(reverse("followups:oversight_committee", args=[hsn.pk])).status_code == 403


@pytest.mark.parametrize("role", ROLES)
def test_the_oversight_changes_nothing(client, make_user, hsn, role):
    client.force_login(make_user(role))
    assert client.post(reverse("followups:oversight")).status_code == 405
    assert client.post(reverse("followups:oversight_committee", args=[hsn.pk])).status_code == 405


def test_an_unknown_committee_is_not_found(client, coordinator):
    client.force_login(coordinator)
    assert client.get(reverse("followups:oversight_committee", args=[99999])).status_code == 404


# --- The committees --------------------------------------------------------------------


def test_each_committee_counts_its_active_iops_and_those_missing_follow_up(
    client, coordinator, hsn, kbn
):
    for _n in range(3):  # activated three years ago, never followed up by the committee
        active_case(ago(years=3, days=10), committee=hsn)
    followed_up(active_case(ago(years=3), committee=kbn), ago(years=1))
    active_case(ago(months=2), committee=kbn)  # nothing due yet
    CaseFactory(committee=kbn, status=CaseStatus.PREPARATION)  # not followed
    client.force_login(coordinator)

    response = client.get(reverse("followups:oversight"))

    summaries = {s.committee.short_code: s for s in response.context["summaries"]}
    assert (summaries["HSN"].active, summaries["HSN"].missing_follow_up) == (3, 3)
    assert summaries["HSN"].overdue == 3
    assert (summaries["KBN"].active, summaries["KBN"].missing_follow_up) == (2, 0)
    html = response.content.decode()
    assert sv("%(counter)s missing follow-up", "%(counter)s missing follow-up", 3) in words(html)
    assert f'data-committee="{hsn.pk}" class="table-danger"' in html
    assert f'data-committee="{kbn.pk}" class="table-danger"' not in html


def test_the_committees_page_reads_in_constant_queries(
    client, coordinator, hsn, kbn, django_assert_max_num_queries
):
    for _n in range(5):
        active_case(ago(years=3), committee=hsn)
    client.force_login(coordinator)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("followups:oversight")).status_code == 200


# --- One committee's IOPs ---------------------------------------------------------------


def test_an_iop_never_followed_up_by_the_committee_shows_red_with_its_days(
    client, coordinator, hsn
):
    activated = ago(years=3)
    neglected = active_case(activated, committee=hsn)
    due = Deadline.objects.get(case=neglected, kind=DeadlineKind.COMMITTEE_FOLLOW_UP, sequence=1)
    days = (today() - due.due_on).days
    kept = followed_up(active_case(ago(years=3), committee=hsn), ago(months=3))
    client.force_login(coordinator)

    response = client.get(reverse("followups:oversight_committee", args=[hsn.pk]))

    rows = response.context["overview"].rows
    assert [r.case.pk for r in rows] == [neglected.pk, kept.pk]  # the neglected one first
    first, second = rows
    assert first.last_committee_follow_up is None
    assert first.committee_follow_up_overdue_days == days > 300
    assert second.last_committee_follow_up == ago(months=3)
    assert not second.misses_committee_follow_up
    html = response.content.decode()
    row = html[html.index(f'data-case="{neglected.pk}"') :]
    row = row[: row.index("</tr>")]
    assert 'class="table-danger"' in row
    # The number of days in words, not the colour alone.
    missing = sv(
        "Missing follow-up: overdue %(counter)s day",
        "Missing follow-up: overdue %(counter)s days",
        days,
    )
    assert missing in words(row)
    assert sv("Never") in words(row)
    kept_row = html[html.index(f'data-case="{kept.pk}"') :]
    kept_row = kept_row[: kept_row.index("</tr>")]
    assert "table-danger" not in kept_row
    assert ago(months=3).isoformat() in kept_row
    assert response.context["overview"].missing_follow_up == 1


def test_the_last_check_in_and_evaluation_come_from_the_records_and_the_history(
    client, auditor, hsn
):
    case = active_case(ago(years=2, months=2), committee=hsn)
    CheckIn.objects.create(case=case, held_on=ago(months=1), notes="Avstämning")
    EarlierFollowUp.objects.create(
        case=case,
        kind=DeadlineKind.ANNUAL_EVALUATION,
        done_on=ago(years=1),
        reference="RV 2024/55",
    )
    deadlines_recompute(case)
    client.force_login(auditor)

    (row,) = (
        client.get(reverse("followups:oversight_committee", args=[hsn.pk])).context["overview"].rows
    )

    assert row.last_check_in == ago(months=1)
    assert row.last_evaluation == ago(years=1)
    open_deadlines = Deadline.objects.filter(case=case, state=DeadlineState.OPEN)
    assert row.next_due == open_deadlines.filter(due_on__gte=today()).order_by("due_on").first()
    overdue = open_deadlines.filter(due_on__lt=today()).order_by("due_on")
    assert [i.deadline for i in row.overdue] == list(overdue)
    assert all(i.days == (today() - i.deadline.due_on).days for i in row.overdue)


def test_only_followed_iops_of_the_committee_are_listed(client, coordinator, hsn, kbn):
    mine = active_case(ago(years=1), committee=hsn)
    active_case(ago(years=1), committee=kbn)
    CaseFactory(committee=hsn, status=CaseStatus.DRAFTING)
    closed = active_case(ago(years=1), committee=hsn)
    Deadline.objects.filter(case=closed).update(state=DeadlineState.CANCELLED)
    type(closed).objects.filter(pk=closed.pk).update(status=CaseStatus.CLOSED)
    client.force_login(coordinator)
    rows = (
        client.get(reverse("followups:oversight_committee", args=[hsn.pk])).context["overview"].rows
    )
    assert [r.case.pk for r in rows] == [mine.pk]


def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_committee_page_reads_in_the_same_queries_for_3_and_30_iops(client, coordinator, hsn):
    officer = UserFactory(role=Role.CASE_OFFICER)
    for _n in range(3):
        active_case(ago(years=3), committee=hsn, officer=officer)
    client.force_login(coordinator)
    url = reverse("followups:oversight_committee", args=[hsn.pk])
    with_three = _count_queries(client, url)
    for n in range(27):
        case = active_case(ago(years=2, months=n % 12), committee=hsn, officer=officer)
        if n % 3 == 0:
            followed_up(case, ago(months=n))
    with_thirty = _count_queries(client, url)
    assert len(client.get(url).context["overview"].rows) == 30
    assert with_thirty == with_three


def test_the_committee_page_is_paginated(client, coordinator, hsn, monkeypatch):
    monkeypatch.setattr(selectors, "CASES_PER_PAGE", 2)
    cases = [active_case(ago(years=3, days=n), committee=hsn) for n in range(3)]
    client.force_login(coordinator)
    url = reverse("followups:oversight_committee", args=[hsn.pk])
    first = client.get(url).context["overview"]
    second = client.get(url + "?page=2").context["overview"]
    assert len(first.rows) == 2 and len(second.rows) == 1
    assert {r.case.pk for r in first.rows + second.rows} == {c.pk for c in cases}
    assert first.active == 3 and first.missing_follow_up == 3
    # The most overdue first: the earliest activated.
    assert first.rows[0].case.pk == cases[2].pk
