import os

from simple_history.models import HistoricalRecords

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .constants import DocumentKind, LegalForm
from .querysets import OrganisationQuerySet
from .validators import format_org_number, normalise_org_number, validate_org_number


class OrgNumberField(models.CharField):
    """Stores the ten digits only; accepts them with or without the hyphen."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 10)
        kwargs.setdefault("validators", [validate_org_number])
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return normalise_org_number(value) if isinstance(value, str) else value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return normalise_org_number(value) if isinstance(value, str) else value

    def formfield(self, **kwargs):
        # The form field must accept "802002-3456" (11 characters) before it is normalised.
        kwargs.setdefault("max_length", 13)
        field = super().formfield(**kwargs)
        field.widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})
        return field


class Organisation(models.Model):
    """A non-profit, democratically governed organisation (DOMAIN.md §5)."""

    name = models.CharField(_("name"), max_length=200, db_index=True)
    org_number = OrgNumberField(
        _("organisation number"),
        unique=True,
        help_text=_("Ten digits, with or without the hyphen, e.g. 802002-3456."),
    )
    legal_form = models.CharField(
        _("legal form"),
        max_length=30,
        choices=LegalForm.choices,
        default=LegalForm.NON_PROFIT_ASSOCIATION,
    )
    street_address = models.CharField(_("street address"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    website = models.URLField(_("website"), blank=True)
    member_count = models.PositiveIntegerField(_("number of members"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()
    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("partners:detail", args=[self.pk])

    def clean(self):
        super().clean()
        self.org_number = normalise_org_number(self.org_number)

    @property
    def org_number_display(self) -> str:
        return format_org_number(self.org_number)

    @property
    def address(self) -> str:
        return ", ".join(
            p for p in (self.street_address, f"{self.postal_code} {self.city}".strip()) if p
        )

    def has_signed_value_declaration(self) -> bool:
        return any(d.is_signed for d in self.value_declarations.all())


class ContactPerson(models.Model):
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="contacts",
        verbose_name=_("organisation"),
    )
    name = models.CharField(_("name"), max_length=200)
    title = models.CharField(_("role in the organisation"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    is_primary = models.BooleanField(_("primary contact"), default=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("contact person")
        verbose_name_plural = _("contact persons")
        ordering = ["-is_primary", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation})"


def document_upload_to(instance: "OrganisationDocument", filename: str) -> str:
    return f"organisations/{instance.organisation_id}/{instance.kind}/{filename}"


class OrganisationDocument(models.Model):
    """A document the organisation has handed in (statutes, annual report …)."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="documents",
        verbose_name=_("organisation"),
    )
    kind = models.CharField(_("kind of document"), max_length=30, choices=DocumentKind.choices)
    file = models.FileField(_("file"), upload_to=document_upload_to)
    year = models.PositiveSmallIntegerField(_("year the document concerns"), null=True, blank=True)
    received_on = models.DateField(_("date received"))
    # Registration (diarieföring): see partners.services.document_register for the scheme.
    case = models.ForeignKey(
        "iop.Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisation_documents",
        verbose_name=_("registered in case"),
    )
    public_body = models.ForeignKey(
        "iop.PublicBody",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registered by public body"),
    )
    matter_number = models.CharField(
        _("registry number of the matter"), max_length=30, blank=True, editable=False
    )
    document_serial = models.PositiveIntegerField(
        _("document number in the matter"), null=True, blank=True, editable=False
    )
    registry_number = models.CharField(
        _("registry number"), max_length=40, blank=True, editable=False
    )
    description = models.CharField(_("description"), max_length=300, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("organisation document")
        verbose_name_plural = _("organisation documents")
        ordering = ["-received_on", "-pk"]
        indexes = [models.Index(fields=["organisation", "kind"])]
        constraints = [
            models.UniqueConstraint(
                fields=["registry_number"],
                condition=~models.Q(registry_number=""),
                name="orgdocument_unique_registry_number",
            ),
            models.UniqueConstraint(
                fields=["matter_number", "document_serial"],
                condition=~models.Q(matter_number=""),
                name="orgdocument_unique_serial_in_matter",
            ),
        ]

    def __str__(self) -> str:
        year = f" {self.year}" if self.year else ""
        return f"{self.get_kind_display()}{year} – {self.organisation}"

    @property
    def download_name(self) -> str:
        """ "RV 2026-00012-3 Stadgar": the registry number says which document it is; the
        stored name may carry the storage's suffix against clashes."""
        if self.registry_number:
            return f"{self.registry_number} {self.get_kind_display()}"
        return os.path.splitext(os.path.basename(self.file.name))[0]


def declaration_upload_to(instance: "ValueDeclaration", filename: str) -> str:
    return f"organisations/{instance.organisation_id}/value_declarations/{filename}"


class ValueDeclaration(models.Model):
    """The value declaration (värdegrundsintyg, Mora's democracy condition, DOMAIN.md §5).

    A representative certifies that neither the organisation, its owners, sub-units nor
    representatives do any of points 1–6, and that there are routines for staff who do.
    """

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="value_declarations",
        verbose_name=_("organisation"),
    )
    signatory_name = models.CharField(_("signatory"), max_length=200)
    signatory_title = models.CharField(_("signatory's role"), max_length=200, blank=True)
    signed_on = models.DateField(_("date signed"))
    no_violence = models.BooleanField(
        _("1. does not use violence, coercion or threats against any person"), default=False
    )
    no_child_rights_violation = models.BooleanField(
        _(
            "2. does not violate a child's rights in a way that puts the child's health or "
            "development at risk"
        ),
        default=False,
    )
    no_exploitation = models.BooleanField(
        _(
            "3. does not violate a person's fundamental rights and freedoms by exploiting a "
            "vulnerable situation"
        ),
        default=False,
    )
    no_discrimination = models.BooleanField(
        _(
            "4. does not discriminate or otherwise break the principle of everyone's equal worth "
            "on grounds of sex or transgender identity or expression, ethnicity, religion or other "
            "belief, disability, sexual orientation, age or political opinion"
        ),
        default=False,
    )
    no_incitement = models.BooleanField(
        _("5. does not defend, promote or incite any of points 1–4"), default=False
    )
    no_anti_democracy = models.BooleanField(
        _("6. does not work against the democratic form of government"), default=False
    )
    has_routines = models.BooleanField(
        _(
            "The organisation has routines for handling staff who act against this outside their "
            "assignment"
        ),
        default=False,
    )
    scanned_file = models.FileField(
        _("scanned signed declaration"), upload_to=declaration_upload_to, blank=True
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    history = HistoricalRecords()

    POINT_FIELDS = (
        "no_violence",
        "no_child_rights_violation",
        "no_exploitation",
        "no_discrimination",
        "no_incitement",
        "no_anti_democracy",
        "has_routines",
    )

    class Meta:
        verbose_name = _("value declaration")
        verbose_name_plural = _("value declarations")
        ordering = ["-signed_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.organisation} – {self.signatory_name} {self.signed_on:%Y-%m-%d}"

    @property
    def download_name(self) -> str:
        """What the scanned copy is downloaded as."""
        return f"{_('Value declaration')} {self.organisation.name} {self.signed_on:%Y-%m-%d}"

    @property
    def is_signed(self) -> bool:
        """Signed, dated, and every point and the routine statement confirmed."""
        return bool(self.signatory_name and self.signed_on) and all(
            getattr(self, f) for f in self.POINT_FIELDS
        )


class DeclaredGrantQuerySet(models.QuerySet):
    def in_force(self) -> "DeclaredGrantQuerySet":
        """The grants not withdrawn: what the double-funding check counts."""
        return self.filter(withdrawn_at__isnull=True)


class DeclaredGrant(models.Model):
    """A grant the organisation declared it receives from someone else (Arvsfonden, another
    public body's grant, a foundation), so that the officer and the jurist see whether the
    same activity would be funded twice (issue 11, the double-funding check).

    A grant declared in error is withdrawn with a reason, never deleted: what the officer saw
    when the case was prepared stays on record for the auditor.
    """

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="declared_grants",
        verbose_name=_("organisation"),
    )
    giver = models.CharField(
        _("grant giver"),
        max_length=200,
        help_text=_("Who gives the grant, e.g. Arvsfonden or Region Värmland kultur."),
    )
    purpose = models.CharField(
        _("purpose"),
        max_length=500,
        help_text=_("What the grant pays for, in the organisation's words."),
    )
    amount = models.DecimalField(
        _("amount (kronor)"),
        max_digits=12,
        decimal_places=0,
        validators=[MinValueValidator(0)],
    )
    year = models.PositiveSmallIntegerField(
        _("year"),
        validators=[MinValueValidator(1990), MaxValueValidator(2100)],
        help_text=_("The year the grant is for."),
    )
    declared_on = models.DateField(
        _("date declared"), help_text=_("The day the organisation declared the grant.")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("withdrawn by"),
    )
    withdrawn_reason = models.TextField(_("reason for withdrawing"), blank=True)

    history = HistoricalRecords()
    objects = DeclaredGrantQuerySet.as_manager()

    class Meta:
        verbose_name = _("declared grant")
        verbose_name_plural = _("declared grants")
        ordering = ["-year", "giver", "pk"]
        indexes = [models.Index(fields=["organisation", "year"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gte=0), name="declaredgrant_amount_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(withdrawn_at__isnull=True) | ~models.Q(withdrawn_reason=""),
                name="declaredgrant_withdrawn_with_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.giver} {self.year} – {self.organisation}"

    def get_absolute_url(self) -> str:
        return reverse("partners:detail", args=[self.organisation_id]) + "#grants"

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None
