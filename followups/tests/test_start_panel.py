"""The follow-up at the top of the start page: each case officer's overdue deadlines first,
then those due within 14 days (also of the cases they stand in for while the officer is
away); the coordinator's every overdue item in the installation, most overdue first, with a
link to the oversight. Constant queries."""

from __future__ import annotations

import datetime

import pytest
from dateutil.relativedelta import relativedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from iop.constants import Role
from iop.tests.factories import UserFactory

from .. import selectors
from ..constants import DeadlineKind, DeadlineState
from ..models import Absence, Deadline, ReminderSettings
from .factories import active_case

pytestmark = pytest.mark.django_db


def today() -> datetime.date:
    return timezone.localdate()


def ago(**delta) -> datetime.date:
    return today() - relativedelta(**delta)


def panel_of(client, user):
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response


def set_due(case, kind: DeadlineKind, due_on: datetime.date, sequence: int | None = None):
    """Move one open deadline of ``case`` to ``due_on`` (the others out of the way)."""
    rows = Deadline.objects.filter(case=case, state=DeadlineState.OPEN)
    rows.update(due_on=today() + datetime.timedelta(days=200))
    row = rows.filter(kind=kind).order_by("sequence").first()
    Deadline.objects.filter(pk=row.pk).update(due_on=due_on)
    return Deadline.objects.get(pk=row.pk)


def test_the_officer_sees_overdue_first_then_what_falls_due_within_14_days(client, officer):
    soon_case = active_case(ago(months=3), officer=officer)
    late_case = active_case(ago(months=3), officer=officer)
    later_case = active_case(ago(months=3), officer=officer)
    soon = set_due(soon_case, DeadlineKind.CHECK_IN, today() + datetime.timedelta(days=3))
    late = set_due(late_case, DeadlineKind.CHECK_IN, today() - datetime.timedelta(days=12))
    set_due(later_case, DeadlineKind.CHECK_IN, today() + datetime.timedelta(days=20))
    someone_elses = active_case(ago(months=3))
    set_due(someone_elses, DeadlineKind.CHECK_IN, today() - datetime.timedelta(days=40))

    response = panel_of(client, officer)

    html = response.content.decode()
    assert 'id="followup-panel"' in html
    # Above the rest of the start page.
    assert html.index('id="followup-panel"') < html.index('id="stages"')
    mine = html[html.index('id="followup-mine"') :]
    order = [mine.index(f'data-deadline="{d.pk}"') for d in (late, soon)]
    assert order == sorted(order)
    assert f'data-deadline="{late.pk}" data-state="overdue"' in mine
    assert f'data-deadline="{soon.pk}" data-state="due-soon"' in mine
    panel = selectors.start_panel(officer)
    assert [i.deadline.pk for i in panel.mine_overdue] == [late.pk]
    assert panel.mine_overdue[0].days == 12
    assert [i.deadline.pk for i in panel.mine_due_soon] == [soon.pk]
    assert panel.all_overdue is None  # not a coordinator
    assert 'id="followup-all-overdue"' not in html


def test_the_substitute_sees_the_absent_officers_deadlines_only_while_they_are_away(
    client, officer, make_user
):
    johan = make_user(Role.CASE_OFFICER, username="johan")
    case = active_case(ago(months=3), officer=officer, substitute=johan)
    late = set_due(case, DeadlineKind.CHECK_IN, today() - datetime.timedelta(days=5))

    assert selectors.start_panel(johan).mine_overdue == []

    absence = Absence.objects.create(
        user=officer, starts_on=ago(days=2), ends_on=today() + datetime.timedelta(days=7)
    )
    panel = selectors.start_panel(johan)
    assert [i.deadline.pk for i in panel.mine_overdue] == [late.pk]
    assert panel.mine_overdue[0].standing_in
    html = panel_of(client, johan).content.decode()
    assert f'data-deadline="{late.pk}"' in html

    Absence.objects.filter(pk=absence.pk).update(ended_early_at=timezone.now())
    assert selectors.start_panel(johan).mine_overdue == []
    Absence.objects.filter(pk=absence.pk).update(
        ended_early_at=None, starts_on=ago(days=20), ends_on=ago(days=1)
    )
    assert selectors.start_panel(johan).mine_overdue == []  # back at work


def test_the_coordinator_sees_every_overdue_item_most_overdue_first_and_the_oversight(
    client, coordinator
):
    a = active_case(ago(months=3))
    b = active_case(ago(months=3))
    c = active_case(ago(months=3))
    ten = set_due(a, DeadlineKind.CHECK_IN, today() - datetime.timedelta(days=10))
    ninety = set_due(b, DeadlineKind.CHECK_IN, today() - datetime.timedelta(days=90))
    set_due(c, DeadlineKind.CHECK_IN, today() + datetime.timedelta(days=5))  # not overdue

    response = panel_of(client, coordinator)

    panel = response.context["panels"]
    html = response.content.decode()
    assert panel  # rendered
    everything = html[html.index('id="followup-all-overdue"') :]
    assert everything.index(f'data-deadline="{ninety.pk}"') < everything.index(
        f'data-deadline="{ten.pk}"'
    )
    assert reverse("followups:oversight") in html
    assert 'id="followup-oversight-link"' in html
    data = selectors.start_panel(coordinator)
    assert [i.deadline.pk for i in data.all_overdue] == [ninety.pk, ten.pk]
    assert [i.days for i in data.all_overdue] == [90, 10]
    assert data.all_overdue_total == 2
    # Karin handles no case herself: no empty personal list.
    assert not data.show_mine
    assert 'id="followup-mine"' not in html


@pytest.mark.parametrize("role", [Role.JURIST, Role.SECRETARY, Role.FINANCE, Role.AUDITOR])
def test_roles_that_handle_no_case_get_no_panel(client, make_user, role):
    active_case(ago(years=3))
    user = make_user(role)
    assert selectors.start_panel(user) is None
    assert 'id="followup-panel"' not in panel_of(client, user).content.decode()


def test_a_user_without_a_role_gets_no_panel(make_user):
    assert selectors.start_panel(make_user(None)) is None


def test_the_officer_with_nothing_due_reads_so(client, officer):
    active_case(ago(days=10), officer=officer)
    html = panel_of(client, officer).content.decode()
    assert 'id="followup-mine-empty"' in html


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("home")).status_code == 200
    return len(queries)


@pytest.mark.parametrize("role", [Role.CASE_OFFICER, Role.COORDINATOR])
def test_the_panel_reads_in_the_same_queries_for_3_and_30_overdue_items(client, make_user, role):
    user = make_user(role)
    officer = user if role == Role.CASE_OFFICER else UserFactory(role=Role.CASE_OFFICER)
    for n in range(3):
        active_case(ago(years=1, days=n), officer=officer)
    client.force_login(user)
    with_three = _queries(client)
    for n in range(27):
        active_case(ago(years=1, months=n % 6, days=n), officer=officer)
    with_thirty = _queries(client)
    panel = selectors.start_panel(user)
    items = panel.mine_overdue if role == Role.CASE_OFFICER else panel.all_overdue
    assert len(items) == selectors.PANEL_SIZE
    assert with_thirty == with_three


def test_the_lead_time_is_the_reminder_setting(officer):
    case = active_case(ago(months=3), officer=officer)
    in_twenty = set_due(case, DeadlineKind.CHECK_IN, today() + datetime.timedelta(days=20))
    assert selectors.start_panel(officer).mine_due_soon == []
    ReminderSettings.objects.update_or_create(pk=1, defaults={"due_soon_days": 30})
    panel = selectors.start_panel(officer)
    assert [i.deadline.pk for i in panel.mine_due_soon] == [in_twenty.pk]
    assert panel.mine_due_soon[0].days == 20
    assert panel.due_soon_days == 30
