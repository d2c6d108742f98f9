"""The annual evaluation (DOMAIN.md §8): the organisation's annual report (årsredovisning) is
registered in the case's diarium, and the evaluation of the year is written with both
parties' views. One per case and year. Recording it closes the annual evaluation's deadline.

The annual report is checked by its content (``partners.uploads.validate_document_upload``,
also run by ``iop.services.case_document_register``) before anything is written; a refusal
leaves no row, no registry number and no stored file.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from iop.constants import CaseEventKind
from iop.models import Case, CaseDocument
from iop.permissions import ensure_can_change_case
from iop.services import case_document_register, lock_case, record_event
from partners.uploads import validate_document_upload

from ..constants import FOLLOWED_STAGES
from ..models import AnnualEvaluation
from .checkins import closed_case_refusal
from .deadlines import FollowUpRefused, active_since, deadlines_recompute

__all__ = ["annual_evaluation_record", "duplicate_year_refusal"]

EARLIEST_YEAR = 2000


def duplicate_year_refusal(year: int) -> str:
    return _(
        "The annual evaluation of %(year)s is already recorded for this case; each year is "
        "evaluated once."
    ) % {"year": year}


def annual_evaluation_record(
    *,
    case: Case | int,
    actor: Any,
    year: int | None,
    evaluated_on: datetime.date | None,
    annual_report: File | None,
    evaluation: str,
    public_view: str = "",
    organisation_view: str = "",
    counterpart: str = "",
) -> AnnualEvaluation:
    """Register the organisation's annual report of ``year`` (incoming, from ``counterpart``)
    and record the year's evaluation. Refused on a case not in follow-up, for a year already
    evaluated, a year or date in the future, a file whose content is not an accepted document,
    and without the evaluation's text. On any failure the stored file is removed again: the
    storage is no part of the transaction."""
    stored: list[tuple[Any, str]] = []
    try:
        return _record(
            case=case,
            actor=actor,
            year=year,
            evaluated_on=evaluated_on,
            annual_report=annual_report,
            evaluation=evaluation,
            public_view=public_view,
            organisation_view=organisation_view,
            counterpart=counterpart,
            stored=stored,
        )
    except IntegrityError:
        # Another user recorded the same year in the meantime (the unique constraint).
        _remove(stored)
        raise FollowUpRefused({"year": [duplicate_year_refusal(year or 0)]}) from None
    except BaseException:
        _remove(stored)
        raise


def _remove(stored: list[tuple[Any, str]]) -> None:
    for storage, name in stored:
        storage.delete(name)


@transaction.atomic
def _record(
    *,
    case: Case | int,
    actor: Any,
    year: int | None,
    evaluated_on: datetime.date | None,
    annual_report: File | None,
    evaluation: str,
    public_view: str,
    organisation_view: str,
    counterpart: str,
    stored: list[tuple[Any, str]],
) -> AnnualEvaluation:
    case = lock_case(case)
    ensure_can_change_case(case, actor)
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if case.status not in FOLLOWED_STAGES:
        add("", closed_case_refusal())
    today = timezone.localdate()
    since = active_since(case)
    if year is None:
        add("year", _("Give the year the annual report covers."))
    elif not EARLIEST_YEAR <= year <= today.year:
        add(
            "year",
            _("Give a year from %(first)s to %(last)s.")
            % {
                "first": EARLIEST_YEAR,
                "last": today.year,
            },
        )
    elif AnnualEvaluation.objects.filter(case=case, year=year).exists():
        add("year", duplicate_year_refusal(year))
    if evaluated_on is None:
        add("evaluated_on", _("Give the day of the evaluation."))
    elif evaluated_on > today:
        add(
            "evaluated_on",
            _("The evaluation cannot be recorded before it is made: the date is after today."),
        )
    elif since is not None and evaluated_on < since:
        add(
            "evaluated_on",
            _("The date is before the partnership became active (%(date)s).")
            % {"date": since.isoformat()},
        )
    if annual_report is None:
        add("annual_report", _("Upload the organisation's annual report."))
    else:
        try:
            validate_document_upload(annual_report)
        except ValidationError as invalid:
            for message in invalid.messages:
                add("annual_report", message)
    evaluation = (evaluation or "").strip()
    if not evaluation:
        add("evaluation", _("Write the evaluation of the year."))
    if errors:
        raise FollowUpRefused(errors)
    document = case_document_register(
        actor=actor,
        case=case,
        kind=CaseDocument.Kind.ANNUAL_REPORT,
        title=_("Annual report %(year)s") % {"year": year},
        file=annual_report,
        received_on=evaluated_on,
        counterpart=counterpart.strip() or _organisations_of(case),
    )
    stored.append((document.file.storage, document.file.name))
    row = AnnualEvaluation(
        case=case,
        year=year,
        evaluated_on=evaluated_on,
        annual_report=document,
        evaluation=evaluation,
        public_view=(public_view or "").strip(),
        organisation_view=(organisation_view or "").strip(),
        created_by=actor,
    )
    row._history_user = actor
    row.full_clean(validate_constraints=False)
    row.save()
    record_event(
        case=case,
        kind=CaseEventKind.FOLLOW_UP,
        actor=actor,
        note=_("Annual evaluation of %(year)s recorded, with the annual report %(number)s.")
        % {"year": year, "number": document.registry_number},
    )
    deadlines_recompute(case, actor=actor)
    return row


def _organisations_of(case: Case) -> str:
    return ", ".join(case.organisations.order_by("name").values_list("name", flat=True))[:200]
