"""The value case calculator: the worked example of docs/VALUE.md, each formula by hand, properties over generated
cases, the case reader's refusals, the GMCA library on the real workbook, and the CLI."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from keepitlocal.cli import main
from keepitlocal.value.engine import calculator as calc
from keepitlocal.value.engine.case import read_case
from keepitlocal.value.engine.deflator import Deflator, DeflatorError, read_series
from keepitlocal.value.engine.money import Agency, Confidence, PriceYear, ValueKind
from keepitlocal.value.engine.unitcosts import Amount, UnitCost
from tests.paths import SHARED

ROOT = Path(__file__).resolve().parents[2]
GMCA = SHARED / "gmca" / "gmca_unit_cost_database_v1_4.xlsx"
YEAR = PriceYear(2019)


def cost(value: float = 500.0, agency: Agency = Agency.ADULTS, code: str = "X1", year: PriceYear = YEAR) -> UnitCost:
    return UnitCost(code, "An avoided event", "Per event", agency, {ValueKind.FISCAL: Amount(value, year)}, "A source, p.1")


def example() -> calc.Case:
    """The worked example of docs/VALUE.md."""
    outcome = calc.Outcome(
        "Events avoided",
        (calc.CostUse(cost()),),
        events_per_person=calc.Range.exactly(1),
        success=calc.Range.exactly(0.5),
        deadweight=calc.Range.exactly(0.2),
        attribution=calc.Range.exactly(0.1),
        optimism_bias=calc.Range.exactly(0.1),
        drop_off=calc.Range.exactly(0.5),
        persistence=2,
    )
    return calc.Case("Example", YEAR, calc.Range.exactly(10_000), 1, calc.Range.exactly(100), (outcome,))


def test_the_worked_example_of_the_documentation() -> None:
    assert calc.net_events(100, 1, 0.5, 0.2, 0, 0.1, 0.1) == pytest.approx(32.4)
    result = calc.calculate(example())
    c = result.central
    assert c.pv_fiscal == pytest.approx(16_200 + 8_100 / 1.035)
    assert (round(c.pv_fiscal, 2), round(c.pv_costs, 2), round(c.npv, 2)) == (24026.09, 10000.0, 14026.09)
    assert c.bcr_fiscal is not None and round(c.bcr_fiscal, 2) == 2.40 and c.payback_year == 0
    doc = (ROOT / "docs" / "VALUE.md").read_text()
    for figure in ("**32.4**", "**£16,200**", "**£8,100**", "**£24,026.09**", "**£10,000.00**", "**£14,026.09**", "**2.40**"):
        assert figure in doc, figure


def test_green_book_discounting_by_hand() -> None:
    assert calc.discount_factor(0) == 1
    assert calc.discount_factor(1) == pytest.approx(1 / 1.035)
    assert calc.discount_factor(30) == pytest.approx(1.035**-30)
    assert calc.discount_factor(31) == pytest.approx(1.035**-30 / 1.03)
    assert calc.discount_rate(76) == 0.025 and calc.discount_rate(301) == 0.01
    assert calc.present_value({0: 100, 2: 100}) == pytest.approx(100 + 100 / 1.035**2)


def test_value_in_year_drops_off_and_payback_counts_discounted_sums() -> None:
    assert calc.value_in_year(10, 100, 0.25, 0) == 1000
    assert calc.value_in_year(10, 100, 0.25, 2) == pytest.approx(1000 * 0.75**2)
    assert calc.payback_year({0: 100, 1: 100}, {0: 50, 1: 120, 2: 50}) == 2
    assert calc.payback_year({0: 100}, {0: 10}) is None
    assert calc.benefit_cost_ratio(300, 0) is None


def test_uprating_uses_the_deflator_and_refuses_years_outside_it() -> None:
    deflator = Deflator({PriceYear(2008): 100.0, PriceYear(2009): 102.0, PriceYear(2010): 110.0}, "Test series")
    use = calc.CostUse(cost(1000, year=PriceYear(2008)))
    assert calc.uprated_value(use, ValueKind.FISCAL, PriceYear(2010), deflator) == pytest.approx(1100)
    with pytest.raises(DeflatorError):
        calc.uprated_value(use, ValueKind.FISCAL, PriceYear(2012), deflator)
    with pytest.raises(calc.CaseError):
        calc.uprated_value(use, ValueKind.FISCAL, PriceYear(2010), None)
    with pytest.raises(DeflatorError, match="gaps"):
        Deflator({PriceYear(2008): 100.0, PriceYear(2010): 110.0}, "Gappy")
    series = read_series("Year,Index\n2015/16,100\n2016/17,101.5\n", "My source")
    assert series.factor(PriceYear(2015), PriceYear(2016)) == pytest.approx(1.015)
    with pytest.raises(DeflatorError):
        read_series("year,value\n2015,100\n", "No index column")


def test_savings_are_split_by_agency_and_cashable() -> None:
    case = example()
    two = replace(
        case.outcomes[0],
        costs=(calc.CostUse(cost(300, Agency.NHS, "N1"), cashable=True), calc.CostUse(cost(200, Agency.POLICE, "P1"))),
    )
    figures = calc.calculate(replace(case, outcomes=(two,))).central
    total = sum(figures.by_agency.values())
    assert total == pytest.approx(figures.pv_fiscal)
    assert figures.by_agency[(Agency.NHS, True)] == pytest.approx(figures.pv_fiscal * 0.6)
    assert figures.by_agency[(Agency.POLICE, None)] == pytest.approx(figures.pv_fiscal * 0.4)


def test_warnings_for_double_counting_stale_and_weak_costs() -> None:
    case = example()
    old = UnitCost("OLD", "Old", "Each", Agency.NHS, {ValueKind.FISCAL: Amount(100, PriceYear(2005))}, "S", Confidence.LOW)
    deflator = Deflator({PriceYear(y): 100.0 + y - 2000 for y in range(2000, 2021)}, "Test")
    twice = replace(case.outcomes[0], name="Again", event="")
    stale = replace(case.outcomes[0], name="Stale", costs=(calc.CostUse(old),))
    found = calc.warnings(replace(case, outcomes=(case.outcomes[0], twice, stale), deflator=deflator))
    kinds = sorted(w.kind for w in found)
    assert kinds == ["double-counting", "low-confidence", "stale"]


def test_sensitivity_ranks_the_input_that_moves_npv_most_first() -> None:
    case = example()
    outcome = replace(case.outcomes[0], success=calc.Range(0.1, 0.5, 0.9), deadweight=calc.Range(0.15, 0.2, 0.25))
    swings = calc.sensitivity(replace(case, outcomes=(outcome,)))
    assert [s.input for s in swings] == ["Events avoided: success", "Events avoided: deadweight"]
    assert swings[0].npv_high > swings[0].npv_low


rates = st.floats(0, 1, allow_nan=False)


@st.composite
def ranges(draw: st.DrawFn, lowest: float = 0.0, highest: float = 1.0) -> calc.Range:
    values = sorted(draw(st.lists(st.floats(lowest, highest, allow_nan=False), min_size=3, max_size=3)))
    return calc.Range(*values)


@st.composite
def cases(draw: st.DrawFn) -> calc.Case:
    outcomes = tuple(
        calc.Outcome(
            f"Outcome {i}",
            (calc.CostUse(cost(draw(st.floats(1, 50_000)), draw(st.sampled_from(list(Agency))), f"C{i}")),),
            events_per_person=draw(ranges(0.0, 5.0)),
            success=draw(ranges()),
            deadweight=draw(ranges()),
            displacement=draw(ranges()),
            attribution=draw(ranges()),
            optimism_bias=draw(ranges()),
            drop_off=draw(ranges()),
            persistence=draw(st.integers(1, 10)),
        )
        for i in range(draw(st.integers(1, 3)))
    )
    return calc.Case("Generated", YEAR, draw(ranges(1.0, 1e6)), draw(st.integers(1, 5)), draw(ranges(1.0, 1000.0)), outcomes)


@settings(max_examples=150, deadline=None)
@given(cases())
def test_low_central_high_are_ordered(case: calc.Case) -> None:
    result = calc.calculate(case)
    for name in ("pv_fiscal", "npv"):
        low, central, high = (getattr(getattr(result, end), name) for end in ("low", "central", "high"))
        assert low <= central * (1 + 1e-9) + 1e-6 and central <= high * (1 + 1e-9) + 1e-6


@settings(max_examples=100, deadline=None)
@given(cases())
def test_present_value_never_exceeds_the_undiscounted_sum(case: calc.Case) -> None:
    f = calc.flows(case, calc.End.CENTRAL)
    assert calc.present_value(f.fiscal) <= sum(f.fiscal.values()) * (1 + 1e-12)


@settings(max_examples=100, deadline=None)
@given(cases())
def test_zero_success_saves_nothing(case: calc.Case) -> None:
    none = replace(case, outcomes=tuple(replace(o, success=calc.Range.exactly(0)) for o in case.outcomes))
    assert calc.figures(none, calc.End.HIGH).pv_fiscal == 0


@settings(max_examples=100, deadline=None)
@given(cases())
def test_splitting_an_outcome_into_two_halves_leaves_totals_unchanged(case: calc.Case) -> None:
    first = case.outcomes[0]
    half = replace(
        first,
        events_per_person=calc.Range(
            *(v / 2 for v in (first.events_per_person.low, first.events_per_person.central, first.events_per_person.high))
        ),
    )
    split = replace(case, outcomes=(half, replace(half, name="Other half"), *case.outcomes[1:]))
    assert calc.figures(split, calc.End.CENTRAL).pv_fiscal == pytest.approx(calc.figures(case, calc.End.CENTRAL).pv_fiscal)


CASE = """
title: Test case
price_year: 2019/20
intervention: {cost_per_year: 1000, years: 1}
cohort_per_year: 10
outcomes:
  - name: One
    unit_costs: [mine]
    success: 0.5
    confidence_grade: 3
unit_costs:
  mine: {value: 100, price_year: 2019/20, agency: nhs, kind: fiscal, source: Somewhere p.2}
"""


def test_the_case_reader_and_its_refusals() -> None:
    case = read_case(CASE)
    assert case.outcomes[0].optimism_bias.central == calc.OPTIMISM_BIAS_BY_GRADE[3]
    bad = {
        "success: 0.5": "success: 1.5",
        "cohort_per_year: 10": "cohort_per_year: 0",
        "    confidence_grade: 3": "    confidence_grade: 3\n    persistence: 3",
        ", source: Somewhere p.2": "",
        "unit_costs: [mine]": "unit_costs: [unknown]",
        "success: 0.5\n": "success: {low: 0.6, central: 0.5, high: 0.7}\n",
    }
    for old, new in bad.items():
        with pytest.raises(calc.CaseError):
            read_case(CASE.replace(old, new))


@pytest.mark.skipif(not GMCA.exists(), reason="../shared GMCA workbook not present")
def test_the_real_gmca_workbook_and_its_deflator() -> None:
    from keepitlocal.value.engine import gmca

    library = gmca.read(GMCA)
    assert len(library.costs) == 683 and not library.problems
    by_code = {c.code: c for c in library.costs}
    dv = by_code["CR2.0"]
    assert dv.values[ValueKind.FISCAL] == Amount(2470.0, PriceYear(2008)) and dv.confidence is Confidence.MEDIUM
    assert {by_code[f"CR2.0.{i}"].agency for i in range(1, 6)} == {Agency.NHS, Agency.POLICE, Agency.CHILDREN, Agency.HOUSING}
    assert library.deflator is not None and "HM Treasury" in library.deflator.citation
    # The workbook's own uprated value for CR2.0 (2015/16) is reproduced from its deflator.
    assert library.deflator.uprate(2470, PriceYear(2008), PriceYear(2015)) == pytest.approx(2836.4808435360374)
    flat = gmca.read(GMCA.with_suffix(".csv"))
    assert len(flat.costs) == 683 and {c.code for c in flat.costs} == set(by_code)


@pytest.mark.skipif(not GMCA.exists(), reason="../shared GMCA workbook not present")
def test_cli_calculates_the_worked_case(tmp_path: Path) -> None:
    example_case = ROOT / "docs" / "examples" / "domestic-abuse-service.yaml"
    result = CliRunner().invoke(main, ["value", "calculate", str(example_case), "--library", str(GMCA), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    data = json.loads((tmp_path / "result.json").read_text())
    for key in ("npv", "pv_costs", "pv_fiscal", "pv_economic", "pv_social", "bcr_fiscal"):
        assert data[key]["low"] <= data[key]["central"] <= data[key]["high"] or key == "pv_costs"
    assert set(data["pv_fiscal_by_agency"]) == {"nhs", "police", "children", "housing"}
    assert any(u["code"] == "CR2.0" and "Walby" in u["source"] for u in data["unit_costs_used"])
    html = (tmp_path / "report.html").read_text()
    assert re.search(r"£[\d.]+ of fiscal savings for every £1 spent \(range", html)


def test_cli_refuses_a_bad_case_with_its_place(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(CASE.replace("success: 0.5", "success: 1.5"))
    result = CliRunner().invoke(main, ["value", "calculate", str(bad), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1 and "outcome 'One', success: must be between 0 and 1" in result.output


def test_the_documentation_covers_every_formula_output_and_option() -> None:
    import click

    from keepitlocal.cli import value_calculate

    doc = (ROOT / "docs" / "VALUE.md").read_text()
    for name in ("net_events", "value_in_year", "uprated_value", "discount_rate", "discount_factor", "present_value",
                 "benefit_cost_ratio", "payback_year", "sensitivity", "warnings"):  # fmt: skip
        assert callable(getattr(calc, name)) and f"`{name}`" in doc, name
    for key in ("npv", "pv_costs", "pv_fiscal", "pv_fiscal_by_agency", "pv_economic", "pv_social", "bcr_fiscal",
                "payback_year", "sensitivity", "unit_costs_used", "warnings"):  # fmt: skip
        assert f"`{key}`" in doc, key
    for option in value_calculate.params:
        if isinstance(option, click.Option):
            assert option.opts[0] in doc, option.opts
    for grade, share in calc.OPTIMISM_BIAS_BY_GRADE.items():
        assert f"{share:.0%}" in doc, grade
