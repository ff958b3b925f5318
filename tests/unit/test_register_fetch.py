"""Fetching registers from their publishers, against the local test double (no network): the latest edition found,
downloads resumed, archives and layouts verified, sources recorded."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from keepitlocal.spend.engine.fetch import FetchError, fetch, find_latest, rebase
from keepitlocal.spend.engine.publishers import PUBLISHERS, RegisterKind, kind_from_option, publisher
from tests.doubles.publishers import nspl_zip, oscr_zip, publishers_double, serving


def test_the_latest_edition_is_found_by_the_date_its_publisher_gives() -> None:
    with serving() as double:
        ch = find_latest(publisher(RegisterKind.COMPANIES_HOUSE), double.url)
        assert ch.url.endswith("/BasicCompanyDataAsOneFile-2026-11-01.zip") and str(ch.edition) == "2026-11-01"
        nspl = find_latest(publisher(RegisterKind.POSTCODES), double.url)
        # The newest NSPL by its title's month, not the 2021-census variant created later.
        assert nspl.url.endswith("/items/nspl-nov/data") and str(nspl.edition) == "2026-11-01"
        ccew = find_latest(publisher(RegisterKind.CHARITY_COMMISSION), double.url)
        assert ccew.edition is None and ccew.name == "publicextract.charity.zip"


def test_every_kind_is_fetched_verified_and_recorded(tmp_path: Path) -> None:
    with serving() as double:
        for source in PUBLISHERS:
            fetched = fetch(source, tmp_path, double.url)
            assert fetched.path.exists() and fetched.kind == source.kind
            assert fetched.sha256 == hashlib.sha256(fetched.path.read_bytes()).hexdigest()
            record = json.loads(fetched.path.with_name(fetched.path.name + ".source.json").read_text())
            assert (
                record["source_url"].startswith(double.url)
                and record["page"] == source.page
                and record["kind"] == source.kind.value
            )
            # A file at a fixed address is dated by the server's Last-Modified.
            assert fetched.edition is not None


def test_an_interrupted_download_resumes_where_it_stopped(tmp_path: Path) -> None:
    double = publishers_double()
    path = "/download.companieshouse.gov.uk/BasicCompanyDataAsOneFile-2026-11-01.zip"
    double.cut_once.add(path)
    with serving(double):
        with pytest.raises(FetchError, match="run the fetch again to resume"):
            fetch(publisher(RegisterKind.COMPANIES_HOUSE), tmp_path, double.url)
        partial = tmp_path / "BasicCompanyDataAsOneFile-2026-11-01.zip.part"
        kept = partial.stat().st_size
        assert 0 < kept < len(double.files[path][0])
        fetched = fetch(publisher(RegisterKind.COMPANIES_HOUSE), tmp_path, double.url)
    assert fetched.resumed and (path, f"bytes={kept}-") in double.requests
    assert fetched.path.read_bytes() == double.files[path][0] and not partial.exists()


def test_a_damaged_archive_is_refused_and_removed(tmp_path: Path) -> None:
    double = publishers_double()
    path = "/ccewuksprdoneregsadata1.blob.core.windows.net/data/txt/publicextract.charity.zip"
    whole = double.files[path][0]
    double.serve(path, whole[: len(whole) // 2])
    with serving(double), pytest.raises(FetchError, match=r"not a whole ZIP archive|damaged"):
        fetch(publisher(RegisterKind.CHARITY_COMMISSION), tmp_path, double.url)
    assert not (tmp_path / "publicextract.charity.zip").exists()


def test_a_file_with_another_registers_columns_is_refused(tmp_path: Path) -> None:
    double = publishers_double()
    # The postcode search now links an archive whose data is the Scottish charity register.
    double.serve("/www.arcgis.com/sharing/rest/content/items/nspl-nov/data", oscr_zip())
    with serving(double), pytest.raises(FetchError, match="does not have the columns of the postcodes register"):
        fetch(publisher(RegisterKind.POSTCODES), tmp_path, double.url)


def test_a_page_without_the_file_says_where_to_download_it_by_hand(tmp_path: Path) -> None:
    double = publishers_double()
    double.serve("/download.companieshouse.gov.uk/en_output.html", b"<html><body>Moved</body></html>", "text/html")
    with serving(double), pytest.raises(FetchError, match=r"en_output\.html; download it from there by hand"):
        fetch(publisher(RegisterKind.COMPANIES_HOUSE), tmp_path, double.url)


def test_the_data_inside_an_archive_is_its_largest_file_wherever_it_sits() -> None:
    import zipfile
    from io import BytesIO

    from keepitlocal.spend.engine.registers import data_member

    with zipfile.ZipFile(BytesIO(nspl_zip("NOV_2026"))) as archive:
        assert data_member(archive).filename == "Data/NSPL_NOV_2026_UK.csv"


def test_kinds_are_typed_as_people_type_them() -> None:
    assert kind_from_option("companies-house") == kind_from_option("Companies House") == RegisterKind.COMPANIES_HOUSE
    with pytest.raises(ValueError, match="choose from companies-house, charity-commission, oscr, ccni, postcodes"):
        kind_from_option("land-registry")
    assert rebase("https://a.example/x/y.zip?q=1", "http://m:1/") == "http://m:1/a.example/x/y.zip?q=1"
