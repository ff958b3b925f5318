"""Spreadsheets are read by the cells they hold: a declared size, far-apart cells or a swollen table of text cannot
make a small file cost minutes or gigabytes (keepitlocal.common.sheets)."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook as OpenpyxlWorkbook
from openpyxl import load_workbook

from keepitlocal.common.sheets import MAX_COLUMN, SheetRefused, Workbook, column_number
from keepitlocal.spend.engine.sources import Source
from keepitlocal.spend.engine.survey import survey

_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_BOOK = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
    '<sheet name="Spend" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_BOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)


def crafted(sheet_data: str, dimension: str = "A1", strings: list[str] | None = None, string_count: int = 0) -> bytes:
    """A workbook written by hand, as an attacker would: any declared size, any cells, any table of text."""
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="{dimension}"/><sheetData>{sheet_data}</sheetData></worksheet>'
    )
    listed = strings or []
    count = string_count or len(listed)
    body = "".join(f"<si><t>{s}</t></si>" for s in listed)
    shared = (
        '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        f'count="{count}" uniqueCount="{count}">{body}</sst>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _BOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _BOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
        archive.writestr("xl/sharedStrings.xml", shared)
    return out.getvalue()


@pytest.fixture
def never_loaded(monkeypatch: pytest.MonkeyPatch) -> None:
    """openpyxl must not be reached: the census refuses from the bytes, before any table of text is loaded."""
    import openpyxl

    def load(*_: object, **__: object) -> None:
        raise AssertionError("openpyxl loaded the workbook")

    monkeypatch.setattr(openpyxl, "load_workbook", load)


def test_a_declared_size_with_one_far_corner_cell_is_refused_from_its_bytes(never_loaded: None) -> None:
    """The attack: 1.6 KB declaring 100,000 rows x 16,384 columns, one cell at the far corner (87 s of one request
    and 1.6 GB of rejected rows when openpyxl padded it)."""
    data = crafted('<row r="100000"><c r="XFD100000" t="inlineStr"><is><t>x</t></is></c></row>', "A1:XFD100000")
    assert len(data) < 2000
    with pytest.raises(SheetRefused, match="XFD100000"):
        Workbook(data)


def test_a_declared_size_alone_costs_nothing() -> None:
    data = crafted('<row r="1"><c r="A1" t="inlineStr"><is><t>Supplier</t></is></c></row>', "A1:ZZ1000000")
    with Workbook(data) as book:
        assert list(book.rows("Spend")) == [(1, ["Supplier"])]


def test_rows_are_only_the_rows_held_and_padded_to_their_own_last_cell() -> None:
    data = crafted('<row r="2"><c r="B2"><v>1</v></c></row><row r="90000"><c r="ZZ90000"><v>2</v></c></row>', "A1:ZZ1000000")
    with Workbook(data) as book:
        rows = list(book.rows("Spend"))
    assert [n for n, _ in rows] == [2, 90000]
    assert rows[0][1] == [None, 1] and len(rows[1][1]) == MAX_COLUMN and rows[1][1][-1] == 2


def test_many_far_apart_cells_are_refused_as_they_are_read() -> None:
    """Every row with one cell at column ZZ: the padding outgrows the cells held, and reading stops."""
    rows = "".join(f'<row r="{n}"><c r="ZZ{n}"><v>1</v></c></row>' for n in range(1, 60_001))
    data = crafted(rows, f"A1:ZZ{60_000}")
    read = 0
    with Workbook(data) as book, pytest.raises(SheetRefused, match="mostly empty"):
        for _ in book.rows("Spend"):
            read += 1
    assert read < 60_000


def test_a_table_of_text_far_larger_than_the_cells_is_refused_before_it_is_loaded(never_loaded: None) -> None:
    data = crafted('<row r="1"><c r="A1" t="s"><v>0</v></c></row>', strings=["x"] * 200_000)
    with pytest.raises(SheetRefused, match="200,000 entries"):
        Workbook(data)


def test_formulas_are_counted_in_any_namespace_prefix() -> None:
    plain = crafted('<row r="1"><c r="A1"><f>1+1</f><v>2</v></c></row>')
    with Workbook(plain) as book:
        assert book.formulas("Spend") == 1
    sheet = '<x:row r="1"><x:c r="A1"><x:f t="shared" ref="A1:A2" si="0">1+1</x:f><x:v>2</x:v></x:c></x:row>'
    from keepitlocal.common.sheets import census

    prefixed = crafted(sheet)
    with zipfile.ZipFile(io.BytesIO(prefixed)) as archive:
        assert census(archive).sheets["xl/worksheets/sheet1.xml"].formulas == 1
    with Workbook(crafted('<row r="1"><c r="A1" t="inlineStr"><is><t>&lt;f&gt;1</t></is></c></row>')) as book:
        assert book.formulas("Spend") == 0  # text that reads like a formula tag is not one


def test_tags_split_across_chunks_are_counted_once(monkeypatch: pytest.MonkeyPatch) -> None:
    import keepitlocal.common.sheets as sheets

    monkeypatch.setattr(sheets, "CHUNK", 7)  # every tag straddles a chunk boundary somewhere
    cells = "".join(f'<row r="{n}"><c r="A{n}" t="s"><v>0</v></c><c r="B{n}"><f>1</f><v>1</v></c></row>' for n in range(1, 40))
    with zipfile.ZipFile(io.BytesIO(crafted(cells, strings=["a"]))) as archive:
        found = sheets.census(archive).sheets["xl/worksheets/sheet1.xml"]
    assert (found.cells, found.text_cells, found.formulas) == (78, 39, 39)


def test_column_letters() -> None:
    assert [column_number(c) for c in ("A", "Z", "AA", "ZZ", "XFD")] == [1, 26, 27, 702, 16384]


_CELL_VALUES = st.one_of(
    st.none(),
    st.integers(-(10**9), 10**9),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=12).filter(
        lambda t: not t.startswith("=") and t.strip() == t
    ),
    st.dates(date(1990, 1, 1), date(2030, 12, 31)),
)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(_CELL_VALUES, min_size=1, max_size=8), min_size=1, max_size=12))
def test_a_saved_workbook_reads_as_openpyxl_reads_it_without_the_padding(table: list[list[object]]) -> None:
    """Whatever a spreadsheet program saves, the values are those openpyxl reads; only empty rows and trailing
    padding differ."""
    book = OpenpyxlWorkbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Spend"
    for row in table:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    data = out.getvalue()

    def trimmed(values: list[object]) -> list[object]:
        values = [datetime.combine(v, datetime.min.time()) if type(v) is date else v for v in values]
        while values and values[-1] is None:
            values.pop()
        return values

    expected = [
        trimmed(list(r))
        for r in load_workbook(io.BytesIO(data), read_only=True, data_only=True)["Spend"].iter_rows(values_only=True)
    ]
    with Workbook(data) as ours:
        got = {n: trimmed(v) for n, v in ours.rows("Spend")}
    assert [got.get(n, []) for n in range(1, len(expected) + 1)] == expected


def test_the_spend_reader_reports_the_attack_file_unread_with_its_reason(tmp_path: Path) -> None:
    """A file stored before the check existed (or let through) is read by no analysis: it is unread, with why."""
    path = tmp_path / "corner.xlsx"
    path.write_bytes(crafted('<row r="100000"><c r="XFD100000" t="inlineStr"><is><t>x</t></is></c></row>', "A1:XFD100000"))
    found = survey(Source(path))
    assert found.refused and "beyond column ZZ" in found.refused
