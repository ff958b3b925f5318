"""CI runs every test: a test skipped there (its real data or browser missing) fails instead."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from tests import conftest


def _reported(require: bool, monkeypatch: pytest.MonkeyPatch) -> SimpleNamespace:
    monkeypatch.setattr(conftest, "REQUIRE_EVERY_TEST", require)
    report = SimpleNamespace(
        skipped=True, outcome="skipped", longrepr=("tests/x.py", 1, "Skipped: real data not available: spend/devon.csv")
    )
    hook = conftest.pytest_runtest_makereport(None, None)  # type: ignore[arg-type]
    next(hook)
    with pytest.raises(StopIteration):
        hook.send(SimpleNamespace(get_result=lambda: report))
    return report


def test_a_skip_fails_where_every_test_must_run_and_says_why(monkeypatch: pytest.MonkeyPatch) -> None:
    report = _reported(True, monkeypatch)
    assert report.outcome == "failed" and "real data not available: spend/devon.csv" in report.longrepr


def test_a_skip_stays_a_skip_elsewhere(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _reported(False, monkeypatch).outcome == "skipped"


def test_ci_requires_every_test() -> None:
    from pathlib import Path

    script = (Path(__file__).resolve().parents[2] / ".ci" / "run").read_text()
    assert "export KIL_REQUIRE_EVERY_TEST=1" in script
