"""Forms for organisations, their contact persons and value declarations. They validate
what a person typed and say what is wrong in words a case officer understands; the
services in ``partners.services`` (and the admin) save what they return."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .constants import DocumentKind
from .diarium import diarium
from .models import (
    ContactPerson,
    DeclaredGrant,
    Organisation,
    OrganisationDocument,
    ValueDeclaration,
)
from .ui import KronorChangeField, form_helper
from .uploads import validate_document_upload, validate_scan_upload
from .validators import format_org_number, normalise_org_number, validate_org_number


class OrganisationForm(forms.ModelForm):
    """Register or edit an organisation. The organisation number may be typed with or
    without the hyphen (``802002-3456`` or ``8020023456``); it is stored as ten digits."""

    class Meta:
        model = Organisation
        fields = [
            "name",
            "org_number",
            "legal_form",
            "street_address",
            "postal_code",
            "city",
            "email",
            "phone",
            "website",
            "member_count",
        ]

    # Typed without a scheme, a website is most likely served over https.
    website = Organisation._meta.get_field("website").formfield(assume_scheme="https")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The admin leaves out the fields a reading role may not change.
        if "org_number" in self.fields:
            # Too many characters is one of the mistakes clean_org_number explains; the
            # field's own length limit would only say "at most 13 characters".
            org_number = self.fields["org_number"]
            org_number.max_length = None
            org_number.validators = [
                v for v in org_number.validators if not isinstance(v, MaxLengthValidator)
            ]
            org_number.widget.attrs.pop("maxlength", None)
            # Show a stored number the way Bolagsverket prints it.
            if self.instance.pk and not self.is_bound:
                self.initial["org_number"] = format_org_number(self.instance.org_number)
        self.helper = form_helper(self)

    def clean_org_number(self) -> str:
        typed = self.cleaned_data["org_number"]
        validate_org_number(typed)
        digits = normalise_org_number(typed)
        existing = (
            Organisation.objects.filter(org_number=digits).exclude(pk=self.instance.pk).first()
        )
        if existing is not None:
            raise ValidationError(
                _(
                    "The organisation number %(number)s is already registered, for "
                    "%(name)s. Open that organisation instead of registering it again."
                ),
                code="already_registered",
                params={"number": format_org_number(digits), "name": existing.name},
            )
        return digits


class ContactPersonForm(forms.ModelForm):
    class Meta:
        model = ContactPerson
        fields = ["name", "title", "email", "phone", "is_primary"]
        help_texts = {
            "is_primary": _(
                "The person the public body contacts first. Marking this person unmarks the "
                "organisation's other primary contact."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper(self)


class ValueDeclarationForm(forms.ModelForm):
    """Record a value declaration (värdegrundsintyg) as the signatory signed it on paper.

    Each of the six points and the routine statement is a box ticked when the signatory
    confirmed it. A declaration with a box left unticked is still saved: it is a record of
    what the organisation did (or did not) sign. It is never *signed* in the system's sense:
    ``ValueDeclaration.is_signed`` requires every point, is shown wherever the declaration
    is, and is what stops the case from moving on to drafting. Deriving it from the points
    (instead of storing a flag) means the two cannot disagree.
    """

    class Meta:
        model = ValueDeclaration
        fields = [
            "signatory_name",
            "signatory_title",
            "signed_on",
            *ValueDeclaration.POINT_FIELDS,
            "scanned_file",
        ]
        widgets = {
            "signed_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The admin leaves out the fields a reading role may not change.
        if "scanned_file" in self.fields:
            scan = self.fields["scanned_file"]
            scan.validators.append(validate_scan_upload)
            scan.widget.attrs["accept"] = validate_scan_upload.accept
            scan.help_text = validate_scan_upload.help_text
        for name in ValueDeclaration.POINT_FIELDS:
            if name in self.fields:
                self.fields[name].help_text = _("Tick only if the signatory confirmed this point.")
        self.helper = form_helper(self)

    def clean_signed_on(self):
        signed_on = self.cleaned_data["signed_on"]
        if signed_on > timezone.localdate():
            raise ValidationError(
                _("The declaration cannot have been signed later than today."), code="future"
            )
        return signed_on

    @property
    def unconfirmed_points(self) -> list[str]:
        """The labels of the points the signatory did not confirm (after validation)."""
        return [
            str(self.fields[name].label)
            for name in ValueDeclaration.POINT_FIELDS
            if not self.cleaned_data.get(name)
        ]

    @property
    def is_complete(self) -> bool:
        return not self.unconfirmed_points


# --- Uploads: registering a document, and the value declaration with its scanned copy ---


class AskForFileAgainMixin:
    """A browser cannot refill a file input: when the form comes back with errors, the
    file field says so, so that nobody saves believing the file went with it."""

    file_fields: tuple[str, ...] = ()

    def full_clean(self):
        super().full_clean()
        if self.is_bound and self._errors:
            self.ask_for_file_again()

    def ask_for_file_again(self) -> None:
        for name in self.file_fields:
            if self.files.get(name) and name not in self._errors:
                self.add_error(
                    name,
                    ValidationError(
                        _(
                            "The file was not saved because of the errors above: choose the file again."
                        ),
                        code="choose_again",
                    ),
                )


def _file_widget(validator) -> forms.ClearableFileInput:
    return forms.ClearableFileInput(attrs={"accept": validator.accept})


class OrganisationDocumentForm(AskForFileAgainMixin, forms.Form):
    """Upload a document the organisation handed in (DOMAIN.md §5) and register it: in one of
    the organisation's cases, or in its own file at a public body (see
    partners.services.document_register)."""

    file_fields = ("file",)

    kind = forms.ChoiceField(label=_("Kind of document"), choices=DocumentKind.choices)
    year = forms.IntegerField(
        label=_("Year the document concerns"),
        required=False,
        min_value=1900,
        max_value=2100,
        help_text=_("E.g. the year of the annual report or the accounts."),
    )
    received_on = forms.DateField(
        label=_("Date received"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("The day the organisation's document reached us."),
    )
    description = forms.CharField(label=_("Description"), required=False, max_length=300)
    # The hub's cases and public bodies, through the document's own foreign keys.
    case = OrganisationDocument._meta.get_field("case").formfield(
        label=_("Register in case"),
        required=False,
        empty_label=_("No case – the organisation's own file"),
        help_text=_("The document gets its registry number in the case it belongs to."),
        error_messages={
            "invalid_choice": _(
                "You may not register documents in that case: choose one of the cases listed."
            )
        },
    )
    public_body = OrganisationDocument._meta.get_field("public_body").formfield(
        label=_("Public body whose registry holds the organisation's own file"),
        required=False,
        help_text=_("Only needed when no case is chosen."),
    )
    file = forms.FileField(
        label=_("File"),
        validators=[validate_document_upload],
        widget=_file_widget(validate_document_upload),
        error_messages={"required": _("Choose the file to upload.")},
    )

    def __init__(self, *args, organisation: Organisation, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        # Only the organisation's cases the user may register in (can_change_case).
        cases = diarium().cases_to_register_in(user=user, organisation=organisation)
        self.fields["case"].queryset = cases
        self.fields["file"].help_text = validate_document_upload.help_text
        self.fields["received_on"].initial = timezone.localdate
        open_cases = [c for c in cases if not c.is_final]
        if len(open_cases) == 1:
            self.fields["case"].initial = open_cases[0].pk
        bodies = list(self.fields["public_body"].queryset[:2])
        if len(bodies) == 1:
            self.fields["public_body"].initial = bodies[0].pk
        self.helper = form_helper(self)

    def clean_received_on(self):
        received_on = self.cleaned_data["received_on"]
        if received_on > timezone.localdate():
            raise ValidationError(_("The date received cannot be later than today."), code="future")
        return received_on

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("case") and not cleaned.get("public_body") and "case" not in self.errors:
            self.add_error(
                "public_body",
                ValidationError(
                    _(
                        "Choose a case, or the public body whose registry holds the organisation's own file."
                    ),
                    code="required",
                ),
            )
        return cleaned


class ValueDeclarationRecordForm(AskForFileAgainMixin, ValueDeclarationForm):
    """The value declaration form on its page: also asks for the scan again after errors."""

    file_fields = ("scanned_file",)


# --- Declared grants (the double-funding check) -----------------------------------------------


class KronorAmountField(KronorChangeField):
    """An amount in whole kronor, typed as a Swede writes it ("250 000", "250 000 kr")."""

    default_error_messages = {
        "invalid": _("Enter the amount in whole kronor, e.g. 250 000."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("required", True)
        super().__init__(allow_zero=True, **kwargs)


class DeclaredGrantForm(forms.Form):
    """A grant the organisation declared it receives from another giver. The service
    (``partners.services.declare_grant``) checks the rest (a year in range, a date not in the
    future, the same grant not declared twice)."""

    giver = forms.CharField(
        label=_("Grant giver"),
        max_length=200,
        help_text=DeclaredGrant._meta.get_field("giver").help_text,
        error_messages={"required": _("Enter who gives the grant.")},
    )
    purpose = forms.CharField(
        label=_("Purpose"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=DeclaredGrant._meta.get_field("purpose").help_text,
        error_messages={"required": _("Enter what the grant pays for.")},
    )
    amount = KronorAmountField(
        label=_("Amount (kronor)"),
        error_messages={"required": _("Enter the grant's amount in kronor.")},
    )
    year = forms.IntegerField(
        label=_("Year"),
        help_text=DeclaredGrant._meta.get_field("year").help_text,
        error_messages={"required": _("Enter the year the grant is for.")},
    )
    declared_on = forms.DateField(
        label=_("Date declared"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=DeclaredGrant._meta.get_field("declared_on").help_text,
        error_messages={"required": _("Enter the day the organisation declared the grant.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["declared_on"].initial = timezone.localdate
        self.fields["year"].initial = lambda: timezone.localdate().year
        self.fields["year"].widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})
        self.helper = form_helper(self)

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount is not None and amount < 0:
            raise ValidationError(_("The amount cannot be negative."), code="negative")
        return amount


class WithdrawGrantForm(forms.Form):
    """Withdraw a declared grant: it is kept, with the reason, and no longer counted."""

    reason = forms.CharField(
        label=_("Reason for withdrawing"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("E.g. declared by mistake, or the giver withdrew the grant."),
        error_messages={"required": _("Say why the grant is withdrawn.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper(self)
