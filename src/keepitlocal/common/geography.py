"""What a GSS code says about a UK local authority: its type and its nation."""

from __future__ import annotations

import re
from enum import StrEnum

GSS_PATTERN = re.compile(r"^[EWSNK]\d{8}$")


class CouncilType(StrEnum):
    COUNTY = "county"
    NON_METROPOLITAN_DISTRICT = "non-metropolitan district"
    UNITARY = "unitary"
    METROPOLITAN_DISTRICT = "metropolitan district"
    LONDON_BOROUGH = "London borough"
    WELSH_PRINCIPAL_AREA = "Welsh principal area"
    SCOTTISH_COUNCIL_AREA = "Scottish council area"
    NORTHERN_IRELAND_DISTRICT = "Northern Ireland district"


# The entity code (first three characters) of a GSS code fixes the kind of area it names.
COUNCIL_ENTITY_CODES: dict[str, CouncilType] = {
    "E10": CouncilType.COUNTY,
    "E07": CouncilType.NON_METROPOLITAN_DISTRICT,
    "E06": CouncilType.UNITARY,
    "E08": CouncilType.METROPOLITAN_DISTRICT,
    "E09": CouncilType.LONDON_BOROUGH,
    "W06": CouncilType.WELSH_PRINCIPAL_AREA,
    "S12": CouncilType.SCOTTISH_COUNCIL_AREA,
    "N09": CouncilType.NORTHERN_IRELAND_DISTRICT,
}

NATIONS = {"E": "England", "W": "Wales", "S": "Scotland", "N": "Northern Ireland"}


def normalise_gss(code: str) -> str:
    """Upper-case and strip a GSS code; the code itself is not changed otherwise."""
    return (code or "").strip().upper()


def is_gss_code(code: str) -> bool:
    return bool(GSS_PATTERN.match(normalise_gss(code)))


def council_type(code: str) -> CouncilType | None:
    """The type of principal local authority a GSS code names, or None when it names something else."""
    code = normalise_gss(code)
    if not is_gss_code(code):
        return None
    return COUNCIL_ENTITY_CODES.get(code[:3])


def nation(code: str) -> str | None:
    code = normalise_gss(code)
    return NATIONS.get(code[:1]) if is_gss_code(code) else None
