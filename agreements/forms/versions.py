"""The form that picks two versions of an agreement to compare."""

from __future__ import annotations

from crispy_forms.layout import Div, Field, Layout

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partners.ui import form_helper


class CompareForm(forms.Form):
    """Pick two versions of the same agreement; the query string is ``?fran=n&till=m``."""

    fran = forms.TypedChoiceField(label=gettext_lazy("From version"), coerce=int)
    till = forms.TypedChoiceField(label=gettext_lazy("To version"), coerce=int)

    def __init__(self, *args, numbers: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(n, _("Version %(number)s") % {"number": n}) for n in numbers]
        for name in ("fran", "till"):
            self.fields[name].choices = choices
            self.fields[name].error_messages.update(
                required=_("Choose a version."),
                invalid_choice=_("This agreement has no version %(value)s."),
            )
        self.helper = form_helper(self)
        self.helper.layout = Layout(
            Div(
                Div(Field("fran"), css_class="col-sm-auto"),
                Div(Field("till"), css_class="col-sm-auto"),
                css_class="row g-3",
            )
        )

    def clean(self):
        data = super().clean()
        if data.get("fran") is not None and data.get("fran") == data.get("till"):
            raise forms.ValidationError(_("Choose two different versions to compare."))
        return data
