"""How well the engine finds VCSE suppliers, judged against a publisher's own VCSE flag.

The analysis runs with the publisher's VCSE column ignored, so the engine never sees the answer; then
each kept payment's predicted type is compared with the flag the publisher gave that row.

Figures are spend-weighted over positive payments (credit notes left out): precision = £ predicted VCSE
that the publisher flags ÷ £ predicted VCSE; recall = £ flagged that we predict ÷ £ flagged; F1 their
harmonic mean. Supplier-count figures are printed too.

    .venv/bin/python benchmarks/classify_eval.py ../shared/data/real/spend/calderdale/fy2021_22 \
        --column "Voluntary Community and Social Enterprise Supplier" [--registers DIR] [--council E08000033]
    .venv/bin/python benchmarks/classify_eval.py ../shared/data/real/spend/devon/fy2024_25_gz --column "Creditor Type" \
        --yes chty,vcs,cic

The column is a VCSE flag (Calderdale) or a supplier type code (Devon's Creditor Type), whichever the file has.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import duckdb

from keepitlocal.spend.engine.bulk import sql_string
from keepitlocal.spend.engine.columns import normal
from keepitlocal.spend.engine.pipeline import Options, analyse
from keepitlocal.spend.engine.read import read_all
from keepitlocal.spend.engine.sources import discover

YES = ("y", "yes", "true", "1", "vcse")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="+", type=Path)
    parser.add_argument("--column", default="Voluntary Community and Social Enterprise Supplier")
    parser.add_argument("--registers", type=Path)
    parser.add_argument("--council", default="")
    parser.add_argument(
        "--yes",
        default=",".join(YES),
        help="the column's values that mean VCSE, comma-separated (Devon's Creditor Type: chty,vcs,cic)",
    )
    args = parser.parse_args()

    registers = None
    if args.registers:
        from keepitlocal.spend.engine.registers import Registers

        registers = Registers.from_folder(args.registers)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        # The truth: the publisher's flag on every row, read with the same reader.
        sources, _ = discover(args.paths)
        yes = "(" + ", ".join(sql_string(v.strip().lower()) for v in args.yes.split(",") if v.strip()) + ")"
        con = duckdb.connect()
        read_all(sources, con, work / "truth.csv", work / "truth-rejected.csv")
        started = time.perf_counter()
        result = analyse(
            args.paths, work / "out", Options(council=args.council, ignore=[normal(args.column)], registers=registers)
        )
        seconds = time.perf_counter() - started
        con.execute(
            f"CREATE VIEW truth AS SELECT source_file, source_row::VARCHAR AS source_row, lower(trim(coalesce(vcse_flag, published_type, ''))) IN {yes} AS flagged FROM staged"  # noqa: S608 - quoted values
        )
        con.execute(
            f"CREATE VIEW predicted AS SELECT source_file, source_row, supplier_key, amount::DECIMAL(18,2) AS amount, supplier_type = 'vcse' AS predicted FROM read_csv({sql_string(work / 'out' / 'transactions.csv')}, all_varchar = true)"  # noqa: S608 - paths quoted by sql_string
        )
        tp, fp, fn, tn = con.execute(
            """SELECT sum(amount) FILTER (WHERE predicted AND flagged), sum(amount) FILTER (WHERE predicted AND NOT flagged),
                      sum(amount) FILTER (WHERE NOT predicted AND flagged), sum(amount) FILTER (WHERE NOT predicted AND NOT flagged)
               FROM predicted JOIN truth USING (source_file, source_row) WHERE amount > 0"""
        ).fetchone()  # type: ignore[misc]
        s_tp, s_fp, s_fn = con.execute(
            """SELECT count(*) FILTER (WHERE p AND f), count(*) FILTER (WHERE p AND NOT f), count(*) FILTER (WHERE NOT p AND f)
               FROM (SELECT supplier_key, bool_or(predicted) AS p, coalesce(sum(amount::DOUBLE) FILTER (WHERE flagged), 0) > sum(amount::DOUBLE) / 2 AS f
                     FROM predicted JOIN truth USING (source_file, source_row) WHERE amount > 0 GROUP BY supplier_key)"""
        ).fetchone()  # type: ignore[misc]
    tp, fp, fn, tn = (float(v or 0) for v in (tp, fp, fn, tn))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    flagged_share = (tp + fn) / (tp + fp + fn + tn) if tp + fp + fn + tn else 0.0
    print(f"files: {', '.join(str(p) for p in args.paths)}")
    print(f"registers: {'; '.join(result.registers_used) if result.registers_used else 'none'}")
    print(f"payments kept: {result.kept:,}; suppliers: {result.suppliers:,}; analysis took {seconds:.1f} s")
    print(f"publisher flags {flagged_share:.1%} of positive spend as VCSE; we predict {(tp + fp) / (tp + fp + fn + tn):.1%}")
    print(f"spend-weighted  precision {precision:.3f}  recall {recall:.3f}  F1 {f1:.3f}")
    print(f"  £ true positive {tp:,.0f}, false positive {fp:,.0f}, false negative {fn:,.0f}")
    s_precision = s_tp / (s_tp + s_fp) if s_tp + s_fp else 0.0
    s_recall = s_tp / (s_tp + s_fn) if s_tp + s_fn else 0.0
    print(
        f"supplier-count  precision {s_precision:.3f}  recall {s_recall:.3f}  ({s_tp} true positive, {s_fp} false positive, {s_fn} false negative suppliers)"
    )


if __name__ == "__main__":
    main()
