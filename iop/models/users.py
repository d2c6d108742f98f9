"""History of the users, their groups and the roles' permissions, and the role groups kept.

``auth.User`` and ``auth.Group`` are Django's; their history (django-simple-history) is
registered here, in this app (``iop.HistoricalUser``, ``iop.HistoricalGroup`` and one table per
many-to-many: a user's groups and own permissions, a group's permissions), so that who gave
whom which role, and who changed what a role may, is recorded with who and when like any
other change. The password hash is not copied into the history, and a login (which only
stamps ``last_login``) writes no history row: the audit log records logins.

A role is a group named by ``iop.constants.Role``: the code asks for the group by that name,
so a role group can neither be deleted nor renamed, by the admin or by any code path.
"""

from __future__ import annotations

from typing import Any

from simple_history import register
from simple_history.models import HistoricalRecords

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db.models.signals import pre_delete, pre_save
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from ..constants import Role

ROLE_GROUP_NAMES = frozenset(str(role.value) for role in Role)


class AuthHistoricalRecords(HistoricalRecords):
    """Django's auth models' history: no row for a login's ``last_login`` stamp, and a change
    made from the other side of a many-to-many (``group.user_set.add(user)``) recorded on
    each user it changed, as ``user.groups.add(group)`` is."""

    def post_save(self, instance, created, using=None, **kwargs):
        update_fields = kwargs.get("update_fields")
        if not created and update_fields and set(update_fields) <= {"last_login"}:
            return
        super().post_save(instance, created, using=using, **kwargs)

    def m2m_changed(self, instance, action, attr, pk_set, reverse, **kwargs):
        if not reverse:
            super().m2m_changed(instance, action, attr, pk_set, reverse, **kwargs)
            return
        manager = self.cls._default_manager
        if action == "pre_clear":
            instance._history_cleared_pks = set(
                manager.filter(**{attr: instance}).values_list("pk", flat=True)
            )
            return
        if action == "post_clear":
            pk_set = getattr(instance, "_history_cleared_pks", set())
        elif action not in ("post_add", "post_remove"):
            return
        for changed in manager.filter(pk__in=pk_set or ()):
            if hasattr(instance, "_history_user"):  # the actor named on the other side
                changed._history_user = instance._history_user
            super().m2m_changed(changed, action, attr, None, False, **kwargs)


User = get_user_model()

register(
    User,
    app="iop",
    records_class=AuthHistoricalRecords,
    m2m_fields=["groups", "user_permissions"],
    excluded_fields=["password", "last_login"],
)
register(Group, app="iop", records_class=AuthHistoricalRecords, m2m_fields=["permissions"])


def is_role_group(group: Any) -> bool:
    return group is not None and group.name in ROLE_GROUP_NAMES


@receiver(pre_delete, sender=Group, dispatch_uid="iop_keep_role_groups")
def _keep_role_groups(sender, instance: Group, **kwargs) -> None:
    if is_role_group(instance):
        raise PermissionDenied(_("A role group cannot be deleted."))


@receiver(pre_save, sender=Group, dispatch_uid="iop_keep_role_group_names")
def _keep_role_group_names(sender, instance: Group, update_fields=None, **kwargs) -> None:
    if instance.pk is None or (update_fields is not None and "name" not in update_fields):
        return
    stored = sender._default_manager.filter(pk=instance.pk).values_list("name", flat=True).first()
    if stored in ROLE_GROUP_NAMES and stored != instance.name:
        raise PermissionDenied(_("A role group cannot be renamed: its name is the role."))
