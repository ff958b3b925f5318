"""The whole spend pipeline on generated messy files and on every real council file in ../shared."""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import sys
import zipfile
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from keepitlocal.cli import main as kil
from keepitlocal.spend.engine import read
from keepitlocal.spend.engine.figures import AnalysisFigures, IndicatorId
from keepitlocal.spend.engine.pipeline import NothingUsableError, Options, analyse
from tests.paths import SHARED, real_file

SUPPLIERS = [
    ["Acme Construction Ltd", "ACME CONSTRUCTION LIMITED", "Acme Construction Ltd."],
    ["Calder Valley Hub CIC", "Calder Valley Hub C.I.C."],
    ["Todmorden High School"],
    ["REDACTED UNDER DP ACT", "Redacted - personal data"],
    ["Café Crème & Co"],
    ["Smith and Sons", "SMITH & SONS LTD"],
]
HEADERS = [
    ("Supplier Name", "Amount", "Payment Date", "Expense Area"),
    ("Supplier(Beneficiary) Name", "Net Amount", "Date", "Service Area"),
    ("  PAYEE  ", "VALUE", "Paid Date", "Directorate"),
    ("Vendor Name", "Amount (GBP)", "Transaction Date", "Department"),
]
DATE_STYLES = [
    lambda d: d.isoformat(),
    lambda d: f"{d.isoformat()} 00:00:00",
    lambda d: d.strftime("%d/%m/%Y"),
    lambda d: f"{d.day}-{d:%b}-{d:%y}",
]
AMOUNT_STYLES = [
    lambda a: f"{a}",
    lambda a: f"£{a:,}" if a >= 0 else f"-£{abs(a):,}",
    lambda a: f"{a:,.2f}" if a >= 0 else f"({abs(a):,.2f})",
    lambda a: repr(float(a) + 1e-12) if a else "0",
]

payment = st.tuples(
    st.sampled_from(range(len(SUPPLIERS))),
    st.integers(0, 5),
    st.decimals(min_value=Decimal("-5000"), max_value=Decimal("250000"), places=2).filter(lambda a: a != 0),
    st.dates(min_value=date(2021, 4, 1), max_value=date(2022, 3, 31)),
)


@dataclass(frozen=True)
class Spec:
    """One generated council file: its payments and every way it can be messy."""

    payments: list[tuple[int, int, Decimal, date]]
    header: tuple[str, str, str, str]
    date_style: int
    amount_style: int
    junk_lines: int
    encoding: str
    blank_rows: int
    totals_row: bool
    compression: str


messy_file = st.builds(
    Spec,
    payments=st.lists(payment, min_size=1, max_size=25),
    header=st.sampled_from(HEADERS),
    date_style=st.sampled_from(range(len(DATE_STYLES))),
    amount_style=st.sampled_from(range(len(AMOUNT_STYLES))),
    junk_lines=st.integers(0, 4),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "double-bom", "cp1252"]),
    blank_rows=st.integers(0, 2),
    totals_row=st.booleans(),
    compression=st.sampled_from(["none", "gzip", "zip"]),
)


def write_file(folder: Path, name: str, spec: Spec) -> tuple[int, int, Decimal]:
    """Write one messy file; return (data rows written below the header, payments, total)."""
    rows: list[list[str]] = []
    total = Decimal(0)
    for supplier, variant, amount, paid in spec.payments:
        names = SUPPLIERS[supplier]
        rows.append(
            [
                names[variant % len(names)],
                AMOUNT_STYLES[spec.amount_style](amount),
                DATE_STYLES[spec.date_style](paid),
                "Adult Services",
            ]
        )
        total += amount
    extra = 0
    for _ in range(spec.blank_rows):
        rows.insert(len(rows) // 2, ["", "", "", ""])
        extra += 1
    if spec.totals_row:
        rows.append(["Total", str(total), "", ""])
        extra += 1
    lines = ["Spend over £500 published by a council,,,"] * spec.junk_lines + [""] * min(1, spec.junk_lines)
    out = io.StringIO()
    writer = csv.writer(out)
    for line in lines:
        out.write(line + "\r\n")
    writer.writerow(spec.header)
    writer.writerows(rows)
    text = out.getvalue()
    encoding = spec.encoding
    data = {
        "utf-8": text.encode("utf-8"),
        "utf-8-sig": text.encode("utf-8-sig"),
        "double-bom": "\ufeff".encode().decode("latin-1").encode() + text.encode("utf-8"),
        "cp1252": text.encode("cp1252"),
    }[encoding]
    path = folder / name
    if spec.compression == "gzip":
        path = path.with_suffix(".csv.gz")
        path.write_bytes(gzip.compress(data))
    elif spec.compression == "zip":
        with zipfile.ZipFile(path.with_suffix(".zip"), "w") as archive:
            archive.writestr(name, data)
    else:
        path.write_bytes(data)
    return len(rows), len(spec.payments), total


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(messy_file, min_size=1, max_size=3))
def test_generated_messy_files_are_read_exactly(tmp_path_factory: pytest.TempPathFactory, specs: list[Spec]) -> None:
    folder = tmp_path_factory.mktemp("spend")
    expected_rows, expected_kept, expected_total = 0, 0, Decimal(0)
    for index, spec in enumerate(specs):
        rows, kept, total = write_file(folder, f"month-{index:02d}.csv", spec)
        expected_rows, expected_kept, expected_total = expected_rows + rows, expected_kept + kept, expected_total + total
    out = tmp_path_factory.mktemp("out")
    result = analyse([folder], out, Options())
    assert result.rows_read == expected_rows
    assert all(f.balanced for f in result.files)
    # Identical payments in two different files are reported as duplicates, so only count what is kept.
    assert result.kept + result.duplicates == expected_kept
    spent = result.figures.whole.value(IndicatorId.TOTAL_SPEND)
    with open(out / "transactions.csv", newline="") as handle:
        kept_rows = list(csv.DictReader(handle))
    assert len(kept_rows) == result.kept
    assert Decimal(str(spent)) == sum((Decimal(r["amount"]) for r in kept_rows), Decimal(0))
    if not result.duplicates:
        assert Decimal(str(spent)) == expected_total
    # Every spelling of a supplier lands on one key, and redacted names are individuals.
    keys = {r["supplier_name"]: r["supplier_key"] for r in kept_rows}
    for spellings in SUPPLIERS:
        assert len({keys[s] for s in spellings if s in keys}) <= 1
    for row in kept_rows:
        if "REDACTED" in row["supplier_name"].upper():
            assert row["supplier_type"] == "individual"
    with open(out / "rejected.csv", newline="") as handle:
        assert len(list(csv.DictReader(handle))) == result.rejected


def test_overlapping_files_report_duplicates_but_keep_repeats_within_a_file(tmp_path: Path) -> None:
    header = "Supplier Name,Amount,Date\n"
    (tmp_path / "a.csv").write_text(header + "Acme Ltd,100,2024-04-01\nAcme Ltd,100,2024-04-01\nBeta Ltd,5,2024-04-02\n")
    (tmp_path / "b.csv").write_text(
        header + "Acme Ltd,100,2024-04-01\nAcme Ltd,100,2024-04-01\nAcme Ltd,100,2024-04-01\nGamma Ltd,7,2024-05-01\n"
    )
    result = analyse([tmp_path], tmp_path / "out", Options())
    a, b = result.files
    assert (a.rows_read, a.kept, a.rejected, a.duplicates) == (3, 3, 0, 0)
    assert (b.rows_read, b.kept, b.rejected, b.duplicates) == (4, 2, 2, 2)  # a third identical payment is new
    reasons = (tmp_path / "out" / "rejected.csv").read_text()
    assert reasons.count("a duplicate of a payment in") == 2
    with open(tmp_path / "out" / "rejected.csv", newline="") as handle:
        duplicates = [r for r in csv.DictReader(handle) if r["reason"].startswith("a duplicate")]
    # Each with its own line number in b.csv and the row as published there.
    assert [(r["source_file"].endswith("b.csv"), r["source_row"], r["raw_line"]) for r in duplicates] == [
        (True, "2", "Acme Ltd,100,2024-04-01"),
        (True, "3", "Acme Ltd,100,2024-04-01"),
    ]


def test_credit_notes_reduce_their_own_supplier_only(tmp_path: Path) -> None:
    (tmp_path / "m.csv").write_text(
        "Supplier Name,Amount,Date\nAcme Ltd,100,2024-04-01\nAcme Ltd,-150,2024-04-02\nAge UK,50,2024-04-03\n"
    )
    result = analyse([tmp_path / "m.csv"], tmp_path / "out", Options())
    whole = result.figures.whole
    assert whole[IndicatorId.TOTAL_SPEND].value == 0.0
    assert whole[IndicatorId.SHARE_VCSE].denominator == 50.0  # Acme's net is negative and counts as zero
    assert whole[IndicatorId.SHARE_VCSE].value == 100.0


def test_bad_rows_are_rejected_with_reasons(tmp_path: Path) -> None:
    (tmp_path / "m.csv").write_text(
        "Supplier Name,Amount,Date\nAcme Ltd,abc,2024-04-01\nAcme Ltd,10,31/02/2024\n,,\nAcme Ltd,10,1850-01-01\n"
        "Supplier Name,Amount,Date\n\nAcme Ltd,10,2024-04-01,extra,cells\n"
    )
    result = analyse([tmp_path / "m.csv"], tmp_path / "out", Options())
    with open(tmp_path / "out" / "rejected.csv", newline="") as handle:
        reasons = {int(r["source_row"]): r["reason"] for r in csv.DictReader(handle)}
    assert reasons == {
        2: "The amount 'abc' is not a number",
        3: "The date '31/02/2024' is not a real date",
        4: "empty row",
        5: f"the date 1850-01-01 is outside 1990 to {date.today().year + 1}",
        6: "a repeated header row",
        7: "empty row",
    }
    assert (result.rows_read, result.kept, result.rejected) == (7, 1, 6)


@pytest.mark.parametrize("fast", [True, False])
def test_payments_whose_payee_was_withheld_are_kept_and_totals_lines_are_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fast: bool
) -> None:
    monkeypatch.setattr(read, "FAST_READ", fast)
    (tmp_path / "m.csv").write_text(
        "Supplier Name,Amount,Date,Expense Type\n"
        "Acme Ltd,100,2024-04-01,Catering\n"
        ",60,2024-04-02,Care\n"  # a payee left blank: a payment all the same
        "Withheld,40,2024-04-03,Care\n"
        "REDACTED - personal data,30,2024-04-03,Care\n"
        ",230,,\n"  # the file's own total: an amount and nothing else
        "Total,230,,\n"
        ",,,Notes\n"
    )
    result = analyse([tmp_path / "m.csv"], tmp_path / "out", Options())
    with open(tmp_path / "out" / "rejected.csv", newline="") as handle:
        reasons = {int(r["source_row"]): r["reason"] for r in csv.DictReader(handle)}
    assert reasons == {6: "a totals line, not a payment", 7: "a totals line, not a payment", 8: "no payee, date or amount"}
    whole = result.figures.whole
    assert whole[IndicatorId.TOTAL_SPEND].value == 230.0
    assert whole[IndicatorId.SHARE_WITHHELD].numerator == 100.0 and whole[IndicatorId.SHARE_INDIVIDUAL].numerator == 30.0
    with open(tmp_path / "out" / "suppliers.csv", newline="") as handle:
        suppliers = {r["supplier_key"]: r for r in csv.DictReader(handle)}
    assert suppliers["payee-not-published"]["supplier_type"] == "withheld"
    assert suppliers["payee-not-published"]["names"].startswith("Payee not published")
    assert suppliers["payee-not-published"]["transactions"] == "2"
    assert suppliers["redacted-personal-data"]["supplier_type"] == "individual"


def test_nothing_usable_fails_with_a_reason(tmp_path: Path) -> None:
    (tmp_path / "notes.csv").write_text("just,some,words\n1,2,3\n")
    with pytest.raises(NothingUsableError, match="no header row"):
        analyse([tmp_path], tmp_path / "out", Options())
    result = CliRunner().invoke(kil, ["spend", "analyse", str(tmp_path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "No usable spend data" in result.output


def test_ambiguous_columns_are_settled_by_a_mapping_file(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "m.csv").write_text("Supplier,Payee,Amount,Date\nAcme Ltd,Beta Trading Ltd,10,2024-04-01\n")
    runner = CliRunner()
    result = runner.invoke(kil, ["spend", "analyse", str(data), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "'Supplier', 'Payee'" in result.output
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("supplier_name: Payee\n")
    result = runner.invoke(kil, ["spend", "analyse", str(data), "--out", str(tmp_path / "out"), "--mapping", str(mapping)])
    assert result.exit_code == 0, result.output
    assert "1 rows read = 1 kept + 0 rejected" in result.output


def test_output_folder_with_an_apostrophe(tmp_path: Path) -> None:
    (tmp_path / "m.csv").write_text("Supplier Name,Amount,Date\nAcme Ltd,10,2024-04-01\n")
    out = tmp_path / "o'brien's analysis"
    analyse([tmp_path / "m.csv"], out, Options())
    assert (out / "transactions.csv").exists()


def test_xlsx_files_are_read(tmp_path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Spend report"])
    sheet.append([])
    sheet.append(["Supplier Name", "Amount", "Date"])
    sheet.append(["Acme Ltd", 12.5, date(2024, 4, 1)])
    sheet.append(["Age UK", "£1,000", "02/04/2024"])
    workbook.save(tmp_path / "m.xlsx")
    result = analyse([tmp_path / "m.xlsx"], tmp_path / "out", Options())
    assert (result.rows_read, result.kept) == (2, 2)
    assert result.files[0].header_line == 3


@pytest.mark.parametrize("publisher", ["devon/fy2024_25_gz", "calderdale"])
def test_every_real_council_file(tmp_path: Path, publisher: str) -> None:
    folder = real_file(f"spend/{publisher}")
    result = analyse([folder], tmp_path, Options())
    for name in ("transactions.csv", "rejected.csv", "suppliers.csv", "indicators.json", "report.html"):
        assert (tmp_path / name).stat().st_size > 0
    assert all(f.balanced for f in result.files)
    read = [f for f in result.files if f.status == "read"]
    assert read and all(f.kept > 1000 for f in read)
    refused = {Path(f.name).name: f.reason for f in result.files if f.status != "read"}
    if publisher == "calderdale":
        assert "purchase card" in refused["calderdale_2022-03-card.csv"]
        share = result.figures.whole.value(IndicatorId.SHARE_VCSE)
        assert share is not None and 9 < share < 14  # the council's own VCSE flag puts FY21/22 at 11.2% of spend
    saved = AnalysisFigures.from_json(json.loads((tmp_path / "indicators.json").read_text()))
    assert saved == result.figures and {i.id for i in saved.whole} == set(IndicatorId) and saved.whole.months


def test_contracts_register_is_refused(tmp_path: Path) -> None:
    path = real_file("contracts/salford_contracts_register_2022-07.csv")
    with pytest.raises(NothingUsableError, match="contracts register"):
        analyse([path], tmp_path, Options())


def test_shared_data_is_where_the_tests_expect() -> None:
    if not SHARED.exists():
        pytest.skip("../shared is not beside the repository")
    assert (SHARED / "spend").is_dir()


def _read_twice(tmp_path: Path, workers: int) -> tuple[list[dict[str, object]], bytes, bytes, list[tuple[object, ...]]]:
    from keepitlocal.spend.engine.sources import discover

    sources, _ = discover([tmp_path / "in"])
    database = duckdb.connect()
    out = tmp_path / f"out-{workers}"
    out.mkdir(exist_ok=True)
    reports = read.read_all(sources, database, out / "staged.csv", out / "rejected.csv", workers=workers).files
    staged = database.execute("SELECT * FROM staged ORDER BY file_index, source_row").fetchall()
    return [r.__dict__ for r in reports], (out / "staged.csv").read_bytes(), (out / "rejected.csv").read_bytes(), staged


def _monthly_files(folder: Path, files: int, rows: int) -> None:
    folder.mkdir()
    for month in range(files):
        lines = ["junk line", "Supplier Name,Amount,Date"]
        for i in range(rows):
            # One row in three is rejected, each with its own text, so a row carrying another file's line shows.
            amount = f"{month}-{i} pounds" if i % 3 == 0 else f"{i}.5"
            lines.append(f"Supplier {month} {i},{amount},2024-{month % 12 + 1:02d}-01")
        (folder / f"m{month:02d}.csv").write_text("\n".join([*lines, "Total,99,", ",,"]) + "\n")


def test_parallel_reading_in_processes_gives_the_same_result_as_sequential(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _monthly_files(tmp_path / "in", 3, 50)
    monkeypatch.setattr(read, "FAST_READ", False)  # every file to the Python reader, so to the process pool
    sequential = _read_twice(tmp_path, workers=1)
    monkeypatch.setattr(read, "PARALLEL_MIN_BYTES", 0)
    pools: list[int] = []
    started = read._read_in_processes

    def spy(jobs: list[tuple[object, ...]], *args: object) -> None:
        pools.append(len(jobs))
        started(jobs, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(read, "_read_in_processes", spy)
    parallel = _read_twice(tmp_path, workers=2)
    assert pools == [3]  # the pool was started, with every file
    assert all(r["reader"] == "python" for r in parallel[0])
    assert parallel == sequential and len(sequential[3]) == 3 * 33


def test_files_read_in_threads_never_swap_rejected_lines(tmp_path: Path) -> None:
    """Eight files read side by side by eight threads, again and again, give byte for byte what one reader gives.
    Threads are switched far more often than usual, so that state shared between them would show."""
    _monthly_files(tmp_path / "in", 8, 600)
    sequential = _read_twice(tmp_path, workers=1)
    assert all(r["reader"] == "duckdb" for r in sequential[0])
    repeats = int(os.environ.get("KIL_RACE_REPEATS", "50"))
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        for _ in range(repeats):
            assert _read_twice(tmp_path, workers=8) == sequential
    finally:
        sys.setswitchinterval(interval)


def test_the_spend_sheet_of_a_workbook_is_found(tmp_path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    notes = workbook.active
    assert notes is not None
    notes.title = "Notes"
    notes.append(["This workbook lists payments over £500."])
    data = workbook.create_sheet("Payments")
    data.append(["Supplier Name", "Amount", "Date"])
    data.append(["Acme Ltd", 12.5, date(2024, 4, 1)])
    workbook.save(tmp_path / "m.xlsx")
    result = analyse([tmp_path / "m.xlsx"], tmp_path / "out", Options())
    assert (result.rows_read, result.kept) == (1, 1)


@pytest.mark.parametrize("fast", [True, False])
@pytest.mark.parametrize(
    ("content", "chosen"),
    [
        # Words around the familiar ones: a qualified amount and a date with a word in front.
        (
            "Invoice Paid Date,Supplier Name,Total (excl. VAT),Total (incl. VAT)\n"
            "02/04/2024,Acme Ltd,100.00,120.00\n03/04/2024,Halifax Food Bank,50.00,50.00\n",
            {"date": "Invoice Paid Date", "amount": "Total (excl. VAT)", "supplier_name": "Supplier Name"},
        ),
        # Headings that do not say what they hold: names under an identifier's heading, a 'Posted' date.
        (
            "Vendor Ref(T),Posted,Period,Value,Cost Centre\n"
            "Acme Ltd,2021-05-03,202105,100.00,CC100\nHalifax Food Bank,2021-05-04,202105,50.00,CC200\n",
            {"date": "Posted", "amount": "Value", "supplier_name": "Vendor Ref(T)"},
        ),
        # The same heading twice, one of them empty.
        (
            "Supplier,Amount,Date,Amount\nAcme Ltd,100.00,2024-04-02,\nHalifax Food Bank,50.00,2024-04-03,\n",
            {"date": "Date", "amount": "Amount", "supplier_name": "Supplier"},
        ),
    ],
)
def test_councils_never_seen_are_read_by_the_words_and_values_of_their_columns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fast: bool, content: str, chosen: dict[str, str]
) -> None:
    monkeypatch.setattr(read, "FAST_READ", fast)
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "year.csv").write_text(content)
    result = analyse([tmp_path / "in"], tmp_path / "out", Options())
    (report,) = result.files
    assert (report.status, report.kept, report.rejected) == ("read", 2, 0)
    for field_name, heading in chosen.items():
        assert f"{field_name} ← '{heading}'" in report.mapping
    assert result.figures.whole.value(IndicatorId.TOTAL_SPEND) == 150.0


def test_the_report_title_names_the_council_when_the_register_knows_it(tmp_path: Path) -> None:
    from keepitlocal.common.publicbodies import CouncilRef

    spend = tmp_path / "spend.csv"
    spend.write_text("Supplier Name,Amount,Date\nAcme Ltd,100,2024-04-02\n")
    councils = [CouncilRef("E08000033", "Calderdale", "metropolitan district")]
    analyse([spend], tmp_path / "named", Options(council="E08000033", councils=councils))
    assert "<title>Spend analysis: Calderdale (E08000033)</title>" in (tmp_path / "named" / "report.html").read_text()
    analyse([spend], tmp_path / "coded", Options(council="E08000033"))
    assert "<title>Spend analysis: E08000033</title>" in (tmp_path / "coded" / "report.html").read_text()


def test_a_supplier_reference_shared_by_many_payees_never_joins_them(tmp_path: Path) -> None:
    """Direct payments under one reference ('Personal Budgets'), card merchants under another: each payee stays a
    supplier of its own; a real reference still joins a supplier's spellings."""
    rows = ["Supplier Name,Supplier ID,Amount,Date"]
    rows += [f"2021:0{n}LD Client {n},Personal Budgets,100,2024-04-0{n}" for n in range(1, 9)]
    rows += [f"Merchant {n} Ltd,C{900}, 50,2024-04-0{n}" for n in range(1, 8)]  # one code for many card merchants
    rows += ["Acme Construction Ltd,S1001,500,2024-04-01", "ACME CONSTRUCTION LIMITED (NEW),S1001,600,2024-04-02"]
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "spend.csv").write_text("\n".join(rows) + "\n")
    result = analyse([tmp_path / "in"], tmp_path / "out", Options())
    assert result.suppliers == 8 + 7 + 1


def test_supplier_type_codes_the_analysis_does_not_know_are_said_never_passed_over(tmp_path: Path) -> None:
    # Devon's 'Creditor Type' holds codes the analysis reads (LTD, EDUC) and codes it cannot ('B', 'EY'): those are
    # listed with their payments and spend, most spent first, so that nobody takes them for codes that were read.
    path = tmp_path / "spend.csv"
    path.write_text(
        "Supplier Name,Amount,Date,Creditor Type\n"
        "Acme Ltd,100,2024-04-01,LTD\nJo Bloggs,300,2024-04-02,B\nAnn Other,-50,2024-04-03,B\n"
        "Little Acorns Nursery,200,2024-04-04,EY\nSt Mary's School,400,2024-04-05,EDUC\n"
    )
    result = analyse([path], tmp_path / "out", Options())
    assert result.layouts[0].unknown_codes == [
        {"code": "B", "payments": 2, "spend": 350.0},
        {"code": "EY", "payments": 1, "spend": 200.0},
    ]
    saved = json.loads((tmp_path / "out" / "indicators.json").read_text())
    assert saved["layouts"][0]["unknown_codes"][0]["code"] == "B"
