"""Every URL pattern, for every role: who gets in, and that no council's private data leaks to anyone else.

EXPECTED names the access rule of each route. A new route without an entry fails the test, so each one is
decided on purpose; changing or removing a view's check makes the walk find a leak.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils.http import urlencode

from keepitlocal.accounts import access
from keepitlocal.accounts.models import Role, User
from keepitlocal.network.models import AuditEntry, Champion, CommunityConversation, Council, Event, NetworkMember, Organisation
from keepitlocal.spend.models import AnalysisRun, SpendFile, Supplier
from tests.conftest import StrictHTMLClient

EXPECTED = {
    "admin-sign-in": "public",
    "web:home": "public",
    "web:accessibility": "public",
    "web:glossary": "public",
    "web:open-data": "public",
    "web:open-data-docs": "public",
    "web:dashboard": "signed_in",
    "accounts:sign-in": "public",
    "accounts:sign-out": "public",
    "accounts:password-reset": "public",
    "accounts:password-reset-sent": "public",
    "accounts:password-reset-confirm": "public",
    "accounts:password-reset-done": "public",
    "accounts:account": "signed_in",
    "accounts:token-revoke": "signed_in",
    "network:principles": "public",
    "network:members": "public",
    "network:council": "public",
    "network:join": "public",
    "network:join-done": "public",
    "network:dashboard": "council_view",
    "network:membership": "council_edit",
    "network:status": "council_edit",
    "network:endorsement": "council_edit",
    "network:champion-add": "council_edit",
    "network:champion-edit": "council_edit",
    "network:conversation-add": "council_edit",
    "network:conversation-edit": "council_edit",
    "network:organisation": "organisation_edit",
    "network:overview": "network_admin",
    "network:events": "signed_in",
    "network:event-add": "network_admin",
    "network:event": "event_participant",
    "network:join-request": "network_admin",
    "spend:dashboard": "council_view",
    "spend:upload": "council_edit",
    "spend:run": "council_view",
    "spend:analyse-again": "council_edit",
    "spend:remove": "council_edit",
    "spend:suppliers": "council_view",  # its POST (correcting many) checks the editor role itself
    "spend:supplier": "council_view",
    "spend:rejected": "council_view",
    "spend:payments": "council_view",
    "spend:correct": "council_edit",
    "spend:publish": "council_edit",
    "spend:publish-check": "council_view",
    "spend:compare": "public",
    "spend:registers": "network_admin",
    "spend:columns": "council_view",  # its POST (changing how files are read) checks the editor role itself
    "assessment:framework": "public",
    "assessment:rounds": "council_view",
    "assessment:round-add": "council_edit",
    "assessment:round": "council_view",
    "assessment:invite": "council_edit",
    "assessment:close": "council_edit",
    "assessment:results": "council_view",
    "assessment:answers": "council_edit",
    "assessment:report": "council_view",
    "assessment:actions": "council_view",
    "assessment:action-add": "council_edit",
    "assessment:action": "council_edit",
    "assessment:sharing": "council_edit",
    "assessment:benchmark": "council_view",
    "assessment:respond": "invitation_link",
    "assessment:respond-about": "invitation_link",
    "assessment:respond-question": "invitation_link",
    "assessment:respond-check": "invitation_link",
    "assessment:respond-done": "public",
    "connections:home": "organisation_edit",
    "connections:map": "map_view",
    "connections:download": "map_view",
    "connections:connections": "map_view",
    "connections:element-add": "map_edit",
    "connections:element": "map_edit",
    "connections:element-remove": "map_edit",
    "connections:connection-add": "map_edit",
    "connections:connection": "map_edit",
    "connections:connection-remove": "map_edit",
    "connections:ask": "map_edit",
    "connections:import": "map_edit",
    "connections:sharing": "map_edit",
    "connections:confirm": "confirmation_link",
    "connections:confirm-done": "public",
    "connections:published": "public",
    "connections:area": "council_view",
    "value:cases": "council_view",
    "value:case-add": "council_edit",
    "value:case-edit": "council_edit",
    "value:case": "council_view",
    "value:report": "council_view",
    "value:outcome-add": "council_edit",
    "value:outcome-remove": "council_edit",
    "value:context-remove": "council_edit",
    "value:library": "signed_in",
    "value:lm3-estimate": "council_edit",
    "value:own-cost": "council_edit",
    "value:publish": "council_edit",
    "value:public-case": "public",
    "value:claim-add": "council_edit",
    "value:lm3": "organisation_edit",
    "value:contexts": "organisation_edit",
    "value:deflator": "network_admin",
    "reconcile:service": "public",
    "reconcile:suggest-entity": "public",
    "reconcile:propose-properties": "public",
    "reconcile:preview": "public",
    "reconcile:view": "public",
    "reconcile:docs": "public",
    "reconcile:upload": "signed_in",
    "directory:area": "public",
    "directory:export": "public",
    "directory:organisation": "public",
    "directory:import": "council_edit",
    "directory:assets": "council_view",
    "directory:asset-add": "council_edit",
    "directory:asset-edit": "council_edit",
    "network:councils": "network_admin",
    "network:council-add": "network_admin",
    "network:people": "network_admin",
    "network:person": "network_admin",
    "network:invitation": "invitation_link",
}

POST_ONLY = {
    "accounts:sign-out",
    "network:council-add",
    "network:person",
    "accounts:token-revoke",
    "network:join-request",
    "spend:remove",
    "spend:publish",
    "spend:analyse-again",
    "connections:element-remove",
    "connections:connection-remove",
    "value:outcome-remove",
    "value:context-remove",
    "value:publish",
}
SENDS_TO_SIGN_IN = {"admin-sign-in"}  # its whole job is to redirect to our sign-in page
CALDERDALE, BRISTOL, EAST_SUSSEX = "E08000033", "E06000023", "E10000011"

OFFICER_EMAIL, OFFICER_EVIDENCE = "officer.walk@calderdale.example", "Private officer evidence for the walk"

# Text that only people allowed to see a council's private records may ever receive.
SECRETS = {
    CALDERDALE: [
        "cabinet.champion@calderdale.example",
        "Demo internal note for Calderdale",
        "01632 960000",
        OFFICER_EMAIL,
        OFFICER_EVIDENCE,
    ],
    EAST_SUSSEX: ["East Sussex endorses the six Keep it Local principles"],  # a draft endorsement
}


@dataclass(frozen=True)
class Route:
    name: str
    callback: Any
    kwargs: tuple[str, ...]


def _walk(patterns: list[Any], namespace: str = "") -> Iterator[Route]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin" or entry.namespace == "api-v1":
                continue  # the API is walked with tokens in test_api_access.py
            yield from _walk(entry.url_patterns, f"{entry.namespace}:" if entry.namespace else namespace)
        elif isinstance(entry, URLPattern):
            yield Route(f"{namespace}{entry.name}", entry.callback, tuple(entry.pattern.converters))


def routes() -> list[Route]:
    return list(_walk(get_resolver().url_patterns))


ROLE_EMAILS = {
    "anonymous": None,
    "calderdale_editor": "editor@calderdale.example",
    "calderdale_viewer": "viewer@calderdale.example",
    "bristol_viewer": "viewer@bristol.example",
    "organisation_editor": "org@example.org",
    "network_admin": "admin@example.org",
}

# Which roles each rule lets in, for the Calderdale records and the West Yorkshire event used below.
ALLOWED = {
    "public": set(ROLE_EMAILS),
    "invitation_link": set(ROLE_EMAILS),  # the link is the credential; the walk holds a valid one
    "signed_in": set(ROLE_EMAILS) - {"anonymous"},
    "council_view": {"calderdale_editor", "calderdale_viewer", "network_admin"},
    "council_edit": {"calderdale_editor", "network_admin"},
    "organisation_edit": {"organisation_editor", "network_admin"},
    # The walk's map (the demo hub's) is shared with the network, so the network team may see it, never change it.
    "map_view": {"organisation_editor", "network_admin"},
    "map_edit": {"organisation_editor"},
    "confirmation_link": set(ROLE_EMAILS),  # the link is the credential; the walk holds a valid one
    # The demo hub's home council takes part: its people may open the event its home lists as one they can join.
    "event_participant": {"calderdale_editor", "calderdale_viewer", "organisation_editor", "network_admin"},
    "network_admin": {"network_admin"},
}


def _can_see_private(role: str) -> set[str]:
    return {
        "calderdale_editor": {CALDERDALE},
        "calderdale_viewer": {CALDERDALE},
        "bristol_viewer": {BRISTOL},
        "network_admin": {CALDERDALE, BRISTOL, EAST_SUSSEX},
    }.get(role, set())


def _url_kwargs() -> dict[str, Any]:
    organisation = Organisation.objects.get(name="Calder Valley Community Hub (demo)")
    pending = NetworkMember.objects.create(kind="individual", name="Pending Person", email="pending@example.org")
    return {
        "gss_code": CALDERDALE,
        "champion_id": Champion.objects.filter(membership__council__gss_code=CALDERDALE).first().pk,  # type: ignore[union-attr]
        "conversation_id": CommunityConversation.objects.filter(membership__council__gss_code=CALDERDALE).first().pk,  # type: ignore[union-attr]
        "organisation_pk": organisation.pk,
        "event_pk": Event.objects.get(title__startswith="West Yorkshire").pk,
        "join_request_pk": pending.pk,
        "run_id": AnalysisRun.objects.create(council=Council.objects.get(gss_code=CALDERDALE)).pk,
        "file_id": SpendFile.objects.create(
            council=Council.objects.get(gss_code=CALDERDALE), original_name="x.csv", sha256="0" * 64, size=1
        ).pk,
        "key": Supplier.objects.create(
            council=Council.objects.get(gss_code=CALDERDALE),
            key="walk-test-supplier",
            name="Walk Test Supplier",
            supplier_type="unknown",
            total_amount=0,
            transactions=0,
        ).key,
        "uidb64": "MQ",
        "user_id": User.objects.get(email="editor@calderdale.example").pk,
        "token_id": 1,
        "identifier": CALDERDALE,
        **_directory_kwargs(),
        "token": "not-a-real-token",
        **_assessment_kwargs(),
        **_connections_kwargs(organisation),
        **_value_kwargs(),
    }


def _directory_kwargs() -> dict[str, Any]:
    """One organisation of Calderdale's demo directory."""
    from keepitlocal.directory.demo import load_demo_directory
    from keepitlocal.directory.models import DirectoryOrganisation

    load_demo_directory()
    from keepitlocal.directory.models import CommunityAsset

    return {
        "entry_id": DirectoryOrganisation.objects.filter(council__gss_code=CALDERDALE).first().pk,  # type: ignore[union-attr]
        "asset_id": CommunityAsset.objects.filter(council__gss_code=CALDERDALE).first().pk,  # type: ignore[union-attr]
    }


def _value_kwargs() -> dict[str, Any]:
    """Calderdale's demo value case and one of its outcomes."""
    from keepitlocal.value.demo import load_demo_value
    from keepitlocal.value.models import ValueCase

    load_demo_value()
    case = ValueCase.objects.get(is_demo=True)
    return {
        "case_id": case.pk,
        "outcome_id": case.outcomes.first().pk,  # type: ignore[union-attr]
        "context_id": case.contexts.first().pk,  # type: ignore[union-attr]
    }


def _connections_kwargs(organisation: Organisation) -> dict[str, Any]:
    """The demo hub's map (shared with Calderdale and the network), a connection on it with a live confirmation link,
    and an element that is not the hub itself."""
    from keepitlocal.connections import services
    from keepitlocal.connections.demo import load_demo_connections

    load_demo_connections()
    cmap = services.map_for(organisation)
    connection = cmap.connections.filter(confirmed_at__isnull=True).first()
    assert connection is not None
    token = services.request_confirmation(connection, "other.side@example.org", None, "http://testserver/")
    return {
        "element_id": cmap.elements.filter(is_self=False).first().pk,  # type: ignore[union-attr]
        "connection_id": connection.pk,
        "confirm_token": token,
        "fmt": "json",
    }


def _assessment_kwargs() -> dict[str, Any]:
    """A Calderdale round with a private answer in it, an action, and a live invitation link."""
    from datetime import date

    from django.utils import timezone

    from keepitlocal.assessment import services
    from keepitlocal.assessment.models import Action, Answer, Invitation, Response, Round

    calderdale = Council.objects.get(gss_code=CALDERDALE)
    assessment = Round.objects.create(council=calderdale, title="Walk round", closes_on=date(2099, 1, 1))
    _, link_token = services.invite(
        assessment,
        group="partner",
        email="walker@example.org",
        name="",
        organisation=None,
        actor=None,
        base_url="http://testserver/",
    )
    officer = Invitation.objects.create(
        round=assessment, group="officer", email=OFFICER_EMAIL, token_hash="walk", expires_at=timezone.now()
    )
    response = Response.objects.create(invitation=officer, round=assessment, group="officer", submitted_at=timezone.now())
    Answer.objects.create(response=response, indicator="1.1", level=2, evidence=OFFICER_EVIDENCE)
    action = Action.objects.create(council=calderdale, principle=1, what="Walk action", owner="Walker", due_on=date(2099, 1, 1))
    return {"round_id": assessment.pk, "action_id": action.pk, "link_token": link_token, "code": "1.1"}


def _reverse(route: Route, ids: dict[str, Any]) -> str:
    from django.urls import reverse

    kwargs: dict[str, Any] = {}
    for key in route.kwargs:
        if key == "pk":
            kwargs[key] = {
                **{name: ids["organisation_pk"] for name in EXPECTED if name.startswith("connections:")},
                "network:organisation": ids["organisation_pk"],
                "value:lm3": ids["organisation_pk"],
                "value:contexts": ids["organisation_pk"],
                "network:event": ids["event_pk"],
                "network:join-request": ids["join_request_pk"],
            }[route.name]
        else:
            kwargs[key] = ids[key]
    return reverse(route.name, kwargs=kwargs)


def _clients() -> dict[str, StrictHTMLClient]:
    viewer = User.objects.create_user("viewer@calderdale.example", "a-long-test-password")
    Role.objects.create(
        user=viewer,
        kind=Role.Kind.COUNCIL_VIEWER,
        council_id=Role.objects.get(user__email="editor@calderdale.example").council_id,
    )
    clients = {}
    for role, email in ROLE_EMAILS.items():
        client = StrictHTMLClient()
        if email:
            client.force_login(User.objects.get(email=email), backend="keepitlocal.accounts.backends.EmailBackend")
        clients[role] = client
    return clients


def _body(response: Any) -> str:
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    return raw.decode(errors="replace")


def violations() -> list[str]:
    """Walk every route as every role; return each way the result differs from the rule."""
    found: list[str] = []
    ids = _url_kwargs()
    clients = _clients()
    for route in routes():
        rule = EXPECTED.get(route.name)
        declared = getattr(route.callback, "access_rule", None)
        if rule is None:
            found.append(f"{route.name}: no expected access rule; add it to EXPECTED")
            continue
        if declared != rule:
            found.append(f"{route.name}: view declares {declared!r}, expected {rule!r}")
        url = _reverse(route, ids)
        for role, client in clients.items():
            if "file_id" in route.kwargs and not SpendFile.objects.filter(pk=ids["file_id"]).exists():
                # The editor's request removed it; each role must meet the same file.
                SpendFile.objects.create(
                    pk=ids["file_id"],
                    council=Council.objects.get(gss_code=CALDERDALE),
                    original_name="x.csv",
                    sha256="0" * 64,
                    size=1,
                )
            if route.name in ("spend:correct", "spend:supplier") and not Supplier.objects.filter(key=ids["key"]).exists():
                # A re-analysis started by an earlier route replaced the council's suppliers.
                Supplier.objects.create(
                    council=Council.objects.get(gss_code=CALDERDALE),
                    key=ids["key"],
                    name="Walk Test Supplier",
                    supplier_type="unknown",
                    total_amount=0,
                    transactions=0,
                )
            if route.name == "value:outcome-remove":
                from keepitlocal.value.models import CaseOutcome

                if not CaseOutcome.objects.filter(pk=ids["outcome_id"]).exists():
                    # The editor's request removed it; each role must meet the same outcome.
                    CaseOutcome.objects.create(pk=ids["outcome_id"], case_id=ids["case_id"], name="Walk outcome", rates={})
            if route.name == "value:context-remove":
                from keepitlocal.value.models import ConnectionsContext

                if not ConnectionsContext.objects.filter(pk=ids["context_id"]).exists():
                    # The editor's request removed it; each role must meet the same context.
                    ConnectionsContext.objects.create(
                        pk=ids["context_id"], case_id=ids["case_id"], organisation_id=ids["organisation_pk"], on=date(2026, 1, 1),
                        attached_by="walk", resident_groups=0, residents_cut_off=0, public_bodies=0, sectors=0,
                        connections=0, confirmed=0, introductions=0,
                    )  # fmt: skip
            before = AuditEntry.objects.count()
            if route.name == "accounts:sign-out":
                continue  # signing out is open to all and would end the session used by later routes
            response = client.post(url, {}) if route.name in POST_ONLY else client.get(url)
            let_in = role in ALLOWED[rule]
            if route.name in SENDS_TO_SIGN_IN:
                if response.status_code != 302 or "/account/sign-in/" not in response["Location"]:
                    found.append(f"{route.name} as {role}: should redirect to sign-in")
            elif let_in:
                if response.status_code in (403, 404) or (
                    response.status_code == 302 and "/account/sign-in/" in response["Location"]
                ):
                    found.append(f"{route.name} as {role}: refused ({response.status_code}) but should be allowed")
            else:
                expected_status = 302 if role == "anonymous" else 403
                if response.status_code != expected_status:
                    found.append(f"{route.name} as {role}: got {response.status_code}, expected {expected_status}")
                if role == "anonymous" and response.status_code == 302 and "/account/sign-in/" not in response["Location"]:
                    found.append(f"{route.name} as anonymous: redirected somewhere other than sign-in")
                if AuditEntry.objects.count() != before:
                    found.append(f"{route.name} as {role}: a refused request changed data")
            body = _body(response)
            for council, secrets in SECRETS.items():
                if council in _can_see_private(role):
                    continue
                for secret in secrets:
                    if secret in body:
                        found.append(f"{route.name} as {role}: leaked private data of {council}: {secret!r}")
    return found


@pytest.mark.django_db
def test_every_route_has_the_expected_rule_and_leaks_nothing(demo: list[str]) -> None:
    assert violations() == []


@pytest.mark.django_db
def test_every_route_is_in_the_walk() -> None:
    names = {r.name for r in routes()}
    assert names == set(EXPECTED), "routes and EXPECTED differ"
    for route in routes():
        assert getattr(route.callback, "access_rule", None) in access.RULES, f"{route.name} declares no access rule"


@pytest.mark.django_db
def test_the_walk_catches_a_removed_access_check(demo: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    # As if someone deleted the council checks: the walk must notice, or it proves nothing.
    monkeypatch.setattr(access, "can_view_council", lambda user, council: True)
    monkeypatch.setattr(access, "can_edit_council", lambda user, council: True)
    found = violations()
    assert any("network:dashboard as bristol_viewer" in v for v in found)
    assert any("leaked private data of E08000033" in v for v in found)
    assert any("network:champion-add as calderdale_viewer" in v for v in found)


@pytest.mark.django_db
def test_refused_posts_change_nothing(demo: list[str]) -> None:
    clients = _clients()
    before = (AuditEntry.objects.count(), Champion.objects.count())
    for role in ("anonymous", "bristol_viewer", "calderdale_viewer", "organisation_editor"):
        response = clients[role].post(
            f"/manage/councils/{CALDERDALE}/champions/new/",
            {
                "role": "cabinet",
                "name": "Intruder",
                "role_title": "X",
                "started_on_day": "1",
                "started_on_month": "1",
                "started_on_year": "2026",
            },
        )
        assert response.status_code in (302, 403)
    assert (AuditEntry.objects.count(), Champion.objects.count()) == before


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "status"), [("anonymous", 302), ("calderdale_editor", 302), ("network_admin", 200)])
def test_django_admin_is_for_network_admins_only(demo: list[str], role: str, status: int) -> None:
    client = _clients()[role]
    response = client.get("/admin/")
    assert response.status_code == status
    if status == 302:
        assert "/admin/login/" in response["Location"] or "/account/sign-in/" in response["Location"]


@pytest.mark.django_db
def test_downloads_never_include_private_fields(demo: list[str]) -> None:
    client = StrictHTMLClient()
    for fmt in ("csv", "json"):
        response = client.get("/councils/?" + urlencode({"format": fmt}))
        body = _body(response)
        for secrets in SECRETS.values():
            for secret in secrets:
                assert secret not in body


HOSTILE = '=HYPERLINK("http://evil.example";"x")&'
TEXT_FIELDS = {"name", "label", "title", "description", "supplier_name", "names", "organisation_name", "summary", "url_text"}


def _seed_formulas() -> set[str]:
    """Every name, label, title and description the platform holds made to start like a formula (their own text
    after it, so identities stay distinct)."""
    from django.apps import apps
    from django.db import models
    from django.db.models import F, Value
    from django.db.models.functions import Concat, Left

    changed: set[str] = set()
    for model in apps.get_models():
        if not model.__module__.startswith("keepitlocal.") or model._meta.label in ("network.Council",):
            continue
        for field in model._meta.get_fields():
            if (
                getattr(field, "name", "") in TEXT_FIELDS
                and isinstance(field, models.CharField | models.TextField)
                and not field.choices
                and not field.unique
            ):
                text = Concat(Value(HOSTILE), F(field.name), output_field=field)
                limit = getattr(field, "max_length", None)
                if model._base_manager.update(**{field.name: Left(text, limit) if limit else text}):
                    changed.add(model._meta.label)
    from keepitlocal.connections.engine.model import label_key
    from keepitlocal.connections.models import MapElement

    for element in MapElement.objects.all():  # an element's key is its label's, as the services keep it
        MapElement.objects.filter(pk=element.pk).update(key=label_key(element.label))
    return changed


def _formula_cells(response: Any) -> tuple[bool, list[str]]:
    """Whether the answer is a file a spreadsheet opens, and each cell of it that would run as a formula."""
    import csv
    import io
    import zipfile

    from openpyxl import load_workbook

    from keepitlocal.reports.engine.tables import FORMULA_STARTS

    kind = response.get("Content-Type", "")
    raw = b"".join(response.streaming_content) if response.streaming else response.content

    def csv_cells(text: str) -> list[str]:
        bad = []
        for row in csv.reader(io.StringIO(text)):
            for cell in row:
                if cell.startswith(FORMULA_STARTS):
                    try:
                        float(cell)
                    except ValueError:
                        bad.append(cell)
        return bad

    def workbook_cells(data: bytes) -> list[str]:
        book = load_workbook(io.BytesIO(data))
        return [str(c.value) for sheet in book.worksheets for row in sheet.iter_rows() for c in row if c.data_type == "f"]

    if kind.startswith("text/csv"):
        return True, csv_cells(raw.decode("utf-8-sig"))
    if "spreadsheetml" in kind:
        return True, workbook_cells(raw)
    if kind.startswith("application/zip"):
        bad: list[str] = []
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            for name in archive.namelist():
                if name.endswith(".csv"):
                    bad += [f"{name}: {cell}" for cell in csv_cells(archive.read(name).decode("utf-8-sig"))]
                elif name.endswith(".xlsx"):
                    bad += [f"{name}: {cell}" for cell in workbook_cells(archive.read(name))]
        return True, bad
    return False, []


@pytest.mark.django_db
def test_every_download_writes_text_that_starts_like_a_formula_as_text(demo: list[str]) -> None:
    """Every name the platform holds starts like a formula; every route is fetched (as it is, and as CSV and XLSX) by
    the network team and by anyone, and no cell of any file it answers with would run in a spreadsheet."""
    from keepitlocal.connections.services import forget_snapshots
    from keepitlocal.spend.demo import load_demo_spend

    load_demo_spend()
    ids = _url_kwargs()
    seeded = _seed_formulas()
    forget_snapshots()  # the rows changed beneath the services, which would have moved each map's updated_at
    assert {"directory.CommunityAsset", "spend.Supplier", "connections.MapElement"} <= seeded, seeded
    clients = _clients()
    files, found = 0, []
    for route in routes():
        if route.name in POST_ONLY or route.name == "accounts:sign-out" or route.name not in EXPECTED:
            continue
        url = _reverse(route, ids)
        for role in ("network_admin", "anonymous"):
            for variant in ("", "?format=csv", "?format=xlsx"):
                response = clients[role].get(url + variant)
                if response.status_code != 200:
                    continue
                is_file, bad = _formula_cells(response)
                files += is_file
                found += [f"{route.name}{variant} as {role}: {cell[:60]!r}" for cell in bad]
    assert not found, found
    assert files >= 20  # the walk reached the downloads: spend, suppliers, directory (Open Referral), maps, reports
