"""A value case written as YAML (layout in docs/VALUE.md): numbers or ranges for every input, unit costs from a
library by code or written inline with their value, price year, agency, kind and source."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from keepitlocal.value.engine.calculator import OPTIMISM_BIAS_BY_GRADE, Case, CaseError, CostUse, Outcome, Range
from keepitlocal.value.engine.deflator import Deflator
from keepitlocal.value.engine.money import Agency, Confidence, PriceYear, ValueKind
from keepitlocal.value.engine.unitcosts import Amount, UnitCost


def _range(value: Any, where: str) -> Range:
    """A number, or {low, central, high} (central alone, or low and high with central between them)."""
    try:
        if isinstance(value, Mapping):
            central = float(value["central"])
            return Range(float(value.get("low", central)), central, float(value.get("high", central)))
        if isinstance(value, bool) or value is None:
            raise TypeError
        return Range.exactly(float(value))
    except (KeyError, TypeError, ValueError):
        raise CaseError(where, "give a number, or low, central and high") from None


def _inline(key: str, data: Mapping[str, Any]) -> UnitCost:
    where = f"unit cost {key}"
    for needed in ("value", "price_year", "source"):
        if not str(data.get(needed, "")).strip():
            raise CaseError(where, f"needs {needed.replace('_', ' ')}")
    try:
        kind = ValueKind(str(data.get("kind", "fiscal")).casefold())
        amount = Amount(float(data["value"]), PriceYear.parse(data["price_year"]))
    except ValueError as error:
        raise CaseError(where, str(error)) from None
    agency_text = str(data.get("agency", "other"))
    agency = Agency(agency_text) if agency_text in {a.value for a in Agency} else Agency.from_words(agency_text)
    grade = str(data.get("confidence", "")).strip().upper()[:1]
    return UnitCost(
        code=key,
        description=str(data.get("description", key)),
        unit=str(data.get("unit", "")),
        agency=agency,
        values={kind: amount},
        source=str(data["source"]),
        confidence=Confidence(grade) if grade in ("G", "A", "R") else Confidence.UNGRADED,
        licence=str(data.get("licence", "")),
        cashable=data.get("cashable") if isinstance(data.get("cashable"), bool) else None,
        geography=str(data.get("geography", "")),
    )


def read_case(text: str, library: Mapping[str, UnitCost] | None = None, deflator: Deflator | None = None) -> Case:
    """The case a YAML document describes; every problem is a CaseError naming where it is."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise CaseError("file", f"not YAML: {error}") from None
    if not isinstance(data, Mapping):
        raise CaseError("file", "a value case is a YAML mapping of its inputs")
    costs: dict[str, UnitCost] = dict(library or {})
    for key, inline in (data.get("unit_costs") or {}).items():
        if not isinstance(inline, Mapping):
            raise CaseError(f"unit cost {key}", "give its value, price year, agency, kind and source")
        costs[str(key)] = _inline(str(key), inline)
    intervention = data.get("intervention") or {}
    if not isinstance(intervention, Mapping):
        raise CaseError("intervention", "give its cost per year and years")
    outcomes = []
    for number, item in enumerate(data.get("outcomes") or [], start=1):
        if not isinstance(item, Mapping):
            raise CaseError(f"outcome {number}", "give its name, unit costs and rates")
        name = str(item.get("name") or f"Outcome {number}")
        where = f"outcome '{name}'"
        uses = []
        by_cost = item.get("kinds_by_cost") or {}
        for code in item.get("unit_costs") or []:
            if str(code) not in costs:
                raise CaseError(where, f"no unit cost {code} in the library or the case's own unit costs")
            named = by_cost.get(str(code), item.get("kinds") or [k.value for k in ValueKind])
            try:
                if not isinstance(named, list):
                    raise ValueError(named)
                kinds = frozenset(ValueKind(str(k).casefold()) for k in named)
            except ValueError:
                raise CaseError(where, "kinds are fiscal, economic or social") from None
            cashable = item.get("cashable")
            uses.append(CostUse(costs[str(code)], kinds, cashable if isinstance(cashable, bool) else None))
        persistence = int(item.get("persistence", 1))
        if persistence > 1 and "drop_off" not in item:
            raise CaseError(f"{where}, drop off", "an outcome that lasts more than a year needs its drop-off (0 if none)")
        if "optimism_bias" in item:
            optimism = _range(item["optimism_bias"], f"{where}, optimism bias")
        elif "confidence_grade" in item:
            grade = int(item["confidence_grade"])
            if grade not in OPTIMISM_BIAS_BY_GRADE:
                raise CaseError(f"{where}, confidence grade", "is 1 (best evidence) to 6 (weakest)")
            optimism = Range.exactly(OPTIMISM_BIAS_BY_GRADE[grade])
        else:
            raise CaseError(f"{where}, optimism bias", "give optimism_bias, or confidence_grade for its default")
        fields = {}
        for field in ("deadweight", "displacement", "attribution", "drop_off"):
            if field in item:
                fields[field] = _range(item[field], f"{where}, {field.replace('_', ' ')}")
        outcomes.append(
            Outcome(
                name=name,
                costs=tuple(uses),
                events_per_person=_range(item.get("events_per_person", 1), f"{where}, events per person"),
                success=_range(item.get("success"), f"{where}, success"),
                optimism_bias=optimism,
                persistence=persistence,
                event=str(item.get("event", "")),
                **fields,
            )
        )
    try:
        price_year = PriceYear.parse(data.get("price_year", ""))
    except ValueError:
        raise CaseError("price year", "give the financial year the results are priced in, such as 2025/26") from None
    case = Case(
        title=str(data.get("title") or "Value case"),
        price_year=price_year,
        cost_per_year=_range(intervention.get("cost_per_year"), "intervention, cost per year"),
        years=int(intervention.get("years", 1)),
        cohort_per_year=_range(data.get("cohort_per_year"), "cohort per year"),
        outcomes=tuple(outcomes),
        deflator=deflator,
    )
    case.check()
    return case


def read_case_file(path: Path, library: Mapping[str, UnitCost] | None = None, deflator: Deflator | None = None) -> Case:
    return read_case(path.read_text(encoding="utf-8"), library, deflator)
