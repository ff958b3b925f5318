"""Which part of the local system a directory organisation belongs to, from its identifier's scheme."""

from __future__ import annotations

from enum import StrEnum

from keepitlocal.common.geography import is_gss_code
from keepitlocal.common.orgid import is_charity, is_company, is_mutual, is_public_body


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
        if is_charity(org_id) or is_mutual(org_id):  # a community benefit society or co-operative: social economy
            return cls.VCSE
        if is_company(org_id):
            return cls.BUSINESS
        if is_public_body(org_id) or is_gss_code(org_id.upper()):
            return cls.PUBLIC
        return cls.UNKNOWN
