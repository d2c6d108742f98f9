"""The test spoke (tests/spoke, installed only by the test settings) hooks into the case through
every extension point of iop.workflow, and no file under iop/ knows it exists."""

from pathlib import Path

import pytest

from django.contrib.auth.models import Group
from django.urls import reverse

from iop import workflow
from iop.constants import CaseStatus, Role, Transition
from iop.models import Case, CaseEvent
from iop.roles import sync_roles
from iop.services import TransitionRefused, case_transition
from iop.tests.factories import CaseFactory
from tests.spoke.models import Hold
from tests.spoke.services import hold_case

pytestmark = pytest.mark.django_db

RULE_SV = "Testappen håller ärendet: släpp det först."
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def held(officer):
    case = CaseFactory(officer=officer)
    hold_case(case=case, reason="Väntar på intyg")
    return case


def test_no_file_of_the_hub_names_the_test_spoke():
    # Only the test settings install it (iop/settings/test.py: the project, not the case).
    hub_files = [
        *(p for p in (ROOT / "iop").rglob("*.py") if "settings" not in p.parts),
        *(ROOT / "templates" / "iop").rglob("*.html"),
    ]
    named = [p for p in hub_files if "tests.spoke" in p.read_text() or "spoke/" in p.read_text()]
    assert named == []


def test_its_guard_refuses_the_transition_with_its_swedish_rule(held, officer):
    with pytest.raises(TransitionRefused) as refused:
        case_transition(case=held, name=Transition.START_PREPARATION, actor=officer)
    assert refused.value.reasons == [RULE_SV]
    assert Case.objects.get(pk=held.pk).status == CaseStatus.RECEIVED
    assert not CaseEvent.objects.filter(case=held, transition=Transition.START_PREPARATION).exists()


def test_its_guard_is_django_fsms_own_condition(held, officer):
    from django_fsm import can_proceed

    assert not can_proceed(Case.objects.get(pk=held.pk).start_preparation)
    Hold.objects.filter(case=held).delete()
    assert can_proceed(Case.objects.get(pk=held.pk).start_preparation)


def test_its_guard_refuses_on_the_case_page_too(client, held, officer):
    client.force_login(officer)
    url = reverse("cases:transition", args=[held.pk, Transition.START_PREPARATION])
    response = client.post(url, {"note": ""})
    assert response.status_code == 200
    assert response.context["reasons"] == [RULE_SV]
    assert RULE_SV in response.content.decode()
    assert Case.objects.get(pk=held.pk).status == CaseStatus.RECEIVED


def test_without_a_hold_the_transition_goes_through(officer):
    case = CaseFactory(officer=officer)
    moved = case_transition(case=case, name=Transition.START_PREPARATION, actor=officer)
    assert moved.status == CaseStatus.PREPARATION


def test_its_panel_shows_on_the_case_page(client, held, officer):
    client.force_login(officer)
    content = client.get(reverse("cases:detail", args=[held.pk])).content.decode()
    assert 'id="case-spoke"' in content
    assert "Held: Väntar på intyg" in content


def test_its_queue_shows_on_the_start_page_for_the_role_it_names(client, held, make_user):
    auditor = make_user(Role.AUDITOR, username="maria")
    client.force_login(auditor)
    queues = {q.key: q for q in client.get(reverse("home")).context["queues"]}
    assert [c.pk for c in queues["spoke_holds"].cases] == [held.pk]
    assert "Ärenden som testappen håller" in client.get(reverse("home")).content.decode()


def test_its_queue_is_not_shown_to_other_roles(client, held, officer):
    client.force_login(officer)
    assert "spoke_holds" not in {q.key for q in client.get(reverse("home")).context["queues"]}


def test_its_permission_is_in_the_group_after_sync_roles():
    from django.apps import apps

    group = Group.objects.get(name=Role.AUDITOR)
    group.permissions.clear()
    sync_roles(apps)
    codes = set(group.permissions.values_list("content_type__app_label", "codename"))
    assert ("spoke", "see_holds") in codes
    assert ("iop", "view_case") in codes


def test_its_demo_part_is_registered_and_plays(officer):
    parts = {part.key: part for part in workflow.demo_parts()}
    assert parts["spoke"].order > parts["iop"].order
    case = CaseFactory(officer=officer)

    class Story:  # what the part asks of iop.demo.Story
        actions = []

        def schedule(self, at, action):
            self.actions.append(action)

    story = Story()
    parts["spoke"].load()(story)
    for action in story.actions:
        action()
    assert Hold.objects.get(case=case).reason == "Demo hold"
