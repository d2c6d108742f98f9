"""The jurist's forms on the review page: the procurement-risk assessment (DOMAIN.md §6.3)
and the comments that return a version to drafting. They validate what was typed; the
services ``assessment_save`` and ``return_version`` write it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from partners.ui import form_helper

from ..constants import RiskDirection, RiskFactor, SectionKey
from ..models import RiskAssessment

COMMENT_ROWS = 3


def direction_field_name(factor: str) -> str:
    return f"{factor}-direction"


def comment_field_name(factor: str) -> str:
    return f"{factor}-comment"


class AssessmentForm(forms.Form):
    """One radio (points to procurement / to partnership) and a comment per risk factor, the
    overall assessment and, when the public parties pay everything, the reason for accepting
    it. The jurist may save as they go: what is still missing is listed on the page and
    checked when they approve (``services.assessment_problems``)."""

    overall_assessment = forms.CharField(
        label=_("Overall assessment (samlad bedömning)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "In your own words: weighing the factors, is this a partnership or a procurement?"
        ),
    )
    full_funding_accepted = forms.CharField(
        label=_("Reason for accepting full public funding"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "The public parties pay all of the cost. Required before approval: why it is "
            "nevertheless not procurement or unlawful state aid."
        ),
    )

    def __init__(self, *args: Any, fully_public: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fully_public = fully_public
        factor_fields: dict[str, forms.Field] = {}
        for factor in RiskFactor:
            factor_fields[direction_field_name(factor.value)] = forms.ChoiceField(
                label=factor.label,
                choices=RiskDirection.choices,
                required=False,
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
            )
            factor_fields[comment_field_name(factor.value)] = forms.CharField(
                label=_("Comment"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
            )
        # The factors come first, in the order of RiskFactor; then the overall assessment.
        self.fields = {**factor_fields, **self.fields}
        if not fully_public:
            del self.fields["full_funding_accepted"]
        self.helper = form_helper(self)

    @classmethod
    def initial_from(cls, assessment: RiskAssessment | None) -> dict[str, str]:
        """The recorded assessment as the form's initial values."""
        if assessment is None:
            return {}
        initial = {
            "overall_assessment": assessment.overall_assessment,
            "full_funding_accepted": assessment.full_funding_accepted,
        }
        for answer in assessment.answers.all():
            initial[direction_field_name(answer.factor)] = answer.direction
            initial[comment_field_name(answer.factor)] = answer.comment
        return initial

    def factor_rows(self) -> list[tuple[RiskFactor, forms.BoundField, forms.BoundField]]:
        """(factor, radio field, comment field) in order, for the page's table of factors."""
        return [
            (
                factor,
                self[direction_field_name(factor.value)],
                self[comment_field_name(factor.value)],
            )
            for factor in RiskFactor
        ]

    def answers(self) -> dict[str, tuple[str, str]]:
        """``{factor: (direction, comment)}`` for ``services.assessment_save``."""
        data = self.cleaned_data
        return {
            factor: (
                data.get(direction_field_name(factor)) or "",
                data.get(comment_field_name(factor)) or "",
            )
            for factor in RiskFactor.values
        }


def section_comment_field_name(key: str) -> str:
    return f"comment-{key}"


class ReturnForm(forms.Form):
    """The jurist's comments that send the version back: one optional comment per heading
    and a general comment. At least one must be written."""

    general = forms.CharField(
        label=_("General comment on the agreement"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown to the case officer with the returned version."),
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for key in SectionKey:
            self.fields[section_comment_field_name(key.value)] = forms.CharField(
                label=key.label,
                required=False,
                widget=forms.Textarea(attrs={"rows": COMMENT_ROWS}),
            )
        self.helper = form_helper(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not any((value or "").strip() for value in data.values()):
            raise forms.ValidationError(
                _(
                    "Write at least one comment, on a heading or on the whole, before you return the agreement."
                ),
                code="no_comment",
            )
        return data

    def section_comments(self) -> list[tuple[str, str]]:
        """``[(heading key, text)]`` of the headings commented on, in the headings' order."""
        data = self.cleaned_data
        return [
            (key, text.strip())
            for key in SectionKey.values
            if (text := data.get(section_comment_field_name(key)) or "").strip()
        ]

    def section_fields(self) -> list[forms.BoundField]:
        return [self[section_comment_field_name(key)] for key in SectionKey.values]
