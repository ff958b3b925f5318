"""Reading a plain delimited file with DuckDB rather than row by row in Python: the same rows kept, the same
rows rejected for the same reasons, the same line numbers, several times faster.

It applies only where the answer is certain to match the Python reader (read.py):
- a UTF-8 text file, not a spreadsheet or a member of a zip archive;
- every row on its own physical line: DuckDB's row count must equal the file's line count below the header,
  which fails whenever a quoted value spans lines or a blank line is skipped, so that line numbers are exact;
- no spaces between a delimiter and a quote, which the two readers split differently;
- DuckDB reads it without error.
Otherwise `read_with_duckdb` returns None and the Python reader reads the file.

Values go through the same Python functions as before (amounts, dates, names, identifiers), but once per
distinct value rather than once per row; only amounts written as plain numbers (1234.50, -£1,234.50) are
read in SQL, by rules that give the same result as parse_amount.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
from duckdb.func import FunctionNullHandling
from duckdb.sqltypes import VARCHAR

from keepitlocal.spend.engine.bulk import sql_string
from keepitlocal.spend.engine.names import is_redacted, normalise_name
from keepitlocal.spend.engine.parse import ParseError, parse_amount, parse_date
from keepitlocal.spend.engine.sources import Source, TextFormat

# What Python's str.strip() removes (every character for which str.isspace() is true; a test checks the list);
# DuckDB's trim() removes only spaces unless told.
WHITESPACE = "".join(
    map(
        chr,
        [
            *range(0x9, 0xE),
            *range(0x1C, 0x21),
            0x85,
            0xA0,
            0x1680,
            *range(0x2000, 0x200B),
            0x2028,
            0x2029,
            0x202F,
            0x205F,
            0x3000,
        ],
    )
)
SIMPLE_AMOUNT = r"-?£?([0-9]{1,15}|[0-9]{1,3}(,[0-9]{3}){1,4})(\.[0-9]{1,10})?"
TOTALS = r"(?i)^(grand\s+)?(sub\s*)?totals?($|[^\pL\pN_])"


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


WS = _sql_text(WHITESPACE)


def _stripper(fmt: TextFormat) -> Callable[[str], str]:
    """SQL for Python's strip(): DuckDB's plain trim() removes spaces only and is far faster than trimming a set
    of characters, so the set is used only in files that hold other whitespace."""
    if fmt.other_spaces:
        return lambda expression: f"trim(coalesce({expression}, ''), {WS})"
    return lambda expression: f"trim(coalesce({expression}, ''))"


def _parsed(parse: Callable[[str], object]) -> Callable[[str | None], str]:
    """A DuckDB function over one value: '=' and the result, or '!' and the reason, worded as read.py words it."""

    def udf(text: str | None) -> str:
        try:
            value = parse(text or "")
        except ParseError as error:
            message = str(error)
            return "!" + message[0].upper() + message[1:]
        return "=" + (value.isoformat() if isinstance(value, date) else str(value))

    return udf


def _text(fn: Callable[[str], str]) -> Callable[[str | None], str]:
    return lambda text: fn(text or "")


def _connect(cleaners: dict[str, Callable[[str], str]]) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    # One thread and insertion order kept, so that row_number() is the row's place in the file.
    con.execute("SET threads = 1")
    con.execute("SET preserve_insertion_order = true")
    special = FunctionNullHandling.SPECIAL
    con.create_function("kil_amount", _parsed(parse_amount), [VARCHAR], VARCHAR, null_handling=special)
    con.create_function("kil_date", _parsed(parse_date), [VARCHAR], VARCHAR, null_handling=special)
    con.create_function(
        "kil_norm", _text(lambda s: "" if is_redacted(s) else normalise_name(s)), [VARCHAR], VARCHAR, null_handling=special
    )
    con.create_function(
        "kil_redacted", _text(lambda s: "true" if is_redacted(s) else "false"), [VARCHAR], VARCHAR, null_handling=special
    )
    con.create_function("kil_upper", _text(str.upper), [VARCHAR], VARCHAR, null_handling=special)
    for name, fn in cleaners.items():
        con.create_function(f"kil_{name}", _text(fn), [VARCHAR], VARCHAR, null_handling=special)
    return con


@dataclass(frozen=True)
class Job:
    """One file to read, with what the Python reader already found: its format, header and column mapping."""

    source: Source
    fmt: TextFormat
    header: list[str]
    header_line: int
    columns: dict[str, int]  # required field -> column index
    optional: dict[str, int | None]  # optional field -> column index, or None where the file lacks it
    earliest: date
    latest: date
    file_index: int
    out: Path  # the Parquet file for the kept rows
    cleaners: dict[str, Callable[[str], str]]


def read_with_duckdb(job: Job, rejected: list[tuple[int, str]]) -> tuple[int, int] | None:
    """Write the file's kept rows to the Parquet file `job.out` (the staging table's columns) and its rejected rows,
    as (line, reason), to `rejected`; return (rows read, rows kept), or None when this reader does not apply."""
    fmt = job.fmt
    if job.source.member or job.source.is_spreadsheet or fmt.encoding != "utf-8" or len(fmt.delimiter) != 1 or fmt.spaced_quotes:
        return None
    expected = fmt.lines - job.header_line
    if expected <= 0 or not job.header or max(job.columns.values()) >= len(job.header):
        return None
    con = _connect(job.cleaners)
    try:
        return _read(con, job, rejected, expected)
    except duckdb.Error:
        job.out.unlink(missing_ok=True)  # the Python reader reads the file now: no half-written part may stay
        return None
    finally:
        con.close()


def _read(con: duckdb.DuckDBPyConnection, job: Job, rejected: list[tuple[int, str]], expected: int) -> tuple[int, int] | None:
    source, fmt, header, header_line, columns = job.source, job.fmt, job.header, job.header_line, job.columns
    optional, earliest, latest, file_index, out = job.optional, job.earliest, job.latest, job.file_index, job.out
    width = len(header)
    _strip = _stripper(fmt)
    names = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width))
    c = {field: f"c{index}" for field, index in columns.items()}
    header_supplier = header[columns["supplier_name"]].strip()
    header_normal = [re.sub(r"[^a-z0-9]", "", h.lower()) for h in header]
    is_header = " AND ".join(
        f"regexp_replace(lower(coalesce(c{i}, '')), '[^a-z0-9]', '', 'g') = {_sql_text(h)}" for i, h in enumerate(header_normal)
    )
    every_cell = ", ".join(f"c{i}" for i in range(width))
    empty = _strip(f"concat_ws('', {every_cell})") + " = ''"
    mapped = {name: _strip(f"c{index}") for name, index in optional.items() if index is not None}
    compression = "gzip" if source.path.name.lower().endswith(".gz") else "none"
    con.execute(
        f"""CREATE TABLE cells AS SELECT row_number() OVER () AS n,
              {empty} AS is_empty,
              {_strip(c["supplier_name"])} AS supplier,
              {_strip(c["amount"])} AS amount_text,
              {_strip(c["date"])} AS date_text,
              {"".join(f"{expression} AS {name}, " for name, expression in mapped.items())}
              -- CASE, so that the costly comparison runs only where the supplier cell repeats the header's
              CASE WHEN {_strip(c["supplier_name"])} = {_sql_text(header_supplier)} THEN {is_header} ELSE false END AS is_header
            FROM read_csv({sql_string(source.path)}, header = false, skip = {header_line}, delim = {_sql_text(fmt.delimiter)},
              quote = '"', escape = '"', columns = {{{names}}}, auto_detect = false, null_padding = true,
              nullstr = '', strict_mode = true, compression = '{compression}')"""
    )
    read = int(con.execute("SELECT count(*) FROM cells").fetchone()[0])  # type: ignore[index]
    if read != expected:
        return None  # a value over several lines, or a skipped blank line: line numbers would not be exact
    # The Python functions, once per distinct value.
    con.execute(
        f"""CREATE TABLE amounts AS SELECT amount_text, kil_amount(amount_text) AS parsed
            FROM (SELECT DISTINCT amount_text FROM cells WHERE NOT regexp_full_match(amount_text, '{SIMPLE_AMOUNT}'))"""
    )
    con.execute(
        "CREATE TABLE dates AS SELECT date_text, kil_date(date_text) AS parsed FROM (SELECT DISTINCT date_text FROM cells)"
    )
    con.execute(
        "CREATE TABLE suppliers AS SELECT supplier, kil_norm(supplier) AS norm_name, kil_redacted(supplier) AS redacted "
        "FROM (SELECT DISTINCT supplier FROM cells)"
    )
    cleaned = {
        "company_number": "company",
        "charity_number": "charity",
        "vat_number": "vat",
        "supplier_id": "supplier_id",
        "postcode": "upper",
    }
    joins, values = [], {}
    for name in optional:
        if name not in mapped:
            values[name] = "''"  # every cleaner gives '' for an empty value
        elif name in cleaned:
            con.execute(
                f"CREATE TABLE map_{name} AS SELECT v, kil_{cleaned[name]}(v) AS clean FROM (SELECT DISTINCT {name} AS v FROM cells)"
            )
            joins.append(f"JOIN map_{name} ON map_{name}.v = x.{name}")
            values[name] = f"map_{name}.clean"
        else:
            values[name] = f"x.{name}"
    simple_amount = "CAST(round(CAST(replace(replace(x.amount_text, '£', ''), ',', '') AS DECIMAL(38,10)), 2) AS DECIMAL(18,2))"
    in_range = f"TRY_CAST(substr(paid, 2) AS DATE) BETWEEN DATE '{earliest.isoformat()}' AND DATE '{latest.isoformat()}'"
    con.execute(
        f"""CREATE TABLE outcome AS
            WITH judged AS (
              SELECT x.n, x.supplier, s.norm_name, s.redacted, x.is_empty, x.is_header, x.date_text, d.parsed AS paid,
                     CASE WHEN a.parsed IS NULL THEN '=' || ({simple_amount})::VARCHAR ELSE a.parsed END AS amount,
                     {", ".join(f"{value} AS {name}" for name, value in values.items())}
              FROM cells x
              LEFT JOIN amounts a USING (amount_text)
              JOIN dates d USING (date_text)
              JOIN suppliers s USING (supplier)
              {" ".join(joins)}
            )
            SELECT *, CASE
              WHEN is_empty THEN 'empty row'
              WHEN is_header THEN 'a repeated header row'
              WHEN supplier = '' THEN 'no supplier name'
              WHEN regexp_matches(supplier, {_sql_text(TOTALS)}) AND date_text = '' THEN 'a totals line, not a payment'
              WHEN amount[1] = '!' THEN substr(amount, 2)
              WHEN paid[1] = '!' THEN substr(paid, 2)
              WHEN NOT coalesce({in_range}, false) THEN 'the date ' || substr(paid, 2) || ' is outside {earliest.year} to {latest.year}'
            END AS reason FROM judged"""
    )
    if int(con.execute("SELECT count(*) FROM outcome").fetchone()[0]) != read:  # type: ignore[index]
        return None  # a value no lookup covered: never lose a row
    rejected.extend(
        (header_line + n, reason)
        for n, reason in con.execute("SELECT n, reason FROM outcome WHERE reason IS NOT NULL ORDER BY n").fetchall()
    )
    nul = lambda e: f"nullif({e}, '')"  # noqa: E731 - the Python reader writes '' and staging reads it as NULL
    # Parquet, typed as the staging table is: the pipeline reads it beside the Python reader's CSV, with no parsing.
    con.execute(
        f"""COPY (SELECT {file_index}::INTEGER AS file_index, {_sql_text(source.name)} AS source_file,
                   ({header_line} + n)::BIGINT AS source_row, CAST(substr(paid, 2) AS DATE) AS date,
                   CAST(substr(amount, 2) AS DECIMAL(18,2)) AS amount, supplier AS supplier_name, {nul("norm_name")} AS norm_name,
                   redacted = 'true' AS redacted, {nul("company_number")} AS company_number, {nul("charity_number")} AS charity_number,
                   {nul("vat_number")} AS vat_number, {nul("supplier_id")} AS supplier_id, {nul("vcse_flag")} AS vcse_flag,
                   {nul("supplier_type")} AS published_type, {nul("service_area")} AS service_area,
                   {nul("expense_type")} AS expense_type, {nul("transaction_id")} AS transaction_id, {nul("invoice")} AS invoice,
                   {nul("postcode")} AS postcode
            FROM outcome WHERE reason IS NULL ORDER BY n) TO {sql_string(out)} (FORMAT parquet)"""
    )
    kept = int(con.execute("SELECT count(*) FROM outcome WHERE reason IS NULL").fetchone()[0])  # type: ignore[index]
    return read, kept
