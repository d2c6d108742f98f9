"""The demo story of Region Värmland's IOPs (DOMAIN.md §9): data only, played by ``iop.demo``.

The public body, the two committees and the names of the nine partner organisations are real
(the auditors' pre-study lists them); everything else is invented: people, dates, and the texts
describing each partnership (plausible, not the content of the real agreements).

Every date is a number of days before the day the demo is loaded (``Story.day``), so the story
stays alive: the latest events happened in the last weeks, the health committee's partnerships
were activated three to four years ago. A case's story is its list of steps, each a transition
taken by a demo user on a day; the other apps react to the steps they need (``agreements.demo``).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from .constants import Role, Transition

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

# The time of day each demo user takes a step, so a timeline reads like a working day.
TIME_OF_DAY = {
    "karin": datetime.time(9, 5),
    "erik": datetime.time(14, 20),
    "lena": datetime.time(16, 10),
}
DEFAULT_TIME = datetime.time(10, 30)

PUBLIC_BODY = {"name": "Region Värmland", "short_code": "RV"}
KBN = "Kultur- och bildningsnämnden"
HSN = "Hälso- och sjukvårdsnämnden"
COMMITTEES = {"KBN": KBN, "HSN": HSN}

OFFICER = "officer"  # a step taken by the case's officer

# A note is text, or text made from the day of its step (a decision names its date).
Note = str | Callable[[datetime.date], str]


@dataclass(frozen=True)
class Step:
    transition: Transition
    actor: str  # OFFICER or a demo username
    days_ago: int
    note: Note = ""


@dataclass(frozen=True)
class DemoCase:
    organisation: str  # a key of partners.demo_story.ORGANISATIONS
    committee: str  # a key of COMMITTEES
    officer: str
    substitute: str
    title: str
    societal_challenge: str
    idea_description: str
    received: int  # days ago
    steps: tuple[Step, ...]
    plan: str  # the political programme the partnership realises (criterion rv5)
    registered_by: str = OFFICER
    # A case in preparation with its checklist partly gone through: answers and questions.
    checklist: dict[str, tuple[bool | None, str]] = field(default_factory=dict)
    checklist_questions: dict[str, str] = field(default_factory=dict)


MONTHS = (
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
)


def swedish_date(on: datetime.date) -> str:
    """«1 juni 2025»."""
    return f"{on.day} {MONTHS[on.month - 1]} {on.year}"


def month_start(on: datetime.date, months_after: int) -> datetime.date:
    """The first day of the month ``months_after`` months after the month of ``on``."""
    index = on.year * 12 + on.month - 1 + months_after
    return datetime.date(index // 12, index % 12 + 1, 1)


# How far each committee's minutes have come in a year: its paragraphs (§) are numbered from 1
# each January, some 130 a year at Kultur- och bildningsnämnden and 140 at Hälso- och
# sjukvårdsnämnden, and each meeting opens with four (roll call, the adjuster of the minutes,
# the agenda, information). The demo's decisions take their § from the day of their meeting.
PARAGRAPHS_PER_YEAR = {"KBN": 130, "HSN": 140}
OPENING_PARAGRAPHS = 4


def paragraph_on(committee: str, on: datetime.date) -> int:
    """The first § after the opening ones at the meeting of ``committee`` (a key of
    COMMITTEES) held on ``on``."""
    day_of_year = on.timetuple().tm_yday
    return 1 + OPENING_PARAGRAPHS + (day_of_year - 1) * PARAGRAPHS_PER_YEAR[committee] // 366


# Funktionsrätt's renegotiated agreement starts on the first of the fourth month after the
# committee's decision (the decision says so, and so does version 2 of the agreement).
FUNKTIONSRATT_START_MONTHS = 4


def lifecycle(
    *,
    preparation: int,
    drafting: int | None = None,
    review: int | None = None,
    returned: tuple[int, str, int] | None = None,
    approved: int | None = None,
    decided: int | None = None,
    signed: int | None = None,
) -> tuple[Step, ...]:
    """The steps from a received initiative towards an active partnership, as far as days
        (ago) are given. ``returned`` is (returned, the jurist's overall comment, resubmitted) when
        the jurist sent the draft back once. The committee's decision (``decided``) is recorded on the
    case's matter by ``decisions.demo``."""
    steps = [
        Step(
            Transition.START_PREPARATION,
            OFFICER,
            preparation,
            "Första mötet med organisationen hållet; checklistan och kontrollen av "
            "organisationen påbörjas.",
        )
    ]
    if drafting:
        steps.append(
            Step(
                Transition.START_DRAFTING,
                OFFICER,
                drafting,
                "Alla kriterier i checklistan är uppfyllda och värdegrundsintyget är "
                "undertecknat. Överenskommelse och handlingsplan tas fram tillsammans med "
                "organisationen.",
            )
        )
    if review:
        steps.append(
            Step(
                Transition.SUBMIT_FOR_LEGAL_REVIEW,
                OFFICER,
                review,
                "Utkast till överenskommelse, handlingsplan och budget skickat för "
                "juristgranskning.",
            )
        )
    if returned:
        returned_on, note, resubmitted = returned
        steps += [
            Step(Transition.RETURN_TO_DRAFTING, "erik", returned_on, note),
            Step(
                Transition.SUBMIT_FOR_LEGAL_REVIEW,
                OFFICER,
                resubmitted,
                "Överenskommelsen reviderad efter juristens synpunkter och skickad på nytt.",
            ),
        ]
    if approved:
        steps.append(
            Step(
                Transition.APPROVE_LEGAL_REVIEW,
                "erik",
                approved,
                "Samlad bedömning: ett partnerskap på organisationens initiativ, inte ett "
                "offentligt kontrakt. Förenligt med kommunallagen och EU:s statsstödsregler. "
                "Godkänns.",
            )
        )
    if decided:
        steps.append(Step(Transition.RECORD_APPROVAL, "lena", decided))
    if signed:
        steps.append(
            Step(
                Transition.ACTIVATE,
                OFFICER,
                signed,
                "Överenskommelsen är undertecknad av båda parter. Partnerskapet gäller tills "
                "vidare med revidering vartannat år.",
            )
        )
    return tuple(steps)


CASES = (
    # --- Hälso- och sjukvårdsnämnden: three IOPs, active for three to four years. ---
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
        received=1610,
        plan="Regionplan för psykisk hälsa och Folkhälsoplanen för Värmland",
        steps=lifecycle(
            preparation=1589,
            drafting=1540,
            review=1498,
            approved=1481,
            decided=1462,
            signed=1393,
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
        received=1450,
        plan="Folkhälsoplanen för Värmland och Nära vård i Värmland",
        steps=lifecycle(
            preparation=1429,
            drafting=1380,
            review=1317,
            approved=1296,
            decided=1260,
            signed=1240,
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
        received=1360,
        plan="Folkhälsoplanen för Värmland och regionens strokeprogram",
        steps=lifecycle(
            preparation=1339,
            drafting=1289,
            review=1248,
            returned=(
                1227,
                "Överenskommelsen är i grunden ett partnerskap, men ekonomi och avslut är "
                "skrivna som ett köp. Se kommentarerna under de två rubrikerna.",
                1164,
            ),
            approved=1150,
            decided=1128,
            signed=1115,
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
        received=1291,
        plan="Värmlandsstrategin och Folkhälsoplanen för Värmland",
        steps=lifecycle(
            preparation=1270,
            drafting=1214,
            review=1179,
            approved=1165,
            decided=1100,
            # a check-in falls due in the fortnight after the day the demo loads (its booked
            # meeting is this coming Thursday: followups.demo_story)
            signed=1084,
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
        received=1173,
        plan="Överenskommelsen Värmland och Värmlandsstrategin",
        steps=lifecycle(
            preparation=1145,
            drafting=1040,
            review=998,
            approved=977,
            decided=933,
            signed=900,
        )
        + (
            Step(Transition.START_RENEGOTIATION, "lena", 461),
            Step(
                Transition.COMPLETE_RENEGOTIATION,
                OFFICER,
                365,
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
        received=968,
        plan="Regional kulturplan för Värmland och Värmlandsstrategin",
        steps=lifecycle(
            preparation=947,
            drafting=877,
            review=814,
            approved=793,
            decided=742,
            # the committee's first follow-up falls due a month after the day the demo loads:
            # its report is written and its matter prepared (followups.demo_story)
            signed=700,
        )
        + (
            # the decision names the day version 2 of the agreement starts from
            # (FUNKTIONSRATT_START_MONTHS; decisions.demo_story, agreements.demo_story)
            Step(Transition.START_RENEGOTIATION, "lena", 70),
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
        received=769,
        plan="Värmlandsstrategin och Folkhälsoplanen för Värmland",
        steps=lifecycle(
            preparation=748,
            drafting=650,
            review=441,
            approved=420,
            decided=398,
            # its first annual evaluation fell due twelve days before the day the demo loads,
            # and the annual report has not arrived (followups.demo_story)
            signed=377,
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
        received=322,
        plan="Värmlandsstrategin och regionens handlingsplan mot våld i nära relationer",
        steps=lifecycle(
            preparation=301,
            drafting=217,
            review=63,
            approved=21,
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
        received=287,
        plan="Folkhälsoplanen för Värmland och regionens handlingsplan för suicidprevention",
        steps=lifecycle(
            preparation=266,
            drafting=189,
            review=56,
            returned=(
                35,
                "Som utkastet är skrivet liknar det en beställning av utbildningar. Se "
                "kommentarerna under de två rubrikerna.",
                7,
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
        received=224,
        plan="Regional biblioteksplan för Värmland",
        steps=lifecycle(preparation=203, drafting=42),
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
        received=406,
        plan="Regional kulturplan för Värmland",
        steps=lifecycle(
            preparation=378,
            drafting=301,
            review=91,
            approved=70,
            decided=26,
        ),  # signing: the region has signed (agreements.demo_story), the association not yet
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
        received=58,
        plan="Regional biblioteksplan och Värmlandsstrategin",
        steps=lifecycle(preparation=30),
        checklist={
            "rv1": (
                True,
                "Initiativet kom från förbundet vid regionens dialogmöte med civilsamhället.",
            ),
            "rv2": (True, "Förbundet får organisationsbidrag; detta är en separat insats."),
            "rv3": (True, ""),
            "rv4": (True, "Biblioteken ser samma behov i sina låneärenden."),
            "rv5": (True, "Regional biblioteksplan, avsnittet om digital delaktighet."),
            "rv6": (None, "Upphandlingsenheten är tillfrågad; svar väntas inom några veckor."),
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
        received=24,
        plan="Regional kulturplan för Värmland",
        steps=lifecycle(preparation=3),
    ),
)
