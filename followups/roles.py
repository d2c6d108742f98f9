"""The follow-up's permissions per role, merged into the groups by ``iop.roles.sync_roles``
(a change here needs a migration of this app that calls it, like ``0003_roles``).

Every role reads the follow-up in admin: the deadlines, the records, the reminders' outbox and
e-mails (the auditors' question is exactly «was it followed up?»). What is written goes through
the services: the case officers and IOP coordinators register absences and earlier follow-ups
(their own absences; the coordinator anyone's, enforced by the service). The reminder
settings are the administrator's (superuser). No role sees the calendar feeds' secrets."""

from iop.constants import Role

VIEW_ALL = [
    "followups.view_deadline",
    "followups.view_checkin",
    "followups.view_checkinaction",
    "followups.view_annualevaluation",
    "followups.view_earlierfollowup",
    "followups.view_followupreport",
    "followups.view_noticerecord",
    "followups.view_winddownplan",
    "followups.view_absence",
    "followups.view_remindersettings",
    "followups.view_reminderemail",
    "followups.view_reminderoutbox",
]

# Who gets reminders keeps the absences (theirs; the coordinator anyone's), and records the
# follow-ups made before the system.
FOLLOW_UP_WORK = [
    "followups.add_absence",
    "followups.change_absence",
    "followups.add_earlierfollowup",
]

ROLE_PERMISSIONS = {
    Role.CASE_OFFICER: VIEW_ALL + FOLLOW_UP_WORK,
    Role.COORDINATOR: VIEW_ALL + FOLLOW_UP_WORK,
    Role.JURIST: VIEW_ALL,
    Role.SECRETARY: VIEW_ALL,
    Role.FINANCE: VIEW_ALL,
    Role.AUDITOR: VIEW_ALL,
}
