"""Reads that views, exports and commands share, one module per screen. Row visibility always
comes from ``for_user()``; these functions only narrow and order what it returns."""

from .checklist import case_checklist
from .home import (
    QUEUE_SIZE,
    StageCount,
    StartPage,
    WorkQueue,
    my_open_cases_by_stage,
    officer_queue,
    register_start_queues,
    role_queue,
    start_page,
    waiting_for,
)
from .officers import case_officer_choices
from .register import CASE_LIST_FIELDS, CaseList, case_list
from .timeline import FieldChange, TimelineEntry, case_timeline

__all__ = [
    "CASE_LIST_FIELDS",
    "QUEUE_SIZE",
    "CaseList",
    "FieldChange",
    "StageCount",
    "StartPage",
    "TimelineEntry",
    "WorkQueue",
    "case_checklist",
    "case_list",
    "case_officer_choices",
    "case_timeline",
    "my_open_cases_by_stage",
    "officer_queue",
    "register_start_queues",
    "role_queue",
    "start_page",
    "waiting_for",
]
