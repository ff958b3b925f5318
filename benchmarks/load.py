"""Mixed load and soak on loopback: readers on public and private pages, the API, the reconciliation service and a
public connections page, people signing in and submitting the join form, and, in the middle of it, an analysis saving
its payments, for a bounded time. Prints the requests made, the errors (any answer other than the one expected, or no
answer), the answers "busy, try again" (503 with Retry-After, counted apart from errors), p50 and p95 of each kind,
and the join submissions lost (answered as accepted but not in the database afterwards).

    .venv/bin/python benchmarks/load.py [--seconds 60] [--readers 12] [--joiners 4] [--rows 100000]
    .venv/bin/python benchmarks/load.py --seconds 120 --readers 16 --joiners 4 --rows 600000   # issue 26's load
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/kil_load .venv/bin/python benchmarks/load.py

It builds its own database in a temporary folder (the embedded SQLite, or the empty PostgreSQL database DATABASE_URL
names), loads the demo network, and serves the app as in production (gunicorn, 2 workers x 4 threads, behind one
"proxy": each join submission comes from its own address in X-Forwarded-For, as people do, so the per-client limits
of the join form do not refuse them). The analysis runs in its own process, as the worker would.
Target: 0 errors, 0 lost submissions, on both databases.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from web_spend import serve  # the app as production runs it (gunicorn 2 x 4 threads), with this process's environment

PUBLIC = ["/", "/councils/", "/compare/spend/", "/councils/E08000033/", "/principles/", "/join/"]
SIGNER_ACCOUNTS = 400
API = ["/api/v1/councils", "/api/v1/councils/E08000033", "/api/v1/comparison", "/api/v1/principles",
       "/reconcile?queries=" + urllib.parse.quote('{"q0": {"query": "Calder Valley Hub"}}')]  # fmt: skip
PRIVATE = ["/manage/councils/E08000033/", "/manage/councils/E08000033/spend/", "/manage/councils/E08000033/assessment/",
           "/manage/councils/E08000033/connections/", "/network/", "/network/registers/"]  # fmt: skip


def environment(var: Path) -> dict[str, str]:
    return {
        **os.environ,
        "KIL_VAR_DIR": str(var),
        "DJANGO_SETTINGS_MODULE": "keepitlocal.settings",
        "KIL_TASKS_BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "KIL_PROXY_COUNT": "1",
        "KIL_DB_CONN_MAX_AGE": "60",
        "KIL_LOG_LEVEL": "ERROR",
    }


def prepare(var: Path, rows: int) -> None:
    """The database, the demo network, and a spend file of `rows` payments stored for Calderdale (not yet analysed)."""
    os.environ.update(environment(var))
    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from keepitlocal.network.demo import load_demo
    from keepitlocal.network.models import Council
    from keepitlocal.spend.services import store_upload

    load_demo()
    lines = ["Supplier Name,Amount,Date,Expense Area"]
    lines += [
        f"Supplier {n % 4000} Ltd,{100 + n % 9000}.{n % 100:02d},2025-{4 + n % 9:02d}-{1 + n % 28:02d},Area {n % 12}"
        for n in range(rows)
    ]
    from keepitlocal.accounts.models import User

    # People signing in, each account a few times (an account's own limit on attempts is for guessing, not this).
    User.objects.bulk_create(
        User(email=f"load-signer-{n}@example.org", password=User.objects.get(email="editor@calderdale.example").password)
        for n in range(SIGNER_ACCOUNTS)
    )
    council = Council.objects.get(gss_code="E08000033")
    store_upload(council, SimpleUploadedFile("load-100k.csv", ("\n".join(lines) + "\n").encode()), None)


def analyse(var: Path) -> subprocess.Popen[bytes]:
    """Calderdale's analysis, in its own process, as the task worker runs it."""
    code = (
        "import django; django.setup()\n"
        "from keepitlocal.spend.models import AnalysisRun\n"
        "from keepitlocal.network.models import Council\n"
        "from keepitlocal.spend.analysis import run_analysis\n"
        "run = AnalysisRun.objects.create(council=Council.objects.get(gss_code='E08000033'))\n"
        "run_analysis(run); run.refresh_from_db()\n"
        "from keepitlocal.spend.models import Payment\n"
        "print(run.status, Payment.objects.filter(council=run.council).count(), run.message[:200])\n"
    )
    return subprocess.Popen([sys.executable, "-c", code], env=environment(var), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


class Tally:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.timings: dict[str, list[float]] = {}
        self.by_path: dict[str, list[float]] = {}
        self.errors: list[str] = []
        self.busy: list[str] = []
        self.accepted: list[str] = []

    def record(self, kind: str, started: float, error: str = "", busy: bool = False, path: str = "") -> None:
        with self.lock:
            took = (time.perf_counter() - started) * 1000
            self.timings.setdefault(kind, []).append(took)
            if path:
                self.by_path.setdefault(path.split("?")[0], []).append(took)
            if busy:
                self.busy.append(kind)
            elif error:
                self.errors.append(f"{kind}: {error}")


def _opener() -> urllib.request.OpenerDirector:
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect())


def _csrf(opener: urllib.request.OpenerDirector, url: str) -> str:
    with opener.open(url, timeout=60) as response:
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.read().decode())
    assert found is not None, url
    return found.group(1)


def _post(opener: urllib.request.OpenerDirector, url: str, data: dict[str, str], headers: dict[str, str]) -> int:
    request = urllib.request.Request(url, urllib.parse.urlencode(data).encode(), headers={"Referer": url, **headers})  # noqa: S310
    try:
        with opener.open(request, timeout=60) as response:
            response.read()
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def signed_in(base: str, email: str) -> urllib.request.OpenerDirector:
    opener = _opener()
    token = _csrf(opener, base + "/account/sign-in/")
    status = _post(
        opener, base + "/account/sign-in/", {"csrfmiddlewaretoken": token, "email": email, "password": "keepitlocal-demo"}, {}
    )
    assert status == 302, f"sign-in answered {status}"
    return opener


def reader(base: str, opener: urllib.request.OpenerDirector, paths: list[str], kind: str, until: float, tally: Tally) -> None:
    turn = 0
    while time.monotonic() < until:
        path = paths[turn % len(paths)]
        turn += 1
        # Each request of the API's readers from its own address, as many users are: the per-address limits hold.
        headers = {"X-Forwarded-For": f"10.200.{turn // 250 % 250}.{turn % 250}"} if kind == "api" else {}
        started = time.perf_counter()
        try:
            with opener.open(urllib.request.Request(base + path, headers=headers), timeout=60) as response:  # noqa: S310
                response.read()
                tally.record(kind, started, "" if response.status == 200 else f"{path} answered {response.status}", path=path)
        except urllib.error.HTTPError as error:
            busy = error.code == 503 and bool(error.headers.get("Retry-After"))
            tally.record(kind, started, f"{path} answered {error.code}", busy=busy, path=path)
        except Exception as error:  # every failure counts: a refused connection, a timeout
            tally.record(kind, started, f"{path}: {error}", path=path)


def signer(base: str, number: int, until: float, tally: Tally) -> None:
    """Someone signing in again and again (a fresh session each time), from addresses of their own."""
    sent = 0
    while time.monotonic() < until:
        sent += 1
        opener = _opener()
        started = time.perf_counter()
        try:
            token = _csrf(opener, base + "/account/sign-in/")
            email = f"load-signer-{(number * 1000 + sent) % SIGNER_ACCOUNTS}@example.org"
            data = {"csrfmiddlewaretoken": token, "email": email, "password": "keepitlocal-demo"}
            status = _post(opener, base + "/account/sign-in/", data, {"X-Forwarded-For": f"10.250.{number}.{sent % 250}"})
            tally.record("sign-in", started, "" if status == 302 else f"answered {status}", busy=status == 503)
        except Exception as error:
            tally.record("sign-in", started, str(error))


def joiner(base: str, number: int, calderdale: str, until: float, tally: Tally) -> None:
    opener = _opener()
    token = _csrf(opener, base + "/join/")
    sent = 0
    while time.monotonic() < until:
        sent += 1
        email = f"load-{number}-{sent}@example.org"
        data = {"csrfmiddlewaretoken": token, "kind": "organisation", "name": f"Load {number}-{sent}", "email": email,
                "organisation_name": f"Load group {number}-{sent}", "home_council": calderdale}  # fmt: skip
        started = time.perf_counter()
        try:
            status = _post(opener, base + "/join/", data, {"X-Forwarded-For": f"10.{number}.{sent // 250}.{sent % 250}"})
            tally.record("join", started, "" if status == 302 else f"answered {status}")
            if status == 302:
                with tally.lock:
                    tally.accepted.append(email)
        except Exception as error:
            tally.record("join", started, str(error))


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--readers", type=int, default=12)
    parser.add_argument("--joiners", type=int, default=4)
    parser.add_argument("--signers", type=int, default=2)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    database = "PostgreSQL" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "SQLite"
    with tempfile.TemporaryDirectory(prefix="kil-load-") as tmp:
        var = Path(tmp)
        prepare(var, args.rows)
        from keepitlocal.network.models import Council, NetworkMember

        calderdale = str(Council.objects.get(gss_code="E08000033").pk)
        from keepitlocal.connections.models import ConnectionMap

        shared = ConnectionMap.objects.filter(publish_summary=True).values_list("organisation_id", flat=True).first()
        public = PUBLIC + ([f"/organisations/{shared}/connections/"] if shared else [])
        server = serve(var, args.port)
        base = f"http://127.0.0.1:{args.port}"
        tally = Tally()
        try:
            editor, admin = signed_in(base, "editor@calderdale.example"), signed_in(base, "admin@example.org")
            until = time.monotonic() + args.seconds
            threads = []
            for n in range(args.readers):
                if n % 2:
                    opener, paths, kind = (editor, PRIVATE[:4], "private") if n % 4 == 1 else (admin, PRIVATE[4:], "private")
                elif n % 4 == 2:
                    opener, paths, kind = _opener(), API, "api"
                else:
                    opener, paths, kind = _opener(), public, "public"
                threads.append(threading.Thread(target=reader, args=(base, opener, paths, kind, until, tally)))
            threads += [threading.Thread(target=joiner, args=(base, n, calderdale, until, tally)) for n in range(args.joiners)]
            threads += [threading.Thread(target=signer, args=(base, n, until, tally)) for n in range(args.signers)]
            for thread in threads:
                thread.start()
            time.sleep(min(5, args.seconds / 4))
            analysis_started = time.perf_counter()
            analysis = analyse(var)
            output, _ = analysis.communicate()
            analysis_seconds = time.perf_counter() - analysis_started
            for thread in threads:
                thread.join()
        finally:
            server.terminate()
            server.wait()
        stored = set(NetworkMember.objects.filter(email__startswith="load-").values_list("email", flat=True))
        lost = [email for email in tally.accepted if email not in stored]
        total = sum(len(t) for t in tally.timings.values())
        print(
            f"{database}, {args.seconds} s, {args.readers} readers, {args.joiners} people joining and {args.signers} signing in, "
            "gunicorn 2 x 4 threads"
        )
        print(f"analysis of {args.rows:,} payments during the load: {output.decode().strip()} ({analysis_seconds:.1f} s)")
        for kind, timings in sorted(tally.timings.items()):
            print(
                f"  {kind:<8} {len(timings):>6} requests  p50 {statistics.median(timings):7.0f} ms  "
                f"p95 {_percentile(timings, 0.95):7.0f} ms"
            )
        print("  each page read, slowest p95 first:")
        for path, timings in sorted(tally.by_path.items(), key=lambda item: -_percentile(item[1], 0.95)):
            print(
                f"    {path[:60]:<60} {len(timings):>5}  p50 {statistics.median(timings):6.0f} ms  p95 {_percentile(timings, 0.95):6.0f} ms"
            )
        print(
            f"requests {total}, errors {len(tally.errors)}, busy (503 with Retry-After) {len(tally.busy)}, "
            f"join submissions accepted {len(tally.accepted)}, lost {len(lost)}"
        )
        from collections import Counter

        for error, count in Counter(tally.errors).most_common(10):
            print(f"  error ({count} times): {error}")


if __name__ == "__main__":
    main()
