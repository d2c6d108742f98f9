"""A case's payments (/arenden/<case>/utbetalningar/…): its plan year by year and per public
party — planned, paid, the difference, every payment with its corrections and every hold —
and finance's screens that record a payment, correct one, hold a period with a reason,
release a hold and set how often a party pays. The case page shows a panel of it
(``registration``).

Who may do what: every staff role reads (``finance.view_payment``); only finance (and the
superuser) writes — ``add_payment`` records and corrects, ``add_paymenthold`` holds,
``change_paymenthold`` releases, ``add_paymentterms`` sets the frequency — anyone else is
answered 403 on a write screen, GET and POST alike. A payment or hold of another case under
this case's URL is 404. A refusal shows the form again with what was typed and the reasons.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from agreements.templatetags.agreement_format import kr
from iop.models import Case, PublicBody
from iop.views.common import stage_context, visible_case

from .. import selectors
from ..forms import CorrectionForm, HoldForm, PaymentForm, ReleaseForm, TermsForm
from ..models import Payment, PaymentHold
from ..services.payments import (
    PaymentRefused,
    correct_payment,
    hold_payment,
    record_payment,
    release_hold,
    set_payment_terms,
)
from .plan import ensure_reader, no_store

WRITE_PERMISSIONS = {
    "pay": "finance.add_payment",
    "hold": "finance.add_paymenthold",
    "release": "finance.change_paymenthold",
    "terms": "finance.add_paymentterms",
}


@dataclass(frozen=True)
class FormPage:
    """What tells finance's form screens apart (templates/finance/form_page.html): the
    heading, what the form does, the submit button, the form's id and the template that shows
    what the form is about (a period, a payment, a party)."""

    title: Any
    intro: Any
    submit: Any
    form_id: str
    about: str = "finance/_period.html"


PAYMENT_PAGE = FormPage(
    title=gettext_lazy("Record a payment"),
    intro=gettext_lazy(
        "Record the payment as it was booked in the finance system. A payment is never "
        "changed afterwards: a mistake is put right by a correction."
    ),
    submit=gettext_lazy("Record the payment"),
    form_id="payment-form",
)
CORRECTION_PAGE = FormPage(
    title=gettext_lazy("Correct a payment"),
    intro=gettext_lazy(
        "The correction is a new row that names the payment it corrects and replaces its "
        "amount; 0 cancels the payment. The corrected payment stays, marked as corrected."
    ),
    submit=gettext_lazy("Record the correction"),
    form_id="correction-form",
    about="finance/_about_correction.html",
)
HOLD_PAGE = FormPage(
    title=gettext_lazy("Hold a payment"),
    intro=gettext_lazy(
        "A held period is not paid until the hold is released. The reason is shown beside "
        "the payment in the plan, with your name."
    ),
    submit=gettext_lazy("Hold the payment"),
    form_id="hold-form",
)
RELEASE_PAGE = FormPage(
    title=gettext_lazy("Release a hold"),
    intro=gettext_lazy(
        "Released, the period may be paid again. The hold stays in the history with its reason."
    ),
    submit=gettext_lazy("Release the hold"),
    form_id="release-form",
)
TERMS_PAGE = FormPage(
    title=gettext_lazy("Payment frequency"),
    intro=gettext_lazy(
        "How often this public party pays the IOP. It can change until the first payment or "
        "hold is recorded for the party."
    ),
    submit=gettext_lazy("Save"),
    form_id="terms-form",
    about="finance/_about_terms.html",
)


def _case(request: HttpRequest, case_pk: int, write: str = "") -> Case:
    case = visible_case(request, case_pk)
    ensure_reader(request)
    if write and not request.user.has_perm(WRITE_PERMISSIONS[write]):
        raise PermissionDenied
    return case


def _add_refusal(refused: PaymentRefused, form: BaseForm) -> None:
    for name, texts in refused.errors.items():
        for text in texts:
            form.add_error(name if name in form.fields else None, text)


def _back(case: Case, anchor: str = "") -> HttpResponse:
    url = reverse("finance:case_payments", args=[case.pk])
    return redirect(f"{url}#{anchor}" if anchor else url)


def _row_of(case: Case, body: PublicBody, year: int, period: int) -> selectors.PlanRow:
    """The planned period (404 when the plan has no such period)."""
    plan = selectors.case_plan(case, [year])
    plan_year = plan.year(year)
    for party in plan_year.parties if plan_year else []:
        if party.public_body.pk == body.pk:
            for row in party.rows:
                if row.period.period == period:
                    return row
    raise Http404


FORM_PAGE = "finance/form_page.html"


def _render(request: HttpRequest, template: str, case: Case, **context: Any) -> HttpResponse:
    return no_store(render(request, template, {"case": case, **stage_context(case), **context}))


def row_anchor(body_pk: int, year: int, period: int) -> str:
    return f"period-{body_pk}-{year}-{period}"


# --- The page -------------------------------------------------------------------------------


@require_GET
def case_payments(request: HttpRequest, case_pk: int) -> HttpResponse:
    case = _case(request, case_pk)
    plan = selectors.case_plan(case)
    user = request.user
    return _render(
        request,
        "finance/case_payments.html",
        case,
        plan=plan,
        may_pay=user.has_perm("finance.add_payment"),
        may_hold=user.has_perm("finance.add_paymenthold"),
        may_release=user.has_perm("finance.change_paymenthold"),
        may_set_terms=user.has_perm("finance.add_paymentterms"),
    )


# --- The writes -----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def payment_new(
    request: HttpRequest, case_pk: int, body_pk: int, year: int, period: int
) -> HttpResponse:
    case = _case(request, case_pk, "pay")
    body = get_object_or_404(PublicBody, pk=body_pk)
    row = _row_of(case, body, year, period)
    form = PaymentForm(
        request.POST or None, initial={"amount": max(row.difference, 0) or row.planned}
    )
    if request.method == "POST" and form.is_valid():
        try:
            payment = record_payment(
                case=case,
                public_body=body,
                year=year,
                period=period,
                actor=request.user,
                **form.cleaned_data,
            )
        except PaymentRefused as refused:
            _add_refusal(refused, form)
        else:
            messages.success(
                request,
                _("Payment %(reference)s of %(amount)s recorded.")
                % {"reference": payment.reference, "amount": kr(payment.amount)},
            )
            return _back(case, row_anchor(body.pk, year, period))
    return _render(request, FORM_PAGE, case, page=PAYMENT_PAGE, form=form, row=row)


@require_http_methods(["GET", "POST"])
def payment_correct(request: HttpRequest, case_pk: int, payment_pk: int) -> HttpResponse:
    case = _case(request, case_pk, "pay")
    payment = get_object_or_404(
        Payment.objects.filter(case=case).select_related("public_body", "recorded_by"),
        pk=payment_pk,
    )
    row = _row_of(case, payment.public_body, payment.year, payment.period)
    form = CorrectionForm(request.POST or None, initial={"amount": payment.amount})
    if request.method == "POST" and form.is_valid():
        try:
            correction = correct_payment(payment=payment, actor=request.user, **form.cleaned_data)
        except PaymentRefused as refused:
            _add_refusal(refused, form)
        else:
            messages.success(
                request,
                _("Payment %(old)s corrected by %(reference)s.")
                % {"old": payment.reference, "reference": correction.reference},
            )
            return _back(case, row_anchor(payment.public_body_id, payment.year, payment.period))
    return _render(
        request, FORM_PAGE, case, page=CORRECTION_PAGE, form=form, row=row, payment=payment
    )


@require_http_methods(["GET", "POST"])
def hold_new(
    request: HttpRequest, case_pk: int, body_pk: int, year: int, period: int
) -> HttpResponse:
    case = _case(request, case_pk, "hold")
    body = get_object_or_404(PublicBody, pk=body_pk)
    row = _row_of(case, body, year, period)
    form = HoldForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            hold_payment(
                case=case,
                public_body=body,
                year=year,
                period=period,
                actor=request.user,
                reason=form.cleaned_data["reason"],
            )
        except PaymentRefused as refused:
            _add_refusal(refused, form)
        else:
            messages.success(request, _("The payment is held."))
            return _back(case, row_anchor(body.pk, year, period))
    return _render(request, FORM_PAGE, case, page=HOLD_PAGE, form=form, row=row)


@require_http_methods(["GET", "POST"])
def hold_release(request: HttpRequest, case_pk: int, hold_pk: int) -> HttpResponse:
    case = _case(request, case_pk, "release")
    hold = get_object_or_404(
        PaymentHold.objects.filter(case=case).select_related("public_body", "held_by"), pk=hold_pk
    )
    row = _row_of(case, hold.public_body, hold.year, hold.period)
    form = ReleaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            release_hold(hold=hold, actor=request.user, note=form.cleaned_data["note"])
        except PaymentRefused as refused:
            _add_refusal(refused, form)
        else:
            messages.success(request, _("The hold is released: the period may be paid."))
            return _back(case, row_anchor(hold.public_body_id, hold.year, hold.period))
    return _render(request, FORM_PAGE, case, page=RELEASE_PAGE, form=form, row=row, hold=hold)


@require_http_methods(["GET", "POST"])
def terms_edit(request: HttpRequest, case_pk: int, body_pk: int) -> HttpResponse:
    case = _case(request, case_pk, "terms")
    body = get_object_or_404(PublicBody, pk=body_pk)
    plan = selectors.case_plan(case, [])
    if body.pk not in plan.timelines:
        raise Http404
    current = selectors.frequency_of(case, body)
    form = TermsForm(request.POST or None, initial={"frequency": current})
    if request.method == "POST" and form.is_valid():
        try:
            set_payment_terms(
                case=case,
                public_body=body,
                frequency=form.cleaned_data["frequency"],
                actor=request.user,
            )
        except PaymentRefused as refused:
            _add_refusal(refused, form)
        else:
            messages.success(request, _("The payment frequency is saved."))
            return _back(case)
    return _render(request, FORM_PAGE, case, page=TERMS_PAGE, form=form, body=body, current=current)


_PERIOD = "<int:body_pk>/<int:year>/<int:period>"

urlpatterns = [
    path("", case_payments, name="case_payments"),
    path(f"{_PERIOD}/betala/", payment_new, name="payment_new"),
    path(f"{_PERIOD}/hall-inne/", hold_new, name="hold_new"),
    path("rattelse/<int:payment_pk>/", payment_correct, name="payment_correct"),
    path("innehallen/<int:hold_pk>/slapp/", hold_release, name="hold_release"),
    path("<int:body_pk>/frekvens/", terms_edit, name="terms_edit"),
]
