"""Kumu-layout workbooks written for tests: an Elements sheet and, when given, a Connections sheet."""

from __future__ import annotations

import io

from openpyxl import Workbook


def kumu_workbook(elements: list[list[object]], connections: list[list[object]] | None = None) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Elements"
    for row in elements:
        sheet.append(row)
    if connections is not None:
        other = book.create_sheet("Connections")
        for row in connections:
            other.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
