"""The import-linter contracts cover every engine (a new one must take its place in them) and fail on a deliberate
wrong import, tried on a copy of the package so the tree is never touched."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "keepitlocal"


def _contracts() -> list[dict[str, Any]]:
    contracts: list[dict[str, Any]] = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    return contracts


def _named(name: str) -> dict[str, Any]:
    return next(c for c in _contracts() if str(c["name"]).startswith(name))


def test_every_engine_is_held_by_the_contracts() -> None:
    engines = {f"keepitlocal.{path.parent.parent.name}.engine" for path in PACKAGE.glob("*/engine/__init__.py")}
    capability_engines = engines - {"keepitlocal.reports.engine"}  # the shared kit, a layer of its own
    assert capability_engines == set(_named("Each capability's engine stands alone")["modules"])
    for contract in ("Engines are pure Python", "Engines import no app code"):
        assert engines | {"keepitlocal.common"} == set(_named(contract)["source_modules"])
    ours = {
        path.stem if path.is_file() else path.name
        for path in PACKAGE.iterdir()
        if path.suffix == ".py" or (path / "__init__.py").exists()
    }
    ours -= {
        "__init__",
        "common",
        "urls",
        "wsgi",
        "manage",
        "exactjson",
        "jinja2",
        "logs",
    }  # entry points, and leaves common may use
    forbidden = {str(m).removeprefix("keepitlocal.") for m in _named("Common (value types")["forbidden_modules"]}
    assert ours == forbidden


@pytest.mark.parametrize(
    ("module", "wrong"),
    [
        ("spend/engine/wrong.py", "from keepitlocal.value.engine import grants\n"),  # one engine on another
        ("common/wrong.py", "from keepitlocal.spend.engine import indicators\n"),  # the kit on a capability
        ("connections/engine/wrong.py", "import django\n"),  # an engine on Django
        ("spend/wrong.py", "from keepitlocal.pages import next_steps\n"),  # a capability on the pages above it
        ("spend/figures.py", "from keepitlocal.spend import services\n"),  # a layer on one above it
        ("spend/models.py", "from keepitlocal.spend.tasks import analyse_council\n"),  # models on the tasks
        ("connections/newcomer.py", "\n"),  # a module that has not taken its place in the layers
    ],
)
def test_a_wrong_import_breaks_a_contract(tmp_path: Path, module: str, wrong: str) -> None:
    copy = tmp_path / "src" / "keepitlocal"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "jinja2", "static", "migrations"))
    assert (copy / module).parent.is_dir()
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    lint = [str(Path(sys.executable).parent / "lint-imports"), "--config", str(tmp_path / "pyproject.toml"), "--no-cache"]
    environ = {"PYTHONPATH": str(tmp_path / "src"), "PATH": str(Path(sys.executable).parent)}
    clean = subprocess.run(lint, cwd=tmp_path, env=environ, capture_output=True, text=True, check=False)
    assert clean.returncode == 0, clean.stdout[-2000:]
    (copy / module).write_text(wrong)
    broken = subprocess.run(lint, cwd=tmp_path, env=environ, capture_output=True, text=True, check=False)
    assert broken.returncode != 0 and "BROKEN" in broken.stdout


def test_the_readme_tree_names_every_package() -> None:
    readme = (ROOT / "README.md").read_text()
    tree = readme.split("src/keepitlocal/\n", 1)[1].split("tests/unit", 1)[0]
    packages = {path.parent.name for path in PACKAGE.glob("*/__init__.py")}
    assert {name for name in packages if f"  {name}/" not in tree} == set()
