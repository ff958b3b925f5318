"""Files of one council read as a set: every file with the same heading row read the same way, decided from rows of
all of them, and each field checked by properties of its values. Layouts are generated to break the reader: months
whose first rows are all one card provider, cryptic payee headings, a category column with payee-like words in its
heading, payees under a heading naming no field at all."""

from __future__ import annotations

import csv
import random
import tempfile
from pathlib import Path
from typing import Any

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from keepitlocal.spend.engine import read
from keepitlocal.spend.engine.columns import AmbiguousMappingError, map_columns
from keepitlocal.spend.engine.sources import discover
from keepitlocal.spend.engine.survey import VALUE_SAMPLE_ROWS, spread, survey
from keepitlocal.spend.engine.values import fewest_payees, payee_problem, profile

VALUE_ROWS = VALUE_SAMPLE_ROWS

STEMS = ["Northern", "Pennine", "Calder", "Acorn", "Riverside", "Moorland", "Valley", "Summit", "Oak", "Beacon", "Harbour"]
TRADES = ["Care", "Building", "Cleaning", "Transport", "Catering", "Print", "Consulting", "Plumbing", "Fostering", "Waste"]
FORMS = ["Ltd", "Limited", "PLC", "LLP", "CIC", "Trust", "Services", "& Sons", "Group", "Association", ""]
CATEGORIES = ["Third Party Payments", "Supplies and Services", "Transfer Payments", "Premises Related", "Transport Related"]
CARD_PROVIDER = "Allstar Business Solutions Ltd"


def supplier_names(rng: random.Random, count: int) -> list[str]:
    """Different payees with a council's long tail: a few paid often, most once or twice."""
    names = {f"{rng.choice(STEMS)} {rng.choice(TRADES)} {rng.choice(FORMS)}".strip() + f" {n}" for n in range(count)}
    return sorted(names)


def payee_column(rng: random.Random, rows: int, suppliers: list[str]) -> list[str]:
    weights = [1 / (rank + 1) for rank in range(len(suppliers))]
    return rng.choices(suppliers, weights=weights, k=rows)


def write_month(
    path: Path, headers: list[str], roles: list[str], rows: int, rng: random.Random, suppliers: list[str], card_first: int
) -> None:
    payees = payee_column(rng, rows, suppliers)
    payees[:card_first] = [CARD_PROVIDER] * min(card_first, rows)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers)
        for r in range(rows):
            values = {
                "payee": payees[r],
                "amount": f"{rng.randint(500, 90000)}.{rng.randint(0, 99):02d}",
                "date": f"2021-{path.stem[-2:]}-{1 + r % 27:02d}",
                "category": CATEGORIES[r % rng.randint(1, len(CATEGORIES))],
                "area": ["Adults", "Children", "Highways", "Housing"][r % 4],
                "body": "Borough Council",
                "reference": f"V{100000 + r}",
            }
            writer.writerow([values[role] for role in roles])


# Headings a payee column is found under in real councils' files, some naming no field at all.
PAYEE_HEADINGS = ["Supplier", "Vendor", "Creditor", "Paid To", "Payee", "Beneficiary", "Counterparty", "Trading Partner"]
# A category column whose heading has a payee's words in it: never the payee, however it is headed.
CATEGORY_HEADINGS = ["Supplier Group Name", "Expense Category", "Subjective Name", "Vendor Category Description"]


@st.composite
def councils(draw: st.DrawFn) -> dict[str, Any]:
    roles = ["payee", "amount", "date", "category", "area", "body", "reference"]
    headings = {
        "payee": draw(st.sampled_from(PAYEE_HEADINGS)),
        "amount": draw(st.sampled_from(["Net Amount", "Amount", "Value (£)", "Total"])),
        "date": draw(st.sampled_from(["Payment Date", "Date Paid", "Transaction Date", "Date"])),
        "category": draw(st.sampled_from(CATEGORY_HEADINGS)),
        "area": "Service Area",
        "body": "Body Name",
        "reference": "Transaction Number",
    }
    order = draw(st.permutations(roles))
    return {
        "roles": list(order),
        "headers": [headings[role] for role in order],
        "months": draw(st.integers(2, 6)),
        "rows": draw(st.integers(220, 900)),
        # The months whose first rows are all one card provider (as many rows as the reader once sampled, and more).
        "card_months": draw(st.sets(st.integers(0, 5), max_size=3)),
        "card_rows": draw(st.sampled_from([0, 150, 600])),
        "seed": draw(st.integers(0, 10_000)),
    }


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(council=councils())
def test_every_file_of_a_layout_is_read_alike_with_the_payee_from_the_payee_column(
    tmp_path: Path, council: dict[str, Any]
) -> None:
    rng = random.Random(council["seed"])
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    suppliers = supplier_names(rng, 400)
    roles: list[str] = council["roles"]
    headers: list[str] = council["headers"]
    rows: int = council["rows"]
    for month in range(council["months"]):
        # At least a hundred rows of each month are the council's real payees.
        card = min(council["card_rows"], rows - 100) if month in council["card_months"] else 0
        write_month(folder / f"2021-{month + 4:02d}.csv", headers, roles, rows, rng, suppliers, card)
    sources, _ = discover([folder])
    database = duckdb.connect()
    found = read.read_all(sources, database, tmp_path / f"{folder.name}.staged.csv", tmp_path / f"{folder.name}.rejected.csv")
    payee = headers[roles.index("payee")]
    assert len(found.layouts) == 1, [layout.headings for layout in found.layouts]
    layout = found.layouts[0]
    assert layout.status == read.FileStatus.READ, layout.reason
    assert {r.status for r in found.files} == {read.FileStatus.READ}
    assert {r.mapping for r in found.files} == {found.files[0].mapping}  # one reading for the whole layout
    reading = {f.field: f.heading for f in layout.fields}
    assert reading["supplier_name"] == payee, (headers, layout.notes)
    assert layout.payee_checked
    assert layout.payees > 50


def test_a_category_column_headed_like_the_payee_is_refused_by_its_values() -> None:
    rng = random.Random(1)
    suppliers = supplier_names(rng, 300)
    rows = [[CATEGORIES[i % 3], name, "100.00", "2021-04-01"] for i, name in enumerate(payee_column(rng, 2000, suppliers))]
    mapping = map_columns(["Supplier Group Name", "Vendor", "Amount", "Date"], rows=rows)
    assert mapping.headers["supplier_name"] == "Vendor"
    assert any("Supplier Group Name" in note and "category" in note for note in mapping.notes)


def test_a_payee_column_that_fails_its_checks_with_no_other_is_never_used_silently() -> None:
    rows = [[CATEGORIES[i % 3], "100.00", "2021-04-01", f"V{i}"] for i in range(3000)]
    with pytest.raises(AmbiguousMappingError) as error:
        map_columns(["Supplier Name", "Amount", "Date", "Ref"], rows=rows)
    assert "3 different values over 3,000 payments" in str(error.value)
    assert "Supplier Name" in error.value.candidates


def test_payee_properties_are_general_rules() -> None:
    rng = random.Random(2)
    suppliers = supplier_names(rng, 500)
    for payments in (100, 200, 1000, 12_461):
        real = [[name] for name in payee_column(rng, payments, suppliers)]
        assert payee_problem(profile(real, 0)) is None, payments
        few = [[CATEGORIES[i % 3]] for i in range(payments)]
        assert payee_problem(profile(few, 0)), payments
        codes = [[f"V{rng.randint(10000, 99999)}"] for _ in range(payments)]
        assert payee_problem(profile(codes, 0)), payments
    # The threshold grows with the payments (half the square root), never below three.
    assert fewest_payees(12_461) == 56 and fewest_payees(30) == 3 and fewest_payees(10) == 1


def test_a_file_not_read_is_not_months_without_payments(tmp_path: Path) -> None:
    """Two layouts: one read, one whose payee no column can be (so it waits for a person). The unread file's months
    are said to be unread, never months with no payments."""
    rng = random.Random(3)
    suppliers = supplier_names(rng, 300)
    write_month(tmp_path / "2021-04.csv", ["Supplier", "Amount", "Date"], ["payee", "amount", "date"], 400, rng, suppliers, 0)
    with open(tmp_path / "2021-05.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Supplier Name", "Amount", "Payment Date", "Ref"])
        for r in range(400):
            writer.writerow([CATEGORIES[r % 3], "100.00", f"2021-05-{1 + r % 28:02d}", f"V{r}"])
    write_month(tmp_path / "2021-06.csv", ["Supplier", "Amount", "Date"], ["payee", "amount", "date"], 400, rng, suppliers, 0)
    from keepitlocal.spend.engine.pipeline import Options, analyse

    result = analyse([tmp_path], tmp_path / "out", Options())
    unread = [f for f in result.files if f.status != "read"]
    assert [Path(f.name).name for f in unread] == ["2021-05.csv"]
    assert unread[0].status == read.FileStatus.AMBIGUOUS
    assert result.period.unread == ["2021-05"]
    assert "2021-05" not in result.period.missing
    assert result.years[0].period.unread == ["2021-05"]
    assert "2021-05" not in result.years[0].period.missing


def test_values_spanning_lines_and_trailing_commas_do_not_shift_the_sample(tmp_path: Path) -> None:
    """Every row's description runs over two lines (some with a doubled quote), rows end in extra commas: the rows
    sampled from the middle of the file are whole rows, so the layout is read as its headings say."""
    rng = random.Random(5)
    suppliers = supplier_names(rng, 400)
    lines = ["Supplier Name,Description,Amount,Date"]
    for r, payee in enumerate(payee_column(rng, 6000, suppliers)):
        lines.append(f'{payee},"Works at site {r}\nphase ""{r % 7}"" of the scheme",{100 + r}.00,2021-04-{1 + r % 28:02d},,')
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "long.csv").write_text("\n".join(lines) + "\n")
    sources, _ = discover([tmp_path / "in"])
    found = survey(sources[0])
    spread(sources[0], found, costly=True)
    assert len(found.sample) > VALUE_ROWS  # rows from the middle of the file, not only its first rows
    assert all(len(row) >= 4 and row[0] in suppliers for row in found.sample)
    reading = read.read_all(sources, duckdb.connect(), tmp_path / "staged.csv", tmp_path / "rejected.csv")
    assert reading.layouts[0].status == read.FileStatus.READ, reading.layouts[0].reason
    assert {f.field: f.heading for f in reading.layouts[0].fields}["supplier_name"] == "Supplier Name"
    assert reading.files[0].kept == 6000


def test_a_payee_column_failing_over_every_payment_leaves_its_months_unread(tmp_path: Path) -> None:
    """45 'payees' pass in the rows sampled (1,000) but not over the file's 20,000 payments: the layout is not read,
    its months are not known (never months without payments), and the spend read is all from checked columns."""
    rng = random.Random(7)
    write_month(
        tmp_path / "2021-04.csv",
        ["Supplier", "Amount", "Date"],
        ["payee", "amount", "date"],
        600,
        rng,
        supplier_names(rng, 300),
        0,
    )
    few = [f"Service Line {n} Ltd" for n in range(45)]
    with open(tmp_path / "2021-05.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Payee", "Value", "Paid On"])
        for r in range(20_000):
            writer.writerow([few[r % 45], "100.00", f"2021-05-{1 + r % 28:02d}"])
    from keepitlocal.spend.engine.pipeline import Options, analyse

    result = analyse([tmp_path], tmp_path / "out", Options())
    may = next(f for f in result.files if f.name.endswith("2021-05.csv"))
    assert may.status == read.FileStatus.AMBIGUOUS and "45 different names over 20,000 payments" in may.reason
    assert (may.first_date, may.last_date) == ("2021-05-01", "2021-05-28")
    assert result.period.unread == ["2021-05"] and "2021-05" not in result.years[0].period.missing
    assert result.checked_payee_share == 100.0
