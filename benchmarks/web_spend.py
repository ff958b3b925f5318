"""Spend in the platform, measured: upload to finished dashboard for the real Devon and Calderdale files, and
page latency (p50, p95) over 20 concurrent clients on loopback with about a million payments to about 5,000
suppliers loaded: the dashboard (its figures are kept per analysis, as every user of the council gets them, and its
first view after an analysis is timed apart), the supplier search (every request a different search, filter, order
or page: no two share a cached page) and a supplier's page (every request a different supplier).

    .venv/bin/python benchmarks/web_spend.py [--rows 1000000] [--clients 20] [--seconds 20] [--uploads-only]

The load comes from wrk when it is installed (`bash scripts/ensure-debian-packages.sh wrk`), else from Python
threads in this process, which compete with the server for the cores and overstate its latency.

It builds its own database in a temporary folder (SQLite, or the DATABASE_URL you give it), runs analyses
synchronously (as the worker would), then serves the app as in production (gunicorn, 2 workers x 4 threads)
on 127.0.0.1.
Target: p95 under 300 ms.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data" / "real" / "spend"


def setup(var: Path) -> None:
    os.environ["KIL_VAR_DIR"] = str(var)
    os.environ["KIL_TASKS_BACKEND"] = "django_tasks.backends.immediate.ImmediateBackend"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keepitlocal.settings")
    import django

    from keepitlocal.config import prepare

    prepare()
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    # As the task worker does when it starts (SpendConfig.ready): the first upload does not pay for the imports.
    from keepitlocal.spend.analysis import warm_up

    warm_up()
    from keepitlocal.network.demo import load_demo

    load_demo()


def upload_and_analyse(gss_code: str, name: str, files: list[Path]) -> tuple[float, int]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from keepitlocal.network.models import Council
    from keepitlocal.spend.analysis import run_analysis
    from keepitlocal.spend.models import AnalysisRun, Payment
    from keepitlocal.spend.services import store_upload

    council, _ = Council.objects.get_or_create(
        gss_code=gss_code, defaults={"name": name, "council_type": "county", "nation": "England"}
    )
    started = time.perf_counter()
    for path in files:
        store_upload(council, SimpleUploadedFile(path.name, path.read_bytes()), None)
    run = AnalysisRun.objects.create(council=council)
    run_analysis(run)
    run.refresh_from_db()
    assert run.status == "succeeded", run.message
    return time.perf_counter() - started, Payment.objects.filter(council=council).count()


def serve(var: Path, port: int) -> subprocess.Popen[bytes]:
    """The app as the README runs it in production: gunicorn, 2 workers x 4 threads, connections reused."""
    env = {**os.environ, "KIL_VAR_DIR": str(var), "KIL_DB_CONN_MAX_AGE": "60"}
    gunicorn = Path(sys.executable).parent / "gunicorn"
    process = subprocess.Popen(
        [
            str(gunicorn),
            "keepitlocal.wsgi:application",
            "--workers",
            "2",
            "--threads",
            "4",
            "--worker-class",
            "gthread",
            "--bind",
            f"127.0.0.1:{port}",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)
            return process
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the server did not start")


def load(url: str | list[str], cookie: str, clients: int, requests: int) -> list[float]:
    """Timings of `clients` threads each making `requests` requests; a list of URLs is taken in turn, so that
    every request asks for a different page."""
    timings: list[float] = []
    lock = threading.Lock()
    urls = [url] if isinstance(url, str) else url
    turn = iter(range(10**9))

    def client() -> None:
        for _ in range(requests):
            with lock:
                target = urls[next(turn) % len(urls)]
            request = urllib.request.Request(target, headers={"Cookie": cookie})  # noqa: S310 - loopback only
            started = time.perf_counter()
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - loopback only
                response.read()
                assert response.status == 200
            with lock:
                timings.append((time.perf_counter() - started) * 1000)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return timings


def wrk_load(urls: str | list[str], cookie: str, clients: int, seconds: int) -> tuple[float, float, int] | None:
    """p50 and p95 from wrk (Debian's wrk), a C client that barely competes with the server for the two cores,
    taking the URLs in turn so that every request asks for a different page; None when wrk is not installed."""
    if not shutil.which("wrk"):
        return None
    targets = [urls] if isinstance(urls, str) else urls
    origin = re.match(r"https?://[^/]+", targets[0])
    assert origin is not None
    paths = ",\n".join(f'"{target[origin.end() :]}"' for target in targets)
    script = f"""
local paths = {{
{paths}
}}
local turn = 0
request = function()
  turn = turn + 1
  return wrk.format("GET", paths[(turn % #paths) + 1], {{["Cookie"] = "{cookie}"}})
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %d %d %d %d\\n", latency:percentile(50), latency:percentile(95),
    summary.requests, summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout))
end
"""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    try:
        command = ["wrk", "-t1", f"-c{clients}", f"-d{seconds}s", "--timeout", "30s", "-s", handle.name, origin.group(0)]
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(handle.name)
    found = re.search(r"^RESULT (\d+) (\d+) (\d+) (\d+) (\d+)$", output, re.MULTILINE)
    if found is None:
        raise RuntimeError(f"wrk printed no result:\n{output}")
    p50, p95, count, bad_status, socket_errors = (int(value) for value in found.groups())
    if bad_status or socket_errors:
        raise RuntimeError(f"wrk saw {bad_status} non-2xx/3xx responses and {socket_errors} socket errors:\n{output}")
    return p50 / 1000, p95 / 1000, count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=15, help="per client, when wrk is not installed")
    parser.add_argument("--seconds", type=int, default=20, help="of load per page kind, with wrk")
    parser.add_argument("--uploads-only", action="store_true", help="measure upload to dashboard alone, no page load")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kil-web-") as tmp:
        var = Path(tmp)
        setup(var)
        if SHARED.exists():
            devon = sorted((SHARED / "devon" / "fy2024_25_gz").glob("*.gz"))
            seconds, rows = upload_and_analyse("E10000008", "Devon", devon)
            print(f"Devon, 6 months: upload to finished dashboard {seconds:.1f} s ({rows:,} payments), a started worker's first")
            # The same files as another council's: a worker's later analyses, its imports and first connections paid for.
            seconds, rows = upload_and_analyse("E10000009", "Devon again", devon)
            print(f"Devon, 6 months: upload to finished dashboard {seconds:.1f} s ({rows:,} payments), a later analysis")
            seconds, rows = upload_and_analyse(
                "E08000033", "Calderdale", sorted((SHARED / "calderdale" / "fy2021_22").glob("*.csv"))
            )
            print(f"Calderdale, 9 months: upload to finished dashboard {seconds:.1f} s ({rows:,} payments)")
        sys.path.insert(0, str(ROOT / "benchmarks"))
        from spend_pipeline import generate

        generated = var / "generated"
        generate(generated, args.rows, spread=0.3)
        seconds, rows = upload_and_analyse("E08000035", "Leeds", sorted(generated.glob("*.gz")))
        print(f"Generated, {args.rows:,} rows: upload to finished dashboard {seconds:.1f} s ({rows:,} payments loaded)")
        if args.uploads_only:
            return

        from django.test import Client

        from keepitlocal.accounts.models import User

        client = Client()
        client.force_login(User.objects.get(email="admin@example.org"), backend="keepitlocal.accounts.backends.EmailBackend")
        cookie = f"sessionid={client.cookies['sessionid'].value}"
        port = 8765
        server = serve(var, port)
        try:
            from keepitlocal.spend.models import Supplier

            suppliers = Supplier.objects.filter(council__gss_code="E08000035").count()
            base = f"http://127.0.0.1:{port}/manage/councils/E08000035/spend/"
            dashboard = base
            started = time.perf_counter()
            load(dashboard + "?year=2024/25", cookie, 1, 1)
            print(
                f"dashboard, first view after an analysis (figures rendered and kept): {(time.perf_counter() - started) * 1000:.0f} ms"
            )
            words = ["trust", "care", "ltd", "community", "1", "22", "road", "services", "group", "north"]
            searches = [
                f"{base}suppliers/?q={w}&sort={s}&page={p}" + (f"&type={t}" if t else "")
                for w in words
                for s in ("spend", "name", "confidence")
                for p in (1, 2)
                for t in ("", "private", "unknown")
            ]
            keys = list(Supplier.objects.filter(council__gss_code="E08000035").values_list("key", flat=True))
            pages = [f"{base}suppliers/{key}/" for key in keys]
            for label, target in [("dashboard", dashboard), ("supplier search", searches), ("supplier page", pages)]:
                load(
                    target if isinstance(target, str) else target[-8:], cookie, 4, 2
                )  # each worker and thread opens its connections
                measured = wrk_load(target, cookie, args.clients, args.seconds)
                if measured is not None:
                    p50, p95, count = measured
                    client_kind = f"wrk, {args.seconds} s"
                else:
                    timings = load(target, cookie, args.clients, args.requests)
                    p50, p95, count = statistics.median(timings), statistics.quantiles(timings, n=20)[18], len(timings)
                    client_kind = "Python threads"
                distinct = 1 if isinstance(target, str) else min(len(target), count)
                print(
                    f"{label} with {rows:,} payments and {suppliers:,} suppliers: {count} requests ({distinct} different pages) "
                    f"from {args.clients} concurrent clients ({client_kind}), p50 {p50:.0f} ms, p95 {p95:.0f} ms"
                )
        finally:
            server.terminate()
            server.wait()


if __name__ == "__main__":
    main()
