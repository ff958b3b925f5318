"""The demo spend generator: a full-size population with the shape of a real council's year, the same bytes every
time, and registers that place every registered organisation it pays."""

from __future__ import annotations

import csv
import io
import itertools
from collections import Counter
from datetime import datetime

import pytest

from keepitlocal.common.names import is_redacted
from keepitlocal.spend.engine import demo


@pytest.fixture(scope="module")
def world() -> demo.World:
    return demo.generate()


def _rows(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode())))


@pytest.mark.parametrize("gss_code", list(demo.COUNCILS))
def test_each_year_has_a_real_councils_shape(world: demo.World, gss_code: str) -> None:
    for year in world.years:
        rows = _rows(demo.spend_file(world, gss_code, year))
        amounts = [float(r["Net Amount"]) for r in rows]
        by_supplier: dict[str, float] = {}
        for row in rows:
            by_supplier[row["Supplier Name"]] = by_supplier.get(row["Supplier Name"], 0.0) + float(row["Net Amount"])
        ranked = sorted(by_supplier.values(), reverse=True)
        total = sum(amounts)
        assert len(by_supplier) > 1300  # over a thousand suppliers paid in the year
        assert 0.15 < sum(ranked[:10]) / total < 0.45  # a quarter or so to the top ten, not 99.8%
        assert 0.5 < sum(ranked[:100]) / total < 0.85  # a long tail beyond the top hundred
        paid_once = sum(1 for count in Counter(r["Supplier Name"] for r in rows).values() if count == 1)
        assert paid_once / len(by_supplier) > 0.2  # many suppliers paid once
        credits = sum(1 for a in amounts if a < 0)
        assert 0.02 < credits / len(rows) < 0.08  # credit notes, about one row in twenty
        assert any(is_redacted(r["Supplier Name"]) for r in rows)  # payees redacted as personal data
        assert len({r["Expense Area"] for r in rows}) >= 10  # service areas
        assert any(r["Supplier Registered Company Number"] for r in rows)
        dates = [datetime.strptime(r["Date"], "%d/%m/%Y").date() for r in rows]
        assert min(dates) >= datetime(year, 4, 1).date() and max(dates) <= datetime(year + 1, 3, 31).date()
        assert all(d.weekday() < 5 for d in dates)  # paid on working days


def test_public_bodies_are_paid_what_a_finance_officer_would_believe_for_what_they_do(world: demo.World) -> None:
    # A parish council paid millions, or an academy paid from public health, would mislead anyone who knows councils.
    for gss_code in demo.COUNCILS:
        for year in world.years:
            paid: dict[str, float] = {}
            services: dict[str, set[str]] = {}
            for row in _rows(demo.spend_file(world, gss_code, year)):
                name = row["Supplier Name"]
                paid[name] = paid.get(name, 0.0) + float(row["Net Amount"])
                services.setdefault(name, set()).add(row["Expense Area"])
            for name, total in paid.items():
                if name.endswith(("Parish Council", "Town Council")):
                    assert total <= 60_000 and not any("Schools" in s for s in services[name]), (name, total)
                if name.endswith(("School", "Academy", "Learning Trust")):
                    assert services[name] == {"Children and Young People - Schools"}, (name, services[name])
                if name.endswith(("Primary School", "Infant School", "Nursery School")):
                    assert total <= 2_500_000 * 1.05, (name, total)


def test_years_follow_one_population(world: demo.World) -> None:
    gss_code = "E08000033"
    names = [{r["Supplier Name"] for r in _rows(demo.spend_file(world, gss_code, y))} for y in world.years]
    # Most suppliers paid one year are paid the next; some leave and some arrive.
    for this, following in itertools.pairwise(names):
        assert 0.5 < len(this & following) / len(this) < 0.95
    assert len(world.years) == 3


def test_the_same_arguments_give_the_same_bytes() -> None:
    first, second = demo.generate(scale=0.1), demo.generate(scale=0.1)
    assert demo.spend_file(first, "E06000023", 2024) == demo.spend_file(second, "E06000023", 2024)
    assert demo.register_rows(first) == demo.register_rows(second)
    assert demo.spend_file(demo.generate(seed=1, scale=0.1), "E06000023", 2024) != demo.spend_file(first, "E06000023", 2024)


def test_registers_place_every_registered_supplier_once(world: demo.World) -> None:
    registers = demo.register_rows(world)
    postcodes = {row[0]: row[1] for row in registers["postcodes"]}
    charity_numbers = [row[0] for row in registers["charities"]]
    company_numbers = [row[1] for row in registers["companies"]]
    assert len(charity_numbers) == len(set(charity_numbers)) and len(company_numbers) == len(set(company_numbers))
    # Numbers above the ranges the registers have issued, so no made-up organisation carries a real one's number.
    assert min(int(n) for n in charity_numbers) >= demo.CHARITY_NUMBERS
    assert min(int(n) for n in company_numbers) >= demo.COMPANY_NUMBERS
    for suppliers in world.suppliers.values():
        for supplier in suppliers:
            if supplier.kind in (demo.Kind.CHARITY, demo.Kind.COMPANY, demo.Kind.CIC):
                assert supplier.number and supplier.postcode in postcodes
                district = postcodes[supplier.postcode]
                if supplier.reach is demo.Reach.LOCAL and not supplier.shared:
                    assert district in world.suppliers and demo.COUNCILS[district].area.gss_code == district
    # Made-up inward codes only: none of the "8Z?"/"9Z?" codes is issued by Royal Mail.
    assert all(code.split()[1][1] == "Z" for code in postcodes)


def test_community_suppliers_carry_calderdales_own_flag(world: demo.World) -> None:
    rows = _rows(demo.spend_file(world, "E08000033", 2025))
    flagged = {r["Supplier Name"] for r in rows if r[demo.VCSE_FLAG] == "Y"}
    kinds = {s.name: s.kind for s in world.suppliers["E08000033"]}
    assert flagged and all(kinds[name] in (demo.Kind.CHARITY, demo.Kind.CIC, demo.Kind.GROUP) for name in flagged)
    assert demo.VCSE_FLAG not in _rows(demo.spend_file(world, "E08000035", 2025))[0]
