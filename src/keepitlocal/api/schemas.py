"""What the API answers with, as OpenAPI schemas. Money is in pounds as a number; codes come with their labels."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Schema


class Error(Schema):
    code: str
    message: str


class Council(Schema):
    gss_code: str
    name: str
    council_type: str
    region: str
    cohort: str | None
    stage: str
    stage_label: str
    joined_on: date | None
    endorsement_url: str | None
    is_demo: bool
    profile_url: str


class CouncilPage(Schema):
    items: list[Council]
    next_cursor: str | None


class Principle(Schema):
    number: int
    title: str
    description: str


class Principles(Schema):
    version: str
    published_on: date
    principles: list[Principle]


class Indicator(Schema):
    id: str
    name: str
    unit: str
    value: float | None
    numerator: float | None = None
    denominator: float | None = None
    coverage: float | None = None
    low: float | None = None
    high: float | None = None
    depends_on: str | None = None
    as_range: bool = False  # published as its range, low to high: what it depends on is known for too little spend
    definition: str = ""  # the formula, as docs/INDICATORS.md gives it
    period: str = ""  # the payments it covers, in words
    rows: list[dict[str, Any]] | None = None


class Spend(Schema):
    gss_code: str
    council: str
    year: str
    years: list[str]
    title: str
    sentence: str
    indicators: list[Indicator]
    files: list[str]
    registers: list[str]
    analysed_on: datetime | None


class ComparisonRow(Schema):
    gss_code: str
    council: str
    is_demo: bool
    period: str = ""  # the payments the figures cover, in words
    total_spend: float | None
    payments: int | None
    share_vcse: float | None
    share_local: float | None
    share_local_vcse: float | None
    # Shares known for less than 80% of spend are published as [low, high] only, their point figure null.
    share_vcse_range: list[float] | None = None
    share_local_range: list[float] | None = None
    share_local_vcse_range: list[float] | None = None
    # Every share's upper bound (the share if every supplier of unknown type or locality met it) and the share of spend
    # its condition is known for: a point figure is read with both, as the comparison page shows them.
    share_vcse_high: float | None = None
    share_local_high: float | None = None
    share_local_vcse_high: float | None = None
    share_vcse_coverage: float | None = None
    share_local_coverage: float | None = None
    share_local_vcse_coverage: float | None = None
    locality_known: float | None
    top10_share: float | None
    hhi: float | None


class Comparison(Schema):
    year: str
    years: list[str]
    rows: list[ComparisonRow]
    not_published_for_year: list[str]


class Ends(Schema):
    low: float | None
    central: float | None
    high: float | None


class ValueCaseSummary(Schema):
    id: int
    gss_code: str
    title: str
    price_year: str
    published_at: datetime
    is_demo: bool
    npv: Ends | None
    bcr_fiscal: Ends | None
    problem: str | None
    page_url: str


class ValueCase(ValueCaseSummary):
    result: dict[str, Any] | None


class SectorCount(Schema):
    sector: str
    elements: int


class ConnectionCount(Schema):
    sector: str
    kind: str
    connections: int


class ConnectionMap(Schema):
    organisation: str
    org_id: str | None
    on: date
    elements_by_sector: list[SectorCount]
    connections: list[ConnectionCount]
    page_url: str


class Analysis(Schema):
    id: int
    status: str
    started_at: datetime | None
    finished_at: datetime | None
    files: int
    years: list[str]
    published: bool


class Supplier(Schema):
    key: str
    name: str
    supplier_type: str
    type_label: str
    org_id: str | None
    postcode: str | None
    is_local: bool | None
    total_amount: float
    transactions: int
    evidence: str
    evidence_kind: str
    how_sure: str


class SupplierPage(Schema):
    items: list[Supplier]
    next_cursor: str | None
    total: int


class Payment(Schema):
    id: int
    date: date
    supplier_name: str
    supplier_key: str
    supplier_type: str
    amount: float
    service_area: str
    expense_type: str
    file: str
    source_row: int | None


class PaymentPage(Schema):
    items: list[Payment]
    next_cursor: str | None


class PrincipleScore(Schema):
    number: int
    title: str
    officers: float | None
    partners: float | None
    overall: float | None
    gap: float | None


class AssessmentRound(Schema):
    id: int
    title: str
    opened_on: date
    closed_at: datetime | None
    officers_answered: int
    # None while the round is open: how many partners answered is told only when it closes (docs/ASSESSMENT.md).
    partners_answered: int | None
    partners_hidden: bool
    principles: list[PrincipleScore]


class Action(Schema):
    id: int
    principle: int
    what: str
    owner: str
    due_on: date
    status: str
    status_label: str
    is_demo: bool
