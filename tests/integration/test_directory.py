"""The directory on the platform: the demo round-trips through ORUK export and import unchanged, the export is valid
against the published profile, a bad feed is refused whole with its problems, and the pages join what is known."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from keepitlocal.common.refused import Refused
from keepitlocal.directory import services
from keepitlocal.directory.demo import demo_package, load_demo_directory
from keepitlocal.directory.engine import oruk
from keepitlocal.directory.models import Attribute, CommunityAsset, DirectoryOrganisation, Service
from keepitlocal.network.models import Council
from tests.paths import real_file

pytestmark = pytest.mark.django_db
CALDERDALE = "E08000033"


def _unzipped(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {n: archive.read(n) for n in archive.namelist()}


def test_the_demo_directory_round_trips_through_oruk_export_and_import_unchanged(demo: list[str]) -> None:
    load_demo_directory()
    council = Council.objects.get(gss_code=CALDERDALE)
    first = Client().get(f"/councils/{CALDERDALE}/directory/oruk.zip")
    assert first.status_code == 200 and first["Content-Type"] == "application/zip"
    exported = _unzipped(first.content)
    assert exported == services.export_files(council)
    # Everything goes; the exported feed is read back in; the export is the same, byte for byte.
    DirectoryOrganisation.objects.all().delete()
    CommunityAsset.objects.all().delete()
    from keepitlocal.directory.models import Location, Taxonomy, TaxonomyTerm

    Location.objects.all().delete()
    TaxonomyTerm.objects.all().delete()
    Taxonomy.objects.all().delete()
    run = services.import_package(council, "exported.zip", first.content)
    assert run.succeeded and run.created == sum(len(oruk.read(exported).tables.get(t.name, [])) for t in oruk.TABLES)
    assert services.export_files(council) == exported
    again = services.import_package(council, "exported.zip", first.content)
    assert (again.created, again.updated) == (0, 0)


def test_the_export_is_valid_against_the_published_profile(demo: list[str]) -> None:
    load_demo_directory()
    files = services.export_files(Council.objects.get(gss_code=CALDERDALE))
    profile = oruk.schema_tables(json.loads(real_file("open_referral_uk/oruk_v3_datapackage.json").read_text()))
    package = oruk.read(files)
    assert oruk.check(package, profile) == []
    assert oruk.check(package) == []  # the extension's own table too
    assert package.tables["community_asset"] and json.loads(files["datapackage.json"])["version"] == "3.0.0"


def test_a_feed_with_bad_rows_is_refused_whole_with_each_problem(demo: list[str], editor_client: Any) -> None:
    package = demo_package()
    package.tables["service"][0]["status"] = ""
    package.tables["address"][0]["postal_code"] = ""
    package.tables["community_asset"][0]["acv_listed_on"] = "first of March"
    upload = SimpleUploadedFile("feed.zip", services.zipped(oruk.write(package, "Bad")))
    response = editor_client.post(f"/manage/councils/{CALDERDALE}/directory/import/", {"file": upload})
    page = response.content.decode()
    assert response.status_code == 400 and "3 problems in the feed: nothing was imported" in page
    assert "status is required" in page and "postal_code is required" in page and "is not a date" in page
    assert not DirectoryOrganisation.objects.exists() and not Service.objects.exists()
    good = SimpleUploadedFile("feed.zip", services.zipped(oruk.write(demo_package(), "Good")))
    assert editor_client.post(f"/manage/councils/{CALDERDALE}/directory/import/", {"file": good}).status_code == 302
    assert DirectoryOrganisation.objects.filter(council__gss_code=CALDERDALE).count() == 6


def test_no_row_another_council_holds_can_be_taken_over_by_a_feed(demo: list[str]) -> None:
    load_demo_directory()
    bristol = Council.objects.get(gss_code="E06000023")
    calderdale_feed = oruk.read(services.export_files(Council.objects.get(gss_code=CALDERDALE)))
    with pytest.raises(Refused) as whole:
        services.import_package(bristol, "copied.zip", services.zipped(oruk.write(calderdale_feed, "Copied")))
    assert {p.table for p in whole.value.problems} >= {"organization", "service", "location", "address", "community_asset"}
    # A new organisation of Bristol's that claims Calderdale's service, location, address and asset by their ids.
    stolen = oruk.Package({k: [dict(r) for r in v] for k, v in calderdale_feed.tables.items()})
    own = "0b0b0b0b-0000-4000-8000-000000000001"
    stolen.tables["organization"] = [{"id": own, "name": "Bristol Imposter", "description": "x"}]
    stolen.tables["organization_identifier"] = []
    for table in ("service", "community_asset"):
        for row in stolen.tables[table]:
            row["organization_id"] = own
    stolen.tables["service"][0]["url"] = "https://evil.example"
    with pytest.raises(Refused) as refused:
        services.import_package(bristol, "stolen.zip", services.zipped(oruk.write(stolen, "Stolen")))
    assert any(p.table == "service" and "held by another council" in p.message for p in refused.value.problems)
    assert not Service.objects.filter(url="https://evil.example").exists()
    assert not DirectoryOrganisation.objects.filter(council=bristol).exists()


def test_the_area_page_filters_and_the_organisation_page_joins_what_is_known(demo: list[str]) -> None:
    from keepitlocal.connections.demo import load_demo_connections
    from keepitlocal.spend.demo import load_demo_spend
    from keepitlocal.value.demo import load_demo_value

    load_demo_spend()
    load_demo_connections()  # gives the hub's network record its org-id, which joins its listing to it
    load_demo_value()
    load_demo_directory()
    client = Client()
    everyone = client.get(f"/councils/{CALDERDALE}/directory/").content.decode()
    assert "6 organisations" in everyone and "Hebden Arts Festival (demo)" in everyone
    youth = DirectoryOrganisation.objects.get(name__startswith="Halifax Youth")
    term = next(
        a.taxonomy_term
        for a in Attribute.objects.filter(link_id__in=youth.services.values("id"))
        if a.taxonomy_term.term == "youth"
    )
    narrowed = client.get(f"/councils/{CALDERDALE}/directory/?category={term.pk}").content.decode()
    assert "1 organisation<" in narrowed and "Halifax Youth Association (demo)" in narrowed
    assert "No organisation matches" in client.get(f"/councils/{CALDERDALE}/directory/?q=zebra").content.decode()
    hub = DirectoryOrganisation.objects.get(name__startswith="Calder Valley")
    page = client.get(f"/directory/organisations/{hub.pk}/").content.decode()
    assert "Hebden Bridge Community Hall (demo)" in page and "Listed by Calderdale Council (demo)" in page
    assert "Calderdale: £" in page  # what Calderdale paid it, from its published spend
    assert "Community domestic abuse service (demo)" in page  # the value case it gave its connections to
    assert "GB-CHC-1000002" in page


def test_odd_feeds_are_refused_with_reasons_not_errors(demo: list[str]) -> None:
    council = Council.objects.get(gss_code=CALDERDALE)
    package = demo_package()
    package.tables["organization"][0]["name"] = "x" * 400
    with pytest.raises(Refused) as long_name:
        services.import_package(council, "long.zip", services.zipped(oruk.write(package, "Long")))
    assert "longer than 300 characters" in long_name.value.problems[0].message
    huge_field = b"id,name,description\n" + b'"' + b"x" * 200_000 + b'",a,b\n'
    with pytest.raises(Refused) as huge:  # read, then refused for what the field holds, nothing imported
        services.import_package(council, "odd.zip", services.zipped({"organizations.csv": huge_field}))
    assert huge.value.problems and all(len(p.message) < 500 for p in huge.value.problems)
    with pytest.raises(Refused, match="not a zip"):
        services.import_package(council, "odd.zip", b"not a zip")
    assert not DirectoryOrganisation.objects.exists()


def test_a_council_records_a_community_asset_through_its_form(demo: list[str], editor_client: Any) -> None:
    load_demo_directory()
    url = f"/manage/councils/{CALDERDALE}/directory/assets/new/"
    bad = editor_client.post(url, {"name": "Old Library", "asset_type": "building", "owner": "Calderdale Council", "tenure": "leasehold",
                                   "address_1": "1 Square Road", "city": "Halifax", "postal_code": "HX1 ZZZZ",
                                   "acv_listed": "yes", "transferred": "yes", "lease_start_day": "1", "lease_start_month": "4",
                                   "lease_start_year": "2025", "lease_end_day": "1", "lease_end_month": "4", "lease_end_year": "2020"})  # fmt: skip
    page = bad.content.decode()
    assert bad.status_code == 400 and "Enter a real postcode" in page and "Enter the date it was listed" in page
    assert "The lease must end after it starts" in page and not CommunityAsset.objects.filter(name="Old Library").exists()
    hub = DirectoryOrganisation.objects.get(name__startswith="Calder Valley")
    good = editor_client.post(url, {"name": "Old Library", "asset_type": "building", "organisation": str(hub.pk), "owner": "Calderdale Council",
                                    "tenure": "leasehold", "capacity": "60", "address_1": "1 Square Road", "city": "Halifax", "postal_code": "hx1 1aa",
                                    "acv_listed": "yes", "acv_listed_on_day": "1", "acv_listed_on_month": "3", "acv_listed_on_year": "2025",
                                    "transferred": "no"})  # fmt: skip
    assert good.status_code == 302
    saved = CommunityAsset.objects.get(name="Old Library")
    assert saved.council.gss_code == CALDERDALE and saved.acv_listed and not saved.transferred and saved.capacity == 60
    assert saved.location is not None and saved.location.addresses.get().postal_code == "HX1 1AA"
    # It goes out in the council's ORUK export, and shows on the organisation's page.
    exported = oruk.read(services.export_files(Council.objects.get(gss_code=CALDERDALE)))
    assert any(r["name"] == "Old Library" for r in exported.tables["community_asset"]) and oruk.check(exported) == []
    assert "Old Library" in Client().get(f"/directory/organisations/{hub.pk}/").content.decode()
    change = editor_client.get(f"/manage/councils/{CALDERDALE}/directory/assets/{saved.pk}/").content.decode()
    assert 'value="Old Library"' in change and 'value="1 Square Road"' in change
