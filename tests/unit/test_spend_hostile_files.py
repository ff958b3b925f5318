"""Files built to break the reader: each is refused or rejected row by row with a reason naming it, quickly, in
bounded memory, and never fails the analysis of the other files."""

from __future__ import annotations

import gzip
import zipfile
from pathlib import Path

import pytest

from keepitlocal.spend.engine.pipeline import NothingUsableError, Options, analyse
from keepitlocal.spend.engine.sources import MAX_CELL, Source, text_format

GOOD = "Supplier Name,Amount,Date\nAcme Ltd,100,2024-04-01\nHalifax Food Bank,50,2024-04-02\n"


def _analyse(tmp_path: Path, *files: Path) -> object:
    return analyse(list(files), tmp_path / "out", Options(council="E08000033"))


def _good(tmp_path: Path) -> Path:
    path = tmp_path / "good.csv"
    path.write_text(GOOD)
    return path


def test_an_oversized_cell_rejects_its_row_not_the_file(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    path.write_text(f'Supplier Name,Amount,Date\n"{"x" * (MAX_CELL + 1)}",5,2024-04-01\nAcme Ltd,10,2024-04-02\n')
    result = _analyse(tmp_path, path)
    assert result.kept == 1 and result.rejected == 1  # type: ignore[attr-defined]
    rejected = (tmp_path / "out" / "rejected.csv").read_text()
    assert "a cell is longer than 131,072 characters" in rejected and len(rejected) < 2000


def test_a_file_without_line_breaks_is_refused_at_once(tmp_path: Path) -> None:
    path = tmp_path / "one-line.csv"
    path.write_bytes(b"Supplier Name,Amount,Date" + b"x" * (5 * 1024 * 1024))
    result = _analyse(tmp_path, path, _good(tmp_path))
    refused = next(f for f in result.files if f.name.endswith("one-line.csv"))  # type: ignore[attr-defined]
    assert refused.status == "refused" and "no line break in its first 4 MB" in refused.reason
    assert result.kept == 2  # type: ignore[attr-defined]  # the other file is read as ever


def test_a_truncated_gzip_is_refused_with_its_reason(tmp_path: Path) -> None:
    path = tmp_path / "cut.csv.gz"
    packed = gzip.compress((GOOD + "Acme Ltd,1,2024-04-03\n" * 5000).encode())
    path.write_bytes(packed[: len(packed) // 2])
    with pytest.raises(NothingUsableError, match=r"cut\.csv\.gz: it is damaged or cut short"):
        _analyse(tmp_path, path)


@pytest.mark.parametrize("kind", ["gzip", "zip"])
def test_compression_bombs_are_refused_while_streaming(tmp_path: Path, kind: str) -> None:
    rows = b"Supplier Name,Amount,Date\n" + b"Acme Ltd,1,2024-04-01\n" * 8_000_000  # 176 MB, packs to under 1 MB
    if kind == "gzip":
        path = tmp_path / "bomb.csv.gz"
        path.write_bytes(gzip.compress(rows, 9))
        source = Source(path)
    else:
        path = tmp_path / "bomb.zip"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("spend.csv", rows)
        source = Source(path, "spend.csv")
    with pytest.raises(Exception, match="expands more than 100 times"):
        text_format(source)
    with pytest.raises(NothingUsableError, match="expands more than 100 times"):
        _analyse(tmp_path, path)


def test_utf16_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    for encoding in ("utf-16", "utf-16-be"):
        path = tmp_path / f"{encoding}.csv"
        data = GOOD.replace("Acme Ltd", "Café Ltd").encode(encoding)
        path.write_bytes(data if encoding == "utf-16" else b"\xfe\xff" + data)
        result = analyse([path], tmp_path / encoding, Options(council="E08000033"))
        assert result.kept == 2 and result.rejected == 0
        assert "Café Ltd" in (tmp_path / encoding / "transactions.csv").read_text()


def test_a_header_without_rows_says_so(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("Supplier Name,Amount,Date\n")
    with pytest.raises(NothingUsableError, match=r"empty\.csv: it has a header row but no rows of payments below it"):
        _analyse(tmp_path, path)


def _cli(*args: str) -> object:
    from click.testing import CliRunner

    from keepitlocal.cli import main as kil

    return CliRunner().invoke(kil, ["spend", "analyse", *args])


def test_the_cli_writes_no_formula_into_its_csv_outputs(tmp_path: Path) -> None:
    path = tmp_path / "formula.csv"
    path.write_text(
        "Supplier Name,Amount,Date,Service Area\n"
        '"=HYPERLINK(""http://evil.example"")",10,2024-04-01,@SUM(A1)\n'
        "+1+cmd|calc,-5.50,2024-04-02,-Area\nAcme Ltd,100,2024-04-03,Adults\n"
        "Acme Ltd,not money,2024-04-04,=1+1\n"
    )
    result = _cli(str(path), "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    import csv

    for name in ("transactions.csv", "suppliers.csv", "rejected.csv"):
        with open(tmp_path / "out" / name, newline="", encoding="utf-8") as handle:
            cells = [cell for row in csv.reader(handle) for cell in row]
        for cell in cells:
            if cell[:1] in ("=", "+", "-", "@"):
                float(cell)  # only numbers (a credit note's -5.50) may start like a formula
    transactions = (tmp_path / "out" / "transactions.csv").read_text()
    assert "'=HYPERLINK" in transactions and "'+1+cmd|calc" in transactions and ",-5.50," in transactions


def _cut_gzip(path: Path) -> None:
    rows = "".join(f"Supplier {n} Ltd,{n}.{n % 100:02d},2024-04-{1 + n % 28:02d}\n" for n in range(20000))
    packed = gzip.compress(("Supplier Name,Amount,Date\n" + rows).encode())
    path.write_bytes(packed[: len(packed) // 2])


@pytest.mark.parametrize(
    ("name", "make", "message"),
    [
        ("spend.csv.gz", _cut_gzip, "spend.csv.gz: it is damaged or cut short"),
        ("spend.csv", lambda p: p.write_text("Supplier Name,Amount,Date\n"), "spend.csv: it has a header row but no rows"),
    ],
)
def test_the_cli_says_what_is_wrong_in_one_line(tmp_path: Path, name: str, make: object, message: str) -> None:
    path = tmp_path / name
    make(path)  # type: ignore[operator]
    result = _cli(str(path), "--out", str(tmp_path / "out"))
    output = result.output  # type: ignore[attr-defined]
    assert result.exit_code == 1 and message in output and "Traceback" not in output and "Aborted" not in output  # type: ignore[attr-defined]


def test_the_cli_refuses_an_output_folder_it_cannot_write(tmp_path: Path) -> None:
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("")
    result = _cli(str(_good(tmp_path)), "--out", str(blocked / "out"))
    output = result.output  # type: ignore[attr-defined]
    assert result.exit_code == 1 and output.startswith(f"Error: Cannot write the outputs to {blocked / 'out'}")  # type: ignore[attr-defined]
    assert "Traceback" not in output and len(output.strip().splitlines()) == 1


def test_a_quote_that_never_closes_refuses_its_file_only(tmp_path: Path) -> None:
    path = tmp_path / "unterminated.csv"
    path.write_bytes(b'Supplier Name,Amount,Date\n"Acme Ltd,10,2024-04-01\n' + b"more text\n" * 1_800_000)  # 18 MB in one cell
    result = _analyse(tmp_path, path, _good(tmp_path))
    refused = next(f for f in result.files if f.name.endswith("unterminated.csv"))  # type: ignore[attr-defined]
    assert refused.status == "refused" and "a quoted value never ends" in refused.reason
    assert result.kept == 2  # type: ignore[attr-defined]


def test_a_file_refused_part_way_keeps_none_of_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "late-quote.csv"
    good_rows = "".join(f"Late Supplier {n} Ltd,{n + 1},2024-04-0{1 + n % 9}\n" for n in range(5000))
    path.write_bytes(f"Supplier Name,Amount,Date\n{good_rows}".encode() + b'"Broken Ltd,10,2024-04-01\n' + b"more\n" * 3_500_000)
    result = _analyse(tmp_path, path, _good(tmp_path))
    refused = next(f for f in result.files if f.name.endswith("late-quote.csv"))  # type: ignore[attr-defined]
    assert refused.status == "refused" and (refused.kept, refused.rejected) == (0, 0)
    assert result.kept == 2  # type: ignore[attr-defined]
    assert "Late Supplier" not in (tmp_path / "out" / "transactions.csv").read_text()
