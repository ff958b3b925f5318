"""One way through: pages and API endpoints read and call services; every write goes through a service (which audits
or logs it). Read from the source of every view module, so a new view that writes fails here."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "keepitlocal"
# Calls that write rows, whatever they are called on; `update` only on a queryset (a dict's update is not a write).
WRITES = {"save", "delete", "create", "bulk_create", "bulk_update", "get_or_create", "update_or_create", "save_m2m"}


def view_modules() -> list[Path]:
    found = [*PACKAGE.glob("*/*views.py"), *PACKAGE.glob("*/views/*.py"), *PACKAGE.glob("api/*.py")]
    return sorted(path for path in found if path.name != "__init__.py")


def writes_in(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        name, receiver = node.func.attr, node.func.value
        only_built = name == "save" and any(k.arg == "commit" and isinstance(k.value, ast.Constant) and k.value.value is False for k in node.keywords)  # fmt: skip
        queryset = isinstance(receiver, ast.Call) or (isinstance(receiver, ast.Attribute) and receiver.attr == "objects")
        if (name in WRITES and not only_built) or (name == "update" and queryset):
            found.append(f"line {node.lineno}: {ast.unparse(node)[:80]}")
    return found


def test_the_rule_finds_writes_and_lets_reads_and_built_forms_pass() -> None:
    source = """
def view(request, form, council, context):
    form.save()
    Council.objects.create(name="x")
    council.payments.filter(amount=0).update(amount=1)
    council.delete()
    form.save(commit=False)
    context.update(a=1)
    Council.objects.filter(name="x").count()
"""
    assert [line.split(":")[0] for line in writes_in(source)] == ["line 3", "line 4", "line 5", "line 6"]


def test_no_view_writes() -> None:
    modules = view_modules()
    assert len(modules) >= 10  # every capability's views and the API's routers were read
    found = {str(path.relative_to(PACKAGE)): writes for path in modules if (writes := writes_in(path.read_text()))}
    assert found == {}, "write through a service instead: " + repr(found)
