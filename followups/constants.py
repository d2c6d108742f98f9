from django.db import models
from django.utils.translation import gettext_lazy as _


class DeadlineKind(models.TextChoices):
    """What falls due while a partnership runs (DOMAIN.md §3 stages 6–9, §8)."""

    CHECK_IN = "check_in", _("Check-in meeting")
    ANNUAL_EVALUATION = "annual_evaluation", _("Annual evaluation with the annual report")
    COMMITTEE_FOLLOW_UP = "committee_follow_up", _("In-depth follow-up to the committee")
    REVISION = "revision", _("Prepare the revision point: renegotiate or confirm the agreement")
    TERM_END = "term_end", _("Prepare the end of the fixed term: decide on a continuation")
    WIND_DOWN_PLAN = "wind_down_plan", _("Wind-down plan registered")
    PARTNERSHIP_END = "partnership_end", _("The partnership ends (end of the notice period)")

    @property
    def is_rolling(self) -> bool:
        """Repeats on a fixed cadence from the activation date."""
        return self in (DeadlineKind.CHECK_IN, DeadlineKind.ANNUAL_EVALUATION)


class DeadlineState(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    WAIVED = "waived", _("Waived")
    CANCELLED = "cancelled", _("No longer applies")


class ReminderLevel(models.TextChoices):
    """The reminders a deadline gives, each once per recipient."""

    DUE_SOON = "due_soon", _("Due soon")
    OVERDUE = "overdue", _("Overdue")
    ESCALATED = "escalated", _("Overdue, escalated to the IOP coordinators")


# The stages in which a case has follow-up deadlines.
FOLLOWED_STAGES = ("active", "renegotiation", "notice_given", "winding_down")
