"""Demo data: Region Värmland's IOPs as the auditors' 2025 pre-study lists them (DOMAIN.md §9).

The public body, the two committees and the names of the nine partner organisations are real.
Everything else is invented for the demo: organisation numbers, addresses, e-mail addresses,
phone numbers, people, dates, and the texts describing each partnership (they are plausible,
not the content of the real agreements). Two further organisations are invented outright.

Idempotent: what exists is left alone (users keep a password they changed), what is missing
is created, so a second run changes nothing. Cases are created and moved only through
``iop.services``, as the demo user whose role takes each step, so each case's timeline is
real; the command then dates every step back to when it happened in the story.

Every case from drafting on has its agreement, written, reviewed and signed through
``agreements.services`` as the story goes (see ``_demo_agreements``): a draft in progress with
wording left to fix, one in the jurist's queue, one approved awaiting the committee, one in
signing with the region's signature, active ones with their signed versions, and a
renegotiated one with two. A database loaded before agreements existed keeps its cases as
they are (nothing is added to an existing case); reset the database to get the agreements.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser, Group
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, models, transaction
from django.db.models import Model
from django.utils import timezone

from agreements import services as agreement_services
from agreements.constants import SectionKey, SigningMethod
from iop.constants import Criterion, LegalForm, PublicBodyKind, Role
from iop.models import Case, CaseEvent, Checklist, Committee, PublicBody
from iop.services import case_register, case_transition, checklist_answer
from partners.models import ContactPerson, Organisation, ValueDeclaration

from ._demo_agreements import AFTER_RETURN, AGREEMENTS, RENEGOTIATED, assess, write_version

User = get_user_model()

DEMO_PASSWORD = "iop-demo-2026"


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    role: Role | None  # None: a superuser (admin)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def email(self) -> str:
        # .example is reserved (RFC 2606): a demo e-mail can never reach a real person.
        return f"{self.username}@regionvarmland.example"

    @property
    def role_label(self) -> str:
        return self.role.value if self.role else "superuser"


DEMO_USERS = (
    DemoUser("anna", "Anna", "Lindqvist", Role.CASE_OFFICER),
    DemoUser("johan", "Johan", "Persson", Role.CASE_OFFICER),
    DemoUser("karin", "Karin", "Berg", Role.COORDINATOR),
    DemoUser("erik", "Erik", "Nilsson", Role.JURIST),
    DemoUser("lena", "Lena", "Holm", Role.SECRETARY),
    DemoUser("omar", "Omar", "Haddad", Role.FINANCE),
    DemoUser("maria", "Maria", "Ek", Role.AUDITOR),
    DemoUser("admin", "Systemadministratör", "", None),
)


@dataclass(frozen=True)
class DemoOrganisation:
    key: str
    name: str
    # Fictitious numbers in the 802 series (non-profit associations) with a valid Luhn check
    # digit (partners.validators.luhn_check_digit). They are not the organisations' real numbers.
    org_number: str
    street_address: str
    postal_code: str
    city: str
    email: str
    # 070-174 06 05 – 070-174 06 99 is a range the Swedish Post and Telecom Authority (PTS)
    # reserves for fiction: no demo number can ring a real phone.
    phone: str
    member_count: int
    contact_name: str
    contact_title: str
    contact_phone: str
    legal_form: str = LegalForm.NON_PROFIT_ASSOCIATION

    @property
    def contact_email(self) -> str:
        first, last = self.contact_name.lower().split(" ", 1)
        domain = self.email.split("@", 1)[1]
        return f"{first}.{last}@{domain}".translate(str.maketrans("åäöé ", "aaoe-"))


ORGANISATIONS = (
    DemoOrganisation(
        key="fritidsbanken",
        name="Fritidsbanken Värmland",
        org_number="8024031174",
        street_address="Verkstadsgatan 8",
        postal_code="652 19",
        city="Karlstad",
        email="info@fritidsbanken-varmland.example",
        phone="070-174 06 10",
        member_count=35,
        contact_name="Lars Öberg",
        contact_title="Ordförande",
        contact_phone="070-174 06 40",
    ),
    DemoOrganisation(
        key="ideburna",
        name="Värmlands Idéburna",
        org_number="8024184528",
        street_address="Västra Torggatan 22",
        postal_code="652 24",
        city="Karlstad",
        email="kansli@varmlandsideburna.example",
        phone="070-174 06 11",
        member_count=68,
        contact_name="Eva Gustafsson",
        contact_title="Verksamhetsledare",
        contact_phone="070-174 06 41",
    ),
    DemoOrganisation(
        key="suicidezero",
        name="Suicide Zero",
        org_number="8024972633",
        street_address="Kungsgatan 5",
        postal_code="652 24",
        city="Karlstad",
        email="varmland@suicidezero.example",
        phone="070-174 06 12",
        member_count=1850,
        contact_name="Jonas Ahlgren",
        contact_title="Regional samordnare",
        contact_phone="070-174 06 42",
    ),
    DemoOrganisation(
        key="brottsofferjouren",
        name="Brottsofferjouren Värmland",
        org_number="8024364187",
        street_address="Järnvägsgatan 3",
        postal_code="652 25",
        city="Karlstad",
        email="varmland@brottsofferjouren.example",
        phone="070-174 06 13",
        member_count=140,
        contact_name="Sara Lundberg",
        contact_title="Sekreterare",
        contact_phone="070-174 06 43",
    ),
    DemoOrganisation(
        key="funktionsratt",
        name="Funktionsrätt Värmland",
        org_number="8024220793",
        street_address="Hamngatan 14",
        postal_code="652 24",
        city="Karlstad",
        email="kansli@funktionsrattvarmland.example",
        phone="070-174 06 14",
        member_count=31,
        contact_name="Peter Sjöberg",
        contact_title="Ordförande",
        contact_phone="070-174 06 44",
    ),
    DemoOrganisation(
        key="agera",
        name="Agera Värmland",
        org_number="8024503354",
        street_address="Sandbäcksgatan 4",
        postal_code="653 40",
        city="Karlstad",
        email="info@ageravarmland.example",
        phone="070-174 06 15",
        member_count=420,
        contact_name="Amina Yusuf",
        contact_title="Verksamhetsledare",
        contact_phone="070-174 06 45",
    ),
    DemoOrganisation(
        key="ebl",
        name="EBL-skolan",
        org_number="8024715263",
        street_address="Storgatan 31",
        postal_code="671 31",
        city="Arvika",
        email="info@ebl-skolan.example",
        phone="070-174 06 16",
        member_count=85,
        contact_name="Mikael Dahl",
        contact_title="Verksamhetsansvarig",
        contact_phone="070-174 06 46",
    ),
    DemoOrganisation(
        key="frykcenter",
        name="Frykcenter",
        org_number="8024288931",
        street_address="Kyrkogatan 9",
        postal_code="686 31",
        city="Sunne",
        email="info@frykcenter.example",
        phone="070-174 06 17",
        member_count=190,
        contact_name="Birgitta Svensson",
        contact_title="Ordförande",
        contact_phone="070-174 06 47",
    ),
    DemoOrganisation(
        key="afasi",
        name="Afasiföreningen i Värmland",
        org_number="8024556048",
        street_address="Rudsvägen 2",
        postal_code="652 27",
        city="Karlstad",
        email="info@afasi-varmland.example",
        phone="070-174 06 18",
        member_count=260,
        contact_name="Gunnar Karlsson",
        contact_title="Ordförande",
        contact_phone="070-174 06 48",
    ),
    # Fictitious: a study association that has applied and is in preparation.
    DemoOrganisation(
        key="bildning",
        name="Bildningsförbundet Klarälvdalen",
        org_number="8025167423",
        street_address="Klarälvsvägen 12",
        postal_code="685 33",
        city="Torsby",
        email="kansli@bildningklaralvdalen.example",
        phone="070-174 06 19",
        member_count=12,
        contact_name="Ingrid Backlund",
        contact_title="Verksamhetschef",
        contact_phone="070-174 06 49",
    ),
    # Fictitious: a youth association that has applied and is in preparation.
    DemoOrganisation(
        key="ungaroster",
        name="Unga Röster Värmland",
        org_number="8025209316",
        street_address="Storgatan 18",
        postal_code="681 30",
        city="Kristinehamn",
        email="info@ungaroster.example",
        phone="070-174 06 20",
        member_count=160,
        contact_name="Elin Nyström",
        contact_title="Ordförande",
        contact_phone="070-174 06 50",
    ),
    # Fictitious: a reading association whose agreement is being drafted.
    DemoOrganisation(
        key="lasandebygd",
        name="Föreningen Läsande bygd",
        org_number="8025364186",
        street_address="Kyrkogatan 6",
        postal_code="671 31",
        city="Arvika",
        email="info@lasandebygd.example",
        phone="070-174 06 21",
        member_count=48,
        contact_name="Sofia Wikström",
        contact_title="Ordförande",
        contact_phone="070-174 06 51",
    ),
    # Fictitious: a touring culture bus whose agreement is being signed.
    DemoOrganisation(
        key="kulturbussen",
        name="Kulturbussen Norra Värmland",
        org_number="8025411722",
        street_address="Djäknegatan 3",
        postal_code="683 30",
        city="Hagfors",
        email="info@kulturbussen.example",
        phone="070-174 06 22",
        member_count=75,
        contact_name="Tomas Engström",
        contact_title="Ordförande",
        contact_phone="070-174 06 52",
    ),
)

OFFICER = "officer"  # a step taken by the case's officer


# Not a transition: a party's signature that leaves others still to sign.
SIGNATURE = "record_signature"


@dataclass(frozen=True)
class Step:
    transition: str  # a transition of Case, or SIGNATURE
    actor: str  # OFFICER or a demo username
    on: datetime.date
    note: str = ""
    comments: tuple[tuple[str, str], ...] = ()  # the jurist's, per heading ("" = the whole)


@dataclass(frozen=True)
class DemoCase:
    organisation: str
    committee: str
    officer: str
    substitute: str
    title: str
    societal_challenge: str
    idea_description: str
    received_on: datetime.date
    steps: tuple[Step, ...]
    plan: str  # the political programme the partnership realises (criterion rv5)
    registered_by: str = OFFICER
    checklist: dict[str, tuple[bool | None, str]] = field(default_factory=dict)
    checklist_questions: dict[str, str] = field(default_factory=dict)


def d(value: str) -> datetime.date:
    return datetime.date.fromisoformat(value)


def _decision_note(committee: str, on: str, paragraph: int, text: str) -> str:
    return f"{committee} {on}, § {paragraph}: {text}"


def lifecycle(
    *,
    committee: str,
    preparation: str,
    drafting: str | None = None,
    review: str | None = None,
    returned: tuple[str, tuple[tuple[str, str], ...], str, str] | None = None,
    approved: str | None = None,
    decided: str | None = None,
    paragraph: int | None = None,
    first_signed: str | None = None,
    signed: str | None = None,
) -> tuple[Step, ...]:
    """The steps from a received initiative towards an active partnership, as far as dates
    are given. ``returned`` is (returned on, the jurist's comments per heading, her overall
    comment, resubmitted on) when the jurist sent the draft back once; ``first_signed`` the day the region signed when
    the organisation has not yet."""
    steps = [
        Step(
            "start_preparation",
            OFFICER,
            d(preparation),
            "Första mötet med organisationen hållet; checklistan och kontrollen av "
            "organisationen påbörjas.",
        )
    ]
    if drafting:
        steps.append(
            Step(
                "start_drafting",
                OFFICER,
                d(drafting),
                "Alla kriterier i checklistan är uppfyllda och värdegrundsintyget är "
                "undertecknat. Överenskommelse och handlingsplan tas fram tillsammans med "
                "organisationen.",
            )
        )
    if review:
        steps.append(
            Step(
                "submit_for_legal_review",
                OFFICER,
                d(review),
                "Utkast till överenskommelse, handlingsplan och budget skickat för "
                "juristgranskning.",
            )
        )
    if returned:
        returned_on, comments, note, resubmitted = returned
        steps += [
            Step("return_to_drafting", "erik", d(returned_on), note, comments),
            Step(
                "submit_for_legal_review",
                OFFICER,
                d(resubmitted),
                "Överenskommelsen reviderad efter juristens synpunkter och skickad på nytt.",
            ),
        ]
    if approved:
        steps.append(
            Step(
                "approve_legal_review",
                "erik",
                d(approved),
                "Samlad bedömning: ett partnerskap på organisationens initiativ, inte ett "
                "offentligt kontrakt. Förenligt med kommunallagen och EU:s statsstödsregler. "
                "Godkänns.",
            )
        )
    if decided:
        steps.append(
            Step(
                "record_approval",
                "lena",
                d(decided),
                _decision_note(
                    committee,
                    decided,
                    paragraph,
                    "Överenskommelsen om idéburet offentligt partnerskap godkänns.",
                ),
            )
        )
    if first_signed:
        steps.append(Step(SIGNATURE, OFFICER, d(first_signed)))
    if signed:
        steps.append(
            Step(
                "activate",
                OFFICER,
                d(signed),
                "Överenskommelsen är undertecknad av båda parter. Partnerskapet gäller tills "
                "vidare med revidering vartannat år.",
            )
        )
    return tuple(steps)


KBN = "Kultur- och bildningsnämnden"
HSN = "Hälso- och sjukvårdsnämnden"

CASES = (
    # --- Hälso- och sjukvårdsnämnden: three IOPs, active since 2022–2023. ---
    DemoCase(
        organisation="ebl",
        committee="HSN",
        officer="anna",
        substitute="johan",
        title="EBL-skolan – utbildning av stödpersoner med egen erfarenhet av psykisk ohälsa",
        societal_challenge=(
            "Personer med psykisk ohälsa upplever ofta att vården inte tar tillvara deras egna "
            "erfarenheter, och återhämtningen tar längre tid när stödet enbart är professionellt. "
            "Det saknas utbildade personer med egen erfarenhet som kan arbeta som stödpersoner i "
            "och vid sidan av vården."
        ),
        idea_description=(
            "EBL-skolan utbildar personer med egen erfarenhet av psykisk ohälsa till "
            "stödpersoner (peer support) genom erfarenhetsbaserat lärande. Partnerskapet ger "
            "regionens psykiatriska verksamheter tillgång till erfarenhetskunskap och deltagarna "
            "en väg tillbaka till studier och arbete. Organisationen bidrar med utbildare, "
            "lokaler och ideellt arbete, regionen med handledning och medfinansiering."
        ),
        received_on=d("2022-01-24"),
        plan="Regionplan för psykisk hälsa och Folkhälsoplanen för Värmland",
        steps=lifecycle(
            committee=HSN,
            preparation="2022-02-14",
            drafting="2022-04-04",
            review="2022-05-16",
            approved="2022-06-02",
            decided="2022-06-21",
            paragraph=94,
            signed="2022-08-29",
        ),
    ),
    DemoCase(
        organisation="frykcenter",
        committee="HSN",
        officer="anna",
        substitute="johan",
        title="Frykcenter – mötesplats och rehabilitering i Fryksdalen",
        societal_challenge=(
            "I norra Värmland är avstånden till specialiserad rehabilitering långa, och många med "
            "långvarig smärta eller utmattning blir isolerade när behandlingen är avslutad. Det "
            "leder till upprepade vårdkontakter och längre sjukskrivningar."
        ),
        idea_description=(
            "Frykcenter driver en ideell mötesplats i Sunne med anpassad träning, samtalsgrupper "
            "och stöd i vardagen. Partnerskapet ska knyta verksamheten närmare vårdcentralerna i "
            "Fryksdalen, så att patienter kan slussas vidare till ett långsiktigt stöd efter "
            "vården."
        ),
        received_on=d("2022-09-05"),
        plan="Folkhälsoplanen för Värmland och Nära vård i Värmland",
        steps=lifecycle(
            committee=HSN,
            preparation="2022-09-26",
            drafting="2022-11-14",
            review="2023-01-16",
            approved="2023-02-06",
            decided="2023-03-14",
            paragraph=37,
            signed="2023-04-03",
        ),
    ),
    DemoCase(
        organisation="afasi",
        committee="HSN",
        officer="johan",
        substitute="anna",
        title="Afasiföreningen – samtalsgrupper och kommunikationsstöd för personer med afasi",
        societal_challenge=(
            "Varje år drabbas flera hundra värmlänningar av stroke, och många får afasi som gör "
            "det svårt att tala, läsa och skriva. När rehabiliteringen är avslutad riskerar både "
            "de och deras anhöriga att bli isolerade."
        ),
        idea_description=(
            "Afasiföreningen i Värmland vill driva samtalsgrupper, kommunikationsträning och "
            "anhörigträffar på flera orter i länet, i nära samarbete med regionens logopeder. "
            "Föreningens medlemmar bidrar med egen erfarenhet och ideellt arbete, regionen med "
            "lokaler, handledning och medfinansiering."
        ),
        received_on=d("2023-01-30"),
        plan="Folkhälsoplanen för Värmland och regionens strokeprogram",
        steps=lifecycle(
            committee=HSN,
            preparation="2023-02-20",
            drafting="2023-04-11",
            review="2023-05-22",
            returned=(
                "2023-06-12",
                (
                    (
                        SectionKey.ECONOMY,
                        "Avsnittet om ekonomi talar om ersättning och fakturering; skriv "
                        "utbetalning och samfinansiering.",
                    ),
                    (
                        SectionKey.TERMINATION,
                        "Stryk klausulen om vite vid utebliven verksamhet; ersätt med "
                        "återbetalning om medlen inte används som avsett.",
                    ),
                ),
                "Överenskommelsen är i grunden ett partnerskap, men ekonomi och avslut är "
                "skrivna som ett köp. Se kommentarerna under de två rubrikerna.",
                "2023-08-14",
            ),
            approved="2023-08-28",
            decided="2023-09-19",
            paragraph=121,
            signed="2023-10-02",
        ),
    ),
    # --- Kultur- och bildningsnämnden. ---
    DemoCase(
        organisation="fritidsbanken",
        committee="KBN",
        officer="anna",
        substitute="johan",
        title="Fritidsbanken – fritidsutrustning att låna gratis i hela Värmland",
        societal_challenge=(
            "Många barn och unga i Värmland avstår från idrott och friluftsliv för att familjen "
            "inte har råd med utrustning. Skillnaderna i fysisk aktivitet mellan barn i familjer "
            "med låga och höga inkomster ökar, och med dem skillnaderna i hälsa."
        ),
        idea_description=(
            "Fritidsbanken lånar ut sport- och fritidsutrustning gratis, ungefär som ett "
            "bibliotek, och tar emot begagnad utrustning från allmänheten. Partnerskapet ska göra "
            "det möjligt att öppna fler utlåningsställen i länets kommuner och nå familjer som i "
            "dag inte känner till verksamheten. Organisationen bidrar med volontärer, lokaler och "
            "sitt nationella nätverk."
        ),
        received_on=d("2021-02-15"),
        plan="Värmlandsstrategin och Folkhälsoplanen för Värmland",
        steps=lifecycle(
            committee=KBN,
            preparation="2021-03-08",
            drafting="2021-05-03",
            review="2021-06-07",
            approved="2021-06-21",
            decided="2021-09-22",
            paragraph=87,
            signed="2021-10-04",
        ),
    ),
    DemoCase(
        organisation="ideburna",
        committee="KBN",
        officer="anna",
        substitute="johan",
        title="Värmlands Idéburna – stödstruktur för den idéburna sektorn i Värmland",
        societal_challenge=(
            "Idéburna organisationer i Värmland har svårt att samverka med regionen på lika "
            "villkor, och särskilt små föreningar saknar resurser att delta i dialog och "
            "utvecklingsarbete. Det försvagar civilsamhällets möjlighet att bidra till demokrati "
            "och välfärd i länet."
        ),
        idea_description=(
            "Värmlands Idéburna samlar föreningar från hela länet och vill bygga en gemensam "
            "stödstruktur med rådgivning, kompetensutveckling och en samlad röst i dialogen med "
            "Region Värmland. Partnerskapet ska förverkliga Överenskommelsen Värmland och ge "
            "Rådet för idéburna organisationer ett fungerande kansli."
        ),
        received_on=d("2021-04-12"),
        plan="Överenskommelsen Värmland och Värmlandsstrategin",
        steps=lifecycle(
            committee=KBN,
            preparation="2021-05-10",
            drafting="2021-08-23",
            review="2021-10-04",
            approved="2021-10-25",
            decided="2021-12-08",
            paragraph=131,
            signed="2022-01-10",
        )
        + (
            Step(
                "start_renegotiation",
                "lena",
                d("2023-11-29"),
                _decision_note(
                    KBN,
                    "2023-11-29",
                    118,
                    "1. Uppföljningen av IOP mellan Region Värmland och Värmlands Idéburna "
                    "godkänns. 2. Överenskommelsen omförhandlas med utökat uppdrag för "
                    "kompetensutveckling.",
                ),
            ),
            Step(
                "complete_renegotiation",
                OFFICER,
                d("2024-03-04"),
                "Den reviderade överenskommelsen är undertecknad av parterna.",
            ),
        ),
    ),
    DemoCase(
        organisation="funktionsratt",
        committee="KBN",
        officer="anna",
        substitute="johan",
        title="Funktionsrätt Värmland – delaktighet i kultur- och bildningslivet",
        societal_challenge=(
            "Personer med funktionsnedsättning deltar i kultur-, bildnings- och föreningsliv i "
            "lägre grad än andra, och deras erfarenheter tas sällan tillvara när regionen planerar "
            "sin verksamhet. Många möter hinder i form av otillgängliga lokaler, information och "
            "aktiviteter."
        ),
        idea_description=(
            "Funktionsrätt Värmland samordnar ett trettiotal medlemsförbund och vill tillsammans "
            "med regionen driva ett program för tillgänglighet och delaktighet. Organisationen "
            "bidrar med erfarenhetskunskap, utbildade tillgänglighetsombud och ideellt arbete, "
            "regionen med medfinansiering, lokaler och samordning."
        ),
        received_on=d("2021-09-06"),
        plan="Regional kulturplan för Värmland och Värmlandsstrategin",
        steps=lifecycle(
            committee=KBN,
            preparation="2021-09-27",
            drafting="2021-12-06",
            review="2022-02-07",
            approved="2022-02-28",
            decided="2022-04-20",
            paragraph=41,
            signed="2022-05-02",
        )
        + (
            Step(
                "start_renegotiation",
                "lena",
                d("2025-02-19"),
                _decision_note(
                    KBN,
                    "2025-02-19",
                    19,
                    "Idéburet offentligt partnerskap (IOP) mellan Region Värmland och "
                    "Funktionsrätt Värmland utökas med 200 000 kronor per helår med start från "
                    "1 juni 2025. Överenskommelsen revideras därefter av parterna.",
                ),
            ),
        ),
    ),
    DemoCase(
        organisation="agera",
        committee="KBN",
        officer="anna",
        substitute="johan",
        title="Agera Värmland – vägar in i föreningslivet för nyanlända",
        societal_challenge=(
            "Nyanlända kvinnor och unga i Värmland står ofta utanför föreningsliv, studier och "
            "arbetsliv, vilket ökar risken för utanförskap och psykisk ohälsa. Befintliga insatser "
            "når sällan de grupper som har längst till samhällets ordinarie verksamheter."
        ),
        idea_description=(
            "Agera Värmland vill driva mötesplatser, studiecirklar och språkcaféer där nyanlända "
            "och etablerade värmlänningar möts, med särskilt fokus på kvinnor och unga. "
            "Organisationens volontärer och förtroende i målgruppen kombineras med regionens "
            "kunskap om bildning och folkhälsa."
        ),
        received_on=d("2022-10-17"),
        plan="Värmlandsstrategin och Folkhälsoplanen för Värmland",
        steps=lifecycle(
            committee=KBN,
            preparation="2022-11-07",
            drafting="2023-02-13",
            review="2023-04-03",
            approved="2023-04-24",
            decided="2023-06-14",
            paragraph=66,
            signed="2023-07-03",
        ),
    ),
    DemoCase(
        organisation="brottsofferjouren",
        committee="KBN",
        officer="anna",
        substitute="johan",
        title="Brottsofferjouren Värmland – stöd till brottsutsatta, vittnen och anhöriga",
        societal_challenge=(
            "Den som utsatts för eller bevittnat ett brott får ofta inte det stöd som behövs för "
            "att återhämta sig och orka medverka i rättsprocessen. Otrygghet och bristande stöd "
            "påverkar både den enskildes hälsa och tilliten till samhället."
        ),
        idea_description=(
            "Brottsofferjouren Värmland erbjuder kostnadsfritt och konfidentiellt stöd av "
            "utbildade ideella stödpersoner till brottsutsatta, vittnen och anhöriga i hela "
            "länet. Partnerskapet ska utveckla stödet till unga brottsutsatta och sprida kunskap "
            "om brottsofferfrågor i skolor, folkhögskolor och föreningsliv."
        ),
        received_on=d("2025-01-20"),
        plan="Värmlandsstrategin och regionens handlingsplan mot våld i nära relationer",
        steps=lifecycle(
            committee=KBN,
            preparation="2025-02-10",
            drafting="2025-05-05",
            review="2025-10-06",
            approved="2025-11-17",
        ),  # approved by the jurist; on the agenda of the committee's next meeting
    ),
    DemoCase(
        organisation="suicidezero",
        committee="KBN",
        officer="anna",
        substitute="johan",
        title="Suicide Zero – kunskap om psykisk hälsa och suicidprevention i föreningslivet",
        societal_challenge=(
            "Suicid är en av de vanligaste dödsorsakerna bland unga vuxna, även i Värmland. "
            "Kunskapen om tidiga tecken och om var man kan söka hjälp är låg, särskilt bland "
            "ledare i idrotts- och föreningslivet som möter många unga."
        ),
        idea_description=(
            "Suicide Zero vill tillsammans med regionen utbilda ledare i föreningslivet, "
            "studieförbunden och folkhögskolorna i att uppmärksamma psykisk ohälsa och våga "
            "fråga. Insatsen bygger på organisationens utbildningsmaterial och nationella "
            "erfarenhet och ska ge varaktiga strukturer i länet."
        ),
        received_on=d("2025-02-24"),
        plan="Folkhälsoplanen för Värmland och regionens handlingsplan för suicidprevention",
        steps=lifecycle(
            committee=KBN,
            preparation="2025-03-17",
            drafting="2025-06-02",
            review="2025-10-13",
            returned=(
                "2025-11-03",
                (
                    (
                        SectionKey.COMMITMENTS,
                        "Insatser och åtaganden reglerar i detalj hur utbildningarna ska "
                        "genomföras; beskriv syfte och mål i stället.",
                    ),
                    (
                        SectionKey.ECONOMY,
                        "Budgeten ska visa organisationens ideella insats omräknad till kronor.",
                    ),
                ),
                "Som utkastet är skrivet liknar det en beställning av utbildningar. Se "
                "kommentarerna under de två rubrikerna.",
                "2025-12-01",
            ),
        ),  # resubmitted after the jurist's two comments: with the jurist again
    ),
    # --- Two invented partnerships further on: one drafted, one being signed. ---
    DemoCase(
        organisation="lasandebygd",
        committee="KBN",
        officer="johan",
        substitute="anna",
        title="Läsande bygd – läsestunder för barn på landsbygden i västra Värmland",
        societal_challenge=(
            "Barn på landsbygden i västra Värmland läser mindre på fritiden än barn i tätorterna, "
            "och avstånden till biblioteken är långa. Läsförmågan påverkar både skolresultat och "
            "möjligheten att delta i samhället."
        ),
        idea_description=(
            "Föreningen Läsande bygd vill ordna läsestunder i bygdegårdarna med frivilliga "
            "läsombud, i samarbete med regionens bibliotekskonsulenter och folkbiblioteken."
        ),
        received_on=d("2025-03-24"),
        plan="Regional biblioteksplan för Värmland",
        steps=lifecycle(committee=KBN, preparation="2025-04-14", drafting="2025-09-22"),
    ),  # the draft is being written; its economy heading still speaks of «ersättning»
    DemoCase(
        organisation="kulturbussen",
        committee="KBN",
        officer="anna",
        substitute="johan",
        title="Kulturbussen – scenkonst och boklån på turné i norra Värmland",
        societal_challenge=(
            "I norra Värmlands glesbygd är det långt till scener och bibliotek, och många, "
            "särskilt barn och äldre, tar sällan del av kulturlivet."
        ),
        idea_description=(
            "Kulturbussen Norra Värmland har byggt om en buss till scen och bibliotek och vill "
            "turnera i glesbygden med regionens scenkonst och folkbibliotekens böcker."
        ),
        received_on=d("2024-10-07"),
        plan="Regional kulturplan för Värmland",
        steps=lifecycle(
            committee=KBN,
            preparation="2024-11-04",
            drafting="2025-01-20",
            review="2025-08-18",
            approved="2025-09-08",
            decided="2025-10-22",
            paragraph=92,
            first_signed="2025-11-05",
        ),  # the region has signed; the association's board signs at its next meeting
    ),
    # --- Two initiatives in preparation (invented organisations, see ORGANISATIONS). ---
    DemoCase(
        organisation="bildning",
        committee="KBN",
        officer="anna",
        substitute="johan",
        title="Digital delaktighet för äldre i norra Värmland",
        societal_challenge=(
            "Många äldre i glesbygden i norra Värmland saknar vana och stöd att använda digitala "
            "tjänster, och riskerar att stängas ute från vård, bank och kultur när allt fler "
            "tjänster blir digitala. Avstånden gör det svårt att nå dem med ordinarie "
            "kursverksamhet."
        ),
        idea_description=(
            "Bildningsförbundet Klarälvdalen vill starta digitala träffpunkter i bygdegårdar och "
            "bibliotek, där äldre får hjälp av frivilliga handledare. Partnerskapet ska samordna "
            "insatsen med regionens biblioteksverksamhet och vårdens digitala tjänster."
        ),
        received_on=d("2025-09-08"),
        plan="Regional biblioteksplan och Värmlandsstrategin",
        steps=lifecycle(committee=KBN, preparation="2025-10-06"),
        checklist={
            "rv1": (True, "Initiativet kom från förbundet vid dialogmötet i september."),
            "rv2": (True, "Förbundet får organisationsbidrag; detta är en separat insats."),
            "rv3": (True, ""),
            "rv4": (True, "Biblioteken ser samma behov i sina låneärenden."),
            "rv5": (True, "Regional biblioteksplan, avsnittet om digital delaktighet."),
            "rv6": (None, "Upphandlingsenheten är tillfrågad; svar väntas i november."),
            "rv8": (True, "Förbundet bidrar med handledare och lokaler i bygdegårdarna."),
        },
        checklist_questions={
            "why_cooperate": (
                "Förbundet når äldre i glesbygden som regionens bibliotek inte når, och "
                "biblioteken har kunskapen om de digitala tjänsterna."
            ),
            "societal_challenge": "Digitalt utanförskap bland äldre i glesbygd.",
        },
    ),
    DemoCase(
        organisation="ungaroster",
        committee="KBN",
        officer="anna",
        substitute="johan",
        registered_by="karin",  # the coordinator registers it and gives it to Anna
        title="Unga Röster – ungas inflytande i Värmlands kulturliv",
        societal_challenge=(
            "Unga i Värmland, särskilt på landsbygden och i socioekonomiskt utsatta områden, har "
            "små möjligheter att påverka kulturutbudet och deltar sällan i regionens dialoger. Det "
            "minskar både deras delaktighet och kulturverksamheternas betydelse för unga."
        ),
        idea_description=(
            "Unga Röster Värmland drivs av unga mellan 13 och 25 år och vill bygga ett nätverk av "
            "unga kulturambassadörer i länets kommuner. Ambassadörerna arrangerar egna evenemang "
            "och ger råd till regionens kulturverksamheter, med stöd av föreningens ledare och "
            "regionens kulturkonsulenter."
        ),
        received_on=d("2025-11-10"),
        plan="Regional kulturplan för Värmland",
        steps=lifecycle(committee=KBN, preparation="2025-12-01"),
    ),
)

# The time of day each demo user takes a step, so a timeline reads like a working day.
_TIME_OF_DAY = {
    "karin": datetime.time(9, 5),
    "erik": datetime.time(14, 20),
    "lena": datetime.time(16, 10),
}
_DEFAULT_TIME = datetime.time(10, 30)


def _moment(on: datetime.date, username: str = "") -> datetime.datetime:
    time_of_day = _TIME_OF_DAY.get(username, _DEFAULT_TIME)
    return timezone.make_aware(datetime.datetime.combine(on, time_of_day))


@cache
def _history_models() -> tuple[type[Model], ...]:
    return tuple(
        model
        for model in apps.get_models()
        if model._meta.app_label in ("iop", "partners")
        and any(f.name == "history_date" for f in model._meta.get_fields())
    )


@cache
def _agreement_timestamps() -> tuple[tuple[type[Model], str], ...]:
    """Every date-and-time column of the agreements' tables, their history included."""
    return tuple(
        (model, f.name)
        for model in apps.get_app_config("agreements").get_models()
        for f in model._meta.concrete_fields
        if isinstance(f, models.DateTimeField)
    )


# When this run of the command started: a moment in an agreement's row at or after it was
# written by this run and is dated back to the story.
_run_started: list[datetime.datetime] = []


def _last_pks(models: tuple[type[Model], ...]) -> tuple[int, ...]:
    """The highest primary key of each model's table, in one query."""
    quote = connection.ops.quote_name
    columns = ", ".join(
        f"(SELECT MAX({quote(m._meta.pk.column)}) FROM {quote(m._meta.db_table)})" for m in models
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns}")
        return tuple(pk or 0 for pk in cursor.fetchone())


@contextmanager
def _happened_at(when: datetime.datetime) -> Iterator[None]:
    """Date what the services write inside the block (case events, history rows) back to
    ``when``, the day it happened in the story."""
    tables = (CaseEvent, *_history_models())
    before = _last_pks(tables)
    yield
    after = _last_pks(tables)
    for model, old, new in zip(tables, before, after, strict=True):
        if new != old:
            date_field = "at" if model is CaseEvent else "history_date"
            model.objects.filter(pk__gt=old).update(**{date_field: when})
    # The agreements' rows are also changed in place (a version submitted, a party signed):
    # whatever this run wrote is dated back.
    for model, name in _agreement_timestamps():
        model.objects.filter(**{f"{name}__gte": _run_started[-1]}).update(**{name: when})


class Command(BaseCommand):
    help = (
        "Create Region Värmland's demo data: two committees, eleven organisations and their "
        "IOP cases, one user per role. Idempotent: only what is missing is created."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Run even though DEBUG is off. The demo users share a published password.",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["allow_production"]:
            raise CommandError(
                "DEBUG is off, so this may be production, and the demo users share a published "
                "password. Pass --allow-production if you really mean it."
            )
        self.created: dict[str, int] = {}
        _run_started.append(timezone.now())
        with transaction.atomic():
            self.users = self.ensure_users()
            committees = self.ensure_committees()
            for demo in sorted(CASES, key=lambda c: c.received_on):
                self.ensure_case(demo, committees[demo.committee])

        if self.created:
            summary = ", ".join(f"{what}: {n}" for what, n in self.created.items())
            self.stdout.write(self.style.SUCCESS(f"Demo data created: {summary}."))
        else:
            self.stdout.write("Demo data already present: nothing changed.")
        self.stdout.write(logins_table())

    def _count(self, what: str) -> None:
        self.created[what] = self.created.get(what, 0) + 1

    # --- Users ---------------------------------------------------------------------------

    def ensure_users(self) -> dict[str, AbstractUser]:
        users = {}
        for demo in DEMO_USERS:
            user = User.objects.filter(username=demo.username).first()
            if user is None:
                fields = {
                    "email": demo.email,
                    "password": DEMO_PASSWORD,
                    "first_name": demo.first_name,
                    "last_name": demo.last_name,
                }
                if demo.role is None:
                    user = User.objects.create_superuser(demo.username, **fields)
                else:
                    # Staff until the web UI lands: the role users work in Django admin.
                    user = User.objects.create_user(demo.username, is_staff=True, **fields)
                    user.groups.add(Group.objects.get(name=demo.role.value))
                self._count("users")
            users[demo.username] = user
        return users

    # --- Region Värmland and its committees ----------------------------------------------

    def ensure_committees(self) -> dict[str, Committee]:
        region = PublicBody.objects.filter(short_code="RV").first()
        if region is None:
            region = PublicBody.objects.create(
                name="Region Värmland", short_code="RV", kind=PublicBodyKind.REGION
            )
            self._count("public bodies")
        committees = {}
        for code, name in (("KBN", KBN), ("HSN", HSN)):
            committee = Committee.objects.filter(public_body=region, short_code=code).first()
            if committee is None:
                committee = Committee.objects.create(public_body=region, short_code=code, name=name)
                self._count("committees")
            committees[code] = committee
        return committees

    # --- Organisations -------------------------------------------------------------------

    def ensure_organisation(self, key: str, when: datetime.datetime) -> Organisation:
        demo = next(o for o in ORGANISATIONS if o.key == key)
        organisation = Organisation.objects.filter(org_number=demo.org_number).first()
        if organisation is not None:
            return organisation
        organisation = Organisation(
            name=demo.name,
            org_number=demo.org_number,
            legal_form=demo.legal_form,
            street_address=demo.street_address,
            postal_code=demo.postal_code,
            city=demo.city,
            email=demo.email,
            phone=demo.phone,
            member_count=demo.member_count,
        )
        organisation.full_clean()  # the organisation number must pass the Luhn check
        organisation.save()
        Organisation.objects.filter(pk=organisation.pk).update(created_at=when, updated_at=when)
        ContactPerson.objects.create(
            organisation=organisation,
            name=demo.contact_name,
            title=demo.contact_title,
            email=demo.contact_email,
            phone=demo.contact_phone,
            is_primary=True,
        )
        self._count("organisations")
        return organisation

    def ensure_value_declaration(
        self, organisation: Organisation, signed_on: datetime.date, officer: AbstractUser
    ) -> None:
        if organisation.has_signed_value_declaration():
            return
        contact = organisation.contacts.get(is_primary=True)
        when = _moment(signed_on)
        with _happened_at(when):
            declaration = ValueDeclaration.objects.create(
                organisation=organisation,
                signatory_name=contact.name,
                signatory_title=contact.title,
                signed_on=signed_on,
                recorded_by=officer,
                **dict.fromkeys(ValueDeclaration.POINT_FIELDS, True),
            )
        ValueDeclaration.objects.filter(pk=declaration.pk).update(recorded_at=when)
        self._count("value declarations")

    # --- Cases ---------------------------------------------------------------------------

    def ensure_case(self, demo: DemoCase, committee: Committee) -> None:
        if Case.objects.filter(committee=committee, title=demo.title).exists():
            return
        officer = self.users[demo.officer]
        registrar = demo.officer if demo.registered_by == OFFICER else demo.registered_by
        received = _moment(demo.received_on, registrar)

        with _happened_at(received):
            organisation = self.ensure_organisation(demo.organisation, received)
            case = case_register(
                actor=self.users[registrar],
                title=demo.title,
                committee=committee,
                societal_challenge=demo.societal_challenge,
                idea_description=demo.idea_description,
                organisations=[organisation],
                officer=officer,
                substitute=self.users[demo.substitute],
                received_on=demo.received_on,
            )

        last = stage_changed = received
        previous_on = demo.received_on
        for step in demo.steps:
            if step.transition == "start_drafting":
                # The checklist is gone through and the value declaration signed in the weeks
                # before the parties start writing.
                with _happened_at(_moment(step.on - datetime.timedelta(days=7))):
                    self.fill_checklist(case, officer, demo, all_met=True)
                self.ensure_value_declaration(
                    organisation, step.on - datetime.timedelta(days=14), officer
                )
            for when, action in self.actions(demo, case, step, previous_on):
                stage = Case.objects.values_list("status", flat=True).get(pk=case.pk)
                with _happened_at(when):
                    action()
                last = when
                if Case.objects.values_list("status", flat=True).get(pk=case.pk) != stage:
                    stage_changed = when
            previous_on = step.on
        case.refresh_from_db()

        updated = last
        if demo.checklist:
            updated = last + datetime.timedelta(hours=2)
            with _happened_at(updated):
                self.fill_checklist(case, officer, demo, all_met=False)

        Case.objects.filter(pk=case.pk).update(
            created_at=received, updated_at=updated, status_changed_at=stage_changed
        )
        self._count("cases")

    # --- Each step, with the agreement's work it takes -----------------------------------

    def actions(
        self, demo: DemoCase, case: Case, step: Step, previous_on: datetime.date
    ) -> list[tuple[datetime.datetime, Callable[[], object]]]:
        """What ``step`` does, as (when, action) in the order it happens. The agreement moves
        with the case: it is drafted after «start drafting», revised after a return, assessed
        before approval, and signed party by party (the last signature activates the case)."""
        officer = self.users[demo.officer]
        jurist = self.users["erik"]
        actor_name = demo.officer if step.actor == OFFICER else step.actor
        actor = self.users[actor_name]
        at = _moment(step.on, actor_name)
        key = demo.organisation
        start = _planned_start(demo)

        def move():
            case_transition(case=case, name=step.transition, actor=actor, note=step.note)

        def draft():
            return agreement_services.draft_version(agreement_services.agreement_of(case))

        def submitted():
            return agreement_services.submitted_version(agreement_services.agreement_of(case))

        def later(days: int, username: str = demo.officer) -> datetime.datetime:
            return _moment(step.on + datetime.timedelta(days=days), username)

        if step.transition == "start_drafting":
            return [
                (at, move),
                (
                    at + datetime.timedelta(hours=1),
                    lambda: agreement_services.agreement_start(case=case, actor=officer),
                ),
                (
                    later(14),
                    lambda: write_version(
                        draft(), case, AGREEMENTS[key], start=start, actor=officer
                    ),
                ),
            ]
        if step.transition == "return_to_drafting":
            return [
                (
                    at,
                    lambda: agreement_services.return_version(
                        case=case, actor=actor, comments=step.comments, note=step.note
                    ),
                ),
                (
                    later(14),
                    lambda: write_version(
                        draft(), case, AFTER_RETURN[key], start=start, actor=officer
                    ),
                ),
            ]
        if step.transition == "approve_legal_review":
            return [
                (at - datetime.timedelta(hours=1), lambda: assess(submitted(), actor)),
                (at, move),
            ]
        if step.transition == SIGNATURE:
            return [(at, lambda: self.sign(case, officer, step.on, first_only=True))]
        if step.transition == "activate":
            return self.signatures(case, officer, previous_on, step.on)
        if step.transition == "start_renegotiation" and key in RENEGOTIATED:
            new_start, terms = RENEGOTIATED[key]

            def revise():
                version = agreement_services.start_revision(case=case, actor=officer)
                write_version(version, case, terms, start=new_start, actor=officer)

            return [(at, move), (later(21), revise)]
        if step.transition == "complete_renegotiation":
            approved_at = later(-28, "erik")
            return [
                (
                    later(-49),
                    lambda: agreement_services.submit_draft(case=case, actor=officer),
                ),
                (approved_at - datetime.timedelta(hours=1), lambda: assess(submitted(), jurist)),
                (
                    approved_at,
                    lambda: agreement_services.approve_version(case=case, actor=jurist),
                ),
                *self.signatures(case, officer, step.on - datetime.timedelta(days=21), step.on),
            ]
        return [(at, move)]

    def signatures(
        self, case: Case, officer: AbstractUser, previous_on: datetime.date, on: datetime.date
    ) -> list[tuple[datetime.datetime, Callable[[], object]]]:
        """The region signs first, up to a week before the organisation; the organisation's
        signature, the last, moves the case on."""
        first_on = max(previous_on + datetime.timedelta(days=1), on - datetime.timedelta(days=7))
        return [
            (_moment(first_on), lambda: self.sign(case, officer, first_on, first_only=True)),
            (_moment(on), lambda: self.sign(case, officer, on, first_only=False)),
        ]

    def sign(
        self, case: Case, officer: AbstractUser, on: datetime.date, *, first_only: bool
    ) -> None:
        agreement = agreement_services.agreement_of(case)
        version = agreement_services.approved_version(agreement)
        unsigned = [p for p in version.parties.order_by("order", "pk") if not p.has_signed]
        method = SigningMethod.PAPER if on.year < 2023 else SigningMethod.DIGITAL
        for party in unsigned[:1] if first_only else unsigned:
            agreement_services.record_signature(
                party=party, actor=officer, signed_on=on, method=method
            )

    def fill_checklist(
        self, case: Case, officer: AbstractUser, demo: DemoCase, *, all_met: bool
    ) -> None:
        """Every criterion met (before drafting), or a case's partial answers in preparation."""
        if all_met:
            answers = {c.value: (True, "") for c in Criterion}
            answers[Criterion.RV_POLITICAL_PROGRAMME.value] = (True, demo.plan)
            questions = {
                "societal_challenge": demo.societal_challenge,
                "why_cooperate": demo.idea_description,
            }
        else:
            answers = demo.checklist
            questions = demo.checklist_questions
        for criterion, (answer, comment) in answers.items():
            checklist_answer(
                case=case, actor=officer, criterion=criterion, answer=answer, comment=comment
            )
        # The seven free-text questions have no service yet (their screens come with the web UI).
        checklist = Checklist.objects.get(case=case)
        for name, text in questions.items():
            setattr(checklist, name, text)
        checklist._history_user = officer
        checklist.save()


def _planned_start(demo: DemoCase) -> datetime.date:
    """The first day of the month after the agreement is (or is expected to be) signed."""
    signed = next((s.on for s in demo.steps if s.transition in ("activate", SIGNATURE)), None)
    expected = signed or demo.steps[-1].on + datetime.timedelta(days=60)
    return (expected.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)


def logins_table() -> str:
    rows = [("username", "password", "name", "role")]
    rows += [(u.username, DEMO_PASSWORD, u.full_name, u.role_label) for u in DEMO_USERS]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["", "Demo logins (a user who changed the password keeps the new one):"]
    lines += [
        "  " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows
    ]
    return "\n".join(line.rstrip() for line in lines)
