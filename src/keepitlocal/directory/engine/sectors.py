"""Which part of the local system a directory organisation belongs to, from its identifier's scheme."""

from __future__ import annotations

from enum import StrEnum

from keepitlocal.common.geography import is_gss_code


class Sector(StrEnum):
    VCSE = "vcse"
    BUSINESS = "business"
    PUBLIC = "public"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        return {
            "vcse": "Voluntary, community or social enterprise",
            "business": "Business",
            "public": "Public sector",
            "unknown": "Not known",
        }[self.value]

    @classmethod
    def of(cls, org_id: str) -> Sector:
        """A registered charity is VCSE; a company a business (a charitable company also has a charity number, which
        comes first); an NHS body, school or government organisation public; anything else not known."""
        upper = org_id.upper()
        if upper.startswith(("GB-CHC-", "GB-SC-", "GB-NIC-", "GB-MPR-")):
            return cls.VCSE
        if upper.startswith("GB-COH-"):
            return cls.BUSINESS
        if upper.startswith(("GB-NHS-", "GB-EDU-", "GB-GOR-")) or is_gss_code(upper):
            return cls.PUBLIC
        return cls.UNKNOWN
