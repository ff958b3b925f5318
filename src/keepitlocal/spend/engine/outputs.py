"""Write the analysis out: transactions.csv, rejected.csv, suppliers.csv and the report (the command line's outputs), and
the tables every output reads."""

from __future__ import annotations

import csv
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb

from keepitlocal.reports.engine.tables import neutralise_csv_cell
from keepitlocal.spend.engine.bulk import bulk_insert, sql_string
from keepitlocal.spend.engine.read import raw_lines
from keepitlocal.spend.engine.sources import Source

SUPPLIER_COLUMNS = [
    "supplier_key",
    "names",
    "org_id",
    "supplier_type",
    "evidence",
    "evidence_kind",
    "confidence",
    "postcode",
    "lad_code",
    "region_code",
    "is_local",
    "in_region",
    "charity_scale",
    "candidates",
    "total_amount",
    "transactions",
    "found_org_id",  # the org-id the analysis found itself, before any person's correction
]


def _bool(value: bool | None) -> str:
    return "" if value is None else "true" if value else "false"


def load_suppliers(con: duckdb.DuckDBPyConnection, suppliers: list[dict[str, Any]]) -> None:
    con.execute(
        "CREATE TABLE suppliers (supplier_key VARCHAR PRIMARY KEY, org_id VARCHAR, supplier_type VARCHAR, is_local BOOLEAN, "
        "in_region BOOLEAN, lad_code VARCHAR, region_code VARCHAR, name VARCHAR, confidence DOUBLE)"
    )
    bulk_insert(
        con,
        "suppliers",
        (
            (
                s["supplier_key"],
                s["org_id"],
                s["supplier_type"],
                s["is_local"],
                s.get("in_region"),
                s["lad_code"],
                s["region_code"],
                s["names"][0],
                s["confidence"],
            )
            for s in suppliers
        ),
    )
    # A table, not a view: the transactions file, every indicator and the report read it, and each would
    # otherwise repeat the join over every payment.
    con.execute(
        """
        CREATE TEMP TABLE tx AS
        SELECT p.file_index, p.source_file, p.source_row, p.date, p.amount, p.supplier_name, p.service_area, p.expense_type,
               m.supplier_key, s.org_id, s.supplier_type, s.is_local, s.in_region, s.lad_code, s.region_code
        FROM payments p
        JOIN supplier_map m ON coalesce(p.norm_name, '') = m.norm_name AND coalesce(p.company_number, '') = m.company_number
         AND coalesce(p.charity_number, '') = m.charity_number AND coalesce(p.supplier_id, '') = m.supplier_id AND p.redacted = m.redacted
        JOIN suppliers s USING (supplier_key)
        """
    )


def _copy(con: duckdb.DuckDBPyConnection, query: str, path: Path) -> None:
    con.execute(f"COPY ({query}) TO {sql_string(path)} (HEADER, DELIMITER ',', QUOTE '\"')")


def write_transactions(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    _copy(
        con,
        """
        SELECT source_file, source_row, strftime(date, '%Y-%m-%d') AS date, amount, supplier_name, supplier_key,
               coalesce(org_id, '') AS org_id, supplier_type,
               CASE WHEN is_local IS NULL THEN '' WHEN is_local THEN 'true' ELSE 'false' END AS is_local,
               coalesce(service_area, '') AS service_area, coalesce(expense_type, '') AS expense_type
        FROM tx ORDER BY file_index, source_row
        """,
        path,
    )


def append_duplicates(con: duckdb.DuckDBPyConnection, sources: Sequence[Source], path: Path) -> None:
    """The duplicate rows, in file and line order, each with its row as published (read again from its file)."""
    rows = con.execute(
        "SELECT file_index, source_file, source_row, reason FROM duplicates ORDER BY file_index, source_row"
    ).fetchall()
    wanted: dict[int, set[int]] = {}
    for file_index, _, line, _ in rows:
        wanted.setdefault(file_index, set()).add(line)
    raw = {index: raw_lines(sources[index], lines) for index, lines in wanted.items()}
    with open(path, "a", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\r\n").writerows(
            [name, line, reason, raw[index].get(line, "")] for index, name, line, reason in rows
        )


def write_suppliers(suppliers: list[dict[str, Any]], path: Path) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(SUPPLIER_COLUMNS)
        for s in sorted(suppliers, key=lambda s: (-s["total_amount"], s["supplier_key"])):
            writer.writerow(
                [
                    s["supplier_key"],
                    " | ".join(s["names"]),
                    s["org_id"],
                    s["supplier_type"],
                    s["evidence"],
                    s["evidence_kind"],
                    f"{s['confidence']:.2f}",
                    s["postcode"],
                    s["lad_code"],
                    s["region_code"],
                    _bool(s["is_local"]),
                    _bool(s.get("in_region")),
                    s["charity_scale"],
                    s["candidates"],
                    f"{s['total_amount']:.2f}",
                    s["transactions"],
                    s.get("found_org_id", s["org_id"]),
                ]
            )


def write_report(
    con: duckdb.DuckDBPyConnection, result: Any, suppliers: list[dict[str, Any]], rejected: Path, path: Path
) -> None:
    from keepitlocal.spend.engine.report import render

    path.write_text(render(con, result, suppliers, rejected), encoding="utf-8")


SPREADSHEET_OUTPUTS = ("transactions.csv", "rejected.csv", "suppliers.csv")


def spreadsheet_safe(out: Path) -> None:
    """Rewrite the CSV outputs in `out` so that no cell runs as a formula when a spreadsheet opens them (a supplier
    published as '=HYPERLINK(...)' is written as text); numbers, credit notes among them, stay numbers. For outputs a
    person opens (the CLI's); the platform reads the engine's outputs back and neutralises its own downloads."""
    for name in SPREADSHEET_OUTPUTS:
        path = out / name
        if not path.exists():
            continue
        safe = path.with_name(f".{name}.safe")
        with open(path, newline="", encoding="utf-8") as source, open(safe, "w", newline="", encoding="utf-8") as target:
            writer = csv.writer(target, lineterminator="\n" if name == "transactions.csv" else "\r\n")
            for row in csv.reader(source):
                writer.writerow([neutralise_csv_cell(cell) for cell in row])
        os.replace(safe, path)
