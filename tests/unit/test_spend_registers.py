"""Registers recognised by header, linkage by identifier then name, locality; then the real register samples."""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from keepitlocal.spend.engine.bulk import scalar
from keepitlocal.spend.engine.pipeline import Options, analyse
from keepitlocal.spend.engine.registers import Registers, company_kind
from keepitlocal.spend.engine.registers.common import CACHE_FORMAT
from tests.paths import real_file

CCEW = (
    "date_of_extract\torganisation_number\tregistered_charity_number\tlinked_charity_number\tcharity_name\tcharity_type\tcharity_registration_status\t"
    "charity_company_registration_number\tcharity_contact_postcode\n"
    "2026-11-01\t1\t1050123\t0\tCALDER VALLEY HUB\tCharitable company\tRegistered\t04567890\tHX7 8AD\n"
    "2026-11-01\t2\t1050123\t1\tCALDER VALLEY HUB SUBSIDIARY FUND\tOther\tRegistered\t\tHX7 8AD\n"
    "2026-11-01\t3\t200001\t0\tOLD CHARITY\tTrust\tRemoved\t\tHX1 1AA\n"
    "2026-11-01\t4\t1100001\t0\tTODMORDEN COMMUNITY ASSOCIATION\tCIO\tRegistered\t\tOL14 5AB\n"
)
COMPANIES = (
    "CompanyName, CompanyNumber,RegAddress.PostCode,CompanyCategory,CompanyStatus,SICCode.SicText_1,SICCode.SicText_2\n"
    "ACME BUILDERS LIMITED,01234567,LS1 4AP,Private Limited Company,Active,41201 - Construction,\n"
    "HEBDEN HELPERS CIC,SC123456,HX7 6AA,Community Interest Company,Active,88990 - Other social work,\n"
    'PLAIN GUARANTEE LTD,07654321,HX1 2BB,"PRI/LTD BY GUAR/NSC (Private, limited by guarantee, no share capital)",Active,68320 - Management of real estate,\n'
    'YOUTH CLUB LIMITED,07654322,HX1 2BC,"PRI/LTD BY GUAR/NSC (Private, limited by guarantee, no share capital)",Active,94990 - Activities of other membership organisations,\n'
)
POSTCODES = "pcds,laua,rgn\nHX7 8AD,E08000033,E12000003\nLS1 4AP,E08000035,E12000003\nOL14 5AB,E08000033,E12000003\nHX1 2BB,E08000033,E12000003\nEX1 1AA,E07000041,E12000009\n"
AREAS = (
    "LAD24CD,LAD24NM,UTLA24CD,UTLA24NM,RGN24CD,RGN24NM\n"
    "E08000033,Calderdale,E08000033,Calderdale,E12000003,Yorkshire and The Humber\n"
    "E08000035,Leeds,E08000035,Leeds,E12000003,Yorkshire and The Humber\n"
    "E07000041,Exeter,E10000008,Devon,E12000009,South West\n"
)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    registers = tmp_path / "registers"
    registers.mkdir()
    (registers / "publicextract.charity.txt").write_text(CCEW, encoding="utf-8-sig")
    (registers / "BasicCompanyData-part1.csv").write_text(COMPANIES)
    with gzip.open(registers / "NSPL_subset.csv.gz", "wt") as handle:
        handle.write(POSTCODES)
    (registers / "lad_to_utla.csv").write_text(AREAS)
    (registers / "rel.csv").write_text(
        "org_id_a,org_id_b,relationship,source\nGB-COH-CE001234,GB-CHC-1100001,sameas,CIO Company Numbers\n"
    )
    (registers / "scale.csv").write_text('"reg_number","scale"\n1050123,Local\n')
    (registers / "notes.txt").write_text("just some notes\n")
    return registers


def test_registers_are_recognised_by_header(folder: Path) -> None:
    registers = Registers.from_folder(folder)
    used = "\n".join(registers.used)
    # Linked charities left out; a charity removed since is kept, with its removal (it was a charity when paid).
    assert "publicextract.charity.txt: charity commission, 3 rows" in used
    assert "BasicCompanyData-part1.csv: companies house, 4 rows" in used
    assert "NSPL_subset.csv.gz: postcodes" in used
    assert "lad_to_utla.csv: areas" in used
    assert "rel.csv: relationships" in used
    assert "scale.csv: charity scale" in used
    assert any(line.startswith("notes.txt") for line in registers.ignored)


@pytest.mark.parametrize("last", ["BasicCompanyData-part1.csv", "publicextract.charity.txt", "NSPL_subset.csv.gz", "rel.csv"])
def test_every_register_loads_whichever_order_the_files_come_in(folder: Path, last: str) -> None:
    """The platform loads files in the order they were recorded: a Companies House file after a postcode lookup was
    once dropped (a query left open on the connection), so each kind is loaded after all the others."""
    registers = Registers()
    files = sorted(p for p in folder.iterdir() if p.name != "notes.txt")
    for path in [p for p in files if p.name != last] + [folder / last]:
        registers.load(path)
    assert registers.ignored == []
    assert len(registers.loaded) == len(files)


def test_company_categories() -> None:
    assert company_kind("Community Interest Company", [])[0] == "vcse"
    assert company_kind("Charitable Incorporated Organisation", [])[0] == "vcse"
    assert company_kind("Registered Society", [])[0] == "vcse"
    assert company_kind("Private Limited Company", [])[0] == "private"
    assert company_kind("PRI/LTD BY GUAR/NSC (Private, limited by guarantee, no share capital)", ["94990 - Other"])[0] == "vcse"
    assert company_kind("PRI/LTD BY GUAR/NSC (Private, limited by guarantee, no share capital)", ["68320 - Estate"])[0] is None
    assert (
        company_kind("PRI/LBG/NSC (Private, Limited by guarantee, no share capital, use of 'Limited' exemption)", [])[0] == "vcse"
    )


def _spend(tmp_path: Path, rows: str) -> Path:
    path = tmp_path / "spend.csv"
    path.write_text("Supplier Name,Amount,Date,Company Number,Charity Number\n" + rows)
    return path


def test_linkage_by_number_by_name_and_by_close_name(tmp_path: Path, folder: Path) -> None:
    spend = _spend(
        tmp_path,
        "Calder Valley Hub Ltd,1000,2024-04-01,4567890,\n"  # company number (zeros lost) linked to the charity
        "Acme Builders Ltd,2000,2024-04-02,,\n"  # exact name in Companies House
        "Todmorden Comunity Association,300,2024-04-03,,\n"  # a misspelt name, close to a CIO
        "Plain Guarantee Ltd,50,2024-04-04,,\n"  # a guarantee company with no social purpose: not a silent guess
        "Youth Club Limited,70,2024-04-05,,\n",
    )
    result = analyse([spend], tmp_path / "out", Options(council="E08000033", registers=Registers.from_folder(folder)))
    suppliers = {s["names"].split(" | ")[0]: s for s in _rows(tmp_path / "out" / "suppliers.csv")}
    hub = suppliers["Calder Valley Hub Ltd"]
    assert (hub["supplier_type"], hub["org_id"], hub["is_local"], hub["charity_scale"]) == (
        "vcse",
        "GB-CHC-1050123",
        "true",
        "Local",
    )
    assert "GB-CHC-1050123" in hub["evidence"] and float(hub["confidence"]) >= 0.9
    acme = suppliers["Acme Builders Ltd"]
    assert (acme["supplier_type"], acme["org_id"], acme["lad_code"], acme["is_local"], acme["in_region"]) == (
        "private",
        "GB-COH-01234567",
        "E08000035",
        "false",
        "true",
    )
    todmorden = suppliers["Todmorden Comunity Association"]
    assert todmorden["supplier_type"] == "vcse" and "close to" in todmorden["evidence"]
    plain = suppliers["Plain Guarantee Ltd"]
    assert plain["supplier_type"] == "private" and "limited company" in plain["evidence"]  # falls back to the name, with evidence
    assert suppliers["Youth Club Limited"]["supplier_type"] == "vcse"
    shares = {i.id.value: i.value for i in result.figures.whole}
    # Youth Club's postcode (HX1 2BC) is not in the lookup: unknown locality counts as not local.
    assert shares["share_local"] == pytest.approx(100 * (1000 + 300 + 50) / 3420, abs=0.01)
    assert shares["share_region"] == pytest.approx(100 * (3420 - 70) / 3420, abs=0.01)
    assert result.registers_used


def test_a_county_is_local_for_its_districts(tmp_path: Path, folder: Path) -> None:
    spend = _spend(tmp_path, "Someone In Exeter Ltd,10,2024-04-01,,\n")
    registers = Registers.from_folder(folder)
    registers.con.execute(
        "INSERT INTO orgs VALUES ('GB-COH-00000001', 'SOMEONE IN EXETER LTD', 'someone in exeter', 'EX1 1AA', 'private', 'a private limited company (Companies House)', 'test', NULL)"
    )
    analyse([spend], tmp_path / "out", Options(council="E10000008", registers=registers))
    supplier = _rows(tmp_path / "out" / "suppliers.csv")[0]
    assert (supplier["lad_code"], supplier["is_local"]) == ("E07000041", "true")


def test_below_the_threshold_candidates_are_listed_not_guessed(tmp_path: Path, folder: Path) -> None:
    spend = _spend(tmp_path, "Calder Vale Hubbub,10,2024-04-01,,\n")
    analyse([spend], tmp_path / "out", Options(registers=Registers.from_folder(folder)))
    supplier = _rows(tmp_path / "out" / "suppliers.csv")[0]
    assert supplier["supplier_type"] == "unknown"
    assert "GB-CHC-1050123 CALDER VALLEY HUB" in supplier["candidates"]


def test_real_register_samples(tmp_path: Path) -> None:
    registers = Registers()
    for relative in [
        "registers/ccew_charities_operating_in_trafford_2023-04.csv",
        "registers/companies_house_basiccompanydata_2020-06-01_87rows_by_category.csv",
        "registers/coops_uk_open_data_organisations_2017-06.csv",
        "registers/rel_cio_company_numbers.csv",
        "charity/ccni_register_of_charities_2020-06-30.csv",
        "charity/rel_charity_company_numbers.csv",
        "charity/ccew_charity_scale.csv",
        "grants_360giving/lloyds_bank_foundation_2010_2015.json",
        "grants_360giving/indigo_trust_360giving_flat.csv",
        "geography/outcode_to_lad_nspl_aug2024_DERIVED.csv",
    ]:
        registers.load(real_file(relative))
    registers.finish()
    assert not registers.ignored, registers.ignored

    def count(source: str) -> int:
        return int(scalar(registers.con, "SELECT count(*) FROM orgs WHERE source LIKE ?", [f"%{source}%"]))

    assert count("CCNI") > 6000 and count("Co-operatives UK") > 6000
    trafford = str(real_file("registers/ccew_charities_operating_in_trafford_2023-04.csv"))
    assert count("Charity Commission") == scalar(
        registers.con, "SELECT count(DISTINCT registered_charity_number) FROM read_csv(?)", [trafford]
    )
    # The CCNI register is Windows-1252; its postcodes are inside the address text.
    assert scalar(registers.con, "SELECT count(*) FROM orgs WHERE org_id LIKE 'GB-NIC-%' AND postcode LIKE 'BT%'") > 5000
    assert registers.place("HX1 1AA")[0] == "E08000033"  # by outcode, as no full postcode file was loaded


def _rows(path: Path) -> list[dict[str, str]]:
    import csv

    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_360giving_json_recipients(tmp_path: Path) -> None:
    grants = {
        "grants": [
            {"recipientOrganization": [{"id": "GB-CHC-1050123", "name": "Calder Valley Hub", "postalCode": "HX7 8AD"}]},
            {"recipientOrganization": [{"id": "360G-x", "name": "No id"}]},
        ]
    }
    (tmp_path / "grants.json").write_text(json.dumps(grants))
    (tmp_path / "other.json").write_text(json.dumps({"not": "grants"}))
    registers = Registers.from_folder(tmp_path)
    assert registers.used == ["grants.json: 360Giving grants, 1 recipients with identifiers"]
    assert registers.ignored == ["other.json: a JSON file that is not 360Giving grants data"]


def test_registers_are_loaded_once_and_reused_from_a_cache(tmp_path: Path, folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spend = _spend(tmp_path, "Calder Valley Hub Ltd,1000,2024-04-01,4567890,\nAcme Builders Ltd,2000,2024-04-02,,\n")
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    fresh = Registers.from_folder(folder)
    analyse([spend], tmp_path / "fresh", Options(council="E08000033", registers=fresh))
    built = Registers.cached(files, tmp_path / "cache", "abc")
    assert built.used == fresh.used and built.ignored == fresh.ignored
    built.close()

    def refuse(self: Registers, path: Path) -> None:
        raise AssertionError("a cached register was loaded again")

    monkeypatch.setattr(Registers, "load", refuse)
    again = Registers.cached(files, tmp_path / "cache", "abc")
    analyse([spend], tmp_path / "cached", Options(council="E08000033", registers=again))
    assert (tmp_path / "cached" / "suppliers.csv").read_text() == (tmp_path / "fresh" / "suppliers.csv").read_text()
    assert again.used == fresh.used
    again.close()
    # New register files mean a new key: the old database goes.
    monkeypatch.undo()
    Registers.cached(files, tmp_path / "cache", "def").close()
    assert [p.name for p in (tmp_path / "cache").glob("*.duckdb")] == [f"registers-def-v{CACHE_FORMAT}.duckdb"]


def test_the_command_keeps_registers_between_runs(tmp_path: Path, folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from keepitlocal.cli import main as kil

    spend = _spend(tmp_path, "Calder Valley Hub Ltd,1000,2024-04-01,4567890,\nAcme Builders Ltd,2000,2024-04-02,,\n")
    cache = tmp_path / "cache"

    def run(out: str, *extra: str) -> str:
        args = [
            "spend",
            "analyse",
            str(spend),
            "--out",
            str(tmp_path / out),
            "--council",
            "E08000033",
            "--registers",
            str(folder),
        ]
        result = CliRunner().invoke(kil, [*args, *extra])
        assert result.exit_code == 0, result.output
        return result.output

    assert "loaded and kept in" in run("first", "--registers-cache", str(cache))
    monkeypatch.setattr(Registers, "load", lambda self, path: pytest.fail("a cached register was loaded again"))
    assert "reused from" in run("second", "--registers-cache", str(cache))
    assert (tmp_path / "second" / "suppliers.csv").read_text() == (tmp_path / "first" / "suppliers.csv").read_text()
    monkeypatch.undo()
    # A changed register file is loaded again; --no-registers-cache keeps nothing.
    (folder / "scale.csv").write_text('"reg_number","scale"\n1050123,Regional\n')
    assert "loaded and kept in" in run("third", "--registers-cache", str(cache))
    assert "Regional" in (tmp_path / "third" / "suppliers.csv").read_text()
    assert len(list(cache.rglob("*.duckdb"))) == 1
    assert "kept in" not in run("fourth", "--no-registers-cache", "--registers-cache", str(tmp_path / "unused"))
    assert not (tmp_path / "unused").exists()


def test_charity_lists_in_the_org_id_layout_classify_charities_known_by_name_only(tmp_path: Path) -> None:
    """The org-id list layout (org_id, name, postcode, company_number, ...): charities whose names say nothing are found
    by their registered names, and a list of company org-ids alone marks community interest companies."""
    from keepitlocal.spend.engine.pipeline import Options, analyse
    from keepitlocal.spend.engine.registers import Registers

    folder = tmp_path / "registers"
    folder.mkdir()
    (folder / "charities.csv").write_text(
        "org_id,reg_number,name,postcode,active,company_number\n"
        "GB-CHC-216250,216250,BARNARDO'S,IG6 1QG,True,61625.0\n"
        "GB-CHC-296645,296645,ALZHEIMER'S SOCIETY,EC3N 2AE,True,2115499\n"
        "GB-CHC-1000001,1000001,GONE AWAY TRUST,AB1 2CD,False,\n"
    )
    (folder / "cics.csv").write_text(
        "org_id,icnptso_code,icnptso_code_probability,icnptso_code_source\nGB-COH-05533834,A11,1.0,ml_model\n"
    )
    spend = tmp_path / "spend.csv"
    spend.write_text(
        "Supplier Name,Amount,Date,Company Number\n"
        "Barnardos,100,2024-04-01,\nAlzheimers Society,50,2024-04-01,\nSunny Days Ltd,10,2024-04-01,05533834\n"
    )
    registers = Registers.from_folder(folder)
    try:
        analyse([spend], tmp_path / "out", Options(registers=registers))
    finally:
        registers.close()
    with open(tmp_path / "out" / "suppliers.csv", newline="") as handle:
        found = {row["names"]: row for row in csv.DictReader(handle)}
    assert found["Barnardos"]["supplier_type"] == "vcse" and found["Barnardos"]["org_id"] == "GB-CHC-216250"
    assert "BARNARDO'S" in found["Barnardos"]["evidence"] and float(found["Barnardos"]["confidence"]) >= 0.8
    assert found["Alzheimers Society"]["org_id"] == "GB-CHC-296645"
    assert (
        found["Sunny Days Ltd"]["supplier_type"] == "vcse" and "community interest company" in found["Sunny Days Ltd"]["evidence"]
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    extra=st.lists(
        st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=16)
        .map(str.strip)
        .filter(bool),
        min_size=1,
        max_size=5,
        unique=True,
    ),
    quoted_name=st.sampled_from(["Charity Name", 'Charity "Name"', "Charity 'Name'", "Charity Name;--"]),
)
def test_any_register_header_reaches_sql_quoted(tmp_path: Path, extra: list[str], quoted_name: str) -> None:
    """Headers are identifiers in the loaders' SQL: quotes, semicolons and any other character in a publisher's header
    must neither break the load nor change what it does."""
    import csv as csv_module
    import uuid

    from keepitlocal.spend.engine.headings import normal
    from keepitlocal.spend.engine.registers import Registers

    known = {"registeredcharitynumber", "charityname", "charitycontactpostcode"}
    extra = [h for h in extra if normal(h) not in known and h not in ("Registered Charity Number", quoted_name)]
    header = ["Registered Charity Number", quoted_name, *extra]
    path = tmp_path / f"{uuid.uuid4().hex}.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv_module.writer(handle)
        writer.writerow(header)
        writer.writerow(["1123456", "HALIFAX FOOD BANK", *["x" for _ in extra]])
        writer.writerow(["200001", "CALDER CARERS", *["y" for _ in extra]])
    registers = Registers()
    try:
        registers.load(path)
        assert registers.ignored == [] and [(f.kind, f.rows) for f in registers.loaded] == [("charity_commission", 2)]
        names = dict(registers.con.execute("SELECT org_id, name FROM orgs").fetchall())
        assert names == {"GB-CHC-1123456": "HALIFAX FOOD BANK", "GB-CHC-200001": "CALDER CARERS"}
    finally:
        registers.close()


def test_every_register_has_one_declarative_loader_with_a_label() -> None:
    """Loaders are a table (kind, how its header is recognised, what it loads), not methods found by name."""
    from keepitlocal.spend.engine.registers import KIND_LABELS, LOADERS
    from keepitlocal.spend.engine.registers.loaders import recognise

    kinds = [loader.kind for loader in LOADERS]
    assert len(kinds) == len(set(kinds)) and set(kinds) <= set(KIND_LABELS)
    headers = {
        "charity_commission": ["registered_charity_number", "charity_name"],
        "ccni": ["Reg charity number", "Charity name"],
        "oscr": ["Charity Number", "Charity Name"],
        "companies_house": ["CompanyName", " CompanyNumber", "CompanyCategory"],
        "postcodes": ["pcds", "laua"],
        "relationships": ["org_id_a", "org_id_b"],
    }
    for kind, header in headers.items():
        from keepitlocal.spend.engine.headings import normal

        found = recognise({normal(h): h for h in header})
        assert found is not None and found.kind == kind, header
    assert recognise({"supplier": "x", "amount": "y"}) is None


def test_many_threads_open_the_cached_registers_at_once(folder: Path, tmp_path: Path) -> None:
    """Web requests open the finished database read-only in parallel; each used to register the loaders' functions in
    the catalogue they share, and all but the first failed."""
    import threading

    files = sorted(p for p in folder.rglob("*") if p.is_file())
    Registers.cached(files, tmp_path / "cache", "k").close()
    failures: list[str] = []

    def work() -> None:
        try:
            for _ in range(10):
                registers = Registers.cached(files, tmp_path / "cache", "k")
                assert registers.place("HX7 8AD")[0] == "E08000033"
                registers.close()
        except Exception as error:  # collected, for the assertion below
            failures.append(repr(error))

    threads = [threading.Thread(target=work) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []


REMOVED = (
    "registered_charity_number,linked_charity_number,charity_name,charity_registration_status,date_of_removal,charity_contact_postcode\n"
    "500001,0,ELLAND WOUND UP TRUST,Removed,2024-06-30,HX5 0AA\n"  # paid before its removal
    "500002,0,SOWERBY LONG GONE SOCIETY,Removed,2019-01-31,HX6 1AA\n"  # removed years before it was paid
    "500003,0,HALIFAX STILL HERE TRUST,Registered,,HX1 1AA\n"
)


def test_a_charity_removed_from_its_register_after_it_was_paid_was_a_charity_when_paid(tmp_path: Path) -> None:
    folder = tmp_path / "registers"
    folder.mkdir()
    (folder / "ccew.csv").write_text(REMOVED)
    (folder / "ukcat.csv").write_text(
        "org_id,reg_number,name,postcode,active\nGB-CHC-600001,600001,BRIGHOUSE FLAG ONLY FOUNDATION,HD6 1AA,False\n"
    )
    spend = tmp_path / "spend.csv"
    spend.write_text(
        "Supplier Name,Amount,Date,Charity Number\n"
        "Elland Wound Up Trust,5000,2024-04-02,500001\n"
        "Elland Wound Up Trust,5000,2024-09-02,500001\n"  # paid again after its removal: a charity when first paid
        "Sowerby Long Gone Society Ltd,700,2024-04-03,\n"
        "Halifax Still Here Trust,300,2024-04-04,500003\n"
        "Brighouse Flag Only Foundation,200,2024-04-05,600001\n"
    )
    analyse([spend], tmp_path / "out", Options(council="E08000033", registers=Registers.from_folder(folder)))
    suppliers = {s["names"].split(" | ")[0]: s for s in _rows(tmp_path / "out" / "suppliers.csv")}
    elland = suppliers["Elland Wound Up Trust"]
    assert elland["supplier_type"] == "vcse" and elland["org_id"] == "GB-CHC-500001"
    assert "until 2024-06-30, when it was removed from the register" in elland["evidence"]
    # Removed five years before the council first paid it: the register does not make it a charity then.
    gone = suppliers["Sowerby Long Gone Society Ltd"]
    assert "GB-CHC-500002" not in gone["evidence"] and gone["evidence_kind"] != "register_name"
    assert suppliers["Halifax Still Here Trust"]["supplier_type"] == "vcse"
    # A list that gives only a flag: still VCSE, with that evidence.
    flag = suppliers["Brighouse Flag Only Foundation"]
    assert flag["supplier_type"] == "vcse" and "no longer active on the list" in flag["evidence"]
