"""The case: registered, reassigned, edited and moved through its stages only by the services."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy

from partners.models import Organisation
from partners.users import display_name

from .. import permissions
from ..constants import CaseStatus
from ..forms.people import PEOPLE_FIELDS
from ..models import Case, CaseDocument
from ..selectors import case_timeline
from ..services import available_transitions, case_assign_officer, case_register, case_update
from ..services.case_details import SET_BY_THE_SERVICES, editable_fields
from ..views.common import confirm_transition
from .base import HistoryAdmin, search_org_numbers_without_hyphen
from .forms import DETAIL_FIELDS, CaseAdminForm


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
    # Set by registration and the actions, never typed over (``case_update`` refuses them too).
    readonly_fields = SET_BY_THE_SERVICES
    add_fieldsets = (
        (
            None,
            {
                "description": gettext_lazy(
                    "The case gets its registry number when it is saved, in the registry of "
                    "the responsible committee's public body."
                ),
                "fields": DETAIL_FIELDS,
            },
        ),
        (gettext_lazy("Responsibility"), {"fields": PEOPLE_FIELDS}),
    )
    change_fieldsets = (
        (
            None,
            {
                "fields": (("registry_number", "status"), *DETAIL_FIELDS),
            },
        ),
        (gettext_lazy("Responsibility"), {"fields": PEOPLE_FIELDS}),
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
        return display_name(case.officer)

    @admin.display(description=gettext_lazy("substitute case officer"))
    def substitute_name(self, case: Case) -> str:
        return display_name(case.substitute) or self.get_empty_value_display()

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
        changed = set(form.changed_data)
        data = form.cleaned_data
        if set(PEOPLE_FIELDS) & changed:
            # Through the service: it records the assignment and e-mails the new officer.
            case_assign_officer(
                case=obj,
                actor=request.user,
                officer=data["officer"],
                substitute=data.get("substitute"),
            )
        details = {name: data[name] for name in changed & editable_fields() if name in data}
        if details:
            case_update(case=obj, actor=request.user, **details)

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
        # The organisations and public parties were saved by the service (case_register or
        # case_update, in save_model); the documents inline is read-only.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request, form, formset, change):
        # Documents are registered on their own page: the inline lists them and writes nothing.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

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
                # The case page's timeline; its events only, since the admin's own history
                # page lists the changes of the fields.
                case_timeline=[
                    {"entry": entry, "event": entry.event, "who": entry.by}
                    for entry in case_timeline(obj)
                    if entry.event is not None
                ],
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

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
        """Confirm and take one transition: ``confirm_transition`` decides, as on the case
        page. Only a transition offered to this user at this stage can be confirmed (anything
        else is 403, for GET and POST alike); a refusal by one of its conditions shows the page
        again with the rules and what was typed."""
        request.current_app = self.admin_site.name
        case = self.get_object(request, unquote(object_id))
        if case is None:
            raise Http404
        if not self.has_view_permission(request, case):
            raise PermissionDenied
        step = confirm_transition(request, case, name)
        if not step.available:
            raise PermissionDenied
        if step.taken:
            return HttpResponseRedirect(
                reverse(f"{self.admin_site.name}:iop_case_change", args=[step.case.pk])
            )
        context = {
            **self.admin_site.each_context(request),
            "title": step.info.label,
            "subtitle": str(step.case),
            "opts": self.opts,
            "original": step.case,
            "case": step.case,
            "info": step.info,
            "form": step.form,
            "reasons": step.reasons,
            "stage_label": CaseStatus(step.case.status).label,
            "target_label": CaseStatus(step.info.target).label,
            "has_view_permission": True,
        }
        return TemplateResponse(request, "admin/iop/case/transition.html", context)
