"""A public body's usual payment frequency (kept in admin): new IOPs' parties start with it."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from iop.models import PublicBody

from ..constants import Frequency
from ..models import PaymentDefaults
from .payments import PaymentRefused, _ensure


@transaction.atomic
def set_payment_default(*, public_body: PublicBody, frequency: str, actor: Any) -> PaymentDefaults:
    """Set how often ``public_body`` usually pays; IOPs with their own terms keep them. Only
    the administrator (``change_paymentdefaults``) sets it."""
    _ensure(actor, "finance.change_paymentdefaults")
    if frequency not in Frequency.values:
        raise PaymentRefused({"frequency": [_("Choose how often the party pays.")]})
    defaults = PaymentDefaults.objects.select_for_update().filter(
        public_body=public_body
    ).first() or PaymentDefaults(public_body=public_body)
    defaults.frequency = frequency
    defaults._history_user = actor
    defaults.save()
    return defaults
