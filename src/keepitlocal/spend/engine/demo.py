"""Made-up spend with the shape of real councils' published files, for the demonstration (never real payments).

One call, `generate(...)`, builds a world: for each demo council a population of suppliers (several thousand, most of
them paid little, a few paid most of the money), the payments of each financial year as the council would publish
them (credit notes, redacted payees, service areas and expense types, company numbers on some rows), and the register
rows (charities, companies, postcodes, areas) that say where each organisation is based, so that locality works in
the demo without the real registers. Everything comes from one `random.Random` per council seeded from `seed`: the
same arguments give the same bytes on every machine.

The shape was taken from a real year (Calderdale, April to December 2021, ../shared/data/real/spend): about 1,300
suppliers in nine months, a quarter of the money to the top ten and three quarters to the top hundred, a third of
suppliers paid once, one row in twenty a credit note, a median payment near £1,200, and the council's own VCSE flag on
about a tenth of the spend. docs/SPEND.md ("The demonstration data") says what is made up and how.

Names are made up from word lists; postcodes use real outward codes of each area with inward codes in the "8Z?" and
"9Z?" ranges, which Royal Mail does not issue, and registration numbers sit in ranges apart from the fixed demo
organisations'. Pure Python: no Django, so the CLI or a notebook can generate the same files.
"""

from __future__ import annotations

import bisect
import csv
import io
import math
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum


class Kind(StrEnum):
    """What a made-up supplier is, which decides its name, its size, where it is based and the register it is in."""

    COMPANY = "company"  # a limited company, PLC or LLP, in the company register
    SOLE_TRADER = "sole-trader"  # a business in no register ("J Hirst Joinery")
    CHARITY = "charity"  # a registered charity
    CIC = "cic"  # a community interest company, in the company register
    GROUP = "group"  # a community group in no register ("Friends of Shibden Park")
    PUBLIC = "public"  # a school, a town council, an NHS trust...
    INDIVIDUAL = "individual"  # a person the council names ("Mrs J Whitaker")


class Reach(StrEnum):
    """Where a supplier is registered, from the paying council's point of view."""

    LOCAL = "local"  # in the council's own area
    REGION = "region"  # elsewhere in the council's region
    ELSEWHERE = "elsewhere"  # elsewhere in the country


@dataclass(frozen=True)
class Area:
    """A local authority district with made-up postcodes under its real outward codes."""

    gss_code: str
    name: str
    region_code: str
    region_name: str
    outward: tuple[str, ...]


@dataclass(frozen=True)
class CouncilShape:
    """One demo council: its area, its neighbours, the places its organisations are named after, and its size."""

    area: Area
    places: tuple[str, ...]
    neighbours: tuple[str, ...]  # GSS codes of districts in the same region
    suppliers: int  # how many suppliers it pays over the years generated
    vcse_growth: float  # how much more its community suppliers are paid each year (the Keep it Local story)
    redacted_name: str  # how this council writes a payee it redacts
    publishes_vcse_flag: bool  # whether its files carry its own VCSE column (Calderdale's do)
    seed: int


@dataclass
class Supplier:
    name: str
    kind: Kind
    reach: Reach
    postcode: str = ""
    number: str = ""  # company or charity number, when it has one
    annual: float = 0.0  # what it is paid in a typical year
    service: str = ""
    years: tuple[bool, ...] = ()  # whether it is paid in each year generated
    shared: bool = False  # a national supplier paid by every demo council


@dataclass
class World:
    """Everything generated: each council's suppliers and the registers that describe them."""

    years: tuple[int, ...]
    suppliers: dict[str, list[Supplier]] = field(default_factory=dict)  # by council GSS code
    areas: dict[str, Area] = field(default_factory=dict)  # every district a postcode is in, by GSS code
    councils: dict[str, CouncilShape] = field(default_factory=dict)


AREAS = {
    a.gss_code: a
    for a in [
        Area("E08000033", "Calderdale", "E12000003", "Yorkshire and The Humber", ("HX1", "HX2", "HX3", "HX4", "HX5", "HX6", "HX7", "HD6", "OL14")),
        Area("E08000035", "Leeds", "E12000003", "Yorkshire and The Humber", ("LS1", "LS2", "LS4", "LS6", "LS7", "LS8", "LS9", "LS10", "LS11", "LS13", "LS14", "LS15", "LS17", "LS25", "LS27")),
        Area("E06000023", "Bristol, City of", "E12000009", "South West", ("BS1", "BS2", "BS3", "BS4", "BS5", "BS6", "BS7", "BS8", "BS9", "BS10", "BS11", "BS13", "BS14")),
        Area("E08000034", "Kirklees", "E12000003", "Yorkshire and The Humber", ("HD1", "HD2", "WF13")),
        Area("E08000032", "Bradford", "E12000003", "Yorkshire and The Humber", ("BD1", "BD3", "BD7")),
        Area("E08000036", "Wakefield", "E12000003", "Yorkshire and The Humber", ("WF1", "WF2")),
        Area("E08000039", "Sheffield", "E12000003", "Yorkshire and The Humber", ("S1", "S3")),
        Area("E06000022", "Bath and North East Somerset", "E12000009", "South West", ("BA1", "BA2")),
        Area("E06000025", "South Gloucestershire", "E12000009", "South West", ("BS32", "BS34")),
        Area("E06000024", "North Somerset", "E12000009", "South West", ("BS23", "BS48")),
        Area("E08000003", "Manchester", "E12000002", "North West", ("M1", "M4", "M15")),
        Area("E08000004", "Oldham", "E12000002", "North West", ("OL1", "OL8")),
        Area("E08000025", "Birmingham", "E12000005", "West Midlands", ("B1", "B4", "B5")),
        Area("E09000033", "Westminster", "E12000007", "London", ("SW1A", "W1D")),
        Area("E09000001", "City of London", "E12000007", "London", ("EC1A", "EC2V")),
        Area("E08000021", "Newcastle upon Tyne", "E12000001", "North East", ("NE1",)),
        Area("E06000018", "Nottingham", "E12000004", "East Midlands", ("NG1",)),
    ]
}  # fmt: skip
# Districts outside every demo council's region: where national suppliers are based.
NATIONAL = ("E08000003", "E08000004", "E08000025", "E09000033", "E09000001", "E08000021", "E06000018")

COUNCILS = {
    "E08000033": CouncilShape(
        AREAS["E08000033"],
        ("Halifax", "Brighouse", "Elland", "Hebden Bridge", "Todmorden", "Sowerby Bridge", "Mytholmroyd", "Ripponden",
         "Shelf", "Northowram", "Hipperholme", "Illingworth", "Mixenden", "Ovenden", "Luddenden", "King Cross",
         "Rastrick", "Calder Valley", "Shibden", "Siddal"),
        ("E08000035", "E08000034", "E08000032", "E08000036", "E08000039"),
        suppliers=2600, vcse_growth=0.12, redacted_name="REDACTED UNDER DP ACT",
        publishes_vcse_flag=True, seed=3,
    ),
    "E06000023": CouncilShape(
        AREAS["E06000023"],
        ("Bedminster", "Easton", "Clifton", "Southville", "Knowle", "Hartcliffe", "Lawrence Hill", "St Pauls",
         "Filwood", "Henbury", "Lockleaze", "Fishponds", "Brislington", "Redland", "Cotham", "Withywood", "Avonmouth",
         "Horfield", "Avon Valley", "Harbourside"),
        ("E06000022", "E06000025", "E06000024"),
        suppliers=3400, vcse_growth=0.05, redacted_name="Redacted - personal data",
        publishes_vcse_flag=False, seed=5,
    ),
    "E08000035": CouncilShape(
        AREAS["E08000035"],
        ("Headingley", "Chapeltown", "Armley", "Kirkstall", "Horsforth", "Harehills", "Beeston", "Holbeck",
         "Seacroft", "Gipton", "Hunslet", "Bramley", "Pudsey", "Otley", "Wetherby", "Morley", "Rothwell", "Garforth",
         "Middleton", "Aire Valley"),
        ("E08000033", "E08000034", "E08000032", "E08000036", "E08000039"),
        suppliers=4200, vcse_growth=-0.02, redacted_name="PERSONAL DATA",
        publishes_vcse_flag=False, seed=7,
    ),
}  # fmt: skip

# Service areas (as "Directorate - Service") and what each kind of supplier is mostly paid for.
SERVICES = {
    "Adult Services and Wellbeing - Care at Home": ("care", "Contracted services"),
    "Adult Services and Wellbeing - Residential Care": ("care", "Third party payments"),
    "Adult Services and Wellbeing - Public Health": ("health", "Contracted services"),
    "Children and Young People - Early Help": ("community", "Grants to voluntary organisations"),
    "Children and Young People - Schools": ("education", "Third party payments"),
    "Children and Young People - Home to School Transport": ("transport", "Transport"),
    "Communities - Neighbourhoods": ("community", "Grants to voluntary organisations"),
    "Communities - Culture and Leisure": ("culture", "Supplies and services"),
    "Place - Highways and Engineering": ("construction", "Contracted services"),
    "Place - Waste and Street Scene": ("environment", "Contracted services"),
    "Place - Housing": ("construction", "Premises"),
    "Resources - ICT": ("digital", "Supplies and services"),
    "Resources - Facilities Management": ("facilities", "Premises"),
    "Resources - Finance and Legal": ("professional", "Supplies and services"),
}
TRADES = {
    "care": ["Care Services", "Home Care", "Support Services", "Care Homes", "Healthcare", "Care Group", "Living Support"],
    "health": ["Health Services", "Pharmacy", "Wellbeing Services", "Medical Supplies", "Therapy Services"],
    "community": ["Training", "Family Support", "Youth Services", "Learning"],
    "education": ["Education Services", "Tutoring", "Learning Resources", "School Supplies"],
    "transport": ["Travel", "Coaches", "Taxis", "Minibus Hire", "Private Hire", "Transport"],
    "culture": ["Events", "Productions", "Leisure", "Sound and Light", "Print"],
    "construction": ["Construction", "Civil Engineering", "Surfacing", "Groundworks", "Plant Hire", "Roofing",
                     "Building Services", "Joinery", "Electrical", "Plumbing and Heating", "Scaffolding"],
    "environment": ["Landscapes", "Tree Services", "Recycling", "Waste Management", "Grounds Maintenance"],
    "digital": ["IT Solutions", "Software", "Digital", "Systems", "Data Services", "Networks"],
    "facilities": ["Cleaning Services", "Facilities", "Security", "Catering", "Maintenance", "Lifts"],
    "professional": ["Consulting", "Legal Services", "Associates", "Recruitment", "Surveyors", "Architects", "Accountants"],
}  # fmt: skip
STEMS = ["Apex", "Northgate", "Crestline", "Brightwater", "Keystone", "Meridian", "Oakfield", "Ridgeway", "Summit",
         "Evergreen", "Pinnacle", "Clearview", "Redwood", "Ashbourne", "Beacon", "Cornerstone", "Fairway", "Highfield",
         "Ironbridge", "Kingfisher", "Lakeside", "Millstone", "Parkside", "Quayside", "Riverside", "Silverline",
         "Stonebridge", "Trinity", "Valley", "Westfield", "Woodland", "Amber", "Bluebell", "Copperfield", "Dalesway",
         "Eastwood", "Foxglove", "Granite", "Heron", "Juniper", "Larch", "Moorland", "Nightingale", "Orchard",
         "Pennine Edge", "Rowan", "Skyline", "Thornbury", "Upland", "Wharfe", "Yew Tree", "Zenith", "Acorn", "Birchwood"]  # fmt: skip
SURNAMES = ["Smith", "Hirst", "Whitaker", "Ahmed", "Sutcliffe", "Greenwood", "Patel", "Kaur", "Thornton", "Hussain",
            "Barker", "Crowther", "Walsh", "Mitchell", "Holroyd", "Khan", "Ackroyd", "Bentley", "Clegg", "Dyson",
            "Fielding", "Gledhill", "Haigh", "Ibbotson", "Jagger", "Lister", "Marsden", "Naylor", "Oldroyd", "Pickles",
            "Riley", "Shaw", "Taylor", "Uttley", "Wood", "Brown", "Jones", "Williams", "Evans", "Okafor", "Nowak",
            "Begum", "O'Brien", "Murphy", "Singh", "Chen", "Kowalski", "Mensah", "Ali", "Price", "Hughes", "Reid"]  # fmt: skip
FORMS = ["Ltd"] * 14 + ["Limited"] * 4 + ["PLC"] + ["LLP"] + ["& Sons Ltd"]
CAUSES = ["Food Bank", "Community Association", "Youth Project", "Carers Centre", "Mind", "Citizens Advice",
          "Women's Centre", "Credit Union", "Community Trust", "Development Trust", "Foodshare", "Scout Group",
          "Community Transport", "Age Concern", "Wellbeing Centre", "Refugee Support", "Dementia Support",
          "Community Hub", "Community Centre", "Family Centre", "Play Association", "Arts Centre", "Heritage Trust",
          "Sports Foundation", "Homeless Project", "Recovery Community", "Befriending Service", "Disability Forum",
          "Music Festival", "Parent Carers Forum", "Men's Shed Society", "Young Carers", "Advocacy",
          "Mental Health Association", "Foundation", "Hospice Trust", "Debt Advice Project", "Furniture Project"]  # fmt: skip
CIC_TRADES = ["Community Kitchen", "Green Spaces", "Wellbeing", "Arts", "Play", "Training", "Bike Hub", "Growing",
              "Digital Inclusion", "Community Energy", "Media", "Fitness", "Repair Cafe", "Wood Recycling"]  # fmt: skip
GROUPS = ["Friends of {p} Park", "{p} Residents Association", "{p} Bowling Club", "{p} Allotment Society",
          "{p} Cricket Club", "{p} Toddler Group", "{p} Village Hall", "{p} Tenants and Residents Association",
          "{p} Walking Group", "{p} Community Garden", "{p} Gala Committee", "{p} Over 60s Club"]  # fmt: skip
SOLE = ["{i} {s} Joinery", "{i} {s} Plumbing", "{s} Decorators", "{p} Tea Rooms", "{s} Taxis", "{i} {s} Electrical",
        "{p} Florist", "{s} Gardening", "{p} Minibuses", "{s} and Co", "{p} Sandwich Bar", "{i} {s} Locksmith"]  # fmt: skip
# Public bodies by what a council pays them for: schools and academies from the schools budget, town and parish
# councils from neighbourhood grants, and paid what such a council is paid (thousands a year, never millions).
PUBLIC = {
    "education": ["{p} Primary School", "{p} Academy", "{p} Infant School", "{p} High School", "{p} Nursery School",
                  "{p} Learning Trust"],
    "community": ["{p} Town Council", "{p} Parish Council"],
}  # fmt: skip
LOCAL_COUNCIL_PAID = (6_000, 0.8, 60_000)  # a town or parish council's yearly payments: median, sigma, at most
SMALL_SCHOOL_PAID = 2_500_000  # a primary, infant or nursery school's yearly budget from the council, at most
TITLES = ["Mr", "Mrs", "Ms", "Miss", "Dr"]
INITIALS = "ABCDEFGHJKLMNPRSTW"
# Inward codes Royal Mail does not issue ("9ZA" is the fixed demo organisations'), so no made-up postcode is real.
INWARD = [f"{d}Z{letter}" for d in "89" for letter in "BDEFGHJLNPQRSTUWXY"]

# Mix of suppliers by kind (share of suppliers), typical yearly payment size and the spread of what each is paid:
# (share, median yearly amount, sigma of the log of it, typical single payment).
MIX = {
    Kind.COMPANY: (0.59, 9_000, 2.1, 6_000),
    Kind.SOLE_TRADER: (0.09, 1_800, 1.1, 700),
    Kind.CHARITY: (0.10, 14_000, 1.7, 4_500),
    Kind.CIC: (0.03, 10_000, 1.5, 3_000),
    Kind.GROUP: (0.05, 1_200, 0.9, 600),
    Kind.PUBLIC: (0.07, 40_000, 1.8, 20_000),
    Kind.INDIVIDUAL: (0.07, 1_500, 1.0, 500),
}
# Where each kind is based: (local, region) shares; the rest is elsewhere.
REACH = {
    Kind.COMPANY: (0.33, 0.25),
    Kind.SOLE_TRADER: (0.9, 0.1),
    Kind.CHARITY: (0.72, 0.12),
    Kind.CIC: (0.8, 0.12),
    Kind.GROUP: (1.0, 0.0),
    Kind.PUBLIC: (1.0, 0.0),
    Kind.INDIVIDUAL: (1.0, 0.0),
}
# Services each kind of supplier is mostly paid under.
KIND_SERVICES = {
    Kind.CHARITY: ["community", "care", "health", "culture"],
    Kind.CIC: ["community", "health", "culture", "environment"],
    Kind.GROUP: ["community", "culture"],
    Kind.PUBLIC: list(PUBLIC),
    Kind.INDIVIDUAL: ["care", "community"],
}
NATIONAL_SUPPLIERS = 120  # companies every demo council pays (national contractors, software, utilities)
# Registration numbers above those the registers have issued (company numbers reach about 16 million, charity numbers
# about 1.2 million), so that no made-up organisation carries a real one's number.
COMPANY_NUMBERS = 19_000_001
CHARITY_NUMBERS = 1_900_001
MAX_PAYMENTS = 260  # a supplier paid weekly for five years, at most: keeps the demo files a sensible size


def financial_years(first: int, count: int) -> tuple[int, ...]:
    return tuple(range(first, first + count))


def generate(
    councils: Iterable[str] = tuple(COUNCILS), years: tuple[int, ...] = (2023, 2024, 2025), seed: int = 2026, scale: float = 1.0
) -> World:
    """Suppliers for each council (`scale` times its usual number, for quick tests) and the national suppliers they
    share. Deterministic for the same arguments."""
    world = World(years=years, areas=dict(AREAS))
    taken: set[str] = set()
    national = _national(random.Random(seed), years, taken, max(5, round(NATIONAL_SUPPLIERS * scale)))
    for gss_code in councils:
        shape = COUNCILS[gss_code]
        world.councils[gss_code] = shape
        rng = random.Random(seed * 1000 + shape.seed)
        count = max(40, round(shape.suppliers * scale))
        own = [_supplier(rng, shape, taken, years) for _ in range(count)]
        # Every council pays most national suppliers, each its own amount.
        shared = [
            Supplier(s.name, s.kind, Reach.ELSEWHERE, s.postcode, s.number, s.annual * rng.lognormvariate(0, 0.6),
                     rng.choice(list(SERVICES)), _active(rng, years, 0.9), shared=True)
            for s in national if rng.random() < 0.8
        ]  # fmt: skip
        world.suppliers[gss_code] = own + shared
    # Registration numbers in order of generation, so none is given twice.
    companies, charities = COMPANY_NUMBERS + len(national), CHARITY_NUMBERS
    for suppliers in world.suppliers.values():
        for s in suppliers:
            if s.shared or s.kind not in (Kind.COMPANY, Kind.CIC, Kind.CHARITY):
                continue
            if s.kind is Kind.CHARITY:
                s.number, charities = str(charities), charities + 1
            else:
                s.number, companies = f"{companies:08d}", companies + 1
    return world


def _national(rng: random.Random, years: tuple[int, ...], taken: set[str], count: int) -> list[Supplier]:
    out: list[Supplier] = []
    while len(out) < count:
        service = rng.choice(list(SERVICES))
        trade = rng.choice(TRADES[SERVICES[service][0]])
        name = f"{rng.choice(STEMS)} {trade} {rng.choice(['PLC', 'Ltd', 'Group Ltd', 'UK Ltd', 'Limited'])}"
        if name.lower() in taken:
            continue
        taken.add(name.lower())
        area = AREAS[rng.choice(NATIONAL)]
        out.append(Supplier(name, Kind.COMPANY, Reach.ELSEWHERE, _postcode(rng, area), f"{COMPANY_NUMBERS + len(out):08d}",
                            rng.lognormvariate(math.log(40_000), 1.9), service, _active(rng, years, 0.9)))  # fmt: skip
    return out


def _active(rng: random.Random, years: tuple[int, ...], stay: float) -> tuple[bool, ...]:
    """Paid in which years: a supplier paid one year is paid the next with probability `stay`, and one not paid starts
    with the probability that keeps the number paid each year steady (three in four of the suppliers ever paid)."""
    steady = 0.75
    start = steady * (1 - stay) / (1 - steady)
    on = rng.random() < steady
    active = []
    for _year in years:
        active.append(on)
        on = rng.random() < (stay if on else start)
    return tuple(active)


def _pick_kind(rng: random.Random) -> Kind:
    roll, total = rng.random(), 0.0
    for kind, (share, *_rest) in MIX.items():
        total += share
        if roll < total:
            return kind
    return Kind.COMPANY


def _supplier(rng: random.Random, shape: CouncilShape, taken: set[str], years: tuple[int, ...]) -> Supplier:
    while True:
        kind = _pick_kind(rng)
        local_share, region_share = REACH[kind]
        roll = rng.random()
        reach = Reach.LOCAL if roll < local_share else Reach.REGION if roll < local_share + region_share else Reach.ELSEWHERE
        area = shape.area if reach is Reach.LOCAL else AREAS[rng.choice(shape.neighbours if reach is Reach.REGION else NATIONAL)]
        service = rng.choice([s for s, (field_, _t) in SERVICES.items() if field_ in KIND_SERVICES.get(kind, [field_])])
        name = _name(rng, kind, service, shape, reach)
        if name.lower() not in taken:
            break
    taken.add(name.lower())
    _share, median, sigma, _payment = MIX[kind]
    annual = rng.lognormvariate(math.log(median), sigma)
    if kind is Kind.PUBLIC and SERVICES[service][0] == "community":
        paid, spread, most = LOCAL_COUNCIL_PAID
        annual = min(most, rng.lognormvariate(math.log(paid), spread))
    elif kind is Kind.PUBLIC and any(word in name for word in ("Primary", "Infant", "Nursery")):
        annual = min(annual, SMALL_SCHOOL_PAID)
    registered = kind in (Kind.COMPANY, Kind.CIC, Kind.CHARITY)
    postcode = _postcode(rng, area) if registered else ""
    churn = 0.85 if annual > 20_000 else 0.6
    return Supplier(name, kind, reach, postcode, "", annual, service, _active(rng, years, churn))


def _name(rng: random.Random, kind: Kind, service: str, shape: CouncilShape, reach: Reach) -> str:
    # A supplier based elsewhere is not named after one of the council's places.
    place = rng.choice(shape.places) if reach is Reach.LOCAL else rng.choice(STEMS)
    surname, initial = rng.choice(SURNAMES), rng.choice(INITIALS)
    if kind is Kind.COMPANY:
        trade = rng.choice(TRADES[SERVICES[service][0]])
        stem = rng.choice([place, rng.choice(STEMS), surname, f"{surname} and {rng.choice(SURNAMES)}"])
        return f"{stem} {trade} {rng.choice(FORMS)}"
    if kind is Kind.CIC:
        return f"{rng.choice([place, rng.choice(STEMS)])} {rng.choice(CIC_TRADES)} CIC"
    if kind is Kind.CHARITY:
        return f"{place} {rng.choice(CAUSES)}"
    if kind is Kind.GROUP:
        return rng.choice(GROUPS).format(p=place)
    if kind is Kind.SOLE_TRADER:
        return rng.choice(SOLE).format(i=initial, s=surname, p=place)
    if kind is Kind.PUBLIC:
        return rng.choice(PUBLIC[SERVICES[service][0]]).format(p=place)
    return f"{rng.choice(TITLES)} {initial} {surname}"


def _postcode(rng: random.Random, area: Area) -> str:
    return f"{rng.choice(area.outward)} {rng.choice(INWARD)}"


HEADER = ["Body Name", "Date", "Transaction Number", "Net Amount", "Supplier Name", "Expense Area", "Expense Type",
          "Supplier Registered Company Number"]  # fmt: skip
VCSE_FLAG = "Voluntary Community and Social Enterprise Supplier"


def payments(world: World, gss_code: str, year: int, fixed: Iterable[tuple[date, list[str]]] = ()) -> list[list[str]]:
    """One financial year of a council's payments (rows of HEADER, and the VCSE flag column when the council publishes
    one), sorted by date and numbered as councils publish them. `fixed` adds payments made elsewhere (dated rows in
    the same layout, their transaction number left for this to give)."""
    shape = world.councils[gss_code]
    index = world.years.index(year)
    rng = random.Random(shape.seed * 100_003 + year)
    start = date(year, 4, 1)
    # Working days of the year: councils pay on weekdays.
    days = [start + timedelta(days=d) for d in range(365) if (start + timedelta(days=d)).weekday() < 5]
    rows: list[tuple[date, list[str]]] = []
    for supplier in world.suppliers[gss_code]:
        if not supplier.years[index]:
            continue
        grow = (1 + shape.vcse_growth) ** index if supplier.kind in (Kind.CHARITY, Kind.CIC, Kind.GROUP) else 1.0
        annual = supplier.annual * grow * rng.lognormvariate(0, 0.25)
        typical = MIX[supplier.kind][3] if not supplier.shared else 12_000
        count = max(1, min(MAX_PAYMENTS, round(annual / typical * rng.uniform(0.6, 1.4))))
        # A person's care is paid to the council's redacting rule: most individuals' names are not published.
        name = shape.redacted_name if supplier.kind is Kind.INDIVIDUAL and rng.random() < 0.85 else supplier.name
        service, expense = supplier.service, SERVICES[supplier.service][1]
        weights = [rng.gammavariate(0.8, 1) for _ in range(count)]
        total = sum(weights)
        for weight in weights:
            amount = round(max(5.0, annual * weight / total), 2)
            paid = rng.choice(days)
            rows.append((paid, _row(shape, supplier, name, paid, amount, service, expense, rng)))
            # One payment in twenty is followed by a credit note: part of it refunded or an invoice cancelled.
            if rng.random() < 0.05:
                credit = -round(amount * rng.choice([1.0, rng.uniform(0.05, 0.6)]), 2)
                later = days[min(bisect.bisect_left(days, paid + timedelta(days=rng.randrange(5, 60))), len(days) - 1)]
                rows.append((later, _row(shape, supplier, name, later, credit, service, expense, rng)))
    rows.extend(fixed)
    rows.sort(key=lambda row: row[0])
    out = []
    for number, (_paid, row) in enumerate(rows, start=1):
        row[2] = f"{year % 100:02d}{number:06d}"
        out.append(row)
    return out


def _row(shape: CouncilShape, supplier: Supplier, name: str, paid: date, amount: float, service: str, expense: str,
         rng: random.Random) -> list[str]:  # fmt: skip
    # Councils publish a company number for some company suppliers, often without its leading zeros.
    number = supplier.number.lstrip("0") if supplier.kind in (Kind.COMPANY, Kind.CIC) and rng.random() < 0.4 else ""
    row = [body_name(shape), paid.strftime("%d/%m/%Y"), "", f"{amount:.2f}", name, service, expense, number]
    if shape.publishes_vcse_flag:
        vcse = supplier.kind in (Kind.CHARITY, Kind.CIC, Kind.GROUP) and name == supplier.name
        row.append("Y" if vcse else "")
    return row


def body_name(shape: CouncilShape) -> str:
    """The paying body as a demo file names it."""
    return shape.area.name.split(",")[0] + " Council (demo)"


def spend_file(world: World, gss_code: str, year: int, fixed: Iterable[tuple[date, list[str]]] = ()) -> bytes:
    """One financial year's payments as a CSV file, as the council would publish it (`fixed` as for payments)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER + ([VCSE_FLAG] if world.councils[gss_code].publishes_vcse_flag else []))
    writer.writerows(payments(world, gss_code, year, fixed))
    return out.getvalue().encode()


def register_rows(world: World) -> dict[str, list[list[str]]]:
    """Rows for the demo registers: charities (number, name, postcode, status, linked number), companies (name, number,
    postcode, category, status, SIC) and postcodes (postcode, district, region), each organisation once."""
    charities: dict[str, list[str]] = {}
    companies: dict[str, list[str]] = {}
    postcodes: dict[str, list[str]] = {}
    districts = {postcode_area: a for a in world.areas.values() for postcode_area in a.outward}
    for suppliers in world.suppliers.values():
        for s in suppliers:
            if not s.number:
                continue
            if s.kind is Kind.CHARITY:
                charities[s.number] = [s.number, s.name, s.postcode, "Registered", "0"]
            else:
                category = "Community Interest Company" if s.kind is Kind.CIC else (
                    "Public Limited Company" if "PLC" in s.name else "Limited Liability Partnership" if "LLP" in s.name
                    else "Private Limited Company")  # fmt: skip
                register_name = s.name.upper().replace(" LIMITED", " LTD") if s.kind is Kind.COMPANY else s.name.upper()
                companies[s.number] = [register_name, s.number, s.postcode, category, "Active", _sic(s.service)]
            area = districts[s.postcode.split()[0]]
            postcodes[s.postcode] = [s.postcode, area.gss_code, area.region_code]
    return {"charities": list(charities.values()), "companies": list(companies.values()), "postcodes": list(postcodes.values())}


def _sic(service: str) -> str:
    return {
        "care": "88100 - Social work activities without accommodation for the elderly and disabled",
        "health": "86900 - Other human health activities",
        "construction": "42990 - Construction of other civil engineering projects n.e.c.",
        "digital": "62020 - Information technology consultancy activities",
        "facilities": "81100 - Combined facilities support activities",
        "professional": "70229 - Management consultancy activities other than financial management",
        "transport": "49320 - Taxi operation",
        "environment": "38110 - Collection of non-hazardous waste",
        "education": "85590 - Other education n.e.c.",
        "culture": "90010 - Performing arts",
        "community": "88990 - Other social work activities without accommodation n.e.c.",
    }[SERVICES[service][0]]
