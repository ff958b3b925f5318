"""Spreadsheets (.xlsx) read by the cells they hold, never by the size they declare.

A workbook says how big each sheet is (`<dimension ref="A1:XFD100000">`) and openpyxl pads every row to that size:
a 1.6 KB file with one cell at its far corner became 1.6 billion empty cells. Here a sheet is first counted as
bytes, without parsing (C-speed scans of the XML that cannot be split mid-tag, see `_tags`): how many cells it holds,
how many of them are text, whether any holds a formula, whether any lies beyond column ZZ. The census refuses a file
whose shared-text table holds more entries than its cells could use, or whose values lie beyond column ZZ, before
openpyxl loads anything. Rows are then built from the cells each row holds, padded only up to its own last cell,
and a sheet whose padding outgrows its cells by more than `MAX_PADDING` times is refused as it is read. Every cost
is so bounded by the cells a file holds, which its size and the expansion limit bound in turn.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

# No spend file, map or price list has its values beyond column ZZ (702): wider means built to be padded.
MAX_COLUMN = 702
# Rows are padded to their last cell; a sheet of far-apart cells stops once empty slots outnumber held cells by this.
MAX_PADDING = 32
PADDING_ALLOWANCE = 1_000_000
# A shared-text table may hold entries no cell uses (old edits); this many more than its text cells, or twice them.
SPARE_STRINGS = 10_000
CHUNK = 1 << 20

_CELL = re.compile(rb"<(?:\w+:)?c[\s>/]")
_TEXT_CELL = re.compile(rb"""\st=["']s["']""")
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_FAR = re.compile(rb"""\sr=["']([A-Z]{3,}[0-9]+)["']""")
_STRING = re.compile(rb"<(?:\w+:)?si[\s>/]")
_PART = re.compile(rb"""<Override[^>]*?PartName=["']/?([^"']+)["'][^>]*?ContentType=["']([^"']+)["']""")
_PART_REVERSED = re.compile(rb"""<Override[^>]*?ContentType=["']([^"']+)["'][^>]*?PartName=["']/?([^"']+)["']""")


class SheetRefused(ValueError):
    """A workbook that is not read; the message says why, as a sentence for the person who gave it."""


@dataclass
class PartCensus:
    """What one sheet's XML holds, counted without parsing it."""

    cells: int = 0
    text_cells: int = 0
    formulas: int = 0
    far_cell: str = ""


@dataclass
class Census:
    sheets: dict[str, PartCensus] = field(default_factory=dict)  # by the part's path in the archive
    strings: int = 0

    @property
    def cells(self) -> int:
        return sum(s.cells for s in self.sheets.values())


def _tags(stream: IO[bytes]) -> Iterator[bytes]:
    """The stream in pieces that each end before a '<': no tag is split between two (XML escapes '<' everywhere
    else), so a pattern within one tag is counted once and never missed."""
    carry = b""
    while chunk := stream.read(CHUNK):
        data = carry + chunk
        cut = data.rfind(b"<")
        if cut <= 0:
            carry = data
            continue
        yield data[:cut]
        carry = data[cut:]
    if carry:
        yield carry


def _parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Part path -> content type, from [Content_Types].xml (how every reader finds a workbook's sheets)."""
    try:
        types = archive.read("[Content_Types].xml")
    except KeyError:
        raise SheetRefused("it is not an Excel workbook (.xlsx): it has no list of its parts") from None
    found = {name.decode(): kind.decode() for name, kind in _PART.findall(types)}
    found.update({name.decode(): kind.decode() for kind, name in _PART_REVERSED.findall(types)})
    return found


def census(archive: zipfile.ZipFile) -> Census:
    """Count what each sheet holds and refuse a workbook built to be padded or to fill memory with text."""
    result = Census()
    names = set(archive.namelist())
    for part, kind in _parts(archive).items():
        if part not in names:
            continue
        if kind.endswith("worksheet+xml"):
            counted = PartCensus()
            with archive.open(part) as stream:
                for piece in _tags(stream):
                    counted.cells += len(_CELL.findall(piece))
                    counted.text_cells += len(_TEXT_CELL.findall(piece))
                    counted.formulas += len(_FORMULA.findall(piece))
                    if not counted.far_cell and (beyond := _FAR.search(piece)):
                        counted.far_cell = beyond.group(1).decode()
            result.sheets[part] = counted
        elif kind.endswith("sharedStrings+xml"):
            with archive.open(part) as stream:
                result.strings += sum(len(_STRING.findall(piece)) for piece in _tags(stream))
    far = next((s.far_cell for s in result.sheets.values() if s.far_cell), "")
    if far:
        raise SheetRefused(
            f"it has a value in cell {far}, beyond column ZZ; a table of data has its columns at the left. "
            "Delete the far columns, or save the sheet as CSV, and try again"
        )
    text_cells = sum(s.text_cells for s in result.sheets.values())
    if result.strings > max(SPARE_STRINGS + text_cells, 2 * text_cells):
        raise SheetRefused(
            f"its table of text holds {result.strings:,} entries for {text_cells:,} cells of text, "
            "which no saved workbook does; open it in a spreadsheet program, save it again and try again"
        )
    return result


def column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


class Workbook:
    """An .xlsx opened for reading by the cells it holds (`with Workbook(source) as book:`)."""

    def __init__(self, source: Path | bytes | IO[bytes]) -> None:
        from openpyxl import load_workbook

        data = source.read_bytes() if isinstance(source, Path) else source if isinstance(source, bytes) else source.read()
        try:
            self._archive = zipfile.ZipFile(io.BytesIO(data))
        except zipfile.BadZipFile:
            raise SheetRefused("it is not an Excel workbook (.xlsx)") from None
        self.census = census(self._archive)
        try:
            self._book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
            raise SheetRefused("it cannot be opened as an Excel workbook (.xlsx)") from error

    def __enter__(self) -> Workbook:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        self._book.close()
        self._archive.close()

    @property
    def sheet_names(self) -> list[str]:
        return list(self._book.sheetnames)

    def _part(self, name: str) -> str:
        return str(self._book[name]._worksheet_path).lstrip("/")

    def formulas(self, name: str) -> int:
        """How many cells of the sheet hold a formula (read as its last calculated value)."""
        counted = self.census.sheets.get(self._part(name))
        return counted.formulas if counted else 0

    def rows(self, name: str, limit: int | None = None) -> Iterator[tuple[int, list[Any]]]:
        """(row number, values) of every row that holds a cell, each padded to its own last cell only; `limit` stops
        after so many rows."""
        from openpyxl.worksheet._reader import WorkSheetParser

        sheet = self._book[name]
        held = padded = count = 0
        with sheet._get_source() as source:
            parser = WorkSheetParser(
                source,
                sheet._shared_strings,
                data_only=True,
                epoch=self._book.epoch,
                date_formats=self._book._date_formats,
                timedelta_formats=self._book._timedelta_formats,
            )
            for number, cells in parser.parse():
                if not cells:
                    continue
                width = max(cell["column"] for cell in cells)
                if width > MAX_COLUMN:  # the census saw every reference; a cell without one is placed by count
                    raise SheetRefused(f"row {number} of sheet '{name}' has values beyond column ZZ")
                held += len(cells)
                padded += width - len(cells)
                if padded > MAX_PADDING * held + PADDING_ALLOWANCE:
                    raise SheetRefused(
                        f"sheet '{name}' is mostly empty cells between values far apart, which no table of data is; "
                        "save it as CSV and try again"
                    )
                values: list[Any] = [None] * width
                for cell in cells:
                    values[cell["column"] - 1] = cell["value"]
                yield number, values
                count += 1
                if limit is not None and count >= limit:
                    return
