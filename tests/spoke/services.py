from django.db import transaction

from iop.services import lock_case

from .models import Hold


@transaction.atomic
def hold_case(*, case, reason: str) -> Hold:
    case = lock_case(case)
    return Hold.objects.create(case=case, reason=reason)
