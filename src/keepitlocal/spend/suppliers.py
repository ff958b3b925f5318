"""Working through a council's suppliers at scale: search, filters with counts, sorting, corrections one or many at a
time, and other councils' corrections offered as suggestions (never applied silently)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from enum import StrEnum
from typing import Any

from django.db import transaction
from django.db.models import Case, CharField, Count, Exists, OuterRef, Q, QuerySet, Value, When

from keepitlocal.network.engine.orgid import OrgId, OrgIdError, parse_org_id
from keepitlocal.network.models import AuditEntry, Council
from keepitlocal.spend.engine.classify import Confidence, Evidence, SupplierType
from keepitlocal.spend.models import Supplier, SupplierCorrection


class SpendBand(StrEnum):
    """Bands of a supplier's net spend, largest first; the lowest holds net refunds too."""

    MILLION = "1m-plus"
    HUNDRED_THOUSAND = "100k-1m"
    TEN_THOUSAND = "10k-100k"
    THOUSAND = "1k-10k"
    UNDER_THOUSAND = "under-1k"

    @property
    def label(self) -> str:
        return _BAND_LABELS[self]

    @property
    def bounds(self) -> tuple[Decimal | None, Decimal | None]:
        """low <= spend < high; None where open."""
        return _BAND_BOUNDS[self]


_BAND_LABELS = {
    SpendBand.MILLION: "£1 million or more",
    SpendBand.HUNDRED_THOUSAND: "£100,000 to £1 million",
    SpendBand.TEN_THOUSAND: "£10,000 to £100,000",
    SpendBand.THOUSAND: "£1,000 to £10,000",
    SpendBand.UNDER_THOUSAND: "Under £1,000 (or net refunds)",
}
_BAND_BOUNDS: dict[SpendBand, tuple[Decimal | None, Decimal | None]] = {
    SpendBand.MILLION: (Decimal(1_000_000), None),
    SpendBand.HUNDRED_THOUSAND: (Decimal(100_000), Decimal(1_000_000)),
    SpendBand.TEN_THOUSAND: (Decimal(10_000), Decimal(100_000)),
    SpendBand.THOUSAND: (Decimal(1_000), Decimal(10_000)),
    SpendBand.UNDER_THOUSAND: (None, Decimal(1_000)),
}


class Sort(StrEnum):
    SPEND = "spend"
    NAME = "name"
    PAYMENTS = "payments"
    CONFIDENCE = "confidence"

    @property
    def label(self) -> str:
        return _SORT_LABELS[self]

    @property
    def ordering(self) -> tuple[str, ...]:
        return _SORT_ORDER[self]


_SORT_LABELS = {
    Sort.SPEND: "Most spend first",
    Sort.NAME: "Name, A to Z",
    Sort.PAYMENTS: "Most payments first",
    Sort.CONFIDENCE: "Least certain first",
}
_SORT_ORDER = {
    Sort.SPEND: ("-total_amount", "name"),
    Sort.NAME: ("name", "key"),
    Sort.PAYMENTS: ("-transactions", "-total_amount", "name"),
    Sort.CONFIDENCE: ("confidence", "-total_amount", "name"),
}


class Corrected(StrEnum):
    YES = "yes"
    NO = "no"
    SUGGESTED = "suggested"

    @property
    def label(self) -> str:
        return {"yes": "Corrected by this council", "no": "Not corrected", "suggested": "Another council suggests a type"}[
            self.value
        ]


def _band_case(field_name: str, bands: Iterable[Any]) -> Case:
    """A SQL CASE naming each row's band, from the bands' own bounds."""
    whens = []
    for band in bands:
        low, high = band.bounds
        condition = Q()
        if low is not None:
            condition &= Q(**{f"{field_name}__gte": low})
        if high is not None:
            condition &= Q(**{f"{field_name}__lt": high})
        whens.append(When(condition, then=Value(band.value)))
    return Case(*whens, default=Value(""), output_field=CharField())


@dataclass(frozen=True)
class SupplierQuery:
    """What a person asked the suppliers page for; values it does not know are ignored, never an error."""

    text: str = ""
    types: tuple[str, ...] = ()
    confidence: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()
    corrected: tuple[str, ...] = ()
    spend: tuple[str, ...] = ()
    sort: Sort = Sort.SPEND

    FACETS = ("types", "confidence", "evidence", "corrected", "spend")
    PARAMS = {"types": "type", "confidence": "confidence", "evidence": "evidence", "corrected": "corrected", "spend": "spend"}

    @classmethod
    def from_params(cls, params: Any) -> SupplierQuery:
        """From a request's GET (a QueryDict, or a mapping of lists)."""

        def chosen(name: str, allowed: Iterable[str]) -> tuple[str, ...]:
            known = list(allowed)
            values = params.getlist(name) if hasattr(params, "getlist") else list(params.get(name, []))
            return tuple(v for v in known if v in values)

        sort = params.get("sort", "") if hasattr(params, "getlist") else (params.get("sort") or [""])[0]
        text = params.get("q", "") if hasattr(params, "getlist") else (params.get("q") or [""])[0]
        return cls(
            text=" ".join(str(text).split())[:200],
            types=chosen("type", [t.value for t in SupplierType]),
            confidence=chosen("confidence", [c.value for c in Confidence]),
            evidence=chosen("evidence", [e.value for e in Evidence]),
            corrected=chosen("corrected", [c.value for c in Corrected]),
            spend=chosen("spend", [b.value for b in SpendBand]),
            sort=Sort(sort) if sort in Sort.__members__.values() else Sort.SPEND,
        )

    def params(self, *, sort: bool = True) -> list[tuple[str, str]]:
        pairs = [("q", self.text)] if self.text else []
        for facet in self.FACETS:
            pairs += [(self.PARAMS[facet], value) for value in getattr(self, facet)]
        if sort and self.sort != Sort.SPEND:
            pairs.append(("sort", self.sort.value))
        return pairs

    @property
    def filtered(self) -> bool:
        return bool(self.text or any(getattr(self, f) for f in self.FACETS))


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    count: int
    selected: bool


@dataclass(frozen=True)
class Facet:
    name: str  # the query parameter
    legend: str
    options: list[Option] = field(default_factory=list)


def _suggested(council: Council) -> Exists:
    """Whether another council has corrected a supplier with the same key to a type this council's analysis did not give."""
    return Exists(
        SupplierCorrection.objects.exclude(council=council)
        .filter(supplier_key=OuterRef("key"))
        .exclude(supplier_type=OuterRef("supplier_type"))
    )


# Querysets annotated with the bands are typed Any: django-stubs cannot see fields added by annotate().
def _annotated(council: Council) -> Any:
    return Supplier.objects.filter(council=council).annotate(
        confidence_band=_band_case("confidence", Confidence),
        spend_band=_band_case("total_amount", SpendBand),
        suggested=_suggested(council),
    )


def _apply(rows: Any, query: SupplierQuery, skip: str = "") -> Any:
    if query.text:
        for word in query.text.split()[:8]:
            rows = rows.filter(Q(names__icontains=word) | Q(org_id__icontains=word) | Q(key__icontains=word))
    if query.types and skip != "types":
        rows = rows.filter(supplier_type__in=query.types)
    if query.confidence and skip != "confidence":
        rows = rows.filter(confidence_band__in=query.confidence)
    if query.evidence and skip != "evidence":
        rows = rows.filter(evidence_kind__in=query.evidence)
    if query.corrected and skip != "corrected":
        wanted = Q()
        if Corrected.YES in query.corrected:
            wanted |= Q(evidence_kind=Evidence.CORRECTION)
        if Corrected.NO in query.corrected:
            wanted |= ~Q(evidence_kind=Evidence.CORRECTION)
        if Corrected.SUGGESTED in query.corrected:
            wanted |= Q(suggested=True) & ~Q(evidence_kind=Evidence.CORRECTION)
        rows = rows.filter(wanted)
    if query.spend and skip != "spend":
        rows = rows.filter(spend_band__in=query.spend)
    return rows


@dataclass
class SupplierSearch:
    rows: QuerySet[Supplier]
    count: int
    facets: list[Facet]


def search(council: Council, query: SupplierQuery) -> SupplierSearch:
    """The suppliers matching the query, in its order, and each filter's options counted as if chosen next (the
    other filters applied, not its own), so that a count always says what choosing that option would show."""
    base = _annotated(council)
    rows = _apply(base, query).order_by(*query.sort.ordering)

    def counts(facet: str, column: str) -> dict[str, int]:
        found = _apply(base, query, skip=facet).values(column).annotate(n=Count("id")).order_by()
        return {str(r[column]): r["n"] for r in found}

    def options(facet: str, column: str, choices: Sequence[tuple[str, str]]) -> list[Option]:
        counted = counts(facet, column)
        chosen = getattr(query, facet)
        return [Option(value, label, counted.get(value, 0), value in chosen) for value, label in choices]

    corrected_counts = counts("corrected", "evidence_kind")
    others = _apply(base, query, skip="corrected")
    suggested = others.filter(suggested=True).exclude(evidence_kind=Evidence.CORRECTION).count()
    fixed = corrected_counts.get(Evidence.CORRECTION.value, 0)
    corrected_options = [
        Option(Corrected.YES.value, Corrected.YES.label, fixed, Corrected.YES in query.corrected),
        Option(Corrected.NO.value, Corrected.NO.label, sum(corrected_counts.values()) - fixed, Corrected.NO in query.corrected),
        Option(Corrected.SUGGESTED.value, Corrected.SUGGESTED.label, suggested, Corrected.SUGGESTED in query.corrected),
    ]
    facets = [
        Facet("type", "Type", options("types", "supplier_type", [(t.value, t.label) for t in SupplierType])),
        Facet(
            "confidence",
            "How sure the type is",
            options("confidence", "confidence_band", [(c.value, c.label) for c in Confidence]),
        ),
        Facet("evidence", "What decided the type", options("evidence", "evidence_kind", [(e.value, e.label) for e in Evidence])),
        Facet("corrected", "Corrections", corrected_options),
        Facet("spend", "Net spend", options("spend", "spend_band", [(b.value, b.label) for b in SpendBand])),
    ]
    # An option nobody could choose (no supplier has it, and it is not chosen) is left out rather than shown as 0.
    facets = [replace(f, options=[o for o in f.options if o.count or o.selected]) for f in facets]
    return SupplierSearch(rows, rows.count(), facets)


def type_label(code: str) -> str:
    """A supplier type's words; a code the engine no longer knows is shown as unknown rather than raw."""
    try:
        return SupplierType(code).label
    except ValueError:
        return SupplierType.UNKNOWN.label


def confidence_label(score: float) -> str:
    return Confidence.of(score).label


def evidence_label(code: str) -> str:
    try:
        return Evidence(code).label
    except ValueError:
        return Evidence.NONE.label


@transaction.atomic
def correct_suppliers(suppliers: Iterable[Supplier], supplier_type: str, reason: str, user: Any) -> int:
    """Set many suppliers' type with one reason; each is recorded and audited like a single correction (their
    org-ids are left as they are). The caller starts one re-analysis for them all."""
    from keepitlocal.spend.services import correct_supplier

    done = 0
    for supplier in suppliers:
        correct_supplier(supplier, supplier_type, "", reason, user)
        done += 1
    return done


@dataclass(frozen=True)
class Suggestion:
    """Another council's correction of a supplier with the same key or org-id, offered with its source."""

    id: int
    council: str
    supplier_type: str
    type_label: str
    org_id: str
    reason: str
    corrected_on: Any
    matched_by: str

    @property
    def sentence(self) -> str:
        ident = f", {self.org_id}" if self.org_id else ""
        return f"{self.council}'s editor marked this {_article(self.type_label)}{ident}: “{self.reason}”"


def _article(label: str) -> str:
    """'a VCSE organisation', 'an individual', 'unknown': a type's label as the end of a sentence."""
    if label in (SupplierType.UNKNOWN.label, SupplierType.WITHHELD.label):
        return label.lower()
    lowered = label if label[:2].isupper() else label[0].lower() + label[1:]
    return ("an " if lowered[0] in "aeiou" else "a ") + lowered


def suggestions(supplier: Supplier) -> list[Suggestion]:
    """Other councils' corrections of this supplier (same name key, or same org-id), newest first; those that agree
    with what this council already has are left out."""
    match = Q(supplier_key=supplier.key)
    if supplier.org_id:
        match |= Q(org_id=supplier.org_id)
    found = (
        SupplierCorrection.objects.filter(match)
        .exclude(council=supplier.council)
        .select_related("council")
        .order_by("-corrected_at")
    )
    out = []
    for correction in found:
        if correction.supplier_type == supplier.supplier_type and (not correction.org_id or correction.org_id == supplier.org_id):
            continue
        out.append(
            Suggestion(
                id=correction.pk,
                council=correction.council.name,
                supplier_type=correction.supplier_type,
                type_label=type_label(correction.supplier_type),
                org_id=correction.org_id,
                reason=correction.reason,
                corrected_on=correction.corrected_at,
                matched_by="the same org-id" if supplier.org_id and correction.org_id == supplier.org_id else "the same name",
            )
        )
    return out


@dataclass(frozen=True)
class Identifier:
    org_id: str
    register: str
    register_page: str
    findthatcharity_page: str


def identifiers(org_ids: Iterable[str]) -> list[Identifier]:
    """Org-ids with links to each register's public page; one that cannot be read is shown as published, unlinked."""
    out = []
    for raw in dict.fromkeys(o for o in org_ids if o):
        try:
            parsed: OrgId = parse_org_id(raw)
        except OrgIdError:
            out.append(Identifier(raw, "", "", ""))
            continue
        out.append(Identifier(str(parsed), parsed.register_name, parsed.register_page, parsed.findthatcharity_page))
    return out


def history(supplier: Supplier) -> QuerySet[AuditEntry]:
    """Every correction of this supplier in the council's change history, newest first."""
    return AuditEntry.objects.filter(council=supplier.council, action="corrected", record_id=supplier.key[:40]).select_related(
        "actor"
    )


def keys_of(council: Council, keys: Sequence[str]) -> list[Supplier]:
    """The council's suppliers with these keys, in the order asked; keys of other councils are not found."""
    found = {s.key: s for s in Supplier.objects.filter(council=council, key__in=list(keys))}
    return [found[k] for k in dict.fromkeys(keys) if k in found]
