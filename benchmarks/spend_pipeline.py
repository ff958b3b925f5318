"""Speed and memory of the spend pipeline.

For each input: rows per second for each stage and end to end, the same files read bare by DuckDB's
read_csv (the floor no pipeline can beat), the ratio between the two, and peak memory. Inputs: the real
Devon and Calderdale files in ../shared (when present) and generated inputs of 250,000 and 1,000,000 rows,
so that memory can be seen to stay flat as the input grows.

    .venv/bin/python benchmarks/spend_pipeline.py [--rows 1000000] [--skip-real]

Each input is measured in its own process so that peak memory (max RSS) belongs to that input alone: first
cold (as `kil spend analyse` runs: importing matplotlib for the report's charts and opening DuckDB for the first
time are part of it), then warm (the same files again in that process, as a platform worker runs every
analysis after its first).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import itertools
import json
import multiprocessing
import random
import resource
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "real" / "spend"
WORDS = [
    "North",
    "Valley",
    "Care",
    "Community",
    "Green",
    "Building",
    "Services",
    "Trust",
    "Transport",
    "Hub",
    "Supplies",
    "Works",
    "Learning",
    "Health",
]
FORMS = ["Ltd", "Limited", "CIC", "Trust", "PLC", ""]


def generate(path: Path, rows: int, seed: int = 1, spread: float = 0.0) -> None:
    """A year of monthly spend, 12 files, with messy amounts, several date styles and supplier spellings. Most
    payments go to a few suppliers (a Pareto draw); `spread` is the share paid to any of the 8,000 at random, for a
    council with thousands of suppliers."""
    rng = random.Random(seed)
    suppliers = [f"{rng.choice(WORDS)} {rng.choice(WORDS)} {i} {rng.choice(FORMS)}".strip() for i in range(8000)]
    path.mkdir(parents=True, exist_ok=True)
    per_file = rows // 12
    start = date(2024, 4, 1)
    for month in range(12):
        with gzip.open(path / f"spend-{month + 1:02d}.csv.gz", "wt", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(
                ["Body", "Date", "Transaction Number", "Amount", "Supplier Name", "Expense Area", "Expense Type", "Creditor Type"]
            )
            for i in range(per_file + (rows % 12 if month == 11 else 0)):
                paid = start + timedelta(days=30 * month + rng.randrange(28))
                amount = round(rng.lognormvariate(7.5, 1.4), 2) * (-1 if rng.random() < 0.02 else 1)
                name = (
                    rng.choice(suppliers)
                    if spread and rng.random() < spread
                    else suppliers[int(rng.paretovariate(1.2)) % len(suppliers)]
                )
                if rng.random() < 0.1:
                    name = name.upper()
                writer.writerow(
                    [
                        "Demo Council",
                        paid.strftime("%d/%m/%Y") if i % 2 else paid.isoformat(),
                        f"T{month}-{i}",
                        f"£{amount:,.2f}",
                        name,
                        rng.choice(["Adults", "Children", "Highways", "Waste"]),
                        rng.choice(["Grants", "Care", "Works"]),
                        rng.choice(["LTD", "CHTY", "BUSN", ""]),
                    ]
                )


def bare_read(paths: list[Path]) -> tuple[float, int]:
    import duckdb

    files = [str(p) for folder in paths for p in sorted(folder.glob("*")) if p.suffix in (".csv", ".gz") and "card" not in p.name]
    con = duckdb.connect()
    started = time.perf_counter()
    rows = con.execute(
        "SELECT count(*) FROM read_csv(?, all_varchar = true, union_by_name = true, ignore_errors = true)", [files]
    ).fetchone()[0]  # type: ignore[index]
    return time.perf_counter() - started, int(rows)


def timed_analysis(paths: list[Path]) -> tuple[int, float, dict[str, float]]:
    """(rows read, seconds end to end, seconds per stage) of one analysis."""
    from keepitlocal.common.councils_file import bundled_councils
    from keepitlocal.spend.engine.pipeline import Options, analyse

    stamps: list[tuple[str, float]] = []
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        result = analyse(
            paths,
            Path(out),
            Options(councils=bundled_councils()),  # as `kil spend analyse` runs it
            progress=lambda stage, detail: stamps.append((stage, time.perf_counter())) if stage != "file" else None,
        )
        total = time.perf_counter() - started
    stages: dict[str, float] = {}
    marks = [*stamps, ("end", started + total)]
    for (stage, at), (_, until) in itertools.pairwise(marks):
        stages[stage] = stages.get(stage, 0.0) + until - at
    return result.rows_read, total, stages


def run(label: str, paths: list[Path], queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    # Cold: a fresh process, as `kil spend analyse` runs. Warm: the same files again in the same process, as a
    # platform worker runs its second analysis, with matplotlib and the first DuckDB connection already paid for.
    rows, total, stages = timed_analysis(paths)
    _, warm, warm_stages = timed_analysis(paths)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # before the bare read, so it is the pipeline's own
    bare_seconds, bare_rows = bare_read(paths)
    queue.put(
        {
            "label": label,
            "rows": rows,
            "seconds": total,
            "stages": stages,
            "warm_seconds": warm,
            "warm_stages": warm_stages,
            "bare_seconds": bare_seconds,
            "bare_rows": bare_rows,
            "peak_mb": peak_mb,
        }
    )


def measure(label: str, paths: list[Path]) -> dict[str, object]:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=run, args=(label, paths, queue))
    process.start()
    figures = queue.get()
    process.join()
    return figures  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--skip-real", action="store_true")
    args = parser.parse_args()
    inputs: list[tuple[str, list[Path]]] = []
    if not args.skip_real and SHARED.exists():
        inputs += [
            ("Devon FY24/25 (6 months)", [SHARED / "devon" / "fy2024_25_gz"]),
            ("Calderdale FY21/22 (9 months)", [SHARED / "calderdale" / "fy2021_22"]),
        ]
    with tempfile.TemporaryDirectory() as tmp:
        for rows in sorted({args.rows // 4, args.rows}):
            folder = Path(tmp) / f"generated-{rows}"
            generate(folder, rows)
            inputs.append((f"generated, {rows:,} rows", [folder]))
        results = [measure(label, paths) for label, paths in inputs]
    for r in results:
        rows, seconds, bare = int(r["rows"]), float(r["seconds"]), float(r["bare_seconds"])  # type: ignore[arg-type]
        print(f"\n{r['label']}: {rows:,} rows")
        print(f"  end to end      {seconds:7.2f} s  {rows / seconds:>12,.0f} rows/s  {rows / seconds * 60:>14,.0f} rows/min")
        for stage, s in r["stages"].items():  # type: ignore[attr-defined]
            print(f"    {stage:<12} {s:7.2f} s  {rows / s if s else 0:>12,.0f} rows/s")
        warm = float(r["warm_seconds"])  # type: ignore[arg-type]
        print(f"  warm            {warm:7.2f} s  {rows / warm:>12,.0f} rows/s  {rows / warm * 60:>14,.0f} rows/min")
        for stage, s in r["warm_stages"].items():  # type: ignore[attr-defined]
            print(f"    {stage:<12} {s:7.2f} s  {rows / s if s else 0:>12,.0f} rows/s")
        print(
            f"  DuckDB bare read {bare:6.2f} s  {int(r['bare_rows']) / bare:>12,.0f} rows/s;  "
            f"pipeline / bare = {seconds / bare:.1f}x cold, {warm / bare:.1f}x warm"
        )  # type: ignore[arg-type]
        print(f"  peak memory     {float(r['peak_mb']):7.0f} MB")  # type: ignore[arg-type]
    print("\n" + json.dumps(results, default=str))


if __name__ == "__main__":
    main()
