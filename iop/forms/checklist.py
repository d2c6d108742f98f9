"""The checklist screen: the eighteen criteria and the seven questions. The forms validate what
a person typed; ``iop.services.checklist`` saves what they return."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ..constants import CHECKLIST_QUESTIONS, Criterion

ANSWER_CHOICES = [
    ("yes", _("Yes")),
    ("no", _("No")),
    ("", _("Not answered")),
]
_ANSWER_VALUES = {"yes": True, "no": False}


def answer_to_choice(answer: bool | None) -> str:
    return {True: "yes", False: "no"}.get(answer, "")


class CriterionForm(forms.Form):
    """One criterion: met (yes), not met (no) or not answered, and a comment. The prefix is
    the criterion's code, so one page holds all eighteen. Only the fields present in the
    data are given to the service: a save of the comment alone keeps the answer."""

    answer = forms.TypedChoiceField(
        choices=ANSWER_CHOICES,
        coerce=_ANSWER_VALUES.get,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )

    def __init__(self, *args: Any, criterion: Criterion, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", criterion.value)
        super().__init__(*args, **kwargs)
        self.criterion = criterion
        self.fields["answer"].label = criterion.label

    def sent_fields(self) -> list[str]:
        if not self.is_bound:
            return []
        return [name for name in self.fields if self.add_prefix(name) in self.data]

    def service_kwargs(self) -> dict[str, Any]:
        """``checklist_criterion_save``'s arguments for the fields that were sent."""
        return {name: self.cleaned_data[name] for name in self.sent_fields()}


class ChecklistQuestionsForm(forms.Form):
    """The seven questions of Region Värmland's checklist, answered in free text; built with
    only the questions given in ``only`` when one question is saved on its own."""

    def __init__(self, *args: Any, only: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, question in CHECKLIST_QUESTIONS:
            if only is None or name in only:
                self.fields[name] = forms.CharField(
                    label=question,
                    required=False,
                    strip=False,
                    widget=forms.Textarea(attrs={"rows": 3}),
                )

    def sent_fields(self) -> list[str]:
        return [name for name in self.fields if self.add_prefix(name) in self.data]

    def service_kwargs(self) -> dict[str, str]:
        return {name: self.cleaned_data[name] for name in self.sent_fields()}
