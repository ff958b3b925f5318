"""Spend indicators. One function each; the docstring states the formula and units (mirrored in
docs/INDICATORS.md). Each returns the engine's own type (figures.Indicator, or rows of a table).

Shares are of *positive spend net of credits per supplier*: each supplier's payments and credit notes are
summed, a supplier whose net is negative counts as zero, and the base is the sum of these per-supplier
nets. A refund therefore reduces its own supplier's spend but never another's.
"""

from __future__ import annotations

import duckdb

from keepitlocal.spend.engine.classify import MANY_PAYEES, SupplierType
from keepitlocal.spend.engine.figures import (
    SHARE_PLACES,
    AreaRow,
    BandRow,
    Bounds,
    DependsOn,
    FigureSet,
    Indicator,
    IndicatorId,
    KindRow,
    MonthRow,
    TableId,
    Unit,
)
from keepitlocal.spend.engine.periods import Period

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

_MANY = ", ".join(f"'{key}'" for key in MANY_PAYEES)
NET = f"""
CREATE OR REPLACE TEMP TABLE supplier_net AS
SELECT supplier_key, any_value(supplier_type) AS supplier_type, any_value(is_local) AS is_local, any_value(in_region) AS in_region,
       greatest(sum(amount), 0) AS positive_net, sum(amount) AS net,
       supplier_key IN ({_MANY}) AS many_payees
FROM scope GROUP BY supplier_key
"""


def _sum(con: duckdb.DuckDBPyConnection, condition: str) -> float:
    value = con.execute(f"SELECT coalesce(sum(positive_net) FILTER (WHERE {condition}), 0) FROM supplier_net").fetchone()[0]  # type: ignore[index]
    return float(value)


def _percent(numerator: float, base: float) -> float | None:
    return round(100 * numerator / base, SHARE_PLACES) if base else None


def total_spend(con: duckdb.DuckDBPyConnection) -> Indicator:
    """Total spend = Σ amount over kept payments, credit notes included (GBP)."""
    value = round(float(con.execute("SELECT coalesce(sum(amount), 0) FROM scope").fetchone()[0]), 2)  # type: ignore[index]
    return Indicator(IndicatorId.TOTAL_SPEND, "Total spend", value, Unit.GBP, value, None, total_spend.__doc__ or "")


def payment_count(con: duckdb.DuckDBPyConnection) -> Indicator:
    """Payments = count of kept payment rows, credit notes included (count)."""
    value = int(con.execute("SELECT count(*) FROM scope").fetchone()[0])  # type: ignore[index]
    return Indicator(IndicatorId.PAYMENTS, "Payments", value, Unit.COUNT, value, None, payment_count.__doc__ or "")


def supplier_count(con: duckdb.DuckDBPyConnection) -> Indicator:
    """Suppliers = count of distinct supplier keys (all redacted individuals count as one, as do all payees not
    published) (count)."""
    value = int(con.execute("SELECT count(DISTINCT supplier_key) FROM scope").fetchone()[0])  # type: ignore[index]
    return Indicator(IndicatorId.SUPPLIERS, "Suppliers", value, Unit.COUNT, value, None, supplier_count.__doc__ or "")


# What a share depends on, and how to tell where it is not known.
TYPE_UNKNOWN = f"supplier_type IN ('{SupplierType.UNKNOWN}', '{SupplierType.WITHHELD}')"
LOCALITY_UNKNOWN = "is_local IS NULL"
REGION_UNKNOWN = "in_region IS NULL"


def share_of_spend(
    con: duckdb.DuckDBPyConnection,
    id_: IndicatorId,
    name: str,
    condition: str,
    description: str,
    possible: str | None = None,
    known: str | None = None,
    depends_on: DependsOn | None = None,
) -> Indicator:
    """Share = Σ positive net spend of suppliers meeting the condition ÷ Σ positive net spend of all suppliers (%).
    Where the condition depends on something not known for every supplier (its type, its locality): coverage = Σ
    positive net spend of suppliers for which it is known ÷ the same base; low = the share; high = the share if every
    supplier for which it is not known met the condition (Σ spend of suppliers meeting `possible` ÷ the base)."""
    numerator, base = _sum(con, condition), _sum(con, "true")
    value = _percent(numerator, base)
    bounds = (
        Bounds(value, _percent(_sum(con, possible), base), _percent(_sum(con, known), base), depends_on)
        if possible is not None and known is not None and depends_on is not None
        else None
    )
    return Indicator(
        id_,
        name,
        value,
        Unit.PERCENT,
        round(numerator, 2),
        round(base, 2),
        f"{description}. {share_of_spend.__doc__}",
        bounds,
    )


def type_shares(con: duckdb.DuckDBPyConnection) -> list[Indicator]:
    """Shares of spend by supplier type: VCSE, public, private, individual, unknown, payee not published (%). The
    shares of the four known types are bounded by the unknown and not-published spend."""
    shares = []
    for kind in SupplierType:
        condition = f"supplier_type = '{kind}'"
        bounded = kind not in (SupplierType.UNKNOWN, SupplierType.WITHHELD)
        shares.append(
            share_of_spend(
                con,
                IndicatorId.share_of(kind),
                f"Share of spend to {kind.plural}",
                condition,
                f"Suppliers classified as {kind.label}",
                possible=f"{condition} OR {TYPE_UNKNOWN}" if bounded else None,
                known=f"NOT ({TYPE_UNKNOWN})" if bounded else None,
                depends_on=DependsOn.CLASSIFICATION,
            )
        )
    return shares


def local_shares(con: duckdb.DuckDBPyConnection) -> list[Indicator]:
    """Shares of spend to local suppliers, local VCSE organisations, suppliers in the region, and of spend whose
    locality is known (%), each local share with its coverage and bounds."""
    return [
        share_of_spend(
            con,
            IndicatorId.SHARE_LOCAL,
            "Share of spend to local suppliers",
            "is_local",
            "Suppliers whose postcode is in the council's own area; unknown locality counts as not local",
            possible=f"is_local OR {LOCALITY_UNKNOWN}",
            known=f"NOT {LOCALITY_UNKNOWN}",
            depends_on=DependsOn.LOCALITY,
        ),
        share_of_spend(
            con,
            IndicatorId.SHARE_LOCAL_VCSE,
            "Share of spend to local VCSE organisations",
            f"is_local AND supplier_type = '{SupplierType.VCSE}'",
            "VCSE suppliers whose postcode is in the council's own area",
            possible=f"(is_local OR {LOCALITY_UNKNOWN}) AND (supplier_type = '{SupplierType.VCSE}' OR {TYPE_UNKNOWN})",
            known=f"NOT {LOCALITY_UNKNOWN} AND NOT ({TYPE_UNKNOWN})",
            depends_on=DependsOn.BOTH,
        ),
        share_of_spend(
            con,
            IndicatorId.SHARE_REGION,
            "Share of spend to suppliers in the council's region",
            "in_region",
            "Suppliers whose postcode is in the same region (or nation) as the council; unknown counts as not in the region",
            possible=f"in_region OR {REGION_UNKNOWN}",
            known=f"NOT {REGION_UNKNOWN}",
            depends_on=DependsOn.LOCALITY,
        ),
        share_of_spend(
            con,
            IndicatorId.LOCALITY_KNOWN,
            "Share of spend whose locality is known",
            f"NOT {LOCALITY_UNKNOWN}",
            "Suppliers with a postcode placed in a local authority; the coverage behind the local shares",
        ),
    ]


def top10_share(con: duckdb.DuckDBPyConnection) -> Indicator:
    """Top-10 share = Σ positive net spend of the 10 largest suppliers ÷ Σ positive net spend of all payments (%). The
    payments to names redacted as personal data, and to payees not published, are many payees, not one supplier: they
    count in the base, never among the largest."""
    numerator, base = con.execute(
        "SELECT coalesce(sum(positive_net) FILTER (WHERE rank <= 10 AND NOT many_payees), 0), coalesce(sum(positive_net), 0) "
        "FROM (SELECT positive_net, many_payees, row_number() OVER (PARTITION BY many_payees ORDER BY positive_net DESC, "
        "supplier_key) AS rank FROM supplier_net)"
    ).fetchone()  # type: ignore[misc]
    return Indicator(
        IndicatorId.TOP10_SHARE,
        "Share of spend to the 10 largest suppliers",
        _percent(float(numerator), float(base)),
        Unit.PERCENT,
        round(float(numerator), 2),
        round(float(base), 2),
        top10_share.__doc__ or "",
    )


def herfindahl(con: duckdb.DuckDBPyConnection) -> Indicator:
    """Herfindahl–Hirschman index = Σ over suppliers of (100 × positive net spend ÷ Σ positive net spend of all payments)²;
    0 to 10,000 (index). Below 1,500 is unconcentrated, above 2,500 highly concentrated. Redacted and unpublished payees
    are many payees each too small to count, not one supplier: they add nothing to the sum, and count in the base."""
    value = con.execute(
        "SELECT sum(power(100 * positive_net / nullif((SELECT sum(positive_net) FROM supplier_net), 0), 2)) "
        "FILTER (WHERE NOT many_payees) FROM supplier_net"
    ).fetchone()[0]  # type: ignore[index]
    return Indicator(
        IndicatorId.HHI,
        "Supplier concentration (Herfindahl–Hirschman index)",
        round(float(value), 1) if value is not None else None,
        Unit.INDEX,
        None,
        None,
        herfindahl.__doc__ or "",
    )


def payment_bands(con: duckdb.DuckDBPyConnection) -> tuple[BandRow, ...]:
    """Payment-size bands = count and Σ amount of payments in each band of amount (count, GBP)."""
    rows = []
    for label, low, high in BANDS:
        condition = " AND ".join(
            c for c in (f"amount >= {low}" if low is not None else "", f"amount < {high}" if high is not None else "") if c
        )
        count, amount = con.execute(f"SELECT count(*), coalesce(sum(amount), 0) FROM scope WHERE {condition}").fetchone()  # type: ignore[misc]
        rows.append(BandRow(label, int(count), round(float(amount), 2)))
    return tuple(rows)


def by_service_area(con: duckdb.DuckDBPyConnection) -> tuple[AreaRow, ...]:
    """By service area = Σ amount, and Σ amount to VCSE suppliers, per published service area (GBP)."""
    return tuple(
        AreaRow(area or "Not given", round(float(total), 2), round(float(vcse), 2), int(n))
        for area, total, vcse, n in con.execute(
            "SELECT service_area, sum(amount), coalesce(sum(amount) FILTER (WHERE supplier_type = 'vcse'), 0), count(*) "
            "FROM scope GROUP BY ALL ORDER BY 2 DESC, 1"
        ).fetchall()
    )


def by_month(con: duckdb.DuckDBPyConnection) -> tuple[MonthRow, ...]:
    """By month = Σ amount, and Σ amount to VCSE and to local suppliers, per calendar month of payment (GBP)."""
    return tuple(
        MonthRow(month, round(float(total), 2), round(float(vcse), 2), round(float(local), 2), int(n))
        for month, total, vcse, local, n in con.execute(
            "SELECT strftime(date, '%Y-%m'), sum(amount), coalesce(sum(amount) FILTER (WHERE supplier_type = 'vcse'), 0), "
            "coalesce(sum(amount) FILTER (WHERE is_local), 0), count(*) FROM scope GROUP BY 1 ORDER BY 1"
        ).fetchall()
    )


def grants_versus_contracts(con: duckdb.DuckDBPyConnection) -> tuple[KindRow, ...]:
    """Grants = Σ amount whose expense type names a grant, contribution, donation, subsidy or award; the rest
    with an expense type are contracts and purchases; no expense type is unknown (GBP)."""
    pattern = "|".join(GRANT_WORDS)
    return tuple(
        KindRow(kind, round(float(total), 2), round(float(vcse), 2), int(n))
        for kind, total, vcse, n in con.execute(
            f"""
            SELECT CASE WHEN expense_type IS NULL THEN 'Unknown (no expense type)'
                        WHEN regexp_matches(lower(expense_type), '{pattern}') THEN 'Grants'
                        ELSE 'Contracts and purchases' END AS kind,
                   sum(amount), coalesce(sum(amount) FILTER (WHERE supplier_type = 'vcse'), 0), count(*)
            FROM scope GROUP BY 1 ORDER BY 2 DESC, 1
            """
        ).fetchall()
    )


# What each table is, for docs/INDICATORS.md and the API (a test holds them to the document).
TABLES = {
    TableId.PAYMENT_BANDS: ("Payments by size", Unit.COUNT, payment_bands),
    TableId.BY_SERVICE_AREA: ("Spend by service area", Unit.GBP, by_service_area),
    TableId.BY_MONTH: ("Spend by month", Unit.GBP, by_month),
    TableId.GRANTS_VS_CONTRACTS: ("Grants versus contracts", Unit.GBP, grants_versus_contracts),
}


def compute_all(con: duckdb.DuckDBPyConnection, period: Period, where: str = "true") -> FigureSet:
    """Every indicator and table over the payments in `tx` meeting `where` (a period, say)."""
    con.execute(f"CREATE OR REPLACE TEMP VIEW scope AS SELECT * FROM tx WHERE {where}")
    con.execute(NET)
    return FigureSet(
        period,
        (
            total_spend(con),
            payment_count(con),
            supplier_count(con),
            *type_shares(con),
            *local_shares(con),
            top10_share(con),
            herfindahl(con),
        ),
        months=by_month(con),
        service_areas=by_service_area(con),
        bands=payment_bands(con),
        kinds=grants_versus_contracts(con),
    )
