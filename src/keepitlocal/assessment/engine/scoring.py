"""Scoring an assessment round. Each function states its formula; docs/ASSESSMENT.md mirrors them.

Levels are 1 (not yet started) to 4 (embedded). A principle's score is the mean of its indicators'
levels, shown on a 0–100 scale: score = (mean level − 1) ÷ 3 × 100.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from keepitlocal.assessment.engine.framework import Framework

OFFICERS, PARTNERS = "officer", "partner"
MIN_PARTNERS_SHOWN = 3


@dataclass(frozen=True)
class Answer:
    """One respondent's level for one indicator."""

    respondent: str
    group: str  # OFFICERS or PARTNERS
    indicator: str
    level: int


def to_score(mean_level: float) -> float:
    """Score (0–100) = (mean level − 1) ÷ 3 × 100."""
    return round((mean_level - 1) / 3 * 100, 1)


def principle_scores(framework: Framework, answers: Iterable[Answer], group: str | None = None) -> dict[int, float | None]:
    """Per principle: mean of every answer's level over its indicators (one group or all), as a 0–100 score;
    None where no one answered."""
    chosen = [a for a in answers if group is None or a.group == group]
    scores: dict[int, float | None] = {}
    for principle in framework.principles:
        codes = {i.code for i in principle.indicators}
        levels = [a.level for a in chosen if a.indicator in codes]
        scores[principle.number] = to_score(statistics.fmean(levels)) if levels else None
    return scores


def respondents(answers: Iterable[Answer], group: str) -> int:
    return len({a.respondent for a in answers if a.group == group})


def partners_visible(answers: Sequence[Answer], final: bool = True) -> bool:
    """Community partners' answers are shown to the council only in aggregate, only when at least three partners
    answered (so no one partner can be identified), and only once the round is closed (`final`): an aggregate that
    changed with each submission would give away each partner's answers by the difference before and after."""
    return final and respondents(answers, PARTNERS) >= MIN_PARTNERS_SHOWN


def gaps(framework: Framework, answers: Sequence[Answer], final: bool = True) -> dict[int, float | None]:
    """Gap per principle = officers' score − partners' score (points on the 0–100 scale); positive means the
    council rates itself higher than its partners do. None when partners are hidden or either group is missing."""
    if not partners_visible(answers, final):
        return {p.number: None for p in framework.principles}
    officers = principle_scores(framework, answers, OFFICERS)
    partners = principle_scores(framework, answers, PARTNERS)
    found: dict[int, float | None] = {}
    for number, officer in officers.items():
        partner = partners[number]
        found[number] = round(officer - partner, 1) if officer is not None and partner is not None else None
    return found


def indicator_scores(framework: Framework, answers: Iterable[Answer], group: str | None = None) -> dict[str, float | None]:
    """Per indicator: the mean level of the answers (one group or all) as a 0–100 score; None where no one answered."""
    chosen = [a for a in answers if group is None or a.group == group]
    found: dict[str, float | None] = {}
    for code in framework.codes:
        levels = [a.level for a in chosen if a.indicator == code]
        found[code] = to_score(statistics.fmean(levels)) if levels else None
    return found


K = TypeVar("K")


def movement(previous: Mapping[K, float | None], current: Mapping[K, float | None]) -> dict[K, float | None]:
    """Movement per principle or indicator = current score − previous score (points); None where either is missing."""
    found: dict[K, float | None] = {}
    for key, now in current.items():
        before = previous.get(key)
        found[key] = round(now - before, 1) if now is not None and before is not None else None
    return found


@dataclass(frozen=True)
class Distribution:
    minimum: float
    lower_quartile: float
    median: float
    upper_quartile: float
    maximum: float
    councils: int


def distribution(scores: Sequence[float]) -> Distribution | None:
    """Anonymised peer distribution: minimum, quartiles (inclusive method) and maximum; None below three
    councils, so that no council's score can be read off."""
    if len(scores) < 3:
        return None
    q1, q2, q3 = statistics.quantiles(sorted(scores), n=4, method="inclusive")
    return Distribution(min(scores), round(q1, 1), round(q2, 1), round(q3, 1), max(scores), len(scores))


def disagreement(
    self_score: float | None, measured_share: float | None, *, strong_self: float = 66.7, weak_share: float = 20.0
) -> str | None:
    """A plain-words flag when the self-rating and the measured figure point different ways: the council
    rates itself developing or embedded (score ≥ 66.7) while under 20% of its spend is measured as local
    (or local VCSE), or rates itself not started while over half is."""
    if self_score is None or measured_share is None:
        return None
    if self_score >= strong_self and measured_share < weak_share:
        return f"The self-assessment is strong ({self_score:.0f} out of 100) but only {measured_share:.1f}% of measured spend goes to the organisations it is about."
    if self_score <= 0 and measured_share > 50:
        return f"The self-assessment says not yet started, but {measured_share:.1f}% of measured spend already goes to these organisations."
    return None


def shown_answers(answers: Sequence[Answer], final: bool = True) -> list[Answer]:
    """The answers a council may see in aggregate: officers always; partners only when at least three answered and
    the round is closed, because an overall score mixing in one or two partners, or changing as each one submits,
    would let their ratings be worked out."""
    visible = partners_visible(answers, final)
    return [a for a in answers if a.group == OFFICERS or visible]


@dataclass(frozen=True)
class RoundResults:
    """Everything the results page and the report show of one round, in aggregate."""

    officers: dict[int, float | None]
    partners: dict[int, float | None] | None  # None when fewer than three partners answered
    overall: dict[int, float | None]
    gaps: dict[int, float | None]
    indicators: dict[str, float | None]
    officer_count: int
    partner_count: int
    final: bool = True  # the round is closed; while it is open partners' answers wait for it to close

    @property
    def partners_hidden(self) -> bool:
        """Fewer than three partners answered a closed round: their answers are not shown at all."""
        return self.final and self.partners is None and self.partner_count > 0

    @property
    def partners_pending(self) -> bool:
        """The round is open: partners' answers are shown, in aggregate, when it closes."""
        return not self.final

    @property
    def largest_gap(self) -> tuple[int, float] | None:
        """The principle where officers and partners disagree most, by the size of the gap."""
        known = [(number, gap) for number, gap in self.gaps.items() if gap is not None]
        return max(known, key=lambda item: abs(item[1])) if known else None


def round_results(framework: Framework, answers: Sequence[Answer], final: bool = True) -> RoundResults:
    """A round's results; `final` when it is closed. While it is open the results are the officers' alone and the
    number of partners who answered is not told (0), so nothing changes as a partner submits."""
    shown = shown_answers(answers, final)
    visible = partners_visible(answers, final)
    return RoundResults(
        officers=principle_scores(framework, answers, OFFICERS),
        partners=principle_scores(framework, answers, PARTNERS) if visible else None,
        overall=principle_scores(framework, shown),
        gaps=gaps(framework, answers, final),
        indicators=indicator_scores(framework, shown),
        officer_count=respondents(answers, OFFICERS),
        partner_count=respondents(answers, PARTNERS) if final else 0,
        final=final,
    )


def weak_principles(scores: Mapping[int, float | None], peers: Mapping[int, Distribution | None]) -> list[int]:
    """Principles where the council is weak against its peers: its score below the peers' median as both are shown, in
    whole points (the levels behind a score are whole), so that a council shown level with the median is never told
    to learn from others there."""
    return [
        number
        for number, score in scores.items()
        if score is not None and (found := peers.get(number)) is not None and round(score) < round(found.median)
    ]


def learn_from(
    own: Mapping[int, float | None],
    peers: Mapping[K, Mapping[int, float | None]],
    distributions: Mapping[int, Distribution | None],
) -> dict[int, list[K]]:
    """For each principle where the council is weak (below the peers' median), the peers that are strong there:
    at or above the upper quartile, and ahead of this council. Strongest first."""
    found: dict[int, list[K]] = {}
    for number in weak_principles(own, distributions):
        spread = distributions[number]
        assert spread is not None  # weak_principles only returns principles with a distribution
        mine = own[number] or 0
        strong = [
            (score, key)
            for key, scores in peers.items()
            if (score := scores.get(number)) is not None and score >= spread.upper_quartile and score > mine
        ]
        found[number] = [key for _, key in sorted(strong, key=lambda item: -item[0])]
    return found
