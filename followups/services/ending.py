"""Notice of termination and the wind-down (DOMAIN.md §3 stage 9): either party ends the
partnership with the agreed notice (six months unless the agreement says otherwise), the
committee decides the ending, the parties produce a wind-down plan, which is registered, and
then the case is closed.

``notice_register`` does the whole notice in one transaction: the letter registered in the
diarium, the notice with its end date, the case's move to *notice given* (whose receiver plans
the end date and the wind-down plan deadlines), and the committee's matter for ending the IOP.

The ending matter is asked for last, and its refusal does not undo the notice: the notice is a
fact that happened (the letter came or went, the notice period runs from it), while the matter
is the office's next piece of work. So a refused matter leaves the notice saved and the reasons
are shown as a warning on the ending page, which offers to prepare it again
(``notice_matter_prepare``). Everything else refused saves nothing.

Uploaded and printed files are written to storage when their row is saved, before the
transaction commits; a rollback takes the rows but not the files. So these services remove the
files they stored when their transaction does not commit (``_files_removed_on_failure``).
"""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from dateutil.relativedelta import relativedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from iop import facts
from iop.constants import FINAL_STATUSES, CaseStatus, DocumentDirection, NoticeGivenBy, Transition
from iop.exceptions import TransitionForbidden, TransitionRefused
from iop.models import Case, CaseDocument
from iop.permissions import ensure_can_change_case
from iop.services import (
    case_document_register,
    case_transition,
    declared_transitions,
    lock_case,
    transition_refusals,
)
from partners.pdf import write_pdf
from partners.uploads import validate_document_upload
from partners.users import display_name

from ..models import NoticeRecord, WindDownPlan
from .deadlines import FollowUpRefused, deadlines_recompute

__all__ = [
    "DEFAULT_NOTICE_MONTHS",
    "NoticeRegistered",
    "end_date_of",
    "notice_matter_prepare",
    "notice_months_of",
    "notice_register",
    "render_wind_down_plan_pdf",
    "wind_down_plan_register",
]

# DOMAIN.md §3 stage 9: "either party may end the partnership with six months' notice".
DEFAULT_NOTICE_MONTHS = 6

# The stages in which the parties produce and register the wind-down plan.
WIND_DOWN_STAGES = (CaseStatus.NOTICE_GIVEN, CaseStatus.WINDING_DOWN)


@dataclass(frozen=True)
class NoticeRegistered:
    """The registered notice, and why the ending matter was not prepared with it (empty when
    it was)."""

    notice: NoticeRecord
    matter_refusals: list[str] = field(default_factory=list)


@contextlib.contextmanager
def _files_removed_on_failure() -> Iterator[list[File]]:
    """Collect the stored files of what the block saves; if the block raises, they are
    deleted from storage again (the rows go with the rollback)."""
    stored: list[File] = []
    try:
        yield stored
    except BaseException:
        for file in stored:
            with contextlib.suppress(Exception):
                file.storage.delete(file.name)
        raise


def _in_house(text: Any) -> str:
    """A lazy text in the installation's language: what is stored (a document's title) is
    written as the office writes, not in the user's language."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(text)


def _organisation_names(case: Case) -> str:
    return ", ".join(o.name for o in case.organisations.order_by("name"))


def _upload_errors(file: File | None, *, missing: str) -> list[str]:
    if not file:
        return [missing]
    try:
        validate_document_upload(file)
    except ValidationError as invalid:
        return list(invalid.messages)
    return []


# --- Notice --------------------------------------------------------------------------------


def notice_months_of(case: Case) -> int:
    """The agreed notice period in months (the agreement's, else six)."""
    agreement = facts.agreement_facts(case)
    return (
        agreement.notice_months if agreement and agreement.notice_months else DEFAULT_NOTICE_MONTHS
    )


def end_date_of(given_on: datetime.date, months: int) -> datetime.date:
    """The partnership's last day: the notice date plus the notice period, by calendar months
    (15 March + 6 → 15 September; 31 August + 6 → 28 or 29 February)."""
    return given_on + relativedelta(months=months)


def _notice_errors(
    *,
    given_on: datetime.date | None,
    given_by: str,
    reason: str,
    letter: File | None,
    today: datetime.date,
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if given_on is None:
        errors["given_on"] = [_("Give the date notice was given.")]
    elif given_on > today:
        errors["given_on"] = [_("The date of the notice cannot be in the future.")]
    if given_by not in NoticeGivenBy.values:
        errors["given_by"] = [_("Choose which party gave notice.")]
    if not (reason or "").strip():
        errors["reason"] = [_("Give the reason for the notice.")]
    letter_errors = _upload_errors(letter, missing=_("Attach the notice letter."))
    if letter_errors:
        errors["letter"] = letter_errors
    return errors


def _prepare_ending_matter(notice: NoticeRecord, *, case: Case, actor: Any) -> list[str]:
    """Ask the committee's spoke for the ending matter and keep its link on the notice; the
    refusal's reasons, or an empty list when it was prepared."""
    request = facts.MatterRequest(kind="ending", end_date=notice.end_date)
    try:
        matter = facts.prepare_matter(case=case, actor=actor, request=request)
    except facts.MatterNotPrepared as refused:
        return refused.messages
    notice.matter_id = matter.matter_id
    notice.matter_title = matter.title[:300]
    notice.matter_url = matter.url[:300]
    notice.matter_prepared_at = timezone.now()
    notice._history_user = actor
    notice.save()
    return []


def notice_register(
    *,
    case: Case,
    actor: Any,
    given_on: datetime.date | None,
    given_by: str,
    reason: str,
    letter: File | None,
    letter_title: str = "",
) -> NoticeRegistered:
    """Register a notice of termination in one transaction: the notice letter in the
    diarium (incoming when the organisation gave notice, outgoing when the public body did),
    the notice with its end date (``given_on`` + the agreed notice period), the case's move to
    *notice given* (the deadlines follow in the move), and the committee's ending matter.

    Refused (``FollowUpRefused``, nothing saved, no file left in storage): a date missing or
    in the future, no party, no reason, no letter or one of a type not allowed, a case that
    cannot take notice at its stage (closed, not yet active) or already has a notice, and any
    rule of the transition. A refused ending matter does not refuse the notice: its reasons
    come back in ``matter_refusals`` (see the module's docstring)."""
    today = timezone.localdate()
    errors = _notice_errors(
        given_on=given_on, given_by=given_by, reason=reason, letter=letter, today=today
    )
    with _files_removed_on_failure() as stored, transaction.atomic():
        case = lock_case(case)
        ensure_can_change_case(case, actor)
        if NoticeRecord.objects.filter(case=case).exists():
            errors.setdefault("", []).append(
                _("Notice of termination has already been registered for this case.")
            )
        elif case.status not in declared_transitions()[Transition.GIVE_NOTICE]:
            errors.setdefault("", []).extend(
                transition_refusals(case, Transition.GIVE_NOTICE, actor)
            )
        elif not errors:
            # The transition's own rules and the other apps' guards, before anything is saved.
            case.notice_date, case.notice_given_by = given_on, given_by
            refusals = transition_refusals(case, Transition.GIVE_NOTICE, actor, note=reason)
            if refusals:
                errors[""] = refusals
        if errors:
            raise FollowUpRefused(errors)

        months = notice_months_of(case)
        by_organisation = given_by == NoticeGivenBy.ORGANISATION
        document = case_document_register(
            actor=actor,
            case=case,
            kind=CaseDocument.Kind.NOTICE_LETTER,
            title=(letter_title or "").strip()
            or _in_house(gettext_lazy("Notice of termination of the IOP")),
            file=letter,
            received_on=given_on,
            direction=DocumentDirection.INCOMING if by_organisation else DocumentDirection.OUTGOING,
            counterpart=_organisation_names(case),
        )
        stored.append(document.file)
        notice = NoticeRecord(
            case=case,
            given_on=given_on,
            given_by=given_by,
            reason=reason.strip(),
            notice_months=months,
            end_date=end_date_of(given_on, months),
            letter=document,
            created_by=actor,
        )
        notice.full_clean(exclude=["case", "letter", "created_by"])
        notice._history_user = actor
        notice.save()
        try:
            case = case_transition(
                case=case,
                name=Transition.GIVE_NOTICE,
                actor=actor,
                note=reason.strip(),
                data={"notice_date": given_on, "notice_given_by": given_by},
            )
        except TransitionForbidden:
            raise
        except TransitionRefused as refused:  # e.g. a receiver of another app refused it
            raise FollowUpRefused(refused.reasons) from refused
        matter_refusals = _prepare_ending_matter(notice, case=case, actor=actor)
    return NoticeRegistered(notice=notice, matter_refusals=matter_refusals)


@transaction.atomic
def notice_matter_prepare(*, case: Case, actor: Any) -> NoticeRecord:
    """Prepare the committee's ending matter for a notice registered without one (the
    committee's spoke refused it then). Refused with the committee spoke's reasons."""
    case = lock_case(case)
    ensure_can_change_case(case, actor)
    notice = NoticeRecord.objects.select_for_update().filter(case=case).first()
    if notice is None:
        raise FollowUpRefused([_("No notice of termination is registered for this case.")])
    if notice.matter_id is not None:
        raise FollowUpRefused([_("The committee's matter for ending the IOP is already prepared.")])
    refusals = _prepare_ending_matter(notice, case=case, actor=actor)
    if refusals:
        raise FollowUpRefused(refusals)
    return notice


# --- The wind-down plan -----------------------------------------------------------------------


def render_wind_down_plan_pdf(*, case: Case, text: str, actor: Any) -> bytes:
    """The plan written here as an archival PDF (PDF/A, ``partners.pdf``), in the
    installation's language: the public body, the case, the parties, the notice and the end
    date, then the plan."""
    notice = NoticeRecord.objects.filter(case=case).first()
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Wind-down plan") + f" – {case.title}"
        html = render_to_string(
            "followups/ending/pdf/wind_down_plan.html",
            {
                "case": case,
                "notice": notice,
                "organisations": _organisation_names(case),
                "text": text.strip(),
                "written_by": display_name(actor),
                "written_on": timezone.localdate(),
                "title": title,
            },
        )
        return write_pdf(
            html,
            title=title,
            author=case.public_body.name,
            subject=str(_("Wind-down plan")),
            lang=settings.LANGUAGE_CODE.split("-")[0],
        )


def wind_down_plan_register(
    *,
    case: Case,
    actor: Any,
    text: str = "",
    file: File | None = None,
    received_on: datetime.date | None = None,
) -> WindDownPlan:
    """Register the parties' wind-down plan: written here (``text``, printed to a PDF/A) or
    uploaded (``file``, checked by content), as the case's wind-down plan document in the
    diarium — which the close transition requires and which closes the wind-down plan
    deadline. Refused (``FollowUpRefused``, nothing saved, no file left in storage): neither
    or both, an upload of a type not allowed, a date in the future, and a case not under
    notice or winding down."""
    text = (text or "").strip()
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    if text and file:
        errors[""] = [_("Write the plan here or upload it as a file, not both.")]
    elif not text and not file:
        errors[""] = [_("Write the plan here or upload it as a file.")]
    elif file:
        upload_errors = _upload_errors(file, missing="")
        if upload_errors:
            errors["file"] = upload_errors
    if received_on is not None and received_on > today:
        errors["received_on"] = [_("The date cannot be in the future.")]
    if case.status not in WIND_DOWN_STAGES:
        errors.setdefault("", []).insert(0, wind_down_stage_refusal(case))
    if errors:
        raise FollowUpRefused(errors)
    # Printed before the case is locked: WeasyPrint takes a while.
    printed = render_wind_down_plan_pdf(case=case, text=text, actor=actor) if text else None

    with _files_removed_on_failure() as stored, transaction.atomic():
        case = lock_case(case)
        ensure_can_change_case(case, actor)
        if case.status not in WIND_DOWN_STAGES:  # moved on while the PDF was printed
            raise FollowUpRefused([wind_down_stage_refusal(case)])
        if printed is not None:
            upload = ContentFile(printed, name="avvecklingsplan.pdf")
            direction, counterpart = DocumentDirection.DRAWN_UP, ""
        else:
            upload = file
            direction, counterpart = DocumentDirection.INCOMING, _organisation_names(case)
        document = case_document_register(
            actor=actor,
            case=case,
            kind=CaseDocument.Kind.WIND_DOWN_PLAN,
            title=_in_house(gettext_lazy("Wind-down plan")),
            file=upload,
            received_on=received_on or today,
            direction=direction,
            counterpart=counterpart,
        )
        stored.append(document.file)
        plan = WindDownPlan(case=case, text=text, document=document, created_by=actor)
        plan._history_user = actor
        plan.save()
        deadlines_recompute(case)
    return plan


def wind_down_stage_refusal(case: Case) -> str:
    """Why no wind-down plan can be registered at the case's stage."""
    if case.status in FINAL_STATUSES:
        return _("The case is closed; its follow-up can no longer be changed.")
    return _("A wind-down plan is registered once notice of termination has been given.")
