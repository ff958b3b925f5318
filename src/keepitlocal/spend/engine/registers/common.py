"""What every part of the registers shares: the result of linking a supplier, what a loaded file was, and the
rules for reading a Companies House category."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from keepitlocal.common.names import normalise_name
from keepitlocal.spend.engine.classify import PRIVATE, VCSE, Decision

MEMORY_LIMIT = "1GB"
FUZZY_ACCEPT = 92.0
FUZZY_CANDIDATE = 80.0
# First words too common to block a fuzzy search on.
COMMON_FIRST_WORDS = {
    "st",
    "saint",
    "north",
    "south",
    "east",
    "west",
    "new",
    "the",
    "uk",
    "british",
    "national",
    "royal",
    "city",
    "county",
    "friends",
}
SOCIAL_SIC = re.compile(r"^(8[5-8]\d{3}|9[0-3]\d{3}|94(91|92|99)\d)\b")


@dataclass
class Link:
    """What the registers say about one supplier."""

    decision: Decision | None = None
    org_id: str = ""
    postcode: str = ""
    charity_scale: str = ""
    candidates: str = ""
    # When the entry linked left its register (ISO date, or loaders.REMOVED_UNDATED); '' while it is registered.
    removed: str = ""


def norm_udf(name: str | None) -> str | None:
    return normalise_name(name) if name is not None else None


def compact_postcode(postcode: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", (postcode or "").upper())


def company_kind(category: str, sics: Iterable[str], status: str = "") -> tuple[str | None, str]:
    """What a Companies House category (and, for guarantee companies, the SIC codes) says."""
    cat = (category or "").lower()
    if "community interest company" in cat:
        return VCSE, "a community interest company"
    if "charitable incorporated organisation" in cat:
        return VCSE, "a charitable incorporated organisation"
    if "registered society" in cat or "industrial and provident" in cat:
        return VCSE, "a registered society (co-operative or community benefit society)"
    if "limited by guarantee" in cat or "ltd by guar" in cat or "lbg" in cat:
        social = [s for s in sics if SOCIAL_SIC.match(s.strip())]
        if "'limited' exemption" in cat:
            return (
                VCSE,
                "a company limited by guarantee using the 'Limited' exemption, which requires charitable or social objects",
            )
        if social:
            return VCSE, f"a company limited by guarantee with a social purpose ({social[0].strip()})"
        return None, "a company limited by guarantee with no sign of a social purpose"
    if (
        "private limited" in cat
        or "public limited" in cat
        or "limited liability partnership" in cat
        or "unlimited" in cat
        or "limited partnership" in cat
    ):
        return PRIVATE, f"a {category.split('(')[0].strip().lower()}"
    return None, category.lower() if category else ""


def company_udf(part: int) -> Callable[[str | None, str | None, str | None], str | None]:
    """A DuckDB function returning the kind (part 0) or the reason (part 1) from company_kind."""

    def udf(category: str | None, sics: str | None, status: str | None) -> str | None:
        return company_kind(category or "", (sics or "").split("|"), status or "")[part]

    return udf


# Bump when a loader changes what it stores, so that cached register databases are built again.
CACHE_FORMAT = "4"  # 2: company files loaded after another register had been dropped; 3: name_words; 4: removed charities


@dataclass(frozen=True)
class LoadedFile:
    """One register file as loaded: its name, the kind the engine recognised (registers.recognise's names) and rows."""

    name: str
    kind: str
    rows: int

    @property
    def label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind.replace("_", " "))


KIND_LABELS = {
    "companies_house": "Companies House basic company data",
    "charity_commission": "Charity Commission register",
    "oscr": "Scottish Charity Register (OSCR)",
    "ccni": "Charity Commission for Northern Ireland register",
    "postcodes": "Postcode lookup",
    "outcodes": "Postcode district lookup",
    "areas": "Local authority areas",
    "relationships": "Org-id relationship table",
    "orgid_list": "Org-id list",
    "charity_scale": "Charity sizes",
    "cooperatives": "Co-operatives and mutuals",
    "grants_flat": "360Giving grants",
    "grants_360": "360Giving grants",
}


def data_member(archive: zipfile.ZipFile) -> zipfile.ZipInfo:
    """The register inside an archive: its largest CSV, text or JSON file (publishers put notes, code lists and
    lookups beside the data, and the data is always the largest)."""
    members = [m for m in archive.infolist() if not m.is_dir() and m.filename.lower().endswith((".csv", ".txt", ".tsv", ".json"))]
    if not members:
        raise ValueError("the zip holds no CSV, TXT or JSON file")
    return max(members, key=lambda m: m.file_size)
