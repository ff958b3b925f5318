"""Load Python rows into a DuckDB table in one go (row-by-row inserts are far too slow)."""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Iterable, Sequence
from typing import Any

import duckdb

NULL = "\\N"


def scalar(con: duckdb.DuckDBPyConnection, query: str, parameters: Sequence[Any] = ()) -> Any:
    """The single value a query returns (None when it returns no row)."""
    row = con.execute(query, parameters).fetchone()
    return row[0] if row else None


def sql_string(value: object) -> str:
    """A value (usually a path) as a quoted SQL string literal, for the statements that take no parameters."""
    return "'" + str(value).replace("'", "''") + "'"


def quote_identifier(name: str) -> str:
    """A column or table name as a quoted SQL identifier, whatever it holds: '"' + name, its quotes doubled, + '"'."""
    return '"' + name.replace('"', '""') + '"'


def bulk_insert(con: duckdb.DuckDBPyConnection, table: str, rows: Iterable[Sequence[Any]]) -> None:
    """COPY rows into an existing table through a temporary CSV; None becomes NULL, '' stays ''. The dialect is
    stated, not sniffed: a sniffer can misread a small file whose one value spans lines."""
    handle, path = tempfile.mkstemp(suffix=".csv", prefix="kil-bulk-")
    try:
        with os.fdopen(handle, "w", newline="", encoding="utf-8") as out:
            csv.writer(out, lineterminator="\r\n").writerows(
                [NULL if v is None else ("true" if v is True else "false" if v is False else v) for v in row] for row in rows
            )
        con.execute(
            f"COPY {table} FROM {sql_string(path)} (HEADER false, NULLSTR '{NULL}', QUOTE '\"', ESCAPE '\"', DELIMITER ',', NEW_LINE '\\r\\n', AUTO_DETECT false)"
        )
    finally:
        os.unlink(path)
