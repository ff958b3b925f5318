"""Open Referral UK packages: each kind of bad row found, tables found by the names publishers use, written and read
back unchanged, and the profile's own published examples read whole."""

from __future__ import annotations

import json

import pytest

from keepitlocal.directory.engine import oruk
from keepitlocal.directory.engine.sectors import Sector
from tests.paths import real_file

ORG = "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610"
SERVICE = "ac148810-d857-441c-9679-408f346de14b"


def _package() -> oruk.Package:
    return oruk.Package(
        {
            "organization": [{"id": ORG, "name": "Calder Hub", "description": "A hub", "email": "hi@hub.example"}],
            "service": [{"id": SERVICE, "organization_id": ORG, "name": "Advice", "status": "active", "minimum_age": "16"}],
        }
    )


def test_a_good_package_has_no_problems_and_reads_back_as_written() -> None:
    package = _package()
    assert oruk.check(package) == []
    back = oruk.read(oruk.write(package, "Test"))
    assert back.tables["organization"][0]["name"] == "Calder Hub"
    assert back.tables["service"][0]["minimum_age"] == "16"
    assert oruk.write(back, "Test") == oruk.write(package, "Test")


@pytest.mark.parametrize(
    ("table", "change", "message"),
    [
        ("organization", {"name": ""}, "name is required"),
        ("organization", {"id": "not-a-uuid"}, "is not a UUID"),
        ("organization", {"email": "nobody"}, "is not an email address"),
        ("organization", {"website": "javascript://%0aalert(document.domain)"}, "is not a web address"),
        ("organization", {"website": "data:text/html,<script>alert(1)</script>"}, "is not a web address"),
        ("service", {"minimum_age": "sixteen"}, "is not a number"),
        ("service", {"organization_id": "6f1c2b7e-0000-4000-8000-000000000000"}, "refers to no organization"),
        ("service", {"status": ""}, "status is required"),
    ],
)
def test_each_kind_of_bad_row_is_named_with_its_table_and_row(table: str, change: dict[str, str], message: str) -> None:
    package = _package()
    package.tables[table][0].update(change)
    problems = oruk.check(package)
    assert any(p.table == table and p.row == 2 and message in p.message for p in problems), problems


def test_an_id_twice_is_a_problem() -> None:
    package = _package()
    package.tables["service"].append(dict(package.tables["service"][0]))
    assert [p.message for p in oruk.check(package)] == [f"id {SERVICE} appears twice"]


def test_tables_are_found_by_the_profiles_paths_and_the_plural_publishers_use() -> None:
    files = {"organizations.csv": b"id,name,description\n" + ORG.encode() + b",Hub,A hub\n", "addresses.csv": b"id,address_1\n"}
    package = oruk.read(files)
    assert package.tables["organization"][0]["name"] == "Hub" and "address" in package.tables


def test_the_profiles_own_examples_are_read_whole() -> None:
    folder = real_file("open_referral_uk/v3_examples_csv")
    package = oruk.read({p.name: p.read_bytes() for p in folder.glob("*.csv")})
    assert {"organization", "service", "location", "address", "service_at_location"} <= package.tables.keys()
    profile = oruk.schema_tables(json.loads(real_file("open_referral_uk/oruk_v3_datapackage.json").read_text()))
    # Checked against the published profile itself, the only problem is one the example carries: a category that
    # names a taxonomy the example does not include.
    assert [p.message for p in oruk.check(package, profile)] == [
        "taxonomy_id 07ff6aee-a219-438c-b694-d2fcb6c5373b refers to no taxonomy"
    ]


def test_our_tables_use_the_profiles_names_and_keep_every_required_field() -> None:
    profile = {
        t.name: t for t in oruk.schema_tables(json.loads(real_file("open_referral_uk/oruk_v3_datapackage.json").read_text()))
    }
    for table in oruk.TABLES:
        if table.extension:
            assert table.name not in profile
            continue
        theirs = profile[table.name]
        assert table.path == theirs.path
        assert set(table.field_names()) <= set(theirs.field_names()), table.name
        assert {f.name for f in theirs.fields if f.required} <= set(table.field_names()), table.name


@pytest.mark.parametrize(
    ("org_id", "sector"),
    [
        ("GB-CHC-1100002", Sector.VCSE),
        ("GB-COH-09000001", Sector.BUSINESS),
        ("GB-NHS-RXF", Sector.PUBLIC),
        ("E08000033", Sector.PUBLIC),
        ("", Sector.UNKNOWN),
    ],
)
def test_sector_from_the_identifiers_scheme(org_id: str, sector: Sector) -> None:
    assert Sector.of(org_id) is sector


def test_the_docs_describe_every_field_of_the_community_asset_extension() -> None:
    import re
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "DIRECTORY.md").read_text()
    section = doc.split("## Community assets: an extension")[1].split("## API")[0]
    documented = {name for cell in re.findall(r"^\| (`[^|]+`) \|", section, re.M) for name in re.findall(r"`([a-z_]+)`", cell)}
    assert documented == set(oruk.BY_NAME["community_asset"].field_names())
