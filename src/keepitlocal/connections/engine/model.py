"""A relationship map: elements (organisations, public bodies, businesses, funders, faith groups, groups of residents)
and the connections between them, each with its dates, so the map can be read as at any day."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum


class Sector(StrEnum):
    """Which part of the local system an element belongs to; brokerage and the E-I index treat sectors as groups."""

    RESIDENTS = "residents"
    VCSE = "vcse"
    PUBLIC = "public"
    BUSINESS = "business"
    FAITH = "faith"
    FUNDER = "funder"

    @property
    def label(self) -> str:
        return _SECTOR_LABELS[self]

    @property
    def plural(self) -> str:
        return _SECTOR_PLURALS[self]

    @classmethod
    def from_words(cls, text: str) -> Sector | None:
        """The sector a type written by a person names, by its words ('GP practice', 'Residents of Park ward',
        'Parish church', 'Community Interest Company'), or None when no word says."""
        words = _words(text)
        if not words:
            return None
        joined = " ".join(words)
        for value in cls:
            if value.value == joined or value.label.casefold() == joined:
                return value
        # Councils first ("parish council" is public, not faith); phrases before their single words.
        for sector, phrases in _SECTOR_PHRASES:
            for phrase in phrases:
                if re.search(rf"(?:^| ){re.escape(phrase)}(?: |$)", joined):
                    return sector
        return None


_SECTOR_LABELS = {
    Sector.RESIDENTS: "Resident group",
    Sector.VCSE: "Voluntary and community organisation",
    Sector.PUBLIC: "Public body",
    Sector.BUSINESS: "Business",
    Sector.FAITH: "Faith group",
    Sector.FUNDER: "Funder",
}
_SECTOR_PLURALS = {
    Sector.RESIDENTS: "resident groups",
    Sector.VCSE: "voluntary and community organisations",
    Sector.PUBLIC: "public bodies",
    Sector.BUSINESS: "businesses",
    Sector.FAITH: "faith groups",
    Sector.FUNDER: "funders",
}
_SECTOR_PHRASES: tuple[tuple[Sector, tuple[str, ...]], ...] = (
    (Sector.PUBLIC, ("council", "councils", "local authority", "nhs")),
    # Phrases whose words would otherwise point elsewhere ("public", "school").
    (Sector.BUSINESS, ("public house",)),
    (Sector.FAITH, ("sunday school",)),
    (
        Sector.FAITH,
        (
            "faith",
            "church",
            "churches",
            "mosque",
            "temple",
            "gurdwara",
            "synagogue",
            "parish",
            "chapel",
            "diocese",
            "mandir",
            "congregation",
            "interfaith",
        ),
    ),
    (
        Sector.FUNDER,
        (
            "funder",
            "funders",
            "foundation",
            "grant maker",
            "grantmaker",
            "grant making",
            "lottery",
            "philanthropy",
            "philanthropic",
            "funding body",
        ),
    ),
    (
        Sector.VCSE,
        (
            "vcse",
            "vcs",
            "vcfse",
            "voluntary",
            "charity",
            "charities",
            "charitable",
            "community organisation",
            "community group",
            "social enterprise",
            "community interest company",
            "cic",
            "cio",
            "co operative",
            "cooperative",
            "mutual aid",
            "third sector",
            "not for profit",
            "non profit",
            "community hub",
            "community centre",
            "tenants and residents association",
            "association",
        ),
    ),
    (
        Sector.PUBLIC,
        (
            "public",
            "public body",
            "public sector",
            "gp",
            "gps",
            "surgery",
            "health centre",
            "hospital",
            "school",
            "schools",
            "academy",
            "college",
            "university",
            "police",
            "fire",
            "probation",
            "jobcentre",
            "dwp",
            "icb",
            "ccg",
            "social care",
            "social services",
            "health visiting",
            "library",
            "government",
            "government department",
        ),
    ),
    (
        Sector.BUSINESS,
        (
            "business",
            "businesses",
            "company",
            "ltd",
            "limited",
            "plc",
            "llp",
            "firm",
            "shop",
            "retailer",
            "employer",
            "private sector",
            "supermarket",
            "cafe",
            "pub",
            "enterprise",
        ),
    ),
    (
        Sector.RESIDENTS,
        (
            "resident",
            "residents",
            "tenants",
            "parents",
            "families",
            "carers",
            "neighbours",
            "people",
            "young people",
            "older people",
            "community members",
            "households",
        ),
    ),
)


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.casefold().replace("&", " and "))


class Direction(StrEnum):
    """Kumu's three directions: one way (from -> to), both ways named, or no way named."""

    DIRECTED = "directed"
    MUTUAL = "mutual"
    UNDIRECTED = "undirected"

    @property
    def label(self) -> str:
        return {"directed": "One way", "mutual": "Both ways", "undirected": "Not stated"}[self.value]

    @classmethod
    def from_words(cls, text: str) -> Direction | None:
        words = " ".join(_words(text))
        if words in ("", "undirected", "none", "not stated", "no direction"):
            return cls.UNDIRECTED if words else None
        if words in ("directed", "one way", "from to", "to", "forward", "out"):
            return cls.DIRECTED
        if words in ("mutual", "both", "both ways", "two way", "bidirectional", "reciprocal"):
            return cls.MUTUAL
        return None


class Kind(StrEnum):
    """What a connection does."""

    REFERRAL_IN = "referral-in"
    REFERRAL_OUT = "referral-out"
    PARTNERSHIP = "partnership"
    JOINT_DELIVERY = "joint-delivery"
    FUNDING = "funding"
    INFORMATION = "information"
    CONVENING = "convening"
    INFORMAL_SUPPORT = "informal-support"

    @property
    def label(self) -> str:
        return self.value.replace("-", " ").capitalize()

    @classmethod
    def from_words(cls, text: str) -> Kind | None:
        joined = " ".join(_words(text))
        for kind in cls:
            if joined == kind.label.casefold() or joined == kind.value.replace("-", " "):
                return kind
        return None


# The most one organisation's map may hold: several times the largest real maps of an organisation's relationships
# (hundreds of elements), and the size every measure is worked out for in a couple of seconds (benchmarks/
# connections.py). A council's area joins many maps, so it may be larger; its measures are worked out in the
# background (connections.services.area_figures).
MAX_ELEMENTS = 5_000
MAX_CONNECTIONS = 25_000


def size_problems(elements: int, connections: int, where: str = "The map") -> list[str]:
    """What is wrong with a map of this size, in words (nothing when within the bounds)."""
    found = []
    if elements > MAX_ELEMENTS:
        found.append(f"{where} would hold {elements:,} elements; a map may hold at most {MAX_ELEMENTS:,}.")
    if connections > MAX_CONNECTIONS:
        found.append(f"{where} would hold {connections:,} connections; a map may hold at most {MAX_CONNECTIONS:,}.")
    return found


# Longest text each field may hold (the platform's columns); longer is a problem on its row of a file, not a failed save.
LIMITS = {"label": 200, "type": 100, "org_id": 40, "place": 200, "tags": 500, "recorded_by": 200}


def label_key(label: str) -> str:
    """The identity of an element within a map: its label with case and spacing ignored (Kumu matches connections
    to elements by label, and 'Park Ward residents ' is the same element as 'park ward residents')."""
    return " ".join(label.split()).casefold()


@dataclass(frozen=True)
class Element:
    """One node of a map. `type` is as written (a Kumu Type, 'GP practice'); `sector` is what it names, if anything.
    `fields` keeps every other column as given, in order, so a workbook goes back out as it came in."""

    label: str
    type: str = ""
    sector: Sector | None = None
    description: str = ""
    tags: tuple[str, ...] = ()
    org_id: str = ""
    place: str = ""
    fields: tuple[tuple[str, str], ...] = ()

    @property
    def key(self) -> str:
        return label_key(self.label)

    @property
    def group(self) -> str:
        """The group brokerage and the E-I index count by: the sector, else the type as written, else 'Not stated'."""
        if self.sector is not None:
            return self.sector.label
        return " ".join(self.type.split()) or "Not stated"


@dataclass(frozen=True)
class Connection:
    """One tie, by the labels of its ends. `introduced_by` names the element that brokered it."""

    source: str
    target: str
    direction: Direction = Direction.DIRECTED
    type: str = ""
    kind: Kind | None = None
    strength: float | None = None
    since: date | None = None
    until: date | None = None
    introduced_by: str = ""
    recorded_by: str = ""
    evidence: str = ""
    confirmed: bool = False
    description: str = ""
    tags: tuple[str, ...] = ()
    fields: tuple[tuple[str, str], ...] = ()

    @property
    def ends(self) -> tuple[str, str]:
        return label_key(self.source), label_key(self.target)

    @property
    def identity(self) -> tuple[str, str, str]:
        """Re-importing updates the connection with the same ends and kind (or, with no kind, type in the same words)
        rather than adding another: "Referral in" and "referral-in" are one connection."""
        return label_key(self.source), label_key(self.target), connection_kind_key(self.kind, self.type)

    def current_on(self, day: date) -> bool:
        """Whether the tie existed on `day`: begun on or before it (or undated) and not ended on or before it."""
        return (self.since is None or self.since <= day) and (self.until is None or self.until > day)


def connection_kind_key(kind: Kind | None, type_: str) -> str:
    """What tells two connections between the same ends apart: their kind, or with no kind their type's words."""
    return kind.value if kind is not None else " ".join(_words(type_))


@dataclass(frozen=True)
class Network:
    """A whole map. Every connection's ends are elements of it (the readers check)."""

    elements: tuple[Element, ...]
    connections: tuple[Connection, ...]
    element_fields: tuple[str, ...] = field(default=())
    connection_fields: tuple[str, ...] = field(default=())
    # The known columns the file had (None: all of them), so that importing a file with fewer columns into a map
    # changes only what the file says. Not part of what the map is.
    element_columns: frozenset[str] | None = field(default=None, compare=False)
    connection_columns: frozenset[str] | None = field(default=None, compare=False)

    def by_key(self) -> dict[str, Element]:
        return {element.key: element for element in self.elements}

    def at(self, day: date) -> Network:
        """The map as it stood on `day`: every element, and the connections current then."""
        return replace(self, connections=tuple(c for c in self.connections if c.current_on(day)))
