"""Users and role groups in the admin, with their history, and the staff profile (the title
documents print under the name).

Users and their groups are reference data that Django's own admin saves; their history
(``iop.models.users``) records who changed a user, their groups or a role's permissions and
when. A user is never deleted, only deactivated: who has acted stays the author of what they
did. A role group (``iop.constants.Role``) is neither deleted nor renamed: its name is the
role. The staff profile keeps history and is saved through ``iop.services.staff_profiles``."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from partners.admin_base import HistoryAdmin

from ..models import StaffProfile, is_role_group
from ..services.staff_profiles import staff_profile_save
from ..services.users import user_deactivate

User = get_user_model()


class StaffProfileInline(admin.StackedInline):
    model = StaffProfile
    fields = ("job_title", "phone")
    can_delete = False
    extra = 1
    max_num = 1
    verbose_name = _("staff profile")
    verbose_name_plural = _("staff profile")


for _model in (User, Group):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


@admin.register(User)
class UserAdmin(HistoryAdmin, DjangoUserAdmin):
    inlines = (StaffProfileInline,)
    list_display = (*DjangoUserAdmin.list_display, "is_active", "job_title")
    list_select_related = ("staff_profile",)
    actions = ("deactivate",)

    @admin.display(description=_("title"), ordering="staff_profile__job_title")
    def job_title(self, obj) -> str:
        profile = getattr(obj, "staff_profile", None)
        return profile.job_title if profile else ""

    @admin.action(description=_("Deactivate the selected users"), permissions=["change"])
    def deactivate(self, request, queryset):
        changed = 0
        for user in queryset:
            if user.pk == request.user.pk:
                self.message_user(
                    request, _("You cannot deactivate your own account."), messages.WARNING
                )
                continue
            changed += user_deactivate(user=user, actor=request.user)
        if changed:
            self.message_user(
                request,
                ngettext("%(count)d user deactivated.", "%(count)d users deactivated.", changed)
                % {"count": changed},
                messages.SUCCESS,
            )

    def delete_view(self, request, object_id, extra_context=None):
        """No user is deleted: say so, and offer the user's page (where "Active" is)."""
        self.message_user(
            request,
            _(
                "A user is never deleted, so that the history keeps its author: "
                "deactivate the user instead."
            ),
            messages.ERROR,
        )
        url = reverse("admin:auth_user_change", args=[object_id])
        return HttpResponseRedirect(url)

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


@admin.register(Group)
class GroupAdmin(HistoryAdmin, DjangoGroupAdmin):
    """Groups and their permissions, with history. A role group keeps its name; other
    groups may be deleted one at a time (their history stays)."""

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is None or is_role_group(obj):
            return False
        return DjangoGroupAdmin.has_delete_permission(self, request, obj)

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        return (*fields, "name") if is_role_group(obj) else fields

    def delete_view(self, request, object_id, extra_context=None):
        group = self.get_object(request, object_id)
        if is_role_group(group):
            self.message_user(request, _("A role group cannot be deleted."), messages.ERROR)
            return HttpResponseRedirect(reverse("admin:auth_group_change", args=[object_id]))
        if not self.has_delete_permission(request, group):
            raise PermissionDenied
        return super().delete_view(request, object_id, extra_context)
