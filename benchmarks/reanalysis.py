"""Registers changed, every council analysed again, measured: from a register loaded to every council's analysis
finished, on the full demo (Calderdale, Bristol and Leeds, three financial years each, about 260,000 payments), run one
council after another as one worker runs the analyses the batch queues.

    .venv/bin/python benchmarks/reanalysis.py

It builds its own SQLite database in a temporary folder (or uses the DATABASE_URL you give it).
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="kil-reanalysis-") as tmp:
        os.environ["KIL_VAR_DIR"] = str(Path(tmp))
        os.environ["KIL_TASKS_BACKEND"] = "django_tasks.backends.immediate.ImmediateBackend"
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keepitlocal.settings")
        import django

        django.setup()
        from django.core.management import call_command

        from keepitlocal.network.demo import load_demo
        from keepitlocal.spend.demo import load_demo_spend
        from keepitlocal.spend.models import AnalysisRun, Payment, Reanalysis
        from keepitlocal.spend.registers import reanalyse_all

        call_command("migrate", verbosity=0)
        load_demo()
        started = time.perf_counter()
        load_demo_spend()
        print(f"demo spend loaded and analysed in {time.perf_counter() - started:.1f} s; {Payment.objects.count():,} payments")
        runs = AnalysisRun.objects.count()
        started = time.perf_counter()
        batch = reanalyse_all("benchmark: a register loaded")
        seconds = time.perf_counter() - started
        assert batch is not None
        batch = Reanalysis.objects.get(pk=batch.pk)
        done, failed = batch.progress()
        assert done == len(batch.runs) and not failed, failed
        print(
            f"register load to every council analysed again: {seconds:.1f} s for {len(batch.councils)} councils "
            f"({AnalysisRun.objects.count() - runs} analyses)"
        )


if __name__ == "__main__":
    main()
