"""The checklist screen (DOMAIN.md §4): Region Värmland's nine criteria and Mora's nine
statements, each yes/no with a comment, and the seven questions.

Saved as you go: with htmx each criterion row is posted on its own when it changes (the
criterion named in the query string) and the answer is the row's partial with an
out-of-band update of the outcome panel; a question is posted on its own when it changes.
Without JavaScript the form posts everything at once. Nothing is written on GET: the
checklist and its rows are created by the first save.

The case's officer, its substitute and the IOP coordinator change the checklist while the
case is received or in preparation; everyone else (and everyone later on) reads it.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .. import permissions
from ..constants import CHECKLIST_QUESTIONS, CaseStatus, ChecklistSource, Criterion, Transition
from ..forms import ChecklistQuestionsForm, CriterionForm, answer_to_choice
from ..models import Case, Checklist, ChecklistAnswer
from ..selectors import case_checklist
from ..services.checklist import (
    QUESTION_FIELDS,
    checklist_criterion_save,
    checklist_is_editable,
    checklist_questions_save,
    checklist_save,
)
from .common import visible_case

ROW_TEMPLATE = "iop/checklist/_criterion_response.html"

# How a row saved on its own went (the templates' ``data-status``).
SAVED, ERROR = "saved", "error"
QUESTION_TEMPLATE = "iop/checklist/_question.html"


class _SaveStatus:
    status: str

    @property
    def saved(self) -> bool:
        return self.status == SAVED

    @property
    def failed(self) -> bool:
        return self.status == ERROR


@dataclass
class CriterionRow(_SaveStatus):
    criterion: Criterion
    number: int
    answer: ChecklistAnswer | None
    form: CriterionForm
    status: str = ""  # SAVED, ERROR or "" (not posted)

    @property
    def code(self) -> str:
        return self.criterion.value

    @property
    def saved_choice(self) -> str:
        return answer_to_choice(self.answer.answer if self.answer else None)

    @property
    def saved_comment(self) -> str:
        return self.answer.comment if self.answer else ""


@dataclass
class QuestionRow(_SaveStatus):
    name: str
    question: str
    text: str
    field: Any  # the BoundField when the checklist is editable
    status: str = ""  # SAVED, ERROR or "" (not posted)


@dataclass
class Outcome:
    """What the checklist says now, worded for the page (Checklist.outcome and its lists)."""

    value: str
    label: str
    failed: list[Criterion]
    unanswered: list[Criterion]

    @property
    def passed(self) -> bool:
        return self.value == Checklist.Outcome.PASSED

    @property
    def not_met(self) -> bool:
        return self.value == Checklist.Outcome.FAILED

    @property
    def answered_count(self) -> int:
        return len(Criterion) - len(self.unanswered)

    @property
    def total(self) -> int:
        return len(Criterion)

    @property
    def failed_items(self) -> list[dict[str, Any]]:
        return [
            {
                "criterion": c,
                "number": _criterion_number(c),
                "is_mora": c.source == ChecklistSource.MORA,
            }
            for c in self.failed
        ]


def outcome_of(checklist: Checklist | None) -> Outcome:
    if checklist is None:
        value = Checklist.Outcome.INCOMPLETE
        return Outcome(value, Checklist.Outcome(value).label, [], list(Criterion))
    value = checklist.outcome
    return Outcome(
        value,
        Checklist.Outcome(value).label,
        checklist.failed_criteria,
        checklist.unanswered_criteria,
    )


def _criterion_number(criterion: Criterion) -> int:
    return int("".join(ch for ch in criterion.value if ch.isdigit()))


def _rows(checklist: Checklist | None, data: Any = None) -> list[CriterionRow]:
    answers = checklist.answers_by_criterion() if checklist else {}
    rows = []
    for criterion in Criterion:
        answer = answers.get(criterion.value)
        initial = {
            "answer": answer_to_choice(answer.answer if answer else None),
            "comment": answer.comment if answer else "",
        }
        rows.append(
            CriterionRow(
                criterion=criterion,
                number=_criterion_number(criterion),
                answer=answer,
                form=CriterionForm(data, criterion=criterion, initial=initial),
            )
        )
    return rows


def _questions(
    checklist: Checklist | None, form: ChecklistQuestionsForm | None
) -> list[QuestionRow]:
    return [
        QuestionRow(
            name=name,
            question=str(question),
            text=getattr(checklist, name) if checklist else "",
            field=form[name] if form is not None and name in form.fields else None,
        )
        for name, question in CHECKLIST_QUESTIONS
    ]


def _questions_form(checklist: Checklist | None, data: Any = None) -> ChecklistQuestionsForm:
    initial = {name: getattr(checklist, name) for name in QUESTION_FIELDS} if checklist else {}
    return ChecklistQuestionsForm(data, initial=initial)


def _page_context(
    request: HttpRequest,
    case: Case,
    checklist: Checklist | None,
    *,
    editable: bool,
    rows: list[CriterionRow],
    questions_form: ChecklistQuestionsForm | None,
) -> dict[str, Any]:
    groups = [
        {"source": ChecklistSource(source), "rows": list(group)}
        for source, group in groupby(rows, key=lambda row: row.criterion.source)
    ]
    return {
        "case": case,
        "checklist": checklist,
        "editable": editable,
        "groups": groups,
        "questions": _questions(checklist, questions_form if editable else None),
        **_outcome_context(case, checklist, permissions.can_change_case(case, request.user)),
        "change_refusal": permissions.refusal(permissions.can_change_case),
        "has_errors": any(row.form.errors for row in rows)
        or bool(questions_form is not None and questions_form.errors),
    }


def _outcome_context(case: Case, checklist: Checklist | None, can_change_case: bool) -> dict:
    """The outcome panel: what the checklist says, and the next step it leads to, offered to
    whoever may change the case while it is in preparation."""
    outcome = outcome_of(checklist)
    next_step = None
    if can_change_case and case.status == CaseStatus.PREPARATION:
        if outcome.passed:
            next_step = Transition.START_DRAFTING
        elif outcome.not_met:
            next_step = Transition.CLOSE_NOT_PURSUED
    return {
        "outcome": outcome,
        "can_change_case": can_change_case,
        "next_step": (
            {
                "label": next_step.label,
                "url": reverse("cases:transition", args=[case.pk, next_step]),
            }
            if next_step
            else None
        ),
        "start_preparation_first": can_change_case and case.status == CaseStatus.RECEIVED,
    }


def _save_criterion(request: HttpRequest, case: Case, code: str) -> HttpResponse:
    try:
        criterion = Criterion(code)
    except ValueError:
        raise Http404 from None
    form = CriterionForm(request.POST, criterion=criterion)
    saved = form.is_valid() and bool(form.sent_fields())
    if saved:
        checklist_criterion_save(
            case=case, actor=request.user, criterion=code, **form.service_kwargs()
        )
    elif not form.sent_fields():
        form.add_error(None, _("Nothing to save was sent."))
    # Read back what is stored: the row shows it, and the outcome panel is computed from it.
    checklist = case_checklist(case)
    answer = checklist.answers_by_criterion().get(code) if checklist else None
    if saved:
        form = CriterionForm(
            criterion=criterion,
            initial={"answer": answer_to_choice(answer.answer), "comment": answer.comment},
        )
    status = SAVED if saved else ERROR
    row = CriterionRow(
        criterion=criterion,
        number=_criterion_number(criterion),
        answer=answer,
        form=form,
        status=status,
    )
    context = {
        "case": case,
        "row": row,
        "editable": True,
        **_outcome_context(case, checklist, can_change_case=True),
    }
    return render(request, ROW_TEMPLATE, context)


def _save_question(request: HttpRequest, case: Case, name: str) -> HttpResponse:
    if name not in QUESTION_FIELDS:
        raise Http404
    form = ChecklistQuestionsForm(request.POST, only=[name])
    if form.is_valid() and form.sent_fields():
        checklist = checklist_questions_save(case=case, actor=request.user, **form.service_kwargs())
        status = SAVED
        form = ChecklistQuestionsForm(initial={name: getattr(checklist, name)}, only=[name])
    else:
        status = ERROR
        if not form.sent_fields():
            form.add_error(None, _("Nothing to save was sent."))
    question = dict(CHECKLIST_QUESTIONS)[name]
    row = QuestionRow(name=name, question=str(question), text="", field=form[name], status=status)
    return render(
        request,
        QUESTION_TEMPLATE,
        {"case": case, "q": row, "editable": True, "form_errors": form.non_field_errors()},
    )


def _save_all(request: HttpRequest, case: Case) -> HttpResponse:
    checklist = case_checklist(case)
    rows = _rows(checklist, request.POST)
    questions_form = _questions_form(checklist, request.POST)
    # Every row is validated (no short-circuit), so every error is shown at once.
    results = [row.form.is_valid() for row in rows] + [questions_form.is_valid()]
    if all(results):
        checklist_save(
            case=case,
            actor=request.user,
            criteria={
                row.code: row.form.service_kwargs() for row in rows if row.form.sent_fields()
            },
            questions=questions_form.service_kwargs(),
        )
        messages.success(request, _("The checklist was saved."))
        return redirect("cases:checklist", pk=case.pk)
    for row in rows:
        if row.form.errors:
            row.status = ERROR
    context = _page_context(
        request, case, checklist, editable=True, rows=rows, questions_form=questions_form
    )
    return render(request, "iop/checklist.html", context)


@require_http_methods(["GET", "POST"])
def checklist(request: HttpRequest, pk: int) -> HttpResponse:
    case = visible_case(request, pk)
    editable = checklist_is_editable(case, request.user)
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        if request.htmx and request.GET.get("criterion"):
            return _save_criterion(request, case, request.GET["criterion"])
        if request.htmx and request.GET.get("question"):
            return _save_question(request, case, request.GET["question"])
        return _save_all(request, case)
    checklist = case_checklist(case)
    rows = _rows(checklist)
    context = _page_context(
        request,
        case,
        checklist,
        editable=editable,
        rows=rows,
        questions_form=_questions_form(checklist) if editable else None,
    )
    return render(request, "iop/checklist.html", context)
