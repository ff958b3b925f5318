"""The value case calculator: one function per formula (docs/VALUE.md gives each with a worked example).

A case has an intervention (cost per year, years of delivery), a cohort reached each year, and outcomes. Each outcome
avoids an event (or achieves an outcome) whose unit costs say what it is worth, to whom. Every input may be a range
(low, central, high); results are given at all three, the low end taking every input at its least favourable."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from keepitlocal.value.engine.deflator import Deflator
from keepitlocal.value.engine.money import Agency, Confidence, PriceYear, ValueKind
from keepitlocal.value.engine.unitcosts import UnitCost

# HM Treasury Green Book (2022), discount rates: 3.5% for years 0-30, then lower for later years.
GREEN_BOOK_SCHEDULE: tuple[tuple[int, float], ...] = ((30, 0.035), (75, 0.030), (125, 0.025), (200, 0.020), (300, 0.015))
LONG_RUN_RATE = 0.010

# Optimism bias on benefits by the evidence's confidence grade (1 best to 6 weakest), after HM Treasury and New
# Economy, "Supporting public service transformation: cost benefit analysis guidance for local partners" (2014).
OPTIMISM_BIAS_BY_GRADE = {1: 0.0, 2: 0.05, 3: 0.10, 4: 0.15, 5: 0.25, 6: 0.40}
STALE_YEARS = 10


class CaseError(ValueError):
    """An input the calculator refuses; `where` names it (an outcome's field, the cohort...)."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}")
        self.where, self.message = where, message


class End(StrEnum):
    LOW = "low"
    CENTRAL = "central"
    HIGH = "high"


@dataclass(frozen=True)
class Range:
    """An input's low, central and high values (equal when it is known exactly)."""

    low: float
    central: float
    high: float

    @classmethod
    def exactly(cls, value: float) -> Range:
        return cls(value, value, value)

    def check(self, where: str, lowest: float = 0.0, highest: float | None = None) -> None:
        if not self.low <= self.central <= self.high:
            raise CaseError(where, f"low ({self.low:g}) ≤ central ({self.central:g}) ≤ high ({self.high:g}) must hold")
        if self.low < lowest or (highest is not None and self.high > highest):
            bounds = f"between {lowest:g} and {highest:g}" if highest is not None else f"at least {lowest:g}"
            raise CaseError(where, f"must be {bounds}")

    def at(self, end: End, favourable_high: bool) -> float:
        """The value at one end of the result: the low result takes the least favourable value."""
        if end is End.CENTRAL:
            return self.central
        return (self.high if favourable_high else self.low) if end is End.HIGH else (self.low if favourable_high else self.high)


NONE = Range(0.0, 0.0, 0.0)


@dataclass(frozen=True)
class CostUse:
    """A unit cost as an outcome uses it: which of its values count, and whether the saving is cashable."""

    unit_cost: UnitCost
    kinds: frozenset[ValueKind] = frozenset(ValueKind)
    cashable: bool | None = None


@dataclass(frozen=True)
class Outcome:
    name: str
    costs: tuple[CostUse, ...]
    events_per_person: Range
    success: Range
    deadweight: Range = NONE
    displacement: Range = NONE
    attribution: Range = NONE
    optimism_bias: Range = NONE
    drop_off: Range = NONE
    persistence: int = 1
    event: str = ""  # the avoided event, to catch one claimed twice; default: its unit costs' codes


@dataclass(frozen=True)
class Case:
    title: str
    price_year: PriceYear
    cost_per_year: Range
    years: int
    cohort_per_year: Range
    outcomes: tuple[Outcome, ...]
    deflator: Deflator | None = None

    def check(self) -> None:
        """Refuses what cannot be right: rates outside 0 to 1, no years, a cohort of none, an outcome without a cost."""
        if self.years < 1:
            raise CaseError("years", "the intervention runs for at least one year")
        self.cost_per_year.check("cost per year")
        self.cohort_per_year.check("cohort per year")
        if self.cohort_per_year.high <= 0:
            raise CaseError("cohort per year", "a cohort of zero reaches nobody")
        if not self.outcomes:
            raise CaseError("outcomes", "a value case needs at least one outcome")
        for outcome in self.outcomes:
            where = f"outcome '{outcome.name}'"
            if not outcome.costs:
                raise CaseError(where, "needs at least one unit cost")
            outcome.events_per_person.check(f"{where}, events per person")
            for name in ("success", "deadweight", "displacement", "attribution", "optimism_bias", "drop_off"):
                getattr(outcome, name).check(f"{where}, {name.replace('_', ' ')}", 0.0, 1.0)
            if outcome.persistence < 1:
                raise CaseError(f"{where}, persistence", "lasts at least one year")
            for use in outcome.costs:
                cost = use.unit_cost
                if cost.price_year is None or not cost.source.strip():
                    raise CaseError(f"{where}, unit cost {cost.code}", "needs a price year and a source")


# The formulas ------------------------------------------------------------------------------------------------------


def net_events(
    cohort: float,
    events_per_person: float,
    success: float,
    deadweight: float,
    displacement: float,
    attribution: float,
    optimism_bias: float,
) -> float:
    """Events avoided because of the intervention, in one cohort:
    cohort × events per person × success × (1 − deadweight) × (1 − displacement) × (1 − attribution) × (1 − optimism bias)."""
    return cohort * events_per_person * success * (1 - deadweight) * (1 - displacement) * (1 - attribution) * (1 - optimism_bias)


def value_in_year(net: float, unit_value: float, drop_off: float, years_since_cohort: int) -> float:
    """What a cohort's avoided events are worth in a later year: net events × unit value × (1 − drop-off)^(t − k)."""
    return net * unit_value * (1 - drop_off) ** years_since_cohort


def discount_rate(year: int) -> float:
    """The Green Book rate for the step into `year` (3.5% up to year 30, 3.0% to 75, 2.5% to 125, 2.0% to 200,
    1.5% to 300, 1.0% after)."""
    for last, rate in GREEN_BOOK_SCHEDULE:
        if year <= last:
            return rate
    return LONG_RUN_RATE


def discount_factor(year: int) -> float:
    """Product over steps i = 1 … t of 1 / (1 + r_i); year 0 is not discounted."""
    factor = 1.0
    for step in range(1, year + 1):
        factor /= 1 + discount_rate(step)
    return factor


def present_value(flows: Mapping[int, float]) -> float:
    """Σ over years t of flow_t × discount factor(t)."""
    return sum(amount * discount_factor(year) for year, amount in flows.items())


def payback_year(costs: Mapping[int, float], benefits: Mapping[int, float]) -> int | None:
    """The first year whose cumulative discounted benefits reach the cumulative discounted costs (None: never within
    the years the benefits last)."""
    spent = gained = 0.0
    for year in range(0, max([*costs, *benefits], default=-1) + 1):
        spent += costs.get(year, 0.0) * discount_factor(year)
        gained += benefits.get(year, 0.0) * discount_factor(year)
        if gained >= spent > 0:
            return year
    return None


def benefit_cost_ratio(pv_benefits: float, pv_costs: float) -> float | None:
    """PV benefits ÷ PV costs (None with no costs)."""
    return pv_benefits / pv_costs if pv_costs > 0 else None


def uprated_value(use: CostUse, kind: ValueKind, to: PriceYear, deflator: Deflator | None) -> float:
    """A unit cost's value in the case's price year: value × deflator(to) / deflator(its price year); unchanged in its own
    price year, refused without a deflator that covers both years."""
    amount = use.unit_cost.values[kind]
    if amount.price_year == to:
        return amount.value
    if deflator is None:
        raise CaseError(f"unit cost {use.unit_cost.code}", f"its price year is {amount.price_year}: a deflator is needed")
    return deflator.uprate(amount.value, amount.price_year, to)


# The case ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Flows:
    """Undiscounted money by year: costs, and benefits by kind (fiscal also by agency and cashable)."""

    costs: dict[int, float]
    fiscal: dict[int, float]
    economic: dict[int, float]
    social: dict[int, float]
    fiscal_by_agency: dict[tuple[Agency, bool | None], dict[int, float]]


def _add(flows: dict[int, float], year: int, amount: float) -> None:
    flows[year] = flows.get(year, 0.0) + amount


def flows(case: Case, end: End) -> Flows:
    """Costs for each year of delivery; for each cohort year k and year t (k ≤ t < k + persistence), each outcome's
    value_in_year for each of its unit costs' values."""
    costs = {year: case.cost_per_year.at(end, favourable_high=False) for year in range(case.years)}
    result = Flows(costs, {}, {}, {}, {})
    cohort = case.cohort_per_year.at(end, favourable_high=True)
    for outcome in case.outcomes:
        net = net_events(
            cohort,
            outcome.events_per_person.at(end, True),
            outcome.success.at(end, True),
            outcome.deadweight.at(end, False),
            outcome.displacement.at(end, False),
            outcome.attribution.at(end, False),
            outcome.optimism_bias.at(end, False),
        )
        drop_off = outcome.drop_off.at(end, False)
        for use in outcome.costs:
            for kind in use.unit_cost.values:
                if kind not in use.kinds:
                    continue
                unit_value = uprated_value(use, kind, case.price_year, case.deflator)
                for k in range(case.years):
                    for t in range(k, k + outcome.persistence):
                        amount = value_in_year(net, unit_value, drop_off, t - k)
                        if kind is ValueKind.FISCAL:
                            _add(result.fiscal, t, amount)
                            cashable = use.cashable if use.cashable is not None else use.unit_cost.cashable
                            _add(result.fiscal_by_agency.setdefault((use.unit_cost.agency, cashable), {}), t, amount)
                        elif kind is ValueKind.ECONOMIC:
                            _add(result.economic, t, amount)
                        else:
                            _add(result.social, t, amount)
    return result


@dataclass(frozen=True)
class Figures:
    """One end's results in present value (£ in the case's price year)."""

    pv_costs: float
    pv_fiscal: float
    pv_economic: float
    pv_social: float
    npv: float
    bcr_fiscal: float | None
    payback_year: int | None
    by_agency: dict[tuple[Agency, bool | None], float]


def figures(case: Case, end: End) -> Figures:
    """NPV is fiscal: PV of fiscal savings − PV of the intervention's costs; economic and social value are apart."""
    f = flows(case, end)
    pv_costs, pv_fiscal = present_value(f.costs), present_value(f.fiscal)
    return Figures(
        pv_costs=pv_costs,
        pv_fiscal=pv_fiscal,
        pv_economic=present_value(f.economic),
        pv_social=present_value(f.social),
        npv=pv_fiscal - pv_costs,
        bcr_fiscal=benefit_cost_ratio(pv_fiscal, pv_costs),
        payback_year=payback_year(f.costs, f.fiscal),
        by_agency={key: present_value(v) for key, v in f.fiscal_by_agency.items()},
    )


@dataclass(frozen=True)
class Swing:
    """How far the fiscal NPV moves when one input goes from its low to its high value, the others central."""

    input: str
    npv_low: float
    npv_high: float

    @property
    def size(self) -> float:
        return abs(self.npv_high - self.npv_low)


def _ranged_inputs(case: Case) -> list[tuple[str, Range, bool, object]]:
    """Every input that has a range: (name, range, favourable when high, how to set it)."""
    found: list[tuple[str, Range, bool, object]] = []
    if case.cost_per_year.low != case.cost_per_year.high:
        found.append(("Cost per year", case.cost_per_year, False, ("case", "cost_per_year")))
    if case.cohort_per_year.low != case.cohort_per_year.high:
        found.append(("Cohort per year", case.cohort_per_year, True, ("case", "cohort_per_year")))
    favourable = {"events_per_person": True, "success": True}
    for i, outcome in enumerate(case.outcomes):
        for name in ("events_per_person", "success", "deadweight", "displacement", "attribution", "optimism_bias", "drop_off"):
            value: Range = getattr(outcome, name)
            if value.low != value.high:
                label = f"{outcome.name}: {name.replace('_', ' ')}"
                found.append((label, value, favourable.get(name, False), ("outcome", i, name)))
    return found


def _with(case: Case, where: object, value: float) -> Case:
    fixed: Any = Range.exactly(value)
    assert isinstance(where, tuple)
    if where[0] == "case":
        return replace(case, **{str(where[1]): fixed})
    index, name = where[1], where[2]
    outcomes = list(case.outcomes)
    outcomes[index] = replace(outcomes[index], **{str(name): fixed})
    return replace(case, outcomes=tuple(outcomes))


def sensitivity(case: Case) -> list[Swing]:
    """One input at a time from its low to its high value (the others central), largest swing in fiscal NPV first."""
    swings = []
    for label, value, _, where in _ranged_inputs(case):
        low = figures(_with(case, where, value.low), End.CENTRAL).npv
        high = figures(_with(case, where, value.high), End.CENTRAL).npv
        if high != low:  # an input that moves only economic or social value does not move the fiscal NPV
            swings.append(Swing(label, low, high))
    return sorted(swings, key=lambda s: -s.size)


@dataclass(frozen=True)
class Warning:
    """Something a reader of the results must know: a cost claimed twice, a stale or weak source."""

    kind: str
    message: str


def warnings(case: Case) -> list[Warning]:
    """The same avoided event (or unit cost) claimed by two outcomes; a unit cost more than ten years older than the
    case's price year, or graded low confidence by its source."""
    found: list[Warning] = []
    claimed: dict[str, str] = {}
    for outcome in case.outcomes:
        keys = {f"event:{outcome.event.casefold().strip()}"} if outcome.event.strip() else set()
        keys |= {f"cost:{use.unit_cost.code}" for use in outcome.costs}
        for key in sorted(keys):
            if key in claimed and claimed[key] != outcome.name:
                what = key.split(":", 1)[1]
                found.append(
                    Warning("double-counting", f"'{claimed[key]}' and '{outcome.name}' both claim {what}: count it once.")
                )
            claimed.setdefault(key, outcome.name)
    seen: set[str] = set()
    for outcome in case.outcomes:
        for use in outcome.costs:
            cost = use.unit_cost
            if cost.code in seen:
                continue
            seen.add(cost.code)
            if cost.older_than(STALE_YEARS, case.price_year):
                found.append(
                    Warning(
                        "stale", f"{cost.code} is priced in {cost.price_year}, over {STALE_YEARS} years before {case.price_year}."
                    )
                )
            if cost.confidence is Confidence.LOW:
                found.append(Warning("low-confidence", f"{cost.code} is graded low confidence (red) by its source."))
    return found


@dataclass(frozen=True)
class Result:
    case: Case
    low: Figures
    central: Figures
    high: Figures
    sensitivity: list[Swing] = field(default_factory=list)
    warnings: list[Warning] = field(default_factory=list)


def calculate(case: Case) -> Result:
    """Every figure at the low, central and high ends, the sensitivity table and the warnings."""
    case.check()
    return Result(
        case,
        figures(case, End.LOW),
        figures(case, End.CENTRAL),
        figures(case, End.HIGH),
        sensitivity(case),
        warnings(case),
    )
