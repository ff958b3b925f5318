"""Matching names to organisations: scores, certainty, types, narrowing by place, councils by their names, and the
W3C protocol's answers against the specification's schemas."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from keepitlocal.common.publicbodies import CouncilRef
from keepitlocal.reconcile.engine import w3c
from keepitlocal.reconcile.engine.matching import Catalogue, Entity, EntityType, Query
from keepitlocal.spend.engine.registers import Registers
from tests import reconciliation_schemas as schemas

CHARITIES = (
    "registered_charity_number,charity_name,charity_contact_postcode,charity_registration_status,linked_charity_number\n"
    "1100001,HALIFAX YOUTH ASSOCIATION,HX1 2AB,Registered,0\n"
    "1100002,TODMORDEN FOOD BANK,OL14 5AB,Registered,0\n"
    "1100003,LEEDS FOOD BANK,LS1 4AP,Registered,0\n"
    "1100004,ST AUGUSTINE'S CENTRE,HX1 3AA,Registered,0\n"
    "1100005,ST AUGUSTINES CENTRE,LS1 5AA,Registered,0\n"
)
POSTCODES = "pcds,laua,rgn\nHX1 2AB,E08000033,E12000003\nOL14 5AB,E08000033,E12000003\nLS1 4AP,E08000035,E12000003\nHX1 3AA,E08000033,E12000003\nLS1 5AA,E08000035,E12000003\n"
COUNCILS = [
    CouncilRef("E08000033", "Calderdale", "metropolitan district"),
    CouncilRef("E08000035", "Leeds", "metropolitan district"),
]


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory: pytest.TempPathFactory) -> Catalogue:
    folder = tmp_path_factory.mktemp("registers")
    (folder / "charities.csv").write_text(CHARITIES)
    (folder / "postcodes.csv").write_text(POSTCODES)
    registers = Registers.from_folder(folder)
    resolved = [
        Entity(
            "GB-CHC-1100001", "Halifax Youth Assoc.", EntityType.CHARITY, "HX1 2AB", "vcse", "Calderdale paid it under this name"
        )
    ]
    return Catalogue(registers, resolved, COUNCILS)


def test_the_same_name_is_a_certain_match_and_a_close_one_a_scored_candidate(catalogue: Catalogue) -> None:
    found = catalogue.search(Query("Todmorden Food Bank Ltd"))
    assert found[0].entity.id == "GB-CHC-1100002" and found[0].score == 100 and found[0].match
    close = catalogue.search(Query("Todmorden Foodbank"))
    assert close[0].entity.id == "GB-CHC-1100002" and 80 <= close[0].score < 100 and not close[0].match
    # Scores fall from the best; other food banks are candidates, lower down.
    assert [c.score for c in found] == sorted((c.score for c in found), reverse=True)


def test_a_name_two_organisations_share_is_never_certain(catalogue: Catalogue) -> None:
    found = catalogue.search(Query("St Augustine's Centre"))
    assert {c.entity.id for c in found[:2]} == {"GB-CHC-1100004", "GB-CHC-1100005"}
    assert found[0].score == found[1].score == 100 and not any(c.match for c in found)


def test_a_name_a_council_published_finds_the_organisation_it_resolved(catalogue: Catalogue) -> None:
    found = catalogue.search(Query("HALIFAX YOUTH ASSOC"))
    assert found[0].entity.id == "GB-CHC-1100001" and found[0].score == 100 and found[0].match
    assert "Calderdale paid it under this name" in found[0].why


def test_councils_by_the_ways_their_names_are_written(catalogue: Catalogue) -> None:
    for name in ("Calderdale MBC", "Calderdale Metropolitan Borough Council", "CALDERDALE COUNCIL"):
        best = catalogue.search(Query(name))[0]
        assert (best.entity.id, best.entity.type, best.match) == ("E08000033", EntityType.COUNCIL, True), name
    # A charity named after a place is not its council.
    assert all(c.entity.type is not EntityType.COUNCIL for c in catalogue.search(Query("Leeds Food Bank")))


def test_types_and_places_narrow_the_candidates(catalogue: Catalogue) -> None:
    assert catalogue.search(Query("Food Bank", types=(EntityType.COMPANY,))) == []
    in_calderdale = catalogue.search(Query("St Augustine's Centre", council="E08000033"))
    assert [c.entity.id for c in in_calderdale] == ["GB-CHC-1100004"] and in_calderdale[0].match
    by_postcode = catalogue.search(Query("St Augustine's Centre", postcode="LS1 9ZZ"))
    assert [c.entity.id for c in by_postcode] == ["GB-CHC-1100005"]


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=1, max_size=60))
def test_any_text_gives_ordered_candidates_with_scores_from_0_to_100(text: str) -> None:
    catalogue = Catalogue(None, [Entity("GB-CHC-1", "Calder Valley Hub", EntityType.CHARITY)], COUNCILS)
    found = catalogue.search(Query(text, limit=5))
    assert len(found) <= 5 and all(0 <= c.score <= 100 for c in found)
    assert [c.score for c in found] == sorted((c.score for c in found), reverse=True)
    assert sum(c.match for c in found) <= 1


# The protocol, against the specification's schemas ------------------------------------------------------------------


def _valid(schema: dict[str, object], value: object) -> None:
    Draft202012Validator(schema).validate(value)


def test_the_manifest_and_every_answer_meet_the_specification(catalogue: Catalogue) -> None:
    _valid(schemas.MANIFEST, w3c.manifest("https://kil.example/reconcile"))
    batch = {
        "q0": {"query": "Todmorden Food Bank", "type": "charity", "limit": 3},
        "q1": {"query": "Calderdale MBC", "type": ["council"]},
        "q2": {"query": "St Augustines Centre", "properties": [{"pid": "council", "v": {"id": "E08000033"}}]},
    }
    _valid(schemas.QUERY_BATCH, batch)
    answer = w3c.results(catalogue, w3c.read_queries(json.dumps(batch)))
    _valid(schemas.RESULT_BATCH, answer)
    assert answer.keys() == batch.keys() and answer["q1"]["result"][0]["id"] == "E08000033"
    _valid(schemas.SUGGEST_ENTITIES, w3c.suggest(catalogue, "Halifax You"))
    asked = {"ids": ["GB-CHC-1100001", "E08000033", "GB-CHC-9999999"], "properties": [{"id": p} for p in w3c.EXTENSIONS]}
    _valid(schemas.EXTENSION_QUERY, asked)
    extended = w3c.extend(catalogue, *w3c.read_extend(json.dumps(asked)), {"E08000033": "Calderdale"})
    _valid(schemas.EXTENSION_RESPONSE, extended)
    assert extended["rows"]["GB-CHC-1100001"]["locality"] == [{"id": "E08000033", "name": "Calderdale"}]
    assert extended["rows"]["GB-CHC-9999999"]["type"] == []


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        "[1, 2]",
        '{"q0": "just a string"}',
        '{"q0": {"limit": 3}}',
        json.dumps({f"q{i}": {"query": "x"} for i in range(101)}),
    ],
)
def test_batches_the_service_cannot_read_are_refused_with_a_reason(text: str) -> None:
    with pytest.raises(w3c.BadRequest):
        w3c.read_queries(text)


def test_unknown_extension_properties_are_refused() -> None:
    with pytest.raises(w3c.BadRequest, match="unknown properties: colour"):
        w3c.read_extend('{"ids": ["x"], "properties": [{"id": "colour"}]}')


def test_docs_in_the_schemas_module_cite_the_published_version() -> None:
    text = Path(schemas.__file__).read_text()
    assert "https://reconciliation-api.github.io/specs/0.2/schemas/" in text


def test_the_docs_name_every_type_and_extension_property() -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "RECONCILE.md").read_text()
    for name in [*(t.value for t in EntityType), *w3c.EXTENSIONS, *w3c.PROPERTIES]:
        assert f"`{name}`" in doc, name


@pytest.mark.parametrize("limit", ["1e999", "NaN", "-5", "true", '"3"'])
def test_odd_limits_fall_back_to_a_sensible_number(limit: str) -> None:
    queries = w3c.read_queries('{"q0": {"query": "Food Bank", "limit": ' + limit + "}}")
    assert 1 <= queries["q0"].limit <= w3c.MOST_CANDIDATES
