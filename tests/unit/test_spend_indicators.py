"""Each indicator against figures worked by hand on a small table of payments (no files, no ../shared)."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest
from click.testing import CliRunner

from keepitlocal.cli import main as kil
from keepitlocal.spend.engine import indicators
from keepitlocal.spend.engine.figures import (
    POINT_COVERAGE,
    SCHEMA,
    AnalysisFigures,
    Bounds,
    DependsOn,
    FigureSet,
    Indicator,
    IndicatorId,
    TableId,
    Unit,
)
from keepitlocal.spend.engine.periods import Period, month_ranges
from keepitlocal.spend.engine.pipeline import Options, analyse

# (date, amount, supplier, type, is_local, in_region, service area, expense type)
PAYMENTS = [
    ("2024-04-10", 600.0, "a", "vcse", True, True, "Adults", "Grants to voluntary bodies"),
    ("2024-04-11", 400.0, "a", "vcse", True, True, "Adults", "Grants to voluntary bodies"),
    ("2024-05-01", 3000.0, "b", "private", False, True, "Highways", "Contractors"),
    ("2024-05-02", -1000.0, "b", "private", False, True, "Highways", "Contractors"),  # a credit note
    ("2024-06-01", 2000.0, "c", "public", None, None, "Children", None),
    ("2024-06-02", 1000.0, "d", "unknown", None, None, "Children", "Catering"),
    ("2024-06-03", 1500.0, "e", "withheld", None, None, None, "Care"),
    ("2024-06-04", 500.0, "f", "unknown", True, True, "Adults", "Care"),
    ("2024-06-05", 25.0, "g", "private", False, False, "Adults", "Care"),
    ("2024-06-06", -50.0, "h", "private", False, False, "Adults", "Care"),  # net negative: counts as zero
]
# Positive nets: a 1000, b 2000, c 2000, d 1000, e 1500, f 500, g 25, h 0 → base 8025.
BASE = 8025.0


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE tx (date DATE, amount DECIMAL(18,2), supplier_key VARCHAR, supplier_type VARCHAR, is_local BOOLEAN, "
        "in_region BOOLEAN, service_area VARCHAR, expense_type VARCHAR)"
    )
    con.executemany("INSERT INTO tx VALUES (?, ?, ?, ?, ?, ?, ?, ?)", PAYMENTS)
    return con


def _flat(figures: FigureSet) -> dict[str, dict[str, Any]]:
    """Each indicator's numbers by its id, and each table's rows, from the engine's typed figures."""
    found: dict[str, dict[str, Any]] = {
        i.id.value: {"value": i.value, "numerator": i.numerator, "denominator": i.denominator, "high": i.high,
                     "low": i.low, "coverage": i.coverage, "unit": i.unit.value, "indicator": i,
                     "depends_on": i.bounds.depends_on.value if i.bounds else None}
        for i in figures
    }  # fmt: skip
    tables: dict[str, tuple[Any, ...]] = {"payment_bands": figures.bands, "by_service_area": figures.service_areas, "by_month": figures.months,
              "grants_vs_contracts": figures.kinds}  # fmt: skip
    found |= {table: {"rows": [asdict(row) for row in rows]} for table, rows in tables.items()}
    return found


def _by_id(con: duckdb.DuckDBPyConnection, where: str = "true") -> dict[str, dict[str, Any]]:
    return _flat(indicators.compute_all(con, Period(None, None), where))


def test_totals_and_counts(con: duckdb.DuckDBPyConnection) -> None:
    found = _by_id(con)
    assert found["total_spend"]["value"] == 7975.0  # every payment, credit notes included
    assert found["payments"]["value"] == 10
    assert found["suppliers"]["value"] == 8


def test_type_shares_with_coverage_and_bounds(con: duckdb.DuckDBPyConnection) -> None:
    found = _by_id(con)
    vcse = found["share_vcse"]
    assert vcse["denominator"] == BASE and vcse["numerator"] == 1000.0
    assert vcse["value"] == vcse["low"] == round(100 * 1000 / BASE, 4)
    # Unknown (d 1000, f 500) and not published (e 1500) could each be VCSE.
    assert vcse["high"] == round(100 * (1000 + 3000) / BASE, 4)
    assert vcse["coverage"] == round(100 * (BASE - 3000) / BASE, 4)
    assert found["share_withheld"]["value"] == round(100 * 1500 / BASE, 4) and found["share_withheld"]["indicator"].bounds is None
    assert sum(found[f"share_{t}"]["value"] for t in ("vcse", "public", "private", "individual", "unknown", "withheld")) == (
        pytest.approx(100, abs=0.05)
    )


def test_every_type_share_pinned_by_hand(con: duckdb.DuckDBPyConnection) -> None:
    """Each type's share, low, high and coverage, worked by hand from the positive nets (figures written out, so a
    change to any one formula fails here rather than moving every figure together)."""
    found = _by_id(con)
    # (value, high, coverage): high adds the unknown (d 1000, f 500) and not published (e 1500) spend, 3000; the
    # type is known for 8025 - 3000 = 5025 (62.6168%).
    expected = {
        "vcse": (12.4611, 49.8442, 62.6168),  # a 1000; high 4000
        "public": (24.9221, 62.3053, 62.6168),  # c 2000; high 5000
        "private": (25.2336, 62.6168, 62.6168),  # b 2000 + g 25 + h 0 (net -50 counts as 0); high 5025
        "individual": (0.0, 37.3832, 62.6168),  # none; high 3000
    }
    for kind, (value, high, coverage) in expected.items():
        share = found[f"share_{kind}"]
        assert (share["value"], share["low"], share["high"], share["coverage"]) == (value, value, high, coverage), kind
        assert share["depends_on"] == "classification"
    # Unknown and not published are what bounds the others: one figure each, no bounds of their own.
    assert found["share_unknown"]["value"] == 18.6916 and found["share_unknown"]["numerator"] == 1500.0
    assert found["share_withheld"]["value"] == 18.6916 and found["share_unknown"]["indicator"].bounds is None


def test_the_region_share_and_its_bounds_pinned_by_hand(con: duckdb.DuckDBPyConnection) -> None:
    region = _by_id(con)["share_region"]
    # In the region: a 1000, b 2000, f 500 = 3500; not known: c 2000, d 1000, e 1500 = 4500; g and h are outside.
    assert (region["numerator"], region["denominator"]) == (3500.0, BASE)
    assert (region["value"], region["low"], region["high"], region["coverage"]) == (43.6137, 43.6137, 99.6885, 43.9252)
    assert region["depends_on"] == "locality"


def test_monthly_amounts_pinned_by_hand(con: duckdb.DuckDBPyConnection) -> None:
    """By month sums payments as paid (credit notes included, no per-supplier netting), to VCSE and to local."""
    rows = _by_id(con)["by_month"]["rows"]
    assert rows == [
        {"month": "2024-04", "amount": 1000.0, "vcse_amount": 1000.0, "local_amount": 1000.0, "payments": 2},
        {"month": "2024-05", "amount": 2000.0, "vcse_amount": 0.0, "local_amount": 0.0, "payments": 2},
        # c 2000 + d 1000 + e 1500 + f 500 + g 25 - h 50; local: f alone (c, d, e not known, g and h not local)
        {"month": "2024-06", "amount": 4975.0, "vcse_amount": 0.0, "local_amount": 500.0, "payments": 6},
    ]


def test_local_shares_with_coverage_and_bounds(con: duckdb.DuckDBPyConnection) -> None:
    found = _by_id(con)
    local = found["share_local"]
    assert local["numerator"] == 1500.0  # a and f
    assert local["high"] == round(100 * (1500 + 4500) / BASE, 4)  # c, d, e have no known locality
    assert local["coverage"] == found["locality_known"]["value"] == round(100 * 3525 / BASE, 4)
    local_vcse = found["share_local_vcse"]
    # Possibly local and possibly VCSE: a (1000), d (1000), e (1500), f (500); c is public.
    assert local_vcse["value"] == round(100 * 1000 / BASE, 4) and local_vcse["high"] == round(100 * 4000 / BASE, 4)
    # Locality known for 43.9% of spend, below POINT_COVERAGE: the share is its range, never one figure.
    assert local["indicator"].as_range
    assert local["indicator"].sentence("were local") == (
        f"between {local['value']:.1f}% and {local['high']:.1f}% (locality known for only {local['coverage']:.1f}% of spend, "
        "too little for one figure)"
    )


def test_a_share_is_one_figure_only_where_enough_of_spend_is_known() -> None:
    """The rule over generated coverages: below 80% a range, from 80% one figure with its bounds; no bounds, one figure."""
    for coverage in (0.0, 3.9, 50.0, 79.99, 80.0, 95.0, 100.0):
        high = 10.0 + (100 - coverage)
        share = _share(10.0, Bounds(10.0, high, coverage, DependsOn.LOCALITY))
        sentence = share.sentence("were local")
        if coverage < POINT_COVERAGE and high > 10.0:
            assert share.as_range and sentence.startswith("between 10.0% and")
            assert share.published_value is None and share.published_range == (10.0, high)
        else:
            assert not share.as_range and sentence.startswith("10.0%")
            assert share.published_value == 10.0 and share.published_range is None
    assert not _share(12.5, None).as_range


def _share(value: float, bounds: Bounds | None) -> Indicator:
    return Indicator(IndicatorId.SHARE_LOCAL, "Local share", value, Unit.PERCENT, value, 100.0, "", bounds)


def test_concentration(con: duckdb.DuckDBPyConnection) -> None:
    found = _by_id(con)
    nets = [1000, 2000, 2000, 1000, 1500, 500, 25, 0]
    assert found["top10_share"]["value"] == 100.0  # eight suppliers: all of them
    assert found["hhi"]["value"] == round(sum((100 * n / BASE) ** 2 for n in nets), 1)


def test_top_ten_of_more_than_ten() -> None:
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE tx (date DATE, amount DECIMAL(18,2), supplier_key VARCHAR, supplier_type VARCHAR, "
        "is_local BOOLEAN, in_region BOOLEAN, service_area VARCHAR, expense_type VARCHAR)"
    )
    for i in range(1, 13):  # suppliers paid 1..12 (×100): the top ten hold 3..12
        con.execute("INSERT INTO tx VALUES ('2024-04-01', ?, ?, 'private', NULL, NULL, NULL, NULL)", [i * 100.0, f"s{i}"])
    found = _by_id(con)
    assert found["top10_share"]["value"] == round(100 * sum(range(3, 13)) / sum(range(1, 13)), 4)
    assert found["top10_share"]["numerator"] == sum(range(3, 13)) * 100


def test_redacted_and_unpublished_payees_are_never_ranked_as_one_supplier() -> None:
    # Payments to many people under one key (names redacted as personal data, payees not published) count in the base
    # of every share but are never among the largest suppliers, nor one term of the concentration index.
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE tx (date DATE, amount DECIMAL(18,2), supplier_key VARCHAR, supplier_type VARCHAR, "
        "is_local BOOLEAN, in_region BOOLEAN, service_area VARCHAR, expense_type VARCHAR)"
    )
    paid = {f"s{i}": i * 100.0 for i in range(1, 13)} | {"redacted-personal-data": 5000.0, "payee-not-published": 4000.0}
    for key, amount in paid.items():
        kind = "individual" if key == "redacted-personal-data" else "withheld" if key == "payee-not-published" else "private"
        con.execute("INSERT INTO tx VALUES ('2024-04-01', ?, ?, ?, NULL, NULL, NULL, NULL)", [amount, key, kind])
    found = _by_id(con)
    base = sum(paid.values())
    largest = sum(range(3, 13)) * 100  # s3 to s12; not the two groups, though each is larger than any supplier
    assert found["top10_share"]["numerator"] == largest and found["top10_share"]["denominator"] == base
    assert found["top10_share"]["value"] == round(100 * largest / base, 4)
    assert found["hhi"]["value"] == round(sum((100 * i * 100 / base) ** 2 for i in range(1, 13)), 1)


def test_payment_bands(con: duckdb.DuckDBPyConnection) -> None:
    bands = {row["band"]: (row["payments"], row["amount"]) for row in _by_id(con)["payment_bands"]["rows"]}
    assert bands["Credit notes (below £0)"] == (2, -1050.0)
    assert bands["£0 to £499"] == (2, 425.0)
    assert bands["£500 to £999"] == (2, 1100.0)
    assert bands["£1,000 to £4,999"] == (4, 7500.0)
    assert bands["£5,000 to £24,999"] == (0, 0.0)
    assert sum(n for n, _ in bands.values()) == 10


def test_grants_versus_contracts(con: duckdb.DuckDBPyConnection) -> None:
    rows = {row["kind"]: row for row in _by_id(con)["grants_vs_contracts"]["rows"]}
    assert (rows["Grants"]["amount"], rows["Grants"]["vcse_amount"], rows["Grants"]["payments"]) == (1000.0, 1000.0, 2)
    assert rows["Unknown (no expense type)"]["amount"] == 2000.0
    assert rows["Contracts and purchases"]["amount"] == 2000.0 + 1000.0 + 1500.0 + 500.0 + 25.0 - 50.0


def test_by_service_area(con: duckdb.DuckDBPyConnection) -> None:
    rows = {row["service_area"]: row for row in _by_id(con)["by_service_area"]["rows"]}
    assert rows["Adults"]["amount"] == 1475.0 and rows["Adults"]["vcse_amount"] == 1000.0 and rows["Adults"]["payments"] == 5
    assert rows["Highways"]["amount"] == 2000.0
    assert rows["Children"]["amount"] == 3000.0
    assert rows["Not given"]["amount"] == 1500.0


def test_a_period_filter_scopes_every_indicator(con: duckdb.DuckDBPyConnection) -> None:
    found = _by_id(con, "date < DATE '2024-05-01'")
    assert found["total_spend"]["value"] == 1000.0 and found["share_vcse"]["value"] == 100.0


def test_month_ranges_join_runs() -> None:
    assert month_ranges(["2024-01", "2024-02", "2024-03", "2024-06", "2024-12", "2025-01"]) == (
        "January 2024 to March 2024, June 2024, December 2024 to January 2025"
    )


def test_periods_years_and_gaps_are_stated_everywhere(tmp_path: Path) -> None:
    """Two financial years of files with a month missing: never merged silently into one headline."""
    folder = tmp_path / "in"
    folder.mkdir()
    months = [date(2023, m, 15) for m in (4, 5, 6, 8, 9, 10, 11, 12)] + [date(2024, m, 15) for m in (1, 2, 3, 4, 5)]
    for day in months:
        (folder / f"{day:%Y-%m}.csv").write_text(
            f"Supplier Name,Amount,Date\nAcme Ltd,100,{day.isoformat()}\nHalifax Food Bank,50,{day.isoformat()}\n"
        )
    result = analyse([folder], tmp_path / "out", Options())
    assert result.period.missing == ["2023-07"]
    assert [y.year for y in result.years] == ["2023/24", "2024/25"]
    assert result.years[0].period.missing == ["2023-07"]
    # June 2024 on is beyond every file analysed (the last payment is in May 2024): not known, not without payments.
    assert result.years[1].period.missing == []
    assert result.years[1].period.uncovered == [f"2024-{m:02d}" for m in range(6, 13)] + ["2025-01", "2025-02", "2025-03"]
    assert result.years[1].figures.value(IndicatorId.TOTAL_SPEND) == 300.0
    saved = json.loads((tmp_path / "out" / "indicators.json").read_text())
    assert saved["schema"] == SCHEMA and AnalysisFigures.from_json(saved) == result.figures  # the file reads back whole
    assert saved["whole"]["period"]["missing"] == ["2023-07"] and [y["year"] for y in saved["years"]] == ["2023/24", "2024/25"]
    assert {f["first_date"] for f in saved["files"]} >= {"2023-04-15", "2024-05-15"}
    report = (tmp_path / "out" / "report.html").read_text()
    assert "No payments in July 2023" in report and "2023/24" in report and "11 of 12" in report
    cli = CliRunner().invoke(kil, ["spend", "analyse", str(folder), "--out", str(tmp_path / "cli")])
    assert cli.exit_code == 0, cli.output
    assert "No payments in July 2023" in cli.output
    assert "2024/25, 15 April 2024 to 15 May 2024 (2 of 12 months; beyond the files: June 2024 to March 2025)" in cli.output
    assert "local share not known" in cli.output and "local share 0.0%" not in cli.output


def test_docs_name_every_indicator_and_no_other(con: duckdb.DuckDBPyConnection) -> None:
    """docs/INDICATORS.md has one row for each indicator the engine computes: a new one without its formula there fails."""
    import re

    table = (Path(__file__).resolve().parents[2] / "docs" / "INDICATORS.md").read_text()
    documented = set(re.findall(r"^\| `([a-z0-9_]+)` \|", table, flags=re.MULTILINE))
    assert documented == set(_by_id(con)) == {*IndicatorId, *TableId}
