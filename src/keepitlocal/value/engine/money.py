"""Who bears a cost, what kind of value it is, how sure its source is, and financial years as price years."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class Agency(StrEnum):
    """Who makes a fiscal saving, in the split a council's cabinet asks for."""

    NHS = "nhs"
    ADULTS = "adults"
    CHILDREN = "children"
    POLICE = "police"
    DWP = "dwp"
    HOUSING = "housing"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            "nhs": "NHS",
            "adults": "Council adults' services",
            "children": "Council children's services",
            "police": "Police and criminal justice",
            "dwp": "DWP (benefits and employment)",
            "housing": "Housing",
            "other": "Other",
        }[self.value]

    @classmethod
    def from_words(cls, *texts: str) -> Agency:
        """The agency named by the words of a source's agency columns (and, where a council service is not said,
        its description): 'Acute Trust / Hospital' is the NHS, 'Local Authority / Social Services' with a child in
        the description is children's services. Anything else, or several agencies, is Other."""
        words = " ".join(re.findall(r"[a-z]+", " ".join(texts).casefold()))
        padded = f" {words} "
        rules: tuple[tuple[Agency, tuple[str, ...]], ...] = (
            (cls.NHS, ("nhs", "hospital", "acute trust", "mental health trust", "primary care", "gp", "clinical commissioning", "ccg", "ambulance", "health service", "community health")),
            (cls.POLICE, ("police", "criminal justice", "probation", "prison", "court", "courts", "youth offending", "crown prosecution", "legal aid")),
            (cls.DWP, ("dwp", "department for work and pensions", "jobcentre", "work and pensions", "hmrc", "benefit system")),
            (cls.HOUSING, ("housing", "homelessness", "social landlord", "housing association")),
            (cls.CHILDREN, ("children", "child", "looked after", "foster", "young people", "education", "school", "early years")),
            (cls.ADULTS, ("adult", "adults", "social services", "social care", "older people", "residential care", "domiciliary")),
        )  # fmt: skip
        if " multiple " in padded:
            return cls.OTHER
        for agency, phrases in rules:
            if any(f" {phrase} " in padded for phrase in phrases):
                return agency
        return cls.OTHER


class ValueKind(StrEnum):
    """Fiscal value is money a public body spends or saves; economic and social value are reported apart from it."""

    FISCAL = "fiscal"
    ECONOMIC = "economic"
    SOCIAL = "social"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Confidence(StrEnum):
    """The source's own grade of its cost (the GMCA database's RAG assessment)."""

    HIGH = "G"
    MEDIUM = "A"
    LOW = "R"
    UNGRADED = ""

    @property
    def label(self) -> str:
        return {"G": "Green: high confidence", "A": "Amber: medium confidence", "R": "Red: low confidence", "": "Not graded"}[
            self.value
        ]


@dataclass(frozen=True, order=True)
class PriceYear:
    """A financial year ('2008/09'), identified by the calendar year it starts in."""

    start: int

    @classmethod
    def parse(cls, text: str | int) -> PriceYear:
        """'2008/09', '2008-09', '2008/2009', 'FY2008' or 2008 (a calendar year is read as the financial year it
        starts)."""
        found = re.search(r"(19|20)\d\d", str(text))
        if not found:
            raise ValueError(f"not a price year: {text!r}")
        return cls(int(found.group(0)))

    def __str__(self) -> str:
        return f"{self.start}/{(self.start + 1) % 100:02d}"
