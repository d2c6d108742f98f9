"""The demo cases' agreements (DOMAIN.md §6): data only, played by ``agreements.demo``. What
each partnership's agreement says and what each party contributes per full year (kronor per
helår).

Only one amount is real: Kultur- och bildningsnämnden added 200 000 kronor per full year to the
IOP with Funktionsrätt Värmland (decision 2025-02-19 § 19; the demo dates that decision, like
every other date, relative to the day it is loaded). All other amounts, texts and people are
invented for the demo, in the shape Region Värmland's agreements have (until further notice,
revised every second year, six months' notice).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal

from iop.constants import Transition
from iop.demo_story import FUNKTIONSRATT_START_MONTHS

from .constants import BudgetKind, RiskFactor, SectionKey

S = SectionKey
HOURLY_VALUE = Decimal("250")  # the value of one volunteer hour used in the demo budgets
JURIST = "erik"  # the demo jurist, who assesses and approves a renegotiated version
# The region signs in signing up to a week before the organisation; signatures older than
# three years were made on paper, later ones digitally.
SIGNING_DAYS_BEFORE = 7
PAPER_BEFORE_YEARS = 3
# In signing: the region has signed, the association signs at its board's next meeting.
REGION_SIGNED_DAYS_AGO = {"kulturbussen": 12}


@dataclass(frozen=True)
class Contribution:
    """One party's contribution per full year: money or in kind in kronor, or volunteer hours."""

    kind: str
    description: str
    amount: int = 0
    hours: int = 0


def money(description: str, amount: int) -> Contribution:
    return Contribution(BudgetKind.MONEY, description, amount=amount)


def volunteers(description: str, hours: int) -> Contribution:
    return Contribution(BudgetKind.VOLUNTEER, description, hours=hours)


def in_kind(kind: str, description: str, amount: int) -> Contribution:
    return Contribution(kind, description, amount=amount)


@dataclass(frozen=True)
class Activity:
    description: str
    owner: str
    timetable: str
    expected_result: str = ""


@dataclass(frozen=True)
class Terms:
    """What one version says beyond the common text: headings, budget, plan."""

    goals: str
    target_group: str
    region_commitments: str
    organisation_commitments: str
    region: tuple[Contribution, ...]
    organisation: tuple[Contribution, ...]
    activities: tuple[Activity, ...]
    concrete_results: str
    intangible_results: str
    sections: dict[str, str] = field(default_factory=dict)  # headings written differently
    missing: tuple[str, ...] = ()  # headings not yet written (a draft in progress)


@dataclass(frozen=True)
class Renegotiation:
    """A version written in renegotiation: it starts on the first day of the month
    ``months_after`` months after the case's step ``starts_after``, and names the committee's
    decision to renegotiate (its date and §, ``iop.demo_story.paragraph_on``)."""

    starts_after: Transition
    months_after: int
    terms: Terms


# The region's signatories (invented): the chair of the responsible committee.
REGION_SIGNATORY = {
    "KBN": ("Helena Strand", "Ordförande i kultur- och bildningsnämnden"),
    "HSN": ("Magnus Lindahl", "Ordförande i hälso- och sjukvårdsnämnden"),
}
INVOICE_ADDRESS = "Region Värmland, Box 1022, 651 15 Karlstad. Ange referens {number}."

# The version's own fields, the same in every demo agreement.
VERSION_FIELDS = {
    "revision_interval_years": 2,
    "notice_months": 6,
    "checkins_per_year": 2,
    "annual_evaluation": "Varje vår, med föreningens verksamhetsberättelse och ekonomiska "
    "redovisning.",
}

# The headings every agreement shares, filled in with {committee} (the committee's name in
# lower case), {organisation}, {org_number}, {officer}, {contact}, {contact_title} and {start}
# (the day the agreement starts, in words); the Terms give the rest.
COMMON_SECTIONS = {
    S.PARTIES: "Parter i överenskommelsen är Region Värmland genom {committee} och "
    "{organisation} ({org_number}). Parterna är likvärdiga i partnerskapet och har lika stort "
    "inflytande över det.",
    S.VALUES: "Partnerskapet vilar på principerna i Överenskommelsen Värmland: dialog, kvalitet, "
    "självständighet och oberoende, långsiktighet, öppenhet och insyn samt mångfald. "
    "{organisation} behåller sin självständighet och sin roll som röstbärare.",
    S.COMMITMENTS: "Region Värmland: {region_commitments}\n\n{organisation}: "
    "{organisation_commitments}",
    S.GOVERNANCE: "En gemensam styrgrupp med två företrädare för varje part leder partnerskapet "
    "och fattar beslut i samförstånd. Frågor som styrgruppen inte enas om lyfts till "
    "föreningens styrelse och {committee}.",
    S.FOLLOW_UP: "Parterna stämmer av partnerskapet vid minst två möten om året. Varje vår "
    "utvärderas föregående år med föreningens verksamhetsberättelse som underlag. Vartannat år "
    "görs en fördjupad uppföljning som redovisas för {committee}.",
    S.LEARNING: "Parterna delar erfarenheter vid en gemensam lärträff varje höst, dit andra "
    "kommuner och föreningar i länet bjuds in. Lärdomarna tas tillvara när överenskommelsen "
    "revideras.",
    S.ORGANISATION: "Kontaktperson för Region Värmland är {officer}, handläggare. Kontaktperson "
    "för {organisation} är {contact}, {contact_title}.",
    S.DOCUMENTATION: "{organisation} lämnar varje år senast den 30 april verksamhetsberättelse, "
    "ekonomisk redovisning och en redogörelse för hur medlen har använts. Region Värmland "
    "dokumenterar avstämningsmötena.",
    S.ECONOMY: "Parternas bidrag framgår av budgeten och anges i kronor per helår. Region "
    "Värmlands medel betalas ut halvårsvis i förskott efter rekvisition. Föreningens ideella "
    "insats redovisas i timmar och räknas om till kronor. Medel som inte används enligt "
    "överenskommelsen betalas tillbaka.",
    S.TERM: "Överenskommelsen gäller från och med den {start} tills vidare, med revidering "
    "vartannat år i samband med den fördjupade uppföljningen.",
    S.TERMINATION: "Överenskommelsen omförhandlas när någon part begär det. Part har rätt att "
    "lämna projektet med sex månaders uppsägning. Vid avslut tar parterna gemensamt fram en "
    "avvecklingsplan. Oenighet löses i första hand genom dialog i styrgruppen.",
}

# The jurist's procurement-risk assessment: a partnership on the organisation's initiative,
# co-financed, without sanctions ({share}: the public share of the budget, in per cent).
RISK_COMMENTS = {
    RiskFactor.NEED_DEFINED: "Behovet beskrevs av föreningen utifrån dess egen verksamhet.",
    RiskFactor.INITIATIVE: "Initiativet kom från föreningen.",
    RiskFactor.PRICE: "Regionens medel täcker {share} procent av kostnaden; inget fast pris.",
    RiskFactor.SANCTIONS: "Inga sanktioner; återbetalning endast av medel som inte använts.",
    RiskFactor.OTHER_FUNDING: "Föreningen bidrar med ideellt arbete och egna resurser.",
}
OVERALL_ASSESSMENT = (
    "Samlad bedömning: ett partnerskap på föreningens initiativ och med samfinansiering, inte "
    "ett offentligt kontrakt. Förenligt med kommunallagen och EU:s statsstödsregler."
)


# --- Each partnership's agreement ---------------------------------------------------------------

FOLLOW = Activity(
    "Avstämningsmöten i styrgruppen",
    "Båda parter",
    "Två gånger om året, vår och höst",
    "Gemensam bild av hur partnerskapet går",
)

AGREEMENTS: dict[str, Terms] = {
    "ebl": Terms(
        goals="Fler personer med egen erfarenhet av psykisk ohälsa arbetar som stödpersoner, "
        "och vården tar tillvara erfarenhetskunskapen.",
        target_group="Personer med egen erfarenhet av psykisk ohälsa som vill utbilda sig till "
        "stödpersoner, och patienter i regionens psykiatriska verksamheter.",
        region_commitments="medfinansiering, handledning av regionens psykologer och "
        "praktikplatser i psykiatrin.",
        organisation_commitments="utbildare med egen erfarenhet, lokaler i Arvika och ideellt "
        "arbete som mentorer.",
        region=(
            money("Medfinansiering", 650_000),
            in_kind(BudgetKind.COMPETENCE, "Handledning av psykologer", 80_000),
        ),
        organisation=(
            volunteers("Mentorer och utbildare, ideellt", 1_500),
            in_kind(BudgetKind.PREMISES, "Lokaler i Arvika", 96_000),
        ),
        activities=(
            Activity(
                "Utbildning av stödpersoner, två kurser om året", "EBL-skolan", "Vår och höst"
            ),
            Activity("Praktik för stödpersoner i psykiatrin", "Region Värmland", "Löpande"),
            FOLLOW,
        ),
        concrete_results="Tjugo utbildade stödpersoner om året.",
        intangible_results="Tillit mellan vården och dem som har egen erfarenhet.",
    ),
    "frykcenter": Terms(
        goals="Färre med långvarig smärta eller utmattning i Fryksdalen blir isolerade efter "
        "avslutad behandling.",
        target_group="Vuxna i norra Värmland med långvarig smärta eller utmattning.",
        region_commitments="medfinansiering och fysioterapeuter som handleder träningsgrupperna.",
        organisation_commitments="mötesplatsen i Sunne, ledare för träning och samtalsgrupper "
        "och ideellt arbete.",
        region=(
            money("Medfinansiering", 480_000),
            in_kind(BudgetKind.COMPETENCE, "Handledning av fysioterapeuter", 60_000),
        ),
        organisation=(
            volunteers("Gruppledare och värdar, ideellt", 2_200),
            in_kind(BudgetKind.PREMISES, "Mötesplatsen i Sunne", 120_000),
        ),
        activities=(
            Activity("Anpassad träning tre dagar i veckan", "Frykcenter", "Hela året"),
            Activity("Samtalsgrupper", "Frykcenter", "Varannan vecka"),
            FOLLOW,
        ),
        concrete_results="Minst 150 deltagare om året.",
        intangible_results="Gemenskap och ökad livskvalitet hos deltagarna.",
    ),
    "afasi": Terms(
        goals="Personer med afasi och deras anhöriga har en plats att mötas och träna "
        "kommunikation även efter avslutad rehabilitering.",
        target_group="Personer med afasi efter stroke och deras anhöriga i hela Värmland.",
        region_commitments="medfinansiering och logopeder som handleder samtalsgrupperna.",
        organisation_commitments="samtalsgrupper och anhörigträffar på fem orter, ledda av "
        "medlemmar med egen erfarenhet.",
        region=(
            money("Medfinansiering", 350_000),
            in_kind(BudgetKind.COMPETENCE, "Handledning av logopeder", 90_000),
        ),
        organisation=(
            volunteers("Samtalsledare och anhörigstöd, ideellt", 1_800),
            money("Föreningens egna medel", 25_000),
        ),
        activities=(
            Activity("Samtalsgrupper på fem orter", "Afasiföreningen", "Varje vecka"),
            Activity("Anhörigträffar", "Afasiföreningen", "Fyra gånger om året"),
            FOLLOW,
        ),
        concrete_results="Samtalsgrupper på fem orter i länet.",
        intangible_results="Mindre isolering och mer självförtroende hos deltagarna.",
    ),
    "fritidsbanken": Terms(
        goals="Fler barn och unga i Värmland kan prova idrott och friluftsliv oavsett "
        "familjens ekonomi.",
        target_group="Barn och unga i Värmland och deras familjer.",
        region_commitments="medfinansiering av nya utlåningsställen och spridning genom "
        "regionens nätverk.",
        organisation_commitments="volontärer, lokaler, insamlad utrustning och det nationella "
        "nätverket.",
        region=(money("Medfinansiering", 400_000),),
        organisation=(
            volunteers("Volontärer i utlåningen", 3_000),
            in_kind(BudgetKind.EQUIPMENT, "Skänkt utrustning", 300_000),
            in_kind(BudgetKind.PREMISES, "Lokaler", 150_000),
        ),
        activities=(
            Activity(
                "Två nya utlåningsställen om året", "Fritidsbanken", "Från avtalets första år"
            ),
            FOLLOW,
        ),
        concrete_results="Utlåningsställen i minst åtta kommuner.",
        intangible_results="Delaktighet och gemenskap för barn i familjer med små marginaler.",
    ),
    "ideburna": Terms(
        goals="Den idéburna sektorn i Värmland har en gemensam stödstruktur och en samlad röst "
        "i dialogen med regionen.",
        target_group="Idéburna organisationer i Värmland, särskilt små föreningar.",
        region_commitments="medfinansiering av kansliet för Rådet för idéburna organisationer.",
        organisation_commitments="rådgivning, nätverk och ideellt arbete i rådet.",
        region=(money("Medfinansiering av kansliet", 900_000),),
        organisation=(
            volunteers("Ideellt arbete i rådet och nätverken", 1_200),
            in_kind(BudgetKind.COMPETENCE, "Rådgivning från medlemsorganisationerna", 150_000),
        ),
        activities=(
            Activity("Rådgivning till föreningar", "Värmlands Idéburna", "Löpande"),
            Activity("Dialogforum med regionen", "Båda parter", "Två gånger om året"),
            FOLLOW,
        ),
        concrete_results="Ett fungerande kansli och två dialogforum om året.",
        intangible_results="Tillit och jämbördig dialog mellan sektorn och regionen.",
    ),
    "funktionsratt": Terms(
        goals="Personer med funktionsnedsättning deltar i kultur- och bildningslivet på "
        "samma villkor som andra.",
        target_group="Personer med funktionsnedsättning i Värmland.",
        region_commitments="medfinansiering, lokaler för utbildningarna och samordning med "
        "regionens kulturverksamheter.",
        organisation_commitments="erfarenhetskunskap, utbildade tillgänglighetsombud och "
        "ideellt arbete.",
        region=(money("Medfinansiering", 600_000),),
        organisation=(
            volunteers("Tillgänglighetsombud, ideellt", 1_600),
            in_kind(BudgetKind.COMPETENCE, "Medlemsförbundens erfarenhetskunskap", 120_000),
        ),
        activities=(
            Activity("Utbildning av tillgänglighetsombud", "Funktionsrätt Värmland", "Årligen"),
            Activity("Tillgänglighetsgranskning av kulturverksamheter", "Båda parter", "Löpande"),
            FOLLOW,
        ),
        concrete_results="Tio granskade verksamheter om året.",
        intangible_results="Delaktighet och inflytande för personer med funktionsnedsättning.",
    ),
    "agera": Terms(
        goals="Fler nyanlända kvinnor och unga hittar in i föreningsliv, studier och arbete.",
        target_group="Nyanlända kvinnor och unga i Värmland.",
        region_commitments="medfinansiering och kunskap om bildning och folkhälsa.",
        organisation_commitments="mötesplatser, studiecirklar och språkcaféer med volontärer.",
        region=(money("Medfinansiering", 550_000),),
        organisation=(
            volunteers("Volontärer på mötesplatserna", 2_500),
            in_kind(BudgetKind.PREMISES, "Lokaler", 80_000),
        ),
        activities=(
            Activity("Språkcaféer i fyra kommuner", "Agera Värmland", "Varje vecka"),
            FOLLOW,
        ),
        concrete_results="Språkcaféer i fyra kommuner.",
        intangible_results="Gemenskap och förtroende mellan nya och etablerade värmlänningar.",
    ),
    "brottsofferjouren": Terms(
        goals="Fler unga brottsutsatta får stöd, och kunskapen om brottsofferfrågor ökar.",
        target_group="Brottsutsatta, vittnen och anhöriga i Värmland, särskilt unga.",
        region_commitments="medfinansiering och kontakter med skolor och folkhögskolor.",
        organisation_commitments="utbildade ideella stödpersoner och informationsinsatser.",
        region=(money("Medfinansiering", 450_000),),
        organisation=(
            volunteers("Ideella stödpersoner", 2_000),
            in_kind(BudgetKind.PREMISES, "Jourens lokaler", 60_000),
        ),
        activities=(
            Activity("Stöd till unga brottsutsatta", "Brottsofferjouren", "Löpande"),
            Activity("Information i skolor och folkhögskolor", "Båda parter", "Terminsvis"),
            FOLLOW,
        ),
        concrete_results="Tjugo informationstillfällen om året.",
        intangible_results="Trygghet och tillit hos dem som utsatts för brott.",
    ),
    "suicidezero": Terms(
        goals="Ledare i föreningslivet vågar fråga om psykisk ohälsa och vet var hjälp finns.",
        target_group="Ledare i idrotts- och föreningslivet, studieförbund och folkhögskolor.",
        region_commitments="medfinansiering och regionens kunskap om suicidprevention.",
        organisation_commitments="utbildningsmaterial, utbildare och nationell erfarenhet.",
        region=(money("Medfinansiering", 500_000),),
        organisation=(
            in_kind(BudgetKind.COMPETENCE, "Utbildningsmaterial och utbildare", 200_000),
        ),
        activities=(
            Activity("Utbildningar för ledare", "Suicide Zero", "Terminsvis"),
            FOLLOW,
        ),
        concrete_results="Minst 300 utbildade ledare om året.",
        intangible_results="Öppenhet om psykisk ohälsa i föreningslivet.",
        # As first submitted: the jurist's comments are on these.
        sections={
            S.COMMITMENTS: "Suicide Zero ska genomföra 24 utbildningar per år om vardera tre "
            "timmar enligt regionens mall, med högst 15 deltagare per tillfälle, och rapportera "
            "antalet deltagare till regionen varje månad.",
        },
    ),
    "lasandebygd": Terms(
        goals="Fler barn på landsbygden i västra Värmland läser på fritiden.",
        target_group="Barn 6–12 år i glesbygden i västra Värmland och deras föräldrar.",
        region_commitments="medfinansiering och bibliotekskonsulenternas stöd.",
        organisation_commitments="frivilliga läsombud, lokaler i bygdegårdarna och ideellt arbete.",
        region=(money("Medfinansiering", 250_000),),
        organisation=(volunteers("Läsombud, ideellt", 1_000),),
        activities=(
            Activity("Läsestunder i bygdegårdarna", "Läsande bygd", "Varje vecka"),
            FOLLOW,
        ),
        concrete_results="Läsestunder på tio orter.",
        intangible_results="Läslust och gemenskap mellan generationer.",
        # A draft in progress: two headings left, and the economy still in the words of
        # commerce (DOMAIN.md §6.4) for the officer to fix.
        sections={
            S.ECONOMY: "Region Värmland betalar ersättning till föreningen kvartalsvis mot "
            "fakturering. Föreningens ideella insats redovisas i timmar.",
        },
        missing=(S.LEARNING, S.DOCUMENTATION),
    ),
    "kulturbussen": Terms(
        goals="Fler i norra Värmlands glesbygd tar del av scenkonst och bibliotek.",
        target_group="Boende i glesbygden i norra Värmland, barn och äldre särskilt.",
        region_commitments="medfinansiering och samordning med regionens scenkonst och bibliotek.",
        organisation_commitments="bussen, chaufförer och värdar, och ideellt arbete vid "
        "varje stopp.",
        region=(money("Medfinansiering", 380_000),),
        organisation=(
            volunteers("Chaufförer och värdar, ideellt", 1_400),
            in_kind(BudgetKind.EQUIPMENT, "Bussen och scenutrustningen", 150_000),
        ),
        activities=(
            Activity("Turné med föreställningar och boklån", "Kulturbussen", "Vår och höst"),
            FOLLOW,
        ),
        concrete_results="Fyrtio stopp om året i tio orter.",
        intangible_results="Mötesplatser och gemenskap på orter utan egen scen.",
    ),
}


# The jurist's comments per heading when she returns the draft (the case's «return» step
# carries her comment on the whole).
RETURN_COMMENTS: dict[str, tuple[tuple[str, str], ...]] = {
    "afasi": (
        (
            S.ECONOMY,
            "Avsnittet om ekonomi talar om ersättning och fakturering; skriv utbetalning och "
            "samfinansiering.",
        ),
        (
            S.TERMINATION,
            "Stryk klausulen om vite vid utebliven verksamhet; ersätt med återbetalning om "
            "medlen inte används som avsett.",
        ),
    ),
    "suicidezero": (
        (
            S.COMMITMENTS,
            "Insatser och åtaganden reglerar i detalj hur utbildningarna ska genomföras; "
            "beskriv syfte och mål i stället.",
        ),
        (S.ECONOMY, "Budgeten ska visa organisationens ideella insats omräknad till kronor."),
    ),
}

# The draft as revised after the jurist's comments.
AFTER_RETURN: dict[str, Terms] = {
    "afasi": AGREEMENTS["afasi"],
    "suicidezero": replace(
        AGREEMENTS["suicidezero"],
        sections={},
        organisation=(
            in_kind(BudgetKind.COMPETENCE, "Utbildningsmaterial och utbildare", 200_000),
            volunteers("Ideella utbildare och samtalsledare", 800),
        ),
    ),
}
# …and as first submitted, where the comments apply.
AGREEMENTS["afasi"] = replace(
    AGREEMENTS["afasi"],
    sections={
        S.ECONOMY: "Region Värmland betalar ersättning till föreningen mot fakturering halvårsvis.",
        S.TERMINATION: "Om verksamheten uteblir ska föreningen betala vite motsvarande en "
        "fjärdedel av årets medel. Part har rätt att häva överenskommelsen med sex månaders "
        "uppsägning.",
    },
)

# The versions written in renegotiation (DOMAIN.md §3.8): when each starts, the decision that
# authorises it, and what it says.
RENEGOTIATED: dict[str, Renegotiation] = {
    "ideburna": Renegotiation(
        # from the first of the month after the revised agreement is signed
        starts_after=Transition.COMPLETE_RENEGOTIATION,
        months_after=1,
        terms=replace(
            AGREEMENTS["ideburna"],
            region=(
                money("Medfinansiering av kansliet", 900_000),
                money("Kompetensutveckling för föreningar", 250_000),
            ),
            organisation=(
                volunteers("Ideellt arbete i rådet och nätverken", 1_600),
                in_kind(BudgetKind.COMPETENCE, "Rådgivning från medlemsorganisationerna", 150_000),
            ),
            activities=(
                *AGREEMENTS["ideburna"].activities,
                Activity(
                    "Utbildningsprogram för föreningarnas styrelser", "Båda parter", "Årligen"
                ),
            ),
        ),
    ),
    "funktionsratt": Renegotiation(
        # from the day the committee's decision names (iop.demo_story)
        starts_after=Transition.START_RENEGOTIATION,
        months_after=FUNKTIONSRATT_START_MONTHS,
        terms=replace(
            AGREEMENTS["funktionsratt"],
            region=(money("Medfinansiering", 800_000),),  # + 200 000 kr per helår (real)
        ),
    ),
}
