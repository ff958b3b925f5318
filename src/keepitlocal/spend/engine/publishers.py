"""Where each official register is published, in one place: its publisher's page (for a person downloading by hand),
how to find the latest edition, and the kind of register its file must be once downloaded.

Addresses change when publishers rebuild their sites. When one does, change it here (and in docs/REGISTERS.md):
nothing else in the code names a publisher's address. Every file is checked after download, so a changed layout is
refused with a reason rather than loaded wrongly.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class RegisterKind(StrEnum):
    """A register a spend analysis uses. The values are the engine's own names for what each file holds
    (registers.Registers recognises a file's kind from its header)."""

    COMPANIES_HOUSE = "companies_house"
    CHARITY_COMMISSION = "charity_commission"
    OSCR = "oscr"
    CCNI = "ccni"
    POSTCODES = "postcodes"

    @property
    def option(self) -> str:
        """How the kind is typed on the command line: companies-house, charity-commission..."""
        return self.value.replace("_", "-")


@dataclass(frozen=True)
class LinkOnPage:
    """The file is linked from the publisher's page; the latest edition is the link whose name carries the latest
    date (`pattern` is a regular expression over the link's address, with a group named `date` where there is one)."""

    page: str
    pattern: str


@dataclass(frozen=True)
class Direct:
    """The file always lives at one address, replaced by each new edition."""

    url: str


@dataclass(frozen=True)
class ArcGisSearch:
    """The ONS publishes its postcode products as ArcGIS Online items: the latest is the newest item whose title
    matches `title`; its file is downloaded from the item's data address."""

    search: str
    title: str
    item_data: str  # with {id} for the item


Finder = LinkOnPage | Direct | ArcGisSearch


@dataclass(frozen=True)
class Publisher:
    kind: RegisterKind
    title: str
    publisher: str
    page: str  # the page a person opens to download the file by hand
    licence: str
    finder: Finder


PUBLISHERS: tuple[Publisher, ...] = (
    Publisher(
        RegisterKind.COMPANIES_HOUSE,
        "Basic company data (every live company, one file)",
        "Companies House",
        "https://download.companieshouse.gov.uk/en_output.html",
        "Companies House data is free to reuse; see the Companies House terms",
        LinkOnPage(
            "https://download.companieshouse.gov.uk/en_output.html",
            r"BasicCompanyDataAsOneFile-(?P<date>\d{4}-\d{2}-\d{2})\.zip$",
        ),
    ),
    Publisher(
        RegisterKind.CHARITY_COMMISSION,
        "Register of charities: full register extract (charity table)",
        "Charity Commission for England and Wales",
        "https://register-of-charities.charitycommission.gov.uk/register/full-register-download",
        "Open Government Licence v3.0",
        Direct("https://ccewuksprdoneregsadata1.blob.core.windows.net/data/txt/publicextract.charity.zip"),
    ),
    Publisher(
        RegisterKind.OSCR,
        "Scottish Charity Register download",
        "Scottish Charity Regulator (OSCR)",
        "https://www.oscr.org.uk/about-charities/search-the-register/charity-register-download",
        "Open Government Licence v3.0",
        LinkOnPage(
            "https://www.oscr.org.uk/about-charities/search-the-register/charity-register-download",
            r"(?i)(CharityRegDownload|charity-?register[^/]*\.(zip|csv))",
        ),
    ),
    Publisher(
        RegisterKind.CCNI,
        "Register of charities in Northern Ireland (CSV export)",
        "Charity Commission for Northern Ireland",
        "https://www.charitycommissionni.org.uk/charity-search/",
        "Open Government Licence v3.0",
        Direct(
            "https://www.charitycommissionni.org.uk/umbraco/api/charityApi/ExportSearchResultsToCsv/?include=Linked&include=Removed"
        ),
    ),
    Publisher(
        RegisterKind.POSTCODES,
        "National Statistics Postcode Lookup (NSPL), UK",
        "Office for National Statistics (Open Geography Portal)",
        "https://geoportal.statistics.gov.uk/search?q=PRD_NSPL",
        "Open Government Licence v3.0; contains OS data and Royal Mail data",
        ArcGisSearch(
            "https://www.arcgis.com/sharing/rest/search?q=title%3ANSPL%20owner%3AONSGeography_data&sortField=created&sortOrder=desc&num=20&f=json",
            r"^National Statistics Postcode Lookup \((?P<date>[A-Za-z]+ \d{4})\)$",
            "https://www.arcgis.com/sharing/rest/content/items/{id}/data",
        ),
    ),
)


def publisher(kind: RegisterKind) -> Publisher:
    return next(p for p in PUBLISHERS if p.kind == kind)


def kind_from_option(text: str) -> RegisterKind:
    """A kind as typed ('companies-house', 'companies_house', 'Companies House'); ValueError names the choices."""
    wanted = text.strip().lower().replace(" ", "_").replace("-", "_")
    for kind in RegisterKind:
        if kind.value == wanted:
            return kind
    raise ValueError(f"'{text}' is not a register we fetch; choose from {', '.join(k.option for k in RegisterKind)}")
