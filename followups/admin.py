"""The follow-up in Django admin.

What the system derives or records — the deadlines, the check-ins and their actions, the
evaluations, the follow-up reports, the notices, the wind-down plans, the reminders' outbox
and e-mails — is read-only here for every role and for the superuser: each is written by its
service on the follow-up's pages, and its history is viewable (never reverted). Three things
are written here, each through its service: the absences (oneself, or anyone by the IOP
coordinator; ending one early), the follow-ups made before the system (for an IOP imported
with its history), and the reminder settings (one row, the administrator's)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.utils.translation import gettext_lazy

from iop.admin.base import cases_user_may_change
from partners.admin_base import HistoryAdmin, adopt_saved
from partners.users import display_name

from .models import (
    Absence,
    AnnualEvaluation,
    CalendarToken,
    CheckIn,
    CheckInAction,
    Deadline,
    EarlierFollowUp,
    FollowUpReport,
    NoticeRecord,
    ReminderEmail,
    ReminderOutbox,
    ReminderSettings,
    WindDownPlan,
)
from .services import absence as absence_services
from .services.deadlines import (
    FollowUpRefused,
    earlier_follow_up_record,
    reminder_settings_update,
)


class ReadOnlyHistoryAdmin(HistoryAdmin):
    """Written by the follow-up's services only: viewable with its history, never changed."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    """For rows without history (the reminders' outbox and e-mails)."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ServiceForm(forms.ModelForm):
    """A form whose row is written by a service when the form is validated, inside the
    admin's transaction: a refusal becomes the form's errors (the page re-renders with what
    was typed) and nothing is saved; ``saved`` is the service's row."""

    actor: Any = None
    saved: Any = None

    def write(self, cleaned: dict[str, Any]) -> Any:
        raise NotImplementedError

    def _post_clean(self) -> None:
        # The service validates (and words its refusals for users); the model's own
        # validation would repeat it in other words.
        if self.errors:
            return
        try:
            self.saved = self.write(self.cleaned_data)
        except FollowUpRefused as refused:
            for field, messages in refused.errors.items():
                for message in messages:
                    self.add_error(field if field in self.fields else None, message)


class ServiceFormAdmin(HistoryAdmin):
    """Hands the request's user to the ``ServiceForm`` and keeps the row it saved."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"actor": request.user})

    def save_model(self, request, obj, form, change):
        if form.saved is not None:
            adopt_saved(obj, form.saved)


def _case_number(case) -> str:
    return case.registry_number


# --- Deadlines --------------------------------------------------------------------------------


@admin.register(Deadline)
class DeadlineAdmin(ReadOnlyHistoryAdmin):
    list_display = ("case_number", "kind", "due_on", "state_display", "owner", "done_on")
    list_filter = ("kind", "state")
    list_select_related = ("case", "case__officer")
    search_fields = ("case__registry_number", "case__title", "done_note")
    date_hierarchy = "due_on"
    fields = (
        "case",
        "kind",
        "sequence",
        "nominal_on",
        "due_on",
        "state",
        "done_on",
        "done_record",
        "done_note",
        "done_url",
        "waived_reason",
        "waived_by",
        "waived_at",
        "cancelled_reason",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields

    @admin.display(description=gettext_lazy("case"), ordering="case__registry_number")
    def case_number(self, deadline: Deadline) -> str:
        return _case_number(deadline.case)

    @admin.display(description=gettext_lazy("state"), ordering="state")
    def state_display(self, deadline: Deadline) -> str:
        return deadline.display_state

    @admin.display(description=gettext_lazy("owner"))
    def owner(self, deadline: Deadline) -> str:
        return display_name(deadline.case.officer)


# --- What was recorded --------------------------------------------------------------------------


class CheckInActionInline(ReadOnlyInline):
    model = CheckInAction
    fields = ("position", "text", "owner", "due_on")
    readonly_fields = fields


@admin.register(CheckIn)
class CheckInAdmin(ReadOnlyHistoryAdmin):
    list_display = ("case_number", "starts_at", "held_on", "cancelled", "created_by")
    list_filter = ("cancelled",)
    list_select_related = ("case", "created_by")
    search_fields = ("case__registry_number", "case__title", "notes")
    inlines = (CheckInActionInline,)

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in CheckIn._meta.concrete_fields]

    @admin.display(description=gettext_lazy("case"), ordering="case__registry_number")
    def case_number(self, check_in: CheckIn) -> str:
        return _case_number(check_in.case)


@admin.register(CheckInAction)
class CheckInActionAdmin(ReadOnlyHistoryAdmin):
    list_display = ("text", "owner", "due_on", "case_number")
    list_select_related = ("check_in__case",)
    search_fields = ("text", "owner", "check_in__case__registry_number")
    fields = ("check_in", "position", "text", "owner", "due_on")
    readonly_fields = fields

    @admin.display(description=gettext_lazy("case"))
    def case_number(self, action: CheckInAction) -> str:
        return _case_number(action.check_in.case)


class CaseRecordAdmin(ReadOnlyHistoryAdmin):
    """A record of one case, every field shown read-only."""

    list_select_related = ("case",)
    search_fields = ("case__registry_number", "case__title")

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.concrete_fields]

    @admin.display(description=gettext_lazy("case"), ordering="case__registry_number")
    def case_number(self, record) -> str:
        return _case_number(record.case)


@admin.register(AnnualEvaluation)
class AnnualEvaluationAdmin(CaseRecordAdmin):
    list_display = ("case_number", "year", "evaluated_on", "created_by")
    list_select_related = ("case", "created_by")


@admin.register(FollowUpReport)
class FollowUpReportAdmin(CaseRecordAdmin):
    list_display = ("case_number", "written_on", "matter_title", "prepared_at")


@admin.register(NoticeRecord)
class NoticeRecordAdmin(CaseRecordAdmin):
    list_display = ("case_number", "given_on", "given_by", "end_date")
    list_filter = ("given_by",)


@admin.register(WindDownPlan)
class WindDownPlanAdmin(CaseRecordAdmin):
    list_display = ("case_number", "created_at", "document")
    list_select_related = ("case", "document")


# --- Earlier follow-ups: an imported IOP's history -----------------------------------------------


class EarlierFollowUpForm(ServiceForm):
    class Meta:
        model = EarlierFollowUp
        fields = ("case", "kind", "done_on", "reference")

    def write(self, cleaned: dict[str, Any]) -> EarlierFollowUp:
        return earlier_follow_up_record(
            case=cleaned["case"],
            actor=self.actor,
            kind=cleaned["kind"],
            done_on=cleaned["done_on"],
            reference=cleaned["reference"],
        )


@admin.register(EarlierFollowUp)
class EarlierFollowUpAdmin(ServiceFormAdmin):
    """Added (the deadlines then count from it) by whoever handles the case; a record after
    that, never changed."""

    form = EarlierFollowUpForm
    list_display = ("case_number", "kind", "done_on", "reference", "created_by")
    list_filter = ("kind",)
    list_select_related = ("case", "created_by")
    search_fields = ("case__registry_number", "case__title", "reference")

    def has_change_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return ("case", "kind", "done_on", "reference", "created_by", "created_at")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "case":
            kwargs["queryset"] = cases_user_may_change(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=gettext_lazy("case"), ordering="case__registry_number")
    def case_number(self, earlier: EarlierFollowUp) -> str:
        return _case_number(earlier.case)


# --- Absences ---------------------------------------------------------------------------------


class AbsenceAddForm(ServiceForm):
    class Meta:
        model = Absence
        fields = ("user", "starts_on", "ends_on", "note")

    def write(self, cleaned: dict[str, Any]) -> Absence:
        return absence_services.absence_register(
            actor=self.actor,
            user=cleaned.get("user"),
            starts_on=cleaned["starts_on"],
            ends_on=cleaned["ends_on"],
            note=cleaned.get("note", ""),
        )


class AbsenceEndForm(ServiceForm):
    end_now = forms.BooleanField(
        label=gettext_lazy("Back now: end the absence today"),
        required=False,
        help_text=gettext_lazy("From today the reminders go to them again."),
    )

    class Meta:
        model = Absence
        fields = ()

    def write(self, cleaned: dict[str, Any]) -> Absence | None:
        if not cleaned.get("end_now"):
            return None
        return absence_services.absence_end(actor=self.actor, absence=self.instance)


@admin.register(Absence)
class AbsenceAdmin(ServiceFormAdmin):
    """Registered by oneself or, for anyone, by the IOP coordinator; ended early the same
    way. The dates of a registered absence are not changed: end it and register anew."""

    list_display = ("who", "starts_on", "ends_on", "ended_early_at", "note", "created_by")
    list_select_related = ("user", "created_by")
    search_fields = ("user__username", "user__first_name", "user__last_name", "note")
    date_hierarchy = "starts_on"

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = AbsenceEndForm if obj is not None else AbsenceAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("user", "starts_on", "ends_on", "note")
        fields = ["user", "starts_on", "ends_on", "note", "ended_early_at", "created_by"]
        if self.has_change_permission(request, obj):
            fields.append("end_now")
        return fields

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return ("user", "starts_on", "ends_on", "note", "ended_early_at", "created_by")

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        if obj is None:
            return True
        if obj.ended_early_at is not None:
            return False
        return obj.user_id == request.user.pk or absence_services.may_register_for_others(
            request.user
        )

    def get_changeform_initial_data(self, request):
        return {"user": request.user.pk, **super().get_changeform_initial_data(request)}

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            users = get_user_model().objects.filter(is_active=True).order_by("username")
            if not absence_services.may_register_for_others(request.user):
                users = users.filter(pk=request.user.pk)
            kwargs["queryset"] = users
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=gettext_lazy("who is away"), ordering="user__username")
    def who(self, absence: Absence) -> str:
        return display_name(absence.user)


# --- Reminder settings: one row --------------------------------------------------------------------

SETTINGS_FIELDS = (
    "due_soon_days",
    "escalate_after_days",
    "renegotiation_lead_months",
    "wind_down_plan_months_before_end",
    "horizon_months",
    "claim_minutes",
    "send_emails",
)


class ReminderSettingsForm(ServiceForm):
    class Meta:
        model = ReminderSettings
        fields = SETTINGS_FIELDS

    def _post_clean(self) -> None:
        # The fields' validators (their ranges) first, in the model's words.
        if not self.errors:
            for name in SETTINGS_FIELDS:
                field = ReminderSettings._meta.get_field(name)
                try:
                    field.run_validators(self.cleaned_data[name])
                except forms.ValidationError as error:
                    self.add_error(name, error)
        super()._post_clean()

    def write(self, cleaned: dict[str, Any]) -> ReminderSettings:
        return reminder_settings_update(
            actor=self.actor, **{name: cleaned[name] for name in SETTINGS_FIELDS}
        )


@admin.register(ReminderSettings)
class ReminderSettingsAdmin(ServiceFormAdmin):
    """The one row of settings; the administrator changes it (its history is kept), nobody
    adds a second or deletes it."""

    form = ReminderSettingsForm
    list_display = ("__str__", "due_soon_days", "escalate_after_days", "horizon_months")
    fields = SETTINGS_FIELDS

    def has_add_permission(self, request, obj=None):
        return False


# --- The reminders' outbox and e-mails ------------------------------------------------------------


@admin.register(ReminderOutbox)
class ReminderOutboxAdmin(ReadOnlyAdmin):
    list_display = ("deadline", "level", "recipient_name", "on_behalf_of", "due_on", "sent_at")
    list_filter = ("level",)
    list_select_related = ("deadline", "deadline__case", "recipient", "on_behalf_of")
    search_fields = ("deadline__case__registry_number", "recipient__username")
    fields = (
        "deadline",
        "level",
        "recipient",
        "on_behalf_of",
        "due_on",
        "created_at",
        "email",
        "sent_at",
    )
    readonly_fields = fields

    @admin.display(description=gettext_lazy("recipient"), ordering="recipient__username")
    def recipient_name(self, reminder: ReminderOutbox) -> str:
        return display_name(reminder.recipient)


@admin.register(ReminderEmail)
class ReminderEmailAdmin(ReadOnlyAdmin):
    list_display = ("recipient_name", "created_at", "attempts", "claimed_until", "sent_at")
    list_select_related = ("recipient",)
    search_fields = ("recipient__username", "recipient__email")
    fields = ("recipient", "created_at", "claimed_until", "attempts", "sent_at")
    readonly_fields = fields

    @admin.display(description=gettext_lazy("recipient"), ordering="recipient__username")
    def recipient_name(self, email: ReminderEmail) -> str:
        return display_name(email.recipient)


# --- Calendar feeds: never their secret --------------------------------------------------------


@admin.register(CalendarToken)
class CalendarTokenAdmin(ReadOnlyHistoryAdmin):
    """Whose feed exists and since when; the token itself is never shown (it is the feed's
    password). A user renews theirs on their calendar page."""

    list_display = ("user", "created_at")
    list_select_related = ("user",)
    fields = ("user", "created_at")
    readonly_fields = fields
