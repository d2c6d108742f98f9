"""The partner organisations of the demo story (DOMAIN.md §9): data only, played by
``partners.demo``.

The names of the first nine organisations are real (Region Värmland's partners in the auditors'
pre-study); everything else about them is invented: organisation numbers, addresses, e-mail
addresses, phone numbers and people. The last four organisations are invented outright.
"""

from __future__ import annotations

from dataclasses import dataclass


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


# --- The grants the organisations declared (the double-funding check, iop.funding) -----------


@dataclass(frozen=True)
class DemoGrant:
    organisation: str  # the organisation's key above
    giver: str
    purpose: str
    amount: int  # kronor
    year_offset: int  # the grant's year: the story's year plus this (0 = this year)
    # Declared this many days after the organisation's initiative was received (recorded by
    # its case officer); ``withdrawn_after`` days later withdrawn with ``withdrawn_reason``.
    declared_after: int = 0
    withdrawn_after: int | None = None
    withdrawn_reason: str = ""


GRANTS = (
    # The warning of the demo: Arvsfonden funds the same digital meeting places for older
    # people that the association has asked the region to fund in its IOP.
    DemoGrant(
        organisation="bildning",
        giver="Arvsfonden",
        purpose="Digitala träffpunkter för äldre i bygdegårdar i norra Värmland",
        amount=450_000,
        year_offset=0,
        declared_after=3,
    ),
    # Its ordinary operating grant: another activity, no warning (checklist rv2 says so).
    DemoGrant(
        organisation="bildning",
        giver="Region Värmland kultur",
        purpose="Organisationsbidrag till förbundets ordinarie studieverksamhet",
        amount=120_000,
        year_offset=0,
        declared_after=3,
    ),
    DemoGrant(
        organisation="fritidsbanken",
        giver="Karlstads kommun",
        purpose="Lokalhyra för förrådet på Verkstadsgatan",
        amount=60_000,
        year_offset=-1,
        declared_after=10,
    ),
    # Before the initiative's year: listed, not counted as overlapping.
    DemoGrant(
        organisation="ungaroster",
        giver="Arvsfonden",
        purpose="Ledarutbildning för unga kulturarrangörer",
        amount=300_000,
        year_offset=-2,
        declared_after=1,
    ),
    # Declared by mistake and withdrawn: kept on record, never counted.
    DemoGrant(
        organisation="lasandebygd",
        giver="Svenska Akademien",
        purpose="Läsestunder för barn i bygdegårdarna",
        amount=40_000,
        year_offset=0,
        declared_after=20,
        withdrawn_after=2,
        withdrawn_reason=(
            "Ansökan beviljades inte; föreningen anmälde bidraget innan beslutet kom."
        ),
    ),
)
