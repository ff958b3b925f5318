"""Demonstration maps: seven made-up community organisations in the spirit of the Keep it Local research (a
neighbourhood partnership convening a stakeholders' group, a domestic-abuse service working with the NHS and children's
social care, community hubs, a food bank, a young carers' service, a carers' trust), each with a map of 30 to 120
elements, connections that began and ended over two years (so the map a year ago differs from today's), a few
confirmed by the other side, and shared with its council. Generated from fixed seeds through the same import the
platform offers; every organisation is marked as demonstration data."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from keepitlocal.connections import services
from keepitlocal.connections.engine.model import Connection, Direction, Element, Kind, Network, Sector
from keepitlocal.connections.models import ConnectionMap, MapConnection
from keepitlocal.network.models import Council, Organisation

CALDERDALE, BRISTOL, LEEDS = "E08000033", "E06000023", "E08000035"


@dataclass(frozen=True)
class Place:
    council: str
    towns: tuple[str, ...]
    wards: tuple[str, ...]
    trust: str


PLACES = {
    CALDERDALE: Place(
        "Calderdale",
        ("Halifax", "Todmorden", "Brighouse", "Hebden Bridge", "Sowerby Bridge", "Elland"),
        ("Park", "Ovenden", "Mixenden", "Illingworth", "Town", "Warley", "Calder"),
        "Calderdale and Huddersfield",
    ),
    BRISTOL: Place(
        "Bristol",
        ("Easton", "Bedminster", "Southmead", "Hartcliffe", "Lawrence Hill", "St Pauls"),
        ("Easton", "Lawrence Hill", "Filwood", "Hartcliffe and Withywood", "Southmead", "Ashley"),
        "North Bristol",
    ),
    LEEDS: Place(
        "Leeds",
        ("Armley", "Chapeltown", "Harehills", "Seacroft", "Beeston", "Bramley"),
        ("Armley", "Chapel Allerton", "Gipton and Harehills", "Killingbeck and Seacroft", "Beeston and Holbeck"),
        "Leeds Teaching Hospitals",
    ),
}

# Names by sector; {town}, {ward}, {council} and {trust} are filled from the place.
POOLS: dict[Sector, tuple[str, ...]] = {
    Sector.RESIDENTS: (
        "Older residents in {ward} ward", "Young parents in {ward}", "Tenants of the {ward} estate", "Young carers in {town}",
        "Refugee and asylum-seeking families in {town}", "Bangladeshi women's group, {ward}", "Residents of {town} high-rise flats",
        "Men living alone in {town}", "Families using the {town} food bank", "Young people not in school in {ward}",
        "Disabled residents' forum, {town}", "Carers of people with dementia, {town}", "Gypsy and Traveller families, {council}",
        "Residents' association, {ward}", "Parents of children with SEND, {town}", "Newly arrived Roma families, {ward}",
    ),
    Sector.PUBLIC: (
        "{town} Health Centre (GP practice)", "{ward} Medical Practice (GP practice)", "{ward} Primary School",
        "{town} Academy (secondary school)", "{town} Neighbourhood Policing Team", "{council} Council Adult Social Care",
        "{council} Council Children's Social Care", "{council} Council Housing Options", "{council} Council Public Health",
        "{trust} NHS Foundation Trust", "Jobcentre Plus {town}", "{town} Library", "{council} Community Mental Health Team",
        "{town} Primary Care Network social prescribers", "{council} Council Early Help", "Probation Service, {council}",
        "{council} Fire and Rescue, community safety", "Health visiting team, {town}", "{council} Council Neighbourhoods Team",
    ),
    Sector.VCSE: (
        "Citizens Advice {council}", "Age UK {council}", "Mind in {council}", "{town} Credit Union", "{town} Youth Club",
        "{town} Men's Shed", "{ward} Community Garden", "Home-Start {council}", "{council} Women's Aid", "{town} Sports Club",
        "{council} Carers' Centre", "{town} Food Co-operative", "{council} Law Centre", "{town} Community Transport",
        "{council} Refugee Support", "{ward} Tenants' and Residents' Association", "{town} Arts Collective",
        "{council} Council for Voluntary Service",
    ),
    Sector.BUSINESS: (
        "{town} Co-op store", "{town} Pharmacy", "{town} Bakery", "{town} builders' merchant", "{town} bus operator",
        "{town} Supermarket", "{town} Café",
    ),
    Sector.FAITH: (
        "St Mary's Church, {town}", "{town} Central Mosque", "{town} Methodist Church", "{town} Gurdwara",
        "Quaker Meeting House, {town}", "{ward} Baptist Church",
    ),
    Sector.FUNDER: (
        "National Lottery Community Fund", "Community Foundation for {council}", "Local Trust", "{council} Council ward grants",
        "Lloyds Bank Foundation", "BBC Children in Need", "Henry Smith Charity",
    ),
}  # fmt: skip

TYPES = {
    Sector.RESIDENTS: "Resident group",
    Sector.PUBLIC: "Public body",
    Sector.VCSE: "Voluntary and community organisation",
    Sector.BUSINESS: "Business",
    Sector.FAITH: "Faith group",
    Sector.FUNDER: "Funder",
}

# What ties to the organisation do, by the other side's sector.
KINDS = {
    Sector.RESIDENTS: (Kind.CONVENING, Kind.INFORMAL_SUPPORT, Kind.REFERRAL_IN, Kind.INFORMATION),
    Sector.PUBLIC: (Kind.REFERRAL_IN, Kind.REFERRAL_OUT, Kind.PARTNERSHIP, Kind.INFORMATION, Kind.JOINT_DELIVERY),
    Sector.VCSE: (Kind.PARTNERSHIP, Kind.JOINT_DELIVERY, Kind.REFERRAL_OUT, Kind.REFERRAL_IN, Kind.INFORMATION),
    Sector.BUSINESS: (Kind.INFORMAL_SUPPORT, Kind.FUNDING, Kind.INFORMATION),
    Sector.FAITH: (Kind.PARTNERSHIP, Kind.CONVENING, Kind.INFORMAL_SUPPORT),
    Sector.FUNDER: (Kind.FUNDING,),
}


@dataclass(frozen=True)
class DemoOrganisation:
    name: str
    council: str
    description: str
    size: int
    mix: dict[Sector, int]  # relative weights of sectors among its elements
    seed: int
    org_id: str = ""
    network: bool = False
    publish: bool = False


ORGANISATIONS = (
    DemoOrganisation(
        "Calder Valley Community Hub (demo)", CALDERDALE,
        "A made-up community anchor: advice, a café, a food pantry and groups for all ages.",
        110, {Sector.RESIDENTS: 5, Sector.PUBLIC: 5, Sector.VCSE: 5, Sector.BUSINESS: 2, Sector.FAITH: 1, Sector.FUNDER: 1},
        11, org_id="GB-CHC-1000002", network=True, publish=True,
    ),
    DemoOrganisation(
        "Park Ward Neighbourhood Partnership (demo)", CALDERDALE,
        "A made-up partnership that convenes a stakeholders' group of residents, services and local groups in Park ward.",
        80, {Sector.RESIDENTS: 6, Sector.PUBLIC: 4, Sector.VCSE: 4, Sector.BUSINESS: 2, Sector.FAITH: 2, Sector.FUNDER: 1},
        12,
    ),
    DemoOrganisation(
        "Calderdale Domestic Abuse Service (demo)", CALDERDALE,
        "A made-up specialist service working with the NHS, the police and children's social care.",
        45, {Sector.RESIDENTS: 2, Sector.PUBLIC: 7, Sector.VCSE: 3, Sector.BUSINESS: 0, Sector.FAITH: 1, Sector.FUNDER: 1},
        13,
    ),
    DemoOrganisation(
        "Todmorden Food Bank (demo)", CALDERDALE,
        "A made-up food bank with referral partners across the town.",
        35, {Sector.RESIDENTS: 3, Sector.PUBLIC: 4, Sector.VCSE: 3, Sector.BUSINESS: 3, Sector.FAITH: 2, Sector.FUNDER: 1},
        14,
    ),
    DemoOrganisation(
        "Easton Community Centre (demo)", BRISTOL,
        "A made-up community centre and hub for several neighbourhoods.",
        70, {Sector.RESIDENTS: 5, Sector.PUBLIC: 4, Sector.VCSE: 4, Sector.BUSINESS: 2, Sector.FAITH: 2, Sector.FUNDER: 1},
        15,
    ),
    DemoOrganisation(
        "Southville Young Carers (demo)", BRISTOL,
        "A made-up young carers' service working with schools, GPs and social care.",
        40, {Sector.RESIDENTS: 3, Sector.PUBLIC: 6, Sector.VCSE: 3, Sector.BUSINESS: 1, Sector.FAITH: 0, Sector.FUNDER: 1},
        16,
    ),
    DemoOrganisation(
        "Armley Carers Trust (demo)", LEEDS,
        "A made-up carers' charity with a network of peer-support groups.",
        55, {Sector.RESIDENTS: 4, Sector.PUBLIC: 5, Sector.VCSE: 3, Sector.BUSINESS: 1, Sector.FAITH: 1, Sector.FUNDER: 1},
        17,
    ),
)  # fmt: skip


def _names(place: Place, sector: Sector, rnd: random.Random) -> list[str]:
    """Every name the pool makes for the place, shuffled by the organisation's seed."""
    names = {
        template.format(town=town, ward=ward, council=place.council, trust=place.trust)
        for template in POOLS[sector]
        for town in place.towns[:3]
        for ward in place.wards[:3]
    }
    ordered = sorted(names)
    rnd.shuffle(ordered)
    return ordered


def _between(rnd: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rnd.randrange(max(1, (end - start).days)))


def build(spec: DemoOrganisation, today: date) -> Network:
    """One organisation's map: itself, its elements by the sector mix, its ties to them (most older than a year, some
    begun this year, some ended), ties among the others (some it introduced), and the network's other organisations in
    the same council as elements, so that the council's area map joins up."""
    rnd = random.Random(spec.seed)
    place = PLACES[spec.council]
    year_ago = today - timedelta(days=365)
    me = Element(spec.name, TYPES[Sector.VCSE], Sector.VCSE, spec.description, org_id=spec.org_id, place=place.council)
    total_weight = sum(spec.mix.values())
    chosen: list[Element] = []
    for sector, weight in spec.mix.items():
        count = round((spec.size - 1) * weight / total_weight)
        for label in _names(place, sector, rnd)[:count]:
            chosen.append(Element(label, TYPES[sector], sector, place=place.council))
    for peer in ORGANISATIONS:
        if peer.council == spec.council and peer.name != spec.name and rnd.random() < 0.8:
            chosen.append(Element(peer.name, TYPES[Sector.VCSE], Sector.VCSE, org_id=peer.org_id, place=place.council))
    connections: list[Connection] = []

    def tie(a: Element, b: Element, kind: Kind, introduced: str = "") -> None:
        since = _between(rnd, today - timedelta(days=365 * 6), year_ago) if rnd.random() < 0.7 else _between(rnd, year_ago, today)
        until = _between(rnd, year_ago + timedelta(days=30), today) if since < year_ago and rnd.random() < 0.12 else None
        if kind in (Kind.REFERRAL_IN, Kind.FUNDING):
            a, b, direction = b, a, Direction.DIRECTED
        elif kind is Kind.REFERRAL_OUT:
            direction = Direction.DIRECTED
        else:
            direction = Direction.MUTUAL
        connections.append(
            Connection(
                a.label, b.label, direction, type=kind.label, kind=kind, strength=float(rnd.randint(1, 5)),
                since=since, until=until, introduced_by=introduced,
                evidence=rnd.choice(("", "", "Referral records", "Partnership agreement", "Meeting notes", "Grant letter")),
            )
        )  # fmt: skip

    for element in chosen:
        assert element.sector is not None
        if element.sector is Sector.RESIDENTS or rnd.random() < 0.85:
            tie(me, element, rnd.choice(KINDS[element.sector]))
    services_and_groups = [e for e in chosen if e.sector is not Sector.RESIDENTS]
    residents = [e for e in chosen if e.sector is Sector.RESIDENTS]
    seen = {(c.source, c.target) for c in connections}
    for _ in range(len(services_and_groups) + len(services_and_groups) // 2):
        a, b = rnd.sample(services_and_groups, 2)
        if (a.label, b.label) in seen or (b.label, a.label) in seen:
            continue
        seen.add((a.label, b.label))
        tie(a, b, rnd.choice((Kind.PARTNERSHIP, Kind.INFORMATION, Kind.REFERRAL_OUT)), spec.name if rnd.random() < 0.3 else "")
    # A few resident groups also know one other group; most reach the system only through the organisation.
    for group in residents[: len(residents) // 4]:
        other = rnd.choice([e for e in services_and_groups if e.sector in (Sector.VCSE, Sector.FAITH)] or services_and_groups)
        tie(group, other, Kind.INFORMAL_SUPPORT)
    return Network((me, *chosen), tuple(connections))


@transaction.atomic
def load_demo_connections(today: date | None = None) -> bool:
    """Create the demonstration maps once; False when they are already there."""
    if ConnectionMap.objects.filter(is_demo=True).exists():
        return False
    today = today or timezone.localdate()
    for spec in ORGANISATIONS:
        council = Council.objects.get(gss_code=spec.council)
        organisation, _ = Organisation.objects.get_or_create(
            name=spec.name, defaults={"home_council": council, "description": spec.description, "is_demo": True}
        )
        if spec.org_id and not organisation.org_id and not Organisation.objects.filter(org_id=spec.org_id).exists():
            organisation.org_id = spec.org_id
            organisation.save(update_fields=["org_id"])
        cmap = services.map_for(organisation)
        cmap.is_demo = True
        cmap.save(update_fields=["is_demo"])
        services.import_network(cmap, build(spec, today), "Demo loader")
        services.save_sharing(cmap, [council], spec.network, spec.publish)
        # A few ties to the organisation confirmed by the other side (made up, as everything here).
        me = services.self_element(cmap)
        for connection in MapConnection.objects.filter(map=cmap, source=me, until__isnull=True).order_by("pk")[
            :: max(1, spec.size // 8)
        ][:6]:
            connection.confirmed_at = timezone.now()
            connection.confirmed_by = f"{connection.target.label} (demo)"
            connection.save(update_fields=["confirmed_at", "confirmed_by"])
        ConnectionMap.objects.filter(pk=cmap.pk).update(updated_at=timezone.now())
    return True
