"""Write the analysis out: transactions.csv, rejected.csv, suppliers.csv and the report (the command line's outputs), and
the tables every output reads."""

from __future__ import annotations

import contextlib
import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb
from duckdb.sqltypes import VARCHAR

from keepitlocal.reports.engine.tables import FORMULA_STARTS, neutralise_csv_cell
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


def _starts_like_formula(value: str) -> str:
    # ord() of the first character: several times faster than comparing left(value, 1) with each.
    return f"ord({value}) IN ({', '.join(str(ord(c)) for c in FORMULA_STARTS)})"


def write_transactions(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Every payment kept, in file and line order, safe to open in a spreadsheet: a payee published as a formula is
    written as text, by neutralise_csv_cell itself, while amounts (credit notes among them) stay numbers. An empty
    value is written as nothing, as Python's csv module writes it, rather than as DuckDB's "" for an empty string."""
    texts = {
        "source_file": "source_file",
        "supplier_name": "supplier_name",
        "supplier_key": "supplier_key",
        "org_id": "coalesce(org_id, '')",
        "service_area": "coalesce(service_area, '')",
        "expense_type": "coalesce(expense_type, '')",
    }
    # A function in Python slows the whole query even where it is not called: it is asked only of files that need it.
    if con.execute(f"SELECT 1 FROM tx WHERE {' OR '.join(map(_starts_like_formula, texts.values()))} LIMIT 1").fetchall():
        with contextlib.suppress(duckdb.NotImplementedException):  # made by an earlier output of this analysis
            con.create_function("kil_csv_cell", neutralise_csv_cell, [VARCHAR], VARCHAR)
        texts = {
            name: f"CASE WHEN {_starts_like_formula(value)} THEN kil_csv_cell({value}) ELSE {value} END"
            for name, value in texts.items()
        }
    t = {name: f"nullif({value}, '')" for name, value in texts.items()}
    _copy(
        con,
        f"""
        SELECT {t["source_file"]} AS source_file, source_row, strftime(date, '%Y-%m-%d') AS date, amount,
               {t["supplier_name"]} AS supplier_name, {t["supplier_key"]} AS supplier_key, {t["org_id"]} AS org_id,
               supplier_type, CASE WHEN is_local IS NULL THEN NULL WHEN is_local THEN 'true' ELSE 'false' END AS is_local,
               {t["service_area"]} AS service_area, {t["expense_type"]} AS expense_type
        FROM tx ORDER BY file_index, source_row
        """,
        path,
    )


def write_rejected(rejected: Path, path: Path) -> None:
    """The rejected rows (file, line, reason, the row as published), safe to open in a spreadsheet."""
    with open(rejected, newline="", encoding="utf-8") as source, open(path, "w", newline="", encoding="utf-8") as target:
        writer = csv.writer(target, lineterminator="\r\n")
        for row in csv.reader(source):
            writer.writerow([neutralise_csv_cell(cell) for cell in row])


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
                    neutralise_csv_cell(s["supplier_key"]),
                    neutralise_csv_cell(" | ".join(s["names"])),
                    neutralise_csv_cell(s["org_id"]),
                    s["supplier_type"],
                    neutralise_csv_cell(s["evidence"]),
                    s["evidence_kind"],
                    f"{s['confidence']:.2f}",
                    neutralise_csv_cell(s["postcode"]),
                    s["lad_code"],
                    s["region_code"],
                    _bool(s["is_local"]),
                    _bool(s.get("in_region")),
                    s["charity_scale"],
                    neutralise_csv_cell(s["candidates"]),
                    f"{s['total_amount']:.2f}",
                    s["transactions"],
                    neutralise_csv_cell(s.get("found_org_id", s["org_id"])),
                ]
            )


def write_report(
    con: duckdb.DuckDBPyConnection, result: Any, suppliers: list[dict[str, Any]], rejected: Path, path: Path
) -> None:
    from keepitlocal.spend.engine.report import render

    path.write_text(render(con, result, suppliers, rejected), encoding="utf-8")
