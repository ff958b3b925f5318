"""Connections on the platform: recording, importing and exporting a map, two-sided confirmation, privacy and
sharing, the organisation's home page and the council's area view."""

from __future__ import annotations

import io
import json
import re
from datetime import date, timedelta
from typing import Any

import networkx as nx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook

from keepitlocal.common.refused import Refused
from keepitlocal.connections import services
from keepitlocal.connections.demo import ORGANISATIONS, load_demo_connections
from keepitlocal.connections.engine import kumu
from keepitlocal.connections.models import ConfirmationRequest, ConnectionMap, MapConnection, MapElement
from keepitlocal.network.models import Council, Organisation
from tests.conftest import StrictHTMLClient, signed_in_client
from tests.workbooks import kumu_workbook

pytestmark = pytest.mark.django_db
HUB = "Calder Valley Community Hub (demo)"


@pytest.fixture
def hub(demo: list[str]) -> Organisation:
    return Organisation.objects.get(name=HUB)


@pytest.fixture
def org_client(demo: list[str]) -> StrictHTMLClient:
    return signed_in_client("org@example.org")


def _base(hub: Organisation) -> str:
    return f"/manage/organisations/{hub.pk}/map/"


def test_a_map_starts_with_its_organisation_and_records_elements_and_connections(hub: Organisation, org_client: Any) -> None:
    page = org_client.get(_base(hub))
    assert page.status_code == 200
    cmap = ConnectionMap.objects.get(organisation=hub)
    me = cmap.elements.get(is_self=True)
    assert me.label == HUB
    # A person's name is refused only by the form's warning; a missing sector is an error.
    refused = org_client.post(_base(hub) + "elements/add/", {"label": "Older residents in Park ward"})
    assert refused.status_code == 400 and "Select the sector it belongs to" in refused.content.decode()
    org_client.post(_base(hub) + "elements/add/", {"label": "Older residents in Park ward", "sector": "residents"})
    org_client.post(_base(hub) + "elements/add/", {"label": "Park Lane Surgery", "sector": "public", "type": "GP practice"})
    clash = org_client.post(_base(hub) + "elements/add/", {"label": "park lane  SURGERY", "sector": "public"})
    assert clash.status_code == 400 and "already on your map" in clash.content.decode()
    residents, surgery = (cmap.elements.get(label=x) for x in ("Older residents in Park ward", "Park Lane Surgery"))
    # Adding a connection: the organisation itself chosen to start from, listed first, then every other by name.
    form = org_client.get(_base(hub) + "connections/add/").content.decode()
    first_list = form[form.index('name="source"') : form.index("</select>", form.index('name="source"'))]
    listed = re.findall(r'<option value="\d+"[^>]*>([^<]+)</option>', first_list)
    assert listed[0] == HUB and listed[1:] == sorted(listed[1:], key=str.lower)
    assert re.search(rf'<option value="{me.pk}" selected>', first_list)
    for target, kind in ((residents, "convening"), (surgery, "referral-in")):
        response = org_client.post(
            _base(hub) + "connections/add/",
            {"source": me.pk, "target": target.pk, "kind": kind, "direction": "mutual", "since_day": "1", "since_month": "4", "since_year": "2024"},
        )  # fmt: skip
        assert response.status_code == 302, response.content.decode()[:2000]
    same = org_client.post(
        _base(hub) + "connections/add/", {"source": me.pk, "target": me.pk, "kind": "funding", "direction": "mutual"}
    )
    assert same.status_code == 400
    page = org_client.get(_base(hub)).content.decode()
    # The organisation is the only link between the resident group and the surgery.
    assert "the only link between 1 resident group and 1 public body" in page
    assert 'role="img"' in page and "<title id=" in page
    connection = MapConnection.objects.get(target=surgery)
    assert connection.recorded_by_name and connection.kind == "referral-in"


def test_import_is_whole_or_nothing_reports_rows_and_updates_on_reimport(hub: Organisation, org_client: Any) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Elements"
    for row in (["Label", "Type"], ["Ovenden Food Pantry", "Charity"], ["Ovenden Primary School", "School"]):
        sheet.append(row)
    other = book.create_sheet("Connections")
    for row in (
        ["From", "To", "Type", "Direction"],
        [HUB, "Ovenden Food Pantry", "Partnership", "mutual"],
        [HUB, "Nobody", "Funding", "directed"],
    ):
        other.append(row)
    out = io.BytesIO()
    book.save(out)
    bad = org_client.post(_base(hub) + "import/", {"file": SimpleUploadedFile("map.xlsx", out.getvalue())})
    text = bad.content.decode()
    assert bad.status_code == 400 and "nothing was imported" in text and "No element has this label" in text
    assert not MapElement.objects.filter(label="Ovenden Food Pantry").exists()

    other.delete_rows(3)
    out = io.BytesIO()
    book.save(out)
    good = org_client.post(_base(hub) + "import/", {"file": SimpleUploadedFile("map.xlsx", out.getvalue())}, follow=True)
    assert "2 elements added" in good.content.decode() and "1 connections added" in good.content.decode()
    again = org_client.post(_base(hub) + "import/", {"file": SimpleUploadedFile("map.xlsx", out.getvalue())}, follow=True)
    assert "0 elements added, 0 updated; 0 connections added, 0 updated" in again.content.decode()
    cmap = ConnectionMap.objects.get(organisation=hub)
    assert cmap.elements.filter(label="Ovenden Food Pantry", sector="vcse").count() == 1
    assert cmap.elements.get(label="Ovenden Primary School").sector == "public"


def test_exports_round_trip_and_open_in_networkx(hub: Organisation, org_client: Any) -> None:
    load_demo_connections()
    cmap = ConnectionMap.objects.get(organisation=hub)
    before = services.network_of(cmap)
    workbook = org_client.get(_base(hub) + "download/xlsx/")
    assert workbook.status_code == 200 and kumu.read_workbook(workbook.content) == before
    blueprint = org_client.get(_base(hub) + "download/json/")
    assert kumu.read_blueprint(blueprint.content.decode()) == before
    gexf = org_client.get(_base(hub) + "download/gexf/")
    graph = nx.read_gexf(io.BytesIO(gexf.content))
    assert graph.number_of_nodes() == len(before.elements) and graph.number_of_edges() == len(before.connections)
    measures = org_client.get(_base(hub) + "download/measures-csv/")
    assert b"Removal pairs" in b"".join(measures.streaming_content)
    # Importing its own export changes nothing.
    outcome = services.import_network(cmap, kumu.read_workbook(workbook.content), None)
    assert (outcome.elements_added, outcome.elements_updated, outcome.connections_added, outcome.connections_updated) == (
        0,
        0,
        0,
        0,
    )


def test_confirmation_link_works_once_and_only_for_its_connection(
    hub: Organisation, org_client: Any, email_outbox: list[Any]
) -> None:
    load_demo_connections()
    cmap = ConnectionMap.objects.get(organisation=hub)
    connection = cmap.connections.filter(confirmed_at__isnull=True).first()
    assert connection is not None
    response = org_client.post(_base(hub) + f"connections/{connection.pk}/ask/", {"email": "Someone@Example.org"})
    assert response.status_code == 302
    link = re.search(r"/connections/confirm/[\w-]+/", email_outbox[-1].body)
    assert link and email_outbox[-1].to == "someone@example.org"
    stored = ConfirmationRequest.objects.get(connection=connection)
    assert link.group(0).split("/")[-2] not in stored.token_hash  # only the hash is kept
    anonymous = StrictHTMLClient()
    assert anonymous.get(link.group(0)).status_code == 200
    declined = anonymous.post(link.group(0), {"answer": "no"})
    assert declined.status_code == 302
    connection.refresh_from_db()
    assert connection.confirmed_at is None
    assert anonymous.get(link.group(0)).status_code == 410  # used
    assert anonymous.get("/connections/confirm/not-a-token/").status_code == 404
    # A new link, confirmed; an expired one refused.
    org_client.post(_base(hub) + f"connections/{connection.pk}/ask/", {"email": "someone@example.org"})
    link = re.search(r"/connections/confirm/[\w-]+/", email_outbox[-1].body)
    assert link
    anonymous.post(link.group(0), {"answer": "yes", "name": "Manager"})
    connection.refresh_from_db()
    assert connection.confirmed_at is not None and connection.confirmed_by == "Manager"
    other = cmap.connections.filter(confirmed_at__isnull=True).exclude(pk=connection.pk).first()
    assert other is not None
    token = services.request_confirmation(other, "late@example.org", None, "http://testserver/")
    ConfirmationRequest.objects.filter(connection=other).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert anonymous.get(f"/connections/confirm/{token}/").status_code == 410
    # Changing what was confirmed clears the confirmation.
    data = {"source": connection.source_id, "target": connection.target_id, "kind": "funding", "direction": connection.direction}
    org_client.post(_base(hub) + f"connections/{connection.pk}/", data)
    connection.refresh_from_db()
    assert connection.confirmed_at is None


def test_a_map_is_private_unless_shared(hub: Organisation, network_admin_client: Any, editor_client: Any) -> None:
    cmap = services.map_for(hub)
    services.save_element(cmap, None, {"label": "Secret partner of the hub", "sector": "vcse"}, None)
    assert network_admin_client.get(_base(hub)).status_code == 403
    assert network_admin_client.get(_base(hub) + "download/json/").status_code == 403
    area = editor_client.get("/manage/councils/E08000033/connections/").content.decode()
    assert "Secret partner of the hub" not in area and "No community organisation has shared" in area
    assert StrictHTMLClient().get(f"/organisations/{hub.pk}/connections/").status_code == 404
    services.save_sharing(cmap, [Council.objects.get(gss_code="E08000033")], True, True)
    assert network_admin_client.get(_base(hub)).status_code == 200
    assert network_admin_client.post(_base(hub) + "elements/add/", {"label": "X", "sector": "vcse"}).status_code == 403
    published = StrictHTMLClient().get(f"/organisations/{hub.pk}/connections/").content.decode()
    assert "Voluntary and community organisation" in published and "Secret partner" not in published
    bristol = signed_in_client("viewer@bristol.example")
    assert bristol.get("/manage/councils/E08000033/connections/").status_code == 403
    assert bristol.get("/manage/councils/E06000023/connections/").status_code == 200


def test_home_page_and_bridges_that_receive_little_spend_on_the_demo(
    hub: Organisation, org_client: Any, editor_client: Any
) -> None:
    from keepitlocal.spend.demo import load_demo_spend

    load_demo_spend()
    load_demo_connections()
    hub.refresh_from_db()  # the demo gave the hub its charity number
    home = org_client.get(f"/manage/organisations/{hub.pk}/home/").content.decode()
    assert "What councils paid you" in home and ">Calderdale</a>" in home and "Org-id" in home
    paid = services.paid_to(hub)
    assert [(p.council.gss_code, p.matched_by) for p in paid] == [("E08000033", "org-id")]
    assert paid[0].period and paid[0].period in home  # with the period of the published figures

    # The council corrects a supplier and analyses again, privately: what it published stays what others read.
    from keepitlocal.pages.glance import network_glance
    from keepitlocal.pages.next_steps import spend_steps
    from keepitlocal.spend import services as spend_services
    from keepitlocal.spend.models import AnalysisRun, SpendPublication, Supplier

    calderdale = Council.objects.get(gss_code="E08000033")
    spend_services.correct_supplier(Supplier.objects.filter(council=calderdale).first(), "public", "", "Checked", None)  # type: ignore[arg-type]
    newer = spend_services.apply_corrections(calderdale)
    publication = SpendPublication.objects.get(council=calderdale)
    assert newer.pk != publication.run_id and AnalysisRun.objects.filter(council=calderdale).first() == newer
    assert services.paid_to(hub) == paid
    row = next(g for g in network_glance() if g.council == calderdale)
    assert row.published and row.newer_ready and row.published_period == paid[0].period
    assert any(
        s.text.startswith("Newer spend figures are ready to publish") for s in spend_steps(calderdale, timezone.localdate())
    )
    # Publishing the newer figures takes what others read with it.
    spend_services.publish(calderdale, newer, None)
    assert not next(g for g in network_glance() if g.council == calderdale).newer_ready
    assert services.paid_to(hub)[0].council == calderdale

    found = services.area(Council.objects.get(gss_code="E08000033"), timezone.localdate())
    assert {m.organisation.name for m in found.maps} == {o.name for o in ORGANISATIONS if o.council == "E08000033"}
    labels = {b.label: b for b in found.bridges}
    assert labels[HUB].paid is not None and not labels[HUB].little
    assert labels["Park Ward Neighbourhood Partnership (demo)"].paid is None
    assert labels["Park Ward Neighbourhood Partnership (demo)"].little
    # What the page shows is kept as it was measured, every figure and sum of money read back unchanged.
    kept = services.AreaFigures.of(found)
    assert services.AreaFigures.from_json(json.loads(json.dumps(kept.to_json()))) == kept
    page = editor_client.get("/manage/councils/E08000033/connections/").content.decode()
    assert "receive little or none of your spend" in page and "Park Ward Neighbourhood Partnership (demo)" in page


def test_demo_maps_are_realistic(demo: list[str]) -> None:
    load_demo_connections(date(2026, 12, 1))
    for spec in ORGANISATIONS:
        cmap = ConnectionMap.objects.get(organisation__name=spec.name)
        network = services.network_of(cmap)
        assert cmap.is_demo and 30 <= len(network.elements) <= 125, (spec.name, len(network.elements))
        now, year_ago = network.at(date(2026, 12, 1)), network.at(date(2025, 12, 1))
        assert len(now.connections) != len(year_ago.connections)  # two snapshots a year apart differ
        assert 1 <= cmap.connections.filter(confirmed_at__isnull=False).count() <= 6
        assert cmap.shared_with.filter(gss_code=spec.council).exists()
    assert not load_demo_connections()  # once only


def test_importing_fewer_columns_changes_only_what_the_file_says(hub: Organisation) -> None:
    cmap = services.map_for(hub)
    services.save_element(cmap, None, {"label": "Park Lane Surgery", "sector": "public", "type": "GP practice", "org_id": "GB-NHS-B12345"}, None)  # fmt: skip
    data = kumu_workbook([["Label", "Notes"], ["Park Lane Surgery", "Monday clinics"], [HUB, ""]])
    outcome = services.import_network(cmap, services.read_upload(cmap, "labels.xlsx", data), None)
    assert outcome.elements_updated == 1 and outcome.unchanged == 1
    surgery = cmap.elements.get(label="Park Lane Surgery")
    assert (surgery.sector, surgery.type, surgery.org_id) == ("public", "GP practice", "GB-NHS-B12345")
    assert surgery.fields == [["Notes", "Monday clinics"]]
    me = services.self_element(cmap)
    assert me.sector == "vcse"
    # Another file with another custom column; then the map's own export changes nothing.
    data = kumu_workbook([["Label", "Funding"], ["Park Lane Surgery", "ICB"]])
    services.import_network(cmap, services.read_upload(cmap, "more.xlsx", data), None)
    again = services.import_network(cmap, kumu.read_workbook(services.export(cmap, "xlsx")), None)
    assert (again.elements_added, again.elements_updated, again.connections_added, again.connections_updated) == (0, 0, 0, 0)


def test_an_import_that_changes_a_confirmed_connection_clears_its_confirmation(hub: Organisation) -> None:
    cmap = services.map_for(hub)
    data = kumu_workbook([["Label", "Type"], ["Surgery", "GP practice"]], [["From", "To", "Type", "Since"], [HUB, "Surgery", "Referral in", "2024-01-01"]])  # fmt: skip
    services.import_network(cmap, services.read_upload(cmap, "a.xlsx", data), None)
    connection = cmap.connections.get()
    MapConnection.objects.filter(pk=connection.pk).update(confirmed_at=timezone.now(), confirmed_by="Surgery")
    # Same connection in other words: updated, not added, and unchanged dates keep the confirmation.
    data = kumu_workbook(
        [["Label"], ["Surgery"]], [["From", "To", "Type", "Since"], [HUB, "Surgery", "referral-in", "2024-01-01"]]
    )
    outcome = services.import_network(cmap, services.read_upload(cmap, "b.xlsx", data), None)
    assert outcome.connections_added == 0 and cmap.connections.count() == 1
    assert cmap.connections.get().confirmed_at is not None
    data = kumu_workbook(
        [["Label"], ["Surgery"]], [["From", "To", "Type", "Since"], [HUB, "Surgery", "Referral in", "2019-01-01"]]
    )
    services.import_network(cmap, services.read_upload(cmap, "c.xlsx", data), None)
    assert cmap.connections.get().confirmed_at is None


def test_a_link_to_a_connection_changed_since_it_was_sent_is_refused(hub: Organisation, email_outbox: list[Any]) -> None:
    cmap = services.map_for(hub)
    other = services.save_element(cmap, None, {"label": "Youth club", "sector": "vcse"}, None)
    third = services.save_element(cmap, None, {"label": "Food bank", "sector": "vcse"}, None)
    me = services.self_element(cmap)
    connection = services.save_connection(cmap, None, {"source": me, "target": other, "kind": "partnership"}, None)
    token = services.request_confirmation(connection, "club@example.org", None, "http://testserver/")
    services.save_connection(cmap, connection, {"source": me, "target": third, "kind": "funding"}, None)
    response = StrictHTMLClient().post(f"/connections/confirm/{token}/", {"answer": "yes"})
    assert response.status_code in (404, 410)
    connection.refresh_from_db()
    assert connection.confirmed_at is None
    # Renaming an end of a confirmed connection clears it.
    MapConnection.objects.filter(pk=connection.pk).update(confirmed_at=timezone.now())
    services.save_element(cmap, third, {"label": "NHS England"}, None)
    connection.refresh_from_db()
    assert connection.confirmed_at is None


def test_asking_is_limited_per_address(hub: Organisation, email_outbox: list[Any]) -> None:
    cmap = services.map_for(hub)
    other = services.save_element(cmap, None, {"label": "Youth club", "sector": "vcse"}, None)
    connection = services.save_connection(cmap, None, {"source": services.self_element(cmap), "target": other, "kind": "partnership"}, None)  # fmt: skip
    for _ in range(services.ASKS_PER_ADDRESS_PER_DAY):
        services.request_confirmation(connection, "club@example.org", None, "http://testserver/")
    with pytest.raises(Refused):
        services.request_confirmation(connection, "club@example.org", None, "http://testserver/")


def test_area_joins_an_org_id_to_the_same_name_elsewhere_and_the_network_team_sees_only_what_is_shared_with_it(
    demo: list[str], network_admin_client: Any, editor_client: Any
) -> None:
    calderdale = Council.objects.get(gss_code="E08000033")
    first = Organisation.objects.create(name="Alpha Trust", org_id="GB-CHC-1000009", home_council=calderdale)
    second = Organisation.objects.create(name="Beta Group", home_council=calderdale)
    a, b = services.map_for(first), services.map_for(second)
    services.save_element(b, None, {"label": "alpha trust", "sector": "vcse"}, None)
    services.save_connection(b, None, {"source": services.self_element(b), "target": b.elements.get(label="alpha trust"), "kind": "partnership"}, None)  # fmt: skip
    services.save_sharing(a, [calderdale], False, False)
    services.save_sharing(b, [calderdale], False, False)
    found = services.area(calderdale, timezone.localdate())
    assert len(found.network.elements) == 2 and found.measures.summary.components == 1
    assert "Beta Group" in editor_client.get("/manage/councils/E08000033/connections/").content.decode()
    assert "Beta Group" not in network_admin_client.get("/manage/councils/E08000033/connections/").content.decode()


def test_the_published_summary_shows_only_the_platforms_own_words(hub: Organisation) -> None:
    cmap = services.map_for(hub)
    data = kumu_workbook(
        [["Label", "Type"], ["Refuge", "Mrs Jane Doe (survivor), 14 Park Rd"]],
        [["From", "To", "Type"], [HUB, "Refuge", "Referred Jane Doe to refuge"]],
    )
    services.import_network(cmap, services.read_upload(cmap, "p.xlsx", data), None)
    services.save_sharing(cmap, [], False, True)
    page = StrictHTMLClient().get(f"/organisations/{hub.pk}/connections/").content.decode()
    assert "Jane Doe" not in page and "Other" in page


def test_a_map_is_bounded_in_what_it_holds_with_a_plain_refusal(
    hub: Organisation, org_client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An import that would take the map past the bounds is refused whole, saying so; adding one element or
    connection by hand to a full map is refused the same way."""
    from keepitlocal.connections.engine import model

    cmap = services.map_for(hub)
    held = cmap.elements.count()
    monkeypatch.setattr(model, "MAX_ELEMENTS", held + 1)
    blueprint = kumu.write_blueprint(
        model.Network((model.Element("Ovenden Food Pantry"), model.Element("Ovenden Primary School")), ())
    )
    refused = org_client.post(_base(hub) + "import/", {"file": SimpleUploadedFile("map.json", blueprint.encode())})
    text = refused.content.decode()
    assert refused.status_code == 400 and "nothing was imported" in text
    assert f"would hold {held + 2:,} elements; a map may hold at most {held + 1:,}" in text
    assert cmap.elements.count() == held
    services.save_element(cmap, None, {"label": "Ovenden Food Pantry"}, None)
    with pytest.raises(Refused, match="at most"):
        services.save_element(cmap, None, {"label": "Ovenden Primary School"}, None)
    # Changing an element of a full map is still allowed: only adding is bounded.
    pantry = cmap.elements.get(label="Ovenden Food Pantry")
    services.save_element(cmap, pantry, {"label": "Ovenden Food Pantry", "type": "Charity"}, None)
    monkeypatch.setattr(model, "MAX_CONNECTIONS", cmap.connections.count())
    with pytest.raises(Refused, match="connections; a map may hold at most"):
        services.save_connection(cmap, None, {"source": services.self_element(cmap), "target": pantry}, None)


def test_an_area_is_measured_in_the_background_once_per_change_never_on_a_page_view(
    demo: list[str], editor_client: Any, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The council's connections page only reads figures: the first view asks the worker to measure the shared maps
    and says so; a change to a map asks again, and the page shows the last figures, dated, until the new ones come."""
    from django_tasks_db.models import DBTaskResult

    from keepitlocal.connections.models import AreaMeasures

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # queued, run below as the worker would
    calderdale = Council.objects.get(gss_code="E08000033")
    first = Organisation.objects.create(name="Alpha Trust", home_council=calderdale)
    cmap = services.map_for(first)
    services.save_sharing(cmap, [calderdale], False, False)

    def worker() -> int:
        done = 0
        for task in DBTaskResult.objects.filter(task_path__endswith="measure_area", status="READY"):
            services.measure_area_now(*task.args_kwargs["args"])
            task.delete()
            done += 1
        return done

    measured = services.area
    calls: list[str] = []

    def watched(*args: Any, **kwargs: Any) -> Any:
        calls.append("measured")
        return measured(*args, **kwargs)

    monkeypatch.setattr(services, "area", watched)
    page = "/manage/councils/E08000033/connections/"
    assert worker() == 2  # sharing asked once for the council's users and once for the network team's view
    assert calls == ["measured", "measured"]
    calls.clear()
    body = editor_client.get(page).content.decode()
    assert "Alpha Trust" in body and "being measured" not in body and calls == []
    # A change: the page shows what was measured, dated and saying new figures are coming, without measuring.
    services.save_element(cmap, None, {"label": "Ovenden Food Pantry", "sector": "vcse"}, None)
    services.save_connection(
        cmap, None, {"source": services.self_element(cmap), "target": cmap.elements.get(label="Ovenden Food Pantry")}, None
    )
    body = editor_client.get(page).content.decode()
    assert "are being measured again" in body and "1 elements" in body and calls == []
    for _ in range(3):
        editor_client.get(page)
    assert calls == []
    # The worker measures only the latest state (requests overtaken by a later change are skipped), and only for
    # the council's users: the network team's view, of maps shared with the network, did not change.
    worker()
    assert calls == ["measured"]
    body = editor_client.get(page).content.decode()
    assert "being measured" not in body and "2 elements, 1 distinct ties" in body
    # A measuring whose worker died is asked for again after fifteen minutes (one still running is not).
    services.save_element(cmap, None, {"label": "Ovenden Primary School"}, None)
    DBTaskResult.objects.all().delete()
    assert worker() == 0
    AreaMeasures.objects.filter(figures__isnull=True).update(requested_at=timezone.now() - timedelta(minutes=14))
    editor_client.get(page)
    assert worker() == 0
    AreaMeasures.objects.filter(figures__isnull=True).update(requested_at=timezone.now() - timedelta(minutes=16))
    editor_client.get(page)
    assert worker() == 1
    assert "3 elements" in editor_client.get(page).content.decode()
    # Sharing withdrawn: the map is gone from the page at once, never shown from figures measured before.
    second = services.map_for(Organisation.objects.create(name="Beta Group", home_council=calderdale))
    services.save_sharing(second, [calderdale], False, False)
    worker()
    assert "Beta Group" in editor_client.get(page).content.decode()
    services.save_sharing(second, [], False, False)
    services.save_element(cmap, None, {"label": "Ovenden Library"}, None)  # and a change to the map still shared
    body = editor_client.get(page).content.decode()
    assert "Beta Group" not in body and "Alpha Trust" in body and "are being measured again" in body
