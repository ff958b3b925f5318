"""Names to organisations. Candidates come from three places: the registers the network loaded (charities,
companies...), the council register, and the names councils published in their spend that the platform resolved to
an org-id. A query's name is normalised as supplier names are (case, punctuation, legal forms...), candidates are
found by the words they share with it, and each is scored by how alike the two names are (0 to 100)."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from rapidfuzz import fuzz

from keepitlocal.common.geography import is_gss_code
from keepitlocal.common.names import normalise_name
from keepitlocal.common.orgid import is_charity, is_company, is_mutual, is_public_body
from keepitlocal.common.publicbodies import CouncilIndex, CouncilRef

# Words too common to find candidates by (they still count in the score).
COMMON_WORDS = {
    "and", "the", "of", "for", "in", "uk", "ltd", "limited", "group", "services", "service", "trust", "association",
    "community", "council", "centre", "center", "foundation", "society", "club", "company", "care", "support",
}  # fmt: skip
MOST_FROM_REGISTERS = 400  # candidates read from the registers per query, those sharing most words first
CERTAIN = 100.0  # a match is certain only when the normalised names are the same and no other organisation's is


class EntityType(StrEnum):
    CHARITY = "charity"
    COMPANY = "company"
    PUBLIC_BODY = "public-body"
    COUNCIL = "council"

    @property
    def label(self) -> str:
        return {"charity": "Charity", "company": "Company", "public-body": "Public body", "council": "Council"}[self.value]

    @classmethod
    def of_id(cls, identifier: str) -> EntityType | None:
        """What an identifier's scheme says an organisation is: a GSS code is a council."""
        upper = identifier.upper()
        if is_gss_code(upper):
            return cls.COUNCIL
        if is_charity(upper):
            return cls.CHARITY
        if is_company(upper) or is_mutual(upper):  # a registered society, by legal form
            return cls.COMPANY
        if is_public_body(upper):
            return cls.PUBLIC_BODY
        return None


@dataclass(frozen=True)
class Entity:
    """An organisation a name can be reconciled to."""

    id: str  # an org-id, or a council's GSS code
    name: str
    type: EntityType
    postcode: str = ""
    kind: str | None = None  # the spend classification: vcse, private, public... (None: not known)
    evidence: str = ""  # where the platform knows it from, in words
    also_known_as: tuple[str, ...] = ()  # names councils published for it


@dataclass(frozen=True)
class Query:
    text: str
    types: tuple[EntityType, ...] = ()
    postcode: str = ""  # narrow to candidates whose postcode shares this outward code (or is this postcode)
    council: str = ""  # narrow to candidates in this council's area (GSS code)
    limit: int = 5


@dataclass(frozen=True)
class Candidate:
    entity: Entity
    score: float
    match: bool
    why: str  # the evidence for the score, in words


@dataclass
class Catalogue:
    """Where candidates come from. `registers` is the spend engine's Registers (or None); `extra` are entities the
    platform holds itself (councils, organisations, names councils resolved); `areas` maps a council to its districts."""

    registers: Any = None
    extra: Sequence[Entity] = ()
    councils: Sequence[CouncilRef] = ()
    _by_id: dict[str, Entity] = field(default_factory=dict, init=False, repr=False)
    _by_word: dict[str, set[str]] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        self._councils = CouncilIndex(self.councils)
        for council in self.councils:
            self._by_id.setdefault(council.gss_code, Entity(council.gss_code, council.name, EntityType.COUNCIL, kind="public"))
        for entity in self.extra:
            known = self._by_id.get(entity.id)
            self._by_id[entity.id] = _merge(known, entity) if known else entity
        # Built once: each word of each name an entity is known by, to the entities it names.
        for entity in self._by_id.values():
            for name in (entity.name, *entity.also_known_as):
                for word in normalise_name(name).split():
                    self._by_word.setdefault(word, set()).add(entity.id)

    def using(self, registers: Any) -> Catalogue:
        """The same catalogue with another registers connection (its own indexes shared, read-only once built): a
        catalogue can be kept by a process while each request opens its own connection."""
        found = copy.copy(self)
        found.registers = registers
        return found

    # Finding ---------------------------------------------------------------------------------------------------------

    def search(self, query: Query) -> list[Candidate]:
        norm = normalise_name(query.text)
        if not norm:
            return []
        words = _words(norm)
        scored: dict[str, Candidate] = {}
        for entity, names in self._candidates(words):
            best, said = 0.0, entity.name
            for name in names:
                score = _alike(norm, normalise_name(name))
                if score > best:
                    best, said = score, name
            if best < 50:
                continue
            if query.types and entity.type not in query.types:
                continue
            if not self._within(entity, query):
                continue
            how = "the same name" if best == CERTAIN else f"names {best:.0f}% alike"
            source = f"; as published: {said}" if said != entity.name else ""
            why = f"{how}{source}; {entity.evidence}".strip("; ")
            candidate = Candidate(entity, best, False, why)
            if entity.id not in scored or scored[entity.id].score < best:
                scored[entity.id] = candidate
        # A council named the ways councils' names are written ('Calderdale MBC', 'Calderdale Metropolitan Borough').
        council = self._councils.match(query.text)
        if council is not None and (not query.types or EntityType.COUNCIL in query.types):
            entity = self._by_id[council.gss_code]
            if self._within(entity, query):
                scored[entity.id] = Candidate(entity, CERTAIN, False, "names this council (its place and 'council')")
        ranked = sorted(scored.values(), key=lambda c: (-c.score, c.entity.name.casefold(), c.entity.id))
        if ranked and ranked[0].score == CERTAIN and not (len(ranked) > 1 and ranked[1].score == CERTAIN):
            ranked[0] = replace(ranked[0], match=True)
        return ranked[: max(1, query.limit)]

    def _candidates(self, words: list[str]) -> Iterable[tuple[Entity, list[str]]]:
        found = sorted({identifier for word in words for identifier in self._by_word.get(word, ())})
        for identifier in found:
            entity = self._by_id[identifier]
            if entity.type is not EntityType.COUNCIL:  # councils are found by CouncilIndex, which knows their names
                yield entity, [entity.name, *entity.also_known_as]
        if self.registers is None or not words:
            return
        rows = self.registers.con.execute(
            """WITH shared AS (
                 SELECT org_id, count(*) AS words FROM name_words WHERE word IN (SELECT unnest(?::VARCHAR[]))
                 GROUP BY org_id ORDER BY words DESC, org_id LIMIT ?
               )
               SELECT o.org_id, o.name, o.postcode, o.kind, o.evidence FROM shared s JOIN orgs o USING (org_id)
               ORDER BY s.words DESC, o.org_id""",
            [words, MOST_FROM_REGISTERS],
        ).fetchall()
        for org_id, name, postcode, kind, evidence in rows:
            kind_of = EntityType.of_id(org_id)
            if kind_of is None or not name or org_id in self._by_id:
                continue  # the platform's own record of it was offered above, with the names councils used
            yield Entity(org_id, name or org_id, kind_of, postcode or "", kind, evidence or ""), [name or ""]

    def _within(self, entity: Entity, query: Query) -> bool:
        if query.postcode:
            wanted = _compact(query.postcode)
            have = _compact(entity.postcode)
            if not have or not (have == wanted or _outward(have) == _outward(wanted)):
                return False
        if query.council:
            if entity.type is EntityType.COUNCIL:
                return entity.id == query.council.upper()
            lad = self.district(entity)
            if lad is None or lad not in self.areas(query.council.upper()):
                return False
        return True

    # Facts about an entity ---------------------------------------------------------------------------------------

    def get(self, identifier: str) -> Entity | None:
        """An entity by its id, from the platform's own records or the registers."""
        found = self._by_id.get(identifier) or self._by_id.get(identifier.upper())
        if found is not None or self.registers is None:
            return found
        row = self.registers.con.execute(
            "SELECT org_id, name, postcode, kind, evidence FROM orgs WHERE org_id = ?", [identifier.upper()]
        ).fetchone()
        kind_of = EntityType.of_id(row[0]) if row else None
        return Entity(row[0], row[1] or row[0], kind_of, row[2] or "", row[3], row[4] or "") if row and kind_of else None

    def district(self, entity: Entity) -> str | None:
        if entity.type is EntityType.COUNCIL:
            return entity.id
        if self.registers is None or not entity.postcode:
            return None
        district: str | None = self.registers.place(entity.postcode)[0]
        return district

    def areas(self, council: str) -> set[str]:
        return set(self.registers.council_areas(council)) if self.registers is not None else {council}

    def charity_scale(self, entity: Entity) -> str | None:
        if self.registers is None or not entity.id.upper().startswith("GB-CHC-"):
            return None
        row = self.registers.con.execute("SELECT scale FROM scale WHERE number = ?", [entity.id.split("-")[-1]]).fetchone()
        return row[0] if row else None


def _merge(a: Entity, b: Entity) -> Entity:
    """One entity from two records of the same organisation: the first's name, every other name as an alias."""
    names = tuple(dict.fromkeys(n for n in (*a.also_known_as, b.name, *b.also_known_as) if n and n != a.name))
    return replace(
        a,
        postcode=a.postcode or b.postcode,
        kind=a.kind or b.kind,
        evidence="; ".join(dict.fromkeys(e for e in (a.evidence, b.evidence) if e)),
        also_known_as=names,
    )


def _words(norm: str) -> list[str]:
    """The words of a normalised name to find candidates by: the uncommon ones, else all."""
    words = [w for w in norm.split() if len(w) >= 3 and w not in COMMON_WORDS]
    return words or norm.split()


def _alike(a: str, b: str) -> float:
    """100 for the same normalised name; otherwise the best of likeness as written ('Foodbank' and 'Food Bank'),
    word-order-free likeness and, discounted, likeness of the shared words (so 'Age UK' scores 80 for 'Age UK Trafford': a candidate, not the same organisation)."""
    if not a or not b:
        return 0.0
    if a == b:
        return CERTAIN
    return min(99.0, max(fuzz.ratio(a, b), fuzz.token_sort_ratio(a, b), 0.8 * fuzz.token_set_ratio(a, b)))


def _compact(postcode: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", postcode.upper())


def _outward(compact: str) -> str:
    return compact[:-3] if len(compact) > 4 else compact
