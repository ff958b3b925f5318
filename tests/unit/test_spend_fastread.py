"""The DuckDB reader must give exactly what the Python reader gives: the same kept rows, the same rejected rows
with the same reasons and lines, the same accounting; and it must step aside wherever it could not."""

from __future__ import annotations

import csv
import gzip
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from keepitlocal.spend.engine import read
from keepitlocal.spend.engine.fastread import SIMPLE_AMOUNT
from keepitlocal.spend.engine.pipeline import NothingUsableError, Options, analyse

HEADER = ["Body", "Date", "Transaction Number", "Amount", "Supplier Name", "Expense Area", "Company Number", "Postcode"]
MESSY_ROWS = [
    ["Demo", "02/04/2024", "T1", "£1,234.50", "Acme Ltd", "Adults", "01234567", "hx1 1aa"],
    ["Demo", "2024-04-03", "T2", "1234.5", "ACME LIMITED", "Adults", "1234567", ""],
    ["Demo", "3-Apr-24", "T3", "(250.00)", "Halifax Food Bank", "Children", "", "HX1 2BB"],
    ["Demo", "04/04/2024", "T4", "99.99CR", "Calder Valley CIC", "Children", "N/A", ""],
    ["Demo", "05/04/2024", "T5", "-£12", "REDACTED", "Adults", "", ""],
    ["Demo", "06/04/2024", "T6", "1.2E+03", "Beta, Gamma & Co", "Waste", "SC012345", ""],
    ["Demo", "07/04/2024", "T7", "468.2800000000001", "  Spaced Name  ", "Waste", "", ""],
    ["Demo", "", "", "5000", "Total", "", "", ""],
    ["Demo", "08/04/2024", "T8", "12.34", "", "Adults", "", ""],
    ["", "", "", "", "", "", "", ""],
    HEADER,
    ["Demo", "31/02/2024", "T9", "10", "Acme Ltd", "Adults", "", ""],
    ["Demo", "09/04/2024", "T10", "ten pounds", "Acme Ltd", "Adults", "", ""],
    ["Demo", "01/01/1980", "T11", "10", "Acme Ltd", "Adults", "", ""],
    ["Demo", "10/04/2024", "T12", "1 234,50", "Acme Ltd", "Adults", "", ""],
    ["Demo", "Q1 2024/25", "T13", "-0.004", "Acme Ltd", "Adults", "", ""],
    ["Demo", "45384", "T14", "0", "Grand Total Services Ltd", "Adults", "", ""],
    ["Demo", "11/04/2024"],
    ["Demo", "12/04/2024", "T15", "7.125", "Ünïcode Trust", "Adults", "", ""],
    ["Demo", "13/04/2024", "T16", "£-7", "Acme Ltd", "Adults", "", ""],
]


def _write(path: Path, rows: list[list[str]], preamble: Sequence[str] = (), gz: bool = False, newline: str = "\r\n") -> None:
    opener = gzip.open if gz else open
    with opener(path, "wt", encoding="utf-8", newline="") as handle:
        for line in preamble:
            handle.write(line + newline)
        writer = csv.writer(handle, lineterminator=newline)
        writer.writerow(HEADER)
        writer.writerows(rows)


def _outputs(folder: Path, out: Path, fast: bool, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, ...]:
    monkeypatch.setattr(read, "FAST_READ", fast)
    try:
        result = analyse([folder], out, Options())
    except NothingUsableError as error:  # then both readers must refuse the same way
        return ("refused", str(error), "", [])
    files = [(f.rows_read, f.kept, f.rejected, f.duplicates, f.header_line, f.status) for f in result.files]
    return (
        files,
        (out / "transactions.csv").read_text(),
        (out / "rejected.csv").read_text(),
        [f.reader for f in result.files],
    )


def _same_both_ways(folder: Path, tmp: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    slow = _outputs(folder, tmp / "slow", False, monkeypatch)
    fast = _outputs(folder, tmp / "fast", True, monkeypatch)
    assert fast[:3] == slow[:3]
    assert set(slow[3]) <= {"python"}
    return list(fast[3])


def test_messy_files_read_the_same_either_way(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    _write(folder / "a.csv", MESSY_ROWS, preamble=["Spend over £500", "Published by Demo Council"])
    _write(folder / "b.csv.gz", MESSY_ROWS[:5] + MESSY_ROWS[:2], gz=True, newline="\n")
    readers = _same_both_ways(folder, tmp_path, monkeypatch)
    assert readers == ["duckdb", "duckdb"]


@pytest.mark.parametrize(
    "content",
    [
        # Rows that are empty only once trimmed, quoted empty cells, and rows whose first text comes late.
        'Supplier Name,Amount,Date\nAcme Ltd,10,2024-04-01\n  ,   , \n"","",""\n,,Beta Ltd\n , ,2024-04-02\n"",5,\n',
        "Supplier Name,Amount,Date\nAcme Ltd,10,2024-04-01\n\u00a0,\u2003,\n\u00a0Beta Ltd\u00a0,5,2024-04-02\n",
    ],
)
def test_empty_rows_are_found_the_same_way(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: str) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "f.csv").write_text(content, encoding="utf-8", newline="")
    assert _same_both_ways(folder, tmp_path, monkeypatch) == ["duckdb"]
    assert "empty row" in (tmp_path / "fast" / "rejected.csv").read_text()


@pytest.mark.parametrize(
    ("name", "content", "reader"),
    [
        # Line numbers would not be exact: a value over two lines, blank lines DuckDB skips, old Mac line ends.
        ("quoted-newline.csv", 'Supplier Name,Amount,Date\n"Acme\nLtd",10,2024-04-01\nBeta Ltd,5,2024-04-02\n', "python"),
        ("blank-lines.csv", "Supplier Name,Amount,Date\nAcme Ltd,10,2024-04-01\n\nBeta Ltd,5,2024-04-02\n\n", "python"),
        ("old-mac.csv", "Supplier Name,Amount,Date\rAcme Ltd,10,2024-04-01\rBeta Ltd,5,2024-04-02\r", "python"),
        # Split differently by the two readers, or refused by DuckDB's strict mode.
        ("space-before-quote.csv", 'Supplier Name,Amount,Date\nAcme Ltd, "1,000",2024-04-01\nBeta Ltd,5,2024-04-02\n', "python"),
        ("too-many-cells.csv", "Supplier Name,Amount,Date\nAcme Ltd,10,2024-04-01,extra\nBeta Ltd,5,2024-04-02\n", "python"),
        # A quote inside an unquoted value: DuckDB reads it as Python does, so it may keep the file.
        ("stray-quote.csv", 'Supplier Name,Amount,Date\nAcme "Big" Ltd,10,2024-04-01\nBeta Ltd,5,2024-04-02\n', "duckdb"),
    ],
)
def test_layouts_the_duckdb_reader_might_misread_go_to_the_right_reader(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, content: str, reader: str
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / name).write_text(content, encoding="utf-8", newline="")
    assert _same_both_ways(folder, tmp_path, monkeypatch) == [reader]


def test_windows_1252_files_and_zip_members_read_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Written out as UTF-8 first: no-break spaces (0xA0), an ellipsis (0x85, a line break in Latin-1), bytes
    Windows-1252 leaves undefined (0x81, replaced) and a byte-order mark must all come out as Python reads them."""
    import zipfile

    folder = tmp_path / "in"
    folder.mkdir()
    text = (
        "Spend over £500\r\nSupplier Name,Amount,Date,Expense Area\r\nCafé Ltd,£10,2024-04-01,Adults\r\n"
        "\u00a0Nbsp Trust\u00a0,£1\u00a0234.50,02/04/2024,\u00a0Children\r\nEtc… Ltd,12,2024-04-03,Waste\r\n"
        "\u00a0,\u00a0,\u00a0,\r\n"
    )
    (folder / "cp1252.csv").write_bytes(text.encode("cp1252"))
    (folder / "undefined.csv").write_bytes(b"Supplier Name,Amount,Date\r\nOdd \x81 Ltd,5,2024-04-04\r\n")
    with zipfile.ZipFile(folder / "archive.zip", "w") as archive:
        archive.writestr("inner.csv", "\ufeffSupplier Name,Amount,Date\nZip Member Ltd,7,2024-04-05\n,,\n".encode())
        archive.writestr("windows.csv", text.encode("cp1252"))
    assert _same_both_ways(folder, tmp_path, monkeypatch) == ["duckdb"] * 4
    transactions = (tmp_path / "fast" / "transactions.csv").read_text()
    assert "Café Ltd" in transactions and "Etc… Ltd" in transactions and "Odd \ufffd Ltd" in transactions


CELL = st.text(alphabet=st.sampled_from(list("aZ09 ,.-£()\"'/&CRé\t\r\n;E+\u00a0")), max_size=12)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(CELL, CELL, CELL, CELL, CELL), min_size=1, max_size=12))
def test_any_cells_read_the_same_either_way(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch, cells: list[tuple[str, str, str, str, str]]
) -> None:
    """Arbitrary cells in the three required columns, one that is cleaned (company number) and one kept as
    published (expense area), in UTF-8 and in Windows-1252."""
    tmp = tmp_path_factory.mktemp("prop")
    folder = tmp / "in"
    folder.mkdir()
    with open(folder / "f.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Supplier Name", "Amount", "Date", "Company Number", "Expense Area"])
        writer.writerow(["Anchor Ltd", "1", "2024-04-01", "123", " Adults "])  # at least one kept row, so the analysis runs
        writer.writerows(cells)
    # The same rows again as Windows-1252: read through a UTF-8 copy, and every kept row a duplicate of f.csv's.
    (folder / "g.csv").write_bytes((folder / "f.csv").read_text(encoding="utf-8").encode("cp1252"))
    _same_both_ways(folder, tmp, monkeypatch)


def test_the_whitespace_trimmed_in_sql_is_pythons() -> None:
    import sys

    from keepitlocal.spend.engine.fastread import WHITESPACE

    assert "".join(chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()) == WHITESPACE


@pytest.mark.parametrize(
    ("folder", "council"), [("spend/devon/fy2024_25_gz", "E10000008"), ("spend/calderdale/fy2021_22", "E08000033")]
)
def test_real_councils_files_read_the_same_either_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, folder: str, council: str
) -> None:
    from tests.paths import real_file

    source = real_file(folder)
    outputs = {}
    for fast in (False, True):
        monkeypatch.setattr(read, "FAST_READ", fast)
        out = tmp_path / str(fast)
        result = analyse([source], out, Options(council=council))
        outputs[fast] = [(out / name).read_bytes() for name in ("transactions.csv", "rejected.csv", "suppliers.csv")]
        if fast:
            assert {f.reader for f in result.files} == {"duckdb"}
    assert outputs[True] == outputs[False]


# Bytes that matter to the scans, so that examples are dense in them, plus any byte at all.
_SCAN_BYTES = st.sampled_from(
    [b" ", b'"', b",", b"\t", b"\r", b"\n", b"\r\n", b"a", "\u00a0".encode(), "\u2003".encode(), "é".encode(), "’".encode()]
)


@settings(max_examples=200)
@given(st.lists(st.one_of(_SCAN_BYTES, st.binary(max_size=3)), max_size=40).map(b"".join))
def test_the_hinted_byte_scans_find_what_the_expressions_find(window: bytes) -> None:
    """The cheap checks that rule windows out before the regular expressions must never rule out a match."""
    from keepitlocal.spend.engine import sources

    end = len(window) - window.endswith(b"\r")
    bare_cr = window.count(b"\r", 0, end) != window.count(b"\r\n", 0, end + 1)
    assert sources._has_other_spaces(window) == (bare_cr or bool(sources._OTHER_SPACES.search(window, 0, end)))
    assert sources._has_spaced_quotes(window) == bool(sources._SPACED_QUOTE.search(window))


@settings(max_examples=300)
@given(st.lists(st.from_regex(rf"\A{SIMPLE_AMOUNT}\Z"), min_size=1, max_size=50))
def test_plain_amounts_read_in_sql_are_what_python_reads(amounts: list[str]) -> None:
    """Amounts the DuckDB reader reads in SQL (rounding included) must equal parse_amount's."""
    import duckdb

    from keepitlocal.spend.engine.fastread import plain_amount
    from keepitlocal.spend.engine.parse import parse_amount

    con = duckdb.connect()
    con.execute("CREATE TABLE t (i INTEGER, a VARCHAR)")
    con.executemany("INSERT INTO t VALUES (?, ?)", list(enumerate(amounts)))
    rows = con.execute(f"SELECT regexp_full_match(a, '{SIMPLE_AMOUNT}'), {plain_amount('a')} FROM t ORDER BY i").fetchall()  # noqa: S608 - constants
    for text, (simple, value) in zip(amounts, rows, strict=True):
        assert simple, text
        assert value == parse_amount(text), text
