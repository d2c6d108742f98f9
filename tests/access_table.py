"""Who may do what, per URL, per role and method: the hand-written table the access matrix
(tests/test_access_matrix.py) checks every route of the URLconf against.

Written from README.md (Roles, the page tables) and the rules in ``iop/permissions.py`` and
``partners/permissions.py`` — not from what the views answer. An outcome is one of

- ``OK``: the role gets through the permission check — a page (200), a redirect elsewhere
  than the login (302), or for a POST with empty data the form again (200), a redirect or a
  refusal by validation (400);
- ``LOGIN``: a redirect to the login page (anonymous users, everywhere but the public pages);
- ``FORBIDDEN`` (403), ``NOT_FOUND`` (404), ``NOT_ALLOWED`` (405).

``OK`` includes 400 and 409: the request got past the permission check and was refused for
its input or for the case's stage (the world's partnerships are active, so a draft's editor
answers 409) — what the matrix proves is who gets past the check. A page that only shows
(``post=None``) may answer a POST with 405 or as its GET; either way nothing may change.

The roles (tests/access_world.py): ``officer`` handles case A, ``substitute`` stands in for
them on it, ``other_officer`` is a case officer who handles case B only, and one user for each
other role; ``admin`` is a superuser.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

OK = "ok"
LOGIN = "login"
FORBIDDEN = "403"
NOT_FOUND = "404"
NOT_ALLOWED = "405"

ROLES = (
    "anonymous",
    "officer",
    "other_officer",
    "substitute",
    "coordinator",
    "jurist",
    "secretary",
    "finance",
    "auditor",
    "admin",
)
STAFF = ROLES[1:]


def allow(*roles: str, others: str = FORBIDDEN, anonymous: str = LOGIN) -> dict[str, str]:
    """``roles`` (and the superuser) get through; every other staff role gets ``others``."""
    outcome = {role: (OK if role in roles or role == "admin" else others) for role in STAFF}
    outcome["anonymous"] = anonymous
    return outcome


def everyone(outcome: str = OK, *, anonymous: str = LOGIN) -> dict[str, str]:
    return {**dict.fromkeys(STAFF, outcome), "anonymous": anonymous}


READ = everyone()  # every staff role reads every case: public records (allmänna handlingar)
PUBLIC = everyone(anonymous=OK)
NO_METHOD = everyone(NOT_ALLOWED)  # a POST to a page that only shows, or a GET to a form's action
# The case's officer, its substitute and the IOP coordinator change a case (can_change_case).
CHANGE_CASE = allow("officer", "substitute", "coordinator")
# Case officers (any) and the coordinator register and change organisations (partners.permissions).
CASE_WORK = allow("officer", "other_officer", "substitute", "coordinator")
LEGAL = allow("jurist")  # can_review_legal
SECRETARY = allow("secretary")  # can_record_decision, the committee's meetings
FINANCE = allow("finance")  # the payment plan's writes
DOSSIER_EXPORT = allow("auditor", "coordinator")  # oversight.roles
COORDINATOR = allow("coordinator")


@dataclass(frozen=True)
class Check:
    """One route's expectations. ``kwargs`` names the world's object behind each URL kwarg
    (``"A.case"``: case A; a plain value is used as it is); ``get``/``post`` map role to
    outcome. ``owned`` names the kwargs that are another object of the first kwarg's owner
    (the case, the organisation, the meeting): the IDOR checks put side B's object there."""

    kwargs: dict[str, Any] = field(default_factory=dict)
    get: dict[str, str] = field(default_factory=lambda: READ)
    post: dict[str, str] | None = None  # None: a page that only shows (see READ_ONLY_POST)
    owned: tuple[str, ...] = ()
    note: str = ""


CASE = {"pk": "A.case"}
CASE_PK = {"case_pk": "A.case"}
ORG = {"pk": "A.organisation"}


def form(rule: dict[str, str], *, get: dict[str, str] | None = None, **kwargs) -> Check:
    """A form page: GET shows it to whoever may post it (or ``get``), POST takes it."""
    return Check(get=get or rule, post=rule, **kwargs)


def action(rule: dict[str, str], **kwargs) -> Check:
    """A POST-only action: GET is 405 for everyone who gets that far."""
    return Check(get={**NO_METHOD, "anonymous": LOGIN}, post=rule, **kwargs)


# Case A's objects under case A's URL; side B's are put in ``owned`` kwargs by the IDOR test.
TABLE: dict[str, Check] = {
    # --- the hub
    "home": Check(get=READ),
    "health": Check(get=PUBLIC),
    "favicon": Check(get=PUBLIC, note="a redirect to the static icon"),
    "login": Check(get=PUBLIC, post=PUBLIC, note="a logged-in user is sent on (redirect)"),
    "logout": action(everyone(), note="POST only (Django 5); anonymous is sent to the login"),
    "logged_out": Check(get=PUBLIC),
    "accessibility": Check(get=PUBLIC, note="the accessibility statement"),
    "keep_alive": Check(get=everyone(), post=everyone()),
    "account_lockouts": Check(get=COORDINATOR),
    "account_unlock": action(COORDINATOR),
    "cases:list": Check(),
    "cases:export": Check(),
    "cases:create": form(allow("officer", "other_officer", "substitute", "coordinator")),
    "cases:detail": Check(kwargs=CASE),
    "cases:transition": form(
        CHANGE_CASE, kwargs={**CASE, "name": "give_notice"}, note="an officer's step"
    ),
    "cases:reassign": form(CHANGE_CASE, kwargs=CASE, note="coordinator, officer, substitute"),
    "cases:checklist": form(
        everyone(FORBIDDEN),
        get=READ,
        kwargs=CASE,
        note="no one edits the checklist of an active case (checklist_is_editable)",
    ),
    "cases:documents": Check(kwargs=CASE),
    "cases:document_create": form(CHANGE_CASE, kwargs=CASE),
    "cases:registry": Check(kwargs=CASE),
    "cases:document_download": Check(
        kwargs={**CASE, "document_pk": "A.case_document"}, owned=("document_pk",)
    ),
    "registry:list": Check(),
    "registry:export": Check(),
    "notifications:list": Check(),
    "notifications:mark_read": action(
        {**everyone(NOT_FOUND), "officer": OK},
        kwargs={"pk": "notification.officer"},
        note="the officer's own notification; anyone else's is not found",
    ),
    "notifications:mark_all_read": action(everyone()),
    # --- organisations (partners)
    "partners:list": Check(),
    "partners:create": form(CASE_WORK),
    "partners:detail": Check(kwargs=ORG),
    "partners:update": form(CASE_WORK, kwargs=ORG),
    "partners:contact_create": form(CASE_WORK, kwargs=ORG),
    "partners:contact_update": form(
        CASE_WORK, kwargs={**ORG, "contact_pk": "A.contact"}, owned=("contact_pk",)
    ),
    "partners:document_create": form(CASE_WORK, kwargs=ORG),
    "partners:document_download": Check(
        kwargs={**ORG, "document_pk": "A.org_document"}, owned=("document_pk",)
    ),
    "partners:declaration_create": form(CASE_WORK, kwargs=ORG),
    "partners:declaration_pdf(pk)": Check(kwargs=ORG),
    "partners:declaration_pdf(declaration_pk,pk)": Check(
        kwargs={**ORG, "declaration_pk": "A.declaration"}, owned=("declaration_pk",)
    ),
    "partners:declaration_scan": Check(
        kwargs={**ORG, "declaration_pk": "A.declaration"}, owned=("declaration_pk",)
    ),
    "partners:grant_create": form(CASE_WORK, kwargs=ORG),
    "partners:grant_withdraw": form(
        CASE_WORK, kwargs={**ORG, "grant_pk": "A.grant"}, owned=("grant_pk",)
    ),
    # --- the agreement
    "agreements:detail": Check(kwargs=CASE_PK),
    "agreements:start": action(CHANGE_CASE, kwargs=CASE_PK),
    "agreements:submit": action(CHANGE_CASE, kwargs=CASE_PK),
    "agreements:revise": action(CHANGE_CASE, kwargs=CASE_PK),
    "agreements:section": form(CHANGE_CASE, kwargs={**CASE_PK, "key": "goals"}),
    "agreements:terms": form(CHANGE_CASE, kwargs=CASE_PK),
    "agreements:parties": form(CHANGE_CASE, kwargs=CASE_PK),
    "agreements:budget": form(CHANGE_CASE, kwargs=CASE_PK, note="the editor of the draft"),
    "agreements:plan": form(CHANGE_CASE, kwargs=CASE_PK, note="the editor of the draft"),
    "agreements:wording_replace": action(CHANGE_CASE, kwargs={**CASE_PK, "key": "goals"}),
    "agreements:review_queue": Check(get=allow("jurist", "coordinator")),
    "agreements:review": Check(kwargs=CASE_PK, note="every staff role reads; the jurist acts"),
    "agreements:assessment": action(LEGAL, kwargs=CASE_PK),
    "agreements:review_return": action(LEGAL, kwargs=CASE_PK),
    "agreements:review_approve": action(LEGAL, kwargs=CASE_PK),
    "agreements:versions": Check(kwargs=CASE_PK),
    "agreements:version": Check(kwargs={**CASE_PK, "number": 1}),
    "agreements:diff": Check(kwargs=CASE_PK),
    "agreements:signing": form(CHANGE_CASE, get=READ, kwargs=CASE_PK),
    "agreements:pdf": Check(kwargs={**CASE_PK, "number": 1}),
    # --- the committee
    "decisions:matter_prepare": form(CHANGE_CASE, kwargs=CASE_PK),
    "decisions:matter": form(
        CHANGE_CASE, get=READ, kwargs={**CASE_PK, "pk": "A.matter"}, owned=("pk",)
    ),
    "decisions:matter_finalise": action(
        CHANGE_CASE, kwargs={**CASE_PK, "pk": "A.matter"}, owned=("pk",)
    ),
    "decisions:matter_new_version": action(
        CHANGE_CASE, kwargs={**CASE_PK, "pk": "A.matter"}, owned=("pk",)
    ),
    "decisions:preview": Check(kwargs={**CASE_PK, "pk": "A.matter"}, owned=("pk",)),
    "decisions:document": Check(
        kwargs={**CASE_PK, "pk": "A.matter", "document_pk": "A.matter_document"},
        owned=("pk", "document_pk"),
    ),
    "decisions:meetings": Check(),
    "decisions:meeting_new": form(SECRETARY),
    "decisions:meeting": Check(kwargs={"pk": "A.meeting"}),
    "decisions:meeting_edit": form(SECRETARY, kwargs={"pk": "A.meeting"}),
    "decisions:agenda_add": action(SECRETARY, kwargs={"pk": "A.meeting"}),
    "decisions:agenda_move": action(
        SECRETARY, kwargs={"pk": "A.meeting", "item_pk": "A.item"}, owned=("item_pk",)
    ),
    "decisions:agenda_later": action(
        SECRETARY, kwargs={"pk": "A.meeting", "item_pk": "A.item"}, owned=("item_pk",)
    ),
    "decisions:agenda_remove": action(
        SECRETARY, kwargs={"pk": "A.meeting", "item_pk": "A.item"}, owned=("item_pk",)
    ),
    "decisions:package_request": action(SECRETARY, kwargs={"pk": "A.meeting"}),
    "decisions:package_download": Check(
        kwargs={"pk": "A.meeting", "package_pk": "A.package"}, owned=("package_pk",)
    ),
    "decisions:record_decision": form(
        SECRETARY,
        get=READ,
        note="every role sees the matter's page at the meeting; only the secretary gets the form",
        kwargs={"meeting_pk": "A.meeting", "matter_pk": "A.matter"},
    ),
    "decisions:minutes_pdf": Check(kwargs={"meeting_pk": "A.meeting"}),
    "decisions:extract_pdf": Check(kwargs={"decision_pk": "A.decision"}),
    "decisions:case_decisions": Check(kwargs=CASE_PK),
    # --- the follow-up
    "followups:case": Check(kwargs=CASE_PK),
    "followups:check_in_new": form(CHANGE_CASE, kwargs=CASE_PK),
    "followups:check_in": Check(kwargs={**CASE_PK, "pk": "A.check_in"}, owned=("pk",)),
    "followups:check_in_move": form(
        CHANGE_CASE, kwargs={**CASE_PK, "pk": "A.check_in"}, owned=("pk",)
    ),
    "followups:check_in_record(case_pk)": form(CHANGE_CASE, kwargs=CASE_PK),
    "followups:check_in_record(case_pk,pk)": form(
        CHANGE_CASE, kwargs={**CASE_PK, "pk": "A.check_in"}, owned=("pk",)
    ),
    "followups:check_in_cancel": form(
        CHANGE_CASE, kwargs={**CASE_PK, "pk": "A.check_in"}, owned=("pk",)
    ),
    "followups:evaluation_new": form(CHANGE_CASE, kwargs=CASE_PK),
    "followups:deadline_waive": form(
        CHANGE_CASE, kwargs={**CASE_PK, "pk": "A.deadline"}, owned=("pk",)
    ),
    "followups:report_new": form(CHANGE_CASE, kwargs=CASE_PK),
    "followups:report": form(
        CHANGE_CASE, get=READ, kwargs={**CASE_PK, "pk": "A.report"}, owned=("pk",)
    ),
    "followups:report_prepare": action(
        CHANGE_CASE, kwargs={**CASE_PK, "pk": "A.report"}, owned=("pk",)
    ),
    "followups:notice": form(CHANGE_CASE, kwargs=CASE_PK),
    "followups:ending": Check(kwargs=CASE_PK),
    "followups:notice_matter": action(CHANGE_CASE, kwargs=CASE_PK),
    "followups:wind_down": form(CHANGE_CASE, kwargs=CASE_PK),
    "followups:oversight": Check(),
    "followups:oversight_committee": Check(kwargs={"committee_pk": "A.committee"}),
    "followups:calendar": form(READ),
    "followups:calendar_feed": Check(
        kwargs={"token": "token"},
        get=PUBLIC,
        post={**NO_METHOD, "anonymous": NOT_ALLOWED},
        note="the secret token is the credential: no login",
    ),
    "followups:deadline_ics": Check(kwargs={**CASE_PK, "pk": "A.deadline"}, owned=("pk",)),
    "followups:check_in_ics": Check(kwargs={**CASE_PK, "pk": "A.check_in"}, owned=("pk",)),
    "followups:absences": form(allow("officer", "other_officer", "substitute", "coordinator")),
    "followups:absence_end": action(
        {**allow("officer", "coordinator"), "other_officer": NOT_FOUND, "substitute": NOT_FOUND},
        kwargs={"pk": "absence"},
        note="the officer's own absence; the coordinator ends anyone's",
    ),
    # --- the money
    "finance:year_plan": Check(),
    "finance:year_plan_export": Check(kwargs={"year": "this_year", "extension": "csv"}),
    "finance:case_payments": Check(kwargs=CASE_PK),
    "finance:payment_new": form(
        FINANCE, kwargs={**CASE_PK, "body_pk": "A.body", "year": "plan_year", "period": 3}
    ),
    "finance:hold_new": form(
        FINANCE, kwargs={**CASE_PK, "body_pk": "A.body", "year": "plan_year", "period": 3}
    ),
    "finance:payment_correct": form(
        FINANCE, kwargs={**CASE_PK, "payment_pk": "A.payment"}, owned=("payment_pk",)
    ),
    "finance:hold_release": form(
        FINANCE, kwargs={**CASE_PK, "hold_pk": "A.hold"}, owned=("hold_pk",)
    ),
    "finance:terms_edit": form(FINANCE, kwargs={**CASE_PK, "body_pk": "A.body"}),
    # --- oversight
    "oversight:portfolio": Check(),
    "oversight:portfolio_export": Check(kwargs={"table": "skeden"}),
    "oversight:statistics": Check(note="aggregated public figures: every staff role reads"),
    "oversight:statistics_export": Check(kwargs={"year": "this_year", "fmt": "csv"}),
    "oversight:dossier": Check(kwargs=CASE_PK),
    "oversight:dossier_export": action(DOSSIER_EXPORT, kwargs=CASE_PK),
    "oversight:dossier_download": Check(
        get=DOSSIER_EXPORT, kwargs={**CASE_PK, "export_pk": "A.export"}, owned=("export_pk",)
    ),
    "oversight:public_register": Check(
        get=PUBLIC, post=everyone(NOT_ALLOWED, anonymous=NOT_ALLOWED)
    ),
    "oversight:public_register_json": Check(
        get=PUBLIC, post=everyone(NOT_ALLOWED, anonymous=NOT_ALLOWED)
    ),
    "oversight:public_register_csv": Check(
        get=PUBLIC, post=everyone(NOT_ALLOWED, anonymous=NOT_ALLOWED)
    ),
    "oversight:public_register_schema": Check(
        get=PUBLIC, post=everyone(NOT_ALLOWED, anonymous=NOT_ALLOWED)
    ),
    "oversight:public_register_about": Check(
        get=PUBLIC, post=everyone(NOT_ALLOWED, anonymous=NOT_ALLOWED)
    ),
    # --- Django admin's own views (every model's views: the admin test, from roles.py)
    "admin:index": Check(),
    "admin:login": Check(get=PUBLIC, post=PUBLIC),
    "admin:logout": action(everyone()),
    "admin:password_change": form(everyone()),
    "admin:password_change_done": Check(),
    "admin:jsi18n": Check(),
    "admin:app_list": Check(kwargs={"app_label": "iop"}),
    "admin:autocomplete": Check(get=everyone(FORBIDDEN), note="403 without its parameters"),
    "admin/(?P<url>.*)$": Check(
        kwargs={"url": "no-such-page/"},
        get=everyone(NOT_FOUND),
        note="admin's catch-all: unknown admin URLs are 404 for staff, the login for others",
    ),
    "admin:view_on_site": Check(
        kwargs={"content_type_id": "case_type", "object_id": "A.case"},
        note="redirects to the case page, which checks",
    ),
    "admin:iop_case_transition": form(
        CHANGE_CASE, kwargs={"object_id": "A.case", "name": "give_notice"}
    ),
    "admin:auth_user_password_change": form(allow(), kwargs={"id": "A.case.officer"}),
    # --- stored files (partners.files): MEDIA_URL; every staff role reads the documents
    "stored_file": Check(kwargs={"name": "A.org_document.file"}),
}
