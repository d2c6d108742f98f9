"""The case register's filters, free-text search and sort order.

The register page and its exports read through the same :class:`CaseFilter` and
:func:`apply_sort`, so a downloaded file always holds exactly the rows the page lists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape

import django_filters

from django import forms
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Exists, OuterRef, Q, QuerySet, Value, When
from django.forms.models import ModelChoiceIterator
from django.forms.utils import flatatt
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from partners.models import Organisation
from partners.users import display_name

from .constants import CaseStatus, DocumentDirection
from .models import Case, Committee, PublicBody, RegistryEntry, RegistrySequence

User = get_user_model()

CaseOrganisation = Case.organisations.through

# "2026/17", "RV 2026/00017", "rv2026/17": an optional public-body prefix, the year, the serial.
REGISTRY_NUMBER = re.compile(
    r"^\s*(?:(?P<code>[^\W\d_]{1,10})\s*)?(?P<year>\d{4})\s*/\s*(?P<serial>\d{1,7})\s*$"
)
# Something typed like an organisation number: digits, optionally split by a hyphen or spaces.
ORG_NUMBER_LIKE = re.compile(r"^[\d\s-]+$")
# An organisation-number search needs enough digits not to match every organisation (and so
# that a year such as "2026" is not read as one).
MIN_ORG_NUMBER_DIGITS = 6


class QuickSelect(forms.Select):
    """A <select> built in Python instead of one template render per <option>: the register's
    organisation and officer lists have hundreds of options, and Django's template-based
    widget spent more time on them than on the whole table."""

    def render(self, name, value, attrs=None, renderer=None):
        final_attrs = self.build_attrs(self.attrs, attrs)
        final_attrs["name"] = name
        selected = {str(v) for v in self.format_value(value)}
        options = []
        for key, label in self.choices:
            key = str(key)
            mark = " selected" if key in selected else ""
            options.append(f'<option value="{escape(key)}"{mark}>{escape(str(label))}</option>')
        return mark_safe(f"<select{flatatt(final_attrs)}>{''.join(options)}</select>")  # nosec B308, B703  # keys and labels escaped


class ValuesChoiceIterator(ModelChoiceIterator):
    """Options read with values_list(): no model instance per option."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for pk, *values in self.queryset.values_list("pk", *self.field.label_fields):
            yield (pk, self.field.label_from_values(*values))


class ValuesChoiceField(forms.ModelChoiceField):
    iterator = ValuesChoiceIterator
    label_fields: tuple[str, ...] = ("name",)

    def label_from_values(self, *values) -> str:
        return " ".join(str(v) for v in values)


class UserChoiceField(ValuesChoiceField):
    label_fields = ("first_name", "last_name", "username")

    def label_from_values(self, first_name, last_name, username) -> str:
        return display_name(User(first_name=first_name, last_name=last_name, username=username))

    def label_from_instance(self, obj) -> str:
        return display_name(obj)


class ValuesChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = ValuesChoiceField


class UserChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = UserChoiceField


def officer_choices(request=None) -> QuerySet:
    """Everyone who handles cases now, and everyone who ever was officer or substitute on one
    (so old cases of a person who changed role can still be found)."""
    # EXISTS each, no join: a join through the groups' permissions gives a row per permission
    # and made PostgreSQL hash the officers of every case (20 ms at 10 000 cases, not 0.2 ms).
    in_handling_group = User.groups.through.objects.filter(
        user=OuterRef("pk"), group__permissions__codename="handle_case"
    )
    return User.objects.filter(
        Exists(in_handling_group)
        | Exists(Case.objects.filter(officer=OuterRef("pk")))
        | Exists(Case.objects.filter(substitute=OuterRef("pk")))
    ).order_by("first_name", "last_name", "username")


def organisation_choices(request=None) -> QuerySet:
    """Organisations that take part in at least one case."""
    return Organisation.objects.filter(
        Exists(CaseOrganisation.objects.filter(organisation=OuterRef("pk")))
    ).order_by("name", "pk")


def committee_choices(request=None) -> QuerySet:
    return Committee.objects.select_related("public_body").order_by("name", "pk")


def year_choices() -> list[tuple[int, str]]:
    """The registry years: read from the registry's sequences (one row per public body and
    year) rather than from a scan of every case."""
    years = (
        RegistrySequence.objects.filter(last_serial__gt=0)
        .order_by("-year")
        .values_list("year", flat=True)
        .distinct()
    )
    return [(y, str(y)) for y in years]


def search_cases(queryset: QuerySet, text: str) -> QuerySet:
    """Free-text search over title, organisation name, organisation number (with or without
    hyphen) and registry number (a fragment, or "2026/17" for RV 2026/00017).

    Organisations are matched with EXISTS, not a join, so a case with two matching
    organisations is still one row and no DISTINCT is needed."""
    text = " ".join(text.split())
    if not text:
        return queryset
    org_match = Q(organisation__name__icontains=text)
    if ORG_NUMBER_LIKE.match(text):
        digits = re.sub(r"\D", "", text)
        if len(digits) >= MIN_ORG_NUMBER_DIGITS:
            org_match |= Q(organisation__org_number__contains=digits)
    condition = (
        Q(title__icontains=text)
        | Q(registry_number__icontains=text)
        | Exists(CaseOrganisation.objects.filter(org_match, case=OuterRef("pk")))
    )
    number = REGISTRY_NUMBER.match(text)
    if number:
        by_number = Q(registry_year=int(number["year"]), registry_serial=int(number["serial"]))
        if number["code"]:
            by_number &= Q(public_body__short_code__iexact=number["code"])
        condition |= by_number
    return queryset.filter(condition)


class BootstrapFilterForm(forms.Form):
    """A filter form whose fields render with Bootstrap's classes by plain Django templates
    (``iop/partials/filter_field.html``): crispy's field templates cost more than the whole
    table of the register."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            base = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = f"{field.widget.attrs.get('class', '')} {base}".strip()

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


class CaseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_search",
        help_text=_("Title, organisation, organisation number or registry number."),
        widget=forms.SearchInput,
    )
    status = django_filters.ChoiceFilter(
        label=_("Stage"),
        choices=CaseStatus.choices,
        empty_label=_("All stages"),
        widget=QuickSelect,
    )
    committee = django_filters.ModelChoiceFilter(
        label=_("Committee"),
        queryset=committee_choices,
        empty_label=_("All committees"),
        widget=QuickSelect,
    )
    officer = UserChoiceFilter(
        label=_("Case officer"),
        queryset=officer_choices,
        method="filter_officer",
        empty_label=_("All case officers"),
        widget=QuickSelect,
        help_text=_("Case officer or substitute."),
    )
    organisation = ValuesChoiceFilter(
        label=_("Organisation"),
        queryset=organisation_choices,
        method="filter_organisation",
        empty_label=_("All organisations"),
        widget=QuickSelect,
    )
    year = django_filters.ChoiceFilter(
        label=_("Year"),
        field_name="registry_year",
        choices=year_choices,
        empty_label=_("All years"),
        widget=QuickSelect,
    )

    class Meta:
        model = Case
        fields = ["q", "status", "committee", "officer", "organisation", "year"]
        form = BootstrapFilterForm

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return search_cases(queryset, value)

    def filter_officer(self, queryset: QuerySet, name: str, value) -> QuerySet:
        return queryset.filter(Q(officer=value) | Q(substitute=value))

    def filter_organisation(self, queryset: QuerySet, name: str, value) -> QuerySet:
        # EXISTS keeps one row per case, whatever else is joined.
        return queryset.filter(
            Exists(CaseOrganisation.objects.filter(case=OuterRef("pk"), organisation=value))
        )


# --- Sorting -------------------------------------------------------------------------------

_STAGE_ORDER = models.Case(
    *[When(status=s.value, then=Value(i)) for i, s in enumerate(CaseStatus)],
    default=Value(len(CaseStatus)),
    output_field=models.IntegerField(),
)


@dataclass(frozen=True)
class SortColumn:
    key: str
    label: str
    order_by: tuple


# The columns a user may sort by (the `sort` parameter; "-key" sorts descending).
SORT_COLUMNS: dict[str, SortColumn] = {
    c.key: c
    for c in (
        SortColumn(
            "number", _("Registry number"), ("registry_year", "registry_serial", "public_body_id")
        ),
        SortColumn("title", _("Title"), ("title",)),
        SortColumn("committee", _("Committee"), ("committee__name",)),
        SortColumn(
            "officer",
            _("Case officer"),
            ("officer__last_name", "officer__first_name", "officer__username"),
        ),
        # Stages sort in the order of the lifecycle, not alphabetically.
        SortColumn("stage", _("Stage"), (_STAGE_ORDER,)),
        SortColumn("received", _("Received"), ("received_on",)),
    )
}
DEFAULT_SORT = "-number"


def parse_sort(
    value: str | None,
    *,
    columns: dict[str, SortColumn] = SORT_COLUMNS,
    default: str = DEFAULT_SORT,
) -> str:
    """The whitelisted sort key, or the default (newest registry number first) for anything else."""
    value = (value or "").strip()
    return value if value.lstrip("-") in columns and value.count("-") <= 1 else default


def apply_sort(
    queryset: QuerySet, sort: str, *, columns: dict[str, SortColumn] = SORT_COLUMNS
) -> QuerySet:
    descending = sort.startswith("-")
    column = columns[sort.lstrip("-")]
    order = []
    for expr in column.order_by:
        if isinstance(expr, str):
            order.append(f"-{expr}" if descending else expr)
        else:
            order.append(expr.desc() if descending else expr.asc())
    # A unique tail keeps pages stable when many rows share a value.
    tail = "-pk" if descending else "pk"
    return queryset.order_by(*order, tail)


# --- The registry (diariet) ------------------------------------------------------------------


def registry_kind_choices() -> list[tuple[str, str]]:
    """The kinds of document the apps register (``iop.diarium``), by their names."""
    from .diarium import document_kinds

    return sorted(((k, str(v)) for k, v in document_kinds().items()), key=lambda c: c[1])


def public_body_choices(request=None) -> QuerySet:
    return PublicBody.objects.order_by("name", "pk")


def search_registry(queryset: QuerySet, text: str) -> QuerySet:
    """Free text over the registry number (of the line, or a fragment such as "00012-3"), the
    description and the sender or recipient."""
    text = " ".join(text.split())
    if not text:
        return queryset
    return queryset.filter(
        Q(number__icontains=text) | Q(description__icontains=text) | Q(counterpart__icontains=text)
    )


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class RegistryFilter(django_filters.FilterSet):
    """The register of every document (and of one case: ``case``), shared by its page and
    its exports. Each filter reads an indexed column of ``RegistryEntry`` or of its case."""

    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_search",
        help_text=_("Registry number, description, sender or recipient."),
        widget=forms.SearchInput,
    )
    direction = django_filters.ChoiceFilter(
        label=_("Direction"), choices=DocumentDirection.choices, empty_label=_("All directions")
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind of document"), choices=registry_kind_choices, empty_label=_("All kinds")
    )
    registered_from = django_filters.DateFilter(
        label=_("From date"), field_name="registered_on", lookup_expr="gte", widget=DateInput
    )
    registered_to = django_filters.DateFilter(
        label=_("To date"), field_name="registered_on", lookup_expr="lte", widget=DateInput
    )
    committee = django_filters.ModelChoiceFilter(
        label=_("Committee"),
        field_name="case__committee",
        queryset=committee_choices,
        empty_label=_("All committees"),
        widget=QuickSelect,
    )
    public_body = django_filters.ModelChoiceFilter(
        label=_("Public body"),
        field_name="case__public_body",
        queryset=public_body_choices,
        empty_label=_("All public bodies"),
        widget=QuickSelect,
    )
    case = django_filters.NumberFilter(field_name="case_id", widget=forms.HiddenInput)

    class Meta:
        model = RegistryEntry
        fields = [
            "q",
            "direction",
            "kind",
            "registered_from",
            "registered_to",
            "committee",
            "public_body",
            "case",
        ]

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return search_registry(queryset, value)


REGISTRY_SORT_COLUMNS: dict[str, SortColumn] = {
    c.key: c
    for c in (
        # The case's number in registry order, then the document's within it.
        SortColumn(
            "number",
            _("Registry number"),
            ("case__registry_year", "case__registry_serial", "case__public_body_id", "serial"),
        ),
        SortColumn("date", _("Date"), ("registered_on",)),
        SortColumn("direction", _("Direction"), ("direction",)),
        SortColumn("counterpart", _("Sender or recipient"), ("counterpart",)),
    )
}
REGISTRY_DEFAULT_SORT = "-date"
