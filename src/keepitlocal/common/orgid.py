"""Org-id identifiers (https://org-id.guide) for UK organisations, accepted in the forms people type them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from keepitlocal.common.geography import is_gss_code, normalise_gss

SCHEMES = {
    "GB-CHC": "Charity Commission for England and Wales",
    "GB-SC": "Scottish Charity Regulator (OSCR)",
    "GB-NIC": "Charity Commission for Northern Ireland",
    "GB-COH": "Companies House",
    "GB-MPR": "Mutuals Public Register (FCA)",
    "GB-GOR": "UK government organisation",
    "GB-EDU": "Schools (DfE URN)",
    "GB-NHS": "NHS organisation (ODS code)",
}


# What a scheme says of an organisation, asked one way everywhere (the spend registers, the directory's sectors, the
# reconciliation's entity types). The Mutuals Public Register holds co-operatives and community benefit societies:
# registered societies by legal form, social economy by sector; each caller says which it means.
CHARITY_SCHEMES = ("GB-CHC", "GB-SC", "GB-NIC")
COMPANY_SCHEME = "GB-COH"
MUTUAL_SCHEME = "GB-MPR"
PUBLIC_SCHEMES = ("GB-GOR", "GB-NHS", "GB-EDU")


def sql_in_schemes(column: str, schemes: tuple[str, ...]) -> str:
    """A SQL condition that the org-id in `column` is of one of `schemes` (for DuckDB queries over registers)."""
    return "(" + " OR ".join(f"{column} LIKE '{scheme}-%'" for scheme in schemes) + ")"


def scheme_of(org_id: str) -> str:
    """The register prefix of an org-id as written ('GB-CHC'), '' when it has none we know."""
    upper = org_id.strip().upper()
    return next((scheme for scheme in SCHEMES if upper.startswith(scheme + "-")), "")


def is_charity(org_id: str) -> bool:
    """On one of the three UK charity registers."""
    return scheme_of(org_id) in CHARITY_SCHEMES


def is_company(org_id: str) -> bool:
    return scheme_of(org_id) == COMPANY_SCHEME


def is_mutual(org_id: str) -> bool:
    """A co-operative or community benefit society (the FCA's Mutuals Public Register)."""
    return scheme_of(org_id) == MUTUAL_SCHEME


def is_public_body(org_id: str) -> bool:
    """A government organisation, NHS body or school by its scheme (a council is known by its GSS code instead)."""
    return scheme_of(org_id) in PUBLIC_SCHEMES


class OrgIdError(ValueError):
    """A value that cannot be read as an org-id; the message is written for the person who typed it."""


@dataclass(frozen=True)
class OrgId:
    scheme: str
    identifier: str

    def __str__(self) -> str:
        return f"{self.scheme}-{self.identifier}"

    @classmethod
    def charity(cls, number: str) -> OrgId:
        """A charity's org-id from its number as published and cleaned: SC… Scotland, NIC… Northern Ireland,
        digits England and Wales."""
        if number.upper().startswith("SC"):
            return cls("GB-SC", _normalise_identifier("GB-SC", number))
        if number.upper().startswith("NIC"):
            return cls("GB-NIC", _normalise_identifier("GB-NIC", number))
        return cls("GB-CHC", _normalise_identifier("GB-CHC", number))

    @classmethod
    def company(cls, number: str) -> OrgId:
        """A company's org-id from its Companies House number (zeros restored: 1234 → 00001234)."""
        return cls("GB-COH", _normalise_identifier("GB-COH", number))

    @property
    def register_page(self) -> str:
        """The public page of this organisation on its own register's website ('' where the register has none by
        number)."""
        page = REGISTER_PAGES.get(self.scheme)
        return page.format(self.identifier) if page else ""

    @property
    def register_name(self) -> str:
        return SCHEMES.get(self.scheme, self.scheme)

    @property
    def findthatcharity_page(self) -> str:
        """Find that Charity's page for any org-id: it joins the registers and shows an organisation's other ids."""
        return f"https://findthatcharity.uk/orgid/{self}"


# Each register's public page for one organisation, by the identifier in its org-id.
REGISTER_PAGES = {
    "GB-CHC": "https://register-of-charities.charitycommission.gov.uk/charity-search/-/charity-details/{}",
    "GB-COH": "https://find-and-update.company-information.service.gov.uk/company/{}",
    "GB-SC": "https://www.oscr.org.uk/about-charities/search-the-register/charity-details?number={}",
    "GB-NIC": "https://www.charitycommissionni.org.uk/charity-details/?regId={}&subId=0",
    "GB-EDU": "https://get-information-schools.service.gov.uk/Establishments/Establishment/Details/{}",
}


_PREFIX = re.compile(r"^(GB-[A-Z]{2,4})[-\s]*(.+)$")


def _normalise_identifier(scheme: str, identifier: str) -> str:
    ident = re.sub(r"[\s.\-]", "", identifier).upper()
    if not ident:
        raise OrgIdError("Enter the number after the prefix")
    if scheme == "GB-COH":
        # Company numbers are eight characters; spreadsheets drop the leading zeros of numeric ones.
        if ident.isdigit():
            if len(ident) > 8:
                raise OrgIdError("A company number has at most 8 characters")
            return ident.zfill(8)
        match = re.fullmatch(r"([A-Z]{2})(\d{1,6})", ident)
        if not match:
            raise OrgIdError("Enter a company number like 01234567 or SC123456")
        return match.group(1) + match.group(2).zfill(6)
    if scheme == "GB-CHC":
        if not ident.isdigit() or len(ident.lstrip("0")) > 7 or not ident.lstrip("0"):
            raise OrgIdError("A charity number in England and Wales is up to 7 digits")
        return ident.lstrip("0")
    if scheme == "GB-SC":
        ident = ident.removeprefix("SC")
        if not ident.isdigit() or len(ident) > 6:
            raise OrgIdError("A Scottish charity number looks like SC012345")
        return "SC" + ident.zfill(6)
    if scheme == "GB-NIC":
        ident = ident.removeprefix("NIC")
        if not ident.isdigit() or len(ident) > 6:
            raise OrgIdError("A Northern Ireland charity number looks like NIC100001 or 100001")
        return ident.lstrip("0") or "0"
    return ident


def parse_org_id(value: str, default_scheme: str | None = None) -> OrgId:
    """Read an org-id with or without its prefix, restoring or dropping leading zeros as the scheme needs.

    A bare number is ambiguous (a charity number and a company number that lost its zeros look alike),
    so it is read only when `default_scheme` says which register it comes from.
    """
    text = (value or "").strip().upper()
    if not text:
        raise OrgIdError("Enter an org-id, for example GB-CHC-1234567 or GB-COH-01234567")
    if is_gss_code(text):
        return OrgId("GSS", normalise_gss(text))
    match = _PREFIX.match(text)
    if match:
        scheme, rest = match.group(1), match.group(2)
        if scheme not in SCHEMES:
            raise OrgIdError(f"{scheme} is not a register we recognise; use one of {', '.join(SCHEMES)}")
        return OrgId(scheme, _normalise_identifier(scheme, rest))
    if re.fullmatch(r"SC\d{1,6}", text):
        return OrgId("GB-SC", _normalise_identifier("GB-SC", text))
    if default_scheme:
        return OrgId(default_scheme, _normalise_identifier(default_scheme, text))
    raise OrgIdError("Start with the register's prefix, for example GB-CHC-1234567 (charity) or GB-COH-01234567 (company)")
