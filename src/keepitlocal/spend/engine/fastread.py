"""Reading a plain delimited file with DuckDB rather than row by row in Python: the same rows kept, the same
rows rejected for the same reasons, the same line numbers, several times faster.

It applies only where the answer is certain to match the Python reader (read.py):
- a UTF-8 text file, not a spreadsheet (read.py first writes Windows-1252 files and members of zip archives out
  as the UTF-8 text the Python reader would decode);
- every row on its own physical line: DuckDB's row count must equal the file's line count below the header,
  which fails whenever a quoted value spans lines or a blank line is skipped, so that line numbers are exact;
- no spaces between a delimiter and a quote, which the two readers split differently;
- DuckDB reads it without error.
Otherwise `read_with_duckdb` returns None and the Python reader reads the file.

Values go through the same Python functions as before (amounts, dates, names, identifiers), but once per
distinct value rather than once per row; only amounts written as plain numbers (1234.50, -£1,234.50) are
read in SQL, by rules that give the same result as parse_amount.

Kept rows go straight into a staging table in the analysis database: no intermediate file to write and read again.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import date

import duckdb
from duckdb.func import FunctionNullHandling
from duckdb.sqltypes import VARCHAR

from keepitlocal.common.names import is_redacted, supplier_key_name
from keepitlocal.spend.engine.bulk import sql_string
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


def plain_amount(expression: str) -> str:
    """SQL for parse_amount of an amount matching SIMPLE_AMOUNT: DuckDB rounds a string cast to two places half
    away from zero, as parse_amount does (ROUND_HALF_UP)."""
    return f"CAST(replace(replace({expression}, '£', ''), ',', '') AS DECIMAL(18,2))"


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


@contextmanager
def reading(con: duckdb.DuckDBPyConnection, cleaners: dict[str, Callable[[str], str]]) -> Iterator[None]:
    """Ready `con` for the DuckDB reader: its Python functions, and one thread per query with insertion order kept,
    so that row_number() is a row's place in its file (files are read side by side instead). Settings are the
    database's own, so they are put back afterwards for the stages that follow."""
    special = FunctionNullHandling.SPECIAL
    functions: dict[str, Callable[[str | None], str]] = {
        "kil_amount": _parsed(parse_amount),
        "kil_date": _parsed(parse_date),
        "kil_norm": _text(supplier_key_name),
        "kil_redacted": _text(lambda s: "true" if is_redacted(s) else "false"),
        "kil_upper": _text(str.upper),
        **{f"kil_{name}": _text(fn) for name, fn in cleaners.items()},
    }
    for name, fn in functions.items():
        # Made by an earlier reading on this connection (asking duckdb_functions() first took 25 ms).
        with suppress(duckdb.NotImplementedException):
            con.create_function(name, fn, [VARCHAR], VARCHAR, null_handling=special)
    settings = {
        name: con.execute(f"SELECT current_setting('{name}')").fetchone()[0]  # type: ignore[index]
        for name in ("threads", "preserve_insertion_order")
    }
    con.execute("SET threads = 1")
    con.execute("SET preserve_insertion_order = true")
    try:
        yield
    finally:
        for name, value in settings.items():
            con.execute(f"SET {name} = {_sql_text(str(value))}")


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
    table: str  # the file's own staging table, made and left empty by the caller
    name: str  # the file as the outputs name it (`source` may be a UTF-8 copy of it)


def read_with_duckdb(job: Job, rejected: list[tuple[int, str]], database: duckdb.DuckDBPyConnection) -> tuple[int, int] | None:
    """Add the file's kept rows to the table `job.table` of `database` (made ready by `reading`) and its rejected rows,
    as (line, reason), to `rejected`; return (rows read, rows kept), or None, having added nothing, when this
    reader does not apply."""
    fmt = job.fmt
    if job.source.member or job.source.is_spreadsheet or fmt.encoding != "utf-8" or len(fmt.delimiter) != 1 or fmt.spaced_quotes:
        return None
    expected = fmt.lines - job.header_line
    if expected <= 0 or not job.header or max(job.columns.values()) >= len(job.header):
        return None
    # A connection of its own: files are read side by side, and its temporary tables are private to it and
    # gone when it closes.
    con = database.cursor()
    try:
        return _read(con, job, rejected, expected)
    except duckdb.Error:
        return None  # the insert into its table comes last and is one statement: nothing of the file is there
    finally:
        con.close()


def _read(con: duckdb.DuckDBPyConnection, job: Job, rejected: list[tuple[int, str]], expected: int) -> tuple[int, int] | None:
    source, fmt, header, header_line, columns = job.source, job.fmt, job.header, job.header_line, job.columns
    optional, earliest, latest, file_index = job.optional, job.earliest, job.latest, job.file_index
    width = len(header)
    _strip = _stripper(fmt)
    names = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width))
    header_supplier = header[columns["supplier_name"]].strip()
    header_normal = [re.sub(r"[^a-z0-9]", "", h.lower()) for h in header]
    is_header = " AND ".join(
        f"regexp_replace(lower(coalesce(c{i}, '')), '[^a-z0-9]', '', 'g') = {_sql_text(h)}" for i, h in enumerate(header_normal)
    )

    # Cells are kept as published (coalesced, not trimmed: trimming every cell of every row was a third of the
    # reading time); values are trimmed and judged once per distinct value in the lookups below.
    def raw(index: int) -> str:
        return f"coalesce(c{index}, '')"

    # Empty: every cell null or whitespace. Settled by the first cell that is not null, nearly always: when it is
    # there and begins with anything but whitespace the row has text; only otherwise is every cell trimmed.
    first = f"coalesce({', '.join(f'c{i}' for i in range(width))})"
    starts_blank = f"contains({WS}, {first}[1])" if fmt.other_spaces else f"starts_with({first}, ' ')"
    every_blank = " AND ".join(f"(c{i} IS NULL OR {_strip(f'c{i}')} = '')" for i in range(width))
    empty = f"CASE WHEN {first} IS NULL THEN true WHEN {first} <> '' AND NOT {starts_blank} THEN false ELSE {every_blank} END"
    mapped = {name: raw(index) for name, index in optional.items() if index is not None}
    compression = "gzip" if source.path.name.lower().endswith(".gz") else "none"
    supplier_cell = f"c{columns['supplier_name']}"
    con.execute(
        f"""CREATE TEMP TABLE cells AS SELECT row_number() OVER () AS n,
              {empty} AS is_empty,
              {raw(columns["supplier_name"])} AS supplier_raw,
              {raw(columns["amount"])} AS amount_raw,
              {raw(columns["date"])} AS date_raw,
              {"".join(f"{expression} AS {name}, " for name, expression in mapped.items())}
              -- CASE, so that the costly comparison runs only where the supplier cell holds the header's text
              CASE WHEN contains({raw(columns["supplier_name"])}, {_sql_text(header_supplier)})
                   THEN {_strip(supplier_cell)} = {_sql_text(header_supplier)} AND {is_header} ELSE false END AS is_header
            FROM read_csv({sql_string(source.path)}, header = false, skip = {header_line}, delim = {_sql_text(fmt.delimiter)},
              quote = '"', escape = '"', columns = {{{names}}}, auto_detect = false, null_padding = true,
              nullstr = '', strict_mode = true, compression = '{compression}')"""
    )
    read = int(con.execute("SELECT count(*) FROM cells").fetchone()[0])  # type: ignore[index]
    if read != expected:
        return None  # a value over several lines, or a skipped blank line: line numbers would not be exact
    # The Python functions, once per distinct value (they trim as the Python reader does). Amounts written as
    # plain numbers with no spaces around them are read in SQL, row by row.
    con.execute(
        f"""CREATE TEMP TABLE amounts AS SELECT amount_raw, kil_amount(amount_raw) AS parsed
            FROM (SELECT DISTINCT amount_raw FROM cells WHERE NOT regexp_full_match(amount_raw, '{SIMPLE_AMOUNT}'))"""
    )
    # Whatever can be decided from one value is decided here, once per distinct value, not once per row.
    con.execute(
        f"""CREATE TEMP TABLE dates AS SELECT date_raw, parsed, day, blank,
              coalesce(day BETWEEN DATE '{earliest.isoformat()}' AND DATE '{latest.isoformat()}', false) AS in_range
            FROM (SELECT date_raw, parsed, blank, CASE WHEN parsed[1] = '=' THEN TRY_CAST(substr(parsed, 2) AS DATE) END AS day
                  FROM (SELECT date_raw, kil_date(date_raw) AS parsed, {_strip("date_raw")} = '' AS blank
                        FROM (SELECT DISTINCT date_raw FROM cells)))"""
    )
    con.execute(
        f"""CREATE TEMP TABLE suppliers AS SELECT supplier_raw, supplier, kil_norm(supplier) AS norm_name,
              kil_redacted(supplier) AS redacted, regexp_matches(supplier, {_sql_text(TOTALS)}) AS totals
            FROM (SELECT supplier_raw, {_strip("supplier_raw")} AS supplier FROM (SELECT DISTINCT supplier_raw FROM cells))"""
    )
    cleaned = {
        "company_number": "company",
        "charity_number": "charity",
        "vat_number": "vat",
        "supplier_id": "supplier_id",
        "postcode": "postcode",
    }
    joins, values = [], {}
    for name in optional:
        if name not in mapped:
            values[name] = "''"  # every cleaner gives '' for an empty value
        elif name in cleaned:
            con.execute(
                f"CREATE TEMP TABLE map_{name} AS SELECT v, kil_{cleaned[name]}({_strip('v')}) AS clean "
                f"FROM (SELECT DISTINCT {name} AS v FROM cells)"
            )
            joins.append(f"JOIN map_{name} ON map_{name}.v = x.{name}")
            values[name] = f"map_{name}.clean"
        elif fmt.other_spaces:
            values[name] = _strip(f"x.{name}")
        else:
            # Only a value that starts or ends with a space is trimmed: the test is far cheaper than trim().
            values[name] = (
                f"CASE WHEN starts_with(x.{name}, ' ') OR ends_with(x.{name}, ' ') THEN trim(x.{name}) ELSE x.{name} END"
            )
    simple_amount = plain_amount("x.amount_raw")
    # Not materialised: the rejected rows and the kept rows are each one pass over it.
    outcome = f"""
            WITH judged AS (
              SELECT x.n, x.amount_raw, s.supplier, s.norm_name, s.redacted, s.totals, x.is_empty, x.is_header, d.blank AS date_blank,
                     d.parsed AS paid, d.day, d.in_range, a.parsed AS amount_parsed,
                     CASE WHEN a.parsed IS NULL THEN {simple_amount}
                          WHEN a.parsed[1] = '=' THEN TRY_CAST(substr(a.parsed, 2) AS DECIMAL(18,2)) END AS amount,
                     {", ".join(f"{value} AS {name}" for name, value in values.items())}
              FROM cells x
              LEFT JOIN amounts a USING (amount_raw)
              JOIN dates d USING (date_raw)
              JOIN suppliers s USING (supplier_raw)
              {" ".join(joins)}
            )
            SELECT *, CASE
              WHEN is_empty THEN 'empty row'
              WHEN is_header THEN 'a repeated header row'
              WHEN date_blank AND supplier = '' AND {_strip("amount_raw")} = '' THEN 'no payee, date or amount'
              WHEN date_blank AND (supplier = '' OR totals) THEN 'a totals line, not a payment'
              WHEN amount_parsed[1] = '!' THEN substr(amount_parsed, 2)
              WHEN paid[1] = '!' THEN substr(paid, 2)
              WHEN NOT in_range THEN 'the date ' || substr(paid, 2) || ' is outside {earliest.year} to {latest.year}'
            END AS reason FROM judged"""
    # One pass: how many rows the lookups kept (an inner join would drop a row that no lookup covered) and the
    # rejected rows with their reasons.
    total, lines, reasons = con.execute(
        f"""SELECT count(*), coalesce(list(n ORDER BY n) FILTER (WHERE reason IS NOT NULL), []),
                   coalesce(list(reason ORDER BY n) FILTER (WHERE reason IS NOT NULL), []) FROM ({outcome})"""
    ).fetchone()  # type: ignore[misc]
    if total != read:
        return None  # a value no lookup covered: never lose a row

    def nul(expression: str) -> str:  # the Python reader writes '' and staging reads it as NULL
        return f"nullif({expression}, '')"

    # One statement, so all of the file's kept rows are added or none (a plain insert is about twice as fast as
    # one inside an explicit transaction), into the file's own table (appending to a table that already holds
    # many rows cost about twice as much).
    con.execute(
        f"""INSERT INTO {job.table} BY NAME
            SELECT {file_index}::INTEGER AS file_index, {_sql_text(job.name)} AS source_file,
                   ({header_line} + n)::BIGINT AS source_row, day AS date, amount, {nul("supplier")} AS supplier_name, {nul("norm_name")} AS norm_name,
                   redacted = 'true' AS redacted, {nul("company_number")} AS company_number, {nul("charity_number")} AS charity_number,
                   {nul("vat_number")} AS vat_number, {nul("supplier_id")} AS supplier_id, {nul("vcse_flag")} AS vcse_flag,
                   {nul("supplier_type")} AS published_type, {nul("service_area")} AS service_area,
                   {nul("expense_type")} AS expense_type, {nul("transaction_id")} AS transaction_id, {nul("invoice")} AS invoice,
                   {nul("postcode")} AS postcode
            FROM ({outcome}) WHERE reason IS NULL"""
    )
    # Nothing after the insert may fail: the Python reader would read the file again and add its rows twice.
    rejected.extend((header_line + n, reason) for n, reason in zip(lines, reasons, strict=True))
    return read, read - len(lines)
