from hypothesis import given, settings
from hypothesis import strategies as st

from keepitlocal.assessment.engine.framework import CURRENT, FRAMEWORKS, LEVELS, V1
from keepitlocal.assessment.engine.scoring import (
    OFFICERS,
    PARTNERS,
    Answer,
    disagreement,
    distribution,
    gaps,
    indicator_scores,
    learn_from,
    movement,
    partners_visible,
    principle_scores,
    round_results,
    to_score,
)


def test_framework_shape() -> None:
    assert CURRENT is V1 and FRAMEWORKS["1.0"] is V1
    assert [p.number for p in V1.principles] == [1, 2, 3, 4, 5, 6]
    assert len(LEVELS) == 4
    for principle in V1.principles:
        assert 3 <= len(principle.indicators) <= 6
        for indicator in principle.indicators:
            assert len(indicator.levels) == 4 and len(indicator.evidence) == 4
            assert all(text.strip() for text in indicator.levels + indicator.evidence)
    assert len(set(V1.codes)) == len(V1.codes) == 24
    assert V1.indicator("3.1").title == "Knowing where the money goes"


def answers_for(group: str, people: int, level: int) -> list[Answer]:
    return [Answer(f"{group}{n}", group, code, level) for n in range(people) for code in V1.codes]


def test_scores_gap_and_anonymity() -> None:
    officers = answers_for(OFFICERS, 2, 4)
    two_partners = answers_for(PARTNERS, 2, 2)
    assert principle_scores(V1, officers, OFFICERS)[1] == 100.0
    assert not partners_visible(officers + two_partners)
    assert set(gaps(V1, officers + two_partners).values()) == {None}  # two partners could be identified
    three = answers_for(PARTNERS, 3, 2)
    assert partners_visible(officers + three)
    assert set(gaps(V1, officers + three).values()) == {100.0 - 33.3}


@given(st.lists(st.integers(1, 4), min_size=1, max_size=50))
def test_scores_stay_between_0_and_100(levels: list[int]) -> None:
    answers = [Answer(f"r{i}", OFFICERS, "1.1", level) for i, level in enumerate(levels)]
    score = principle_scores(V1, answers)[1]
    assert score is not None and 0 <= score <= 100
    assert principle_scores(V1, answers)[2] is None


def test_quartiles_by_the_inclusive_method_pinned_by_hand() -> None:
    """Inclusive (type 7, as spreadsheets' QUARTILE.INC): position (n - 1) x p from the smallest, interpolated.
    Scores 10, 20, 40, 80, 90: positions 1, 2, 3 → 20, 40, 80 (the exclusive method gives 15, 40, 85)."""
    found = distribution([90, 10, 40, 20, 80])
    assert found is not None
    assert (found.minimum, found.lower_quartile, found.median, found.upper_quartile, found.maximum) == (10, 20, 40, 80, 90)
    # Four scores 0, 30, 60, 100: positions 0.75, 1.5, 2.25 → 22.5, 45, 70.
    four = distribution([100, 0, 60, 30])
    assert four is not None and (four.lower_quartile, four.median, four.upper_quartile) == (22.5, 45.0, 70.0)


@given(st.lists(st.floats(0, 100, allow_nan=False), min_size=3, max_size=30))
def test_distribution_orders_and_hides_small_groups(scores: list[float]) -> None:
    found = distribution(scores)
    assert found is not None
    assert found.minimum <= found.lower_quartile + 0.05 and found.lower_quartile <= found.median <= found.upper_quartile
    assert found.upper_quartile <= found.maximum + 0.05 and found.councils == len(scores)
    assert distribution(scores[:2]) is None


def test_movement_and_disagreement() -> None:
    assert movement({1: 40.0, 2: None}, {1: 55.5, 2: 10.0}) == {1: 15.5, 2: None}
    before = indicator_scores(V1, answers_for(OFFICERS, 1, 2))
    after = indicator_scores(V1, answers_for(OFFICERS, 1, 3))
    assert set(movement(before, after).values()) == {33.4}
    assert to_score(1) == 0 and to_score(4) == 100
    assert "only 8.0%" in (disagreement(80.0, 8.0) or "")
    assert disagreement(50.0, 8.0) is None
    assert "already goes" in (disagreement(0.0, 60.0) or "")
    assert disagreement(None, 10.0) is None


def test_the_document_holds_the_framework_as_data() -> None:
    from pathlib import Path

    from keepitlocal.assessment.engine.framework import as_markdown

    doc = (Path(__file__).parents[2] / "docs" / "ASSESSMENT.md").read_text()
    assert as_markdown(V1) in doc


def _answers(group: str, count: int, level: int, first: int = 0) -> list[Answer]:
    return [Answer(f"{group}{n}", group, code, level) for n in range(first, first + count) for code in V1.codes]


def test_overall_leaves_out_one_or_two_partners() -> None:
    few = _answers(OFFICERS, 2, 4) + _answers(PARTNERS, 2, 1)
    found = round_results(V1, few)
    assert found.partners is None and found.partners_hidden
    assert set(found.overall.values()) == {100.0}  # the two partners cannot be worked out from the overall
    assert found.largest_gap is None
    enough = few + _answers(PARTNERS, 1, 1, first=2)
    found = round_results(V1, enough)
    assert found.partners is not None and set(found.partners.values()) == {0.0}
    assert found.largest_gap is not None and found.largest_gap[1] == 100.0
    assert set(found.overall.values()) == {round((3 * 0 + 2 * 3) / 5 / 3 * 100, 1)}


@given(
    st.dictionaries(st.sampled_from("ABCDEFGH"), st.floats(0, 100, allow_nan=False), min_size=3, max_size=8), st.floats(0, 100)
)
def test_learn_from_names_only_stronger_peers_where_weak(peer_scores: dict[str, float], own_score: float) -> None:
    own = {1: own_score}
    spread = {1: distribution(list(peer_scores.values()))}
    found = learn_from(own, {k: {1: v} for k, v in peer_scores.items()}, spread)
    d = spread[1]
    assert d is not None
    if round(own_score) >= round(d.median):  # level with the median as both are shown, in whole points
        assert found == {}
    else:
        assert all(peer_scores[k] >= d.upper_quartile and peer_scores[k] > own_score for k in found[1])
        assert [peer_scores[k] for k in found[1]] == sorted((peer_scores[k] for k in found[1]), reverse=True)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(1, 4), min_size=1, max_size=6),
    st.lists(st.lists(st.integers(1, 4), min_size=len(CURRENT.codes), max_size=len(CURRENT.codes)), min_size=0, max_size=6),
)
def test_while_a_round_is_open_its_results_are_the_officers_alone_whatever_partners_answer(
    officer_levels: list[int], partner_answers: list[list[int]]
) -> None:
    from keepitlocal.assessment.engine.scoring import OFFICERS, PARTNERS, Answer, round_results

    officers = [Answer(f"o{n}", OFFICERS, code, level) for n, level in enumerate(officer_levels) for code in CURRENT.codes]
    partners = [
        Answer(f"p{n}", PARTNERS, code, level)
        for n, levels in enumerate(partner_answers)
        for code, level in zip(CURRENT.codes, levels, strict=True)
    ]
    alone = round_results(CURRENT, officers, final=False)
    mixed = round_results(CURRENT, officers + partners, final=False)
    assert mixed == alone  # nothing partners answer shows, not even how many
    assert mixed.partners is None and mixed.partners_pending and not mixed.partners_hidden
    closed = round_results(CURRENT, officers + partners, final=True)
    assert (closed.partners is not None) == (len(partner_answers) >= 3)


def test_a_council_shown_level_with_the_median_is_not_weak_there() -> None:
    from keepitlocal.assessment.engine.scoring import Distribution, weak_principles

    # Scores are shown in whole points: weak means shown below the median as shown.
    shown_63 = Distribution(20.0, 40.0, 62.6, 70.0, 90.0, 5)
    assert weak_principles({1: 62.4, 2: 62.6, 3: 63.4}, {1: shown_63, 2: shown_63, 3: shown_63}) == [1]
    shown_62 = Distribution(20.0, 40.0, 62.4, 70.0, 90.0, 5)
    assert weak_principles({1: 62.1, 2: 61.4}, {1: shown_62, 2: shown_62}) == [2]
