"""Read every row of every spend file into one normalised staging table, accounting for each row.

Each data row below the header is either kept (written to the staging CSV) or rejected with a reason
(written to rejected.csv with the raw line): rows read = rows kept + rows rejected, per file.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Generator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO

from keepitlocal.spend.engine.columns import (
    AmbiguousMappingError,
    Mapping,
    MissingColumnError,
    NotSpendDataError,
    header_score,
    map_columns,
    normal,
)
from keepitlocal.spend.engine.names import is_redacted, normalise_name
from keepitlocal.spend.engine.parse import ParseError, parse_amount, parse_date
from keepitlocal.spend.engine.sources import Source, rows

HEADER_SEARCH_ROWS = 60
EARLIEST = date(1990, 1, 1)

STAGING_COLUMNS = [
    "file_index",
    "source_file",
    "source_row",
    "date",
    "amount",
    "supplier_name",
    "norm_name",
    "redacted",
    "company_number",
    "charity_number",
    "vat_number",
    "supplier_id",
    "vcse_flag",
    "published_type",
    "service_area",
    "expense_type",
    "transaction_id",
    "invoice",
    "postcode",
    "raw_line",
]
REJECTED_COLUMNS = ["source_file", "source_row", "reason", "raw_line"]
_NULLS = {"", "na", "n/a", "none", "nil", "null", "-", "0", "00000000", "unknown", "not applicable", "tbc", "#n/a"}
_TOTALS = re.compile(r"^(grand\s+)?(sub\s*)?totals?\b", re.IGNORECASE)


@dataclass
class FileReport:
    """What happened to one file: how it was read, and where every row went."""

    name: str
    status: str = "read"  # read | refused | ambiguous
    reason: str = ""
    header_line: int = 0
    mapping: str = ""
    rows_read: int = 0
    kept: int = 0
    rejected: int = 0
    duplicates: int = 0
    candidates: dict[str, list[str]] = field(default_factory=dict)

    @property
    def balanced(self) -> bool:
        return self.rows_read == self.kept + self.rejected


def clean_company_number(value: str) -> str:
    text = re.sub(r"[\s.\-]", "", value or "").upper()
    if text.lower() in _NULLS or not re.fullmatch(r"[A-Z]{0,2}\d{1,8}", text) or not text.strip("0"):
        return ""
    prefix = re.match(r"[A-Z]*", text).group(0)  # type: ignore[union-attr]
    digits = text[len(prefix) :]
    return prefix + digits.zfill(8 - len(prefix))


def clean_charity_number(value: str) -> str:
    text = re.sub(r"[\s.]", "", value or "").upper()
    if text.lower() in _NULLS:
        return ""
    if m := re.fullmatch(r"(SC)(\d{1,6})", text):
        return "SC" + m.group(2).zfill(6)
    if m := re.fullmatch(r"(?:NIC)?(\d{6})", text):
        return "NIC" + m.group(1) if text.startswith("NIC") else str(int(m.group(1)))
    if m := re.fullmatch(r"(\d{1,7})(?:-\d+)?", text):
        return str(int(m.group(1))) if int(m.group(1)) else ""
    return ""


def clean_vat_number(value: str) -> str:
    text = re.sub(r"[^0-9]", "", re.sub(r"^GB", "", (value or "").strip().upper()))
    return text if len(text) in (9, 12) and text.strip("0") else ""


_RAW_BUFFER = io.StringIO()
_RAW_WRITER = csv.writer(_RAW_BUFFER, lineterminator="")


def _raw(cells: Sequence[str]) -> str:
    """The row as one CSV line, for rejected.csv (one shared writer: this runs for every row)."""
    _RAW_BUFFER.seek(0)
    _RAW_BUFFER.truncate()
    _RAW_WRITER.writerow(cells)
    return _RAW_BUFFER.getvalue()


def find_header(sample: list[tuple[int, list[str]]]) -> int | None:
    """The index in `sample` of the header row: the first row naming the most known fields (at least three)."""
    best, best_score = None, 2
    for index, (_, cells) in enumerate(sample):
        score = header_score(cells)
        if score > best_score:
            best, best_score = index, score
    return best


class StagingWriter:
    """The normalised rows kept from every file, and the rejected rows, as two CSV streams."""

    def __init__(self, staging: IO[str], rejected: IO[str]) -> None:
        self.staging = csv.writer(staging)
        self.rejected = csv.writer(rejected)
        self.staging.writerow(STAGING_COLUMNS)
        self.rejected.writerow(REJECTED_COLUMNS)

    def reject(self, report: FileReport, line: int, reason: str, cells: Sequence[str]) -> None:
        report.rejected += 1
        self.rejected.writerow([report.name, line, reason, _raw(cells)])


def read_source(
    source: Source,
    file_index: int,
    writer: StagingWriter,
    overrides: dict[str, str] | None = None,
    ignore: Sequence[str] = (),
    today: date | None = None,
) -> FileReport:
    report = FileReport(source.name)
    latest = date((today or date.today()).year + 1, 12, 31)
    iterator = rows(source)
    try:
        return _read_rows(source, iterator, file_index, writer, report, latest, overrides, ignore)
    finally:
        iterator.close()


def _read_rows(
    source: Source,
    iterator: Generator[tuple[int, list[str]], None, None],
    file_index: int,
    writer: StagingWriter,
    report: FileReport,
    latest: date,
    overrides: dict[str, str] | None,
    ignore: Sequence[str],
) -> FileReport:
    sample: list[tuple[int, list[str]]] = []
    for item in iterator:
        sample.append(item)
        if len(sample) >= HEADER_SEARCH_ROWS:
            break
    header_index = find_header(sample)
    if header_index is None:
        report.status, report.reason = (
            "refused",
            "no header row naming a supplier, an amount and a date was found in the first 60 lines",
        )
        return report
    header_line, header = sample[header_index]
    report.header_line = header_line
    try:
        mapping = map_columns(header, overrides, ignore)
    except NotSpendDataError as error:
        report.status, report.reason = "refused", str(error)
        return report
    except AmbiguousMappingError as error:
        report.status, report.reason = "ambiguous", str(error)
        report.candidates[error.field_name] = error.candidates
        return report
    except MissingColumnError as error:
        report.status, report.reason = "refused", str(error)
        return report
    report.mapping = mapping.describe()
    header_normal = [normal(h) for h in header]
    header_supplier = header[mapping.columns["supplier_name"]].strip()

    def remaining() -> object:
        yield from sample[header_index + 1 :]
        yield from iterator

    col = mapping.columns
    optional = {
        name: col.get(name)
        for name in (
            "company_number",
            "charity_number",
            "vat_number",
            "supplier_id",
            "vcse_flag",
            "supplier_type",
            "service_area",
            "expense_type",
            "transaction_id",
            "invoice",
            "postcode",
        )
    }
    width = max(col.values()) + 1
    for line, cells in remaining():  # type: ignore[attr-defined]
        report.rows_read += 1
        if not any(c.strip() for c in cells):
            writer.reject(report, line, "empty row", cells)
            continue
        if len(cells) < width:
            cells = cells + [""] * (width - len(cells))
        if (
            cells[col["supplier_name"]].strip() == header_supplier
            and [normal(c) for c in cells[: len(header_normal)]] == header_normal
        ):
            writer.reject(report, line, "a repeated header row", cells)
            continue
        supplier = cells[col["supplier_name"]].strip()
        if not supplier:
            writer.reject(report, line, "no supplier name", cells)
            continue
        if _TOTALS.match(supplier) and not cells[col["date"]].strip():
            writer.reject(report, line, "a totals line, not a payment", cells)
            continue
        try:
            amount = parse_amount(cells[col["amount"]])
            paid = parse_date(cells[col["date"]])
        except ParseError as error:
            writer.reject(report, line, str(error)[0].upper() + str(error)[1:], cells)
            continue
        if not EARLIEST <= paid <= latest:
            writer.reject(report, line, f"the date {paid.isoformat()} is outside {EARLIEST.year} to {latest.year}", cells)
            continue
        redacted = is_redacted(supplier)
        opt = {name: cells[i].strip() if i is not None and i < len(cells) else "" for name, i in optional.items()}
        supplier_id = opt["supplier_id"]
        writer.staging.writerow(
            [
                file_index,
                report.name,
                line,
                paid.isoformat(),
                str(amount),
                supplier,
                "" if redacted else normalise_name(supplier),
                "true" if redacted else "false",
                clean_company_number(opt["company_number"]),
                clean_charity_number(opt["charity_number"]),
                clean_vat_number(opt["vat_number"]),
                "" if supplier_id.lower() in _NULLS else supplier_id,
                opt["vcse_flag"],
                opt["supplier_type"],
                opt["service_area"],
                opt["expense_type"],
                opt["transaction_id"],
                opt["invoice"],
                opt["postcode"].upper(),
                _raw(cells),
            ]
        )
        report.kept += 1
    return report


def read_all(
    sources: list[Source],
    staging_path: Path,
    rejected_path: Path,
    overrides: dict[str, str] | None = None,
    ignore: Sequence[str] = (),
    progress: object = None,
) -> list[FileReport]:
    reports = []
    with (
        open(staging_path, "w", newline="", encoding="utf-8") as staging,
        open(rejected_path, "w", newline="", encoding="utf-8") as rejected,
    ):
        writer = StagingWriter(staging, rejected)
        for index, source in enumerate(sources):
            reports.append(read_source(source, index, writer, overrides, ignore))
            if callable(progress):
                progress(reports[-1])
    return reports


__all__ = ["FileReport", "Mapping", "read_all", "read_source"]
