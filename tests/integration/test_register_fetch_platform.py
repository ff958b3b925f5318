"""`kil registers fetch` and the registers page's background fetch, against the local publishers' double: every
register kind downloaded, verified and loaded with its source, a new edition replacing the one fetched before, and
the spend analysis then placing suppliers by postcode."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from django.core.files.uploadedfile import SimpleUploadedFile

from keepitlocal.cli import main
from keepitlocal.spend.models import AnalysisRun, RegisterFetch, RegisterFile, Supplier
from tests.conftest import signed_in_client
from tests.doubles.publishers import _page, companies_house_zip, publishers_double, serving


@pytest.fixture
def registers_dir(tmp_path: Path, settings: object) -> Path:
    folder = tmp_path / "registers"
    settings.KIL_REGISTERS_DIR = folder  # type: ignore[attr-defined]
    return folder


@pytest.mark.django_db
def test_the_command_fetches_verifies_and_loads_every_register(demo: list[str], registers_dir: Path, tmp_path: Path) -> None:
    double = publishers_double()
    with serving(double):
        result = CliRunner().invoke(main, ["registers", "fetch", "--mirror", double.url, "--dir", str(tmp_path / "dl")])
        assert result.exit_code == 0, result.output
        records = {r.kind_code: r for r in RegisterFile.objects.all()}
        assert set(records) == {"companies_house", "charity_commission", "oscr", "ccni", "postcodes"}
        assert all(r.source_url.startswith(double.url) and r.fetched_at and r.edition for r in records.values())
        assert str(records["companies_house"].edition) == "2026-11-01" and records["companies_house"].rows == 3002
        assert records["charity_commission"].rows == 2  # linked charities are not loaded; a removed one is, with its removal
        assert "fetched from" in records["postcodes"].describe()
        # Again: nothing new, nothing duplicated.
        again = CliRunner().invoke(
            main, ["registers", "fetch", "companies-house", "--mirror", double.url, "--dir", str(tmp_path / "dl")]
        )
        assert again.exit_code == 0 and "Already loaded" in again.output and RegisterFile.objects.count() == 5
        # A new edition replaces the one fetched before; a file a person loaded by hand stays.
        double.serve(
            "/download.companieshouse.gov.uk/en_output.html", _page(["BasicCompanyDataAsOneFile-2026-12-01.zip"]), "text/html"
        )
        double.serve(
            "/download.companieshouse.gov.uk/BasicCompanyDataAsOneFile-2026-12-01.zip", companies_house_zip("2026-12-01")
        )
        newer = CliRunner().invoke(
            main, ["registers", "fetch", "companies-house", "--mirror", double.url, "--dir", str(tmp_path / "dl")]
        )
        assert newer.exit_code == 0, newer.output
    houses = RegisterFile.objects.filter(kind_code="companies_house")
    assert [str(r.edition) for r in houses] == ["2026-12-01"]
    # The analysis now places suppliers by the registers' postcodes.
    editor = signed_in_client("editor@calderdale.example")
    spend = "Supplier Name,Amount,Date\nCalder Valley Hub CIC,1000,2026-04-02\nNorthern Roads Limited,500,2026-04-03\n"
    editor.post("/manage/councils/E08000033/spend/upload/", {"spend_file": SimpleUploadedFile("s.csv", spend.encode())})
    assert AnalysisRun.objects.first().status == "succeeded"  # type: ignore[union-attr]
    hub = Supplier.objects.get(key="calder-valley-hub")
    assert hub.org_id == "GB-COH-12345678" and hub.postcode == "HX7 8AD" and hub.is_local is True
    assert Supplier.objects.get(key="northern-roads").is_local is False


@pytest.mark.django_db
def test_a_register_that_fails_does_not_stop_the_others(demo: list[str], registers_dir: Path, tmp_path: Path) -> None:
    double = publishers_double()
    double.serve("/www.charitycommissionni.org.uk/umbraco/api/charityApi/ExportSearchResultsToCsv/", b"Name,Town\nX,Y\n")
    with serving(double):
        result = CliRunner().invoke(main, ["registers", "fetch", "ccni", "oscr", "--mirror", double.url, "--dir", str(tmp_path)])
    assert result.exit_code == 1 and "1 of 2 registers were not fetched" in result.output
    assert "ccni: not loaded" in result.output and "does not have the columns of the ccni register" in result.output
    assert list(RegisterFile.objects.values_list("kind_code", flat=True)) == ["oscr"]
    assert CliRunner().invoke(main, ["registers", "fetch", "land-registry"]).exit_code == 2


@pytest.mark.django_db
def test_network_admins_fetch_in_the_background_from_the_registers_page(
    demo: list[str], registers_dir: Path, settings: object
) -> None:
    admin = signed_in_client("admin@example.org")
    page = admin.get("/network/registers/").content.decode()
    assert "https://download.companieshouse.gov.uk/en_output.html" in page and "Fetch and load the latest registers" in page
    with serving() as double:
        settings.KIL_REGISTERS_MIRROR = double.url  # type: ignore[attr-defined]
        response = admin.post("/network/registers/", {"fetch": "all"})
    assert response.status_code == 302
    fetch = RegisterFetch.objects.get()
    assert fetch.status == "succeeded" and len(fetch.results) == 5 and all(r["ok"] for r in fetch.results)
    # New editions loaded: every council with analysed spend is analysed again with them, once.
    from keepitlocal.spend.models import AnalysisRun, Reanalysis

    analysed = set(AnalysisRun.objects.filter(status="succeeded").values_list("council__gss_code", flat=True))
    if analysed:
        batch = Reanalysis.objects.get()
        assert set(batch.councils) == analysed and batch.progress()[0] == len(batch.runs)
        assert "newer registers fetched" in batch.reason
    else:
        assert not Reanalysis.objects.exists()  # no council has analysed spend: nothing to analyse again
    page = admin.get("/network/registers/").content.decode()
    assert "Finished" in page and "Edition of 1 November 2026" in page and "Fetched from" in page
    # Council editors cannot.
    assert signed_in_client("editor@calderdale.example").post("/network/registers/", {"fetch": "all"}).status_code == 403
