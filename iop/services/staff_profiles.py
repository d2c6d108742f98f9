"""A staff member's title and phone, as documents print them under the name."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from ..models import StaffProfile


@transaction.atomic
def staff_profile_save(
    *, user: Any, actor: Any, job_title: str, phone: str | None = None
) -> StaffProfile:
    """Record a staff member's title (and phone, when given), with history. A user may change
    their own; anyone else needs the permission to add or change staff profiles."""
    profile = StaffProfile.objects.select_for_update().filter(user=user).first()
    needed = "iop.change_staffprofile" if profile else "iop.add_staffprofile"
    if getattr(actor, "pk", None) != user.pk and not actor.has_perm(needed):
        raise PermissionDenied
    if profile is None:
        profile = StaffProfile(user=user)
    profile.job_title = job_title.strip()
    if phone is not None:
        profile.phone = phone.strip()
    profile._history_user = actor
    profile.save()
    return profile
