"""The committee's permissions per role, merged into the groups by ``iop.roles.sync_roles``."""

from iop.constants import Role

VIEW_ALL = [
    "decisions.view_matter",
    "decisions.view_decisionpoint",
    "decisions.view_matterperspective",
    "decisions.view_matterdocument",
    "decisions.view_perspectiveheading",
    "decisions.view_meeting",
    "decisions.view_agendaitem",
    "decisions.view_meetingpackage",
    "decisions.view_decision",
]

# The case officer (and the coordinator) prepares the matters of the cases they handle.
PREPARE = [
    "decisions.add_matter",
    "decisions.change_matter",
    "decisions.add_decisionpoint",
    "decisions.change_decisionpoint",
    "decisions.delete_decisionpoint",
    "decisions.change_matterperspective",
]

# The secretary keeps the meetings and their agendas, makes the packages and records the
# decisions (iop.record_decision, granted by the hub).
SECRETARY = [
    "decisions.add_meeting",
    "decisions.change_meeting",
    "decisions.add_agendaitem",
    "decisions.change_agendaitem",
    "decisions.add_meetingpackage",
    "decisions.add_decision",
]

ROLE_PERMISSIONS = {
    Role.CASE_OFFICER: VIEW_ALL + PREPARE,
    Role.COORDINATOR: VIEW_ALL + PREPARE,
    Role.JURIST: VIEW_ALL,
    Role.SECRETARY: VIEW_ALL + SECRETARY,
    Role.FINANCE: VIEW_ALL,
    Role.AUDITOR: VIEW_ALL,
}
