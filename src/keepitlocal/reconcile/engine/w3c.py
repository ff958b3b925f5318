"""The W3C Reconciliation Service API, version 0.2 (https://reconciliation-api.github.io/specs/0.2/), as OpenRefine
speaks it: the manifest, batches of queries, entity suggest, and data extension. Pure: given a Catalogue and the
service's own address, it turns requests into answers."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from keepitlocal.reconcile.engine.matching import Catalogue, Entity, EntityType, Query

VERSION = "0.2"
MOST_QUERIES = 100  # a batch; OpenRefine sends 10 at a time
MOST_CANDIDATES = 25
IDENTIFIER_SPACE = "https://org-id.guide/"
SCHEMA_SPACE = "https://keepitlocal.example/reconcile/schema"
PROPERTIES = {  # the properties a query can narrow by, and those data extension adds
    "postcode": "Postcode (narrows to the same postcode district)",
    "council": "Council area (GSS code, narrows to organisations based there)",
}
EXTENSIONS = {
    "type": "Type of organisation",
    "vcse": "Voluntary, community or social enterprise (VCSE)",
    "locality": "Local authority district",
    "charity_scale": "Charity scale",
}


class BadRequest(ValueError):
    """A request the service cannot read; the message says what was wrong."""


def manifest(base: str) -> dict[str, Any]:
    """The service manifest; `base` is the service's own address (no trailing slash)."""
    return {
        "versions": [VERSION],
        "name": "Keep it Local Network: organisations",
        "identifierSpace": IDENTIFIER_SPACE,
        "schemaSpace": SCHEMA_SPACE,
        "documentation": f"{base}/docs",
        "defaultTypes": [{"id": t.value, "name": t.label} for t in EntityType],
        "view": {"url": f"{base}/view/{{{{id}}}}"},
        "preview": {"url": f"{base}/preview?id={{{{id}}}}", "width": 400, "height": 120},
        "suggest": {"entity": {"service_url": base, "service_path": "/suggest/entity"}},
        "extend": {
            "propose_properties": {"service_url": base, "service_path": "/propose_properties"},
            "property_settings": [],
        },
    }


def _types(value: Any) -> tuple[EntityType, ...]:
    values = value if isinstance(value, list) else [value] if value else []
    known = {t.value: t for t in EntityType}
    return tuple(known[v] for v in values if isinstance(v, str) and v in known)


def _property(properties: Any, pid: str) -> str:
    for item in properties if isinstance(properties, list) else []:
        if isinstance(item, Mapping) and item.get("pid") == pid:
            value = item.get("v")
            value = value[0] if isinstance(value, list) and value else value
            if isinstance(value, Mapping):
                value = value.get("id", "")
            return str(value or "").strip()
    return ""


def _parsed(text: str, message: str) -> Any:
    """JSON from a request, or BadRequest: whatever is malformed, including nesting deeper than Python's parser goes
    (which raises RecursionError, not ValueError)."""
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        raise BadRequest(message) from None


def read_queries(text: str) -> dict[str, Query]:
    """A batch `{"q0": {"query": "...", "type": "...", "limit": 3, "properties": [{"pid": "postcode", "v": "HX1 1AA"}]}}`."""
    batch = _parsed(text, "queries must be JSON: an object of queries by key")
    if not isinstance(batch, Mapping):
        raise BadRequest("queries must be an object of queries by key")
    if len(batch) > MOST_QUERIES:
        raise BadRequest(f"at most {MOST_QUERIES} queries in one batch")
    queries: dict[str, Query] = {}
    for key, item in batch.items():
        if not isinstance(item, Mapping):
            raise BadRequest(f"query {key} must be an object")
        text_ = item.get("query", "")
        properties = item.get("properties", [])
        if not isinstance(text_, str) or (not text_.strip() and not properties):
            raise BadRequest(f"query {key} needs a 'query' string or 'properties'")
        limit = item.get("limit", 5)
        wanted = isinstance(limit, int | float) and not isinstance(limit, bool) and math.isfinite(limit)
        limit = int(limit) if wanted else 5
        queries[str(key)] = Query(
            text_[:300],
            _types(item.get("type")),
            _property(properties, "postcode"),
            _property(properties, "council"),
            max(1, min(limit, MOST_CANDIDATES)),
        )
    return queries


def _type_list(entity: Entity) -> list[dict[str, str]]:
    return [{"id": entity.type.value, "name": entity.type.label}]


def results(catalogue: Catalogue, queries: Mapping[str, Query]) -> dict[str, Any]:
    answer: dict[str, Any] = {}
    for key, query in queries.items():
        answer[key] = {
            "result": [
                {
                    "id": c.entity.id,
                    "name": c.entity.name,
                    "description": c.why,
                    "type": _type_list(c.entity),
                    "score": round(c.score, 1),
                    "match": c.match,
                    "features": [{"id": "name_likeness", "value": round(c.score, 1)}],
                }
                for c in catalogue.search(query)
            ]
        }
    return answer


def suggest(catalogue: Catalogue, prefix: str) -> dict[str, Any]:
    found = catalogue.search(Query(prefix[:300], limit=10)) if prefix.strip() else []
    return {
        "result": [
            {"id": c.entity.id, "name": c.entity.name, "description": c.why, "notable": _type_list(c.entity)} for c in found
        ]
    }


def propose_properties(type_: str) -> dict[str, Any]:
    return {"type": type_ or "organisation", "properties": [{"id": k, "name": v} for k, v in EXTENSIONS.items()]}


def read_extend(text: str) -> tuple[list[str], list[str]]:
    """A data extension request `{"ids": [...], "properties": [{"id": "type"}, ...]}`."""
    asked = _parsed(text, "extend must be JSON")
    if not isinstance(asked, Mapping) or not isinstance(asked.get("ids"), list) or not isinstance(asked.get("properties"), list):
        raise BadRequest("extend needs 'ids' and 'properties' lists")
    ids = [str(i) for i in asked["ids"]][: MOST_QUERIES * 10]
    properties = [str(p.get("id")) for p in asked["properties"] if isinstance(p, Mapping)]
    unknown = [p for p in properties if p not in EXTENSIONS]
    if unknown:
        raise BadRequest(f"unknown properties: {', '.join(unknown)}; known: {', '.join(EXTENSIONS)}")
    return ids, properties


def _vcse(entity: Entity) -> str:
    if entity.kind == "vcse":
        return "Yes"
    return "No" if entity.kind else "Not known"


def extend(catalogue: Catalogue, ids: list[str], properties: list[str], council_name: Mapping[str, str]) -> dict[str, Any]:
    """Each entity's values for the properties asked; an id the service does not know gets empty values."""
    rows: dict[str, Any] = {}
    for identifier in ids:
        entity = catalogue.get(identifier)
        values: dict[str, list[dict[str, Any]]] = {}
        for prop in properties:
            if entity is None:
                values[prop] = []
            elif prop == "type":
                values[prop] = [{"str": entity.type.label}]
            elif prop == "vcse":
                values[prop] = [{"str": _vcse(entity)}]
            elif prop == "locality":
                lad = catalogue.district(entity)
                values[prop] = [{"id": lad, "name": council_name.get(lad, lad)}] if lad else []
            else:
                scale = catalogue.charity_scale(entity)
                values[prop] = [{"str": scale}] if scale else []
        rows[identifier] = values
    return {"meta": [{"id": p, "name": EXTENSIONS[p]} for p in properties], "rows": rows}
