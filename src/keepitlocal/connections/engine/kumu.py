"""Kumu's layouts, read and written without loss: the workbook (an Elements sheet with Label, Type, Description,
Tags and any other columns; a Connections sheet with From, To, Type, Direction, Strength and any other columns;
several values in one cell separated by '|') and the JSON blueprint ({"elements": [...], "connections": [...]},
or a project backup whose records keep their fields under "attributes").

Columns this platform knows beyond Kumu's (Org-id, Place, Since, Until, Introduced by, Recorded by, Evidence,
Confirmed) are read by their words, in any case and order; every other column is kept as given and written back."""

from __future__ import annotations

import io
import json
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from keepitlocal.connections.engine.model import (
    LIMITS,
    MAX_CONNECTIONS,
    MAX_ELEMENTS,
    Connection,
    Direction,
    Element,
    Kind,
    Network,
    Sector,
    label_key,
)
from keepitlocal.connections.engine.problems import ImportRejected, Problem
from keepitlocal.reports.engine.tables import FORMULA_STARTS

ELEMENTS, CONNECTIONS = "Elements", "Connections"
SEPARATOR = "|"
# More rows than a map may hold (model.MAX_ELEMENTS, MAX_CONNECTIONS): a sheet past it is refused as it is read
# rather than read whole into memory first.
MAX_ROWS = max(MAX_ELEMENTS, MAX_CONNECTIONS)

# Known columns: the name written, and the words that recognise it when read.
ELEMENT_COLUMNS = {
    "label": ("Label", ("label", "name")),
    "type": ("Type", ("type", "element type")),
    "sector": ("Sector", ("sector",)),
    "description": ("Description", ("description",)),
    "tags": ("Tags", ("tags", "tag")),
    "org_id": ("Org-id", ("org id", "orgid", "organisation identifier", "org identifier")),
    "place": ("Place", ("place", "area", "ward")),
}
CONNECTION_COLUMNS = {
    "source": ("From", ("from", "source")),
    "target": ("To", ("to", "target")),
    "type": ("Type", ("type", "connection type")),
    "direction": ("Direction", ("direction",)),
    "strength": ("Strength", ("strength", "frequency", "weight")),
    "since": ("Since", ("since", "start", "start date", "from date")),
    "until": ("Until", ("until", "end", "end date", "to date")),
    "introduced_by": ("Introduced by", ("introduced by", "introducer", "brokered by")),
    "recorded_by": ("Recorded by", ("recorded by",)),
    "evidence": ("Evidence", ("evidence", "evidence note")),
    "confirmed": ("Confirmed", ("confirmed", "confirmed by both")),
    "description": ("Description", ("description",)),
    "tags": ("Tags", ("tags", "tag")),
}


def _words(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.casefold()))


def _recognise(header: str, columns: dict[str, tuple[str, tuple[str, ...]]]) -> str | None:
    words = _words(header)
    for name, (_, spellings) in columns.items():
        if words in spellings:
            return name
    return None


def _known(headers: list[str], columns: dict[str, tuple[str, tuple[str, ...]]]) -> dict[str, str | None]:
    """Which known column each header is; the first header to name a column wins, and a later one with the same
    meaning ("Name" beside "Label") is kept as a column of its own rather than overwriting it."""
    known: dict[str, str | None] = {}
    taken: set[str] = set()
    for header in headers:
        name = _recognise(header, columns)
        known[header] = name if name not in taken else None
        if name:
            taken.add(name)
    return known


def _too_long(values: dict[str, str]) -> list[tuple[str, str]]:
    return [
        (field, f"At most {limit} characters: this has {len(values[field])}.")
        for field, limit in LIMITS.items()
        if len(values.get(field, "")) > limit
    ]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list | tuple):
        return SEPARATOR.join(_text(v) for v in value)
    return str(value).strip()


def _many(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(SEPARATOR) if part.strip())


_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d %B %Y", "%d %b %Y", "%Y-%m", "%m/%Y", "%Y")


def read_date(text: str) -> date | None:
    """A date as people write them (2025-04-01, 01/04/2025, 1 April 2025, 2025-04, 2025); a month or year alone means
    its first day. Raises ValueError for anything else."""
    text = text.strip()
    if not text:
        return None
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text[:10] if fmt == "%Y-%m-%d" else text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def read_direction(text: str) -> Direction:
    """Kumu reads a blank direction as directed."""
    if not text.strip():
        return Direction.DIRECTED
    direction = Direction.from_words(text)
    if direction is None:
        raise ValueError(text)
    return direction


_YES = {"yes", "y", "true", "1", "confirmed"}
_NO = {"", "no", "n", "false", "0", "not confirmed"}


@dataclass(frozen=True)
class _Sheet:
    name: str
    headers: list[str]
    rows: list[tuple[int, dict[str, str]]]  # (row number as shown, header -> text)


def _elements(sheet: _Sheet, problems: list[Problem]) -> tuple[list[Element], tuple[str, ...]]:
    known = _known(sheet.headers, ELEMENT_COLUMNS)
    custom = tuple(h for h in sheet.headers if known[h] is None)
    if "label" not in known.values():
        problems.append(Problem(sheet.name, 1, "Label", "", "The Elements sheet needs a Label column naming each element."))
        return [], custom
    seen: dict[str, int] = {}
    elements = []
    for number, row in sheet.rows:
        values: dict[str, str] = {column: v for h, v in row.items() if (column := known[h])}
        label = values.get("label", "")
        if not label:
            if any(row.values()):
                problems.append(Problem(sheet.name, number, "Label", "", "Every element needs a label."))
            continue
        if label_key(label) in seen:
            message = f"Another element has this label (row {seen[label_key(label)]}); labels must differ."
            problems.append(Problem(sheet.name, number, "Label", label, message))
            continue
        seen[label_key(label)] = number
        for field, message in _too_long(values):
            problems.append(Problem(sheet.name, number, ELEMENT_COLUMNS[field][0], values[field][:50] + "…", message))
        sector_text = values.get("sector", "")
        sector = Sector.from_words(sector_text) if sector_text else Sector.from_words(values.get("type", ""))
        if sector_text and sector is None:
            choices = ", ".join(s.label for s in Sector)
            problems.append(Problem(sheet.name, number, "Sector", sector_text, f"Not a sector: use one of {choices}."))
        elements.append(
            Element(
                label=label,
                type=values.get("type", ""),
                sector=sector,
                description=values.get("description", ""),
                tags=_many(values.get("tags", "")),
                org_id=values.get("org_id", ""),
                place=values.get("place", ""),
                fields=tuple((h, row.get(h, "")) for h in custom),
            )
        )
    return elements, custom


def _connections(sheet: _Sheet, labels: dict[str, int], problems: list[Problem]) -> tuple[list[Connection], tuple[str, ...]]:
    known = _known(sheet.headers, CONNECTION_COLUMNS)
    custom = tuple(h for h in sheet.headers if known[h] is None)
    if not any(any(values.values()) for _, values in sheet.rows):
        return [], custom
    for needed in ("source", "target"):
        if needed not in known.values():
            name = CONNECTION_COLUMNS[needed][0]
            problems.append(Problem(sheet.name, 1, name, "", f"The Connections sheet needs a {name} column."))
    if problems and any(p.row == 1 and p.sheet == sheet.name for p in problems):
        return [], custom
    seen: dict[tuple[str, str, str], int] = {}
    connections = []
    for number, row in sheet.rows:
        values: dict[str, str] = {column: v for h, v in row.items() if (column := known[h])}
        if not any(row.values()):
            continue
        before = len(problems)

        def problem(field: str, message: str, values: dict[str, str] = values, number: int = number) -> None:
            problems.append(Problem(sheet.name, number, CONNECTION_COLUMNS[field][0], values.get(field, ""), message))

        for end in ("source", "target"):
            text = values.get(end, "")
            if not text:
                problem(end, "Every connection needs both ends.")
            elif label_key(text) not in labels:
                problem(end, "No element has this label: add it to the Elements sheet or correct the spelling.")
        if values.get("source") and label_key(values["source"]) == label_key(values.get("target", "")):
            problem("target", "A connection joins two different elements.")
        introducer = values.get("introduced_by", "")
        if introducer and label_key(introducer) not in labels:
            problem("introduced_by", "No element has this label: the introducer must be an element of the map.")
        try:
            direction = read_direction(values.get("direction", ""))
        except ValueError:
            problem("direction", "Direction must be directed, mutual or undirected.")
            direction = Direction.DIRECTED
        strength: float | None = None
        if values.get("strength", ""):
            try:
                strength = float(values["strength"].replace(",", ""))
                if not math.isfinite(strength):
                    raise ValueError(values["strength"])
            except ValueError:
                strength = None
                problem("strength", "Strength must be a number, such as 1, 2 or 3.")
        for field, message in _too_long(values):
            problem(field, message)
        since = until = None
        for field in ("since", "until"):
            try:
                day = read_date(values.get(field, ""))
            except ValueError:
                problem(field, "Not a date: write it as 2025-04-01 or 1/4/2025.")
                day = None
            if field == "since":
                since = day
            else:
                until = day
        if since and until and until <= since:
            problem("until", "The connection must end after it began.")
        confirmed_text = values.get("confirmed", "").casefold()
        if confirmed_text not in _YES | _NO:
            problem("confirmed", "Confirmed must be Yes or No.")
        if len(problems) > before:
            continue
        connection = Connection(
            source=values["source"],
            target=values["target"],
            direction=direction,
            type=values.get("type", ""),
            kind=Kind.from_words(values.get("type", "")),
            strength=strength,
            since=since,
            until=until,
            introduced_by=introducer,
            recorded_by=values.get("recorded_by", ""),
            evidence=values.get("evidence", ""),
            confirmed=confirmed_text in _YES,
            description=values.get("description", ""),
            tags=_many(values.get("tags", "")),
            fields=tuple((h, row.get(h, "")) for h in custom),
        )
        if connection.identity in seen:
            message = f"The same connection (ends and type) is on row {seen[connection.identity]}."
            problem("source", message)
            continue
        seen[connection.identity] = number
        connections.append(connection)
    return connections, custom


def _present(sheet: _Sheet, columns: dict[str, tuple[str, tuple[str, ...]]]) -> frozenset[str]:
    """The known columns a sheet has."""
    return frozenset(c for c in _known(sheet.headers, columns).values() if c)


def _network(elements_sheet: _Sheet | None, connections_sheet: _Sheet | None, known: Iterable[str] = ()) -> Network:
    """`known`: labels of elements that exist already (on the map a file is imported into), which connections may name
    without the file listing them again."""
    problems: list[Problem] = []
    if elements_sheet is None:
        raise ImportRejected([Problem(ELEMENTS, 0, "", "", "There is no Elements sheet (or list of elements).")])
    elements, element_fields = _elements(elements_sheet, problems)
    labels = {label_key(k): -1 for k in known} | {e.key: i for i, e in enumerate(elements)}
    connections: list[Connection] = []
    connection_fields: tuple[str, ...] = ()
    if connections_sheet is not None:
        connections, connection_fields = _connections(connections_sheet, labels, problems)
    if problems:
        raise ImportRejected(problems)
    return Network(
        tuple(elements),
        tuple(connections),
        element_fields,
        connection_fields,
        _present(elements_sheet, ELEMENT_COLUMNS),
        _present(connections_sheet, CONNECTION_COLUMNS) if connections_sheet is not None else frozenset(),
    )


# The workbook -----------------------------------------------------------------------------------------------------


def read_workbook(source: Path | bytes, known: Iterable[str] = ()) -> Network:
    """A Kumu workbook (.xlsx): its Elements and Connections sheets, found by name in any case, read by the cells they
    hold (keepitlocal.common.sheets), never by the size they declare."""
    from keepitlocal.common.sheets import SheetRefused, Workbook

    try:
        book = Workbook(source)
    except SheetRefused as error:
        raise ImportRejected([Problem("", 0, "", "", f"This workbook cannot be read: {error}.")]) from error
    with book:
        sheets = {_words(name): name for name in book.sheet_names}
        found: dict[str, _Sheet | None] = {}
        for wanted in (ELEMENTS, CONNECTIONS):
            name = sheets.get(_words(wanted))
            if name is None:
                found[wanted] = None
                continue
            try:
                found[wanted] = _sheet_rows(wanted, book.rows(name, limit=MAX_ROWS + 2))
            except SheetRefused as error:
                raise ImportRejected([Problem(wanted, 0, "", "", f"This workbook cannot be read: {error}.")]) from error
    return _network(found[ELEMENTS], found[CONNECTIONS], known)


def _sheet_rows(wanted: str, rows: Iterator[tuple[int, list[Any]]]) -> _Sheet:
    """A sheet's heading row and the rows below it, as values by heading; refused beyond MAX_ROWS rows."""
    _, header_row = next(rows, (1, []))
    headers = [_text(h) for h in header_row]
    named = [(i, h) for i, h in enumerate(headers) if h]
    body = []
    for count, (number, values) in enumerate(rows, start=1):
        if count > MAX_ROWS:
            message = f"A sheet may hold at most {MAX_ROWS:,} rows; split the map or import it from a blueprint."
            raise ImportRejected([Problem(wanted, number, "", "", message)])
        cells = {h: _text(values[i]) if i < len(values) else "" for i, h in named}
        body.append((number, cells))
    return _Sheet(wanted, [h for _, h in named], body)


def _cells(sheet: Any, values: list[Any]) -> list[Any]:
    """Text that starts like a formula (the reports' FORMULA_STARTS) is stored as a text cell, never a formula: the
    spreadsheet shows it and runs nothing, and it reads back exactly as written."""
    from openpyxl.cell import WriteOnlyCell

    cells = []
    for value in values:
        if isinstance(value, str) and value.startswith(FORMULA_STARTS):
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"
            cells.append(cell)
        else:
            cells.append(value)
    return cells


def _element_row(e: Element) -> list[Any]:
    return [e.label, e.type, e.sector.label if e.sector else "", e.description, SEPARATOR.join(e.tags), e.org_id,
            e.place, *(v for _, v in e.fields)]  # fmt: skip


def _connection_row(c: Connection) -> list[Any]:
    return [
        c.source, c.target, c.type, c.direction.value, c.strength if c.strength is not None else "",
        c.since.isoformat() if c.since else "", c.until.isoformat() if c.until else "", c.introduced_by,
        c.recorded_by, c.evidence, "Yes" if c.confirmed else "No", c.description, SEPARATOR.join(c.tags),
        *(v for _, v in c.fields),
    ]  # fmt: skip


def write_workbook(network: Network) -> bytes:
    """The map as a Kumu workbook: Kumu's columns, this platform's, then every other column as it came in."""
    from openpyxl import Workbook

    # Write-only: rows stream to the file rather than building every cell as an object first (3x faster).
    book = Workbook(write_only=True)
    elements = book.create_sheet(ELEMENTS)
    elements.append(_cells(elements, [name for name, _ in ELEMENT_COLUMNS.values()] + list(network.element_fields)))
    for element in network.elements:
        elements.append(_cells(elements, _element_row(element)))
    connections = book.create_sheet(CONNECTIONS)
    connections.append(_cells(connections, [name for name, _ in CONNECTION_COLUMNS.values()] + list(network.connection_fields)))
    for connection in network.connections:
        connections.append(_cells(connections, _connection_row(connection)))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# The blueprint ----------------------------------------------------------------------------------------------------


def _records(items: Any, name: str) -> Iterator[tuple[int, dict[str, str], list[str]]]:
    if not isinstance(items, list):
        return
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            yield number, {}, []
            continue
        # A project backup keeps each record's fields under "attributes", beside its _id.
        attributes = item.get("attributes", {})
        record = {
            **(attributes if isinstance(attributes, dict) else {}),
            **{k: v for k, v in item.items() if k not in ("attributes", "_id")},
        }
        yield number, {k: _text(v) for k, v in record.items()}, list(record)


def _sheet_from(items: Any, name: str) -> _Sheet:
    headers: list[str] = []
    rows = []
    for number, values, keys in _records(items, name):
        for key in keys:
            if key not in headers:
                headers.append(key)
        rows.append((number, values))
    return _Sheet(name, headers, rows)


def read_blueprint(source: Path | bytes | str, known: Iterable[str] = ()) -> Network:
    """A Kumu JSON blueprint; rows in its problems are positions in the list (the first is 1)."""
    text = source.read_text(encoding="utf-8-sig") if isinstance(source, Path) else source
    try:
        data = json.loads(text)
    except (ValueError, UnicodeDecodeError, RecursionError) as error:
        raise ImportRejected([Problem("", 0, "", "", "This file is not JSON.")]) from error
    if not isinstance(data, dict) or not isinstance(data.get("elements"), list):
        raise ImportRejected([Problem(ELEMENTS, 0, "", "", 'A blueprint is an object with an "elements" list.')])
    # A project backup's connections name their ends by the elements' _id; read them as labels.
    ids = {
        str(item["_id"]): str(item.get("attributes", {}).get("label", item.get("label", "")))
        for item in data["elements"]
        if isinstance(item, dict) and "_id" in item and isinstance(item.get("attributes", {}), dict)
    }
    if ids and isinstance(data.get("connections"), list):
        for item in data["connections"]:
            if isinstance(item, dict):
                for end in ("from", "to"):
                    if str(item.get(end)) in ids:
                        item[end] = ids[str(item[end])]
    return _network(_sheet_from(data["elements"], ELEMENTS), _sheet_from(data.get("connections", []), CONNECTIONS), known)


def _record(names: Iterable[str], values: Iterable[Any], tag_names: set[str]) -> dict[str, Any]:
    record: dict[str, Any] = {}
    for name, value in zip(names, values, strict=True):
        key = name.casefold() if name in {"Label", "Type", "Description", "Tags", "From", "To", "Direction", "Strength"} else name
        record[key] = list(_many(value)) if name in tag_names else value
    return record


def write_blueprint(network: Network) -> str:
    """The map as a Kumu blueprint (Kumu's own fields in lower case, tags as lists, every other field as given)."""
    element_names = [name for name, _ in ELEMENT_COLUMNS.values()] + list(network.element_fields)
    connection_names = [name for name, _ in CONNECTION_COLUMNS.values()] + list(network.connection_fields)
    data = {
        "elements": [_record(element_names, _element_row(e), {"Tags"}) for e in network.elements],
        "connections": [_record(connection_names, _connection_row(c), {"Tags"}) for c in network.connections],
    }
    return json.dumps(data, indent=2, ensure_ascii=False)
