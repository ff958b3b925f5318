"""Connections measures against small graphs worked by hand, and against networkx or brute force on generated maps."""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from datetime import date

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from keepitlocal.connections.engine import measures as m
from keepitlocal.connections.engine.model import Connection, Direction, Element, Network, Sector

DAY = date(2026, 12, 1)


def net(
    elements: Mapping[str, Sector | str], ties: list[tuple[str, str]], direction: Direction = Direction.UNDIRECTED
) -> Network:
    return Network(
        tuple(
            Element(label, sector=group) if isinstance(group, Sector) else Element(label, type=group)
            for label, group in elements.items()
        ),
        tuple(Connection(a, b, direction) for a, b in ties),
    )


def test_brokerage_every_role_on_hand_worked_paths() -> None:
    # b stands between a and c on one directed path a -> b -> c each time; the groups decide the role.
    cases = {
        ("x", "x", "x"): "coordinator",
        ("x", "y", "x"): "consultant",
        ("x", "y", "y"): "gatekeeper",
        ("x", "x", "y"): "representative",
        ("x", "y", "z"): "liaison",
    }
    for (ga, gb, gc), role in cases.items():
        g = m.graphs(net({"a": ga, "b": gb, "c": gc}, [("a", "b"), ("b", "c")], Direction.DIRECTED))
        counts = m.brokerage(g)["b"]
        assert getattr(counts, role) == 1, (ga, gb, gc)
        assert counts.total == 1
        assert m.brokerage(g)["a"].total == 0 and m.brokerage(g)["c"].total == 0


def test_brokerage_needs_an_open_path_in_the_direction_of_the_ties() -> None:
    # a -> b -> c closed by a -> c: no brokerage. Closed only the other way (c -> a): still open a -> c.
    closed = m.graphs(net({"a": "x", "b": "y", "c": "z"}, [("a", "b"), ("b", "c"), ("a", "c")], Direction.DIRECTED))
    assert m.brokerage(closed)["b"].total == 0
    reverse = m.graphs(net({"a": "x", "b": "y", "c": "z"}, [("a", "b"), ("b", "c"), ("c", "a")], Direction.DIRECTED))
    assert m.brokerage(reverse)["b"].liaison == 1
    # Against the direction (c -> b -> a does not exist with one-way ties a -> b, b -> c): counted once.
    # Mutual ties run both ways: a <-> b <-> c with groups x, y, x gives a->b->c and c->b->a, two consultant paths.
    both = m.graphs(net({"a": "x", "b": "y", "c": "x"}, [("a", "b"), ("b", "c")], Direction.MUTUAL))
    assert m.brokerage(both)["b"].consultant == 2


def test_brokerage_star_of_residents_and_public_bodies() -> None:
    # Two resident groups refer into a hub (VCSE) which refers out to two GP practices.
    elements = {"r1": Sector.RESIDENTS, "r2": Sector.RESIDENTS, "hub": Sector.VCSE, "gp1": Sector.PUBLIC, "gp2": Sector.PUBLIC}
    ties = [("r1", "hub"), ("r2", "hub"), ("hub", "gp1"), ("hub", "gp2")]
    roles = m.brokerage(m.graphs(net(elements, ties, Direction.DIRECTED)))["hub"]
    assert roles == m.Brokerage(liaison=4)


def test_degree_in_and_out_and_by_sector() -> None:
    elements = {"hub": Sector.VCSE, "r": Sector.RESIDENTS, "gp": Sector.PUBLIC, "school": Sector.PUBLIC}
    network = Network(
        tuple(Element(k, sector=s) for k, s in elements.items()),
        (
            Connection("r", "hub", Direction.DIRECTED),
            Connection("hub", "gp", Direction.DIRECTED),
            Connection("hub", "school", Direction.MUTUAL),
            Connection("hub", "gp", Direction.DIRECTED, type="funding"),  # a second tie to the same element
        ),
    )
    row = m.measure(network, DAY).of("hub")
    assert (row.degree, row.in_degree, row.out_degree) == (3, 2, 2)
    assert row.by_group == {"Resident group": 1, "Public body": 2}


def test_ei_index_hand_worked() -> None:
    elements = {"hub": Sector.VCSE, "v2": Sector.VCSE, "gp": Sector.PUBLIC, "r": Sector.RESIDENTS, "alone": Sector.VCSE}
    g = m.graphs(net(elements, [("hub", "v2"), ("hub", "gp"), ("hub", "r")]))
    assert m.ei_index(g, "hub") == pytest.approx((2 - 1) / 3)
    assert m.ei_index(g, "v2") == -1
    assert m.ei_index(g, "gp") == 1
    assert m.ei_index(g, "alone") is None
    assert m.network_ei_index(g) == pytest.approx((2 - 1) / 3)


def test_constraint_and_effective_size_hand_worked() -> None:
    # A star of three unconnected contacts: constraint 3 x (1/3)^2 = 1/3, effective size 3.
    star = m.graphs(net({"c": "x", "a": "x", "b": "x", "d": "x"}, [("c", "a"), ("c", "b"), ("c", "d")]))
    assert m.constraint(star)["c"] == pytest.approx(1 / 3)
    assert m.effective_size(star)["c"] == pytest.approx(3)
    # A triangle: each contact also reaches the other: (1/2 + 1/2 x 1/2)^2 x 2 = 1.125; effective size 2 - 2x1/2 = 1.
    triangle = m.graphs(net({"a": "x", "b": "x", "c": "x"}, [("a", "b"), ("b", "c"), ("a", "c")]))
    assert m.constraint(triangle)["a"] == pytest.approx(1.125)
    assert m.effective_size(triangle)["a"] == pytest.approx(1)
    lonely = m.graphs(net({"a": "x"}, []))
    assert m.constraint(lonely)["a"] is None and m.effective_size(lonely)["a"] is None


def test_removal_impact_hand_worked() -> None:
    # r1 - hub - gp, r2 - hub, and a triangle x-y-gp hanging off gp: removing hub cuts r1, r2 and {gp, x, y} apart.
    elements = {
        "hub": Sector.VCSE, "r1": Sector.RESIDENTS, "r2": Sector.RESIDENTS, "gp": Sector.PUBLIC,
        "x": Sector.PUBLIC, "y": Sector.BUSINESS,
    }  # fmt: skip
    g = m.graphs(net(elements, [("r1", "hub"), ("r2", "hub"), ("hub", "gp"), ("gp", "x"), ("x", "y"), ("y", "gp")]))
    impact = m.removal_impact(g)
    # Pieces 1, 1, 3: pairs 1x1 + 1x3 + 1x3 = 7; both resident groups lose both public bodies.
    assert impact["hub"] == m.Removal(pairs=7, residents=2, public=2)
    # Without gp: {hub, r1, r2} and {x, y}: 3 x 2 = 6 pairs; two residents lose x, x loses both residents.
    assert impact["gp"] == m.Removal(pairs=6, residents=2, public=1)
    assert impact["x"] == m.Removal() and impact["r1"] == m.Removal()
    assert m.cut_points(g) == {"hub", "gp"}
    assert sorted(map(sorted, m.local_bridges(g))) == [["gp", "hub"], ["hub", "r1"], ["hub", "r2"]]


def test_introductions_count_persisting_ties() -> None:
    connections = [
        Connection("a", "b", introduced_by="Hub"),
        Connection("a", "c", introduced_by="hub ", until=date(2026, 1, 1)),
        Connection("b", "c", introduced_by="hub", since=date(2027, 1, 1)),
        Connection("a", "d"),
    ]
    # The third had not begun on the day: not yet introduced.
    assert m.introductions(connections, DAY) == {"hub": m.Introductions(introduced=2, persisting=1)}


def test_snapshot_reads_the_map_as_at_a_date() -> None:
    network = Network(
        (Element("a"), Element("b"), Element("c")),
        (
            Connection("a", "b", since=date(2025, 1, 1)),
            Connection("b", "c", since=date(2026, 6, 1), until=date(2026, 9, 1)),
        ),
    )
    assert len(network.at(date(2024, 12, 31)).connections) == 0
    assert len(network.at(date(2026, 7, 1)).connections) == 2
    assert len(network.at(date(2026, 9, 1)).connections) == 1  # ended that day


def test_summary_of_a_small_map() -> None:
    network = net({"a": Sector.VCSE, "b": Sector.PUBLIC, "c": Sector.VCSE, "d": Sector.FAITH}, [("a", "b"), ("b", "c")])
    summary = m.measure(network, DAY).summary
    assert (summary.elements, summary.ties, summary.components) == (4, 2, 2)
    assert summary.density == pytest.approx(2 / 6)
    assert summary.cut_points == ("b",)
    assert summary.betweenness_sampled_from is None


def test_betweenness_is_networkx_normalised_and_sampled_above_the_stated_size() -> None:
    network = net({str(i): "x" for i in range(30)}, [(str(i), str(i + 1)) for i in range(29)])
    exact = m.betweenness(m.graphs(network))
    assert exact.sampled_from is None
    assert exact.values["15"] == pytest.approx(nx.betweenness_centrality(nx.path_graph(30), normalized=True)[15])
    sampled = m.betweenness(m.graphs(network), sample_above=10, samples=12)
    assert sampled.sampled_from == 12
    theirs = nx.betweenness_centrality(m.graphs(network).undirected, k=12, seed=0, normalized=True)
    assert sampled.values == pytest.approx(theirs)


@st.composite
def random_graphs(draw: st.DrawFn) -> tuple[Network, nx.Graph]:
    n = draw(st.integers(1, 12))
    labels = [f"e{i}" for i in range(n)]
    pairs = list(itertools.combinations(labels, 2))
    chosen = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=len(pairs))) if pairs else []
    sectors = draw(st.lists(st.sampled_from(list(Sector)), min_size=n, max_size=n))
    network = Network(tuple(Element(lab, sector=s) for lab, s in zip(labels, sectors, strict=True)),
                      tuple(Connection(a, b, Direction.UNDIRECTED) for a, b in chosen))  # fmt: skip
    graph = nx.Graph()
    graph.add_nodes_from(labels)
    graph.add_edges_from(chosen)
    return network, graph


@settings(max_examples=150, deadline=None)
@given(random_graphs())
def test_constraint_and_effective_size_agree_with_networkx(case: tuple[Network, nx.Graph]) -> None:
    network, graph = case
    g = m.graphs(network)
    ours, theirs = m.constraint(g), nx.constraint(graph)
    sizes, their_sizes = m.effective_size(g), nx.effective_size(graph)
    for node in graph:
        if graph.degree(node) == 0:
            assert ours[node] is None and math.isnan(theirs[node])
            assert sizes[node] is None
        else:
            assert ours[node] == pytest.approx(theirs[node])
            assert sizes[node] == pytest.approx(their_sizes[node])


@settings(max_examples=150, deadline=None)
@given(random_graphs())
def test_betweenness_agrees_with_networkx(case: tuple[Network, nx.Graph]) -> None:
    network, graph = case
    ours = m.betweenness(m.graphs(network)).values
    assert ours == pytest.approx(nx.betweenness_centrality(graph, normalized=True))


@settings(max_examples=150, deadline=None)
@given(random_graphs())
def test_removal_impact_agrees_with_removing_each_element(case: tuple[Network, nx.Graph]) -> None:
    network, graph = case
    g = m.graphs(network)
    impact = m.removal_impact(g)
    sectors = {e.key: e.sector for e in network.elements}
    for v in graph:
        before = {frozenset(p) for c in nx.connected_components(graph) if v not in c for p in itertools.combinations(c, 2)}
        component = nx.node_connected_component(graph, v) - {v}
        within = {frozenset(p) for p in itertools.combinations(component, 2)}
        rest = graph.subgraph(set(graph) - {v})
        after = {frozenset(p) for c in nx.connected_components(rest) for p in itertools.combinations(c, 2)}
        lost = (before | within) - after
        assert impact[v].pairs == len(lost), v
        residents = {x for pair in lost for x in pair if sectors[x] is Sector.RESIDENTS
                     and any(sectors[y] is Sector.PUBLIC for y in pair - {x})}  # fmt: skip
        public = {x for pair in lost for x in pair if sectors[x] is Sector.PUBLIC
                  and any(sectors[y] is Sector.RESIDENTS for y in pair - {x})}  # fmt: skip
        assert (impact[v].residents, impact[v].public) == (len(residents), len(public)), v


@settings(max_examples=100, deadline=None)
@given(random_graphs(), st.randoms(use_true_random=False))
def test_brokerage_agrees_with_counting_every_triple(case: tuple[Network, nx.Graph], rnd: object) -> None:
    network, _ = case
    # Give each tie a random direction of the three Kumu allows.
    import random

    assert isinstance(rnd, random.Random)
    network = Network(
        network.elements, tuple(Connection(c.source, c.target, rnd.choice(list(Direction))) for c in network.connections)
    )
    g = m.graphs(network)
    d = g.directed
    expected = {v: dict.fromkeys(("coordinator", "consultant", "gatekeeper", "representative", "liaison"), 0) for v in d}
    for a, b, c in itertools.permutations(d, 3):
        if d.has_edge(a, b) and d.has_edge(b, c) and not d.has_edge(a, c):
            expected[b][m.brokerage_role(g.group(a), g.group(b), g.group(c))] += 1
    assert {v: vars(r) for v, r in m.brokerage(g).items()} == expected


@settings(max_examples=150, deadline=None)
@given(random_graphs())
def test_local_bridges_agree_with_networkx(case: tuple[Network, nx.Graph]) -> None:
    network, graph = case
    ours = {frozenset(tie) for tie in m.local_bridges(m.graphs(network))}
    assert ours == {frozenset(tie) for tie in nx.local_bridges(graph, with_span=False)}


def test_sector_from_words() -> None:
    assert Sector.from_words("GP practice") is Sector.PUBLIC
    assert Sector.from_words("Parish Council") is Sector.PUBLIC
    assert Sector.from_words("Parish church") is Sector.FAITH
    assert Sector.from_words("Older residents in Park ward") is Sector.RESIDENTS
    assert Sector.from_words("Community Interest Company") is Sector.VCSE
    assert Sector.from_words("Local business") is Sector.BUSINESS
    assert Sector.from_words("Community foundation") is Sector.FUNDER
    assert Sector.from_words("VCSE") is Sector.VCSE
    assert Sector.from_words("Resident group") is Sector.RESIDENTS
    assert Sector.from_words("Widget") is None
    assert Sector.from_words("Public house") is Sector.BUSINESS
    assert Sector.from_words("St Mary's Sunday school") is Sector.FAITH


def test_sentences_say_what_the_figures_mean() -> None:
    from keepitlocal.connections.engine.sentences import Measure, Voice, findings

    elements = {"r1": Sector.RESIDENTS, "r2": Sector.RESIDENTS, "hub": Sector.VCSE, "gp1": Sector.PUBLIC, "gp2": Sector.PUBLIC}
    ties = [("r1", "hub"), ("r2", "hub"), ("hub", "gp1"), ("hub", "gp2")]
    measures = m.measure(net(elements, ties, Direction.DIRECTED), DAY)
    said = {f.measure: f.sentence for f in findings(measures.of("hub"), measures.summary)}
    assert said[Measure.REMOVAL].startswith("You are the only link between 2 resident groups and 2 public bodies")
    assert said[Measure.DEGREE] == "You are connected to 4 elements of the map: 2 public bodies and 2 resident groups."
    assert "4 between three different sectors" in said[Measure.BROKERAGE]
    assert said[Measure.EI_INDEX] == "100% of your contacts are in another sector."
    other = {f.measure: f.sentence for f in findings(measures.of("hub"), measures.summary, Voice("The hub"))}
    assert other[Measure.REMOVAL].startswith("The hub is the only link between")
    leaf = {f.measure: f.sentence for f in findings(measures.of("r1"), measures.summary)}
    assert leaf[Measure.REMOVAL].startswith("Without you, every element")
    # Two contacts who do not know each other: open, whatever the constraint's size.
    pair = m.measure(net({"a": "x", "b": "x", "c": "x"}, [("a", "b"), ("a", "c")]), DAY)
    said = {f.measure: f.sentence for f in findings(pair.of("a"), pair.summary)}
    assert said[Measure.CONSTRAINT].startswith("Your contacts are mostly not tied to each other")
    assert said[Measure.REMOVAL] == "Without you, 1 pair of elements loses every path between them in this map."
