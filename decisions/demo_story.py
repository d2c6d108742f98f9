"""The committee's part of the demo story (DOMAIN.md §3, §7): data only, played by
``decisions.demo``. Who signs and who writes the tjänsteskrivelser, where and when the two
committees meet, the perspectives Region Värmland's tjänsteskrivelser address, and what the
officers write in the matters the story takes to the committee. Names and texts are invented.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from iop.constants import Transition
from iop.demo_story import FUNKTIONSRATT_START_MONTHS

# The demo users' titles, printed under their names (the officer's on a tjänsteskrivelse).
STAFF_TITLES = {
    "anna": "Handläggare",
    "johan": "Handläggare",
    "karin": "Samordnare för idéburet offentligt partnerskap",
    "erik": "Förvaltningsjurist",
    "lena": "Nämndsekreterare",
    "omar": "Controller",
    "maria": "Revisionskonsult",
    "admin": "Systemförvaltare",
}
# The user who enters the reference data and the titles, as in Django admin.
ADMIN = "admin"
SECRETARY = "lena"

# Who signs each committee's tjänsteskrivelser (committee key -> name, title).
SIGNING_OFFICIALS = {
    "KBN": ("Eva Sandberg", "Förvaltningschef, regional utveckling"),
    "HSN": ("Per Öhman", "Hälso- och sjukvårdsdirektör"),
}

# The perspectives every tjänsteskrivelse of Region Värmland addresses, in order: the heading
# and the guidance admin gives the officer.
PERSPECTIVE_HEADINGS = (
    (
        "Barnrättsperspektiv",
        "Hur berör beslutet barn och unga? Beskriv barnets bästa enligt barnkonventionen.",
    ),
    (
        "Jämställdhetsperspektiv",
        "Hur påverkar beslutet kvinnor och män, flickor och pojkar?",
    ),
    (
        "Miljöperspektiv",
        "Vilka konsekvenser får beslutet för miljön och klimatet?",
    ),
)
# What the officers write under each heading ({organisation}: the organisation's name).
PERSPECTIVE_TEXTS = {
    "Barnrättsperspektiv": (
        "Partnerskapet med {organisation} når även barn och unga, direkt eller genom "
        "föräldrar och anhöriga. Deras behov och synpunkter tas tillvara i planeringen av "
        "verksamheten."
    ),
    "Jämställdhetsperspektiv": (
        "Verksamheten vänder sig till alla oavsett kön. {organisation} redovisar deltagandet "
        "uppdelat på kön i sin årliga verksamhetsberättelse, så att insatserna kan anpassas."
    ),
    "Miljöperspektiv": (
        "Beslutet bedöms inte få några betydande konsekvenser för miljön. Resor inom "
        "partnerskapet görs i första hand med kollektivtrafik eller digitalt."
    ),
}

# Where and when each committee meets; a matter is final by the last day for matters, a week
# before the meeting, and the officer makes it final two working days before that.
MEETING_TIMES = {"KBN": datetime.time(9, 0), "HSN": datetime.time(13, 0)}
MEETING_PLACES = {
    "KBN": "Sessionssalen, Regionens hus, Karlstad",
    "HSN": "Bryggan, Regionens hus, Karlstad",
}
MATTERS_DEADLINE_DAYS = 7  # the last day for matters, days before the meeting
FINAL_DAYS_BEFORE_DEADLINE = 2
PREPARED_DAYS_BEFORE = 28  # a follow-up or renegotiation matter is prepared four weeks before
# The secretary enters the year's meetings well ahead.
MEETING_PLANNED_DAYS_BEFORE = 60


@dataclass(frozen=True)
class Upcoming:
    """A meeting to come: ``in_days`` days after the day the demo loads, with the case's
    new-IOP matter made final ``final_days_ago`` and put on its agenda ``agenda_days_ago``
    (no meeting package made yet)."""

    committee: str
    in_days: int
    organisation: str
    final_days_ago: int
    agenda_days_ago: int


UPCOMING = Upcoming(
    committee="KBN",
    in_days=14,
    organisation="brottsofferjouren",
    final_days_ago=6,
    agenda_days_ago=2,
)


@dataclass(frozen=True)
class FollowUp:
    """What the officer writes in the follow-up attachment (the headings the case does not
    fill in)."""

    goal_fulfilment: str
    development: str


@dataclass(frozen=True)
class Change:
    """A renegotiated amount per full year, from the first day of the month ``months_after``
    months after the case's step ``starts_after`` — the amount and the day version 2 of the
    agreement has (``agreements.demo_story.RENEGOTIATED``), and the attachment's texts."""

    amount: int
    starts_after: Transition
    months_after: int
    needs: str
    consequences: str
    partner_request: str


# The biennial follow-ups the committee approves without renegotiating: organisation ->
# (days ago of the meeting, the follow-up). Fritidsbanken's agreement was signed some two
# years before. The health committee's three partnerships have had none (the auditors'
# finding, DOMAIN.md §9).
FOLLOW_UPS = {
    "fritidsbanken": (
        330,
        FollowUp(
            goal_fulfilment=(
                "Fritidsbanken har öppnat fyra nya utlåningsställen, i Arvika, Hagfors, "
                "Kristinehamn och Säffle, och har nu utlåning i tio av länets sexton "
                "kommuner. Antalet lån har ökat från 9 000 till 14 500 per år, och var tredje "
                "låntagare är ett barn i en familj som tidigare inte deltagit i "
                "fritidsaktiviteter. Målen för perioden är i huvudsak uppnådda."
            ),
            development=(
                "Verksamheten når ännu få familjer i glesbygden norr om Torsby. Parterna ser "
                "över hur skolorna och folkbiblioteken kan bli utlåningsställen, och hur "
                "utrustningen kan transporteras mellan orterna."
            ),
        ),
    ),
}

# The follow-up the committee approves together with the renegotiation (one matter, two
# decision points).
FOLLOW_UP_WITH_RENEGOTIATION = {
    "ideburna": FollowUp(
        goal_fulfilment=(
            "Kansliet för Rådet för idéburna organisationer är på plats och har under två år "
            "gett rådgivning till 140 föreningar. Dialogmötena med regionen hålls fyra gånger "
            "om året, och fler små föreningar deltar än tidigare. Målen för perioden är nådda."
        ),
        development=(
            "Föreningarna efterfrågar kompetensutveckling för styrelser och ideella ledare, som "
            "kansliet i dag inte har resurser att ge."
        ),
    ),
}

# The renegotiations the committee decides, with the renegotiated amounts and start days.
CHANGES = {
    "ideburna": Change(
        amount=250_000,  # «Kompetensutveckling för föreningar» in version 2
        starts_after=Transition.COMPLETE_RENEGOTIATION,
        months_after=1,
        needs=(
            "Uppföljningen visar ett stort behov av kompetensutveckling för föreningarnas "
            "styrelser och ideella ledare. Parterna föreslår att partnerskapet utökas med ett "
            "utbildningsprogram som Värmlands Idéburna samordnar."
        ),
        consequences=(
            "Utan utökningen kan kansliet inte ge föreningarna den kompetensutveckling "
            "uppföljningen visar behov av, och små föreningars möjlighet att delta i "
            "samverkan med regionen begränsas."
        ),
        partner_request=(
            "Värmlands Idéburnas styrelse begär att partnerskapet utökas med ett "
            "utbildningsprogram för föreningarnas styrelser, och bidrar själv med rådgivning "
            "från medlemsorganisationerna."
        ),
    ),
    "funktionsratt": Change(
        amount=200_000,  # the real decision: + 200 000 kronor per helår
        starts_after=Transition.START_RENEGOTIATION,
        months_after=FUNKTIONSRATT_START_MONTHS,
        needs=(
            "Efterfrågan på tillgänglighetsombudens utbildningar och granskningar har ökat "
            "sedan partnerskapet ingicks, och fler av regionens kultur- och "
            "bildningsverksamheter vill anlita dem."
        ),
        consequences=(
            "Utan utökningen kan Funktionsrätt Värmland inte utbilda fler ombud, och "
            "regionens verksamheter får vänta längre på tillgänglighetsgranskningar."
        ),
        partner_request=(
            "Funktionsrätt Värmland begär att regionens medfinansiering utökas, så att "
            "förbundet kan anställa en samordnare för tillgänglighetsombuden."
        ),
    ),
}

# Region Värmland's logo as the demo draws it (not the real logo): text on a coloured band.
LOGO_FILE = "region-varmland-demo.png"
LOGO_TEXT = "Region Värmland"
LOGO_COLOURS = ("#00594f", "#ffffff")  # background, text (contrast well above 4.5:1)
