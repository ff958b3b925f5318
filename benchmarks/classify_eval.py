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

With --classes, a publisher's type codes are a yardstick for every class: spend-weighted recall and precision for
VCSE, public and private (codes not named are left out of that measure), and where the misses went:

    .venv/bin/python benchmarks/classify_eval.py ../shared/data/real/spend/devon/fy2024_25_gz --column "Creditor Type" \
        --yes chty,vcs,cic --classes "vcse=chty,vcs,cic,vh,chu;public=wga,educ,uni,prsh;private=ltd,busn,plc,llp,sole,hotl"
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import duckdb

from keepitlocal.spend.engine.bulk import sql_string
from keepitlocal.spend.engine.headings import normal
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
    parser.add_argument(
        "--classes",
        default="",
        help="class=codes;class=codes: the publisher's codes for each class (vcse, public, private), for per-class recall",
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
        per_class = _per_class(con, args.classes, work / "out" / "transactions.csv") if args.classes else []
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
    for line in per_class:
        print(line)


def _per_class(con: duckdb.DuckDBPyConnection, spec: str, transactions: Path) -> list[str]:
    """Spend-weighted recall and precision of each class against the publisher's codes, and where the misses went."""
    classes = {}
    for part in spec.split(";"):
        name, _, codes = part.partition("=")
        classes[name.strip()] = [c.strip().lower() for c in codes.split(",") if c.strip()]
    cases = " ".join(
        f"WHEN lower(trim(coalesce(vcse_flag, published_type, ''))) IN ({', '.join(sql_string(c) for c in codes)}) THEN {sql_string(name)}"
        for name, codes in classes.items()
    )
    con.execute(
        f"CREATE VIEW truth_class AS SELECT source_file, source_row::VARCHAR AS source_row, CASE {cases} END AS truth FROM staged"  # noqa: S608 - values quoted by sql_string
    )
    rows = con.execute(
        f"""SELECT truth, t.supplier_type, sum(amount::DECIMAL(18,2)) FROM read_csv({sql_string(transactions)}, all_varchar = true) t
            JOIN truth_class USING (source_file, source_row) WHERE truth IS NOT NULL AND amount::DECIMAL(18,2) > 0 GROUP BY ALL"""  # noqa: S608
    ).fetchall()
    spend: dict[tuple[str, str], float] = {(truth, predicted): float(amount) for truth, predicted, amount in rows}
    lines = ["per class (spend-weighted, against the publisher's codes):"]
    for name in classes:
        truly = sum(v for (t, _), v in spend.items() if t == name)
        predicted = sum(v for (_, p), v in spend.items() if p == name)
        hit = spend.get((name, name), 0.0)
        misses = sorted(((p, v) for (t, p), v in spend.items() if t == name and p != name), key=lambda kv: -kv[1])
        went = ", ".join(f"{p} £{v:,.0f}" for p, v in misses[:3])
        lines.append(
            f"  {name:8} recall {hit / truly if truly else 0:.3f}  precision {hit / predicted if predicted else 0:.3f}"
            f"  (£{truly:,.0f} in the class; misses: {went or 'none'})"
        )
    return lines


if __name__ == "__main__":
    main()
