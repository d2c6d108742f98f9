"""Every form of the product, fed hostile input (OWASP ASVS V5): validation never raises,
and a refusal always says, in Swedish, which field is wrong."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from django import forms
from django.db import transaction

from agreements.admin.versions import SectionForm as AdminSectionForm
from agreements.admin.versions import VersionForm as AdminVersionForm
from agreements.forms.budget import ActivityForm, BudgetLineForm, PlanForm
from agreements.forms.drafting import PartyForm, RevisionForm, SectionForm, TermsForm
from agreements.forms.review import AssessmentForm, ReturnForm
from agreements.forms.signing import SignatureForm
from agreements.forms.versions import CompareForm
from decisions.constants import MatterKind
from decisions.forms.matters import MatterForm, PrepareMatterForm
from decisions.forms.meetings import AgendaAddForm, AgendaLaterForm, AgendaMoveForm, MeetingForm
from decisions.forms.recording import DecisionForm
from decisions.models import Matter, Meeting
from finance.admin import PaymentDefaultsForm
from finance.forms import CorrectionForm, HoldForm, PaymentForm, ReleaseForm, YearPlanFilter
from finance.forms import TermsForm as FinanceTermsForm
from followups.admin import AbsenceAddForm, EarlierFollowUpForm, ReminderSettingsForm
from followups.forms.absence import AbsenceForm
from followups.forms.checkins import (
    ActionForm,
    CheckInBookForm,
    CheckInCancelForm,
    CheckInRecordForm,
)
from followups.forms.ending import NoticeForm, WindDownPlanForm
from followups.forms.evaluations import AnnualEvaluationForm
from followups.forms.reports import FollowUpReportForm
from followups.forms.waive import WaiveForm
from followups.models import ReminderSettings
from iop.admin.forms import CaseAdminForm
from iop.admin.forms import CaseDocumentForm as AdminCaseDocumentForm
from iop.admin.reference import PublicBodyAdminForm
from iop.constants import Criterion, Transition
from iop.forms.case import ReassignForm, TransitionForm
from iop.forms.checklist import ChecklistQuestionsForm, CriterionForm
from iop.forms.documents import CaseDocumentForm
from iop.forms.intake import InitiativeForm, NewContactForm, NewOrganisationForm
from iop.services.transition import transition_info
from oversight.views.portfolio import PortfolioFilterForm
from oversight.views.statistics import StatisticsFilter
from partners.admin import (
    DeclaredGrantAdminForm,
    OrganisationDocumentAdminForm,
    ValueDeclarationAdminForm,
    WithdrawGrantAdminForm,
)
from partners.forms import (
    ContactPersonForm,
    DeclaredGrantForm,
    OrganisationDocumentForm,
    OrganisationForm,
    ValueDeclarationForm,
    ValueDeclarationRecordForm,
    WithdrawGrantForm,
)

from .checks import check_form
from .strategies import form_data
from .world import World

pytestmark = pytest.mark.django_db

Builder = Callable[..., forms.BaseForm]

# name -> a function (world, data) -> the form as its view builds it
FORMS: dict[str, Builder] = {
    # partners
    "organisation": lambda w, d: OrganisationForm(d),
    "contact": lambda w, d: ContactPersonForm(d),
    "value_declaration": lambda w, d: ValueDeclarationForm(d),
    "organisation_document": lambda w, d: OrganisationDocumentForm(
        d, organisation=w.signed_case.organisations.first(), user=w.officer
    ),
    "declared_grant": lambda w, d: DeclaredGrantForm(d),
    "withdraw_grant": lambda w, d: WithdrawGrantForm(d),
    # iop
    "initiative": lambda w, d: InitiativeForm(d, user=w.officer),
    "new_organisation": lambda w, d: NewOrganisationForm(d),
    "new_contact": lambda w, d: NewContactForm(d),
    "reassign": lambda w, d: ReassignForm(d, case=w.other_case),
    "transition": lambda w, d: TransitionForm(
        d, info=transition_info(Transition.START_PREPARATION)
    ),
    "criterion": lambda w, d: CriterionForm(d, criterion=list(Criterion)[0]),
    "checklist_questions": lambda w, d: ChecklistQuestionsForm(d),
    # agreements
    "revision": lambda w, d: RevisionForm(d),
    "section": lambda w, d: SectionForm(d, key="goals"),
    "terms": lambda w, d: TermsForm(d, instance=w.draft),
    "party": lambda w, d: PartyForm(d, instance=w.draft_parties[0]),
    "budget_line": lambda w, d: BudgetLineForm(d, parties=w.draft_parties, default_year=2027),
    "activity": lambda w, d: ActivityForm(d),
    "plan": lambda w, d: PlanForm(d, instance=w.draft),
    "assessment": lambda w, d: AssessmentForm(d),
    "return": lambda w, d: ReturnForm(d),
    "compare": lambda w, d: CompareForm(d, numbers=[1, 2]),
    "signature": lambda w, d: SignatureForm(
        d, parties=w.draft_parties, next_party=w.draft_parties[0]
    ),
    # decisions
    "prepare_matter": lambda w, d: PrepareMatterForm(
        d, case=w.signed_case, offered=list(MatterKind)
    ),
    "matter": lambda w, d: MatterForm(
        data=d, matter=w.matter, perspectives=list(w.matter.perspectives.all())
    ),
    "decision": lambda w, d: DecisionForm(d),
    "meeting": lambda w, d: MeetingForm(d),
    "agenda_add": lambda w, d: AgendaAddForm(d, candidates=Matter.objects.all()),
    "agenda_move": lambda w, d: AgendaMoveForm(d),
    "agenda_later": lambda w, d: AgendaLaterForm(d, later=Meeting.objects.all()),
    # followups
    "absence": lambda w, d: AbsenceForm(d, for_others=True),
    "checkin_book": lambda w, d: CheckInBookForm(d),
    "checkin_record": lambda w, d: CheckInRecordForm(d),
    "checkin_action": lambda w, d: ActionForm(d),
    "checkin_cancel": lambda w, d: CheckInCancelForm(d),
    "notice": lambda w, d: NoticeForm(d),
    "wind_down": lambda w, d: WindDownPlanForm(d),
    "annual_evaluation": lambda w, d: AnnualEvaluationForm(d),
    "follow_up_report": lambda w, d: FollowUpReportForm(d),
    "waive": lambda w, d: WaiveForm(d),
    # finance
    "payment": lambda w, d: PaymentForm(d),
    "correction": lambda w, d: CorrectionForm(d),
    "hold": lambda w, d: HoldForm(d),
    "release": lambda w, d: ReleaseForm(d),
    "finance_terms": lambda w, d: FinanceTermsForm(d),
    "year_plan_filter": lambda w, d: YearPlanFilter(d),
    # oversight
    "statistics_filter": lambda w, d: StatisticsFilter(d, years=[2026, 2025]),
    "portfolio_filter": lambda w, d: PortfolioFilterForm(d, years=[2026, 2025]),
    # the forms of the screens that upload (their files: partners/tests/test_upload_security.py)
    "case_document": lambda w, d: CaseDocumentForm(d),
    "value_declaration_record": lambda w, d: ValueDeclarationRecordForm(d),
    # Django admin's own forms (ServiceForm ones write through their service when valid: the
    # test rolls every example back)
    "admin_agreement_section": lambda w, d: AdminSectionForm(d, instance=w.draft.sections.first()),
    "admin_agreement_version": lambda w, d: AdminVersionForm(d, instance=w.draft),
    "admin_payment_defaults": lambda w, d: PaymentDefaultsForm(d),
    "admin_absence_add": lambda w, d: _acting(AbsenceAddForm(d), w),
    "admin_earlier_follow_up": lambda w, d: _acting(EarlierFollowUpForm(d), w),
    "admin_reminder_settings": lambda w, d: _acting(
        ReminderSettingsForm(d, instance=ReminderSettings.objects.first()), w
    ),
    "admin_case": lambda w, d: CaseAdminForm(d, instance=w.other_case),
    "admin_case_document": lambda w, d: AdminCaseDocumentForm(d),
    "admin_public_body": lambda w, d: PublicBodyAdminForm(
        d, instance=w.other_case.committee.public_body
    ),
    "admin_declared_grant": lambda w, d: DeclaredGrantAdminForm(d),
    "admin_organisation_document": lambda w, d: OrganisationDocumentAdminForm(d),
    "admin_value_declaration": lambda w, d: ValueDeclarationAdminForm(d),
    "admin_withdraw_grant": lambda w, d: WithdrawGrantAdminForm(d),
}


def _acting(form, world: World):
    form.actor = world.coordinator
    return form


@pytest.mark.parametrize("name", sorted(FORMS))
def test_hostile_input_is_refused_with_a_swedish_message_on_the_field(name, world: World):
    build = FORMS[name]
    blank = build(world, None)

    @given(data=form_data(blank))
    def validate(data):
        with transaction.atomic():
            check_form(build(world, data))
            transaction.set_rollback(True)

    validate()


control_character = st.sampled_from(
    [chr(c) for c in [*range(1, 9), 11, 12, *range(14, 32), *range(127, 160)]]
)


@given(before=st.text(max_size=10), control=control_character, after=st.text(max_size=10))
def test_a_control_character_in_any_typed_text_is_refused(before, control, after):
    """Django refuses NUL; the project's guard refuses the other control characters, which
    would otherwise be stored and break the xlsx exports later."""
    form = ContactPersonForm({"name": f"Å{before}{control}{after}Ö"})  # inside: not stripped
    assert not check_form(form)
    assert "control_character" in [e.code for e in form.errors.as_data()["name"]]


@given(text=st.text(st.characters(exclude_categories=("Cc", "Cs")), max_size=30))
def test_text_without_control_characters_is_kept_as_typed(text):
    form = ContactPersonForm({"name": f"Åsa {text}\tÖberg"})
    assert "control_character" not in [e.code for e in form.errors.as_data().get("name", [])]


# Forms the fuzzing reaches another way, or that are not forms a user fills in.
NOT_FUZZED_HERE = {
    # django-filter's form classes are made per FilterSet: the pages' query strings are fuzzed
    # over HTTP (test_endpoints.py).
    "iop.filters.BootstrapFilterForm",
    # Ends the absence it is given; it has no field to type in.
    "followups.admin.AbsenceEndForm",
}


def _own_form_classes() -> set[type]:
    """Every form class the apps define (importing their forms and views first)."""
    import importlib
    import pkgutil

    for app in ("partners", "iop", "agreements", "decisions", "followups", "finance", "oversight"):
        package = importlib.import_module(app)
        for info in pkgutil.walk_packages(package.__path__, f"{app}."):
            if ".tests" in info.name or ".migrations" in info.name or ".management" in info.name:
                continue
            if any(part in info.name for part in (".forms", ".views", ".filters")):
                importlib.import_module(info.name)
    found, todo = set(), [forms.BaseForm]
    while todo:
        for subclass in todo.pop().__subclasses__():
            todo.append(subclass)
            module = subclass.__module__
            if (
                module.split(".")[0]
                in {
                    "partners",
                    "iop",
                    "agreements",
                    "decisions",
                    "followups",
                    "finance",
                    "oversight",
                }
                and ".tests" not in module
            ):
                found.add(subclass)
    return found


def test_every_form_of_the_product_is_fuzzed(world: World):
    """A new form cannot escape the fuzzing: each form class the apps define is built above
    (FORMS), is a base of one that is, or is named in NOT_FUZZED_HERE with the reason."""
    built = {type(build(world, {})) for build in FORMS.values()}
    covered = set(built)
    for cls in built:
        covered.update(c for c in cls.__mro__ if issubclass(c, forms.BaseForm))
    missing = sorted(
        f"{cls.__module__}.{cls.__qualname__}"
        for cls in _own_form_classes() - covered
        if f"{cls.__module__}.{cls.__qualname__}" not in NOT_FUZZED_HERE
        and not cls.__name__.endswith("FormSet")
    )
    assert not missing, f"forms no fuzz test drives (add them to FORMS): {missing}"
