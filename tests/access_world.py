"""The small world the access matrix (tests/test_access_matrix.py) runs in: two active
partnerships, A and B, each with every kind of object a URL names, and one user per role.

Case A is handled by ``officer`` (``substitute`` stands in), case B by ``other_officer``: so
``other_officer`` is the case officer on a case they do not handle, and B's objects are the
"another case's id" of the IDOR checks. Built once per module (see the fixture), through the
factories and services where they are cheap, directly where a row is all a URL needs.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.utils import timezone

from agreements.tests.factories import agreement_at
from decisions.constants import MatterKind, PackageStatus
from decisions.models import AgendaItem, Decision, MatterDocument, MeetingPackage
from decisions.tests.factories import final_matter, meeting_of
from finance.models import Payment, PaymentHold
from followups.models import Absence, CalendarToken, CheckIn, Deadline, FollowUpReport
from iop.constants import CaseStatus, Role
from iop.models import Notification
from iop.tests.factories import CaseDocumentFactory, CaseFactory, UserFactory
from oversight.models import DossierExport, ExportStatus
from partners.models import DeclaredGrant, OrganisationDocument, ValueDeclaration
from partners.tests.factories import ContactPersonFactory

# The agreements start on 1 January 2027 (agreements.tests.factories.complete_draft).
PLAN_YEAR = 2027

ROLE_GROUPS = {
    "officer": Role.CASE_OFFICER,
    "other_officer": Role.CASE_OFFICER,
    "substitute": Role.CASE_OFFICER,
    "coordinator": Role.COORDINATOR,
    "jurist": Role.JURIST,
    "secretary": Role.SECRETARY,
    "finance": Role.FINANCE,
    "auditor": Role.AUDITOR,
}
# Every role the matrix asks for, in the order its messages list them.
ROLES = ("anonymous", *ROLE_GROUPS, "admin")


def _users() -> dict:
    users = {}
    for key, role in ROLE_GROUPS.items():
        user = UserFactory(username=f"matrix-{key}", is_staff=True)
        user.groups.add(Group.objects.get(name=role.value))
        users[key] = user
    users["admin"] = UserFactory(username="matrix-admin", is_staff=True, is_superuser=True)
    # A role user who is not staff: Django admin sends them to its login.
    users["nonstaff"] = UserFactory(username="matrix-nonstaff", role=Role.CASE_OFFICER)
    return users


def _side(key: str, officer, substitute, users, meeting) -> dict:
    """One partnership with every object a URL of the case names."""
    case = CaseFactory(status=CaseStatus.DRAFTING, officer=officer, substitute=substitute)
    version = agreement_at(case, "signed", jurist=users["jurist"], secretary=users["secretary"])
    case.refresh_from_db()
    organisation = case.organisations.get()
    decision = Decision.objects.filter(matter__case=case).select_related("matter").first()
    matter = decision.matter
    # A second, final matter on the side's own meeting's agenda (for the agenda's URLs).
    follow_up = final_matter(case, kind=MatterKind.FOLLOW_UP)
    item = AgendaItem.objects.create(meeting=meeting, matter=follow_up, position=50)
    package = MeetingPackage.objects.create(
        meeting=meeting,
        status=PackageStatus.DONE,
        file=ContentFile(b"%PDF-1.4 package", name=f"package-{key}.pdf"),
    )
    matter_document = MatterDocument.objects.filter(matter=matter).first()
    matter_document.file.save(f"matter-{key}.pdf", ContentFile(b"%PDF-1.4 matter"))
    declaration = ValueDeclaration.objects.filter(organisation=organisation).first()
    declaration.scanned_file.save(f"scan-{key}.pdf", ContentFile(b"%PDF-1.4 scan"))
    body = case.public_body
    today = timezone.localdate()
    document = OrganisationDocument.objects.create(
        organisation=organisation,
        kind=OrganisationDocument._meta.get_field("kind").choices[0][0],
        file=ContentFile(b"%PDF-1.4 matrix", name=f"matrix-{key}.pdf"),
        received_on=today,
    )
    return {
        "case": case,
        "version": version,
        "organisation": organisation,
        "contact": ContactPersonFactory(organisation=organisation),
        "org_document": document,
        "declaration": declaration,
        "grant": DeclaredGrant.objects.create(
            organisation=organisation,
            giver="Arvsfonden",
            purpose="Mötesplatser",
            amount=Decimal(10000),
            year=today.year,
            declared_on=today,
        ),
        "case_document": CaseDocumentFactory(case=case),
        "matter": matter,
        "matter_document": matter_document,
        "decision": decision,
        "meeting": meeting,
        "item": item,
        "package": package,
        "check_in": CheckIn.objects.create(
            case=case, starts_at=timezone.now() + datetime.timedelta(days=7)
        ),
        "deadline": Deadline.objects.filter(case=case).first(),
        "report": FollowUpReport.objects.create(case=case),
        "payment": Payment.objects.create(
            case=case,
            public_body=body,
            year=PLAN_YEAR,
            period=1,
            paid_on=today,
            amount=Decimal(1000),
            reference=f"VER-{key}",
            recorded_by=users["finance"],
        ),
        "hold": PaymentHold.objects.create(
            case=case,
            public_body=body,
            year=PLAN_YEAR,
            period=2,
            reason="Årsredovisningen saknas.",
            held_by=users["finance"],
        ),
        "export": DossierExport.objects.create(
            case=case,
            status=ExportStatus.DONE,
            file=ContentFile(b"PK matrix", name=f"akt-{key}.zip"),
        ),
        "body": body,
        "committee": case.committee,
    }


def build_world() -> dict:
    users = _users()
    today = timezone.localdate()
    meeting_a = meeting_of(
        CaseFactory.committee.get_factory()(), date=today, secretary=users["secretary"]
    )
    meeting_b = meeting_of(
        meeting_a.committee, date=today + datetime.timedelta(days=14), secretary=users["secretary"]
    )
    a = _side("a", users["officer"], users["substitute"], users, meeting_a)
    b = _side("b", users["other_officer"], None, users, meeting_b)
    notifications = {
        key: Notification.objects.create(recipient=user, kind="info", text=f"Till {key}")
        for key, user in users.items()
    }
    absence = Absence.objects.create(
        user=users["officer"], starts_on=today, ends_on=today + datetime.timedelta(days=3)
    )
    token = CalendarToken.objects.create(user=users["officer"])
    return {
        "users": users,
        "A": a,
        "B": b,
        "notifications": notifications,
        "absence": absence,
        "token": token,
    }
