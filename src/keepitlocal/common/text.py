"""Reading text files as published: UTF-8 with or without a byte-order mark (even one encoded twice), or
Windows-1252, decided from the bytes rather than the file name."""

from __future__ import annotations

import codecs
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

UTF8_BOM = codecs.BOM_UTF8
# A BOM that was decoded as Windows-1252 and encoded again as UTF-8 ("ï»¿" at the start of the text).
DOUBLE_ENCODED_BOM = "\ufeff".encode().decode("latin-1").encode()


def strip_boms(data: bytes) -> bytes:
    """Remove any number of leading byte-order marks, single or double-encoded."""
    changed = True
    while changed:
        changed = False
        for bom in (UTF8_BOM, DOUBLE_ENCODED_BOM):
            if data.startswith(bom):
                data = data[len(bom) :]
                changed = True
    return data


def detect_encoding(chunks: Iterable[bytes]) -> str:
    """'utf-8' when every byte sequence is valid UTF-8, else 'cp1252' (what Excel on Windows writes)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for chunk in chunks:
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def decode(data: bytes) -> str:
    data = strip_boms(data)
    return data.decode(detect_encoding([data]), errors="replace")


class _Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


def write_utf8(stream: _Readable, encoding: str, target: Path) -> Path:
    """The rest of `stream`, decoded as `encoding` (bytes it cannot decode replaced, as Python's text readers
    replace them), written to `target` as UTF-8 a megabyte at a time."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    with open(target, "w", encoding="utf-8", newline="") as out:
        while chunk := stream.read(1 << 20):
            out.write(decoder.decode(chunk))
        out.write(decoder.decode(b"", final=True))
    return target
