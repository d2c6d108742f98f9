"""The follow-up's part of the demo story (DOMAIN.md §8, SCENARIOS.md): data only, played by
``followups.demo``. Every date is a number of days before the day the demo loads.

- Every partnership the story makes active has its check-ins held (notes, agreed actions) and
  its annual evaluations made with the organisation's annual report, shortly before each falls
  due. IOP-stöd's follow-up came into use ``MODULE_SINCE_DAYS`` ago: on that day the officers
  entered the latest check-in and evaluation before it from their notes and the diarium as
  *earlier follow-ups*; since then they record them in the system.
- The committee's follow-ups are the committee's decisions (``decisions.demo_story``):
  Kultur- och bildningsnämnden's partnerships have theirs on time, and Funktionsrätt
  Värmland's first one falls due a month after the demo loads, its report written and its
  matter prepared. Hälso- och sjukvårdsnämnden's three partnerships have had **none** since
  they became active — the auditors' finding: the oversight shows them red.
- Anna's Monday (SCENARIOS.md): the check-in with Fritidsbanken falls due in the coming
  fortnight and is booked for this coming Thursday; the first annual report from Agera has not
  arrived, its evaluation twelve days overdue. Agera Värmland has given notice: its end date
  and the wind-down plan's deadline are ahead.
- Johan is on sick leave this week and next: Anna, his substitute, gets his reminders.
"""

from __future__ import annotations

from dataclasses import dataclass

# IOP-stöd's follow-up came into use this many days before the demo loads.
MODULE_SINCE_DAYS = 450
# A check-in or evaluation is held this many days before it falls due …
HELD_DAYS_BEFORE_DUE = 9
# … or, when it falls due in the coming fortnight, already this many days ago.
HELD_EARLY_DAYS_AGO = 3
# The officer writes the notes in the afternoon after the meeting.
NOTES_HOUR = 15

# The check-in that is booked, not yet held (organisation key -> the booking).


@dataclass(frozen=True)
class Booking:
    booked_days_ago: int
    hour: int  # on the coming Thursday
    duration_minutes: int
    location: str


BOOKED = {
    "fritidsbanken": Booking(
        booked_days_ago=6,
        hour=13,
        duration_minutes=90,
        location="Fritidsbankens utlåning, Våxnäsgatan 16, Karlstad",
    )
}

# The annual reports that have not arrived: no evaluation of the year that fell due last.
REPORT_NOT_ARRIVED = frozenset({"agera"})


@dataclass(frozen=True)
class Notice:
    given_days_ago: int
    registered_days_ago: int
    given_by: str  # iop.constants.NoticeGivenBy
    reason: str
    letter_title: str
    letter: str  # the letter's text, paragraphs separated by blank lines


NOTICES = {
    "agera": Notice(
        given_days_ago=45,
        registered_days_ago=44,
        given_by="organisation",
        reason=(
            "Agera Värmlands årsmöte har beslutat att avveckla föreningens verksamhet i "
            "Värmland. Språkcaféerna förs över till studieförbunden, och föreningen har inte "
            "längre de volontärer partnerskapet bygger på."
        ),
        letter_title="Uppsägning av överenskommelsen om idéburet offentligt partnerskap",
        letter=(
            "Agera Värmland säger härmed upp överenskommelsen om idéburet offentligt "
            "partnerskap med Region Värmland, med den uppsägningstid om sex månader som "
            "överenskommelsen anger.\n\n"
            "Föreningens årsmöte har beslutat att avveckla verksamheten i Värmland. "
            "Språkcaféerna i de fyra kommunerna förs över till studieförbunden under "
            "uppsägningstiden, så att deltagarna kan fortsätta träffas.\n\n"
            "Vi föreslår att parterna tillsammans tar fram en avvecklingsplan vid nästa "
            "avstämningsmöte."
        ),
    )
}


@dataclass(frozen=True)
class Report:
    """The biennial follow-up report: written, then its committee matter prepared. The
    cooperation, background and contributions start from the case and its agreement
    (``followups.services.reports.report_prefill``); the officer writes the other two."""

    written_days_ago: int
    prepared_days_ago: int
    goal_fulfilment: str
    development: str


REPORTS = {
    "funktionsratt": Report(
        written_days_ago=20,
        prepared_days_ago=18,
        goal_fulfilment=(
            "Under de två åren har Funktionsrätt Värmland utbildat 24 tillgänglighetsombud, "
            "och ombuden har granskat tjugo av regionens kultur- och bildningsverksamheter. "
            "Tolv av dem har redan åtgärdat det granskningen visade. Målet om tio granskade "
            "verksamheter om året är nått."
        ),
        development=(
            "Efterfrågan på granskningar är större än ombuden hinner med; parterna har därför "
            "omförhandlat partnerskapet. Nästa period ska folkhögskolorna och studieförbunden "
            "nås, och ombuden få fortbildning i digital tillgänglighet."
        ),
    )
}


@dataclass(frozen=True)
class Away:
    username: str
    registered_by: str
    note: str
    weeks: int  # from Monday this week to Friday of the last week


ABSENCES = (Away("johan", "karin", "Sjukskriven", weeks=2),)

# What was said at the check-ins, in turn ({organisation}: the organisation's name), and the
# actions agreed: (what, who — "officer" for the case's officer, "organisation" for its
# contact, and by how many days after the meeting).
CHECK_IN_NOTES = (
    "Genomgång av handlingsplanen: aktiviteterna löper enligt plan. {organisation} berättade "
    "om deltagandet det senaste halvåret och om två nya samarbeten med kommunerna.",
    "Parterna gick igenom budgeten för året och det ideella arbetets omfattning. "
    "{organisation} lyfte att det är svårt att rekrytera nya volontärer på landsbygden.",
    "Uppföljning av målen: deltagandet har ökat, särskilt bland unga. Parterna diskuterade "
    "hur resultaten ska redovisas i årsredovisningen och till nämnden.",
    "{organisation} presenterade höstens program. Regionen informerade om sina "
    "kulturverksamheter och om möjligheten att använda regionens lokaler.",
)
CHECK_IN_ACTIONS = (
    (
        ("Skicka deltagarstatistiken för halvåret", "organisation", 30),
        ("Boka lokal för nästa avstämningsmöte", "officer", 60),
    ),
    (("Ta fram ett förslag på gemensam rekryteringsinsats", "organisation", 45),),
    (
        ("Stämma av årsredovisningens upplägg med regionens controller", "officer", 30),
        ("Samla in deltagarnas synpunkter", "organisation", 60),
    ),
    (("Bjuda in kultursekretariatet till nästa möte", "officer", 90),),
)
# The check-in held after the notice (the organisation key -> the notes).
CHECK_IN_NOTES_AFTER_NOTICE = (
    "Mötet handlade om avvecklingen efter uppsägningen. {organisation} arbetar med "
    "årsredovisningen för det första året och lovade att skicka den så snart styrelsen har "
    "godkänt den. Parterna ska ta fram en avvecklingsplan tillsammans."
)

EVALUATION_TEXT = (
    "Årlig uppföljning av partnerskapet med {organisation} utifrån föreningens "
    "årsredovisning för {year}. Verksamheten har bedrivits enligt överenskommelsen och "
    "handlingsplanen, och medfinansieringen har använts till det som avtalats. Det ideella "
    "arbetet motsvarar det parterna räknade med."
)
EVALUATION_PUBLIC_VIEW = (
    "Regionen bedömer att partnerskapet bidrar till målen i överenskommelsen och når "
    "målgruppen. Redovisningen är tydlig."
)
EVALUATION_ORGANISATION_VIEW = (
    "{organisation} upplever samarbetet som jämbördigt och vill utveckla det vidare, särskilt "
    "utanför Karlstad."
)
ANNUAL_REPORT_TITLE = "Verksamhetsberättelse och ekonomisk redovisning {year}"
ANNUAL_REPORT_TEXT = (
    "Föreningen har under {year} bedrivit verksamhet enligt överenskommelsen om idéburet "
    "offentligt partnerskap med Region Värmland.",
    "Styrelsen har haft tio protokollförda möten. Verksamheten har engagerat ett hundratal "
    "ideella, och deltagandet har ökat jämfört med föregående år.",
    "Den ekonomiska redovisningen visar att regionens medfinansiering har använts för de "
    "aktiviteter handlingsplanen anger. Revisorerna tillstyrker ansvarsfrihet.",
)
# Where the check-ins and evaluations before the follow-up module are recorded.
EARLIER_CHECK_IN_REFERENCE = "Minnesanteckningar från avstämningsmötet {date}, {number}"
EARLIER_EVALUATION_REFERENCE = (
    "Årlig uppföljning {date}, årsredovisningen diarieförd i ärendet {number}"
)
