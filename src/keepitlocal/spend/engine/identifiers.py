"""Identifiers as councils publish them, cleaned to one form: postcodes (from a postcode or an address), company,
charity and VAT numbers; a value that is none of these (blank, 'N/A', zeros) is ''."""

from __future__ import annotations

import re
from functools import lru_cache

from keepitlocal.common.orgid import OrgId

# What councils write where an identifier is not known.
NULLS = {"", "na", "n/a", "none", "nil", "null", "-", "0", "00000000", "unknown", "not applicable", "tbc", "#n/a"}

# A UK postcode anywhere in a value, so that an address column gives its postcode ("1 Mill Lane, Hebden Bridge
# HX7 8AD"); the last one wins, as addresses end with it.
_POSTCODE = re.compile(r"\b([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][A-Z]{2})\b")


@lru_cache(maxsize=65536)
def clean_postcode(value: str) -> str:
    """The UK postcode a published postcode or address holds, written 'HX7 8AD'; '' when there is none."""
    found = _POSTCODE.findall((value or "").upper())
    return f"{found[-1][0]} {found[-1][1]}" if found else ""


@lru_cache(maxsize=65536)
def clean_company_number(value: str) -> str:
    if not value:
        return ""
    text = re.sub(r"[\s.\-]", "", value or "").upper()
    if text.lower() in NULLS or not re.fullmatch(r"[A-Z]{0,2}\d{1,8}", text) or not text.strip("0"):
        return ""
    prefix = re.match(r"[A-Z]*", text).group(0)  # type: ignore[union-attr]
    digits = text[len(prefix) :]
    return prefix + digits.zfill(8 - len(prefix))


@lru_cache(maxsize=65536)
def clean_charity_number(value: str) -> str:
    if not value:
        return ""
    text = re.sub(r"[\s.]", "", value or "").upper()
    if text.lower() in NULLS:
        return ""
    if m := re.fullmatch(r"(SC)(\d{1,6})", text):
        return "SC" + m.group(2).zfill(6)
    if m := re.fullmatch(r"(?:NIC)?(\d{6})", text):
        return "NIC" + m.group(1) if text.startswith("NIC") else str(int(m.group(1)))
    if m := re.fullmatch(r"(\d{1,7})(?:-\d+)?", text):
        return str(int(m.group(1))) if int(m.group(1)) else ""
    return ""


def charity_org_id(number: str) -> str:
    """The org-id of a charity number as clean_charity_number leaves it (one value type builds every org-id)."""
    return str(OrgId.charity(number))


@lru_cache(maxsize=65536)
def clean_vat_number(value: str) -> str:
    if not value:
        return ""
    text = re.sub(r"[^0-9]", "", re.sub(r"^GB", "", (value or "").strip().upper()))
    return text if len(text) in (9, 12) and text.strip("0") else ""
