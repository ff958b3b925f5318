"""The GMCA (New Economy) Unit Cost Database: its workbook (one sheet per theme, two header rows, and a Lookups sheet
holding the HM Treasury GDP deflator it uprates with) or the same lines flattened to CSV. Columns are found by the
words of their headings, not their positions."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from keepitlocal.value.engine.deflator import Deflator
from keepitlocal.value.engine.money import Agency, Confidence, PriceYear, ValueKind
from keepitlocal.value.engine.unitcosts import Amount, UnitCost

LICENCE = "CC BY 4.0, © GMCA (New Economy)"


@dataclass(frozen=True)
class LineProblem:
    """A line that could not be read: sheet, row as the workbook numbers it, what was wrong."""

    sheet: str
    row: int
    message: str


@dataclass(frozen=True)
class Library:
    """What a file held: its unit costs, the deflator it carries (if any) and the lines it could not read."""

    costs: tuple[UnitCost, ...]
    deflator: Deflator | None
    problems: tuple[LineProblem, ...]
    source: str


def _words(value: Any) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", str(value or "").casefold()))


# Each field by words its heading holds (all of them), checked in order.
FIELDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("code", ("cost code",)),
    ("description", ("cost saving detail",)),
    ("unit", ("unit",)),
    ("agency_level1", ("level 1",)),
    ("agency_level2", ("level 2",)),
    ("fiscal_value", ("fiscal", "estimated")),
    ("fiscal_year", ("fiscal", "year")),
    ("economic_value", ("economic", "estimated")),
    ("economic_year", ("economic", "year")),
    ("social_value", ("social", "estimated")),
    ("social_year", ("social", "year")),
    ("source", ("original source",)),
    ("rag", ("rag",)),
    ("comment", ("comment",)),
    ("category", ("outcome category",)),
    ("detail", ("outcome detail",)),
)
# The flattened CSV's own column names.
CSV_FIELDS = {
    "code": "cost_code", "description": "cost_detail", "unit": "unit", "agency_level1": "agency_level1",
    "agency_level2": "agency_level2", "fiscal_value": "fiscal_value_gbp", "fiscal_year": "fiscal_price_year",
    "economic_value": "economic_value_gbp", "economic_year": "economic_price_year", "social_value": "social_value_gbp",
    "social_year": "social_price_year", "source": "original_source", "rag": "rag_assessment", "comment": "comment",
    "category": "outcome_category", "detail": "outcome_detail", "theme": "theme",
}  # fmt: skip


def _columns(headings: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for name, words in FIELDS:
        for position, heading in enumerate(headings):
            if position in found.values():
                continue
            if all(re.search(rf"(^| ){re.escape(w)}( |$)", heading) for w in words) and not (
                name.endswith("_value") and "updated" in heading
            ):
                found[name] = position
                break
    return found


def _line(values: dict[str, Any], theme: str) -> UnitCost | str:
    """A unit cost from one line's fields, or why it cannot be one."""
    code = str(values.get("code") or "").strip()
    amounts: dict[ValueKind, Amount] = {}
    for kind in ValueKind:
        raw, year = values.get(f"{kind.value}_value"), values.get(f"{kind.value}_year")
        if raw in (None, "") or str(raw).strip() in ("", "-", "n/a"):
            continue
        try:
            amounts[kind] = Amount(float(str(raw).replace(",", "").replace("£", "")), PriceYear.parse(str(year)))
        except ValueError:
            return f"{code}: its {kind.value} value {raw!r} or price year {year!r} cannot be read"
    if not amounts:
        return f"{code}: no value is given"
    description = " ".join(str(values.get("description") or "").split())
    level1, level2 = str(values.get("agency_level1") or "").strip(), str(values.get("agency_level2") or "").strip()
    rag = str(values.get("rag") or "").strip().upper()[:1]
    return UnitCost(
        code=code,
        description=description,
        unit=str(values.get("unit") or "").strip(),
        agency=Agency.from_words(level1, level2, description if level1.casefold() == "local authority" else ""),
        values=amounts,
        source=" ".join(str(values.get("source") or "").split()),
        confidence=Confidence(rag) if rag in ("G", "A", "R") else Confidence.UNGRADED,
        agency_level1=level1,
        agency_level2=level2,
        theme=theme,
        comment=str(values.get("comment") or "").strip(),
        licence=LICENCE,
    )


def _deflator(rows: list[tuple[Any, ...]], citation_text: str) -> Deflator | None:
    """The GDP deflator table of the Lookups sheet: the 'Year' and 'GDP cumulative' columns under 'GDP Lookup'."""
    for r, row in enumerate(rows):
        cells = [_words(c) for c in row]
        if any(c.startswith("gdp cumulative") for c in cells) and "year" in cells:
            year_col = cells.index("year")
            index_col = next(i for i, c in enumerate(cells) if c.startswith("gdp cumulative"))
            index: dict[PriceYear, float] = {}
            for below in rows[r + 1 :]:
                year, value = (
                    below[year_col] if year_col < len(below) else None,
                    below[index_col] if index_col < len(below) else None,
                )
                if year in (None, "") or value in (None, ""):
                    break
                try:
                    index[PriceYear.parse(str(year))] = float(str(value))
                except (TypeError, ValueError):
                    break
            match = re.search(r"based on ['‘]?(.+?)['’]?,? released on (\d{1,2} \w+ \d{4})", citation_text)
            citation = (
                f"HM Treasury, {match.group(1)} (released {match.group(2)}), as carried in the GMCA Unit Cost Database"
                if match
                else "HM Treasury GDP deflator, as carried in the GMCA Unit Cost Database"
            )
            return Deflator(index, citation) if index else None
    return None


def read_workbook(path: Path | bytes) -> Library:
    """The GMCA workbook, read by the cells it holds (keepitlocal.common.sheets): empty rows are not rows."""
    from keepitlocal.common.sheets import Workbook

    book = Workbook(path)
    costs: list[UnitCost] = []
    problems: list[LineProblem] = []
    deflator = None
    for name in book.sheet_names:
        numbered = list(book.rows(name))
        rows = [tuple(row) for _, row in numbered]
        if _words(name) == "lookups":
            text = " ".join(str(c) for row in rows[:6] for c in row if c)
            deflator = _deflator(rows, text)
            continue
        if len(rows) < 2:
            continue
        # Two heading rows: a group heading ("Fiscal Cost") over its columns, then the columns' own headings.
        group, headings = "", []
        for top, bottom in zip(rows[0], rows[1], strict=False):
            group = _words(top) or (group if _words(bottom) else "")
            headings.append(f"{group} {_words(bottom)}".strip())
        columns = _columns(headings)
        if "code" not in columns or "fiscal_value" not in columns:
            continue  # an introduction, guidance or log sheet
        for number, row in numbered[2:]:
            values = {field: row[i] if i < len(row) else None for field, i in columns.items()}
            if not str(values.get("code") or "").strip():
                continue
            made = _line(values, name)
            if isinstance(made, str):
                problems.append(LineProblem(name, number, made))
            else:
                costs.append(made)
    book.close()
    return Library(tuple(costs), deflator, tuple(problems), "GMCA Unit Cost Database (workbook)")


def read_csv(text: str) -> Library:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    costs: list[UnitCost] = []
    problems: list[LineProblem] = []
    for number, row in enumerate(reader, start=2):
        values = {field: row.get(column) for field, column in CSV_FIELDS.items()}
        if not str(values.get("code") or "").strip():
            continue
        made = _line(values, str(values.get("theme") or ""))
        if isinstance(made, str):
            problems.append(LineProblem("csv", number, made))
        else:
            costs.append(made)
    return Library(tuple(costs), None, tuple(problems), "GMCA Unit Cost Database (CSV)")


def read(path: Path) -> Library:
    if path.suffix.casefold() == ".csv":
        return read_csv(path.read_text(encoding="utf-8-sig"))
    return read_workbook(path)
