"""The case officer's forms for a committee matter: preparing one, and editing a draft's
tjänsteskrivelse, attachments and decision points.

The edit form carries the revision it was opened at (the optimistic lock); the services
refuse a save from an older revision with ``EditConflict``. The form never touches the matter:
it only hands the service the values typed.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.models import fields_for_model
from django.utils.translation import gettext_lazy as _

from iop.models import Case, PublicBody
from partners.ui import KronorChangeField, form_helper
from partners.uploads import validate_document_upload

from ..constants import MatterKind
from ..models import Matter, MatterPerspective

# What people type around a number: spaces of any width as thousands separators, "kr".

REQUIRED_FOR_CHANGE = _("A renegotiation needs this.")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any):
        super().__init__(format="%Y-%m-%d", **kwargs)


class _ChangeFields(forms.Form):
    """The change of a renegotiation and the day an ending takes effect, shared by the
    prepare form and the edit form."""

    def _add_change_fields(self, case: Case, *, kind: MatterKind | None) -> None:
        parties = PublicBody.objects.filter(
            pk__in=[case.public_body_id, *case.public_bodies.values_list("pk", flat=True)]
        ).order_by("name")
        if kind is None or kind.changes_amount:
            self.fields["amount_public_body"] = forms.ModelChoiceField(
                label=_("Public party whose amount changes"),
                queryset=parties,
                required=False,
                empty_label=None,
                initial=case.public_body_id,
            )
            self.fields["amount_change"] = KronorChangeField(
                allow_zero=False,
                label=_("Change per full year (kronor)"),
                help_text=_("Positive to increase, negative to reduce, e.g. 50 000 or -20 000."),
            )
            self.fields["change_from"] = forms.DateField(
                label=_("Change from"), required=False, widget=DateInput()
            )
        if kind is None or kind == MatterKind.ENDING:
            self.fields["end_date"] = forms.DateField(
                label=_("The partnership ends on"), required=False, widget=DateInput()
            )

    def _check_change_fields(self, kind: MatterKind | None, data: dict) -> None:
        if kind is None:
            return
        if kind.changes_amount:
            for name in ("amount_public_body", "amount_change", "change_from"):
                if data.get(name) is None and name not in self.errors:
                    self.add_error(name, REQUIRED_FOR_CHANGE)
        ending = kind == MatterKind.ENDING
        if ending and data.get("end_date") is None and "end_date" not in self.errors:
            self.add_error("end_date", _("Ending the partnership needs the day it ends."))


class PrepareMatterForm(_ChangeFields):
    """Which matter to prepare and, for a renegotiation, the change; for an ending, the day.
    The kinds offered are those valid at the case's stage, but any kind is accepted here so
    that the service's refusal (the stage, an open matter) is the one the user reads."""

    kind = forms.ChoiceField(
        label=_("Kind of matter"),
        choices=MatterKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the kind of matter.")},
    )

    def __init__(self, *args: Any, case: Case, offered: list[MatterKind], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._add_change_fields(case, kind=None)
        self.fields["kind"].widget.choices = [(k.value, k.label) for k in offered]
        if len(offered) == 1:
            self.fields["kind"].initial = offered[0].value
        self.helper = form_helper(self)

    @property
    def chosen_kind(self) -> MatterKind | None:
        value = self.cleaned_data.get("kind") if hasattr(self, "cleaned_data") else None
        return MatterKind(value) if value else None

    def clean(self) -> dict:
        data = super().clean()
        kind = MatterKind(data["kind"]) if data.get("kind") else None
        self._check_change_fields(kind, data)
        return data

    def service_arguments(self) -> dict:
        kind = self.chosen_kind
        data = self.cleaned_data
        arguments: dict[str, Any] = {"kind": kind}
        if kind.changes_amount:
            arguments.update(
                amount_public_body=data["amount_public_body"],
                amount_change=data["amount_change"],
                change_from=data["change_from"],
            )
        if kind == MatterKind.ENDING:
            arguments["end_date"] = data["end_date"]
        return arguments


# The texts of the tjänsteskrivelse, in the order it prints (the points and perspectives are
# their own inputs, between them).
REPORT_FIELDS = ("title",)
REPORT_AFTER_POINTS = ("summary", "background", "economic_consequences")
REPORT_AFTER_PERSPECTIVES = (
    "send_to",
    "officer_name",
    "officer_title",
    "signing_official_name",
    "signing_official_title",
)
FOLLOW_UP_FIELDS = (
    "follow_up_cooperation",
    "follow_up_background",
    "follow_up_contributions",
    "follow_up_goal_fulfilment",
    "follow_up_development",
)
RENEGOTIATION_FIELDS = ("renegotiation_needs", "renegotiation_consequences", "partner_request")
ENDING_FIELDS = ("wind_down_plan",)
CHANGE_FIELDS = ("amount_public_body", "amount_change", "change_from", "end_date")

_TEXT_FIELDS = (
    *REPORT_FIELDS,
    *REPORT_AFTER_POINTS,
    *REPORT_AFTER_PERSPECTIVES,
    *FOLLOW_UP_FIELDS,
    *RENEGOTIATION_FIELDS,
    *ENDING_FIELDS,
    "include_agreement",
)


class MatterForm(_ChangeFields):
    """Every text of a draft matter, its attachments' fields for its kind, its decision
    points (``point``, one textarea each) and its perspectives (``perspective-<id>``)."""

    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(
        self,
        *args: Any,
        matter: Matter,
        perspectives: list[MatterPerspective],
        points: list[str] | None = None,
        **kwargs: Any,
    ):
        if not kwargs.get("data") and not args:
            kwargs.setdefault("initial", initial_of(matter))
        super().__init__(*args, **kwargs)
        self.matter = matter
        kind = matter.matter_kind
        self.kind = kind
        names = [
            *REPORT_FIELDS,
            *REPORT_AFTER_POINTS,
            *REPORT_AFTER_PERSPECTIVES,
            "include_agreement",
        ]
        if kind.has_follow_up:
            names += FOLLOW_UP_FIELDS
        if kind.changes_amount:
            names += RENEGOTIATION_FIELDS
        if kind == MatterKind.ENDING:
            names += ENDING_FIELDS
        for name, formfield in fields_for_model(Matter, fields=names).items():
            if isinstance(formfield.widget, forms.Textarea):
                formfield.widget.attrs["rows"] = 4
            self.fields[name] = formfield
        self.fields["title"].widget.attrs["maxlength"] = 300
        self._add_change_fields(matter.case, kind=kind)
        if kind.changes_amount:
            self.fields["partner_request_file"] = forms.FileField(
                label=_("The partner's request as a file"),
                required=False,
                validators=[validate_document_upload],
                help_text=validate_document_upload.help_text,
                # A plain input: the stored request is shown beside it, not linked to storage.
                widget=forms.FileInput(attrs={"accept": validate_document_upload.accept}),
            )
            if matter.partner_request_file:
                self.fields["remove_partner_request_file"] = forms.BooleanField(
                    label=_("Remove the uploaded request"), required=False
                )
        self.perspectives = perspectives
        for perspective in perspectives:
            self.fields[self.perspective_name(perspective)] = forms.CharField(
                label=perspective.heading,
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
                initial=perspective.text,
            )
        if points is None:
            points = (
                self.data.getlist("point")
                if self.is_bound and hasattr(self.data, "getlist")
                else [p.text for p in matter.points.all()]
            )
        self.points = list(points)
        self.helper = form_helper(self)

    @staticmethod
    def perspective_name(perspective: MatterPerspective) -> str:
        return f"perspective-{perspective.pk}"

    def field_group(self, names: tuple[str, ...]) -> list[forms.BoundField]:
        return [self[name] for name in names if name in self.fields]

    @property
    def report_fields(self) -> list[forms.BoundField]:
        return self.field_group(REPORT_FIELDS)

    @property
    def change_fields(self) -> list[forms.BoundField]:
        return self.field_group(CHANGE_FIELDS)

    @property
    def after_points_fields(self) -> list[forms.BoundField]:
        return self.field_group(REPORT_AFTER_POINTS)

    @property
    def perspective_fields(self) -> list[forms.BoundField]:
        return [self[self.perspective_name(p)] for p in self.perspectives]

    @property
    def after_perspectives_fields(self) -> list[forms.BoundField]:
        return self.field_group(REPORT_AFTER_PERSPECTIVES)

    @property
    def follow_up_fields(self) -> list[forms.BoundField]:
        return self.field_group(FOLLOW_UP_FIELDS)

    @property
    def renegotiation_fields(self) -> list[forms.BoundField]:
        return self.field_group(
            (*RENEGOTIATION_FIELDS, "partner_request_file", "remove_partner_request_file")
        )

    @property
    def ending_fields(self) -> list[forms.BoundField]:
        return self.field_group(ENDING_FIELDS)

    def clean(self) -> dict:
        data = super().clean()
        self._check_change_fields(self.kind, data)
        return data

    def matter_fields(self) -> dict[str, Any]:
        """What ``services.matter_update`` saves."""
        data = self.cleaned_data
        fields = {
            name: data[name]
            for name in (*_TEXT_FIELDS, *CHANGE_FIELDS)
            if name in self.fields and name in data
        }
        for name, value in fields.items():
            if isinstance(value, str):
                fields[name] = value.strip()
        if data.get("partner_request_file"):
            fields["partner_request_file"] = data["partner_request_file"]
        elif data.get("remove_partner_request_file"):
            fields["partner_request_file"] = ""
        return fields

    def perspective_texts(self) -> list[tuple[MatterPerspective, str]]:
        return [(p, self.cleaned_data.get(self.perspective_name(p), "")) for p in self.perspectives]

    def point_texts(self) -> list[str]:
        return [text.strip() for text in self.points if text and text.strip()]


def initial_of(matter: Matter) -> dict[str, Any]:
    """The form's starting values: what is saved now."""
    initial = {
        name: getattr(matter, name)
        for name in (*_TEXT_FIELDS, "amount_change", "change_from", "end_date")
    }
    initial["amount_public_body"] = matter.amount_public_body_id
    initial["revision"] = matter.revision
    return initial
