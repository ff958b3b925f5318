"""A prefiltered pattern answers exactly as the pattern does, on every name the classifier reads and on texts made to
sit at the edges of its strings; and the strings it needs are worked out soundly."""

from __future__ import annotations

import csv
import gzip
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from keepitlocal.common.names import legal_entity
from keepitlocal.common.prefilter import Prefiltered, alternatives, required
from keepitlocal.spend.engine import classify
from tests.paths import real_file

RULES = [classify._PUBLIC, classify._VCSE]


def test_the_strings_a_match_needs() -> None:
    assert required(re.compile(r"\bcounty council\b")) == {"county council"}
    assert required(re.compile(r"\b(county|city) council\b")) == {" council"}
    assert required(re.compile(r"(nhs|police)\b|^ministry of\b")) == {"nhs", "police", "ministry of"}
    assert required(re.compile(r"(?<!pre-)\bschool\b")) == {"school"}  # lookbehinds consume nothing
    assert required(re.compile(r"x(ab)+y")) == {"ab"}  # a group repeated at least once
    assert required(re.compile(r"(ab)?c|de")) is None  # an alternative without a string of two characters
    assert required(re.compile(r"council", re.IGNORECASE)) is None  # case ignored: no plain string will do
    assert required(re.compile(r"[a-z]+ trust")) == {" trust"}


def test_a_pattern_is_split_into_its_top_level_alternatives_only() -> None:
    assert alternatives(re.compile(r"a|b(c|d)|e")) == ["a", "b(c|d)", "e"]
    # A bar inside a character class, an escaped bar and a class opening on ']' split nothing.
    assert alternatives(re.compile(r"x[|]y|\|z|[]|]w")) == ["x[|]y", r"\|z", "[]|]w"]
    assert alternatives(re.compile(r"(?<!pre-)school|nhs")) == ["(?<!pre-)school", "nhs"]
    # Not split where a part would mean something else alone: a back-reference, a verbose pattern.
    assert alternatives(re.compile(r"(ab)\1|cd")) == [r"(ab)\1|cd"]
    assert alternatives(re.compile("ab | cd", re.VERBOSE)) == ["ab | cd"]


def test_a_prefiltered_pattern_answers_as_the_pattern_on_texts_of_its_own_pieces() -> None:
    rule = Prefiltered(re.compile(r"\b(county|city) council\b|^ministry of\b|(?<!pre-)\bschool\b|fire (and|&) rescue"))
    for text, found in [
        ("devon county council", True),
        ("county councillors", False),
        ("the ministry of justice", False),
        ("ministry of justice", True),
        ("pre-school", False),
        ("st mary's school", True),
        ("fire & rescue", True),
        ("fire rescue", False),
    ]:
        assert rule.matches(text) is found is bool(rule.pattern.search(text)), text


def _names() -> list[str]:
    """Every supplier name in the real councils' files beside the tests, as classify_name lowers and expands them."""
    names: set[str] = set()
    for path in [*real_file("spend/devon").rglob("*.gz"), *real_file("spend/calderdale").rglob("*.csv")]:
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8", errors="replace", newline="") as handle:
            rows = csv.reader(handle)
            header = [h.strip().lstrip("\ufeff").lower() for h in next(rows)]
            column = next((i for i, h in enumerate(header) if h in ("supplier name", "supplier", "payee", "vendor name")), None)
            if column is None:
                continue
            names |= {row[column] for row in rows if len(row) > column}
    return sorted(names)


def test_the_rules_answer_as_before_on_every_real_name() -> None:
    names = _names()
    assert len(names) > 3000
    for name in names:
        for text in {name.lower(), classify._initials(classify._expanded(legal_entity(name)).lower())}:
            for rule in RULES:
                assert rule.matches(text) == bool(rule.pattern.search(text)), (text, rule.pattern.pattern[:40])


@pytest.mark.parametrize("rule", RULES, ids=["public", "vcse"])
@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_the_rules_answer_as_before_on_texts_made_at_their_edges(rule: Prefiltered, data: st.DataObject) -> None:
    # Pieces of the strings the rule needs, cut anywhere and joined with spaces, hyphens and letters: the texts where a
    # prefilter that ruled out too much would show.
    pieces = st.sampled_from(rule.strings).flatmap(
        lambda s: st.tuples(st.integers(0, len(s)), st.integers(0, len(s))).map(lambda ab: s[min(ab) : max(ab)] or s)
    )
    glue = st.sampled_from([" ", "", "-", "s ", " the ", " of ", "a", "pre-", " & "])
    text = "".join(data.draw(st.lists(st.one_of(pieces, glue, st.text(max_size=3)), max_size=8)))
    assert rule.matches(text) == bool(rule.pattern.search(text))
