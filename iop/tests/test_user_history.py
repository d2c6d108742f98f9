"""Users, their roles and what a role may: every change has history (who, when), a user who
has acted is deactivated and never deleted, and a role group is neither deleted nor renamed."""

from __future__ import annotations

import pytest

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse

from iop.constants import Role
from iop.services.users import user_deactivate

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(make_user):
    return make_user(None, username="root", is_staff=True, is_superuser=True)


def role_group(role: Role) -> Group:
    return Group.objects.get(name=role.value)


def test_giving_a_role_is_recorded_with_who_and_the_groups_either_way(make_user, superuser):
    user = make_user(None, username="ny")
    user._history_user = superuser
    user.groups.add(role_group(Role.JURIST))
    auditors = role_group(Role.AUDITOR)
    auditors._history_user = superuser
    auditors.user_set.add(user)  # from the group's side

    latest = user.history.latest()
    assert latest.history_user == superuser
    assert {row.group.name for row in latest.groups.all()} == {"Jurist", "Revisor"}
    assert [
        {row.group.name for row in h.groups.all()} for h in user.history.order_by("history_id")
    ][-2:] == [{"Jurist"}, {"Jurist", "Revisor"}]


def test_no_password_in_the_history_and_a_login_writes_none(client, make_user):
    user = make_user(Role.CASE_OFFICER, username="anna")
    rows = user.history.count()
    assert "password" not in {f.name for f in type(user.history.first())._meta.fields}

    client.post(reverse("login"), {"username": "anna", "password": "lösenord-för-test"})

    user.refresh_from_db()
    assert user.last_login is not None
    assert user.history.count() == rows


def test_a_roles_permissions_changed_in_the_admin_are_recorded(client, superuser):
    group = role_group(Role.FINANCE)
    added = Permission.objects.get(codename="view_auditevent")
    permissions = [*group.permissions.values_list("pk", flat=True), added.pk]
    client.force_login(superuser)

    response = client.post(
        reverse("admin:auth_group_change", args=[group.pk]),
        {"name": "Omdöpt", "permissions": permissions},
    )

    assert response.status_code == 302
    group.refresh_from_db()
    assert group.name == "Ekonomi"  # the role's name is read-only
    latest = group.history.latest()
    assert latest.history_user == superuser
    assert added.pk in {row.permission_id for row in latest.permissions.all()}
    history = client.get(reverse("admin:auth_group_history", args=[group.pk]))
    assert history.status_code == 200 and "root" in history.content.decode()


def test_a_role_group_is_neither_deleted_nor_renamed_by_any_code(superuser):
    group = role_group(Role.JURIST)
    # (Django deletes inside the caller's transaction: the refusal undoes it.)
    with pytest.raises(PermissionDenied), transaction.atomic():
        group.delete()
    group.name = "Juristerna"
    with pytest.raises(PermissionDenied):
        group.save()
    other = Group.objects.create(name="Projektgrupp")
    other.name = "Projektgruppen"
    other.save()
    other.delete()
    assert Group.objects.filter(name="Jurist").exists()


def test_the_admin_refuses_to_delete_a_role_group(client, superuser):
    group = role_group(Role.JURIST)
    client.force_login(superuser)

    response = client.post(
        reverse("admin:auth_group_delete", args=[group.pk]), {"post": "yes"}, follow=True
    )

    assert Group.objects.filter(pk=group.pk).exists()
    assert [str(m) for m in response.context["messages"]] == ["En rollgrupp kan inte tas bort."]
    changelist = client.get(reverse("admin:auth_group_changelist"))
    assert changelist.context["action_form"] is None  # no bulk delete


def test_a_user_is_deactivated_never_deleted(client, superuser, officer):
    client.force_login(superuser)
    changelist = reverse("admin:auth_user_changelist")

    actions = dict(client.get(changelist).context["action_form"].fields["action"].choices)
    assert "delete_selected" not in actions and "deactivate" in actions
    response = client.post(
        reverse("admin:auth_user_delete", args=[officer.pk]), {"post": "yes"}, follow=True
    )
    assert [str(m) for m in response.context["messages"]] == [
        "En användare tas aldrig bort, så att historiken behåller vem som gjorde vad: "
        "inaktivera användaren i stället."
    ]

    client.post(
        changelist,
        {"action": "deactivate", "_selected_action": [officer.pk, superuser.pk]},
    )

    officer.refresh_from_db()
    superuser.refresh_from_db()
    assert not officer.is_active and superuser.is_active  # not oneself
    assert officer.history.latest().history_user == superuser
    with pytest.raises(PermissionDenied):
        user_deactivate(user=superuser, actor=officer)
