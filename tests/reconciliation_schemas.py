"""JSON schemas of the W3C Reconciliation Service API, version 0.2, written from the schemas the specification
publishes (https://reconciliation-api.github.io/specs/0.2/schemas/: manifest.json, reconciliation-query-batch.json,
reconciliation-result-batch.json, suggest-entities-response.json, data-extension-query.json and
data-extension-response.json; W3C Entity Reconciliation Community Group, 2020). They keep every constraint those
schemas place on the parts this service uses; the manifest's `authentication` (a Swagger 2 security definition)
is left out, as the service needs none."""

from __future__ import annotations

from typing import Any

TYPE = {
    "oneOf": [
        {"type": "object", "properties": {"id": {"type": "string"}, "name": {"type": "string"}}, "required": ["id"]},
        {"type": "string"},
    ]
}
SERVICE = {
    "type": "object",
    "properties": {
        "service_url": {"type": "string"},
        "service_path": {"type": "string"},
        "flyout_service_url": {"type": "string"},
        "flyout_service_path": {"type": "string", "pattern": ".*\\$\\{id\\}.*"},
    },
}

MANIFEST: dict[str, Any] = {
    "type": "object",
    "properties": {
        "versions": {"type": "array", "items": {"type": "string"}, "contains": {"enum": ["0.2"]}},
        "name": {"type": "string"},
        "identifierSpace": {"type": "string"},
        "schemaSpace": {"type": "string"},
        "documentation": {"type": "string"},
        "serviceVersion": {"type": "string"},
        "logo": {"type": "string"},
        "view": {
            "type": "object",
            "properties": {"url": {"type": "string", "pattern": ".*\\{\\{id\\}\\}.*"}},
            "required": ["url"],
        },
        "feature_view": {
            "type": "object",
            "properties": {"url": {"type": "string", "pattern": ".*\\{\\{id\\}\\}.*"}},
            "required": ["url"],
        },
        "defaultTypes": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"id": {"type": "string"}, "name": {"type": "string"}},
                "required": ["id", "name"],
            },
            "uniqueItems": True,
        },
        "suggest": {"type": "object", "properties": {"entity": SERVICE, "property": SERVICE, "type": SERVICE}},
        "preview": {
            "type": "object",
            "properties": {
                "url": {"type": "string", "pattern": ".*\\{\\{id\\}\\}.*"},
                "width": {"type": "integer"},
                "height": {"type": "integer"},
            },
            "required": ["url", "width", "height"],
        },
        "extend": {
            "type": "object",
            "properties": {
                "propose_properties": {
                    "type": "object",
                    "properties": {"service_url": {"type": "string"}, "service_path": {"type": "string"}},
                },
                "property_settings": {"type": "array"},
            },
        },
    },
    "required": ["versions", "name", "identifierSpace", "schemaSpace"],
}

PROPERTY_VALUE = {
    "oneOf": [
        {"type": "string"},
        {"type": "number"},
        {"type": "boolean"},
        {"type": "object", "properties": {"id": {"type": "string"}, "name": {"type": "string"}}, "required": ["id"]},
    ]
}
QUERY_BATCH: dict[str, Any] = {
    "type": "object",
    "patternProperties": {
        "^.*$": {
            "type": "object",
            "properties": {
                "query": {"type": "string"},
                "type": {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]},
                "limit": {"type": "number"},
                "properties": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "pid": {"type": "string"},
                            "v": {"oneOf": [PROPERTY_VALUE, {"type": "array", "items": PROPERTY_VALUE}]},
                        },
                        "required": ["pid", "v"],
                    },
                },
                "type_strict": {"type": "string", "enum": ["any", "should", "all"]},
            },
            "anyOf": [
                {"required": ["query"]},
                {"required": ["properties"], "properties": {"properties": {"type": "array", "minItems": 1}}},
            ],
            "additionalProperties": False,
        }
    },
}

RESULT_BATCH: dict[str, Any] = {
    "type": "object",
    "patternProperties": {
        "^.*$": {
            "type": "object",
            "properties": {
                "result": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "id": {"type": "string"},
                            "name": {"type": "string"},
                            "description": {"type": "string"},
                            "score": {"type": "number"},
                            "features": {
                                "type": "array",
                                "items": {
                                    "type": "object",
                                    "properties": {
                                        "id": {"type": "string"},
                                        "value": {"oneOf": [{"type": "boolean"}, {"type": "number"}]},
                                    },
                                },
                            },
                            "match": {"type": "boolean"},
                            "type": {"type": "array", "items": TYPE},
                        },
                        "required": ["id", "name", "score"],
                    },
                }
            },
            "required": ["result"],
        }
    },
}

SUGGEST_ENTITIES: dict[str, Any] = {
    "type": "object",
    "properties": {
        "result": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "id": {"type": "string"},
                    "name": {"type": "string"},
                    "description": {"type": "string"},
                    "notable": {"type": "array", "items": TYPE},
                },
                "required": ["id", "name"],
            },
        }
    },
    "required": ["result"],
}

EXTENSION_QUERY: dict[str, Any] = {
    "type": "object",
    "properties": {
        "ids": {"type": "array", "items": {"type": "string"}},
        "properties": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"id": {"type": "string"}, "settings": {"type": "object"}},
                "required": ["id"],
            },
        },
    },
    "required": ["ids", "properties"],
}

_CELL = {
    "oneOf": [
        {"type": "object", "additionalProperties": False},
        {
            "type": "object",
            "properties": {"id": {"type": "string"}, "name": {"type": "string"}, "description": {"type": "string"}},
            "required": ["id", "name"],
            "additionalProperties": False,
        },
        {"type": "object", "properties": {"str": {"type": "string"}}, "required": ["str"], "additionalProperties": False},
        {"type": "object", "properties": {"float": {"type": "number"}}, "required": ["float"], "additionalProperties": False},
        {"type": "object", "properties": {"int": {"type": "integer"}}, "required": ["int"], "additionalProperties": False},
        {"type": "object", "properties": {"date": {"type": "string"}}, "required": ["date"], "additionalProperties": False},
    ]
}
EXTENSION_RESPONSE: dict[str, Any] = {
    "type": "object",
    "properties": {
        "meta": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "id": {"type": "string"},
                    "name": {"type": "string"},
                    "type": {
                        "type": "object",
                        "properties": {"id": {"type": "string"}, "name": {"type": "string"}},
                        "required": ["id"],
                    },
                },
                "required": ["id", "name"],
            },
        },
        "rows": {
            "type": "object",
            "patternProperties": {".*": {"type": "object", "patternProperties": {".*": {"type": "array", "items": _CELL}}}},
        },
    },
    "required": ["rows", "meta"],
}
