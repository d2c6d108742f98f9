"""Finance's writes on a case's payment plan: a payment made, its correction, a payment held
and released, and how often a public party pays.

Payments are never edited or deleted. A mistake is put right by a **correction**: a new row that
names the one it corrects and carries the right amount (0 cancels it); a corrected row is not
corrected again — the correction is. Each service locks the case first (the plan, its
payments and holds hang on it), checks the actor's permission, refuses with the messages users
read (``PaymentRefused``: {field: [messages]}, ``""`` for the whole form) and writes one event
on the case's timeline.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements.templatetags.agreement_format import kr
from iop.constants import CaseEventKind
from iop.exceptions import TransitionForbidden
from iop.models import Case, PublicBody
from iop.permissions import GENERIC_REFUSAL
from iop.services.common import lock_case, record_event

from ..constants import Frequency
from ..models import Payment, PaymentHold, PaymentTerms
from ..plan import PlannedPeriod, periods_of_year
from ..selectors import frequency_of, period_label
from ..timelines import timelines

__all__ = [
    "PaymentRefused",
    "correct_payment",
    "hold_payment",
    "record_payment",
    "release_hold",
    "set_payment_terms",
]


class PaymentRefused(Exception):
    """A payment write refused; ``errors`` maps a form field ("" for the whole form) to the
    messages users read."""

    def __init__(self, errors: dict[str, list[Any]]):
        self.errors = {k: [str(m) for m in v] for k, v in errors.items() if v}
        super().__init__(" ".join(m for v in self.errors.values() for m in v))


def _ensure(actor: Any, permission: str) -> None:
    if not (actor is not None and actor.is_active and actor.has_perm(permission)):
        raise TransitionForbidden([str(GENERIC_REFUSAL)])


def _planned_period(
    case: Case, public_body: PublicBody, year: int, period: int, errors: dict[str, list]
) -> PlannedPeriod | None:
    """The planned period, or None with the reason in ``errors``."""
    timeline = timelines([case.pk]).get(case.pk, {}).get(public_body.pk)
    if timeline is None:
        errors.setdefault("", []).append(
            _("%(body)s has no payment plan in this IOP (no signed agreement names an amount).")
            % {"body": public_body.name}
        )
        return None
    if not timeline.covers_year(year):
        errors.setdefault("year", []).append(
            _("The agreement does not cover %(year)s.") % {"year": year}
        )
        return None
    planned = {
        p.period: p for p in periods_of_year(timeline, year, frequency_of(case, public_body))
    }
    if period not in planned:
        errors.setdefault("period", []).append(
            _("Period %(period)s is not in the plan for %(year)s.")
            % {"period": period, "year": year}
        )
        return None
    return planned[period]


def _paid(case: Case, public_body: PublicBody, year: int, period: int) -> Decimal:
    rows = Payment.objects.filter(
        case=case, public_body=public_body, year=year, period=period, correction__isnull=True
    ).values_list("amount", flat=True)
    return sum(rows, Decimal(0))


def _open_hold(case: Case, public_body: PublicBody, year: int, period: int) -> PaymentHold | None:
    return PaymentHold.objects.filter(
        case=case, public_body=public_body, year=year, period=period, released_at__isnull=True
    ).first()


def _reference_taken(public_body: PublicBody, reference: str) -> str:
    return _("Reference %(reference)s is already recorded for %(body)s.") % {
        "reference": reference,
        "body": public_body.name,
    }


def _check_payment_fields(
    *,
    public_body: PublicBody,
    paid_on: datetime.date | None,
    amount: Decimal | None,
    reference: str,
    errors: dict[str, list],
    allow_zero: bool,
) -> None:
    if amount is None:
        errors.setdefault("amount", []).append(_("Enter the amount paid."))
    elif amount < 0 or (amount == 0 and not allow_zero):
        errors.setdefault("amount", []).append(
            _("A correction cannot be negative; 0 cancels the payment.")
            if allow_zero
            else _("A payment must be more than 0 kronor.")
        )
    if paid_on is None:
        errors.setdefault("paid_on", []).append(_("Enter the day it was paid."))
    elif paid_on > timezone.localdate():
        errors.setdefault("paid_on", []).append(_("A payment cannot be dated in the future."))
    if not reference:
        errors.setdefault("reference", []).append(_("Enter the voucher number or reference."))
    elif Payment.objects.filter(public_body=public_body, reference=reference).exists():
        errors.setdefault("reference", []).append(_reference_taken(public_body, reference))


def _insert(payment: Payment, public_body: PublicBody, corrects: Payment | None = None) -> None:
    """Save the new row in a savepoint: a concurrent twin (the same reference, or a second
    correction of the same row) loses on the unique constraint and reads why."""
    try:
        with transaction.atomic():
            payment.save()
    except IntegrityError:
        if corrects is not None and Payment.objects.filter(corrects=corrects).exists():
            raise PaymentRefused({"": [_already_corrected()]}) from None
        raise PaymentRefused(
            {"reference": [_reference_taken(public_body, payment.reference)]}
        ) from None


def _already_corrected() -> str:
    return _("This payment has already been corrected: correct the correction instead.")


@transaction.atomic
def record_payment(
    *,
    case: Case,
    public_body: PublicBody,
    year: int,
    period: int,
    paid_on: datetime.date,
    amount: Decimal,
    reference: str,
    actor: Any,
    note: str = "",
) -> Payment:
    """Record a payment made for one planned period, as booked in the finance system."""
    case = lock_case(case)
    _ensure(actor, "finance.add_payment")
    reference = (reference or "").strip()
    errors: dict[str, list] = {}
    planned = _planned_period(case, public_body, year, period, errors)
    _check_payment_fields(
        public_body=public_body,
        paid_on=paid_on,
        amount=amount,
        reference=reference,
        errors=errors,
        allow_zero=False,
    )
    if planned is not None:
        hold = _open_hold(case, public_body, year, period)
        if hold is not None:
            errors.setdefault("", []).append(
                _("This period is held (%(reason)s): release the hold before recording a payment.")
                % {"reason": hold.reason}
            )
    if errors:
        raise PaymentRefused(errors)
    payment = Payment(
        case=case,
        public_body=public_body,
        year=year,
        period=period,
        paid_on=paid_on,
        amount=amount,
        reference=reference,
        note=(note or "").strip(),
        recorded_by=actor,
    )
    payment._history_user = actor
    _insert(payment, public_body)
    record_event(
        case=case,
        kind=CaseEventKind.PAYMENT,
        actor=actor,
        note=_("Payment %(reference)s of %(amount)s from %(body)s for %(period)s recorded.")
        % {
            "reference": reference,
            "amount": kr(amount),
            "body": public_body.name,
            "period": period_label(planned),
        },
    )
    return payment


@transaction.atomic
def correct_payment(
    *,
    payment: Payment,
    amount: Decimal,
    reference: str,
    paid_on: datetime.date,
    actor: Any,
    note: str,
) -> Payment:
    """Put a recorded payment right with a new row that names it; its amount replaces the
    corrected one's (0 cancels it). A corrected payment is not corrected again: its
    correction is."""
    case = lock_case(payment.case_id)
    _ensure(actor, "finance.add_payment")
    payment = Payment.objects.select_related("public_body").get(pk=payment.pk)
    public_body = payment.public_body
    reference = (reference or "").strip()
    errors: dict[str, list] = {}
    if Payment.objects.filter(corrects=payment).exists():
        errors.setdefault("", []).append(_already_corrected())
    _check_payment_fields(
        public_body=public_body,
        paid_on=paid_on,
        amount=amount,
        reference=reference,
        errors=errors,
        allow_zero=True,
    )
    if not (note or "").strip():
        errors.setdefault("note", []).append(_("Say why the payment is corrected."))
    if errors:
        raise PaymentRefused(errors)
    correction = Payment(
        case=case,
        public_body=public_body,
        year=payment.year,
        period=payment.period,
        paid_on=paid_on,
        amount=amount,
        reference=reference,
        corrects=payment,
        note=note.strip(),
        recorded_by=actor,
    )
    correction._history_user = actor
    _insert(correction, public_body, corrects=payment)
    record_event(
        case=case,
        kind=CaseEventKind.PAYMENT,
        actor=actor,
        note=_(
            "Payment %(old)s corrected by %(reference)s: %(amount)s instead of %(was)s. %(note)s"
        )
        % {
            "old": payment.reference,
            "reference": reference,
            "amount": kr(amount),
            "was": kr(payment.amount),
            "note": note.strip(),
        },
    )
    return correction


@transaction.atomic
def hold_payment(
    *,
    case: Case,
    public_body: PublicBody,
    year: int,
    period: int,
    reason: str,
    actor: Any,
) -> PaymentHold:
    """Hold back a planned payment, with the reason finance and the officer read beside it."""
    case = lock_case(case)
    _ensure(actor, "finance.add_paymenthold")
    reason = (reason or "").strip()
    errors: dict[str, list] = {}
    if not reason:
        errors.setdefault("reason", []).append(_("Say why the payment is held."))
    planned = _planned_period(case, public_body, year, period, errors)
    if planned is not None:
        if _open_hold(case, public_body, year, period) is not None:
            errors.setdefault("", []).append(_("This period is already held."))
        elif _paid(case, public_body, year, period) >= planned.amount:
            errors.setdefault("", []).append(
                _("This period is already paid in full: there is nothing to hold.")
            )
    if errors:
        raise PaymentRefused(errors)
    hold = PaymentHold(
        case=case, public_body=public_body, year=year, period=period, reason=reason, held_by=actor
    )
    hold._history_user = actor
    try:
        with transaction.atomic():
            hold.save()
    except IntegrityError:
        raise PaymentRefused({"": [_("This period is already held.")]}) from None
    record_event(
        case=case,
        kind=CaseEventKind.PAYMENT,
        actor=actor,
        note=_("Payment from %(body)s for %(period)s held: %(reason)s")
        % {"body": public_body.name, "period": period_label(planned), "reason": reason},
    )
    return hold


@transaction.atomic
def release_hold(*, hold: PaymentHold, actor: Any, note: str = "") -> PaymentHold:
    """The reason is gone: the period may be paid again. The hold stays, released."""
    case = lock_case(hold.case_id)
    _ensure(actor, "finance.change_paymenthold")
    hold = PaymentHold.objects.select_for_update().select_related("public_body").get(pk=hold.pk)
    if not hold.is_open:
        raise PaymentRefused({"": [_("This hold has already been released.")]})
    hold.released_at = timezone.now()
    hold.released_by = actor
    hold.release_note = (note or "").strip()
    hold._history_user = actor
    hold.save()
    record_event(
        case=case,
        kind=CaseEventKind.PAYMENT,
        actor=actor,
        note=_(
            "Hold on the payment from %(body)s for %(year)s, period %(period)s released. %(note)s"
        )
        % {
            "body": hold.public_body.name,
            "year": hold.year,
            "period": hold.period,
            "note": hold.release_note,
        },
    )
    return hold


@transaction.atomic
def set_payment_terms(
    *, case: Case, public_body: PublicBody, frequency: str, actor: Any
) -> PaymentTerms:
    """How often ``public_body`` pays this IOP. Refused once payments or holds are recorded
    for the party: their periods would no longer be the plan's."""
    case = lock_case(case)
    _ensure(actor, "finance.add_paymentterms")
    errors: dict[str, list] = {}
    if frequency not in Frequency.values:
        errors.setdefault("frequency", []).append(_("Choose how often the party pays."))
    if public_body.pk not in timelines([case.pk]).get(case.pk, {}):
        errors.setdefault("", []).append(
            _("%(body)s has no payment plan in this IOP (no signed agreement names an amount).")
            % {"body": public_body.name}
        )
    elif (
        Payment.objects.filter(case=case, public_body=public_body).exists()
        or PaymentHold.objects.filter(case=case, public_body=public_body).exists()
    ):
        errors.setdefault("frequency", []).append(
            _(
                "The payment frequency cannot change once payments or holds are recorded for "
                "this party: the recorded periods would no longer match the plan."
            )
        )
    if errors:
        raise PaymentRefused(errors)
    terms = PaymentTerms.objects.filter(case=case, public_body=public_body).first()
    before = terms.frequency if terms else frequency_of(case, public_body)
    terms = terms or PaymentTerms(case=case, public_body=public_body)
    terms.frequency = frequency
    terms.updated_by = actor
    terms._history_user = actor
    terms.save()
    record_event(
        case=case,
        kind=CaseEventKind.PAYMENT,
        actor=actor,
        note=_("%(body)s pays %(frequency)s (was %(before)s).")
        % {
            "body": public_body.name,
            "frequency": str(Frequency(frequency).label).lower(),
            "before": str(Frequency(before).label).lower(),
        },
    )
    return terms
