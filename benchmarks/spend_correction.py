"""A supplier correction, measured from the editor's click to the updated dashboard, on a council with about 100,000
payments: the correction applied to the latest analysis in the database (services.apply_corrections: payments and
suppliers read back, indicators calculated again, only the charts by type drawn again), against what a correction
cost before (every file read and analysed again, and every payment saved again).

    .venv/bin/python benchmarks/spend_correction.py [--rows 100000] [--repeat 3]

It builds its own SQLite database in a temporary folder (or uses the DATABASE_URL you give it) and runs analyses
synchronously, as the worker would. Target: under 2 s from correction to updated dashboard.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kil-correction-") as tmp:
        var = Path(tmp) / "var"
        var.mkdir()
        os.environ["KIL_VAR_DIR"] = str(var)
        os.environ["KIL_TASKS_BACKEND"] = "django_tasks.backends.immediate.ImmediateBackend"
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keepitlocal.settings")
        import django

        django.setup()
        from django.core.files.uploadedfile import SimpleUploadedFile
        from django.core.management import call_command
        from django.test import Client
        from spend_pipeline import generate

        from keepitlocal.network.demo import load_demo
        from keepitlocal.network.models import Council
        from keepitlocal.spend import analysis, services
        from keepitlocal.spend.models import AnalysisRun, Payment, Supplier

        call_command("migrate", verbosity=0)
        load_demo()
        council = Council.objects.get(gss_code="E08000033")
        folder = Path(tmp) / "files"
        generate(folder, args.rows)
        for path in sorted(folder.iterdir()):
            services.store_upload(council, SimpleUploadedFile(path.name, path.read_bytes()), None)
        started = time.perf_counter()
        run = AnalysisRun.objects.create(council=council)
        analysis.run_analysis(run)
        full_seconds = time.perf_counter() - started
        run.refresh_from_db()
        assert run.status == "succeeded", run.message
        payments = Payment.objects.filter(council=council).count()
        client = Client()
        client.force_login(council.roles.filter(kind="council_editor").first().user)  # type: ignore[union-attr]
        dashboard = f"/manage/councils/{council.gss_code}/spend/"
        client.get(dashboard)
        timings = []
        suppliers = list(Supplier.objects.filter(council=council).order_by("-total_amount")[: args.repeat])
        for n, supplier in enumerate(suppliers):
            started = time.perf_counter()
            services.correct_supplier(supplier, "vcse" if n % 2 == 0 else "public", "", "Benchmark correction", None)
            corrected = services.apply_corrections(council)
            page = client.get(dashboard)
            timings.append(time.perf_counter() - started)
            assert corrected.based_on is not None and page.status_code == 200
        print(f"{payments:,} payments, {Supplier.objects.filter(council=council).count():,} suppliers")
        print(f"full analysis of the files (what a correction cost before): {full_seconds:.2f} s")
        print(
            f"correction to updated dashboard: median {statistics.median(timings):.2f} s, "
            f"slowest {max(timings):.2f} s over {len(timings)} corrections"
        )


if __name__ == "__main__":
    main()
