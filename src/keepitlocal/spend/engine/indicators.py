"""Spend indicators. One function each; the docstring states the formula and units (mirrored in
docs/INDICATORS.md).

Shares are of *positive spend net of credits per supplier*: each supplier's payments and credit notes are
summed, a supplier whose net is negative counts as zero, and the base is the sum of these per-supplier
nets. A refund therefore reduces its own supplier's spend but never another's.
"""

from __future__ import annotations

from typing import Any

import duckdb

from keepitlocal.spend.engine.classify import SupplierType

GRANT_WORDS = ("grant", "contribution", "donation", "subsid", "award", "bursar")
BANDS = [
    ("Credit notes (below £0)", None, 0),
    ("£0 to £499", 0, 500),
    ("£500 to £999", 500, 1000),
    ("£1,000 to £4,999", 1000, 5000),
    ("£5,000 to £24,999", 5000, 25000),
    ("£25,000 to £99,999", 25000, 100000),
    ("£100,000 to £999,999", 100000, 1000000),
    ("£1 million or more", 1000000, None),
]

NET = """
CREATE OR REPLACE TEMP TABLE supplier_net AS
SELECT supplier_key, any_value(supplier_type) AS supplier_type, any_value(is_local) AS is_local, any_value(in_region) AS in_region,
       greatest(sum(amount), 0) AS positive_net, sum(amount) AS net
FROM scope GROUP BY supplier_key
"""


def _indicator(
    id_: str, name: str, value: float | None, numerator: float | None, denominator: float | None, unit: str, definition: str
) -> dict[str, Any]:
    return {
        "id": id_,
        "name": name,
        "value": value,
        "numerator": numerator,
        "denominator": denominator,
        "unit": unit,
        "definition": definition,
    }


def _sum(con: duckdb.DuckDBPyConnection, condition: str) -> float:
    value = con.execute(f"SELECT coalesce(sum(positive_net) FILTER (WHERE {condition}), 0) FROM supplier_net").fetchone()[0]  # type: ignore[index]
    return float(value)


# Shares are kept to four decimal places and rounded once more only where shown (one place on pages): kept to two,
# 4.5531% was kept as 4.55 and shown as 4.5%, a second rounding that moved the figure shown.
SHARE_PLACES = 4


def _percent(numerator: float, base: float) -> float | None:
    return round(100 * numerator / base, SHARE_PLACES) if base else None


def total_spend(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Total spend = Σ amount over kept payments, credit notes included (GBP)."""
    value = float(con.execute("SELECT coalesce(sum(amount), 0) FROM scope").fetchone()[0])  # type: ignore[index]
    return _indicator("total_spend", "Total spend", round(value, 2), round(value, 2), None, "GBP", total_spend.__doc__ or "")


def payment_count(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Payments = count of kept payment rows, credit notes included (count)."""
    value = int(con.execute("SELECT count(*) FROM scope").fetchone()[0])  # type: ignore[index]
    return _indicator("payments", "Payments", value, value, None, "count", payment_count.__doc__ or "")


def supplier_count(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Suppliers = count of distinct supplier keys (all redacted individuals count as one, as do all payees not
    published) (count)."""
    value = int(con.execute("SELECT count(DISTINCT supplier_key) FROM scope").fetchone()[0])  # type: ignore[index]
    return _indicator("suppliers", "Suppliers", value, value, None, "count", supplier_count.__doc__ or "")


# What a share depends on, and how to tell where it is not known.
TYPE_UNKNOWN = f"supplier_type IN ('{SupplierType.UNKNOWN}', '{SupplierType.WITHHELD}')"
LOCALITY_UNKNOWN = "is_local IS NULL"
REGION_UNKNOWN = "in_region IS NULL"


def share_of_spend(
    con: duckdb.DuckDBPyConnection,
    id_: str,
    name: str,
    condition: str,
    description: str,
    possible: str | None = None,
    known: str | None = None,
    depends_on: str = "",
) -> dict[str, Any]:
    """Share = Σ positive net spend of suppliers meeting the condition ÷ Σ positive net spend of all suppliers (%).
    Where the condition depends on something not known for every supplier (its type, its locality): coverage = Σ
    positive net spend of suppliers for which it is known ÷ the same base; low = the share; high = the share if every
    supplier for which it is not known met the condition (Σ spend of suppliers meeting `possible` ÷ the base)."""
    numerator, base = _sum(con, condition), _sum(con, "true")
    indicator = _indicator(
        id_, name, _percent(numerator, base), round(numerator, 2), round(base, 2), "%", f"{description}. {share_of_spend.__doc__}"
    )
    if possible is not None and known is not None:
        indicator.update(
            {
                "depends_on": depends_on,
                "coverage": _percent(_sum(con, known), base),
                "low": indicator["value"],
                "high": _percent(_sum(con, possible), base),
            }
        )
    return indicator


def type_shares(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Shares of spend by supplier type: VCSE, public, private, individual, unknown, payee not published (%). The
    shares of the four known types are bounded by the unknown and not-published spend."""
    shares = []
    for kind in SupplierType:
        condition = f"supplier_type = '{kind}'"
        bounded = kind not in (SupplierType.UNKNOWN, SupplierType.WITHHELD)
        shares.append(
            share_of_spend(
                con,
                f"share_{kind}",
                f"Share of spend to {kind.plural}",
                condition,
                f"Suppliers classified as {kind.label}",
                possible=f"{condition} OR {TYPE_UNKNOWN}" if bounded else None,
                known=f"NOT ({TYPE_UNKNOWN})" if bounded else None,
                depends_on="classification",
            )
        )
    return shares


def local_shares(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Shares of spend to local suppliers, local VCSE organisations, suppliers in the region, and of spend whose
    locality is known (%), each local share with its coverage and bounds."""
    return [
        share_of_spend(
            con,
            "share_local",
            "Share of spend to local suppliers",
            "is_local",
            "Suppliers whose postcode is in the council's own area; unknown locality counts as not local",
            possible=f"is_local OR {LOCALITY_UNKNOWN}",
            known=f"NOT {LOCALITY_UNKNOWN}",
            depends_on="locality",
        ),
        share_of_spend(
            con,
            "share_local_vcse",
            "Share of spend to local VCSE organisations",
            f"is_local AND supplier_type = '{SupplierType.VCSE}'",
            "VCSE suppliers whose postcode is in the council's own area",
            possible=f"(is_local OR {LOCALITY_UNKNOWN}) AND (supplier_type = '{SupplierType.VCSE}' OR {TYPE_UNKNOWN})",
            known=f"NOT {LOCALITY_UNKNOWN} AND NOT ({TYPE_UNKNOWN})",
            depends_on="locality and classification",
        ),
        share_of_spend(
            con,
            "share_region",
            "Share of spend to suppliers in the council's region",
            "in_region",
            "Suppliers whose postcode is in the same region (or nation) as the council; unknown counts as not in the region",
            possible=f"in_region OR {REGION_UNKNOWN}",
            known=f"NOT {REGION_UNKNOWN}",
            depends_on="locality",
        ),
        share_of_spend(
            con,
            "locality_known",
            "Share of spend whose locality is known",
            f"NOT {LOCALITY_UNKNOWN}",
            "Suppliers with a postcode placed in a local authority; the coverage behind the local shares",
        ),
    ]


# Below this coverage (% of spend for which what a share depends on is known) a share is published as its range.
POINT_COVERAGE = 80.0


def as_range(indicator: dict[str, Any]) -> bool:
    """Whether a share is given as its range (low to high) rather than one figure: when what it depends on (a
    supplier's type, its locality) is known for less than POINT_COVERAGE % of spend, one figure would mostly say
    how little is known ('local share 0.3%' with locality known for 3.9% of spend, where the honest answer is
    0.3% to 96.5%). Shares without bounds are always one figure."""
    coverage, high, low = indicator.get("coverage"), indicator.get("high"), indicator.get("value")
    return coverage is not None and high is not None and low is not None and coverage < POINT_COVERAGE and high > low


def bounds_sentence(indicator: dict[str, Any], would: str = "met it") -> str:
    """A share in words with its bounds and coverage: '3.1%; between 3.1% and 20.9% if every supplier of unknown type
    were VCSE (classification known for 82.0% of spend)'; below POINT_COVERAGE only the range: 'between 0.3% and
    96.5% (locality known for only 3.9% of spend, too little for one figure)'."""
    value = indicator.get("value")
    if value is None:
        return "not known (no spend)"
    if as_range(indicator):
        return (
            f"between {value:.1f}% and {indicator['high']:.1f}% ({indicator['depends_on']} known for only "
            f"{indicator['coverage']:.1f}% of spend, too little for one figure)"
        )
    text = f"{value:.1f}%"
    if indicator.get("high") is not None and indicator["high"] > value:
        unknown = {"classification": "of unknown type", "locality": "of unknown locality"}.get(
            indicator["depends_on"], "of unknown type or locality"
        )
        text += f"; between {value:.1f}% and {indicator['high']:.1f}% if every supplier {unknown} {would}"
    if indicator.get("coverage") is not None:
        text += f" ({indicator['depends_on']} known for {indicator['coverage']:.1f}% of spend)"
    return text


def top10_share(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Top-10 share = Σ positive net spend of the 10 largest suppliers ÷ Σ positive net spend of all suppliers (%)."""
    numerator, base = con.execute(
        "SELECT coalesce(sum(positive_net) FILTER (WHERE rank <= 10), 0), coalesce(sum(positive_net), 0) "
        "FROM (SELECT positive_net, row_number() OVER (ORDER BY positive_net DESC, supplier_key) AS rank FROM supplier_net)"
    ).fetchone()  # type: ignore[misc]
    value = _percent(float(numerator), float(base))
    return _indicator(
        "top10_share",
        "Share of spend to the 10 largest suppliers",
        value,
        round(float(numerator), 2),
        round(float(base), 2),
        "%",
        top10_share.__doc__ or "",
    )


def herfindahl(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Herfindahl–Hirschman index = Σ over suppliers of (100 × positive net spend ÷ Σ positive net spend)²; 0 to 10,000 (index).
    Below 1,500 is unconcentrated, above 2,500 highly concentrated."""
    value = con.execute(
        "SELECT sum(power(100 * positive_net / nullif((SELECT sum(positive_net) FROM supplier_net), 0), 2)) FROM supplier_net"
    ).fetchone()[0]  # type: ignore[index]
    value = round(float(value), 1) if value is not None else None
    return _indicator(
        "hhi", "Supplier concentration (Herfindahl–Hirschman index)", value, None, None, "index", herfindahl.__doc__ or ""
    )


def payment_bands(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Payment-size bands = count and Σ amount of payments in each band of amount (count, GBP)."""
    rows = []
    for label, low, high in BANDS:
        condition = " AND ".join(
            c for c in (f"amount >= {low}" if low is not None else "", f"amount < {high}" if high is not None else "") if c
        )
        count, amount = con.execute(f"SELECT count(*), coalesce(sum(amount), 0) FROM scope WHERE {condition}").fetchone()  # type: ignore[misc]
        rows.append({"band": label, "payments": int(count), "amount": round(float(amount), 2)})
    return {
        **_indicator("payment_bands", "Payments by size", None, None, None, "count, GBP", payment_bands.__doc__ or ""),
        "rows": rows,
    }


def by_service_area(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """By service area = Σ amount, and Σ amount to VCSE suppliers, per published service area (GBP)."""
    rows = [
        {
            "service_area": area or "Not given",
            "amount": round(float(total), 2),
            "vcse_amount": round(float(vcse), 2),
            "payments": int(n),
        }
        for area, total, vcse, n in con.execute(
            "SELECT service_area, sum(amount), coalesce(sum(amount) FILTER (WHERE supplier_type = 'vcse'), 0), count(*) FROM scope GROUP BY ALL ORDER BY 2 DESC"
        ).fetchall()
    ]
    return {
        **_indicator("by_service_area", "Spend by service area", None, None, None, "GBP", by_service_area.__doc__ or ""),
        "rows": rows,
    }


def by_month(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """By month = Σ amount, and Σ amount to VCSE and to local suppliers, per calendar month of payment (GBP)."""
    rows = [
        {
            "month": month,
            "amount": round(float(total), 2),
            "vcse_amount": round(float(vcse), 2),
            "local_amount": round(float(local), 2),
            "payments": int(n),
        }
        for month, total, vcse, local, n in con.execute(
            "SELECT strftime(date, '%Y-%m'), sum(amount), coalesce(sum(amount) FILTER (WHERE supplier_type = 'vcse'), 0), "
            "coalesce(sum(amount) FILTER (WHERE is_local), 0), count(*) FROM scope GROUP BY 1 ORDER BY 1"
        ).fetchall()
    ]
    return {**_indicator("by_month", "Spend by month", None, None, None, "GBP", by_month.__doc__ or ""), "rows": rows}


def grants_versus_contracts(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Grants = Σ amount whose expense type names a grant, contribution, donation, subsidy or award; the rest
    with an expense type are contracts and purchases; no expense type is unknown (GBP)."""
    pattern = "|".join(GRANT_WORDS)
    rows = [
        {"kind": kind, "amount": round(float(total), 2), "vcse_amount": round(float(vcse), 2), "payments": int(n)}
        for kind, total, vcse, n in con.execute(
            f"""
            SELECT CASE WHEN expense_type IS NULL THEN 'Unknown (no expense type)'
                        WHEN regexp_matches(lower(expense_type), '{pattern}') THEN 'Grants'
                        ELSE 'Contracts and purchases' END AS kind,
                   sum(amount), coalesce(sum(amount) FILTER (WHERE supplier_type = 'vcse'), 0), count(*)
            FROM scope GROUP BY 1 ORDER BY 2 DESC
            """
        ).fetchall()
    ]
    return {
        **_indicator(
            "grants_vs_contracts", "Grants versus contracts", None, None, None, "GBP", grants_versus_contracts.__doc__ or ""
        ),
        "rows": rows,
    }


def compute_all(con: duckdb.DuckDBPyConnection, where: str = "true") -> list[dict[str, Any]]:
    """Every indicator over the payments in `tx` meeting `where` (a period, say)."""
    con.execute(f"CREATE OR REPLACE TEMP VIEW scope AS SELECT * FROM tx WHERE {where}")
    con.execute(NET)
    return [
        total_spend(con),
        payment_count(con),
        supplier_count(con),
        *type_shares(con),
        *local_shares(con),
        top10_share(con),
        herfindahl(con),
        payment_bands(con),
        by_service_area(con),
        by_month(con),
        grants_versus_contracts(con),
    ]
