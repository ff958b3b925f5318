"""Looking inside PDFs the platform makes."""

from __future__ import annotations

import re
import zlib


def inflated(pdf: bytes) -> bytes:
    """The PDF with its compressed streams inflated, to look for the structure tree inside object streams."""
    parts = [pdf]
    for stream in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.DOTALL):
        try:
            parts.append(zlib.decompress(stream.group(1)))
        except zlib.error:
            continue
    return b"".join(parts)
