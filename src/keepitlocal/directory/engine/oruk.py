"""Open Referral UK 3.0 (the UK profile of HSDS 3.0) as a tabular data package: a datapackage.json naming CSV
resources, each with its fields, required flags, primary key and foreign keys. `TABLES` holds the tables this
platform reads and writes, in the profile's own names and paths; `check` tests rows against a package's schemas
(types, formats, required fields, unique keys, references), so an import refuses a bad feed row by row and an
export can be proved valid against the published profile."""

from __future__ import annotations

import csv
import io
import json
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from keepitlocal.reports.engine.tables import neutralise_csv_cell, restore_csv_cell

VERSION = "3.0.0"


@dataclass(frozen=True)
class Field:
    name: str
    type: str = "string"  # string, number, integer, boolean, date, datetime, time
    format: str = ""  # uuid, email, uri
    required: bool = False


@dataclass(frozen=True)
class Table:
    name: str
    path: str
    fields: tuple[Field, ...]
    foreign_keys: tuple[tuple[str, str], ...] = ()  # (field, table it refers to)
    extension: bool = False  # not in the profile: this platform's, documented beside it

    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]

    def schema(self) -> dict[str, Any]:
        """As a data package resource's schema."""
        return {
            "primaryKey": "id",
            "fields": [
                {
                    "name": f.name,
                    "type": f.type,
                    **({"format": f.format} if f.format else {}),
                    **({"constraints": {"required": True}} if f.required else {}),
                }
                for f in self.fields
            ],
            **(
                {"foreignKeys": [{"fields": k, "reference": {"resource": t, "fields": "id"}} for k, t in self.foreign_keys]}
                if self.foreign_keys
                else {}
            ),
        }


def _id() -> Field:
    return Field("id", format="uuid", required=True)


# The profile's tables this platform uses, with the fields it fills (a subset of each table's fields; every field
# the profile requires is here).
# fmt: off
TABLES: tuple[Table, ...] = (
    Table("organization", "organizations.csv", (
        _id(), Field("name", required=True), Field("description", required=True), Field("email", format="email"),
        Field("website", format="uri"), Field("uri", format="uri"), Field("parent_organization_id", format="uuid"),
    )),
    Table("organization_identifier", "organization_identifiers.csv", (
        _id(), Field("organization_id", format="uuid", required=True), Field("identifier_scheme"),
        Field("identifier_type", required=True), Field("identifier", required=True),
    ), (("organization_id", "organization"),)),
    Table("service", "services.csv", (
        _id(), Field("organization_id", format="uuid", required=True), Field("name", required=True),
        Field("description"), Field("url", format="uri"), Field("email", format="email"), Field("status", required=True),
        Field("fees"), Field("minimum_age", "number"), Field("maximum_age", "number"), Field("last_modified", "datetime"),
    ), (("organization_id", "organization"),)),
    Table("location", "locations.csv", (
        _id(), Field("location_type", required=True), Field("name"), Field("description"), Field("latitude", "number"),
        Field("longitude", "number"), Field("external_identifier"), Field("external_identifier_type"),
    )),
    Table("address", "address.csv", (
        _id(), Field("location_id", format="uuid"), Field("address_1", required=True), Field("city", required=True),
        Field("region"), Field("state_province", required=True), Field("postal_code", required=True),
        Field("country", required=True), Field("address_type", required=True),
    ), (("location_id", "location"),)),
    Table("service_at_location", "service_at_location.csv", (
        _id(), Field("service_id", format="uuid", required=True), Field("location_id", format="uuid", required=True),
    ), (("service_id", "service"), ("location_id", "location"))),
    Table("taxonomy", "taxonomies.csv", (
        _id(), Field("name", required=True), Field("description", required=True), Field("uri", format="uri"), Field("version"),
    )),
    Table("taxonomy_term", "taxonomy_terms.csv", (
        _id(), Field("name", required=True), Field("description", required=True), Field("parent_id", format="uuid"),
        Field("taxonomy"), Field("taxonomy_id", format="uuid"), Field("term_uri", format="uri"), Field("term"),
    ), (("taxonomy_id", "taxonomy"),)),
    Table("attribute", "attribute.csv", (
        _id(), Field("link_id", format="uuid", required=True), Field("taxonomy_term_id", format="uuid", required=True),
        Field("link_type"),
    ), (("taxonomy_term_id", "taxonomy_term"),)),
    # The extension: community assets (buildings, land, spaces), each at a location and held by an organisation.
    Table("community_asset", "community_assets.csv", (
        _id(), Field("name", required=True), Field("asset_type", required=True), Field("organization_id", format="uuid"),
        Field("location_id", format="uuid"), Field("owner", required=True), Field("tenure", required=True),
        Field("capacity", "integer"), Field("acv_listed", "boolean"), Field("acv_listed_on", "date"),
        Field("acv_expires_on", "date"), Field("acv_listing_authority"), Field("transferred", "boolean"),
        Field("lease_start", "date"), Field("lease_end", "date"), Field("lease_terms"),
    ), (("organization_id", "organization"), ("location_id", "location")), extension=True),
)
# fmt: on
BY_NAME = {t.name: t for t in TABLES}

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Web addresses only: a page links to them, and a javascript: or data: address in a link would run in the reader's browser.
URI = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)


@dataclass(frozen=True)
class Problem:
    table: str
    row: int  # the row in the CSV, counting the heading as row 1; 0 for the table as a whole
    message: str


@dataclass
class Package:
    """The tables of a data package, each as rows of text by field name."""

    tables: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)  # datapackage.json as read, if there was one


def _valid_value(value: str, spec: Field) -> str | None:
    """Why a value does not fit its field, or None."""
    try:
        if spec.type == "number":
            float(value)
        elif spec.type == "integer":
            int(value)
        elif spec.type == "boolean" and value.lower() not in {"true", "false", "1", "0", "yes", "no"}:
            return "is not true or false"
        elif spec.type == "date":
            date.fromisoformat(value)
        elif spec.type == "datetime":
            datetime.fromisoformat(value.replace("Z", "+00:00"))
        elif spec.type == "time":
            time.fromisoformat(value)
    except ValueError:
        return f"is not a {spec.type}"
    if spec.format == "uuid":
        try:
            uuid.UUID(value)
        except ValueError:
            return "is not a UUID"
    elif spec.format == "email" and not EMAIL.match(value):
        return "is not an email address"
    elif spec.format == "uri" and not URI.match(value):
        return "is not a web address (http:// or https://)"
    return None


def check(package: Package, tables: Iterable[Table] = TABLES) -> list[Problem]:
    """Every way the package's rows break their tables' schemas: a required field empty, a value of the wrong type or
    format, an id twice, a reference to a row that is not there."""
    problems: list[Problem] = []
    chosen = list(tables)
    ids = {t.name: {r.get("id", "") for r in package.tables.get(t.name, [])} for t in chosen}
    for table in chosen:
        seen: set[str] = set()
        for number, row in enumerate(package.tables.get(table.name, []), start=2):
            for spec in table.fields:
                value = (row.get(spec.name) or "").strip()
                if not value:
                    if spec.required:
                        problems.append(Problem(table.name, number, f"{spec.name} is required"))
                    continue
                why = _valid_value(value, spec)
                if why:
                    problems.append(Problem(table.name, number, f"{spec.name} {value[:60]!r} {why}"))
            key = row.get("id", "")
            if key in seen:
                problems.append(Problem(table.name, number, f"id {key} appears twice"))
            seen.add(key)
            for name, target in table.foreign_keys:
                value = (row.get(name) or "").strip()
                if value and target in ids and value not in ids[target]:
                    problems.append(Problem(table.name, number, f"{name} {value} refers to no {target}"))
    return problems


def schema_tables(datapackage: Mapping[str, Any]) -> list[Table]:
    """A data package's own resources as Tables (for checking rows against a published profile)."""
    found = []
    for resource in datapackage.get("resources", []):
        schema = resource.get("schema", {})
        fields = tuple(
            Field(
                f["name"],
                f.get("type", "string"),
                f.get("format", "") if f.get("format") in {"uuid", "email", "uri"} else "",
                bool(f.get("constraints", {}).get("required")),
            )
            for f in schema.get("fields", [])
        )
        keys = tuple(
            (fk["fields"] if isinstance(fk["fields"], str) else fk["fields"][0], fk["reference"]["resource"])
            for fk in schema.get("foreignKeys", [])
        )
        found.append(Table(resource["name"], resource.get("path", ""), fields, keys))
    return found


# Reading and writing ---------------------------------------------------------------------------------------------


def read(files: Mapping[str, bytes]) -> Package:
    """A package from its files by name (a folder's or a zip's): datapackage.json if there, and each table's CSV found
    by the path the profile gives it (or the table's plural, as some publishers write it)."""
    package = Package()
    if "datapackage.json" in files:
        package.extra = json.loads(files["datapackage.json"].decode("utf-8-sig"))
    for table in TABLES:
        names = [table.path, f"{table.name}.csv", f"{table.name}s.csv", f"{table.name}es.csv"]
        found = next((files[n] for n in names if n in files), None)
        if found is None:
            continue
        text = found.decode("utf-8-sig")
        try:
            package.tables[table.name] = [
                {k.strip(): restore_csv_cell(v or "") for k, v in row.items() if k and isinstance(v, str | None)}
                for row in csv.DictReader(io.StringIO(text))
            ]
        except csv.Error as error:  # a field longer than the csv module reads, a stray quote...
            raise ValueError(f"{table.path} cannot be read as CSV ({error})") from None
    return package


def write(package: Package, title: str) -> dict[str, bytes]:
    """The files of a package: datapackage.json (the profile's version, each resource with its schema) and a CSV per
    table with every field in the profile's order."""
    files: dict[str, bytes] = {}
    resources = []
    for table in TABLES:
        rows = package.tables.get(table.name, [])
        out = io.StringIO()
        writer = csv.DictWriter(out, table.field_names(), extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        # Anyone may download a directory and open it in a spreadsheet: text that starts like a formula is written as
        # text (numbers, a negative longitude among them, stay numbers), and read back as it was (`read`).
        writer.writerows({k: neutralise_csv_cell(v) if isinstance(v, str) else v for k, v in row.items()} for row in rows)
        files[table.path] = out.getvalue().encode()
        resources.append(
            {
                "name": table.name,
                "path": table.path,
                "format": "csv",
                "mediatype": "text/csv",
                "profile": "tabular-data-resource",
                "schema": table.schema(),
                **(
                    {"description": "Extension to Open Referral UK: community assets (docs/DIRECTORY.md)"}
                    if table.extension
                    else {}
                ),
            }
        )
    files["datapackage.json"] = json.dumps(
        {
            "name": "keep-it-local-directory",
            "title": title,
            "profile": "tabular-data-package",
            "version": VERSION,
            "resources": resources,
        },
        indent=2,
    ).encode()
    return files
