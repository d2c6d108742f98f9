"""Finance's fixed vocabulary: how often a public party pays an IOP."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Frequency(models.TextChoices):
    """How often the planned payments fall due; each period is paid in advance on its first
    day (or on the agreement's first day, when it starts within the period)."""

    YEARLY = "yearly", _("Yearly")
    HALF_YEARLY = "half_yearly", _("Half-yearly")
    QUARTERLY = "quarterly", _("Quarterly")

    @property
    def periods(self) -> int:
        return {"yearly": 1, "half_yearly": 2, "quarterly": 4}[self.value]


DEFAULT_FREQUENCY = Frequency.QUARTERLY
