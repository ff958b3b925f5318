"""Each measure in a sentence a commissioner understands, generated from the figures (never parsed back)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from keepitlocal.connections.engine.measures import ElementMeasures, Summary
from keepitlocal.connections.engine.model import Sector


class Measure(StrEnum):
    DEGREE = "degree"
    REMOVAL = "removal"
    BROKERAGE = "brokerage"
    BETWEENNESS = "betweenness"
    EFFECTIVE_SIZE = "effective-size"
    CONSTRAINT = "constraint"
    EI_INDEX = "ei-index"
    INTRODUCTIONS = "introductions"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    Measure.DEGREE: "Connections",
    Measure.REMOVAL: "Only link",
    Measure.BROKERAGE: "Brokerage",
    Measure.BETWEENNESS: "Betweenness",
    Measure.EFFECTIVE_SIZE: "Effective size",
    Measure.CONSTRAINT: "Constraint",
    Measure.EI_INDEX: "Ties across sectors (E-I index)",
    Measure.INTRODUCTIONS: "Introductions",
}


@dataclass(frozen=True)
class Finding:
    """One measure of one element: its name, its figure as shown, and what it means in a sentence."""

    measure: Measure
    figure: str
    sentence: str


def count(n: int, singular: str, plural: str | None = None) -> str:
    """'1 resident group', '6 resident groups', with thousands separated."""
    return f"{n:,} {singular if n == 1 else (plural or singular + 's')}"


def _group_plural(group: str) -> str:
    for sector in Sector:
        if sector.label == group:
            return sector.plural
    return f"elements of type '{group}'"


def _group_singular(group: str) -> str:
    for sector in Sector:
        if sector.label == group:
            return sector.label.lower()
    return f"element of type '{group}'"


def _list(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


@dataclass(frozen=True)
class Voice:
    """Who the sentences are about: 'You' on an organisation's own page, its name on a council's."""

    subject: str = "You"

    @property
    def second_person(self) -> bool:
        return self.subject == "You"

    def be(self) -> str:
        return "are" if self.second_person else "is"

    def have(self) -> str:
        return "have" if self.second_person else "has"

    def object(self) -> str:
        return "you" if self.second_person else self.subject


def findings(row: ElementMeasures, summary: Summary, voice: Voice | None = None) -> list[Finding]:
    """Every measure of `row` with its sentence, in the order a reader needs them: reach, then the only-link and
    brokerage figures that make the case, then the structural measures."""
    v = voice or Voice()
    who, be, have, them = v.subject, v.be(), v.have(), v.object()
    result: list[Finding] = []

    groups = sorted(row.by_group.items(), key=lambda item: (-item[1], item[0]))
    by_group = _list([count(n, _group_singular(g), _group_plural(g)) for g, n in groups])
    if row.degree:
        sentence = f"{who} {be} connected to {count(row.degree, 'element')} of the map: {by_group}."
    else:
        sentence = f"{who} {have} no connections recorded on this date."
    result.append(Finding(Measure.DEGREE, f"{row.degree:,}", sentence))

    removal = row.removal
    if removal.residents and removal.public:
        sentence = (
            f"{who} {be} the only link between {count(removal.residents, 'resident group')} and "
            f"{count(removal.public, 'public body', 'public bodies')} in this map: without {them}, each of them loses every "
            "path to at least one on the other side."
        )
    elif removal.pairs:
        sentence = (
            f"Without {them}, {count(removal.pairs, 'pair')} of elements "
            f"{'loses' if removal.pairs == 1 else 'lose'} every path between them in this map."
        )
    else:
        sentence = f"Without {them}, every element of this map could still reach every other it reaches now."
    result.append(Finding(Measure.REMOVAL, count(removal.pairs, "pair"), sentence))

    b = row.brokerage
    if b.total:
        roles = [
            (b.liaison, "between three different sectors"),
            (b.gatekeeper, "bringing another sector into your own" if v.second_person else "bringing another sector in"),
            (b.representative, "taking your own sector's ties out to another" if v.second_person else "representing its own sector to another"),
            (b.consultant, "between two elements of another sector"),
            (b.coordinator, "within one sector"),
        ]  # fmt: skip
        parts = [f"{n:,} {text}" for n, text in roles if n]
        sentence = (
            f"{who} stand{'' if v.second_person else 's'} in the middle of {count(b.total, 'path')} between elements with "
            f"no direct tie of their own: {_list(parts)}."
        )
    else:
        sentence = f"{who} {be} not in the middle of any path between elements that lack a direct tie."
    result.append(Finding(Measure.BROKERAGE, f"{b.total:,}", sentence))

    share = row.betweenness * 100
    sampled = " (estimated from a sample of the map)" if summary.betweenness_sampled_from else ""
    result.append(
        Finding(
            Measure.BETWEENNESS,
            f"{row.betweenness:.3f}",
            f"{share:.0f}% of the shortest paths between other pairs of elements pass through {them}{sampled}.",
        )
    )

    if row.effective_size is not None:
        result.append(
            Finding(
                Measure.EFFECTIVE_SIZE,
                f"{row.effective_size:.1f}",
                f"Of {'your' if v.second_person else 'its'} {count(row.degree, 'contact')}, the equivalent of "
                f"{row.effective_size:.1f} bring{'s' if round(row.effective_size, 1) == 1 else ''} ties no other contact "
                "already has.",
            )
        )
    if row.constraint is not None and row.effective_size is not None:
        # How redundant the contacts are, from effective size: none tied to another gives n, all tied gives 1.
        redundant = 1 - row.effective_size / row.degree if row.degree else 0.0
        level = "mostly not tied to each other" if redundant < 0.5 else "closely tied to each other"
        result.append(
            Finding(
                Measure.CONSTRAINT,
                f"{row.constraint:.2f}",
                f"{'Your' if v.second_person else 'Its'} contacts are {level}: the lower the constraint, the more "
                f"{'you hold' if v.second_person else 'it holds'} gaps between them.",
            )
        )
    if row.ei_index is not None:
        across = round((row.ei_index + 1) / 2 * 100)
        result.append(
            Finding(
                Measure.EI_INDEX,
                f"{row.ei_index:+.2f}",
                f"{across}% of {'your' if v.second_person else 'its'} contacts are in another sector.",
            )
        )
    intro = row.introductions
    if intro.introduced:
        result.append(
            Finding(
                Measure.INTRODUCTIONS,
                f"{intro.persisting:,} of {intro.introduced:,}",
                f"{who} introduced {count(intro.introduced, 'connection')} between others; "
                f"{intro.persisting:,} {'is' if intro.persisting == 1 else 'are'} still going.",
            )
        )
    return result
