"""Find the spend files in what a person points us at: files, folders, gzip, zip, CSV and XLSX."""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import re
import zipfile
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast

from keepitlocal.common.text import detect_encoding, strip_boms
from keepitlocal.spend.engine.headings import header_score

TABLE_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm")
SNIFF_BYTES = 256 * 1024
# A compressed file or archive member that expands more than this many times is refused as it is read: spend files
# compress five to twenty times; a file of zeros a thousand times.
MAX_EXPANSION = 100
EXPANSION_FLOOR = 64 * 1024 * 1024  # small files may compress well: the ratio applies beyond this much text
# A text file with no line break in its first megabytes is not a table of rows (and would hold a reader for minutes).
FIRST_LINE_LIMIT = 4 * 1024 * 1024
# No spend file's cell comes near it; longer cells are read (keepitlocal/__init__.py lets the csv module read up to
# 16 MB) so that their row is rejected with its reason instead of the whole file failing.
MAX_CELL = 131_072
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


class UnreadableSourceError(Exception):
    """A file that cannot be read as a table at all; the message says why, in a sentence for the person."""


class _Bounded(io.RawIOBase):
    """Reads an expanding stream, refusing it once it has expanded more than MAX_EXPANSION times `packed` bytes."""

    def __init__(self, stream: IO[bytes], packed: int, closing: list[Any]) -> None:
        self.stream, self.limit, self.closing, self.total = stream, max(EXPANSION_FLOOR, packed * MAX_EXPANSION), closing, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.stream.read(len(buffer))
        self.total += len(data)
        if self.total > self.limit:
            raise UnreadableSourceError(
                f"it expands more than {MAX_EXPANSION} times its compressed size, which no spend file does"
            )
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        for item in reversed(self.closing):
            item.close()
        super().close()


class _Utf16(io.RawIOBase):
    """A UTF-16 text stream (its byte-order mark says which way round) read as UTF-8 bytes, so that every reader sees
    what it sees in any other file."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream, self.decoder, self.pending = stream, codecs.getincrementaldecoder("utf-16")(errors="replace"), b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self.pending:
            chunk = self.stream.read(1 << 20)
            self.pending = self.decoder.decode(chunk, final=not chunk).encode("utf-8")
            if not chunk:
                break
        size = min(len(buffer), len(self.pending))
        buffer[:size], self.pending = self.pending[:size], self.pending[size:]
        return size

    def close(self) -> None:
        self.stream.close()
        super().close()


@dataclass(frozen=True)
class Source:
    """One table to read: a CSV or spreadsheet, perhaps gzipped or inside a zip archive."""

    path: Path
    member: str = ""

    @property
    def name(self) -> str:
        return f"{self.path}:{self.member}" if self.member else str(self.path)

    @property
    def is_spreadsheet(self) -> bool:
        return (self.member or self.path.name).lower().endswith((".xlsx", ".xlsm"))

    @property
    def is_utf16(self) -> bool:
        with self._expanded() as stream:
            return stream.read(2) in UTF16_BOMS

    @property
    def needs_copy(self) -> bool:
        """Whether a reader that opens files by path (DuckDB) must be given a plain UTF-8 copy instead."""
        return bool(self.member) or self.is_utf16

    def _expanded(self) -> io.BufferedReader:
        """The file's bytes: a zip member streamed (never read whole into memory), gzip expanded, each refused once
        it expands implausibly far."""
        gzipped = (self.member or self.path.name).lower().endswith(".gz")
        if self.member:
            archive = zipfile.ZipFile(self.path)
            info = archive.getinfo(self.member)
            member = archive.open(info)
            stream: IO[bytes] = cast(IO[bytes], gzip.GzipFile(fileobj=member)) if gzipped else member
            return io.BufferedReader(_Bounded(stream, info.compress_size, [archive, member, stream]), 1 << 20)
        if gzipped:
            stream = cast(IO[bytes], gzip.open(self.path, "rb"))  # noqa: SIM115 (closed by the returned reader)
            return io.BufferedReader(_Bounded(stream, self.path.stat().st_size, [stream]), 1 << 20)
        return open(self.path, "rb")

    def open_binary(self) -> IO[bytes]:
        stream = self._expanded()
        if stream.peek(2)[:2] in UTF16_BOMS:
            return io.BufferedReader(_Utf16(stream), 1 << 20)
        return stream


def _is_table(name: str) -> bool:
    lower = name.lower().removesuffix(".gz")
    return lower.endswith(TABLE_SUFFIXES)


def discover(paths: list[Path]) -> tuple[list[Source], list[str]]:
    """The tables found under `paths`, in name order, and a note for each file passed over."""
    sources: list[Source] = []
    skipped: list[str] = []
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.is_file()))
        elif path.is_file():
            files.append(path)
        else:
            skipped.append(f"{path}: not found")
    for file in files:
        lower = file.name.lower()
        if lower.endswith(".zip"):
            try:
                with zipfile.ZipFile(file) as archive:
                    members = sorted(m for m in archive.namelist() if not m.endswith("/"))
            except zipfile.BadZipFile:
                skipped.append(f"{file}: not a readable zip archive")
                continue
            for member in members:
                if not _is_table(member):
                    skipped.append(f"{file}:{member}: not a CSV or XLSX file")
                    continue
                sources.append(Source(file, member))
        elif _is_table(file.name):
            sources.append(Source(file))
        else:
            skipped.append(f"{file}: not a CSV, XLSX, gzip or zip file")
    return sources, skipped


def _chunks(stream: IO[bytes], size: int = 1 << 20) -> Iterator[bytes]:
    while chunk := stream.read(size):
        yield chunk


@dataclass(frozen=True)
class TextFormat:
    """How a delimited text file is written: found in one pass over its bytes."""

    encoding: str
    delimiter: str
    bom: int  # bytes of byte-order marks before the text
    lines: int  # physical lines: newlines, plus an unterminated last line
    # Spaces between a delimiter and a quote ('a, "b"'): CSV readers disagree on what that means.
    spaced_quotes: bool = False
    # Whitespace other than spaces and line ends (tabs, no-break spaces...), which trimming must also remove.
    other_spaces: bool = False
    longest_line: int = 0  # bytes in the longest physical line


_SPACED_QUOTE = re.compile(rb'[,;|\t\n][ \t]+"|"[ \t]+[,;|\t\r\n]')
# Every character str.isspace() knows but the space and CRLF, as UTF-8 bytes (and a CR not before a LF).
_OTHER_SPACES = re.compile(
    rb"[\t\x0b\x0c\x1c-\x1f]|\r(?!\n)|\xc2[\x85\xa0]|\xe1\x9a\x80|\xe2\x80[\x80-\x8a\xa8\xa9\xaf]|\xe2\x81\x9f|\xe3\x80\x80"
)


# A regular expression over every byte is slow; bytes.translate deleting every byte that cannot be part of a
# match is many times faster, so the expressions run only on windows where such a byte is left.
_SPACED_HINTS = (b' "', b'" ')
_TAB_HINTS = (b'\t"', b'"\t')
# Single-byte whitespace, and the bytes that end each multi-byte one in _OTHER_SPACES (they also end other
# characters, é among them: a false hint only costs the regular expression).
_OTHER_BYTES = bytes([0x09, 0x0B, 0x0C, 0x1C, 0x1D, 0x1E, 0x1F, 0x85, 0x9A, 0x9F, 0xA0, 0xA8, 0xA9, 0xAF, *range(0x80, 0x8B)])
_NOT_OTHER = bytes(b for b in range(256) if b not in _OTHER_BYTES)


def _has_spaced_quotes(window: bytes) -> bool:
    hints = _SPACED_HINTS + (_TAB_HINTS if b"\t" in window else ())
    return any(hint in window for hint in hints) and bool(_SPACED_QUOTE.search(window))


def _has_other_spaces(window: bytes) -> bool:
    # A CR that ends the window may yet be followed by a LF: leave it to the next window (its tail).
    end = len(window) - window.endswith(b"\r")
    crs = window.count(b"\r", 0, end)
    bare_cr = bool(crs) and crs != window.count(b"\r\n", 0, end + 1)
    return bare_cr or (bool(window.translate(None, _NOT_OTHER)) and bool(_OTHER_SPACES.search(window, 0, end)))


def _scan(chunks: Iterator[bytes]) -> tuple[str, int, bool, bool, int]:
    lines, last, spaced, other, tail = 0, b"\n", False, False, b""
    longest, running = 0, 0  # the longest line so far, and the length of the line the last chunk ended in

    def scanned() -> Iterator[bytes]:
        nonlocal lines, last, spaced, other, tail, longest, running
        for chunk in chunks:
            lines += chunk.count(b"\n")
            first = chunk.find(b"\n")
            if first < 0:
                running += len(chunk)
            else:
                longest = max(longest, running + first, max(map(len, chunk[first + 1 :].split(b"\n"))))
                running = len(chunk) - chunk.rfind(b"\n") - 1
            longest = max(longest, running)
            last = chunk[-1:]
            # Carry a little of the previous chunk, so that a pattern split between two is still seen.
            window = tail + chunk
            spaced = spaced or _has_spaced_quotes(window)
            other = other or _has_other_spaces(window)
            tail = chunk[-64:]
            yield chunk

    encoding = detect_encoding(scanned())
    for _ in scanned():  # detect_encoding stops at the first invalid byte; scan the rest
        pass
    return encoding, lines + (0 if last in (b"\n", b"") else 1), spaced, other, longest


def text_format(source: Source) -> TextFormat:
    """How a text file is written, found in one pass over its bytes (a compressed file is decompressed once)."""
    head = b""  # its first bytes: where the delimiter and any byte-order mark are found
    seen = 0  # bytes before the first line break was found, or -1 once it has been

    def checked(chunks: Iterator[bytes]) -> Iterator[bytes]:
        nonlocal head, seen
        for chunk in chunks:
            if len(head) < SNIFF_BYTES:
                head += chunk[: SNIFF_BYTES - len(head)]
            if seen >= 0:
                window = chunk[: FIRST_LINE_LIMIT - seen]
                if b"\n" in window or b"\r" in window:
                    seen = -1
                elif seen + len(chunk) >= FIRST_LINE_LIMIT:
                    raise UnreadableSourceError(
                        f"it has no line break in its first {FIRST_LINE_LIMIT // (1024 * 1024)} MB, so it is not a table of rows"
                    )
                else:
                    seen += len(chunk)
            yield chunk

    with source.open_binary() as stream:
        encoding, lines, spaced, other, longest = _scan(checked(_chunks(stream)))
    bom = len(head) - len(strip_boms(head))
    delimiter = _delimiter(strip_boms(head).decode(encoding, errors="replace"))
    return TextFormat(encoding, delimiter, bom, lines, spaced, other, longest)


def rows(source: Source, fmt: TextFormat | None = None) -> Generator[tuple[int, list[str]], None, None]:
    """(line number, cells) for every row of a table, decoded and split, whatever the encoding or delimiter."""
    if source.is_spreadsheet:
        yield from _spreadsheet_rows(source)
        return
    fmt = fmt or text_format(source)
    with source.open_binary() as stream:
        stream.read(fmt.bom)
        text = io.TextIOWrapper(stream, encoding=fmt.encoding, errors="replace", newline="")
        reader = csv.reader(text, delimiter=fmt.delimiter)
        for cells in reader:
            # The physical line a row ends on: a quoted value over several lines makes it further on.
            yield reader.line_num, cells


def _delimiter(sample: str) -> str:
    lines = [ln for ln in sample.splitlines()[:40] if ln.strip()]
    best, best_score = ",", 0
    for delimiter in (",", "\t", ";", "|"):
        counts = [ln.count(delimiter) for ln in lines]
        # The delimiter splits most lines into the same, largest number of parts.
        common = max(set(counts), key=counts.count) if counts else 0
        score = common * counts.count(common)
        if common and score > best_score:
            best, best_score = delimiter, score
    return best


def _spreadsheet_rows(source: Source) -> Generator[tuple[int, list[str]], None, None]:
    """Rows of the sheet that looks most like spend data, by the cells it holds (keepitlocal.common.sheets)."""
    from datetime import date, datetime

    from keepitlocal.common.sheets import SheetRefused, Workbook

    try:
        with source.open_binary() as stream, Workbook(stream) as workbook:
            # Workbooks often open on a notes or cover sheet: read the sheet that looks most like spend data.
            def score(name: str) -> int:
                return max(
                    (header_score([str(v) for v in row if v is not None]) for _, row in workbook.rows(name, limit=60)),
                    default=0,
                )

            sheet = max(workbook.sheet_names, key=score)
            for number, values in workbook.rows(sheet):
                cells = []
                for value in values:
                    if value is None:
                        cells.append("")
                    elif isinstance(value, datetime):
                        cells.append(
                            value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
                        )
                    elif isinstance(value, date):
                        cells.append(value.isoformat())
                    elif isinstance(value, float) and value.is_integer():
                        cells.append(str(int(value)))
                    else:
                        cells.append(str(value))
                yield number, cells
    except SheetRefused as error:
        raise UnreadableSourceError(str(error)) from error
