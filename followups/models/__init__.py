"""The follow-up of an active partnership: its deadlines (derived from the case, never typed),
what is recorded against them, who stands in for whom, and the reminders' outbox."""

from .calendar import CalendarToken
from .deadlines import Deadline
from .ending import FollowUpReport, NoticeRecord, WindDownPlan
from .records import AnnualEvaluation, CheckIn, CheckInAction, EarlierFollowUp
from .reminders import Absence, ReminderEmail, ReminderOutbox, ReminderSettings

__all__ = [
    "Absence",
    "AnnualEvaluation",
    "CalendarToken",
    "CheckIn",
    "CheckInAction",
    "Deadline",
    "EarlierFollowUp",
    "FollowUpReport",
    "NoticeRecord",
    "ReminderEmail",
    "ReminderOutbox",
    "ReminderSettings",
    "WindDownPlan",
]
