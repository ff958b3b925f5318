"""GEXF and GraphML for Gephi and other network tools, written (and GEXF read) through networkx.

Each element is a node (its id e1, e2, ... in map order; its label and every field as attributes); each connection is
an edge of a directed multigraph, its Kumu direction kept as an attribute, so two connections between the same pair
stay two."""

from __future__ import annotations

import io
import math
from datetime import date
from pathlib import Path

import networkx as nx

from keepitlocal.connections.engine.model import LIMITS, Connection, Direction, Element, Kind, Network, Sector, label_key
from keepitlocal.connections.engine.problems import ImportRejected, Problem

SEPARATOR = "|"


def to_networkx(network: Network) -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph()
    ids: dict[str, str] = {}
    for number, element in enumerate(network.elements, start=1):
        ids[element.key] = node = f"e{number}"
        graph.add_node(
            node,
            label=element.label,
            type=element.type,
            sector=element.sector.label if element.sector else "",
            description=element.description,
            tags=SEPARATOR.join(element.tags),
            org_id=element.org_id,
            place=element.place,
            **{f"field: {name}": value for name, value in element.fields},
        )
    for connection in network.connections:
        source, target = connection.ends
        graph.add_edge(
            ids[source],
            ids[target],
            type=connection.type,
            direction=connection.direction.value,
            # Gephi reads a missing weight as 1.
            **({"strength": connection.strength, "weight": connection.strength} if connection.strength is not None else {}),
            since=connection.since.isoformat() if connection.since else "",
            until=connection.until.isoformat() if connection.until else "",
            introduced_by=connection.introduced_by,
            recorded_by=connection.recorded_by,
            confirmed=connection.confirmed,
            evidence=connection.evidence,
            description=connection.description,
            tags=SEPARATOR.join(connection.tags),
        )
    return graph


def write_gexf(network: Network) -> bytes:
    out = io.BytesIO()
    nx.write_gexf(to_networkx(network), out)
    return out.getvalue()


def write_graphml(network: Network) -> bytes:
    out = io.BytesIO()
    nx.write_graphml(to_networkx(network), out)
    return out.getvalue()


def read_gexf(path: Path | bytes) -> Network:
    """A map from GEXF: any node attribute named label, type or sector is read as such (Gephi files from elsewhere
    carry only what they carry); edges are directed unless the edge or the graph says otherwise."""
    data = path if isinstance(path, bytes) else path.read_bytes()
    # A document type can declare entities that expand without end (the "billion laughs"); GEXF never needs one.
    if b"<!DOCTYPE" in data[:4096].upper() or b"<!ENTITY" in data.upper():
        raise ImportRejected([Problem("", 0, "", "", "This GEXF file declares a document type, which GEXF does not use.")])
    try:
        graph = nx.read_gexf(io.BytesIO(data))
    except Exception as error:  # networkx raises several kinds for a file that is not GEXF
        raise ImportRejected([Problem("", 0, "", "", "This file is not GEXF.")]) from error
    undirected = not graph.is_directed()
    problems: list[Problem] = []
    elements: list[Element] = []
    labels: dict[object, str] = {}
    seen: set[str] = set()
    for node, data in graph.nodes(data=True):
        label = str(data.get("label") or node)
        if label_key(label) in seen:  # two nodes with one label: keep them apart by id
            label = f"{label} ({node})"
        seen.add(label_key(label))
        labels[node] = label
        type_ = str(data.get("type", ""))
        sector_text = str(data.get("sector", ""))
        for name, value in (
            ("label", label),
            ("type", type_),
            ("org_id", str(data.get("org_id", ""))),
            ("place", str(data.get("place", ""))),
        ):
            if len(value) > LIMITS[name]:
                problems.append(Problem("Nodes", len(elements) + 1, name, value[:50], f"At most {LIMITS[name]} characters."))
        elements.append(
            Element(
                label=label,
                type=type_,
                sector=Sector.from_words(sector_text or type_),
                description=str(data.get("description", "")),
                tags=tuple(t for t in str(data.get("tags", "")).split(SEPARATOR) if t),
                org_id=str(data.get("org_id", "")),
                place=str(data.get("place", "")),
                fields=tuple((k.removeprefix("field: "), str(v)) for k, v in data.items() if k.startswith("field: ")),
            )
        )
    connections = []
    known = {label_key(label) for label in labels.values()}
    for number, (source, target, data) in enumerate(graph.edges(data=True), start=1):

        def problem(column: str, value: object, message: str, number: int = number) -> None:
            problems.append(Problem("Edges", number, column, str(value)[:50], message))

        direction = Direction.from_words(str(data.get("direction", ""))) or (
            Direction.UNDIRECTED if undirected else Direction.DIRECTED
        )
        strength = data.get("strength", data.get("weight"))
        try:
            strength = float(strength) if strength not in (None, "") else None
            if strength is not None and not math.isfinite(strength):
                raise ValueError(strength)
        except (TypeError, ValueError):
            problem("strength", strength, "Strength must be a number.")
            strength = None
        if source == target:
            problem("target", labels[target], "A connection joins two different elements.")
        days: list[date | None] = []
        for name in ("since", "until"):
            try:
                days.append(date.fromisoformat(str(data[name])) if data.get(name) else None)
            except ValueError:
                problem(name, data[name], "Not a date: write it as 2025-04-01.")
                days.append(None)
        if days[0] and days[1] and days[1] <= days[0]:
            problem("until", days[1], "The connection must end after it began.")
        for name, limit in (("type", LIMITS["type"]), ("recorded_by", LIMITS["recorded_by"])):
            if len(str(data.get(name, ""))) > limit:
                problem(name, data[name], f"At most {limit} characters.")
        introducer = str(data.get("introduced_by", ""))
        if introducer and label_key(introducer) not in known:
            problem("introduced_by", introducer, "No element has this label: the introducer must be an element of the map.")
        connections.append(
            Connection(
                source=labels[source],
                target=labels[target],
                direction=direction,
                type=str(data.get("type", "")),
                kind=Kind.from_words(str(data.get("type", ""))),
                strength=strength,
                since=days[0],
                until=days[1],
                introduced_by=introducer,
                recorded_by=str(data.get("recorded_by", "")),
                confirmed=bool(data.get("confirmed", False)),
                evidence=str(data.get("evidence", "")),
                description=str(data.get("description", "")),
                tags=tuple(t for t in str(data.get("tags", "")).split(SEPARATOR) if t),
            )
        )
    if problems:
        raise ImportRejected(problems)
    return Network(tuple(elements), tuple(connections))
