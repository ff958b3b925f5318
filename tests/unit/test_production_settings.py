"""KIL_ENVIRONMENT=production refuses to start without what production needs, saying every missing thing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from keepitlocal.config import Config, ConfigError, prepare


def production_problems(environ: dict[str, str]) -> list[str]:
    return Config.from_environ(environ).problems()


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
    code = (
        "import django, hashlib; django.setup(); from django.conf import settings; "
        "print(len(settings.SECRET_KEY), hashlib.sha256(settings.SECRET_KEY.encode()).hexdigest())"
    )
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
    assert started.returncode == 0 and started.stdout.split()[0] == "50", started.stderr


def test_importing_the_settings_writes_nothing_and_the_entry_points_prepare_a_key_kept_between_starts(tmp_path: Path) -> None:
    var = tmp_path / "var"
    first, second = _start({}, str(var)), _start({}, str(var))
    assert first.returncode == 0 and not var.exists()  # nothing written; each process a key of its own
    assert first.stdout.split()[1] != second.stdout.split()[1]
    prepare(Config.from_environ({"KIL_VAR_DIR": str(var)}))  # as `kil`, manage.py and the WSGI application do
    assert (var / "secret_key").exists() and (var / "staticfiles").is_dir()
    kept = [_start({}, str(var)).stdout.split()[1] for _ in range(2)]
    assert kept[0] == kept[1]  # trying the platform, sessions and signed backups survive a restart


def test_a_value_that_does_not_read_as_its_type_is_refused_naming_the_variable() -> None:
    for name, value in (("KIL_SESSION_IDLE_MINUTES", "two hours"), ("KIL_HTTPS", "yes"), ("KIL_DEMO_SCALE", "half")):
        with pytest.raises(ConfigError, match=name):
            Config.from_environ({name: value})
    found = Config.from_environ({"KIL_ALLOWED_HOSTS": "a.example, b.example", "KIL_HTTPS": "1", "KIL_PROXY_COUNT": "2"})
    assert found.allowed_hosts == ("a.example", "b.example") and found.https and found.proxy_count == 2


def test_docs_name_every_variable_and_no_other() -> None:
    import dataclasses
    import re

    documented = set(re.findall(r"^\| `([A-Z_]+)` \|", (ROOT / "docs" / "CONFIGURATION.md").read_text(), flags=re.MULTILINE))
    assert documented == {f.metadata["env"] for f in dataclasses.fields(Config)}


ROOT = Path(__file__).resolve().parents[2]
