"""A file surveyed before it is read: its heading row found, and rows sampled from all of it (its first rows, then rows
spread evenly through the rest), from which the reading of its layout is decided (read.py); or why it cannot be read.
"""

from __future__ import annotations

import csv
import gzip
import logging
import zipfile
import zlib
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field

from keepitlocal.spend.engine.headings import header_score, kind_of_dataset, layout_key
from keepitlocal.spend.engine.sources import Source, TextFormat, UnreadableSourceError, rows, text_format

logger = logging.getLogger(__name__)

HEADER_SEARCH_ROWS = 60

VALUE_SAMPLE_ROWS = 500  # the first rows below the header, whose values confirm the columns the headings name

SPREAD_ROWS = 500  # and as many more drawn evenly from the rest of the file, so that no stretch of it decides alone


def find_header(sample: list[tuple[int, list[str]]]) -> int | None:
    """The index in `sample` of the header row: the first row naming the most known fields (at least three)."""
    best, best_score = None, 2
    for index, (_, cells) in enumerate(sample):
        score = header_score(cells)
        if score > best_score:
            best, best_score = index, score
    return best


@dataclass
class Survey:
    """A file's heading row and rows sampled from all of it (its first rows, then rows drawn evenly from the rest),
    from which the reading of its layout is decided; or why it cannot be read."""

    header_line: int = 0
    header: list[str] = field(default_factory=list)
    sample: list[list[str]] = field(default_factory=list)
    refused: str = ""
    not_spend: bool = False  # refused as some other dataset
    fmt: TextFormat | None = None  # how a text file is written (found once, used again to read it)

    @property
    def layout(self) -> str:
        return layout_key(self.header) if self.header else ""


def survey(source: Source) -> Survey:
    """Find the heading row and take the first rows below it; `spread` adds rows from the rest of the file."""
    found = Survey()
    try:
        found.fmt = None if source.is_spreadsheet else text_format(source)
        iterator = rows(source, found.fmt)
        try:
            _survey_rows(iterator, found)
        finally:
            iterator.close()
    except UNREADABLE as error:
        found.refused = refusal(source, error)
    return found


# What stops a file being read at all, whichever step meets it first (surveying it or reading it).
UNREADABLE = (UnreadableSourceError, EOFError, gzip.BadGzipFile, zlib.error, zipfile.BadZipFile, csv.Error)


def refusal(source: Source, error: BaseException) -> str:
    """Why a file cannot be read, in words, for one of the UNREADABLE errors (logged with its traceback)."""
    if isinstance(error, UnreadableSourceError):
        return str(error)
    logger.info("cannot read %s", source.name, exc_info=error)
    if isinstance(error, csv.Error):
        # A quoted value that never closes swallows the rest of the file into one cell, past what the reader takes.
        return "it cannot be read as CSV: a quoted value never ends, or one cell is longer than 16 MB"
    return "it is damaged or cut short (the compressed data ends too soon)"


FEW_FILES = 4  # a layout of fewer files has each of them sampled through, whatever it costs to read it again


def _plain(source: Source) -> bool:
    """A text file on disk as it is, whose bytes can be reached by seeking (not compressed, zipped or UTF-16)."""
    return (
        not source.is_spreadsheet and not source.member and not source.path.name.lower().endswith(".gz") and not source.is_utf16
    )


def spread(source: Source, found: Survey, costly: bool) -> None:
    """Rows from the rest of the file beside its first ones, so that no stretch of it decides alone: by seeking, in a
    plain text file (milliseconds); with `costly`, also by reading a compressed file or a spreadsheet through again
    (for layouts of few files, where one file's first rows would otherwise decide)."""
    if not found.header or found.refused:
        return
    try:
        if found.fmt is not None and _plain(source):
            seeked = _seek_lines(source, found.fmt, found.header)
            found.sample += seeked
            if len(seeked) >= SPREAD_ROWS // 10 or not costly:
                return  # enough whole rows reached by seeking (a file of rows spanning lines has few: read it through)
        if not costly:
            return
        if found.fmt is not None:
            found.sample += _spread_lines(source, found.fmt, found.header_line, len(found.header))
            return
        iterator = rows(source, None)
        try:
            for line, _ in iterator:
                if line >= found.header_line:
                    break
            found.sample += _spread_rows(iterator, skip=VALUE_SAMPLE_ROWS)
        finally:
            iterator.close()
    except (*UNREADABLE, OSError):
        logger.info("cannot sample %s through", source.name, exc_info=True)  # its first rows still speak for it


def _seek_lines(source: Source, fmt: TextFormat, header: list[str]) -> list[list[str]]:
    """SPREAD_ROWS rows at byte offsets spread evenly through a plain text file: from each offset, the next whole
    line. Only a line with as many cells as the heading row (trailing empty ones aside) and whole quotes is taken: a
    line inside a value spanning lines is not a row."""
    size = source.path.stat().st_size
    width = len(header)
    found: list[list[str]] = []
    if fmt.lines <= VALUE_SAMPLE_ROWS + HEADER_SEARCH_ROWS:
        return found  # the first rows are the whole file
    taken: set[int] = set()
    with open(source.path, "rb") as handle:
        for k in range(1, SPREAD_ROWS + 1):
            handle.seek(max(fmt.bom, size * k // (SPREAD_ROWS + 2)))
            handle.readline()  # the rest of the line the offset fell in
            start = handle.tell()
            raw = handle.readline()
            if not raw or start in taken or raw.count(b'"') & 1:
                continue
            taken.add(start)
            cells = next(csv.reader([raw.decode(fmt.encoding, errors="replace").rstrip("\r\n")], delimiter=fmt.delimiter), [])
            if len(cells) == width or (len(cells) > width and not any(c.strip() for c in cells[width:])):
                found.append(cells[:width])
    return found


def _survey_rows(iterator: Generator[tuple[int, list[str]], None, None], found: Survey) -> None:
    """The heading row and the first rows below it."""
    head: list[tuple[int, list[str]]] = []
    for item in iterator:
        head.append(item)
        if len(head) >= HEADER_SEARCH_ROWS:
            break
    header_index = find_header(head)
    if header_index is None:
        # Another dataset names few of our fields; say what it is rather than that nothing was found.
        other = next((reason for _, cells in head if (reason := kind_of_dataset(cells))), None)
        found.refused = other or "no header row naming a supplier, an amount and a date was found in the first 60 lines"
        found.not_spend = other is not None
        return
    found.header_line, found.header = head[header_index]
    first = [cells for _, cells in head[header_index + 1 :]]
    for _, cells in iterator:
        if len(first) >= VALUE_SAMPLE_ROWS:
            break
        first.append(cells)
    found.sample = first


def _spread_rows(iterator: Iterator[tuple[int, list[str]]], skip: int) -> list[list[str]]:
    """Every `stride`-th row after the first `skip`, the stride doubling (and every other row kept dropped) whenever
    the spread fills: rows evenly spaced over the whole file, the same ones on every reading."""
    rows_kept: list[list[str]] = []
    stride = 1
    for position, (_, cells) in enumerate(iterator):
        if position < skip:
            continue
        if (position - skip) % stride == 0:
            rows_kept.append(cells)
            if len(rows_kept) >= 2 * SPREAD_ROWS:
                rows_kept = rows_kept[::2]
                stride *= 2
    return rows_kept[:: max(1, len(rows_kept) // SPREAD_ROWS)][:SPREAD_ROWS]


def _spread_lines(source: Source, fmt: TextFormat, header_line: int, width: int) -> list[list[str]]:
    """Rows at SPREAD_ROWS physical lines spaced evenly through a text file below its first rows, found by counting
    line breaks in its bytes (compressed files too) and splitting only those lines: a few milliseconds where
    splitting every row took seconds. Quotes are counted too, so that only a whole row on its own line is taken: a
    line inside a quoted value that spans lines (a long description) would give a row with its columns shifted."""
    start = header_line + VALUE_SAMPLE_ROWS
    if fmt.lines <= start + 1:
        return []
    step = (fmt.lines - start) / (SPREAD_ROWS + 1)
    targets = sorted({start + int(step * (k + 1)) for k in range(SPREAD_ROWS)})
    found: list[list[str]] = []
    with source.open_binary() as stream:
        stream.read(fmt.bom)
        # The physical line `carry` starts on, and whether it starts inside a quoted value (an odd count of quotes
        # before it: a doubled quote inside a value counts twice, as CSV writes it).
        line, carry, wanted, quoted = 1, b"", 0, False
        taking: list[bytes] | None = None  # the lines of the row being taken, when one is
        while (wanted < len(targets) or taking is not None) and (chunk := stream.read(1 << 20)):
            data = carry + chunk
            breaks = data.count(b"\n")
            if taking is None and line + breaks <= targets[wanted]:
                cut = data.rfind(b"\n")
                if cut >= 0:
                    quoted ^= bool(data.count(b'"', 0, cut + 1) & 1)
                    carry, line = data[cut + 1 :], line + breaks
                else:
                    carry = data
                continue
            parts = data.split(b"\n")
            for offset, raw in enumerate(parts[:-1]):
                while wanted < len(targets) and targets[wanted] < line + offset:
                    wanted += 1
                if wanted < len(targets) and targets[wanted] == line + offset and taking is None:
                    taking = []  # the row that starts on this line or, inside a value, the next one that starts
                    wanted += 1
                if taking is not None and (taking or not quoted):
                    taking.append(raw)
                quoted ^= bool(raw.count(b'"') & 1)
                if taking and not quoted:
                    text = b"\n".join(taking).decode(fmt.encoding, errors="replace").rstrip("\r")
                    cells = _one_row(text, fmt.delimiter)
                    if cells and len(cells) <= width:
                        found.append(cells)
                    taking = None
            carry, line = parts[-1], line + len(parts) - 1
    return found


def _one_row(text: str, delimiter: str) -> list[str]:
    """One line as its cells, trailing empty cells left out (a row with extra trailing commas is the same row)."""
    cells = next(csv.reader([text], delimiter=delimiter), [])
    while cells and not cells[-1].strip():
        cells.pop()
    return cells
