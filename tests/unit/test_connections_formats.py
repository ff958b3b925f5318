"""Kumu workbook and blueprint round trips, row-by-row import problems, GEXF and GraphML for Gephi, and the CLI."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from keepitlocal.cli import main
from keepitlocal.connections.engine import gephi, kumu
from keepitlocal.connections.engine.model import Connection, Direction, Element, Kind, Network, Sector
from keepitlocal.connections.engine.problems import ImportRejected
from tests.workbooks import kumu_workbook

KUMU = kumu_workbook(
    [
        ["Label", "Type", "Description", "Tags", "Funding stream", "Ward"],
        ["Park Ward Partnership", "VCSE", "Convenes the stakeholders' group", "convenor|hub", "Lottery", "Park"],
        ["Older residents in Park ward", "Resident group", "", "", "", "Park"],
        ["Park Lane Surgery", "GP practice", "", "health", "", ""],
        ["St Mark's Church", "Faith group", "", "", "", ""],
    ],
    [
        ["From", "To", "Type", "Direction", "Strength", "Since", "Introduced by", "Notes"],
        ["Park Ward Partnership", "Older residents in Park ward", "Convening", "mutual", 3, "2024-04-01", "", "weekly"],
        ["Park Lane Surgery", "Park Ward Partnership", "Referral in", "directed", 2, date(2025, 1, 6), "", ""],
        ["St Mark's Church", "Park Lane Surgery", "Information", "undirected", None, "", "Park Ward Partnership", ""],
    ],
)


def test_reads_a_kumu_workbook_by_its_columns() -> None:
    network = kumu.read_workbook(KUMU)
    assert [e.label for e in network.elements][:2] == ["Park Ward Partnership", "Older residents in Park ward"]
    assert [e.sector for e in network.elements] == [Sector.VCSE, Sector.RESIDENTS, Sector.PUBLIC, Sector.FAITH]
    hub = network.elements[0]
    assert hub.tags == ("convenor", "hub")
    # Ward is a place by its words; Funding stream is kept as given.
    assert hub.place == "Park" and hub.fields == (("Funding stream", "Lottery"),)
    first, second, third = network.connections
    assert first.direction is Direction.MUTUAL and first.kind is Kind.CONVENING and first.strength == 3
    assert first.since == date(2024, 4, 1) and first.fields == (("Notes", "weekly"),)
    assert second.since == date(2025, 1, 6) and second.kind is Kind.REFERRAL_IN
    assert third.introduced_by == "Park Ward Partnership" and third.strength is None


def test_workbook_round_trips_without_loss() -> None:
    network = kumu.read_workbook(KUMU)
    again = kumu.read_workbook(kumu.write_workbook(network))
    assert again == network


def test_blueprint_round_trips_without_loss_and_reads_kumu_backups() -> None:
    network = kumu.read_workbook(KUMU)
    text = kumu.write_blueprint(network)
    assert kumu.read_blueprint(text) == network
    data = json.loads(text)
    assert data["elements"][0]["label"] == "Park Ward Partnership" and data["elements"][0]["tags"] == ["convenor", "hub"]
    assert data["connections"][0]["from"] == "Park Ward Partnership"
    # A Kumu project backup keeps fields under "attributes".
    backup = {
        "elements": [
            {"_id": "elem-1", "attributes": {"label": "A", "element type": "x"}},
            {"_id": "e2", "attributes": {"label": "B"}},
        ],
        "connections": [{"_id": "conn-1", "from": "A", "to": "B", "attributes": {"connection type": "funding"}}],
    }
    read = kumu.read_blueprint(json.dumps(backup))
    assert [e.label for e in read.elements] == ["A", "B"] and read.connections[0].ends == ("a", "b")


@st.composite
def networks(draw: st.DrawFn) -> Network:
    text = st.text(alphabet=st.characters(categories=("L", "N", "Zs", "P"), exclude_characters="|"), max_size=20).map(
        lambda s: " ".join(s.split())
    )
    labels = draw(st.lists(text.filter(bool), min_size=1, max_size=8, unique_by=lambda s: s.casefold()))
    custom = draw(st.lists(st.sampled_from(["Funding", "Notes", "Size"]), unique=True, max_size=2))
    elements = tuple(
        Element(
            label=label,
            type=(type_ := draw(st.sampled_from(["VCSE", "GP practice", "Resident group", "Widget", ""]))),
            sector=Sector.from_words(type_),
            description=draw(text),
            tags=tuple(draw(st.lists(text.filter(bool), max_size=3))),
            fields=tuple((name, draw(text)) for name in custom),
        )
        for label in labels
    )
    connections = []
    seen = set()
    for _ in range(draw(st.integers(0, 10))):
        source, target = draw(st.sampled_from(labels)), draw(st.sampled_from(labels))
        if source.casefold() == target.casefold():
            continue  # a connection joins two different elements
        type_ = draw(st.sampled_from(["Funding", "Referral out", "Friends", ""]))
        connection = Connection(
            source,
            target,
            draw(st.sampled_from(list(Direction))),
            type=type_,
            kind=Kind.from_words(type_),
            strength=draw(st.none() | st.integers(0, 5).map(float)),
            since=draw(st.none() | st.dates(date(2000, 1, 1), date(2020, 1, 1))),
            until=draw(st.none() | st.dates(date(2021, 1, 1), date(2030, 1, 1))),
            confirmed=draw(st.booleans()),
            evidence=draw(text),
        )
        if connection.identity not in seen:
            seen.add(connection.identity)
            connections.append(connection)
    return Network(elements, tuple(connections), tuple(custom), ())


@settings(max_examples=60, deadline=None)
@given(networks())
def test_any_map_round_trips_through_both_kumu_layouts(network: Network) -> None:
    assert kumu.read_workbook(kumu.write_workbook(network)) == network
    assert kumu.read_blueprint(kumu.write_blueprint(network)) == network


def test_problems_are_reported_row_by_row_and_nothing_is_read() -> None:
    bad = kumu_workbook(
        [["Label", "Type"], ["A", "VCSE"], ["a ", "VCSE"], ["", ""], ["B", "Business"]],
        [
            ["From", "To", "Direction", "Strength", "Since", "Until"],
            ["A", "C", "directed", 1, "", ""],
            ["A", "B", "sideways", "lots", "yesterday", ""],
            ["A", "B", "directed", 1, "2025-01-01", "2024-01-01"],
        ],
    )
    with pytest.raises(ImportRejected) as caught:
        kumu.read_workbook(bad)
    found = {(p.sheet, p.row, p.column) for p in caught.value.problems}
    assert found == {
        ("Elements", 3, "Label"),
        ("Connections", 2, "To"),
        ("Connections", 3, "Direction"),
        ("Connections", 3, "Strength"),
        ("Connections", 3, "Since"),
        ("Connections", 4, "Until"),
    }
    messages = {p.row: p.message for p in caught.value.problems if p.sheet == "Elements"}
    assert "row 2" in messages[3]


def test_a_file_that_is_not_a_workbook_is_refused_plainly() -> None:
    with pytest.raises(ImportRejected) as caught:
        kumu.read_workbook(b"not a spreadsheet")
    assert "not an Excel workbook" in caught.value.problems[0].message


def test_formula_like_text_is_neutralised_in_the_workbook_and_reads_back() -> None:
    network = Network((Element("=HYPERLINK(1)"), Element("B")), (Connection("=HYPERLINK(1)", "B"),))
    data = kumu.write_workbook(network)

    cell = load_workbook(io.BytesIO(data))["Elements"]["A2"]
    assert cell.data_type == "s" and cell.value == "=HYPERLINK(1)"  # text, not a formula
    assert kumu.read_workbook(data) == network


def test_gexf_and_graphml_open_in_networkx_with_every_connection() -> None:
    network = kumu.read_workbook(KUMU)
    graph = nx.read_gexf(io.BytesIO(gephi.write_gexf(network)))
    assert graph.number_of_nodes() == 4 and graph.number_of_edges() == 3
    labels = {data["label"] for _, data in graph.nodes(data=True)}
    assert "Older residents in Park ward" in labels
    graphml = nx.read_graphml(io.BytesIO(gephi.write_graphml(network)))
    assert graphml.number_of_edges() == 3
    back = gephi.read_gexf(gephi.write_gexf(network))
    assert [e.label for e in back.elements] == [e.label for e in network.elements]
    assert [(c.ends, c.direction) for c in back.connections] == [(c.ends, c.direction) for c in network.connections]


def test_cli_measure_writes_measures_and_summary(tmp_path: Path) -> None:
    source = tmp_path / "map.xlsx"
    source.write_bytes(KUMU)
    result = CliRunner().invoke(
        main, ["connections", "measure", str(source), "--out", str(tmp_path / "out"), "--on", "2026-01-01"]
    )
    assert result.exit_code == 0, result.output
    with open(tmp_path / "out" / "measures.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    expected = ["label", "sector", "degree", "in_degree", "out_degree", "betweenness", "constraint", "effective_size",
                "coordinator", "consultant", "gatekeeper", "representative", "liaison", "ei_index", "removal_pairs"]  # fmt: skip
    assert list(rows[0])[: len(expected)] == expected
    hub = next(r for r in rows if r["label"] == "Park Ward Partnership")
    assert hub["sector"] == "Voluntary and community organisation"
    # Hub ties: residents (mutual), surgery (in); the surgery also ties to the church: hub is the residents' only way out.
    assert (hub["degree"], hub["in_degree"], hub["out_degree"]) == ("2", "2", "1")
    assert hub["removal_pairs"] == "2"  # residents lose surgery and church
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["elements"] == 4 and summary["connections"] == 3 and summary["components"] == 1
    assert summary["cut_points"] == ["Park Lane Surgery", "Park Ward Partnership"]


def test_cli_measure_on_a_date_reads_the_map_as_it_stood(tmp_path: Path) -> None:
    source = tmp_path / "map.json"
    source.write_text(kumu.write_blueprint(kumu.read_workbook(KUMU)))
    result = CliRunner().invoke(main, ["connections", "measure", str(source), "--out", str(tmp_path), "--on", "2024-06-01"])
    assert result.exit_code == 0, result.output
    # In June 2024 only the convening tie (since April 2024) and the undated one were current.
    assert json.loads((tmp_path / "summary.json").read_text())["connections"] == 2


def test_cli_reports_problems_by_row(tmp_path: Path) -> None:
    source = tmp_path / "bad.xlsx"
    source.write_bytes(kumu_workbook([["Label"], ["A"]], [["From", "To"], ["A", "Nobody"]]))
    result = CliRunner().invoke(main, ["connections", "measure", str(source), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert "Connections row 2, To: No element has this label" in result.output


def test_the_documentation_covers_every_measure_column_and_option() -> None:
    from keepitlocal.cli import connections_measure
    from keepitlocal.connections.engine import measures
    from keepitlocal.connections.engine.outputs import MEASURE_COLUMNS

    doc = (Path(__file__).parents[2] / "docs" / "CONNECTIONS.md").read_text()
    for name in ("degree_by_group", "betweenness", "constraint", "effective_size", "cut_points", "local_bridges",
                 "removal_impact", "brokerage", "brokerage_role", "ei_index", "network_ei_index", "introductions"):  # fmt: skip
        assert callable(getattr(measures, name)) and f"`{name}`" in doc, name
    for column in MEASURE_COLUMNS:
        assert f"`{column}`" in doc, column
    for option in connections_measure.params:
        if isinstance(option, __import__("click").Option):
            assert option.opts[0] in doc, option.opts
    assert f"{measures.SAMPLE_ABOVE:,}" in doc and f"**{measures.SAMPLES}**" in doc


def test_gexf_with_entity_declarations_is_refused_before_parsing() -> None:
    bomb = b"""<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>
<gexf xmlns="http://gexf.net/1.2" version="1.2"><graph><nodes><node id="a" label="&lol2;"/></nodes></graph></gexf>"""
    with pytest.raises(ImportRejected) as caught:
        gephi.read_gexf(bomb)
    assert "document type" in caught.value.problems[0].message


def test_a_second_column_of_the_same_meaning_is_kept_not_swallowed() -> None:
    data = kumu_workbook(
        [
            ["Label", "Type", "Name", "Area", "Ward"],
            ["Hub", "VCSE", "Hub trading name", "North", "Park"],
            ["GP", "GP practice", "", "", ""],
        ],
        [["From", "To", "Type", "Source"], ["Hub", "GP", "Referral in", "Survey 2024"]],
    )
    network = kumu.read_workbook(data)
    hub = network.elements[0]
    assert hub.label == "Hub" and hub.place == "North"
    assert dict(hub.fields) == {"Name": "Hub trading name", "Ward": "Park"}
    assert network.connections[0].source == "Hub" and dict(network.connections[0].fields) == {"Source": "Survey 2024"}
    assert kumu.read_workbook(kumu.write_workbook(network)) == network


def test_the_same_kind_in_other_words_is_one_connection() -> None:
    data = kumu_workbook(
        [["Label"], ["A"], ["B"]], [["From", "To", "Type"], ["A", "B", "Referral in"], ["A", "B", "referral-in"]]
    )
    with pytest.raises(ImportRejected) as caught:
        kumu.read_workbook(data)
    assert "same connection" in caught.value.problems[0].message


def test_kumu_backup_connections_name_elements_by_id() -> None:
    backup = {
        "elements": [
            {"_id": "elem-1", "attributes": {"label": "Hub", "element type": "VCSE"}},
            {"_id": "elem-2", "attributes": {"label": "Surgery", "element type": "GP practice"}},
        ],
        "connections": [{"_id": "conn-1", "from": "elem-1", "to": "elem-2", "attributes": {"connection type": "Funding"}}],
    }
    network = kumu.read_blueprint(json.dumps(backup))
    assert [(e.label, e.sector) for e in network.elements] == [("Hub", Sector.VCSE), ("Surgery", Sector.PUBLIC)]
    assert network.connections[0].ends == ("hub", "surgery") and network.connections[0].kind is Kind.FUNDING


def test_bad_gexf_values_are_problems_by_edge_not_errors() -> None:
    graph = nx.DiGraph()
    graph.add_node("a", label="A")
    graph.add_node("b", label="B")
    graph.add_edge("a", "b", since="1 April 2024", strength="weekly", introduced_by="Nobody")
    out = io.BytesIO()
    nx.write_gexf(graph, out)
    gexf = out.getvalue()
    with pytest.raises(ImportRejected) as caught:
        gephi.read_gexf(gexf)
    assert {p.column for p in caught.value.problems} == {"since", "strength", "introduced_by"}


def test_over_long_values_and_self_ties_are_problems_on_their_rows() -> None:
    data = kumu_workbook([["Label", "Org-id"], ["A" * 201, ""], ["B", "GB-CHC-" + "1" * 40]], [["From", "To"], ["B", "b"]])
    with pytest.raises(ImportRejected) as caught:
        kumu.read_workbook(data)
    found = {(p.sheet, p.row, p.column) for p in caught.value.problems}
    assert found == {("Elements", 2, "Label"), ("Elements", 3, "Org-id"), ("Connections", 2, "To")}


def test_workbook_headings_that_look_like_formulas_are_text() -> None:

    network = Network((Element("A", fields=(("=HYPERLINK(1)", "x"),)),), (), ("=HYPERLINK(1)",), ())
    sheet = load_workbook(io.BytesIO(kumu.write_workbook(network)))["Elements"]
    heading = sheet.cell(row=1, column=8)
    assert heading.value == "=HYPERLINK(1)" and heading.data_type == "s"


def test_measures_csv_neutralises_text_not_negative_figures(tmp_path: Path) -> None:
    from keepitlocal.connections.engine import measures, outputs

    network = Network(
        (Element("=cmd", sector=Sector.VCSE), Element("B", sector=Sector.VCSE), Element("C", sector=Sector.VCSE)),
        (Connection("=cmd", "B"), Connection("=cmd", "C")),
    )
    outputs.write(measures.measure(network, date(2026, 1, 1)), tmp_path)
    with open(tmp_path / "measures.csv", encoding="utf-8") as handle:
        row = next(csv.DictReader(handle))
    assert row["label"] == "'=cmd" and row["ei_index"] == "-1"


def test_a_file_holding_more_than_a_map_may_is_refused_whole() -> None:
    from keepitlocal.connections.engine import files
    from keepitlocal.connections.engine.model import MAX_CONNECTIONS, MAX_ELEMENTS

    hub = Element("Hub", sector=Sector.VCSE)
    many = Network((hub, *(Element(f"Group {n}") for n in range(MAX_ELEMENTS))), ())
    with pytest.raises(ImportRejected) as refused:
        files.read_file("map.json", kumu.write_blueprint(many).encode())
    assert f"{MAX_ELEMENTS + 1:,} elements; a map may hold at most {MAX_ELEMENTS:,}" in refused.value.problems[0].message
    # Connections are counted as well, each different (two of the same ends and kind are one connection).
    kinds = [f"Kind {n}" for n in range(MAX_CONNECTIONS + 1)]
    ties = Network((hub, Element("Other")), tuple(Connection("Hub", "Other", Direction.DIRECTED, type=k) for k in kinds))
    with pytest.raises(ImportRejected) as refused:
        files.read_file("map.json", kumu.write_blueprint(ties).encode())
    assert f"a map may hold at most {MAX_CONNECTIONS:,}" in refused.value.problems[0].message
    # A workbook is refused as its rows are read, before a sheet past the bound is held in memory.
    assert max(MAX_ELEMENTS, MAX_CONNECTIONS) == kumu.MAX_ROWS
