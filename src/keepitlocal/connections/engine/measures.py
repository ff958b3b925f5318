"""The measures of a map, one function each; formulas and plain-English meanings in docs/CONNECTIONS.md.

Structural measures (degree, betweenness, constraint, effective size, cut points, local bridges, removal impact,
E-I index) read the map as an undirected simple graph: two elements are tied when any connection joins them, in
either direction, of any type. Brokerage reads it as directed: a one-way connection runs from -> to, a mutual or
undirected one runs both ways."""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

import networkx as nx

from keepitlocal.connections.engine.model import Connection, Direction, Element, Network, Sector, label_key

# Above this many elements betweenness is estimated from SAMPLES source elements chosen with a fixed seed (the same
# map gives the same figures); exact betweenness costs elements x connections.
SAMPLE_ABOVE = 1_000
SAMPLES = 256


@dataclass(frozen=True)
class Graphs:
    """A map as the two graphs the measures read, with its elements by key."""

    elements: dict[str, Element]
    undirected: nx.Graph
    directed: nx.DiGraph

    def group(self, key: str) -> str:
        return self.elements[key].group

    def sector(self, key: str) -> Sector | None:
        return self.elements[key].sector


def graphs(network: Network) -> Graphs:
    """Every element is a node (an element with no connections still counts); a connection from an element to
    itself is no tie."""
    elements = network.by_key()
    undirected = nx.Graph()
    directed = nx.DiGraph()
    undirected.add_nodes_from(elements)
    directed.add_nodes_from(elements)
    for connection in network.connections:
        source, target = connection.ends
        if source == target or source not in elements or target not in elements:
            continue
        undirected.add_edge(source, target)
        directed.add_edge(source, target)
        if connection.direction is not Direction.DIRECTED:
            directed.add_edge(target, source)
    return Graphs(elements, undirected, directed)


# Degree ---------------------------------------------------------------------------------------------------------


def degree_by_group(g: Graphs, key: str) -> dict[str, int]:
    """How many distinct elements of each group (sector) `key` is tied to, in either direction."""
    counts: dict[str, int] = {}
    for other in g.undirected[key]:
        counts[g.group(other)] = counts.get(g.group(other), 0) + 1
    return counts


# Betweenness ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Betweenness:
    """Normalised betweenness of every element; `sampled_from` is the number of source elements it was estimated
    from, or None when exact."""

    values: dict[str, float]
    sampled_from: int | None


def betweenness(g: Graphs, sample_above: int = SAMPLE_ABOVE, samples: int = SAMPLES, seed: int = 0) -> Betweenness:
    """Share of shortest paths between other pairs that pass through each element: Brandes' algorithm on the
    undirected graph, normalised as networkx normalises it (divided by (n-1)(n-2)). Above `sample_above` elements,
    estimated from `samples` sources drawn as networkx draws them (random.Random(seed).sample of the elements in map
    order) and scaled up from them: the same figures as networkx's `betweenness_centrality(k=samples, seed=seed)`,
    about three times faster, because the search runs over lists of integers rather than dictionaries of labels."""
    graph = g.undirected
    keys = list(graph)
    n = len(keys)
    index = {key: i for i, key in enumerate(keys)}
    adjacency = [[index[other] for other in graph[key]] for key in keys]
    sampled = n > sample_above and samples < n
    if n < 3:
        return Betweenness(dict.fromkeys(keys, 0.0), None)
    if not sampled:
        totals = _brandes(adjacency, range(n))
        return Betweenness({key: totals[i] / ((n - 1) * (n - 2)) for i, key in enumerate(keys)}, None)
    sources = [index[k] for k in random.Random(seed).sample(keys, samples)]
    totals = _brandes(adjacency, sources)
    # An element's own searches say nothing of paths through it: among the sampled sources it is measured from
    # the other samples - 1 (unbiased, as networkx scales it).
    chosen = set(sources)
    return Betweenness(
        {key: totals[i] / (((samples - 1) if i in chosen else samples) * (n - 2)) for i, key in enumerate(keys)},
        samples,
    )


def _brandes(adjacency: list[list[int]], sources: Iterable[int]) -> list[float]:
    """Sum over sources s of each node's dependency delta_s(v) (Brandes 2001). Predecessors are not stored: a
    neighbour one step nearer the source is a predecessor."""
    n = len(adjacency)
    totals = [0.0] * n
    for s in sources:
        distance = [-1] * n
        paths = [0] * n
        distance[s], paths[s] = 0, 1
        order = [s]
        position = 0
        while position < len(order):
            v = order[position]
            position += 1
            next_distance, through = distance[v] + 1, paths[v]
            for w in adjacency[v]:
                if distance[w] < 0:
                    distance[w] = next_distance
                    paths[w] = through
                    order.append(w)
                elif distance[w] == next_distance:
                    paths[w] += through
        dependency = [0.0] * n
        for w in reversed(order):
            share = (1 + dependency[w]) / paths[w]
            previous = distance[w] - 1
            for v in adjacency[w]:
                if distance[v] == previous:
                    dependency[v] += paths[v] * share
            if w != s:
                totals[w] += dependency[w]
    return totals


# Structural holes (Burt) ----------------------------------------------------------------------------------------


def constraint(g: Graphs) -> dict[str, float | None]:
    """Burt's constraint: c_i = sum over contacts j of (p_ij + sum over shared contacts q of p_iq p_qj)^2, with
    p_ij = 1 / degree(i) on an unweighted tie. From 1/degree (contacts who do not know each other) to above 1
    (contacts all tied to each other). None for an element with no ties. Same figures as networkx's
    `constraint`, in time proportional to the sum of squared degrees rather than cubed."""
    graph = g.undirected
    neighbours = {node: set(graph[node]) for node in graph}
    result: dict[str, float | None] = {}
    for i, contacts in neighbours.items():
        if not contacts:
            result[i] = None
            continue
        p_i = 1 / len(contacts)
        total = 0.0
        for j in contacts:
            indirect = sum(p_i / len(neighbours[q]) for q in contacts & neighbours[j])
            total += (p_i + indirect) ** 2
        result[i] = total
    return result


def effective_size(g: Graphs) -> dict[str, float | None]:
    """Burt's effective size, in Borgatti's form for unweighted ties: n - 2t/n, with n the element's contacts and t
    the ties among those contacts: the number of contacts that are not redundant. None with no ties."""
    graph = g.undirected
    neighbours = {node: set(graph[node]) for node in graph}
    result: dict[str, float | None] = {}
    for i, contacts in neighbours.items():
        n = len(contacts)
        if n == 0:
            result[i] = None
            continue
        t = sum(len(neighbours[j] & contacts) for j in contacts) / 2
        result[i] = n - 2 * t / n
    return result


# Bridges and cut points -----------------------------------------------------------------------------------------


def cut_points(g: Graphs) -> set[str]:
    """Elements whose removal splits the part of the map they are in (articulation points)."""
    return set(nx.articulation_points(g.undirected))


def local_bridges(g: Graphs) -> list[tuple[str, str]]:
    """Ties whose two ends share no contact: without them the shortest path between the ends is at least three
    steps, or none. Each tie looks through the smaller end's contacts only, so a hub tied to everything costs its
    ties once, not its contacts squared (networkx's `local_bridges` builds both ends' sets per tie)."""
    graph = g.undirected
    found = []
    for u, v in graph.edges():
        small, large = (graph[u], graph[v]) if len(graph[u]) <= len(graph[v]) else (graph[v], graph[u])
        if not any(w in large for w in small):
            found.append((u, v))
    return found


@dataclass(frozen=True)
class Removal:
    """What the map loses without an element: `pairs` of other elements that lose every path between them;
    `residents` resident groups that lose every path to at least one public body, and `public` the public bodies
    that lose every path to at least one resident group."""

    pairs: int = 0
    residents: int = 0
    public: int = 0


def removal_impact(g: Graphs) -> dict[str, Removal]:
    """For each element v, the pieces its part of the map falls into without it, from one depth-first search
    (Hopcroft-Tarjan): pairs lost = sum over pieces i < j of size_i x size_j."""
    graph = g.undirected
    is_resident = {k: g.sector(k) is Sector.RESIDENTS for k in graph}
    is_public = {k: g.sector(k) is Sector.PUBLIC for k in graph}
    result = {key: Removal() for key in graph}
    discovered: dict[str, int] = {}
    low: dict[str, int] = {}
    # Per node: (size, residents, public) of its depth-first subtree, and the pieces found under it so far.
    subtree: dict[str, list[int]] = {}
    pieces: dict[str, list[tuple[int, int, int]]] = {}
    counter = 0
    for root in graph:
        if root in discovered:
            continue
        component: list[str] = []
        discovered[root] = low[root] = counter
        counter += 1
        subtree[root] = [1, int(is_resident[root]), int(is_public[root])]
        pieces[root] = []
        component.append(root)
        stack: list[tuple[str, str | None, Iterable[str]]] = [(root, None, iter(graph[root]))]
        while stack:
            node, parent, children = stack[-1]
            advanced = False
            for child in children:
                if child not in discovered:
                    discovered[child] = low[child] = counter
                    counter += 1
                    subtree[child] = [1, int(is_resident[child]), int(is_public[child])]
                    pieces[child] = []
                    component.append(child)
                    stack.append((child, node, iter(graph[child])))
                    advanced = True
                    break
                if child != parent:
                    low[node] = min(low[node], discovered[child])
            if advanced:
                continue
            stack.pop()
            if parent is not None:
                low[parent] = min(low[parent], low[node])
                below = subtree[node]
                subtree[parent][0] += below[0]
                subtree[parent][1] += below[1]
                subtree[parent][2] += below[2]
                if low[node] >= discovered[parent]:
                    pieces[parent].append((below[0], below[1], below[2]))
        whole = subtree[root]
        for v in component:
            found = pieces[v]
            if not found or (v == root and len(found) < 2):
                continue
            rest = (
                whole[0] - 1 - sum(p[0] for p in found),
                whole[1] - int(is_resident[v]) - sum(p[1] for p in found),
                whole[2] - int(is_public[v]) - sum(p[2] for p in found),
            )
            parts = [*found, rest] if rest[0] > 0 else found
            if len(parts) < 2:
                continue
            total = sum(p[0] for p in parts)
            pairs = (total * total - sum(p[0] * p[0] for p in parts)) // 2
            residents_total = sum(p[1] for p in parts)
            public_total = sum(p[2] for p in parts)
            residents = sum(p[1] for p in parts if public_total - p[2] > 0)
            public = sum(p[2] for p in parts if residents_total - p[1] > 0)
            result[v] = Removal(pairs, residents, public)
    return result


# Brokerage (Gould and Fernandez 1989) -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Brokerage:
    """Counts of the open two-step paths a -> b -> c an element b stands in the middle of, by the groups of a, b, c."""

    coordinator: int = 0
    consultant: int = 0
    gatekeeper: int = 0
    representative: int = 0
    liaison: int = 0

    @property
    def total(self) -> int:
        return self.coordinator + self.consultant + self.gatekeeper + self.representative + self.liaison


def brokerage_role(a: str, b: str, c: str) -> str:
    """The Gould-Fernandez role of b on a -> b -> c, from the three groups: coordinator (all one group), consultant
    (a and c share a group b is not in; also called itinerant), gatekeeper (b and c share a group a is not in),
    representative (a and b share a group c is not in), liaison (all three differ)."""
    if a == b == c:
        return "coordinator"
    if a == c:
        return "consultant"
    if b == c:
        return "gatekeeper"
    if a == b:
        return "representative"
    return "liaison"


def brokerage(g: Graphs) -> dict[str, Brokerage]:
    """For every directed path a -> b -> c with a != c and no tie a -> c, b brokers once, in the role its groups
    give (brokerage_role). Counted by groups rather than path by path: b's in-contacts by group times its
    out-contacts by group, less the pairs that are one element (a tie both ways) and the pairs already tied a -> c
    (found by looking through the smaller of a's out-contacts and b's). A hub tied to thousands costs its ties, not
    their square."""
    graph = g.directed
    successors = {node: set(graph.successors(node)) for node in graph}
    groups = {node: g.group(node) for node in graph}
    result: dict[str, Brokerage] = {}
    for b in graph:
        outs = successors[b]
        ins = list(graph.predecessors(b))
        pairs: dict[tuple[str, str], int] = {}
        out_groups: dict[str, int] = {}
        for c in outs:
            out_groups[groups[c]] = out_groups.get(groups[c], 0) + 1
        in_groups: dict[str, int] = {}
        for a in ins:
            in_groups[groups[a]] = in_groups.get(groups[a], 0) + 1
        for group_a, n_a in in_groups.items():
            for group_c, n_c in out_groups.items():
                pairs[(group_a, group_c)] = n_a * n_c
        for a in ins:
            group_a = groups[a]
            if a in outs:  # a -> b -> a is no path between two elements
                pairs[(group_a, group_a)] -= 1
            reach = successors[a]
            closed = (c for c in reach if c in outs) if len(reach) <= len(outs) else (c for c in outs if c in reach)
            for c in closed:
                if c != b:
                    pairs[(group_a, groups[c])] -= 1
        counts = {"coordinator": 0, "consultant": 0, "gatekeeper": 0, "representative": 0, "liaison": 0}
        group_b = groups[b]
        for (group_a, group_c), n in pairs.items():
            if n:
                counts[brokerage_role(group_a, group_b, group_c)] += n
        result[b] = Brokerage(**counts)
    return result


# E-I index (Krackhardt and Stern 1988) ----------------------------------------------------------------------------


def ei_index(g: Graphs, key: str) -> float | None:
    """(E - I) / (E + I) over the element's contacts, E those in another group (sector), I those in its own: -1 all
    within its sector, +1 all across. None with no contacts."""
    own = g.group(key)
    external = internal = 0
    for other in g.undirected[key]:
        if g.group(other) == own:
            internal += 1
        else:
            external += 1
    if external + internal == 0:
        return None
    return (external - internal) / (external + internal)


def network_ei_index(g: Graphs) -> float | None:
    """The E-I index over every tie of the map: (ties across groups - ties within) / all ties. None with no ties."""
    external = internal = 0
    for u, v in g.undirected.edges():
        if g.group(u) == g.group(v):
            internal += 1
        else:
            external += 1
    total = external + internal
    return None if total == 0 else (external - internal) / total


# Catalytic introductions ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Introductions:
    """Connections an element brokered (`introduced_by` names it), and how many of them are still current."""

    introduced: int = 0
    persisting: int = 0


def introductions(connections: Iterable[Connection], on: date) -> dict[str, Introductions]:
    """Per introducing element: connections it introduced that had begun by `on`, and those still current then."""
    introduced: dict[str, int] = {}
    persisting: dict[str, int] = {}
    for connection in connections:
        if not connection.introduced_by.strip() or (connection.since is not None and connection.since > on):
            continue
        key = label_key(connection.introduced_by)
        introduced[key] = introduced.get(key, 0) + 1
        if connection.current_on(on):
            persisting[key] = persisting.get(key, 0) + 1
    return {key: Introductions(n, persisting.get(key, 0)) for key, n in introduced.items()}


# Everything together ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ElementMeasures:
    """Every measure of one element."""

    key: str
    label: str
    group: str
    sector: Sector | None
    degree: int
    in_degree: int
    out_degree: int
    by_group: dict[str, int]
    betweenness: float
    constraint: float | None
    effective_size: float | None
    brokerage: Brokerage
    ei_index: float | None
    removal: Removal
    cut_point: bool
    local_bridges: int
    introductions: Introductions


@dataclass(frozen=True)
class Summary:
    """The map as a whole."""

    elements: int
    connections: int
    confirmed: int
    ties: int
    density: float
    components: int
    cut_points: tuple[str, ...]
    local_bridges: int
    ei_index: float | None
    betweenness_sampled_from: int | None
    on: date


@dataclass(frozen=True)
class Measures:
    elements: tuple[ElementMeasures, ...]
    summary: Summary
    by_key: dict[str, ElementMeasures] = field(default_factory=dict)

    def of(self, key: str) -> ElementMeasures:
        return self.by_key[label_key(key)]


def measure(network: Network, on: date, sample_above: int = SAMPLE_ABOVE, samples: int = SAMPLES) -> Measures:
    """Every measure of every element of the map as it stood on `on`, and the summary. Introductions count over
    every connection ever recorded (an introduced tie that has ended is introduced, not persisting)."""
    current = network.at(on)
    g = graphs(current)
    between = betweenness(g, sample_above, samples)
    constraints = constraint(g)
    sizes = effective_size(g)
    roles = brokerage(g)
    removals = removal_impact(g)
    cuts = cut_points(g)
    bridges = local_bridges(g)
    bridge_ends: dict[str, int] = {}
    for u, v in bridges:
        bridge_ends[u] = bridge_ends.get(u, 0) + 1
        bridge_ends[v] = bridge_ends.get(v, 0) + 1
    introduced = introductions(network.connections, on)
    rows = []
    for key, element in g.elements.items():
        rows.append(
            ElementMeasures(
                key=key,
                label=element.label,
                group=element.group,
                sector=element.sector,
                degree=g.undirected.degree(key),
                in_degree=g.directed.in_degree(key),
                out_degree=g.directed.out_degree(key),
                by_group=degree_by_group(g, key),
                betweenness=between.values.get(key, 0.0),
                constraint=constraints[key],
                effective_size=sizes[key],
                brokerage=roles[key],
                ei_index=ei_index(g, key),
                removal=removals[key],
                cut_point=key in cuts,
                local_bridges=bridge_ends.get(key, 0),
                introductions=introduced.get(key, Introductions()),
            )
        )
    n = g.undirected.number_of_nodes()
    summary = Summary(
        elements=n,
        connections=len(current.connections),
        confirmed=sum(1 for c in current.connections if c.confirmed),
        ties=g.undirected.number_of_edges(),
        density=nx.density(g.undirected) if n > 1 else 0.0,
        components=nx.number_connected_components(g.undirected) if n else 0,
        cut_points=tuple(sorted((g.elements[k].label for k in cuts), key=str.casefold)),
        local_bridges=len(bridges),
        ei_index=network_ei_index(g),
        betweenness_sampled_from=between.sampled_from,
        on=on,
    )
    return Measures(tuple(rows), summary, {row.key: row for row in rows})
