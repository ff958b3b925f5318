"""Every API operation, with a token of every kind of holder and with none: who gets in, and that a council's
records reach no one else. Each operation declares its rule as `x-access` in the OpenAPI document; an operation
without one fails, so each is decided on purpose."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from keepitlocal.accounts.models import Role, User
from keepitlocal.accounts.tokens import create_token
from keepitlocal.api.main import api
from keepitlocal.network.models import Council

pytestmark = pytest.mark.django_db
CALDERDALE, BRISTOL = "E08000033", "E06000023"

# Who each rule lets in, for Calderdale's records. Viewers and organisation editors cannot hold tokens.
ALLOWED = {
    "public": {"anonymous", "calderdale_editor", "bristol_editor", "network_admin"},
    "council_view": {"calderdale_editor", "network_admin"},
}
REFUSED_STATUS = {"anonymous": 401, "calderdale_editor": 403, "bristol_editor": 403, "network_admin": 403}


def tokens() -> dict[str, str | None]:
    bristol = User.objects.create_user("editor@bristol.example", "a-long-test-password")
    Role.objects.create(user=bristol, kind=Role.Kind.COUNCIL_EDITOR, council=Council.objects.get(gss_code=BRISTOL))
    return {
        "anonymous": None,
        "calderdale_editor": create_token(User.objects.get(email="editor@calderdale.example"), "walk", 30)[1],
        "bristol_editor": create_token(bristol, "walk", 30)[1],
        "network_admin": create_token(User.objects.get(email="admin@example.org"), "walk", 30)[1],
    }


def operations() -> list[tuple[str, str, dict[str, Any]]]:
    document = api.get_openapi_schema()
    return [(path, method, op) for path, ops in document["paths"].items() for method, op in ops.items()]


def filled(path: str, ids: dict[str, Any]) -> str:
    return path.format(**ids)  # the document names paths whole, /api/v1/ included


def ids() -> dict[str, Any]:
    from keepitlocal.directory.demo import load_demo_directory
    from keepitlocal.directory.models import Service
    from keepitlocal.spend.demo import load_demo_spend
    from keepitlocal.spend.models import AnalysisRun
    from keepitlocal.value.demo import load_demo_value
    from keepitlocal.value.models import ValueCase

    load_demo_spend()
    load_demo_value()
    load_demo_directory()
    run = AnalysisRun.objects.filter(council__gss_code=CALDERDALE, status="succeeded").first()
    assert run is not None
    return {
        "gss_code": CALDERDALE,
        "run_id": run.pk,
        "case_id": ValueCase.objects.get(is_demo=True).pk,
        "service_id": Service.objects.first().pk,  # type: ignore[union-attr]
    }


def test_every_api_operation_declares_its_rule_and_lets_in_only_those_it_names(demo: list[str], settings: Any) -> None:
    settings.KIL_API_RATE_PER_ADDRESS = settings.KIL_API_RATE_PER_TOKEN = 10_000
    found: list[str] = []
    known, held = ids(), tokens()
    client = Client()
    for path, method, op in operations():
        rule = op.get("x-access")
        if rule not in ALLOWED:
            found.append(f"{method.upper()} {path}: declares no known x-access rule ({rule!r})")
            continue
        url = filled(path, known)
        for role, token in held.items():
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            response = client.generic(method.upper(), url, headers=headers)
            if role in ALLOWED[rule]:
                if response.status_code != 200:
                    found.append(f"{method.upper()} {path} as {role}: {response.status_code}, expected 200")
            elif response.status_code != REFUSED_STATUS[role]:
                found.append(f"{method.upper()} {path} as {role}: {response.status_code}, expected {REFUSED_STATUS[role]}")
            elif set(response.json()) != {"code", "message"}:
                found.append(f"{method.upper()} {path} as {role}: a refusal that is not an error object")
    assert found == []
    assert len(operations()) >= 14


def test_a_token_carries_its_owners_roles_as_they_are_now(demo: list[str]) -> None:
    editor = User.objects.get(email="editor@calderdale.example")
    _, token = create_token(editor, "script", 30)
    url = f"/api/v1/councils/{CALDERDALE}/actions"
    client = Client(headers={"Authorization": f"Bearer {token}"})
    assert client.get(url).status_code == 200
    Role.objects.filter(user=editor).delete()  # no longer an editor: the token no longer works
    assert client.get(url).status_code == 401
