"""What the directory's pages and the API read: a council's directory filtered as people ask, and one organisation
with everything the platform knows of it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from keepitlocal.connections import services as connections
from keepitlocal.connections.models import ConnectionMap
from keepitlocal.directory.engine.sectors import Sector
from keepitlocal.directory.models import Attribute, CommunityAsset, DirectoryOrganisation, Service, TaxonomyTerm
from keepitlocal.network.models import Council
from keepitlocal.value import services as value
from keepitlocal.value.models import ConnectionsContext


def _outward(postcode: str) -> str:
    compact = postcode.replace(" ", "").upper()
    return compact[:-3] if len(compact) > 4 else compact


@dataclass(frozen=True)
class Listing:
    organisation: DirectoryOrganisation
    sector: Sector
    places: list[str]  # towns, with postcode districts
    categories: list[TaxonomyTerm]


@dataclass(frozen=True)
class Directory:
    listings: list[Listing]
    categories: list[TaxonomyTerm]
    places: list[str]
    sectors: list[Sector]
    chosen: dict[str, str]

    @property
    def filters(self) -> list[tuple[str, str, list[tuple[str, str]]]]:
        """Each filter: its parameter, its label, and its options (value, label)."""
        return [
            ("category", "Category", [(str(t.pk), t.name) for t in self.categories]),
            ("sector", "Sector", [(s.value, s.label) for s in self.sectors]),
            ("place", "Place", [(p, p) for p in self.places]),
        ]


def _categories_by_service(services: list[Service]) -> dict[str, list[TaxonomyTerm]]:
    found: dict[str, list[TaxonomyTerm]] = {}
    for attribute in Attribute.objects.filter(link_id__in=[s.pk for s in services]).select_related("taxonomy_term"):
        found.setdefault(str(attribute.link_id), []).append(attribute.taxonomy_term)
    return found


def directory(council: Council, params: Mapping[str, str]) -> Directory:
    """The council's directory, narrowed by `q` (words in a name or a service), `category` (a term's id), `sector`
    and `place` (a town or postcode district); with every option there is to choose."""
    entries = list(
        DirectoryOrganisation.objects.filter(council=council).prefetch_related(
            "identifiers", Prefetch("services", queryset=Service.objects.prefetch_related("at_locations__location__addresses"))
        )
    )
    every_service = [s for e in entries for s in e.services.all()]
    by_service = _categories_by_service(every_service)
    listings = []
    for entry in entries:
        addresses = [a for s in entry.services.all() for at in s.at_locations.all() for a in at.location.addresses.all()]
        places = sorted({f"{a.city} ({_outward(a.postal_code)})" for a in addresses})
        terms = {t.pk: t for s in entry.services.all() for t in by_service.get(str(s.pk), [])}
        listings.append(Listing(entry, Sector.of(entry.org_id), places, sorted(terms.values(), key=lambda t: t.name)))
    all_terms = sorted({t.pk: t for listing in listings for t in listing.categories}.values(), key=lambda t: t.name)
    all_places = sorted({p for listing in listings for p in listing.places})
    all_sectors = sorted({listing.sector for listing in listings}, key=lambda s: s.label)
    chosen = {k: params.get(k, "").strip() for k in ("q", "category", "sector", "place")}
    if chosen["q"]:
        words = chosen["q"].lower().split()
        listings = [
            x for x in listings
            if all(w in " ".join([x.organisation.name, x.organisation.description, *(s.name for s in x.organisation.services.all())]).lower() for w in words)
        ]  # fmt: skip
    if chosen["category"]:
        listings = [x for x in listings if any(str(t.pk) == chosen["category"] for t in x.categories)]
    if chosen["sector"]:
        listings = [x for x in listings if x.sector.value == chosen["sector"]]
    if chosen["place"]:
        listings = [x for x in listings if chosen["place"] in x.places]
    return Directory(listings, all_terms, all_places, all_sectors, chosen)


@dataclass(frozen=True)
class Profile:
    """One organisation, joined to what the platform knows of it."""

    organisation: DirectoryOrganisation
    sector: Sector
    services: list[tuple[Service, list[TaxonomyTerm], list[Any]]]  # each with its categories and addresses
    assets: list[CommunityAsset]
    paid: list[connections.Paid]
    grants: list[tuple[str, str, Any]]
    published_map: bool
    value_cases: list[Any]


def profile(entry: DirectoryOrganisation) -> Profile:
    services = list(entry.services.prefetch_related("at_locations__location__addresses"))
    by_service = _categories_by_service(services)
    network = entry.organisation
    names = [entry.name] + ([network.name] if network else [])
    org_id = entry.org_id or (network.org_id if network and network.org_id else "")
    contexts = (
        ConnectionsContext.objects.filter(organisation=network, case__published_at__isnull=False).select_related("case__council")
        if network
        else ConnectionsContext.objects.none()
    )
    return Profile(
        entry,
        Sector.of(org_id),
        [
            (s, by_service.get(str(s.pk), []), [a for at in s.at_locations.all() for a in at.location.addresses.all()])
            for s in services
        ],
        list(entry.assets.select_related("location").prefetch_related("location__addresses")),
        connections.paid_to_named(org_id, names),
        value.grants_received(org_id),
        bool(network and ConnectionMap.objects.filter(organisation=network, publish_summary=True).exists()),
        [c.case for c in contexts],
    )


def services_of(council: Council | None = None) -> QuerySet[Service]:
    found = Service.objects.select_related("organisation").order_by("name", "id")
    return found.filter(organisation__council=council) if council is not None else found


def matching(found: QuerySet[Service], text: str) -> QuerySet[Service]:
    return found.filter(Q(name__icontains=text) | Q(description__icontains=text)) if text else found


def directory_entry(org_id: str) -> str | None:
    """The id of a directory listing with this org-id (by its identifiers, or its network organisation's)."""
    scheme, _, number = org_id.upper().rpartition("-")
    found = DirectoryOrganisation.objects.filter(
        Q(identifiers__identifier_scheme__iexact=scheme, identifiers__identifier__iexact=number)
        | Q(organisation__org_id__iexact=org_id)
    ).first()
    return str(found.pk) if found else None
