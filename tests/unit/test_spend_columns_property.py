"""The column recogniser against headings and layouts in the style of real councils' files, generated: extra words,
qualifiers, currency marks, casing and separators, run-together words, duplicated and blank headings, junk columns,
net and gross pairs, columns in any order. It must map the supplier, the amount and the date to the right columns."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from keepitlocal.spend.engine.columns import map_columns
from keepitlocal.spend.engine.headings import AmountBasis

PARTIES = ["Supplier", "Vendor", "Payee", "Creditor", "Beneficiary", "Recipient"]
SUPPLIER_SUFFIXES = [["Name"], [], ["Name", "(T)"], ["(Beneficiary)", "Name"], ["Trading", "Name"]]
AMOUNT_WORDS = [
    ["Amount"],
    ["Value"],
    ["Line", "Value"],
    ["Net", "Amount"],
    ["Sum", "of", "Amount"],
    ["Amount", "Paid"],
    ["Total"],
]
NET_QUALIFIERS = ["(excl. VAT)", "(exclusive of VAT)", "Exc VAT", "excluding VAT", "(net of VAT)"]
PLAIN_QUALIFIERS = ["", "(£)", "£", "GBP"]
DATE_WORDS = [
    ["Date"],
    ["Payment", "Date"],
    ["Date", "Paid"],
    ["Paid", "Date"],
    ["Invoice", "Paid", "Date"],
    ["Date", "Paid", "to", "Supplier"],
    ["Transaction", "Date"],
    ["Posted"],
    ["Date", "(dd/mm/yyyy)"],
]
JUNK = [
    ["Body"],
    ["Body", "Name"],
    ["Capital", "or", "Revenue"],
    ["Narrative"],
    ["Extended", "Description"],
    ["Expense", "Area"],
    ["Expense", "Type"],
    ["Transaction", "Number"],
    ["Supplier", "ID"],
    ["VAT", "Registration", "Number"],
    ["Irrecoverable", "VAT"],
    ["Cost", "Centre"],
    ["Notes"],
    [],
]
ORGS = ["Acme Ltd", "Halifax Food Bank", "Calderdale Council", "Northern Care Services Ltd", "Age UK Leeds", "J Smith & Sons"]
DATES = ["02/04/2024", "2024-04-03", "3-Apr-24", "04/04/2024 00:00:00"]


def _style(words: list[str], style: int) -> str:
    plain = [w for w in words if not w.startswith("(")]
    brackets = " ".join(w for w in words if w.startswith("("))
    if style == 0:
        text = " ".join(plain)
    elif style == 1:
        text = "_".join(w.lower() for w in plain)
    elif style == 2:
        text = "".join(w[:1].upper() + w[1:] for w in plain)
    elif style == 3:
        text = " ".join(plain).upper()
    else:
        text = "".join(w.lower() for w in plain)
    return f"{text} {brackets}".strip() if brackets else text


@st.composite
def layouts(draw: st.DrawFn) -> tuple[list[str], list[list[str]], dict[str, set[int]], bool]:
    style = draw(st.integers(0, 4))
    rows = 12
    amounts = [f"{draw(st.integers(-500, 99999))}.{draw(st.integers(0, 99)):02d}" for _ in range(rows)]
    columns: list[tuple[str, str, list[str]]] = []  # (role, heading, values)
    supplier = [draw(st.sampled_from(PARTIES)), *draw(st.sampled_from(SUPPLIER_SUFFIXES))]
    columns.append(("supplier_name", _style(supplier, style), [ORGS[i % len(ORGS)] for i in range(rows)]))
    gross_twin = draw(st.booleans())
    amount_words = draw(st.sampled_from(AMOUNT_WORDS))
    qualifier = draw(st.sampled_from(NET_QUALIFIERS if gross_twin else PLAIN_QUALIFIERS))
    columns.append(("amount", f"{_style(amount_words, style)} {qualifier}".strip(), amounts))
    if gross_twin:
        gross = [f"{float(a) * 1.2:.2f}" for a in amounts]
        columns.append(("gross", f"{_style(amount_words, style)} (incl. VAT)", gross))
    columns.append(("date", _style(draw(st.sampled_from(DATE_WORDS)), style), [DATES[i % len(DATES)] for i in range(rows)]))
    for junk in draw(st.lists(st.sampled_from(JUNK), max_size=5, unique_by=tuple)):
        values = {
            "Transaction Number": [str(1000 + i) for i in range(rows)],
            "Supplier ID": [f"S{i:05d}" for i in range(rows)],
        }.get(" ".join(junk), ["Demo Council" if junk else "" for _ in range(rows)])
        columns.append(("junk", _style(junk, style), values))
    # A required column repeated under the same heading: empty, or holding the same values.
    repeated = draw(st.sampled_from(["", "supplier_name", "amount", "date"]))
    if repeated:
        role, heading, values = next(c for c in columns if c[0] == repeated)
        columns.append((f"{role}-copy", heading, values if draw(st.booleans()) else ["" for _ in values]))
    order = draw(st.permutations(range(len(columns))))
    columns = [columns[i] for i in order]
    headers = [heading for _, heading, _ in columns]
    data = [[values[r] for _, _, values in columns] for r in range(rows)]
    expected: dict[str, set[int]] = {}
    for index, (role, _, values) in enumerate(columns):
        base = role.removesuffix("-copy")
        if base in ("supplier_name", "amount", "date") and any(values):
            expected.setdefault(base, set()).add(index)
    return headers, data, expected, gross_twin


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(layouts())
def test_generated_council_layouts_map_to_the_right_columns(
    layout: tuple[list[str], list[list[str]], dict[str, set[int]], bool],
) -> None:
    headers, rows, expected, gross_twin = layout
    mapping = map_columns(headers, rows=rows)
    for field_name, columns in expected.items():
        assert mapping.columns[field_name] in columns, (field_name, headers, mapping.describe())
    if gross_twin:
        assert mapping.amount_basis == AmountBasis.NET


def test_a_repeated_heading_is_named_by_its_place_in_a_mapping_file() -> None:
    headers = ["Supplier", "Amount", "Amount", "Date"]
    rows = [["Acme Ltd", "10.00", "12.00", "2024-04-01"], ["Beta Ltd", "20.00", "24.00", "2024-04-02"]]
    mapping = map_columns(headers, overrides={"amount": "Amount#2"}, rows=rows)
    assert mapping.columns["amount"] == 2
    assert map_columns(headers, overrides={"amount": 3}, rows=rows).columns["amount"] == 2  # type: ignore[dict-item]
