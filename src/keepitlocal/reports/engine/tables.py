"""Any table, downloadable as CSV, XLSX or JSON with human-readable headings.

Spreadsheet programs run a cell that starts with =, +, - or @ as a formula, so a supplier or a
council name typed that way could execute on an analyst's machine (CSV injection). Text cells that
start so are prefixed with an apostrophe in CSV and XLSX; numbers are left alone. JSON is data, not a
spreadsheet, and keeps the text as it is.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}


@dataclass(frozen=True)
class Column:
    key: str
    heading: str


@dataclass
class Table:
    title: str
    columns: Sequence[Column]
    rows: Iterable[dict[str, Any]]


def neutralise(value: Any) -> Any:
    """Make a text cell safe to open in a spreadsheet; other values are returned unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def neutralise_csv_cell(value: str) -> str:
    """A cell of a CSV file a person will open: a number stays a number (a credit note's -12.50), any other text that
    starts like a formula is written as text."""
    if value.startswith(FORMULA_STARTS):
        try:
            float(value)
        except ValueError:
            return "'" + value
    return value


def restore_csv_cell(value: str) -> str:
    """A cell as it was before `neutralise_csv_cell` (a file the platform wrote, read back): the quote it added goes."""
    if value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


def _plain(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return value


def iter_csv(table: Table) -> Iterator[str]:
    """CSV text, one line at a time, so large tables stream without being held in memory."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([neutralise(c.heading) for c in table.columns])
    yield buffer.getvalue()
    for row in table.rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([_plain(neutralise(row.get(c.key))) for c in table.columns])
        yield buffer.getvalue()


def to_xlsx(table: Table) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=table.title[:31] or "Data")
    sheet.append([neutralise(c.heading) for c in table.columns])
    for row in table.rows:
        cells = []
        for c in table.columns:
            value = row.get(c.key)
            if isinstance(value, bool):
                value = "Yes" if value else "No"
            elif isinstance(value, Decimal):
                value = float(value)
            cells.append(neutralise(value) if value is not None else None)
        sheet.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def to_json(table: Table) -> str:
    def default(value: Any) -> Any:
        if isinstance(value, date | datetime):
            return value.isoformat()
        if isinstance(value, Decimal):
            return str(value)
        raise TypeError(type(value).__name__)

    payload = {
        "title": table.title,
        "columns": [{"key": c.key, "heading": c.heading} for c in table.columns],
        "rows": [{c.key: row.get(c.key) for c in table.columns} for row in table.rows],
    }
    return json.dumps(payload, default=default, ensure_ascii=False, indent=1)
