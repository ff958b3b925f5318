"""The API's behaviour: every answer valid against the OpenAPI document, cursor pages that add up to the whole
list, CSV, JSON errors, rate limits with Retry-After, tokens created once and revoked, docs served from this site."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from keepitlocal.accounts.models import ApiToken, User
from keepitlocal.accounts.tokens import authenticate, create_token
from keepitlocal.api.main import api
from keepitlocal.network.models import Council
from keepitlocal.spend.models import Payment
from tests.integration.test_api_access import CALDERDALE, ids, operations

pytestmark = pytest.mark.django_db


def _check_against_document(document: dict[str, Any], path: str, method: str, status: int, body: Any) -> None:
    """Validates one JSON answer against the schema the document gives for it (its $refs resolved in the document)."""
    responses = document["paths"][path][method]["responses"]
    assert str(status) in responses, f"{method} {path} answered {status}, which the document does not declare"
    schema = responses[str(status)]["content"]["application/json"]["schema"]
    registry = Registry().with_resource("urn:openapi", Resource.from_contents(document, default_specification=DRAFT202012))
    rewritten = json.loads(json.dumps(schema).replace('"#/components/', '"urn:openapi#/components/'))
    Draft202012Validator(rewritten, registry=registry).validate(body)


def _text(response: Any) -> str:
    """A streamed download's whole text."""
    return b"".join(response.streaming_content).decode()


@pytest.fixture
def editor_token(demo: list[str]) -> str:
    return create_token(User.objects.get(email="editor@calderdale.example"), "tests", 30)[1]


def test_every_operation_answers_valid_against_the_openapi_document(editor_token: str, settings: Any) -> None:
    settings.KIL_API_RATE_PER_ADDRESS = 10_000
    document = Client().get("/api/v1/openapi.json").json()  # the document as published
    known = ids()
    client = Client(headers={"Authorization": f"Bearer {editor_token}"})
    checked = 0
    for path, method, _ in operations():
        response = client.generic(method.upper(), path.format(**known))
        assert response.status_code == 200, (path, response.content[:300])
        _check_against_document(document, path, method, 200, response.json())
        checked += 1
    assert checked == len(operations())
    # The docs page loads its files from this site.
    assert document["openapi"].startswith("3.") and document["paths"].keys() == api.get_openapi_schema()["paths"].keys()
    docs = Client().get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in docs and "cdn" not in docs.lower()
    bundle = Client().get("/static/ninja/swagger-ui-bundle.js")
    assert bundle.status_code == 200
    bundle.close()  # a file response: its file stays open until closed


def test_the_document_lists_error_answers_and_marks_public_operations_public(editor_token: str, settings: Any) -> None:
    """Each error answer an operation gives is in the document, against the Error schema; public operations need no
    token (a token, if sent, is checked), private ones do."""
    settings.KIL_API_RATE_PER_ADDRESS = 10_000
    document = Client().get("/api/v1/openapi.json").json()
    assert set(document["components"]["securitySchemes"]) == {"TokenAuth"}
    known = ids()
    for path, method, operation in [(p, m, o) for p, ops in document["paths"].items() for m, o in ops.items()]:
        public = operation["x-access"] == "public"
        assert operation["security"] == ([{}, {"TokenAuth": []}] if public else [{"TokenAuth": []}]), path
        for status in (400, 401, 404, 422, 429, 503) if public else (400, 401, 403, 404, 422, 429, 503):
            assert operation["responses"][str(status)]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/Error"
            }, (path, status)
        # The answers given without a token, and with a wrong one, are those listed, in the Error shape.
        for headers in ({}, {"Authorization": "Bearer kil_not-a-token"}):
            response = Client(headers=headers).generic(method.upper(), path.format(**known))
            if public and not headers:
                assert response.status_code == 200, path
            else:
                assert str(response.status_code) in operation["responses"], (path, response.status_code)
                _check_against_document(document, path, method, response.status_code, response.json())


def test_payments_come_in_cursor_pages_that_add_up_to_the_whole_list(editor_token: str) -> None:
    ids()
    client = Client(headers={"Authorization": f"Bearer {editor_token}"})
    seen: list[int] = []
    url = f"/api/v1/councils/{CALDERDALE}/payments?limit=7&type=vcse"
    while url:
        page = client.get(url).json()
        assert len(page["items"]) <= 7
        seen += [p["id"] for p in page["items"]]
        url = (
            f"/api/v1/councils/{CALDERDALE}/payments?limit=7&type=vcse&cursor={page['next_cursor']}"
            if page["next_cursor"]
            else ""
        )
    expected = list(
        Payment.objects.filter(council__gss_code=CALDERDALE, supplier_type="vcse")
        .order_by("date", "id")
        .values_list("id", flat=True)
    )
    assert seen == expected and len(seen) > 14
    bad = client.get(f"/api/v1/councils/{CALDERDALE}/payments?cursor=not-a-cursor")
    assert bad.status_code == 400 and bad.json()["code"] == "bad_cursor"


def test_suppliers_pages_add_up_and_a_cursor_from_an_older_analysis_is_refused(editor_token: str) -> None:
    from keepitlocal.spend.models import AnalysisRun, Supplier

    ids()
    client = Client(headers={"Authorization": f"Bearer {editor_token}"})
    base = f"/api/v1/councils/{CALDERDALE}/suppliers?limit=5"
    first = client.get(base).json()
    keys, page = [], first
    while True:
        keys += [s["key"] for s in page["items"]]
        if page["next_cursor"] is None:
            break
        page = client.get(f"{base}&cursor={page['next_cursor']}").json()
    assert len(keys) == len(set(keys)) == first["total"] == Supplier.objects.filter(council__gss_code=CALDERDALE).count() > 5
    AnalysisRun.objects.create(council=Council.objects.get(gss_code=CALDERDALE), status="succeeded")
    stale = client.get(f"/api/v1/councils/{CALDERDALE}/suppliers?limit=5&cursor={first['next_cursor']}")
    assert stale.status_code == 400 and "start again" in stale.json()["message"]


def test_tables_come_as_csv_too(editor_token: str) -> None:
    ids()
    client = Client(headers={"Authorization": f"Bearer {editor_token}"})
    payments = client.get(f"/api/v1/councils/{CALDERDALE}/payments?format=csv&type=vcse")
    assert payments["Content-Type"].startswith("text/csv")
    lines = _text(payments).splitlines()
    assert lines[0].startswith("Id,Date,Supplier as published")
    assert len(lines) - 1 == Payment.objects.filter(council__gss_code=CALDERDALE, supplier_type="vcse").count()
    comparison = Client().get("/api/v1/comparison?format=csv")
    assert _text(comparison).startswith("GSS code,Council,Share to local VCSE organisations (%),Share to VCSE organisations")


def test_errors_are_json_with_a_code_and_a_message(editor_token: str) -> None:
    assert Client().get("/api/v1/councils/E99999999").json()["code"] == "not_found"
    refused = Client(headers={"Authorization": "Bearer kil_wrong"}).get("/api/v1/councils")
    assert refused.status_code == 401 and refused.json()["code"] == "unauthorised" and refused["WWW-Authenticate"]
    invalid = Client().get("/api/v1/councils?limit=many")
    assert invalid.status_code == 422 and invalid.json()["code"] == "invalid_request" and "limit" in invalid.json()["message"]


def test_requests_over_the_limit_are_told_when_to_retry(editor_token: str, settings: Any, monkeypatch: Any) -> None:
    from keepitlocal.accounts import ratelimit

    monkeypatch.setattr(ratelimit, "now", lambda: 1_800_000_030.0)  # half a minute into one window, every time
    settings.KIL_API_RATE_PER_ADDRESS, settings.KIL_API_RATE_PER_TOKEN = 2, 3
    client = Client(headers={"Authorization": f"Bearer {editor_token}"})
    answers = [client.get("/api/v1/principles") for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]  # the token's own limit, not the address's
    assert answers[-1].json()["code"] == "rate_limited" and answers[-1]["Retry-After"] == "30"
    # Without a token, or with a wrong one, requests count against the address: random tokens buy nothing.
    assert [Client().get("/api/v1/principles").status_code for _ in range(3)] == [200, 200, 429]
    assert Client(headers={"Authorization": "Bearer kil_made_up"}).get("/api/v1/principles").status_code == 429
    assert Client().post("/reconcile", {"queries": "{}"}).status_code == 429  # the reconciliation service too


def test_the_count_is_shared_and_exact(db: None) -> None:
    from keepitlocal.accounts.ratelimit import hit

    # Windows are named by when they end (seconds since the epoch); ended ones are dropped as new ones start.
    first, second = 4_000_000_000, 4_000_000_060
    assert [hit("address:192.0.2.1", first) for _ in range(3)] == [1, 2, 3]
    assert hit("address:192.0.2.1", second) == 1 and hit("address:192.0.2.2", second) == 1
    assert hit("address:192.0.2.1", first) == 4  # a window still open keeps its count


def test_behind_trusted_proxies_the_address_is_the_one_they_saw(settings: Any) -> None:
    from django.test import RequestFactory

    from keepitlocal.accounts.ratelimit import client_address

    request = RequestFactory().get("/api/v1/principles", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9", REMOTE_ADDR="10.0.0.1")
    assert client_address(request) == "10.0.0.1"  # trusting no proxy, a forged header changes nothing
    settings.KIL_PROXY_COUNT = 1
    assert client_address(request) == "203.0.113.9"


def test_a_token_is_shown_once_kept_only_as_a_hash_and_can_be_revoked(demo: list[str]) -> None:
    from tests.conftest import signed_in_client

    editor = signed_in_client("editor@calderdale.example")
    page = editor.post("/account/", {"name": "Finance dashboard", "days": "90"}).content.decode()
    token = page.split('id="new-token">')[1].split("<")[0]
    stored = ApiToken.objects.get(name="Finance dashboard")
    assert token.startswith("kil_") and token not in json.dumps(list(ApiToken.objects.values()), default=str)
    assert stored.prefix == token[:12] and authenticate(token) == stored
    again = editor.get("/account/").content.decode()
    assert token not in again and "Finance dashboard" in again and stored.prefix in again
    assert editor.post(f"/account/tokens/{stored.pk}/revoke/").status_code == 302
    assert authenticate(token) is None
    assert Client(headers={"Authorization": f"Bearer {token}"}).get("/api/v1/principles").status_code == 401
    # Someone else's token cannot be revoked by a stranger; a viewer cannot create one.
    other = create_token(User.objects.get(email="admin@example.org"), "admin's", 30)[0]
    editor.post(f"/account/tokens/{other.pk}/revoke/")
    assert ApiToken.objects.get(pk=other.pk).revoked_at is None
    viewer = signed_in_client("viewer@bristol.example")
    assert "Council editors and network admins can create tokens" in viewer.get("/account/").content.decode()
    viewer.post("/account/", {"name": "Sneaky", "days": "30"})
    assert not ApiToken.objects.filter(name="Sneaky").exists()


def test_an_expired_token_is_refused(demo: list[str]) -> None:
    from datetime import timedelta

    from django.utils import timezone

    stored, token = create_token(User.objects.get(email="editor@calderdale.example"), "old", 30)
    ApiToken.objects.filter(pk=stored.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert authenticate(token) is None


def test_docs_name_every_operation_and_only_real_ones() -> None:
    import re
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "API.md").read_text()
    named = set(re.findall(r"`GET (/api/v1/[^`]*)`", doc))
    assert named == {path for path, _, _ in operations()}


@pytest.mark.parametrize(
    ("url", "after"),
    [
        (f"/api/v1/councils/{CALDERDALE}/payments", ["notadate", 1]),
        (f"/api/v1/councils/{CALDERDALE}/payments", [None, 1]),
        ("/api/v1/councils", ["Calderdale", "x"]),
        ("/api/v1/councils", [{"x": 1}, 2]),
        ("/api/v1/councils", "flat"),
    ],
)
def test_a_cursor_edited_by_hand_is_refused_not_an_error(editor_token: str, url: str, after: Any) -> None:
    from keepitlocal.api.paging import encode

    client = Client(headers={"Authorization": f"Bearer {editor_token}"})
    response = client.get(f"{url}?cursor={encode({'after': after})}")
    assert response.status_code == 400 and response.json()["code"] == "bad_cursor"


def test_a_new_password_ends_every_token_and_the_token_page_is_never_cached(demo: list[str]) -> None:
    from tests.conftest import signed_in_client

    editor = User.objects.get(email="editor@calderdale.example")
    _, token = create_token(editor, "before", 30)
    assert "no-store" in signed_in_client("editor@calderdale.example").get("/account/")["Cache-Control"]
    editor.set_password("another-long-password-2026")
    editor.save()
    assert authenticate(token) is None


@pytest.mark.django_db
def test_what_is_not_found_is_said_in_words_never_by_a_models_name(demo: list[str]) -> None:
    client = Client()
    for path, said in (
        ("/api/v1/councils/E10000008/spend", "This council has not published its spend figures."),
        ("/api/v1/councils/X99999999/value-cases", "No council has this GSS code."),
        ("/api/v1/councils/E08000033/value-cases/999999", "This council has published no value case with this number."),
    ):
        response = client.get(path)
        assert response.status_code == 404 and said in response.content.decode(), path
        assert "matches the given query" not in response.content.decode()


@pytest.mark.django_db
def test_the_documentation_is_where_people_look_first_and_linked_from_every_page(demo: list[str]) -> None:
    for looked in ("/api/", "/api/docs/", "/api/docs"):
        followed = Client().get(looked, follow=True)
        assert followed.redirect_chain[-1][0] == "/api/v1/docs" and followed.status_code == 200, looked
    assert 'href="/api/">Open data (API)</a>' in Client().get("/principles/").content.decode()
