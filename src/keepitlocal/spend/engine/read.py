"""Read every row of every spend file into one normalised staging table, accounting for each row.

Each data row below the header is either kept (written to the staging CSV) or rejected with a reason
(written to rejected.csv with the raw line): rows read = rows kept + rows rejected, per file.
"""

from __future__ import annotations

import contextlib
import csv
import io
import logging
import multiprocessing
import os
import re
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable, Generator, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import IO

import duckdb

from keepitlocal.common.names import is_redacted, supplier_key_name
from keepitlocal.common.text import write_utf8
from keepitlocal.spend.engine.bulk import sql_string
from keepitlocal.spend.engine.columns import AmbiguousMappingError, Mapping, MissingColumnError, NotSpendDataError, map_columns
from keepitlocal.spend.engine.fastread import Job, read_with_duckdb, reading
from keepitlocal.spend.engine.headings import (
    OPTIONAL_FIELDS,
    How,
    column_labels,
    layout_key,
    normal,
    rank,
)
from keepitlocal.spend.engine.identifiers import (
    NULLS,
    clean_charity_number,
    clean_company_number,
    clean_postcode,
    clean_vat_number,
)
from keepitlocal.spend.engine.parse import ParseError, parse_amount, parse_date
from keepitlocal.spend.engine.sources import MAX_CELL, Source, TextFormat, rows, text_format
from keepitlocal.spend.engine.survey import FEW_FILES, UNREADABLE, Survey, refusal, spread, survey
from keepitlocal.spend.engine.values import FIT, JUDGED_FROM, fewest_payees, fits, profile

POOL_ROWS = 6_000  # the most sampled rows a layout's reading is decided from, drawn from each of its files alike
EARLIEST = date(1990, 1, 1)

# The staging table: every kept row of every file, whichever reader read it.
STAGING_TYPES = {
    "file_index": "INTEGER",
    "source_file": "VARCHAR",
    "source_row": "BIGINT",
    "date": "DATE",
    "amount": "DECIMAL(18,2)",
    "supplier_name": "VARCHAR",
    "norm_name": "VARCHAR",
    "redacted": "BOOLEAN",
    "company_number": "VARCHAR",
    "charity_number": "VARCHAR",
    "vat_number": "VARCHAR",
    "supplier_id": "VARCHAR",
    "vcse_flag": "VARCHAR",
    "published_type": "VARCHAR",
    "service_area": "VARCHAR",
    "expense_type": "VARCHAR",
    "transaction_id": "VARCHAR",
    "invoice": "VARCHAR",
    "postcode": "VARCHAR",
}
STAGING_COLUMNS = list(STAGING_TYPES)
REJECTED_COLUMNS = ["source_file", "source_row", "reason", "raw_line"]
_TOTALS = re.compile(r"^(grand\s+)?(sub\s*)?totals?\b", re.IGNORECASE)

logger = logging.getLogger(__name__)


class FileStatus(StrEnum):
    """What became of a file: read, refused (not spend data, or a column missing), or ambiguous (two columns
    equally plausible for one field, or none passing its checks, for a person to choose)."""

    READ = "read"
    REFUSED = "refused"
    AMBIGUOUS = "ambiguous"

    @property
    def label(self) -> str:
        return _STATUS_LABELS[self]


_STATUS_LABELS = {
    FileStatus.READ: "Read",
    FileStatus.REFUSED: "Not read",
    FileStatus.AMBIGUOUS: "Not read: a column needs choosing",
}


@dataclass(frozen=True)
class FieldReading:
    """How one field of a layout is read: from which heading, decided by what, with a few of its values."""

    field: str
    heading: str
    how: str  # a How
    why: str
    samples: tuple[str, ...] = ()

    @property
    def how_label(self) -> str:
        return How(self.how).label


@dataclass
class LayoutReport:
    """How every file with one heading row was read: once, from the rows of all of them."""

    key: str
    headings: list[str]
    files: list[str] = field(default_factory=list)
    status: FileStatus = FileStatus.READ
    reason: str = ""
    fields: list[FieldReading] = field(default_factory=list)
    candidates: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    amount_basis: str = ""
    rows_sampled: int = 0  # rows the reading was decided from, across the files
    payments: int = 0  # payments kept from the layout's files (named payees, before duplicates are taken out)
    payees: int = 0  # different payees named in them
    payee_checked: bool = False  # the payee column passed its checks over every payment of the layout
    spend: float = 0.0  # Σ |amount| of the payments read from the layout (before duplicates are taken out)
    not_spend: bool = False  # the files are some other dataset (card transactions, a contracts register)
    # The council's own supplier type codes the analysis does not know, most spent first: {code, payments, spend}.
    unknown_codes: list[dict[str, object]] = field(default_factory=list)


@dataclass
class FileReport:
    """What happened to one file: how it was read, and where every row went."""

    name: str
    status: FileStatus = FileStatus.READ
    reason: str = ""
    header_line: int = 0
    mapping: str = ""
    rows_read: int = 0
    kept: int = 0
    rejected: int = 0
    duplicates: int = 0
    candidates: dict[str, list[str]] = field(default_factory=dict)
    reader: str = "python"  # or "duckdb": which reader read the rows (fastread.py)
    layout: str = ""  # the key of its heading row (columns.layout_key): files of one layout are read alike
    not_spend: bool = False  # refused as some other dataset (card transactions, a contracts register, grants)
    amount_basis: str = ""  # an AmountBasis: whether the amounts read are net of VAT, gross, or do not say
    first_date: str = ""  # the file's first and last payment dates kept (ISO), set once duplicates are out
    last_date: str = ""

    @property
    def balanced(self) -> bool:
        return self.rows_read == self.kept + self.rejected


def _raw(cells: Sequence[str]) -> str:
    """The row as one CSV line, for rejected.csv. A writer of its own each time: files are read in threads, and a
    shared buffer let one file's rejected row carry another file's line."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow(cells)
    return buffer.getvalue()


def raw_lines(source: Source, lines: set[int], fmt: TextFormat | None = None) -> dict[int, str]:
    """The published rows at these line numbers, as one CSV line each. Kept rows do not carry their raw line
    through the analysis (it would double what is staged); the few that turn out to be duplicates are read
    again here for the rejected rows file."""
    found: dict[int, str] = {}
    if not lines:
        return found
    last = max(lines)
    iterator = rows(source, fmt)
    try:
        for line, cells in iterator:
            if line in lines:
                found[line] = _raw(cells)
            if line >= last:
                break
    finally:
        iterator.close()
    return found


class StagingWriter:
    """The normalised rows kept from every file, and the rejected rows, as two CSV streams."""

    def __init__(
        self, staging: IO[str], rejected: IO[str], header: bool = True, database: duckdb.DuckDBPyConnection | None = None
    ) -> None:
        self.database = database  # where the DuckDB reader puts each file's kept rows; None: Python reads every file
        # Rows end in CRLF, as DuckDB writes the parts it reads (fastread.py): one file must not mix the two, and
        # with CRLF as the terminator a carriage return inside a value is always quoted.
        self.staging = csv.writer(staging, lineterminator="\r\n")
        self.rejected = csv.writer(rejected, lineterminator="\r\n")
        if header:
            self.staging.writerow(STAGING_COLUMNS)
            self.rejected.writerow(REJECTED_COLUMNS)

    def reject(self, report: FileReport, line: int, reason: str, cells: Sequence[str]) -> None:
        report.rejected += 1
        self.rejected.writerow([report.name, line, reason, _raw(cells)])


@dataclass(frozen=True)
class Decided:
    """How a file is read: the line of its heading row, the row itself, and its layout's mapping."""

    header_line: int
    header: list[str]
    mapping: Mapping
    fmt: TextFormat | None = None


def decide_layout(
    surveys: Sequence[Survey],
    overrides: dict[str, str] | None = None,
    ignore: Sequence[str] = (),
    strict: bool = True,
    chosen: How = How.MAPPING,
) -> tuple[LayoutReport, Mapping | None]:
    """How files sharing one heading row are read, decided once from rows of all of them: each file gives the same
    number of sampled rows, so that no one month decides alone."""
    header = surveys[0].header
    share = max(1, POOL_ROWS // len(surveys))
    pooled = [cells for found in surveys for cells in _evenly(found.sample, share)]
    layout = LayoutReport(layout_key(header), [h.strip() for h in header], rows_sampled=len(pooled))
    try:
        mapping = map_columns(header, overrides, ignore, strict=strict, rows=pooled, chosen=chosen)
    except AmbiguousMappingError as error:
        layout.status, layout.reason = FileStatus.AMBIGUOUS, str(error)
        layout.candidates[error.field_name] = error.candidates
        return layout, None
    except (NotSpendDataError, MissingColumnError) as error:
        layout.status, layout.reason = FileStatus.REFUSED, str(error)
        layout.not_spend = isinstance(error, NotSpendDataError)
        return layout, None
    labels = column_labels(header)
    layout.fields = [
        FieldReading(name, labels[index], mapping.how[name], mapping.why.get(name, ""), tuple(mapping.samples.get(name, ())))
        for name, index in mapping.columns.items()
    ]
    layout.notes = list(mapping.notes)
    layout.amount_basis = mapping.amount_basis
    return layout, mapping


def _evenly(sample: list[list[str]], count: int) -> list[list[str]]:
    """`count` rows of the sample, spread over it."""
    if len(sample) <= count:
        return sample
    step = len(sample) / count
    return [sample[int(k * step)] for k in range(count)]


def unread_span(found: Survey) -> tuple[str, str]:
    """The first and last dates (ISO) a file not read seems to cover, from the column its heading and values say holds
    dates, so that its months are shown as not read rather than as months without payments; ('', '') if none."""
    if not found.header or not found.sample:
        return "", ""
    ranked = sorted((r, i) for i, h in enumerate(found.header) if (r := rank("date", h)) is not None)
    for _, index in ranked:
        if (fits("date", profile(found.sample, index)) or 0) >= FIT:
            days = []
            for cells in found.sample:
                with contextlib.suppress(ParseError, IndexError):
                    day = parse_date(cells[index])
                    if EARLIEST <= day <= date(date.today().year + 1, 12, 31):
                        days.append(day)
            if days:
                return min(days).isoformat(), max(days).isoformat()
    return "", ""


def read_source(
    source: Source,
    file_index: int,
    writer: StagingWriter,
    overrides: dict[str, str] | None = None,
    ignore: Sequence[str] = (),
    today: date | None = None,
    strict: bool = True,
) -> FileReport:
    """One file read on its own (its layout decided from its own rows)."""
    found = survey(source)
    spread(source, found, costly=True)
    report = FileReport(source.name, layout=found.layout)
    if found.refused:
        return _unreadable(report, found.refused)
    layout, mapping = decide_layout([found], overrides, ignore, strict)
    if mapping is None:
        report.status, report.reason, report.candidates = layout.status, layout.reason, dict(layout.candidates)
        return report
    decided = Decided(found.header_line, found.header, mapping, found.fmt)
    read = _read_source(source, file_index, writer, decided, today, python_reader=True)
    assert read is not None  # the Python reader reads whatever the DuckDB reader does not
    return read


def _read_source(
    source: Source,
    file_index: int,
    writer: StagingWriter,
    decided: Decided,
    today: date | None,
    python_reader: bool,
) -> FileReport | None:
    """With python_reader False: the file as the DuckDB reader reads it, or None, having written nothing, when it
    needs the Python reader (spreadsheets always do)."""
    if source.is_spreadsheet and not python_reader:
        return None
    report = FileReport(source.name, layout=layout_key(decided.header))
    latest = date((today or date.today()).year + 1, 12, 31)
    try:
        fmt = None if source.is_spreadsheet else (decided.fmt or text_format(source))
        iterator = rows(source, fmt)
        try:
            return _read_rows(source, iterator, file_index, writer, report, latest, decided, fmt, python_reader)
        finally:
            iterator.close()
    except UNREADABLE as error:
        return _unreadable(report, refusal(source, error))


def _unreadable(report: FileReport, reason: str) -> FileReport:
    """A file refused whole, with the reason; _read_part drops whatever of it was staged before the refusal."""
    report.status, report.reason = FileStatus.REFUSED, reason
    report.rows_read = report.kept = report.rejected = 0
    return report


def _read_rows(
    source: Source,
    iterator: Generator[tuple[int, list[str]], None, None],
    file_index: int,
    writer: StagingWriter,
    report: FileReport,
    latest: date,
    decided: Decided,
    fmt: TextFormat | None = None,
    python_reader: bool = True,
) -> FileReport | None:
    header, header_line, mapping = decided.header, decided.header_line, decided.mapping
    report.header_line = header_line
    report.mapping = mapping.describe()
    report.amount_basis = mapping.amount_basis
    header_normal = [normal(h) for h in header]
    header_supplier = header[mapping.columns["supplier_name"]].strip()

    if (
        fmt is not None
        and FAST_READ
        and fmt.longest_line <= MAX_CELL  # a longer cell is rejected row by row, as only the Python reader does
        and writer.database is not None
        and _read_fast(source, fmt, header, header_line, mapping.columns, file_index, writer, report, latest)
    ):
        return report
    if not python_reader:
        return None

    def remaining() -> object:
        for line, cells in iterator:
            if line > header_line:
                yield line, cells

    col = mapping.columns
    optional = [col.get(name) for name in OPTIONAL_FIELDS]
    width = max(col.values()) + 1
    for line, cells in remaining():  # type: ignore[attr-defined]
        report.rows_read += 1
        if any(len(c) > MAX_CELL for c in cells):
            writer.reject(report, line, f"a cell is longer than {MAX_CELL:,} characters", [c[:200] for c in cells])
            continue
        if not any(c.strip() for c in cells):
            writer.reject(report, line, "empty row", cells)
            continue
        published = cells  # rejected rows keep the row as published, not as padded here
        if len(cells) < width:
            cells = cells + [""] * (width - len(cells))
        if (
            cells[col["supplier_name"]].strip() == header_supplier
            and [normal(c) for c in cells[: len(header_normal)]] == header_normal
        ):
            writer.reject(report, line, "a repeated header row", published)
            continue
        supplier = cells[col["supplier_name"]].strip()
        if not cells[col["date"]].strip():
            # A file's own totals line: an amount with no payee or a label such as "Total", and no date.
            if not supplier:
                reason = "a totals line, not a payment" if cells[col["amount"]].strip() else "no payee, date or amount"
                writer.reject(report, line, reason, published)
                continue
            if _TOTALS.match(supplier):
                writer.reject(report, line, "a totals line, not a payment", published)
                continue
        try:
            amount = parse_amount(cells[col["amount"]])
            paid = parse_date(cells[col["date"]])
        except ParseError as error:
            writer.reject(report, line, str(error)[0].upper() + str(error)[1:], published)
            continue
        if not EARLIEST <= paid <= latest:
            writer.reject(report, line, f"the date {paid.isoformat()} is outside {EARLIEST.year} to {latest.year}", published)
            continue
        redacted = is_redacted(supplier)
        # Rows were padded to the widest mapped column, so every mapped index is present.
        company, charity, vat, supplier_id, vcse, published_type, transaction, invoice, postcode, area, expense = [
            cells[i].strip() if i is not None else "" for i in optional
        ]
        writer.staging.writerow(
            [
                file_index,
                report.name,
                line,
                paid.isoformat(),
                str(amount),
                supplier,
                supplier_key_name(supplier),
                "true" if redacted else "false",
                clean_company_number(company),
                clean_charity_number(charity),
                clean_vat_number(vat),
                "" if supplier_id.lower() in NULLS else supplier_id,
                vcse,
                published_type,
                area,
                expense,
                transaction,
                invoice,
                clean_postcode(postcode),
            ]
        )
        report.kept += 1
    return report


# The DuckDB reader (fastread.py) for plain UTF-8 files; False reads every file row by row in Python.
FAST_READ = True
CLEANERS: dict[str, Callable[[str], str]] = {
    "company": clean_company_number,
    "charity": clean_charity_number,
    "vat": clean_vat_number,
    "supplier_id": lambda value: "" if value.lower() in NULLS else value,
    "postcode": clean_postcode,
}


def _read_fast(
    source: Source,
    fmt: TextFormat,
    header: list[str],
    header_line: int,
    columns: dict[str, int],
    file_index: int,
    writer: StagingWriter,
    report: FileReport,
    latest: date,
) -> bool:
    assert writer.database is not None
    rejected: list[tuple[int, str]] = []
    with contextlib.ExitStack() as stack:
        readable, readable_fmt = source, fmt
        if source.needs_copy or fmt.encoding != "utf-8":
            # Windows-1252 files and members of zip archives are written out as the UTF-8 text the Python reader
            # would decode (same lines, same replacement characters), so that DuckDB can read them too.
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="kil-read-")))
            readable = Source(_as_utf8(source, fmt, folder / "utf8.csv"))
            readable_fmt = text_format(readable)
        job = Job(
            readable,
            readable_fmt,
            header,
            header_line,
            columns,
            {name: columns.get(name) for name in OPTIONAL_FIELDS},
            EARLIEST,
            latest,
            file_index,
            f"staged_{file_index}",
            source.name,
        )
        found = read_with_duckdb(job, rejected, writer.database)
    if found is None:
        return False
    report.rows_read, report.kept = found
    report.rejected = len(rejected)
    report.reader = "duckdb"
    raw = raw_lines(source, {line for line, _ in rejected}, fmt)
    writer.rejected.writerows([report.name, line, reason, raw.get(line, "")] for line, reason in rejected)
    return True


def _as_utf8(source: Source, fmt: TextFormat, target: Path) -> Path:
    """The file's text, decoded as the Python reader decodes it (rows()), written to `target` as UTF-8."""
    with source.open_binary() as stream:
        stream.read(fmt.bom)
        return write_utf8(stream, fmt.encoding, target)


PARALLEL_MIN_BYTES = 4 * 1024 * 1024


def _read_part(
    source: Source,
    index: int,
    staging: Path,
    rejected: Path,
    decided: Decided,
    database: duckdb.DuckDBPyConnection | None,
    python_reader: bool = True,
) -> FileReport | None:
    """Read one file into its own staging and rejected parts (in a thread, a worker process, or here); with
    python_reader False, only if the DuckDB reader can (see _read_source)."""
    with open(staging, "w", newline="", encoding="utf-8") as st, open(rejected, "w", newline="", encoding="utf-8") as rj:
        writer = StagingWriter(st, rj, header=False, database=database)
        report = _read_source(source, index, writer, decided, None, python_reader)
        if report is not None and report.status == FileStatus.REFUSED:
            # A file refused part-way (a quote that never closes, found rows after its first payments) keeps nothing.
            for part in (st, rj):
                part.seek(0)
                part.truncate()
        return report


@dataclass
class Reading:
    """Every file read: its report, and how each layout was read."""

    files: list[FileReport]
    layouts: list[LayoutReport]


def decide_layouts(
    sources: list[Source],
    surveys: list[Survey],
    overrides: dict[str, str] | None,
    layout_overrides: dict[str, dict[str, str]] | None,
    ignore: Sequence[str],
    strict: bool,
    chosen: How,
) -> tuple[list[LayoutReport], dict[int, Decided], dict[int, FileReport]]:
    """One reading per layout (files whose heading rows are the same), decided from all of their rows; the files
    refused before or by it, with their reports."""
    by_layout: dict[str, list[int]] = {}
    refused: dict[int, FileReport] = {}
    for index, found in enumerate(surveys):
        if found.refused:
            refused[index] = _unreadable(FileReport(sources[index].name, not_spend=found.not_spend), found.refused)
        else:
            by_layout.setdefault(found.layout, []).append(index)
    layouts: list[LayoutReport] = []
    decided: dict[int, Decided] = {}
    for key, indexes in by_layout.items():
        # A person's choice for this layout outranks one made for every layout (or given in a mapping file).
        chosen_here = {**(overrides or {}), **(layout_overrides or {}).get(key, {})}
        layout, mapping = decide_layout([surveys[i] for i in indexes], chosen_here, ignore, strict, chosen)
        layout.files = [sources[i].name for i in indexes]
        layouts.append(layout)
        for i in indexes:
            if mapping is None:
                report = FileReport(
                    sources[i].name, status=layout.status, reason=layout.reason, layout=key, not_spend=layout.not_spend
                )
                report.header_line = surveys[i].header_line
                report.candidates = dict(layout.candidates)
                if not layout.not_spend:  # another dataset's dates are not months of spend left unread
                    report.first_date, report.last_date = unread_span(surveys[i])
                refused[i] = report
            else:
                decided[i] = Decided(surveys[i].header_line, surveys[i].header, mapping, surveys[i].fmt)
    return layouts, decided, refused


def read_all(
    sources: list[Source],
    con: duckdb.DuckDBPyConnection,
    staging_path: Path,
    rejected_path: Path,
    overrides: dict[str, str] | None = None,
    ignore: Sequence[str] = (),
    progress: Callable[[FileReport], None] | None = None,
    workers: int | None = None,
    strict: bool = True,
    layout_overrides: dict[str, dict[str, str]] | None = None,
    chosen: How = How.MAPPING,
) -> Reading:
    """Read every source: the kept rows into the view `staged` of `con` (made here), the rejected rows into one
    CSV at `rejected_path`, in source order. The rows the Python reader keeps pass through a CSV at `staging_path`.

    First each file is surveyed (its heading row found, rows sampled from all of it) and each layout's reading decided
    from the samples of all of its files, so that files with the same heading row are read the same way. Then files
    are read in parallel (councils publish a file a month), each into its own parts, which are joined in order: the
    result is the same as reading them one after another. The DuckDB reader runs in threads (DuckDB releases the
    interpreter while it works, and threads start at once); the files it leaves to the Python reader go to worker
    processes when there are enough bytes to be worth starting them. Last, each layout's payee column is checked
    over every payment read from it: a column that fails is not used, and its files are not read.
    """
    workers = workers if workers is not None else min(os.cpu_count() or 1, len(sources))
    with ThreadPoolExecutor(max_workers=max(1, workers)) as threads:
        surveys = list(threads.map(survey, sources))
        # Rows from the rest of each file: always where seeking reaches them; by reading a file through again only in
        # layouts of few files (in a year of monthly files, each month's first rows are a twelfth of the sample).
        sizes = Counter(found_one.layout for found_one in surveys)
        costly = [sizes[found_one.layout] < FEW_FILES for found_one in surveys]
        list(threads.map(spread, sources, surveys, costly))
    layouts, decided, found = decide_layouts(sources, surveys, overrides, layout_overrides, ignore, strict, chosen)
    if progress:
        for report in found.values():
            progress(report)
    # A table for each file the DuckDB reader reads and one for the Python reader's rows; `staged` is their union.
    tables = ["staged_python", *(f"staged_{index}" for index in range(len(sources)))]
    for table in tables:
        con.execute(f"CREATE TABLE {table} ({', '.join(f'{name} {kind}' for name, kind in STAGING_TYPES.items())})")
    parts = staging_path.parent / f"{staging_path.stem}-parts"
    parts.mkdir(exist_ok=True)

    def tell(index: int, report: FileReport) -> None:
        found[index] = report
        if progress:
            progress(report)

    jobs = [
        (source, index, parts / f"{index}.staging.csv", parts / f"{index}.rejected.csv") for index, source in enumerate(sources)
    ]
    to_read = [job for job in jobs if job[1] in decided]
    if FAST_READ:
        with reading(con, CLEANERS), ThreadPoolExecutor(max_workers=max(1, workers)) as threads:
            attempts = {
                threads.submit(_read_part, source, index, staging, rejected, decided[index], con, False): index
                for source, index, staging, rejected in to_read
            }
            for future in as_completed(attempts):
                if (done := future.result()) is not None:
                    tell(attempts[future], done)
    left = [job for job in to_read if job[1] not in found]
    size = sum(job[0].path.stat().st_size for job in left)
    if workers > 1 and len(left) > 1 and size >= PARALLEL_MIN_BYTES:
        # Workers cannot start where the caller's main module cannot be imported again (a script read from
        # standard input, some embedded interpreters); reading one file after another, below, still works.
        with contextlib.suppress(BrokenProcessPool):
            _read_in_processes(left, decided, workers, tell)
    for source, index, staging, rejected in left:
        if index not in found:
            tell(index, _python_part(source, index, staging, rejected, decided[index]))
    with (
        open(staging_path, "w", newline="", encoding="utf-8") as staging_out,
        open(rejected_path, "w", newline="", encoding="utf-8") as rejected_out,
    ):
        StagingWriter(staging_out, rejected_out)
        for _, _, staging, rejected in to_read:
            for part, out in ((staging, staging_out), (rejected, rejected_out)):
                with open(part, newline="", encoding="utf-8") as handle:
                    shutil.copyfileobj(handle, out)
                part.unlink()
    parts.rmdir()
    columns = ", ".join(f"'{name}': '{kind}'" for name, kind in STAGING_TYPES.items())
    con.execute(
        f"""INSERT INTO staged_python BY NAME SELECT * FROM read_csv({sql_string(staging_path)}, header = true, columns = {{{columns}}},
            nullstr = '', quote = '"', escape = '"', new_line = '\\r\\n', auto_detect = false)"""
    )
    con.execute(f"CREATE VIEW staged AS {' UNION ALL '.join(f'SELECT * FROM {table}' for table in tables)}")
    reports = [found[index] for index in range(len(sources))]
    _check_payees(con, layouts, reports, rejected_path)
    return Reading(reports, layouts)


def _check_payees(con: duckdb.DuckDBPyConnection, layouts: list[LayoutReport], reports: list[FileReport], rejected: Path) -> None:
    """Each layout's payee column over every payment read from it: many different payees for its payments, as a
    council pays hundreds of suppliers a month. A column that fails is a category or a code read as the payee, and is
    not used: its files' rows are taken out and the files marked for a person to choose the payee column."""
    failed: set[str] = set()
    for layout in layouts:
        indexes = [i for i, r in enumerate(reports) if r.layout == layout.key and r.status == FileStatus.READ]
        if layout.status != FileStatus.READ or not indexes:
            continue
        within = ", ".join(map(str, indexes))
        payments, payees, spend = con.execute(
            "SELECT count(*) FILTER (WHERE NOT redacted), count(DISTINCT norm_name) FILTER (WHERE NOT redacted), "
            f"coalesce(sum(abs(amount)), 0) FROM staged WHERE file_index IN ({within})"
        ).fetchone()  # type: ignore[misc]
        layout.payments, layout.payees, layout.spend = int(payments), int(payees), float(spend)
        named = next((f for f in layout.fields if f.field == "supplier_name"), None)
        # A person's choice (on the platform or in a mapping file) is read as chosen; its payees are reported.
        if payments < JUDGED_FROM or payees >= fewest_payees(payments) or (named and named.how in (How.CHOICE, How.MAPPING)):
            layout.payee_checked = True
            continue
        column = named.heading if named else "?"
        layout.spend = 0.0  # its payments are taken out: none of the spend read came from it
        # The failed reading is not kept as the layout's: a person choosing that column again is a choice made.
        layout.fields = [f for f in layout.fields if f.field != "supplier_name"]
        layout.status = FileStatus.AMBIGUOUS
        layout.reason = (
            f"The payee column '{column}' holds only {payees:,} different names over {payments:,} payments: it is a "
            "category or a code, not the payee. Choose which column is the supplier name."
        )
        layout.candidates["supplier_name"] = [h for h in layout.headings if h]
        spans = {
            index: (first, last)
            for index, first, last in con.execute(
                f"SELECT file_index, min(date), max(date) FROM staged WHERE file_index IN ({within}) GROUP BY ALL"
            ).fetchall()
        }
        for i in indexes:
            report = reports[i]
            failed.add(report.name)
            # Its months are not read, never months without payments.
            if i in spans:
                report.first_date, report.last_date = (day.isoformat() for day in spans[i])
            report.status, report.reason = FileStatus.AMBIGUOUS, layout.reason
            report.candidates = dict(layout.candidates)
            report.rows_read = report.kept = report.rejected = 0
            con.execute(f"DELETE FROM staged_{i}")
            con.execute(f"DELETE FROM staged_python WHERE file_index = {i}")
    if failed:
        # The rejected rows of files not read are not theirs to report.
        kept = rejected.with_suffix(".kept.csv")
        with open(rejected, newline="", encoding="utf-8") as source, open(kept, "w", newline="", encoding="utf-8") as out:
            lines, writer = csv.reader(source), csv.writer(out, lineterminator="\r\n")
            writer.writerow(next(lines))
            writer.writerows(row for row in lines if row and row[0] not in failed)
        kept.replace(rejected)


def _python_part(source: Source, index: int, staging: Path, rejected: Path, decided: Decided) -> FileReport:
    """A file the DuckDB reader left, read by the Python reader (no second DuckDB attempt)."""
    found = _read_part(source, index, staging, rejected, decided, None)
    assert found is not None  # the Python reader reads every file
    return found


def _read_in_processes(
    jobs: list[tuple[Source, int, Path, Path]],
    decided: dict[int, Decided],
    workers: int,
    tell: Callable[[int, FileReport], None],
) -> None:
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = {
            pool.submit(_python_part, source, index, staging, rejected, decided[index]): index
            for source, index, staging, rejected in jobs
        }
        for future in as_completed(futures):
            tell(futures[future], future.result())
