"""The auditor's dossier of one case (the issue's item 4): what the page shows and the ZIP
holds, read in a fixed number of queries however long the case's life.

- ``case_dossier(case)``: the case from its initiative to today, section by section: the
  checklist with its answers, the organisation control (the value declarations and the
  organisation's documents), every agreement version with the jurist's assessment and review
  comments and its signing, every committee matter with its decision and §, the follow-up
  (deadlines, check-ins, evaluations, reports, the notice, the wind-down plans) and every line of
  the registry.
- ``case_history(case)``: one chronological list of every recorded change of every object of the
  case (django-simple-history: the case, its checklist, its agreement's versions and their rows,
  its matters and decisions, its follow-up, its documents, its payments) and of its events.
  One query per history model (``HISTORY_SOURCES``) plus one for the events, and one per related
  model for the values of changed foreign keys.

Oversight reads every layer below it; it writes nothing of theirs (ARCHITECTURE.md).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import Model, Prefetch, QuerySet
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agreements.models import (
    AgreementParty,
    AgreementVersion,
    ReviewComment,
    RiskAssessment,
)
from decisions.constants import DocumentRole
from decisions.models import Decision, Matter, MatterDocument
from decisions.services.recording import decision_reference
from followups.models import (
    AnnualEvaluation,
    CheckIn,
    Deadline,
    EarlierFollowUp,
    FollowUpReport,
    NoticeRecord,
    WindDownPlan,
)
from iop.constants import CHECKLIST_QUESTIONS, Criterion
from iop.models import Case, CaseEvent, Checklist, ChecklistAnswer, RegistryEntry
from iop.selectors.registry import case_registry
from partners.models import Organisation, OrganisationDocument, ValueDeclaration
from partners.users import display_name

User = get_user_model()


# --- The history -------------------------------------------------------------------------------


@dataclass(frozen=True)
class HistorySource:
    """A model whose history belongs to the case: ``to_case`` is the lookup from the model to
    the case's primary key (``"case"``, ``"version__agreement__case"``); ``label`` names one
    object from its history record's own fields (no related row is read)."""

    model: str  # "app_label.ModelName"
    to_case: str
    label: Callable[[Any], str] | None = None
    # The organisation's own records: ``to_case`` leads to the organisation, which is the
    # case's when the case has it (the organisation control).
    of_organisation: bool = False


def _field(name: str) -> Callable[[Any], str]:
    return lambda record: str(getattr(record, name) or "")


# Every model of the case's life that keeps its history, with its way to the case. A model
# missing here would be a hole in the auditor's record: the test walks every historical model
# and fails on one that reaches the case and is not listed (or excluded, with the reason).
HISTORY_SOURCES: tuple[HistorySource, ...] = (
    HistorySource("iop.Case", "id", _field("registry_number")),
    HistorySource("iop.Checklist", "case"),
    HistorySource("iop.ChecklistAnswer", "checklist__case", _field("criterion")),
    HistorySource("iop.CaseDocument", "case", _field("title")),
    HistorySource("iop.RegistryEntry", "case", _field("number")),
    HistorySource("partners.Organisation", "id", _field("name"), of_organisation=True),
    HistorySource(
        "partners.ValueDeclaration", "organisation", _field("signatory_name"), of_organisation=True
    ),
    HistorySource("partners.ContactPerson", "organisation", _field("name"), of_organisation=True),
    HistorySource("partners.OrganisationDocument", "case", _field("registry_number")),
    HistorySource("agreements.Agreement", "case"),
    HistorySource(
        "agreements.AgreementVersion", "agreement__case", lambda r: f"{_('version')} {r.number}"
    ),
    HistorySource("agreements.AgreementSection", "version__agreement__case", _field("key")),
    HistorySource("agreements.AgreementParty", "version__agreement__case"),
    HistorySource("agreements.BudgetLine", "version__agreement__case", _field("description")),
    HistorySource(
        "agreements.ActionPlanActivity", "version__agreement__case", _field("description")
    ),
    HistorySource("agreements.ReviewComment", "version__agreement__case"),
    HistorySource("agreements.RiskAssessment", "version__agreement__case"),
    HistorySource(
        "agreements.RiskFactorAnswer", "assessment__version__agreement__case", _field("factor")
    ),
    HistorySource("decisions.Matter", "case", _field("title")),
    HistorySource("decisions.DecisionPoint", "matter__case", _field("position")),
    HistorySource("decisions.MatterPerspective", "matter__case"),
    HistorySource("decisions.MatterDocument", "matter__case", _field("title")),
    HistorySource("decisions.AgendaItem", "matter__case"),
    HistorySource("decisions.Decision", "matter__case", lambda r: f"§ {r.paragraph}"),
    HistorySource("followups.Deadline", "case", lambda r: f"{r.get_kind_display()} {r.sequence}"),
    HistorySource("followups.CheckIn", "case"),
    HistorySource("followups.CheckInAction", "check_in__case", _field("text")),
    HistorySource("followups.AnnualEvaluation", "case", _field("year")),
    HistorySource("followups.EarlierFollowUp", "case"),
    HistorySource("followups.FollowUpReport", "case"),
    HistorySource("followups.NoticeRecord", "case"),
    HistorySource("followups.WindDownPlan", "case"),
    HistorySource("finance.PaymentTerms", "case"),
    HistorySource("finance.Payment", "case"),
    HistorySource("finance.PaymentHold", "case"),
)

# Time stamps that change on every save: a save that changed nothing else is no change.
HIDDEN_FIELDS = frozenset({"updated_at", "status_changed_at", "revision"})

HISTORY_ACTIONS = {
    "+": gettext_lazy("Created"),
    "~": gettext_lazy("Changed"),
    "-": gettext_lazy("Deleted"),
}


@dataclass(frozen=True)
class HistoryRow:
    """One change of the case's record: when, who, what was done to which object, and how."""

    at: datetime.datetime
    by: str
    action: str
    object_type: str
    object_id: str
    object_label: str
    changes: str
    sort_key: tuple = field(default=(), compare=False, repr=False)

    def values(self) -> list[str]:
        """The row as ``historik.csv`` holds it (local time, to the second)."""
        return [
            timezone.localtime(self.at).strftime("%Y-%m-%d %H:%M:%S"),
            self.by,
            self.action,
            self.object_type,
            self.object_id,
            self.object_label,
            self.changes,
        ]


def history_headings() -> list[str]:
    return [
        _("When"),
        _("By"),
        _("Action"),
        _("Kind of object"),
        _("Object id"),
        _("Object"),
        _("Changes"),
    ]


def history_sources() -> list[tuple[type[Model], HistorySource]]:
    """The sources whose app is installed (finance may be absent in a slimmed installation)."""
    found = []
    for source in HISTORY_SOURCES:
        try:
            model = apps.get_model(source.model)
        except LookupError:
            continue
        found.append((model, source))
    return found


def _history_records(
    model: type[Model], source: HistorySource, case: Case, organisations: list[int]
) -> list[Any]:
    history = model.history.model
    where = (
        {f"{source.to_case}__in": organisations}
        if source.of_organisation
        else {source.to_case: case.pk}
    )
    return list(
        history.objects.filter(**where)
        .select_related("history_user")
        .order_by("id", "history_date", "history_id")
    )


def _tracked_fields(model: type[Model]) -> list[Any]:
    return [
        f for f in model._meta.concrete_fields if f.name not in HIDDEN_FIELDS and not f.primary_key
    ]


class _Values:
    """Turns field values into text; every changed foreign key is looked up at once, one query
    per related model (not one per change)."""

    def __init__(self, wanted: dict[type[Model], set[Any]]):
        self.objects = {
            model: model._default_manager.in_bulk(pks) for model, pks in wanted.items() if pks
        }

    def __call__(self, field: Any, value: Any) -> str:
        if value is None or value == "":
            return "–"
        if field.many_to_one or field.one_to_one:
            obj = self.objects.get(field.related_model, {}).get(value)
            if obj is None:
                return f"#{value}"
            return display_name(obj) if field.related_model is User else _short(obj)
        if field.choices:
            return str(dict(field.flatchoices).get(value, value))
        if isinstance(value, datetime.datetime):
            return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
        if isinstance(value, datetime.date):
            return value.isoformat()
        if isinstance(value, bool):
            return _("yes") if value else _("no")
        return _clip(str(formats.localize(value)))


def _short(obj: Model) -> str:
    # Only the rows' own fields: ``str()`` of some models reads their case.
    for name in ("registry_number", "number", "title", "name", "username"):
        value = getattr(obj, name, None)
        if value:
            return str(value)
    return f"#{obj.pk}"


def _clip(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def case_history(case: Case) -> list[HistoryRow]:
    """Every recorded change of the case's objects and every event of the case, oldest first:
    who, when, what and which object. A constant number of queries: one per history model,
    one for the events and one per related model whose value changed."""
    diffs: list[tuple[Any, type[Model], HistorySource, list[tuple[Any, Any, Any]]]] = []
    wanted: dict[type[Model], set[Any]] = {}
    organisations = list(case.organisations.values_list("pk", flat=True))
    for model, source in history_sources():
        fields = _tracked_fields(model)
        previous: dict[Any, Any] = {}
        for record in _history_records(model, source, case, organisations):
            before = previous.get(record.id)
            previous[record.id] = record
            changed = []
            if record.history_type == "~" and before is not None:
                for f in fields:
                    old, new = getattr(before, f.attname), getattr(record, f.attname)
                    if old != new:
                        changed.append((f, old, new))
                if not changed:
                    continue
            for f, *values in changed:
                if f.many_to_one or f.one_to_one:
                    wanted.setdefault(f.related_model, set()).update(
                        v for v in values if v is not None
                    )
            diffs.append((record, model, source, changed))
    show = _Values(wanted)

    rows = []
    for record, model, source, changed in diffs:
        label = source.label(record) if source.label else ""
        rows.append(
            HistoryRow(
                at=record.history_date,
                by=display_name(record.history_user) or _("the system"),
                action=str(HISTORY_ACTIONS.get(record.history_type, HISTORY_ACTIONS["~"])),
                object_type=capfirst(str(model._meta.verbose_name)),
                object_id=str(record.id),
                object_label=_clip(label, 120),
                changes="; ".join(
                    f"{capfirst(str(f.verbose_name))}: {show(f, old)} → {show(f, new)}"
                    for f, old, new in changed
                ),
                sort_key=(record.history_date, 1, model._meta.label, record.history_id),
            )
        )
    events = CaseEvent.objects.filter(case=case).select_related("actor", "assignee")
    for event in events:
        detail = event.describe()
        rows.append(
            HistoryRow(
                at=event.at,
                by=display_name(event.actor) or _("the system"),
                action=str(event.get_kind_display()),
                object_type=capfirst(str(CaseEvent._meta.verbose_name)),
                object_id=str(event.pk),
                object_label=case.registry_number,
                changes="; ".join(p for p in (detail, _clip(event.note)) if p),
                sort_key=(event.at, 0, "", event.pk),
            )
        )
    rows.sort(key=lambda row: row.sort_key)
    return rows


# --- The page's sections -----------------------------------------------------------------------


@dataclass
class ChecklistRow:
    criterion: Criterion
    answer: ChecklistAnswer | None


@dataclass
class OrganisationControl:
    organisation: Organisation
    declarations: list[ValueDeclaration]
    documents: list[OrganisationDocument]


@dataclass
class VersionRow:
    version: AgreementVersion
    parties: list[AgreementParty]
    comments: list[ReviewComment]
    assessment: RiskAssessment | None


@dataclass
class DecisionRow:
    matter: Matter
    decision: Decision | None
    reference: str
    extract: MatterDocument | None


@dataclass
class FollowUp:
    deadlines: list[Deadline]
    check_ins: list[CheckIn]
    evaluations: list[AnnualEvaluation]
    reports: list[FollowUpReport]
    earlier: list[EarlierFollowUp]
    notice: NoticeRecord | None
    wind_down_plans: list[WindDownPlan]


@dataclass
class Dossier:
    case: Case
    checklist: Checklist | None
    questions: list[tuple[str, str]]  # (question, answer)
    criteria: list[ChecklistRow]
    organisations: list[OrganisationControl]
    versions: list[VersionRow]
    decisions: list[DecisionRow]
    follow_up: FollowUp
    registry: list[RegistryEntry]


def _checklist(case: Case) -> tuple[Checklist | None, list[tuple[str, str]], list[ChecklistRow]]:
    checklist = (
        Checklist.objects.filter(case=case)
        .prefetch_related(Prefetch("answers", queryset=ChecklistAnswer.objects.order_by("pk")))
        .first()
    )
    answers = checklist.answers_by_criterion() if checklist else {}
    questions = [
        (str(question), getattr(checklist, name) if checklist else "")
        for name, question in CHECKLIST_QUESTIONS
    ]
    criteria = [ChecklistRow(criterion=c, answer=answers.get(c.value)) for c in Criterion]
    return checklist, questions, criteria


def _organisations(case: Case) -> list[OrganisationControl]:
    organisations = (
        Organisation.objects.filter(cases=case)
        .order_by("name")
        .prefetch_related(
            Prefetch(
                "value_declarations",
                queryset=ValueDeclaration.objects.select_related("recorded_by").order_by(
                    "-signed_on", "-pk"
                ),
            ),
            Prefetch(
                "documents",
                queryset=OrganisationDocument.objects.order_by("-received_on", "-pk"),
            ),
        )
    )
    return [
        OrganisationControl(
            organisation=o,
            declarations=list(o.value_declarations.all()),
            documents=list(o.documents.all()),
        )
        for o in organisations
    ]


def agreement_versions_of(case: Case) -> QuerySet[AgreementVersion]:
    """The case's agreement versions, oldest first, with who wrote, submitted and reviewed
    each, its parties, the jurist's comments and assessment."""
    return (
        AgreementVersion.objects.filter(agreement__case=case)
        .select_related(
            "agreement",
            "created_by",
            "submitted_by",
            "reviewed_by",
            "risk_assessment__assessed_by",
        )
        .prefetch_related(
            Prefetch(
                "parties",
                queryset=AgreementParty.objects.select_related(
                    "public_body", "organisation", "signature_recorded_by"
                ).order_by("order", "pk"),
            ),
            Prefetch(
                "review_comments",
                queryset=ReviewComment.objects.select_related("author").order_by(
                    "created_at", "pk"
                ),
            ),
        )
        .order_by("number")
    )


def _assessment(version: AgreementVersion) -> RiskAssessment | None:
    try:
        return version.risk_assessment
    except AgreementVersion.risk_assessment.RelatedObjectDoesNotExist:
        return None


def _versions(case: Case) -> list[VersionRow]:
    return [
        VersionRow(
            version=v,
            parties=list(v.parties.all()),
            comments=list(v.review_comments.all()),
            assessment=_assessment(v),
        )
        for v in agreement_versions_of(case)
    ]


def decisions_of(case: Case) -> list[DecisionRow]:
    """Every matter of the case, oldest first, with its decision, the decision's § as the
    minutes cite it and its registered extract. Two queries."""
    matters = list(
        Matter.objects.filter(case=case)
        .select_related(
            "committee",
            "decision__meeting__committee",
            "decision__recorded_by",
        )
        .order_by("created_at", "pk")
    )
    extracts = {
        d.matter_id: d
        for d in MatterDocument.objects.filter(
            matter__case=case, role=DocumentRole.EXTRACT
        ).order_by("pk")
    }
    rows = []
    for matter in matters:
        try:
            decision = matter.decision
        except Matter.decision.RelatedObjectDoesNotExist:
            decision = None
        rows.append(
            DecisionRow(
                matter=matter,
                decision=decision,
                reference=decision_reference(decision.meeting, decision.paragraph)
                if decision
                else "",
                extract=extracts.get(matter.pk),
            )
        )
    return rows


def _follow_up(case: Case) -> FollowUp:
    return FollowUp(
        deadlines=list(
            Deadline.objects.filter(case=case)
            .select_related("waived_by")
            .order_by("due_on", "kind", "sequence")
        ),
        check_ins=list(
            CheckIn.objects.filter(case=case)
            .select_related("created_by")
            .prefetch_related("actions")
            .order_by("held_on", "starts_at", "pk")
        ),
        evaluations=list(
            AnnualEvaluation.objects.filter(case=case)
            .select_related("created_by", "annual_report")
            .order_by("year", "pk")
        ),
        reports=list(
            FollowUpReport.objects.filter(case=case)
            .select_related("created_by")
            .order_by("written_on", "pk")
        ),
        earlier=list(EarlierFollowUp.objects.filter(case=case).order_by("pk")),
        notice=NoticeRecord.objects.filter(case=case).select_related("letter").first(),
        wind_down_plans=list(
            WindDownPlan.objects.filter(case=case).select_related("document").order_by("pk")
        ),
    )


def case_dossier(case: Case) -> Dossier:
    """Everything the dossier page shows of ``case`` (fetched with ``visible_case``, so
    visible to the user already), in a fixed number of queries."""
    checklist, questions, criteria = _checklist(case)
    return Dossier(
        case=case,
        checklist=checklist,
        questions=questions,
        criteria=criteria,
        organisations=_organisations(case),
        versions=_versions(case),
        decisions=decisions_of(case),
        follow_up=_follow_up(case),
        registry=case_registry(case=case),
    )
