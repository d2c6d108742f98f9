"""Users in the admin, with their staff profile (the title documents print under the name).

Users and their groups are reference data that Django's own admin saves; the staff profile
keeps history and is saved through ``iop.services.staff_profiles``."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from ..models import StaffProfile
from ..services.staff_profiles import staff_profile_save

User = get_user_model()


class StaffProfileInline(admin.StackedInline):
    model = StaffProfile
    fields = ("job_title", "phone")
    can_delete = False
    extra = 1
    max_num = 1
    verbose_name = _("staff profile")
    verbose_name_plural = _("staff profile")


if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    inlines = (StaffProfileInline,)
    list_display = (*DjangoUserAdmin.list_display, "job_title")
    list_select_related = ("staff_profile",)

    @admin.display(description=_("title"), ordering="staff_profile__job_title")
    def job_title(self, obj) -> str:
        profile = getattr(obj, "staff_profile", None)
        return profile.job_title if profile else ""

    def save_formset(self, request, form, formset, change):
        if formset.model is not StaffProfile:
            super().save_formset(request, form, formset, change)
            return
        # What Django's formset.save() would record, for the admin's change message.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for profile_form in formset.forms:
            if not profile_form.has_changed():
                continue
            is_new = profile_form.instance.pk is None
            data = profile_form.cleaned_data
            profile = staff_profile_save(
                user=form.instance,
                actor=request.user,
                job_title=data.get("job_title", ""),
                phone=data.get("phone", ""),
            )
            if is_new:
                formset.new_objects.append(profile)
            else:
                formset.changed_objects.append((profile, profile_form.changed_data))
