"""Forms of the budget and action-plan screens: the co-financing budget's lines, the plan's
activities and the plan's own fields of a draft version (DOMAIN.md §6.2 and §6.5).

They validate what the case officer typed; the views save it through ``services.budget_save``
and ``services.plan_save``, so a save from an outdated page is refused, never applied over
someone else's."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.forms.models import BaseModelFormSet, modelformset_factory
from django.utils.translation import gettext_lazy as _

from partners.ui import form_helper

from ..budget import is_profit_line
from ..constants import BudgetKind
from ..models import PLAN_FIELDS, ActionPlanActivity, AgreementParty, AgreementVersion, BudgetLine
from ..templatetags.agreement_format import format_number

FIRST_YEAR = 2000
LAST_YEAR = 2100
MAX_ROWS = 300
EXTRA_ROWS = 3
MIN_CHECKINS = 2

# What people type around a number: spaces of any width as thousands separators, "kr".
_NOISE = re.compile(r"[\s\u00a0\u202f]|kr\.?$", re.IGNORECASE)


class SwedishDecimalField(forms.DecimalField):
    """A number as a Swede types it: "600 000", "12,5", "1 250,50 kr". Zero or less is
    refused: a contribution of nothing belongs deleted, and a negative one does not exist."""

    widget = forms.TextInput

    default_error_messages = {
        "invalid": _("Enter a number, e.g. 600 000 or 12,5."),
        "not_positive": _("Enter a number greater than zero: a contribution cannot be negative."),
    }

    def __init__(self, *, max_digits: int = 12, decimals: int = 2, **kwargs: Any):
        kwargs.setdefault("required", False)
        super().__init__(max_digits=max_digits, decimal_places=decimals, **kwargs)
        self.decimals = decimals
        self.widget.attrs.setdefault("inputmode", "decimal")
        self.widget.attrs.setdefault("autocomplete", "off")

    def to_python(self, value: Any) -> Decimal | None:
        if value in self.empty_values:
            return None
        text = _NOISE.sub("", str(value)).replace(",", ".").replace("−", "-")
        if not text:
            return None
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        if not number.is_finite():
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return number

    def validate(self, value: Decimal | None) -> None:
        super().validate(value)
        if value is not None and value <= 0:
            raise ValidationError(self.error_messages["not_positive"], code="not_positive")

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Decimal):
            decimals = 0 if value == value.to_integral_value() else self.decimals
            # Ordinary spaces: what the person would type back.
            return format_number(value, decimals=decimals).replace("\u202f", " ")
        return value


class _LineIdField(forms.ModelChoiceField):
    """The hidden id of an existing line, looked up among the lines already loaded (the
    default field queries the database once per row). An id that is no longer there (the line
    was deleted by someone else since the page was loaded) gives None: the formset reports it."""

    def __init__(self, objects: dict[int, Any], **kwargs: Any):
        self._objects = objects
        super().__init__(queryset=BudgetLine.objects.none(), **kwargs)

    def to_python(self, value: Any) -> Any:
        if value in self.empty_values:
            return None
        try:
            return self._objects.get(int(value))
        except (TypeError, ValueError):
            return None


class _CachedIdFormSet(BaseModelFormSet):
    """A model formset whose rows validate without a query per row."""

    deleted_elsewhere_message = _(
        "This line was deleted by someone else since you opened the page. Check the budget; "
        "to keep the line, enter it again in an empty row."
    )

    def _objects(self) -> dict[int, Any]:
        if not hasattr(self, "_loaded_objects"):
            self._loaded_objects = {o.pk: o for o in self.get_queryset()}
        return self._loaded_objects

    def _existing_object(self, pk: Any) -> Any:
        return self._objects().get(pk)

    def add_fields(self, form: forms.BaseForm, index: int | None) -> None:
        super().add_fields(form, index)
        previous = form.fields[self._pk_field.name]
        form.fields[self._pk_field.name] = _LineIdField(
            objects=self._objects(),
            initial=previous.initial,
            required=False,
            widget=forms.HiddenInput,
        )
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Delete")

    def clean(self) -> None:
        super().clean()
        for form in self.initial_forms:
            if form.instance.pk is None and not self._should_delete_form(form):
                form.add_error(None, self.deleted_elsewhere_message)


# --- Budget ---------------------------------------------------------------------------------


class BudgetLineForm(forms.ModelForm):
    """One contribution of one party in one year."""

    party = forms.TypedChoiceField(label=_("Party"), coerce=int, empty_value=None)
    year = forms.IntegerField(
        label=_("Year"),
        error_messages={
            "min_value": _("Enter a year between %(first)s and %(last)s.")
            % {"first": FIRST_YEAR, "last": LAST_YEAR},
            "max_value": _("Enter a year between %(first)s and %(last)s.")
            % {"first": FIRST_YEAR, "last": LAST_YEAR},
        },
        min_value=FIRST_YEAR,
        max_value=LAST_YEAR,
        widget=forms.NumberInput(attrs={"min": FIRST_YEAR, "max": LAST_YEAR, "step": 1}),
    )
    amount = SwedishDecimalField(label=_("Amount (kr)"))
    hours = SwedishDecimalField(label=_("Hours"), max_digits=9, decimals=1)
    hourly_value = SwedishDecimalField(label=_("Value per hour (kr)"), max_digits=9)

    class Meta:
        model = BudgetLine
        fields = ["party", "year", "kind", "description", "amount", "hours", "hourly_value"]

    def __init__(
        self, *args: Any, parties: list[AgreementParty], default_year: int | None = None, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self._parties = {p.pk: p for p in parties}
        self.fields["party"].choices = [("", "—")] + [(p.pk, p.name) for p in parties]
        if self.instance.pk is None and default_year is not None:
            self.fields["year"].initial = default_year
        self.fields["kind"].label = _("Kind")
        self.fields["description"].label = _("Description")
        for name, field in self.fields.items():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = f"{css} {css}-sm"
            if name in ("amount", "hours", "hourly_value", "year"):
                field.widget.attrs["class"] += " text-end"

    def clean_party(self) -> AgreementParty | None:
        pk = self.cleaned_data.get("party")
        if pk is None:
            return None
        party = self._parties.get(pk)
        if party is None:
            raise ValidationError(_("Choose one of the agreement's parties."), code="party")
        return party

    def clean_description(self) -> str:
        description = (self.cleaned_data.get("description") or "").strip()
        if is_profit_line(description):
            raise ValidationError(
                _(
                    "A budget line cannot be a profit: an IOP is run without profit motive, "
                    "so profit cannot be budgeted."
                ),
                code="profit",
            )
        return description

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        kind = data.get("kind")
        if kind == BudgetKind.VOLUNTEER:
            for name in ("hours", "hourly_value"):
                if data.get(name) is None and name not in self.errors:
                    self.add_error(
                        name,
                        ValidationError(
                            _("Volunteer work is entered as hours × a value per hour."),
                            code="volunteer",
                        ),
                    )
            if data.get("amount") is not None:
                self.add_error(
                    "amount",
                    ValidationError(
                        _(
                            "Leave the amount empty for volunteer work: its value is the hours "
                            "× the value per hour."
                        ),
                        code="volunteer_amount",
                    ),
                )
        elif kind:
            if data.get("amount") is None and "amount" not in self.errors:
                self.add_error(
                    "amount",
                    ValidationError(
                        _("Enter the amount in kronor; in-kind contributions at their value."),
                        code="amount",
                    ),
                )
            for name in ("hours", "hourly_value"):
                if data.get(name) is not None:
                    self.add_error(
                        name,
                        ValidationError(
                            _("Hours and value per hour are only for volunteer work."),
                            code="not_volunteer",
                        ),
                    )
        return data

    def _get_validation_exclusions(self) -> Any:
        # The party is one of the version's parties, checked in clean_party; the model's
        # check would ask the database once per row.
        exclusions = super()._get_validation_exclusions()
        exclusions.add("party")
        return exclusions


class BudgetLineFormSet(_CachedIdFormSet):
    pass


def budget_formset(
    *,
    lines,
    parties: list[AgreementParty],
    default_year: int | None,
    data: Any = None,
) -> BudgetLineFormSet:
    """The formset of a draft's lines. ``lines`` is the queryset of its lines, already
    evaluated or not: it is read once."""
    formset_class = modelformset_factory(
        BudgetLine,
        form=BudgetLineForm,
        formset=BudgetLineFormSet,
        extra=EXTRA_ROWS,
        can_delete=True,
        max_num=MAX_ROWS,
        validate_max=True,
    )
    return formset_class(
        data,
        queryset=lines,
        prefix="lines",
        form_kwargs={"parties": parties, "default_year": default_year},
    )


# --- Action plan ------------------------------------------------------------------------------


class ActivityForm(forms.ModelForm):
    """One activity of the action plan: what, who is responsible, when, and what it gives."""

    class Meta:
        model = ActionPlanActivity
        fields = ["order", "description", "owner", "timetable", "expected_result"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "expected_result": forms.Textarea(attrs={"rows": 2}),
            "order": forms.NumberInput(attrs={"min": 1, "max": 999}),
        }

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        order = self.fields["order"]
        order.min_value, order.max_value = 1, 999
        order.validators = [MinValueValidator(1), MaxValueValidator(999)]
        order.widget.attrs.update({"min": 1, "max": 999})
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-control form-control-sm"


class ActivityFormSet(_CachedIdFormSet):
    deleted_elsewhere_message = _(
        "This activity was deleted by someone else since you opened the page. To keep it, "
        "enter it again in an empty row."
    )

    def _construct_form(self, i: int, **kwargs: Any) -> forms.BaseForm:
        form = super()._construct_form(i, **kwargs)
        initial_count = self.initial_form_count()
        if i >= initial_count:
            # An empty row comes after the saved activities.
            last = max((o.order for o in self._objects().values()), default=0)
            form.initial["order"] = last + i - initial_count + 1
        return form


def activity_formset(*, activities, data: Any = None) -> ActivityFormSet:
    formset_class = modelformset_factory(
        ActionPlanActivity,
        form=ActivityForm,
        formset=ActivityFormSet,
        extra=EXTRA_ROWS,
        can_delete=True,
        max_num=MAX_ROWS,
        validate_max=True,
    )
    return formset_class(data, queryset=activities, prefix="activities")


class PlanForm(forms.ModelForm):
    """The plan's own fields of the version: results, check-ins and the annual evaluation."""

    class Meta:
        model = AgreementVersion
        fields = PLAN_FIELDS
        widgets = {
            "concrete_results": forms.Textarea(attrs={"rows": 3}),
            "intangible_results": forms.Textarea(attrs={"rows": 3}),
            "annual_evaluation": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        checkins = self.fields["checkins_per_year"]
        checkins.min_value, checkins.max_value = MIN_CHECKINS, 52
        checkins.validators = [
            MinValueValidator(MIN_CHECKINS, _("The parties check in at least twice a year.")),
            MaxValueValidator(52, _("At most one check-in a week (52 a year).")),
        ]
        checkins.widget.attrs.update({"min": MIN_CHECKINS, "max": 52})
        self.helper = form_helper(self)

    def changed_values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}
