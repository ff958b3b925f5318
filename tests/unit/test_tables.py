import csv
import io
import json
from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from keepitlocal.reports.engine.tables import Column, Table, iter_csv, neutralise, to_json, to_xlsx

COLUMNS = [Column("name", "Supplier name"), Column("amount", "Amount (£)"), Column("on", "Date paid"), Column("flag", "Local")]


def _table(rows: list[dict[str, object]]) -> Table:
    return Table("Payments", COLUMNS, rows)


ROWS = [
    {"name": '=HYPERLINK("http://evil")', "amount": Decimal("-12.50"), "on": date(2026, 4, 1), "flag": True},
    {"name": "+44 trust", "amount": 3, "on": None, "flag": False},
    {"name": "@risk", "amount": 1, "on": None, "flag": None},
    {"name": "Plain Ltd", "amount": 2, "on": None, "flag": None},
]


def test_csv_has_human_headings_and_neutralised_cells() -> None:
    text = "".join(iter_csv(_table(ROWS)))
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["Supplier name", "Amount (£)", "Date paid", "Local"]
    assert rows[1][0].startswith("'=")
    assert rows[1][1] == "-12.50"  # a negative number is data, not a formula
    assert rows[1][2] == "2026-04-01"
    assert rows[1][3] == "Yes"
    assert rows[2][0] == "'+44 trust"
    assert rows[3][0] == "'@risk"
    assert rows[4][0] == "Plain Ltd"


def test_xlsx_cells_are_neutralised_and_numbers_stay_numbers() -> None:
    sheet = load_workbook(io.BytesIO(to_xlsx(_table(ROWS)))).active
    assert sheet is not None
    values = list(sheet.values)
    assert values[0] == ("Supplier name", "Amount (£)", "Date paid", "Local")
    assert values[1][0].startswith("'=")
    assert values[1][1] == -12.5
    assert values[2][0] == "'+44 trust"


def test_json_keeps_all_fields_with_headings() -> None:
    payload = json.loads(to_json(_table(ROWS)))
    assert [c["heading"] for c in payload["columns"]] == ["Supplier name", "Amount (£)", "Date paid", "Local"]
    assert payload["rows"][0]["name"] == '=HYPERLINK("http://evil")'
    assert payload["rows"][0]["amount"] == "-12.50"


@given(st.text())
def test_no_neutralised_text_starts_a_formula(text: str) -> None:
    assert not str(neutralise(text)).startswith(("=", "+", "-", "@", "\t", "\r"))


@given(st.lists(st.text(alphabet=st.characters(exclude_categories=["Cs"])), max_size=5))
def test_csv_round_trips_row_count(names: list[str]) -> None:
    text = "".join(iter_csv(_table([{"name": n} for n in names])))
    assert len(list(csv.reader(io.StringIO(text)))) == len(names) + 1
