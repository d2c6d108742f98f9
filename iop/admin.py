"""The Django admin for IOP cases and what belongs to them.

The admin is a screen like any other: it writes through ``iop.services`` (registration,
reassignment, transitions), so the registry number, the case events and the officer's
e-mail cannot be skipped by editing a row here. Nothing an auditor may ask for can be
deleted, and history (django-simple-history) is viewable but never reverted from here: a
revert would write an old row back past the state machine and the services.
"""

from __future__ import annotations

import re
from typing import Any

from simple_history.admin import SimpleHistoryAdmin

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partners.models import Organisation
from partners.uploads import validate_document_upload

from . import permissions
from .case_forms import TransitionForm
from .constants import CHECKLIST_QUESTIONS, CaseEventKind, CaseStatus
from .models import (
    Case,
    CaseDocument,
    CaseEvent,
    Checklist,
    ChecklistAnswer,
    Committee,
    PublicBody,
    RegistrySequence,
)
from .selectors import case_officer_choices
from .services import (
    TransitionForbidden,
    TransitionRefused,
    available_transitions,
    case_assign_officer,
    case_register,
    case_transition,
    checklist_for_case,
    transition_info,
    transition_names,
)

# "802002-3456" typed in a search box finds the organisation stored as "8020023456".
_HYPHENATED_ORG_NUMBER = re.compile(r"\b(\d{6})-(\d{4})\b")


def search_org_numbers_without_hyphen(search_term: str) -> str:
    return _HYPHENATED_ORG_NUMBER.sub(r"\1\2", search_term)


def user_name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


class HistoryAdmin(SimpleHistoryAdmin):
    """Base for every model an auditor may ask about: the history of each object is
    viewable, nothing is deleted, and no old version is written back."""

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def revert_disabled(self, request: HttpRequest, obj: Any = None) -> bool:
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # simple_history saves a POST to this view even when the revert button is hidden.
        if request.method != "GET":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records only the system writes (case events, registry sequences)."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def cases_user_may_change(user) -> QuerySet:
    """The cases this user may add documents or a checklist to (can_change_case as a query)."""
    cases = Case.objects.for_user(user)
    if user.is_superuser or permissions.is_coordinator(user):
        return cases
    if not user.has_perm(permissions.HANDLE_CASE):
        return cases.none()
    return cases.handled_by(user)


# --- Public bodies, committees, registry -----------------------------------------------------


@admin.register(PublicBody)
class PublicBodyAdmin(HistoryAdmin):
    list_display = ("name", "short_code", "kind")
    list_filter = ("kind",)
    search_fields = ("name", "short_code")


@admin.register(Committee)
class CommitteeAdmin(HistoryAdmin):
    list_display = ("name", "short_code", "public_body", "is_active")
    list_filter = ("public_body", "is_active")
    list_select_related = ("public_body",)
    search_fields = ("name", "short_code", "public_body__name")


@admin.register(RegistrySequence)
class RegistrySequenceAdmin(ReadOnlyAdmin):
    list_display = ("public_body", "year", "last_serial")
    list_filter = ("public_body", "year")
    list_select_related = ("public_body",)


# --- The case --------------------------------------------------------------------------------


class CaseAdminForm(forms.ModelForm):
    class Meta:
        model = Case
        fields = (
            "title",
            "committee",
            "organisations",
            "public_bodies",
            "received_on",
            "societal_challenge",
            "idea_description",
            "officer",
            "substitute",
        )
        widgets = {"public_bodies": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("officer", "substitute"):
            if name in self.fields:
                self.fields[name].queryset = case_officer_choices()
                self.fields[name].label_from_instance = user_name
        if "officer" in self.fields and self.instance.pk:
            self.fields["officer"].help_text = _("A new case officer is told by e-mail.")
        if "public_bodies" in self.fields:
            self.fields["public_bodies"].required = False
            self.fields["public_bodies"].help_text = _(
                "Other public parties to the partnership. The public body of the responsible "
                "committee is always a party."
            )

    def clean_received_on(self):
        received_on = self.cleaned_data["received_on"]
        if self.instance.pk and received_on.year != self.instance.registry_year:
            raise forms.ValidationError(
                _(
                    "The case is registered in %(year)s (%(number)s): the date the initiative "
                    "was received must be in that year."
                ),
                code="registry_year",
                params={
                    "year": self.instance.registry_year,
                    "number": self.instance.registry_number,
                },
            )
        return received_on

    def clean(self):
        cleaned = super().clean()
        committee = cleaned.get("committee")
        officer, substitute = cleaned.get("officer"), cleaned.get("substitute")
        if officer is not None and substitute is not None and officer.pk == substitute.pk:
            self.add_error(
                "substitute",
                forms.ValidationError(
                    _("The substitute must be someone other than the case officer."),
                    code="same_person",
                ),
            )
        if (
            committee is not None
            and self.instance.pk
            and committee.public_body_id != self.instance.public_body_id
        ):
            self.add_error(
                "committee",
                forms.ValidationError(
                    _(
                        "The case is registered in the registry of %(body)s: choose one of "
                        "its committees."
                    ),
                    code="other_public_body",
                    params={"body": self.instance.public_body},
                ),
            )
        if committee is not None and "public_bodies" in self.fields:
            chosen = list(cleaned.get("public_bodies") or [])
            if committee.public_body not in chosen:
                chosen.append(committee.public_body)
            cleaned["public_bodies"] = chosen
        return cleaned


class CaseDocumentInline(admin.TabularInline):
    """The case's registered documents, listed; they are registered on their own page."""

    model = CaseDocument
    fields = ("kind", "title", "received_on", "uploaded_by")
    readonly_fields = fields
    extra = 0
    show_change_link = True
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("uploaded_by")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(HistoryAdmin):
    form = CaseAdminForm
    list_display = (
        "registry_number",
        "title",
        "organisation_names",
        "committee",
        "officer_name",
        "status",
        "received_on",
    )
    list_display_links = ("registry_number", "title")
    list_filter = (
        "status",
        "committee",
        ("officer", admin.RelatedOnlyFieldListFilter),
        "registry_year",
    )
    list_select_related = ("committee", "officer")
    search_fields = (
        "registry_number",
        "title",
        "organisations__name",
        "organisations__org_number",
    )
    search_help_text = gettext_lazy(
        "Registry number, title, organisation name or organisation number."
    )
    autocomplete_fields = ("organisations",)
    inlines = (CaseDocumentInline,)
    readonly_fields = (
        "registry_number",
        "registry_year",
        "registry_serial",
        "public_body",
        "status",
        "status_changed_at",
        "closing_reason",
        "notice_date",
        "notice_given_by",
        "created_by",
        "created_at",
        "updated_at",
    )
    add_fieldsets = (
        (
            None,
            {
                "description": gettext_lazy(
                    "The case gets its registry number when it is saved, in the registry of "
                    "the responsible committee's public body."
                ),
                "fields": (
                    "title",
                    "committee",
                    "organisations",
                    "public_bodies",
                    "received_on",
                    "societal_challenge",
                    "idea_description",
                ),
            },
        ),
        (gettext_lazy("Responsibility"), {"fields": ("officer", "substitute")}),
    )
    change_fieldsets = (
        (
            None,
            {
                "fields": (
                    ("registry_number", "status"),
                    "title",
                    "committee",
                    "organisations",
                    "public_bodies",
                    "received_on",
                    "societal_challenge",
                    "idea_description",
                )
            },
        ),
        (gettext_lazy("Responsibility"), {"fields": ("officer", "substitute")}),
        (
            gettext_lazy("Recorded by the actions"),
            {
                "classes": ("collapse",),
                "description": gettext_lazy(
                    "These are filled in when the case is closed as not pursued or notice is "
                    "given, through the actions above."
                ),
                "fields": ("closing_reason", "notice_date", "notice_given_by"),
            },
        ),
        (
            gettext_lazy("Registration"),
            {
                "classes": ("collapse",),
                "fields": (
                    "public_body",
                    ("registry_year", "registry_serial"),
                    ("created_by", "created_at"),
                    ("status_changed_at", "updated_at"),
                ),
            },
        ),
    )

    # --- Who may do what ---

    def has_change_permission(self, request, obj=None):
        """Only the case's officer, its substitute and the IOP coordinator change a case;
        everyone else with a role sees it read-only (and still gets their actions)."""
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or permissions.can_change_case(obj, request.user)

    # --- Lists ---

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related(
                Prefetch(
                    "organisations",
                    queryset=Organisation.objects.only("name", "org_number").order_by("name"),
                )
            )
        )

    def get_search_results(self, request, queryset, search_term):
        return super().get_search_results(
            request, queryset, search_org_numbers_without_hyphen(search_term)
        )

    @admin.display(description=gettext_lazy("organisations"))
    def organisation_names(self, case: Case) -> str:
        return ", ".join(o.name for o in case.organisations.all())

    @admin.display(
        description=gettext_lazy("case officer"),
        ordering="officer__last_name",
    )
    def officer_name(self, case: Case) -> str:
        return user_name(case.officer)

    @admin.display(description=gettext_lazy("substitute case officer"))
    def substitute_name(self, case: Case) -> str:
        return user_name(case.substitute) or self.get_empty_value_display()

    # --- The form ---

    def get_fieldsets(self, request, obj=None):
        fieldsets = self.change_fieldsets if obj is not None else self.add_fieldsets
        if obj is not None and not self.has_change_permission(request, obj):
            # Read-only, a user shows as their username; people are known by their names.
            fieldsets = tuple(
                (name, {**options, "fields": self._names_for_people(options["fields"])})
                for name, options in fieldsets
            )
        further = self.further_fields()
        if further:
            fieldsets = (
                *fieldsets,
                (gettext_lazy("Further details"), {"classes": ("collapse",), "fields": further}),
            )
        return fieldsets

    @staticmethod
    def _names_for_people(fields):
        people = {"officer": "officer_name", "substitute": "substitute_name"}
        return tuple(people.get(f, f) if isinstance(f, str) else f for f in fields)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and not self.has_change_permission(request, obj):
            return (*self.readonly_fields, "officer_name", "substitute_name")
        return self.readonly_fields

    @classmethod
    def further_fields(cls) -> tuple[str, ...]:
        """Editable fields of the case not laid out above (e.g. the planning sheets), so a
        field added to the model is never missing from the admin."""
        laid_out = set(flatten_fieldsets(cls.change_fieldsets))
        return tuple(
            f.name
            for f in Case._meta.get_fields()
            if (getattr(f, "concrete", False) or f.many_to_many)
            and f.editable
            and not f.auto_created
            and f.name not in laid_out
        )

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else ()

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        if request.user.has_perm(permissions.HANDLE_CASE):
            initial.setdefault("officer", request.user.pk)
        return initial

    def save_model(self, request, obj, form, change):
        if not change:
            self._register(request, obj, form)
            return
        assignment = {"officer", "substitute"} & set(form.changed_data)
        if assignment:
            # Through the service: it records the assignment and e-mails the new officer.
            case_assign_officer(
                case=obj, actor=request.user, officer=obj.officer, substitute=obj.substitute
            )
        m2m = {f.name for f in Case._meta.many_to_many}
        if set(form.changed_data) - assignment - m2m:
            super().save_model(request, obj, form, change)

    def _register(self, request, obj: Case, form) -> None:
        """A new case gets its registry number, its «registered» event and its assignment
        from ``case_register``; the admin only collects what was typed."""
        data = form.cleaned_data
        case = case_register(
            actor=request.user,
            title=data["title"],
            committee=data["committee"],
            societal_challenge=data["societal_challenge"],
            idea_description=data["idea_description"],
            organisations=data["organisations"],
            public_bodies=data.get("public_bodies") or (),
            officer=data["officer"],
            substitute=data.get("substitute"),
            received_on=data["received_on"],
            **{
                name: data[name]
                for name in self.further_fields()
                if name in data and not Case._meta.get_field(name).many_to_many
            },
        )
        # The admin goes on with ``obj`` (the change message, the redirect): make it the
        # registered case. Through __dict__, because the stage field is protected.
        for field in Case._meta.concrete_fields:
            obj.__dict__[field.attname] = getattr(case, field.attname)
        obj._state.adding = False
        obj._state.db = case._state.db

    def save_related(self, request, form, formsets, change):
        if not change:
            # case_register has set the organisations and public parties.
            for formset in formsets:
                self.save_formset(request, form, formset, change=change)
            return
        super().save_related(request, form, formsets, change)

    # --- The stage, its actions and the timeline on the change page ---

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk:
            context.update(
                case_stage_label=CaseStatus(obj.status).label,
                case_actions=[
                    (
                        info,
                        reverse(
                            f"{self.admin_site.name}:iop_case_transition", args=[obj.pk, info.name]
                        ),
                    )
                    for info in available_transitions(obj, request.user)
                ],
                case_timeline=self._timeline(obj),
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    @staticmethod
    def _timeline(case: Case) -> list[dict[str, Any]]:
        labels = {name: transition_info(name).label for name in transition_names()}
        rows = []
        for event in case.events.select_related("actor", "assignee").order_by("-at", "-pk"):
            what = str(event.get_kind_display())
            if event.kind == CaseEventKind.TRANSITION:
                what = labels.get(event.transition, what)
            elif event.kind == CaseEventKind.ASSIGNMENT and event.assignee is not None:
                what = f"{what}: {user_name(event.assignee)}"
            rows.append(
                {
                    "event": event,
                    "what": what,
                    "who": user_name(event.actor) or _("the system"),
                    "changed_stage": bool(event.from_status)
                    and event.from_status != event.to_status,
                }
            )
        return rows

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/transition/<slug:name>/",
                self.admin_site.admin_view(self.transition_view),
                name="{}_{}_transition".format(*info),
            ),
            *super().get_urls(),
        ]

    def transition_view(self, request: HttpRequest, object_id: str, name: str) -> HttpResponse:
        """Confirm and take one transition through ``case_transition``.

        Only a transition ``available_transitions`` offers this user at this stage can be
        confirmed (anything else is 403, for GET and POST alike); a refusal by one of its
        conditions shows the page again with the rules and what was typed.
        """
        request.current_app = self.admin_site.name
        case = self.get_object(request, unquote(object_id))
        if case is None or name not in transition_names():
            raise Http404
        if not self.has_view_permission(request, case):
            raise PermissionDenied
        offered = {t.name: t for t in available_transitions(case, request.user)}
        if name not in offered:
            raise PermissionDenied
        info = offered[name]
        form = TransitionForm(request.POST or None, info=info)
        reasons: list[str] = []
        if request.method == "POST" and form.is_valid():
            try:
                case = case_transition(
                    case=case,
                    name=name,
                    actor=request.user,
                    note=form.cleaned_data["note"],
                    data=form.transition_data(),
                )
            except TransitionForbidden:
                raise
            except TransitionRefused as refused:
                reasons = refused.reasons
            else:
                self.message_user(
                    request,
                    _("«%(action)s» done: the case is now at the stage «%(stage)s».")
                    % {"action": info.label, "stage": case.get_status_display()},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(
                    reverse(f"{self.admin_site.name}:iop_case_change", args=[case.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "title": info.label,
            "subtitle": str(case),
            "opts": self.opts,
            "original": case,
            "case": case,
            "info": info,
            "form": form,
            "reasons": reasons,
            "stage_label": CaseStatus(case.status).label,
            "target_label": CaseStatus(info.target).label,
            "has_view_permission": True,
        }
        return TemplateResponse(request, "admin/iop/case/transition.html", context)


# --- Case events -------------------------------------------------------------------------------


@admin.register(CaseEvent)
class CaseEventAdmin(ReadOnlyAdmin):
    """The cases' timelines, across cases. Written only by the services."""

    list_display = ("at", "case", "kind", "transition", "from_status", "to_status", "actor")
    list_filter = ("kind", "to_status")
    list_select_related = ("case", "actor", "assignee")
    search_fields = ("case__registry_number", "case__title", "note")
    date_hierarchy = "at"


# --- Checklist ---------------------------------------------------------------------------------


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
        return obj is None or permissions.can_change_case(obj.case, request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "case":
            kwargs["queryset"] = cases_user_may_change(request.user).filter(checklist__isnull=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not change:
            # One unanswered row per criterion, to be answered on the next page.
            checklist_for_case(case=form.instance.case)


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
        return obj is None or permissions.can_change_case(obj.checklist.case, request.user)


# --- Case documents --------------------------------------------------------------------------


class CaseDocumentForm(forms.ModelForm):
    class Meta:
        model = CaseDocument
        fields = ("case", "kind", "title", "file", "received_on")
        widgets = {"received_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "file" in self.fields:
            self.fields["file"].validators.append(validate_document_upload)
            self.fields["file"].help_text = validate_document_upload.help_text


@admin.register(CaseDocument)
class CaseDocumentAdmin(HistoryAdmin):
    form = CaseDocumentForm
    list_display = ("title", "kind", "case", "received_on", "uploaded_by")
    list_filter = ("kind",)
    list_select_related = ("case", "uploaded_by")
    search_fields = ("title", "case__registry_number", "case__title")
    readonly_fields = ("uploaded_by", "uploaded_at")

    def get_readonly_fields(self, request, obj=None):
        # A registered document stays in the case it was registered in.
        return (*self.readonly_fields, "case") if obj is not None else self.readonly_fields

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or permissions.can_change_case(obj.case, request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "case":
            kwargs["queryset"] = cases_user_may_change(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.uploaded_by = request.user
        super().save_model(request, obj, form, change)
