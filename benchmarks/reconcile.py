"""Reconciliation against a register the size of Companies House: a generated register of 5,000,000 organisations
(charities and companies with names built from real-looking words) loaded into the registers' DuckDB tables, then
batches of 10 queries (OpenRefine's batch) timed: names as councils publish them, some exact, some misspelt.
Target: a batch of 10 in under 10 seconds on two cores.

    .venv/bin/python benchmarks/reconcile.py [--organisations 5000000] [--batches 5]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from keepitlocal.reconcile.engine.matching import Catalogue, Query  # noqa: E402
from keepitlocal.spend.engine.registers import Registers  # noqa: E402

PLACES = ["Halifax", "Calder", "Todmorden", "Brighouse", "Leeds", "Bradford", "Bristol", "Exeter", "Trafford", "Wigan",
          "Sowerby", "Hebden", "Elland", "Ripponden", "Keighley", "Otley", "Ilkley", "Pudsey", "Morley", "Batley"]  # fmt: skip
WORDS = ["Community", "Youth", "Food", "Bank", "Carers", "Arts", "Housing", "Care", "Sports", "Heritage", "Garden",
         "Family", "Mental", "Health", "Advice", "Learning", "Music", "Theatre", "Trust", "Network", "Forum", "Hub",
         "Centre", "Partnership", "Services", "Solutions", "Builders", "Engineering", "Consulting", "Logistics"]  # fmt: skip
FORMS = ["Ltd", "Limited", "CIC", "Trust", "Association", "", "Group", "PLC"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--organisations", type=int, default=5_000_000)
    parser.add_argument("--batches", type=int, default=5)
    args = parser.parse_args()
    registers = Registers()
    started = time.perf_counter()
    # Names from word lists passed as parameters; the row count is the only number in the text.
    registers.con.execute(
        """INSERT INTO orgs
           SELECT CASE WHEN i % 5 = 0 THEN 'GB-CHC-' || (1000000 + i) ELSE 'GB-COH-' || lpad(i::VARCHAR, 8, '0') END,
                  name, lower(name), 'HX1 1AA', CASE WHEN i % 5 = 0 THEN 'vcse' ELSE 'private' END, 'generated', 'benchmark'
           FROM (SELECT i, list_element($places, (hash(i) % len($places))::INT + 1) || ' ' ||
                            list_element($words, (hash(i * 7) % len($words))::INT + 1) || ' ' ||
                            list_element($words, (hash(i * 13) % len($words))::INT + 1) || ' ' || i::VARCHAR AS name
                 FROM range($n) t(i))""",
        {"places": PLACES, "words": WORDS, "n": args.organisations},
    )
    registers.finish()
    print(f"register: {args.organisations:,} organisations generated in {time.perf_counter() - started:.1f} s")
    catalogue = Catalogue(registers)
    names = [n for (n,) in registers.con.execute("SELECT name FROM orgs USING SAMPLE 200 ROWS").fetchall()]
    rnd = random.Random(4)
    times = []
    for _ in range(args.batches):
        batch = [rnd.choice(names) for _ in range(10)]
        batch = [n if rnd.random() < 0.5 else n.replace("a", "e", 1) + " " + rnd.choice(FORMS) for n in batch]
        t = time.perf_counter()
        found = [catalogue.search(Query(n, limit=3)) for n in batch]
        times.append(time.perf_counter() - t)
        assert all(found)
    print(f"batch of 10 queries: median {statistics.median(times):.2f} s, slowest {max(times):.2f} s ({args.batches} batches)")


if __name__ == "__main__":
    main()
