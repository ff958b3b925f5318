"""The directory's writes and its ORUK export: a council's directory as an Open Referral UK 3.0 package, and a package
read into a council's directory whole or not at all (every row checked first; rows keep their ids, so reading the
same feed twice changes nothing)."""

from __future__ import annotations

import io
import uuid
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models, transaction
from django.db.models import Q, QuerySet

from keepitlocal.common.refused import Refused
from keepitlocal.directory.engine import oruk
from keepitlocal.directory.models import (
    Address,
    Attribute,
    CommunityAsset,
    DirectoryImport,
    DirectoryOrganisation,
    Location,
    OrganisationIdentifier,
    Service,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)
from keepitlocal.network.models import Council, Organisation

MOST_BYTES = 20 * 1024 * 1024


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _bool(value: str) -> bool:
    return value.strip().lower() in {"true", "1", "yes"}


def _date(value: str) -> date | None:
    return date.fromisoformat(value) if value.strip() else None


def _int(value: str) -> int | None:
    return int(value) if value.strip() else None


@dataclass(frozen=True)
class Mapping_:
    """How one ORUK table is held: its model, and each field's attribute (a field named the same unless given)."""

    model: Any  # a model class
    attributes: Mapping[str, str]
    read: Mapping[str, Callable[[str], Any]]


MAPPINGS: dict[str, Mapping_] = {
    "organization": Mapping_(DirectoryOrganisation, {}, {}),
    "organization_identifier": Mapping_(OrganisationIdentifier, {"organization_id": "organisation_id"}, {}),
    "service": Mapping_(Service, {"organization_id": "organisation_id"}, {}),
    "location": Mapping_(Location, {}, {}),
    "address": Mapping_(Address, {}, {}),
    "service_at_location": Mapping_(ServiceAtLocation, {}, {}),
    "taxonomy": Mapping_(Taxonomy, {}, {}),
    "taxonomy_term": Mapping_(TaxonomyTerm, {"taxonomy_id": "taxonomy_ref_id"}, {}),
    "attribute": Mapping_(Attribute, {}, {}),
    "community_asset": Mapping_(
        CommunityAsset,
        {"organization_id": "organisation_id"},
        {
            "capacity": _int,
            "acv_listed": _bool,
            "transferred": _bool,
            "acv_listed_on": _date,
            "acv_expires_on": _date,
            "lease_start": _date,
            "lease_end": _date,
        },
    ),
}
NULLABLE_REFERENCES = {"location_id", "organisation_id", "taxonomy_ref_id"}


def _rows_of(council: Council) -> dict[str, QuerySet[Any]]:
    organisations = DirectoryOrganisation.objects.filter(council=council)
    services = Service.objects.filter(organisation__council=council)
    assets = CommunityAsset.objects.filter(council=council)
    locations = Location.objects.filter(
        models.Q(services_here__service__organisation__council=council) | models.Q(assets__council=council)
    ).distinct()
    terms = TaxonomyTerm.objects.filter(attributes__link_id__in=services.values("id")).distinct()
    return {
        "organization": organisations,
        "organization_identifier": OrganisationIdentifier.objects.filter(organisation__council=council),
        "service": services,
        "location": locations,
        "address": Address.objects.filter(location__in=locations),
        "service_at_location": ServiceAtLocation.objects.filter(service__in=services),
        "taxonomy": Taxonomy.objects.filter(terms__in=terms).distinct(),
        "taxonomy_term": terms,
        "attribute": Attribute.objects.filter(link_id__in=services.values("id")),
        "community_asset": assets,
    }


def package_of(council: Council) -> oruk.Package:
    """A council's directory as ORUK rows of text, each table in id order."""
    package = oruk.Package()
    for name, rows in _rows_of(council).items():
        table, mapping = oruk.BY_NAME[name], MAPPINGS[name]
        package.tables[name] = [
            {f.name: _text(getattr(row, mapping.attributes.get(f.name, f.name))) for f in table.fields}
            for row in rows.order_by("id")
        ]
    return package


def export_files(council: Council) -> dict[str, bytes]:
    return oruk.write(package_of(council), f"Keep it Local directory: {council.name}")


def zipped(files: Mapping[str, bytes]) -> bytes:
    """Files in a zip, in name order, with a fixed date on each so that the same files make the same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in sorted(files.items()):
            archive.writestr(zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0)), content)
    return out.getvalue()


def files_of(name: str, data: bytes) -> dict[str, bytes]:
    """A zip's files by their base names, or one CSV or JSON by its own name."""
    if name.lower().endswith(".zip"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                found: dict[str, bytes] = {}
                total = 0
                for info in archive.infolist():
                    if info.is_dir():
                        continue
                    total += info.file_size
                    if total > MOST_BYTES * 5:
                        raise Refused("The file is too large", "The zip holds too much data to read: split it.")
                    found[info.filename.rsplit("/", 1)[-1]] = archive.read(info)
                return found
        except zipfile.BadZipFile:
            raise Refused("The file cannot be opened", "The file is not a zip that can be opened.") from None
    return {name.rsplit("/", 1)[-1]: data}


def _link_network(entry: DirectoryOrganisation) -> None:
    """Joins a listing to the network's organisation with the same org-id. Never by name: a feed could list a
    look-alike and borrow another organisation's map and value cases."""
    org_id = entry.org_id
    found = Organisation.objects.filter(org_id__iexact=org_id).first() if org_id else None
    if found is not None and entry.organisation_id != found.pk:
        DirectoryOrganisation.objects.filter(pk=entry.pk).update(organisation=found)


def import_package(council: Council, name: str, data: bytes) -> DirectoryImport:
    """Reads an ORUK package into the council's directory. Every row is checked first; any problem refuses the whole
    feed with the problems row by row. A row whose id is held already is updated; the same feed twice changes nothing."""
    run = DirectoryImport.objects.create(council=council, source=name[:255])
    try:
        package = oruk.read(files_of(name, data))
    except (UnicodeDecodeError, ValueError) as error:
        raise _refuse(run, f"The package could not be read: {error}") from None
    if not package.tables.get("organization"):
        raise _refuse(run, "The package has no organizations table (organizations.csv): is it an Open Referral UK feed?")
    problems = oruk.check(package)
    problems += _too_long(package)
    problems += _not_ours(council, package)
    if problems:
        raise _refuse(
            run, f"{len(problems)} problem{'s' if len(problems) != 1 else ''} in the feed: nothing was imported.", problems
        )
    with transaction.atomic():
        # Categories are shared: one another council's services use stays as it is (this feed cannot rename it).
        ours = Service.objects.filter(organisation__council=council).values("id")
        used_elsewhere = Attribute.objects.exclude(link_id__in=ours)
        shared = {
            "taxonomy_term": set(used_elsewhere.values_list("taxonomy_term_id", flat=True)),
            "taxonomy": set(TaxonomyTerm.objects.filter(attributes__in=used_elsewhere).values_list("taxonomy_ref_id", flat=True)),
        }
        for table in oruk.TABLES:
            mapping = MAPPINGS[table.name]
            for row in package.tables.get(table.name, []):
                values: dict[str, Any] = {}
                for f in table.fields:
                    if f.name == "id":
                        continue
                    attribute = mapping.attributes.get(f.name, f.name)
                    text = (row.get(f.name) or "").strip()
                    reader = mapping.read.get(f.name)
                    value: Any = reader(text) if reader else text
                    if f.format == "uuid" and text:
                        value = str(uuid.UUID(text))  # one spelling of each id, whatever case the feed used
                    if attribute in NULLABLE_REFERENCES or f.name in {
                        "location_id",
                        "organization_id",
                        "service_id",
                        "taxonomy_term_id",
                        "link_id",
                    }:
                        value = value or None
                    values[attribute] = value
                if table.name in ("organization", "community_asset"):
                    values["council"] = council
                key = uuid.UUID(row["id"])
                held = mapping.model.objects.filter(pk=key).first()
                if held is not None and key in shared.get(table.name, set()):
                    run.unchanged += 1
                elif held is None:
                    mapping.model.objects.create(pk=key, **values)
                    run.created += 1
                elif any(_text(getattr(held, k)) != _text(v) for k, v in values.items() if k != "council"):
                    mapping.model.objects.filter(pk=key).update(**values)
                    run.updated += 1
                else:
                    run.unchanged += 1
        for entry in DirectoryOrganisation.objects.filter(council=council).prefetch_related("identifiers"):
            _link_network(entry)
        run.rows_read = sum(len(package.tables.get(table.name, [])) for table in oruk.TABLES)
        run.succeeded = True
        run.save()
    return run


def _field(model: Any, attribute: str) -> Any:
    """The model field an attribute is (a reference's attribute 'organisation_id' is the field 'organisation')."""
    for name in (attribute, attribute.removesuffix("_id")):
        try:
            return model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
    return None


def _too_long(package: oruk.Package) -> list[oruk.Problem]:
    """Values longer than the directory keeps (a database would refuse them part-way through)."""
    problems = []
    for table in oruk.TABLES:
        mapping = MAPPINGS[table.name]
        for number, row in enumerate(package.tables.get(table.name, []), start=2):
            for f in table.fields:
                attribute = mapping.attributes.get(f.name, f.name)
                field = _field(mapping.model, attribute)
                most = None if f.format == "uuid" or isinstance(field, models.UUIDField) else getattr(field, "max_length", None)
                value = row.get(f.name) or ""
                if most and len(value) > most:
                    problems.append(oruk.Problem(table.name, number, f"{f.name} is longer than {most} characters"))
    return problems


def _ids(package: oruk.Package, table: str) -> dict[uuid.UUID, int]:
    """The feed's ids in a table, by the row each is on."""
    found = {}
    for number, row in enumerate(package.tables.get(table, []), start=2):
        key = _uuid_or_none(row.get("id", ""))
        if key is not None:
            found[key] = number
    return found


def _elsewhere(council: Council) -> dict[str, Callable[[list[uuid.UUID]], set[uuid.UUID]]]:
    """For each table, which of some ids are already held under another council's directory. A location (and its
    address) belongs to every council whose services or assets use it."""

    def locations(keys: list[uuid.UUID]) -> set[uuid.UUID]:
        used = Location.objects.filter(pk__in=keys).filter(
            Q(services_here__service__organisation__council__isnull=False)
            & ~Q(services_here__service__organisation__council=council)
            | Q(assets__council__isnull=False) & ~Q(assets__council=council)
        )
        return set(used.values_list("id", flat=True))

    def others(model: Any, path: str) -> Callable[[list[uuid.UUID]], set[uuid.UUID]]:
        return lambda keys: set(model.objects.filter(pk__in=keys).exclude(**{path: council}).values_list("id", flat=True))

    return {
        "organization": others(DirectoryOrganisation, "council"),
        "organization_identifier": others(OrganisationIdentifier, "organisation__council"),
        "service": others(Service, "organisation__council"),
        "service_at_location": others(ServiceAtLocation, "service__organisation__council"),
        "location": locations,
        "address": lambda keys: set(
            Address.objects.filter(
                pk__in=keys,
                location__in=locations(list(Address.objects.filter(pk__in=keys).values_list("location_id", flat=True))),
            ).values_list("id", flat=True)
        ),
        "attribute": lambda keys: set(
            Attribute.objects.filter(pk__in=keys)
            .exclude(link_id__in=Service.objects.filter(organisation__council=council).values("id"))
            .values_list("id", flat=True)
        ),
        "community_asset": others(CommunityAsset, "council"),
    }


def _not_ours(council: Council, package: oruk.Package) -> list[oruk.Problem]:
    """Rows this council's feed may not touch: any held under another council's directory (organisations, their
    services, identifiers, locations, addresses, categories given, assets); and categories given to something that is
    not one of the feed's services."""
    problems = []
    for table, held_elsewhere in _elsewhere(council).items():
        ids = _ids(package, table)
        for key in sorted(held_elsewhere(list(ids)), key=lambda k: ids[k]):
            problems.append(oruk.Problem(table, ids[key], f"id {key} is held by another council's directory"))
    services = {str(k) for k in _ids(package, "service")}
    for number, row in enumerate(package.tables.get("attribute", []), start=2):
        link = _uuid_or_none(row.get("link_id", ""))
        if link is not None and str(link) not in services:
            problems.append(oruk.Problem("attribute", number, f"link_id {link} is not one of the feed's services"))
    return sorted(problems, key=lambda p: (p.table, p.row))


def _uuid_or_none(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def _refuse(run: DirectoryImport, message: str, problems: list[oruk.Problem] | None = None) -> Refused:
    run.problems = [{"table": p.table, "row": p.row, "message": p.message} for p in (problems or [])[:500]]
    run.save(update_fields=["problems"])
    return Refused("The feed cannot be imported", message, problems or [])


def save_asset(council: Council, asset: CommunityAsset | None, data: Mapping[str, Any]) -> CommunityAsset:
    """Adds or changes a community asset in the council's directory, with its address as a location of its own."""
    with transaction.atomic():
        row = asset or CommunityAsset(council=council)
        location = row.location or Location.objects.create(location_type="physical")
        location.name = data["name"]
        location.save()
        address = location.addresses.first() or Address(location=location, address_type="physical", country="GB")
        address.address_1, address.city, address.postal_code = data["address_1"], data["city"], data["postal_code"]
        address.state_province = address.state_province or data["city"]
        address.save()
        for name in (
            "name", "asset_type", "owner", "tenure", "capacity", "acv_listed", "acv_listed_on", "acv_expires_on",
            "acv_listing_authority", "transferred", "lease_start", "lease_end", "lease_terms",
        ):  # fmt: skip
            setattr(row, name, data.get(name) if data.get(name) is not None else ("" if name in TEXT_FIELDS else None))
        row.acv_listed, row.transferred = bool(data.get("acv_listed")), bool(data.get("transferred"))
        row.organisation = data.get("organisation")
        row.location = location
        row.council = council
        row.save()
    return row


TEXT_FIELDS = {"acv_listing_authority", "lease_terms"}
