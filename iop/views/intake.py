"""Register an initiative (DOMAIN.md §3, stage 1): the organisation(s), chosen or created
on the spot, the societal challenge and the idea, SKL's planning sheets 1–2, the
responsible committee and the case officer. Case officers and the IOP coordinator only."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .. import permissions
from ..forms import PLANNING_SHEET_1, PLANNING_SHEET_2, InitiativeIntake
from ..services.intake import initiative_register

# Where an error the service finds (e.g. an organisation number registered by someone else
# a moment ago) is shown: fields of the new organisation, or of the case.
_ORGANISATION_FIELDS = {"name", "org_number", "legal_form", "email", "phone"}


def _show_service_errors(intake: InitiativeIntake, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        intake.case_form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        if field in _ORGANISATION_FIELDS and intake.wants_new_organisation:
            form = intake.organisation_form
        else:
            form = intake.case_form
        form.add_error(field if field in form.fields else None, errors)


@require_http_methods(["GET", "POST"])
def case_create(request: HttpRequest) -> HttpResponse:
    if not permissions.can_register_case(request.user):
        raise PermissionDenied
    intake = InitiativeIntake(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and intake.is_valid():
        try:
            case = initiative_register(actor=request.user, **intake.register_kwargs())
        except ValidationError as error:
            _show_service_errors(intake, error)
        else:
            messages.success(
                request,
                _("The initiative was registered with registry number %(number)s.")
                % {"number": case.registry_number},
            )
            return redirect(case)
    form = intake.case_form
    context = {
        "intake": intake,
        "form": form,
        "organisation_form": intake.organisation_form,
        "contact_form": intake.contact_form,
        "sheet_1": [form[name] for name in PLANNING_SHEET_1],
        "sheet_2": [form[name] for name in PLANNING_SHEET_2],
        "show_new_organisation": intake.wants_new_organisation,
    }
    return render(request, "iop/case_form.html", context)
