"""GEXF and GraphML for Gephi and other network tools, written (and GEXF read) through networkx.

Each element is a node (its id e1, e2, ... in map order; its label and every field as attributes); each connection is
an edge of a directed multigraph, its Kumu direction kept as an attribute, so two connections between the same pair
stay two."""

from __future__ import annotations

import io
from pathlib import Path

import networkx as nx

from keepitlocal.connections.engine.model import Connection, Direction, Element, Kind, Network, Sector, label_key
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
    from datetime import date

    data = path if isinstance(path, bytes) else path.read_bytes()
    # A document type can declare entities that expand without end (the "billion laughs"); GEXF never needs one.
    if b"<!DOCTYPE" in data[:4096].upper() or b"<!ENTITY" in data.upper():
        raise ImportRejected([Problem("", 0, "", "", "This GEXF file declares a document type, which GEXF does not use.")])
    try:
        graph = nx.read_gexf(io.BytesIO(data))
    except Exception as error:  # networkx raises several kinds for a file that is not GEXF
        raise ImportRejected([Problem("", 0, "", "", "This file is not GEXF.")]) from error
    undirected = not graph.is_directed()
    elements = []
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
        elements.append(
            Element(
                label=label,
                type=type_,
                sector=Sector.from_words(sector_text or type_),
                description=str(data.get("description", "")),
                tags=tuple(t for t in str(data.get("tags", "")).split(SEPARATOR) if t),
                org_id=str(data.get("org_id", "")),
                place=str(data.get("place", "")),
            )
        )
    connections = []
    for source, target, data in graph.edges(data=True):
        direction = Direction.from_words(str(data.get("direction", ""))) or (
            Direction.UNDIRECTED if undirected else Direction.DIRECTED
        )
        strength = data.get("strength", data.get("weight"))
        connections.append(
            Connection(
                source=labels[source],
                target=labels[target],
                direction=direction,
                type=str(data.get("type", "")),
                kind=Kind.from_words(str(data.get("type", ""))),
                strength=float(strength) if strength not in (None, "") else None,
                since=date.fromisoformat(data["since"]) if data.get("since") else None,
                until=date.fromisoformat(data["until"]) if data.get("until") else None,
                introduced_by=str(data.get("introduced_by", "")),
                confirmed=bool(data.get("confirmed", False)),
                evidence=str(data.get("evidence", "")),
                description=str(data.get("description", "")),
            )
        )
    return Network(tuple(elements), tuple(connections))
