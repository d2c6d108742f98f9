"""The checklist of a case and its answers. Written through ``iop.services.checklist`` like
the checklist screen, so the same rule holds here: the checklist is changed only while the case
is received or in preparation, by whoever may change the case; later it is the record of why
the case could (or could not) become an IOP, and the admin shows it read-only."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy

from ..constants import CHECKLIST_QUESTIONS
from ..models import Checklist, ChecklistAnswer
from ..services import checklist_criterion_save, checklist_is_editable, checklist_questions_save
from ..services.checklist import EDITABLE_STATUSES, QUESTION_FIELDS
from .base import HistoryAdmin, cases_user_may_change


def _saved_as(obj, saved) -> None:
    """Make the admin's unsaved ``obj`` the row a service saved, for the change message and
    the redirect that follow."""
    obj.pk = saved.pk
    obj._state.adding = False
    obj._state.db = saved._state.db


def _save_answer(request, case, form) -> None:
    """Save what was changed of one criterion's answer and comment through the service."""
    checklist_criterion_save(
        case=case,
        actor=request.user,
        criterion=form.instance.criterion,
        **{
            name: form.cleaned_data[name]
            for name in ("answer", "comment")
            if name in form.changed_data
        },
    )


class ChecklistAnswerInline(admin.TabularInline):
    """One row per criterion, created with the checklist; the criterion itself is fixed."""

    model = ChecklistAnswer
    fields = ("criterion", "answer", "comment")
    readonly_fields = ("criterion",)
    extra = 0
    can_delete = False
    formfield_overrides = {
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 50})}
    }

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        # ``obj`` is the checklist.
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or checklist_is_editable(obj.case, request.user)


@admin.register(Checklist)
class ChecklistAdmin(HistoryAdmin):
    list_display = ("case", "outcome_label", "updated_at")
    list_select_related = ("case",)
    search_fields = ("case__registry_number", "case__title")
    inlines = (ChecklistAnswerInline,)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("answers")

    questions = (
        gettext_lazy("Questions"),
        {"fields": tuple(name for name, _question in CHECKLIST_QUESTIONS)},
    )

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return ((None, {"fields": ("case",)}), self.questions)
        return ((None, {"fields": ("case", "outcome_label")}), self.questions)

    def get_readonly_fields(self, request, obj=None):
        # A checklist belongs to its case for good.
        return ("case", "outcome_label") if obj is not None else ()

    @admin.display(description=gettext_lazy("outcome"))
    def outcome_label(self, checklist: Checklist) -> str:
        return str(Checklist.Outcome(checklist.outcome).label)

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or checklist_is_editable(obj.case, request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "case":
            kwargs["queryset"] = cases_user_may_change(request.user).filter(
                checklist__isnull=True, status__in=EDITABLE_STATUSES
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        # A new checklist gets one unanswered row per criterion, to be answered on the next
        # page; the service refuses (403) once the case is past preparation.
        questions = {
            name: form.cleaned_data[name] for name in QUESTION_FIELDS if name in form.cleaned_data
        }
        if change:
            questions = {
                name: text for name, text in questions.items() if name in form.changed_data
            }
        saved = checklist_questions_save(case=obj.case, actor=request.user, **questions)
        _saved_as(obj, saved)

    def save_formset(self, request, form, formset, change):
        changed = []
        for row_form in formset.initial_forms:
            if not row_form.has_changed():
                continue
            _save_answer(request, form.instance.case, row_form)
            changed.append((row_form.instance, row_form.changed_data))
        # What Django's formset.save() would leave for the change message.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], changed, []


@admin.register(ChecklistAnswer)
class ChecklistAnswerAdmin(HistoryAdmin):
    """Listed for the history of each answer; answered on the checklist's own page."""

    list_display = ("checklist", "criterion", "answer")
    list_filter = ("criterion", "answer")
    list_select_related = ("checklist__case",)
    readonly_fields = ("checklist", "criterion")
    fields = ("checklist", "criterion", "answer", "comment")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or checklist_is_editable(obj.checklist.case, request.user)

    def save_model(self, request, obj, form, change):
        _save_answer(request, obj.checklist.case, form)
