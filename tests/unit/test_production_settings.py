"""KIL_ENVIRONMENT=production refuses to start without what production needs, saying every missing thing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from keepitlocal.settings import production_problems

READY = {
    "KIL_SECRET_KEY": "k" * 50,
    "DATABASE_URL": "postgresql://app@db:5432/keepitlocal",
    "KIL_ALLOWED_HOSTS": "keepitlocal.example.org",
    "KIL_BASE_URL": "https://keepitlocal.example.org",
}


def test_ready_is_ready_and_each_lack_is_named() -> None:
    assert production_problems(READY) == []
    for name in READY:
        problems = production_problems({k: v for k, v in READY.items() if k != name})
        assert len(problems) == 1 and problems[0].startswith(name)
    assert production_problems({**READY, "KIL_SECRET_KEY": "short"})[0].startswith("KIL_SECRET_KEY")
    assert production_problems({**READY, "KIL_BASE_URL": "http://keepitlocal.example.org"})[0].startswith("KIL_BASE_URL")
    assert production_problems({**READY, "KIL_DEBUG": "1"})[0].startswith("KIL_DEBUG")


def _start(environ: dict[str, str], tmp: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("KIL_") and k != "DATABASE_URL"}
    code = "import django; django.setup(); from django.conf import settings; print(len(settings.SECRET_KEY))"
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, "DJANGO_SETTINGS_MODULE": "keepitlocal.settings", "KIL_VAR_DIR": tmp, **environ},
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_refuses_to_start_without_a_key_and_makes_none(tmp_path: Path) -> None:
    refused = _start({"KIL_ENVIRONMENT": "production"}, str(tmp_path))
    assert refused.returncode != 0 and "KIL_ENVIRONMENT is production, and it needs: KIL_SECRET_KEY" in refused.stderr
    assert not (tmp_path / "secret_key").exists()
    started = _start({"KIL_ENVIRONMENT": "production", **READY}, str(tmp_path))
    assert started.returncode == 0 and started.stdout.strip() == "50", started.stderr
    # Without KIL_ENVIRONMENT (trying the platform), a key is made once under var/ as before.
    assert _start({}, str(tmp_path)).returncode == 0 and (tmp_path / "secret_key").exists()
