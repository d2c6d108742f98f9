"""The agreements' Django admin: a draft is corrected only by whoever may edit it, with the
same optimistic locks as its pages; a frozen version, the jurist's comments and assessments
are read-only; nothing is deletable and nothing reverted; lists cost constant queries."""

from __future__ import annotations

import pytest

from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from iop.constants import CaseStatus, Role
from iop.tests.test_admin import change_form_data

from ..constants import SectionKey, VersionStatus
from ..models import AgreementSection, AgreementVersion, BudgetLine
from .factories import agreement_at, complete_draft, drafting_case

pytestmark = pytest.mark.django_db

APP = "agreements"


def url(model: str, action: str, *args) -> str:
    return reverse(f"admin:{APP}_{model}_{action}", args=args)


def version_url(version: AgreementVersion) -> str:
    return url("agreementversion", "change", version.pk)


@pytest.fixture
def login(client):
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
def draft(officer):
    return complete_draft(drafting_case(officer=officer))


# --- A draft is corrected here like on its pages ------------------------------------------------


def test_the_officer_corrects_a_draft_and_its_revisions_move_on(login, officer, draft):
    client = login(officer)
    page = client.get(version_url(draft))
    assert page.status_code == 200
    assert page.context["has_change_permission"] is True
    data = change_form_data(page)
    data["notice_months"] = 3
    goals = draft.sections.get(key=SectionKey.GOALS)
    [index] = [
        i
        for i in range(len(draft.sections.all()))
        if str(data.get(f"sections-{i}-id")) == str(goals.pk)
    ]
    data[f"sections-{index}-text"] = "Fler äldre deltar i gemenskapen."

    response = client.post(version_url(draft), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    saved = AgreementVersion.objects.get(pk=draft.pk)
    assert (saved.notice_months, saved.revision) == (3, draft.revision + 1)
    goals_saved = AgreementSection.objects.get(pk=goals.pk)
    assert goals_saved.text == "Fler äldre deltar i gemenskapen."
    assert (goals_saved.revision, goals_saved.updated_by) == (goals.revision + 1, officer)
    assert goals_saved.history.latest("history_id").history_user == officer


def test_a_save_from_a_page_opened_before_another_save_is_refused(login, officer, draft):
    client = login(officer)
    data = change_form_data(client.get(version_url(draft)))
    AgreementVersion.objects.filter(pk=draft.pk).update(revision=draft.revision + 1)
    data["notice_months"] = 3

    response = client.post(version_url(draft), data)

    assert response.status_code == 200
    assert [e.code for e in response.context["adminform"].form.non_field_errors().as_data()] == [
        "conflict"
    ]
    assert AgreementVersion.objects.get(pk=draft.pk).notice_months == draft.notice_months


def test_a_section_saved_by_someone_else_meanwhile_is_not_overwritten(login, officer, draft):
    client = login(officer)
    data = change_form_data(client.get(version_url(draft)))
    section = AgreementSection.objects.get(pk=data["sections-0-id"])
    AgreementSection.objects.filter(pk=section.pk).update(text="Annans text", revision=9)
    data["sections-0-text"] = "Min text"

    response = client.post(version_url(draft), data)

    assert response.status_code == 200
    [formset] = [
        f.formset
        for f in response.context["inline_admin_formsets"]
        if f.formset.prefix == "sections"
    ]
    assert [e.code for e in formset.forms[0].non_field_errors().as_data()] == ["conflict"]
    assert AgreementSection.objects.get(pk=section.pk).text == "Annans text"


@pytest.mark.parametrize("who", ["jurist", "auditor", "other_officer"])
def test_only_whoever_handles_the_case_may_correct_its_draft(request, login, make_user, draft, who):
    user = (
        make_user(Role.CASE_OFFICER, username="bo")
        if who == "other_officer"
        else request.getfixturevalue(who)
    )
    client = login(user)
    page = client.get(version_url(draft))
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    assert client.post(version_url(draft), {"notice_months": 1}).status_code == 403
    assert AgreementVersion.objects.get(pk=draft.pk).notice_months == draft.notice_months


@pytest.mark.parametrize("state", ["submitted", "approved", "signed"])
def test_a_frozen_version_is_read_only_even_for_its_officer_and_a_superuser(
    login, officer, superuser, state
):
    version = agreement_at(drafting_case(officer=officer), state)
    for user in (officer, superuser):
        client = login(user)
        page = client.get(version_url(version))
        assert page.status_code == 200
        assert page.context["has_change_permission"] is False
        assert 'name="_save"' not in page.content.decode()
        assert all(
            not inline.has_change_permission and not inline.has_add_permission
            for inline in page.context["inline_admin_formsets"]
        )
        response = client.post(version_url(version), {"notice_months": 1})
        assert response.status_code == 403
    assert AgreementVersion.objects.get(pk=version.pk).status == state


def test_a_draft_is_read_only_once_the_case_has_left_drafting(login, officer, draft):
    draft.agreement.case.__class__.objects.filter(pk=draft.agreement.case_id).update(
        status=CaseStatus.AWAITING_DECISION
    )
    page = login(officer).get(version_url(draft))
    assert page.context["has_change_permission"] is False


# --- Nothing added, deleted or reverted here -----------------------------------------------------


def test_no_agreements_model_can_be_added_or_deleted_even_by_a_superuser(rf, superuser):
    request = rf.get("/")
    request.user = superuser
    registered = {m: a for m, a in admin.site._registry.items() if m._meta.app_label == APP}
    assert len(registered) == 9
    assert not [m for m, a in registered.items() if a.has_delete_permission(request)]
    assert not [m for m, a in registered.items() if a.has_add_permission(request)]
    for model_admin in registered.values():
        assert "delete_selected" not in model_admin.get_actions(request)


def test_a_budget_line_cannot_be_deleted_through_the_version_page(login, officer, draft):
    client = login(officer)
    page = client.get(version_url(draft))
    assert all(not inline.formset.can_delete for inline in page.context["inline_admin_formsets"])
    line = BudgetLine.objects.filter(version=draft).first()
    assert client.post(url("budgetline", "delete", line.pk), {"post": "yes"}).status_code == 403
    assert BudgetLine.objects.filter(pk=line.pk).exists()


def test_the_history_is_viewable_but_cannot_be_reverted(login, superuser, officer):
    version = agreement_at(drafting_case(officer=officer), "submitted")
    first = version.history.earliest()
    client = login(superuser)
    assert client.get(url("agreementversion", "history", version.pk)).status_code == 200
    old = url("agreementversion", "simple_history", version.pk, first.history_id)
    assert client.get(old).status_code == 200
    assert client.post(old, {"notice_months": 1}).status_code == 403
    assert AgreementVersion.objects.get(pk=version.pk).status == VersionStatus.SUBMITTED


def test_every_agreements_admin_page_opens_for_a_superuser(login, superuser, officer):
    agreement_at(drafting_case(officer=officer), "returned")
    agreement_at(drafting_case(officer=officer), "signed")
    client = login(superuser)
    for model in admin.site._registry:
        opts = model._meta
        if opts.app_label != APP:
            continue
        assert client.get(url(opts.model_name, "changelist")).status_code == 200, opts.model_name
        obj = model._default_manager.first()
        assert obj is not None, opts.model_name
        assert client.get(url(opts.model_name, "change", obj.pk)).status_code == 200
        assert client.get(url(opts.model_name, "history", obj.pk)).status_code == 200
        assert client.get(url(opts.model_name, "add")).status_code == 403


# --- Lists cost the same for one agreement and many -----------------------------------------------


def _queries(client, model: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url(model, "changelist"))
    assert response.status_code == 200
    return len(queries)


LISTS = [
    "agreement",
    "agreementversion",
    "agreementparty",
    "budgetline",
    "reviewcomment",
    "riskassessment",
    "riskfactoranswer",
    "agreementsection",
    "actionplanactivity",
]


def test_the_lists_cost_the_same_queries_for_one_and_many_agreements(login, auditor, officer):
    client = login(auditor)
    agreement_at(drafting_case(officer=officer), "returned")
    agreement_at(drafting_case(officer=officer), "signed")
    one = {model: _queries(client, model) for model in LISTS}
    for state in ("returned", "approved", "signed", "signed"):
        agreement_at(drafting_case(), state)
    assert {model: _queries(client, model) for model in LISTS} == one
