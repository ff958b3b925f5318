"""Councils as reference evidence: a supplier whose name is a council's, however shortened or misspelt
('LEEDS CITY COUNCL (FINANCE)', 'NTH LOAMSHIRE DIST COUN (S O ACC)', 'BRADFORD COUNCIL(AC 0123)'), is that council.

The list comes from the caller (the platform's register of every UK council, or none): names, former names and short
forms each name the council's GSS code, so the evidence says which council matched.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

# Words and short forms that say "council"; a name needs one of them to be a council's.
COUNCIL_WORDS = re.compile(r"^(council|coun|counc|councl|cncl|cncil|cnl|cl|cc|dc|bc|mbc|cbc|rbc|la)$")
# Words of a council's style rather than its place: dropped from both sides before places are compared.
STYLE = {
    "council",
    "county",
    "borough",
    "boro",
    "bor",
    "district",
    "dist",
    "city",
    "metropolitan",
    "met",
    "of",
    "the",
    "royal",
    "unitary",
    "authority",
    "london",
    "lb",
    "and",
}
SHORT = {"nth": "north", "sth": "south", "st": "saint", "e": "east", "w": "west", "n": "north", "s": "south"}


@dataclass(frozen=True)
class CouncilRef:
    gss_code: str
    name: str
    council_type: str = ""


def _unbracketed(text: str) -> str:
    """Lower case without bracketed notes: (FINANCE), (S O ACC), and (AC 0123... cut short."""
    return re.sub(r"\(.*?(\)|$)", " ", text.lower())


def _place(text: str) -> str:
    text = re.sub(r"\b(finance|accounts?|acc|payments?|ac)\b.*$", " ", _unbracketed(text))
    tokens = [SHORT.get(t, t) for t in re.split(r"[^a-z]+", text) if t]
    return " ".join(t for t in tokens if t not in STYLE and not COUNCIL_WORDS.match(t))


def _says_council(text: str) -> bool:
    return any(COUNCIL_WORDS.match(t) for t in re.split(r"[^a-z]+", _unbracketed(text)) if t)


class CouncilIndex:
    """Councils by the places their names name."""

    def __init__(self, councils: Iterable[CouncilRef]) -> None:
        self.by_place: dict[str, list[CouncilRef]] = {}
        for council in councils:
            place = _place(council.name)
            if place:
                self.by_place.setdefault(place, []).append(council)
        self.places = list(self.by_place)

    def match(self, name: str) -> CouncilRef | None:
        """The council a supplier's name is, or None. The name must say it is a council; its place must be a council's
        (exactly, or one slip apart in a long name)."""
        if not self.places or not _says_council(name):
            return None
        place = _place(name)
        if not place:
            return None
        found = self.by_place.get(place)
        if found is None and len(place) >= 8:
            best = process.extractOne(place, self.places, scorer=fuzz.ratio, score_cutoff=92)
            found = self.by_place[best[0]] if best else None
        if not found:
            return None
        if len(found) > 1:
            lower = name.lower()
            typed = [c for c in found if any(w in lower for w in re.split(r"\W+", c.council_type.lower()) if len(w) > 4)]
            found = typed or found
        return found[0]
