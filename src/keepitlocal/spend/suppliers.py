"""Working through a council's suppliers at scale: search, filters with counts, sorting, corrections one or many at a
time, and other councils' corrections offered as suggestions (never applied silently)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from enum import StrEnum
from typing import Any, ClassVar

import numpy as np
from django.db import transaction
from django.db.models import Count, Max, Q, QuerySet
from django.http import QueryDict

from keepitlocal.common.kept import Kept
from keepitlocal.common.orgid import OrgId, OrgIdError, parse_org_id
from keepitlocal.network.models import AuditEntry, Council
from keepitlocal.spend.engine.classify import Confidence, Evidence, SupplierType
from keepitlocal.spend.figures import type_label
from keepitlocal.spend.models import AnalysisRun, Supplier, SupplierCorrection


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


class Place(StrEnum):
    """Where a supplier is, for the council: in its own area, elsewhere in its region, further away, or not known."""

    LOCAL = "local"
    REGION = "region"
    ELSEWHERE = "elsewhere"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        return {
            "local": "In the council's area",
            "region": "Elsewhere in its region",
            "elsewhere": "Outside its region",
            "unknown": "Not known",
        }[self.value]

    @classmethod
    def of(cls, is_local: bool | None, in_region: bool | None) -> Place:
        if is_local is None:
            return cls.UNKNOWN
        if is_local:
            return cls.LOCAL
        return cls.REGION if in_region else cls.ELSEWHERE


class Corrected(StrEnum):
    YES = "yes"
    NO = "no"
    SUGGESTED = "suggested"

    @property
    def label(self) -> str:
        return {"yes": "Corrected by this council", "no": "Not corrected", "suggested": "Another council suggests a type"}[
            self.value
        ]


def spend_band(amount: float) -> SpendBand:
    for band in SpendBand:
        low, high = band.bounds
        if (low is None or amount >= low) and (high is None or amount < high):
            return band
    return SpendBand.UNDER_THOUSAND


@dataclass(frozen=True)
class SupplierQuery:
    """What a person asked the suppliers page for; values it does not know are ignored, never an error."""

    text: str = ""
    types: tuple[str, ...] = ()
    confidence: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()
    corrected: tuple[str, ...] = ()
    spend: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    sort: Sort = Sort.SPEND

    FACETS = ("types", "confidence", "evidence", "corrected", "spend", "places")
    PARAMS = {
        "types": "type",
        "confidence": "confidence",
        "evidence": "evidence",
        "corrected": "corrected",
        "spend": "spend",
        "places": "place",
    }

    @classmethod
    def from_params(cls, params: QueryDict) -> SupplierQuery:
        """From a request's GET."""

        def chosen(name: str, allowed: Iterable[str]) -> tuple[str, ...]:
            values = params.getlist(name)
            return tuple(v for v in allowed if v in values)

        sort = params.get("sort", "")
        return cls(
            text=" ".join(str(params.get("q", "")).split())[:200],
            types=chosen("type", [t.value for t in SupplierType]),
            confidence=chosen("confidence", [c.value for c in Confidence]),
            evidence=chosen("evidence", [e.value for e in Evidence]),
            corrected=chosen("corrected", [c.value for c in Corrected]),
            spend=chosen("spend", [b.value for b in SpendBand]),
            places=chosen("place", [p.value for p in Place]),
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


@dataclass(frozen=True)
class Index:
    """The council's suppliers as the search reads them, one array per column, built once per analysis and kept in
    the process (never changed by a search: its arrays are read-only), then filtered, counted and ordered by numpy
    rather than row by row."""

    pk: np.ndarray  # int64
    key: tuple[str, ...]
    lines: tuple[str, ...]  # each supplier's spellings, org-id and key, lower case: what search words are found in
    codes: np.ndarray  # uint8, one row per facet (SupplierQuery.FACETS' order): the position of the value in VOCABULARY
    suggested: np.ndarray  # bool: another council's correction gives it another type
    orders: np.ndarray  # one row per Sort (its declared order): every position, in that sort's order

    # Each facet's possible values, in SupplierQuery.FACETS' order; a code is a position in its tuple.
    VOCABULARY: ClassVar[tuple[tuple[str, ...], ...]] = (
        tuple(t.value for t in SupplierType),
        tuple(c.value for c in Confidence),
        tuple(e.value for e in Evidence),
        tuple(c.value for c in Corrected),
        tuple(b.value for b in SpendBand),
        tuple(p.value for p in Place),
    )

    def __len__(self) -> int:
        return len(self.key)

    def matching(self, word: str) -> np.ndarray:
        """Which suppliers' text holds the word (a bool per supplier). A substring test per line costs the same for a
        word in every name ("1", "ltd") as for a rare one, where walking the matches in one long text grew with them."""
        return np.fromiter((word in line for line in self.lines), dtype=bool, count=len(self))


def _code(position: int, value: str) -> int:
    """A facet value's code; a value the vocabulary no longer holds (a type retired from the engine) gets the code
    after the last, which no option counts and no filter chooses."""
    vocabulary = Index.VOCABULARY[position]
    return vocabulary.index(value) if value in vocabulary else len(vocabulary)


# Each process keeps the indexes of the councils searched lately (a few MB each at most).
_KEPT: Kept[Index] = Kept(size=16)


def forget_indexes() -> None:
    """Drop every kept index (tests, whose rolled-back rows may reuse keys)."""
    _KEPT.clear()


def _index(council: Council) -> Index:
    """The council's suppliers, kept (in each process) until an analysis replaces them or any council corrects a
    supplier: every search by any user of the council reads the same index, then filters, counts and orders it itself.
    Thousands of suppliers take a millisecond to filter and count here, where six grouped queries with computed bands
    took tens."""
    # The analysis that wrote the suppliers names them: an analysis replaces a council's suppliers in the same
    # transaction that marks it finished, and nothing else writes them but corrections (ids alone could come back
    # after a re-analysis: SQLite reuses the highest rowids once they are deleted).
    run = AnalysisRun.objects.finished().filter(council=council).values_list("pk", "finished_at").first()
    corrections = SupplierCorrection.objects.aggregate(last=Max("corrected_at"), n=Count("id"))
    return _KEPT.get((council.pk, run, corrections["last"], corrections["n"]), lambda: _build_index(council))


def _build_index(council: Council) -> Index:
    elsewhere: dict[str, set[str]] = {}
    for supplier_key, kind in SupplierCorrection.objects.exclude(council=council).values_list("supplier_key", "supplier_type"):
        elsewhere.setdefault(supplier_key, set()).add(kind)
    rows = list(
        Supplier.objects.filter(council=council).values_list(
            "pk",
            "key",
            "name",
            "names",
            "org_id",
            "supplier_type",
            "evidence_kind",
            "confidence",
            "total_amount",
            "transactions",
            "is_local",
            "in_region",
        )
    )
    lines = [f"{names} | {org_id} | {skey}".lower().replace("\n", " ") for _, skey, _, names, org_id, *_ in rows]
    codes = np.zeros((len(SupplierQuery.FACETS), len(rows)), dtype=np.uint8)
    suggested = np.zeros(len(rows), dtype=bool)
    for i, (_, skey, _, _, _, kind, evidence, confidence, total, _, is_local, in_region) in enumerate(rows):
        corrected = evidence == Evidence.CORRECTION
        values = (
            kind,
            Confidence.of(confidence).value,
            evidence,
            Corrected.YES.value if corrected else Corrected.NO.value,
            spend_band(float(total)).value,
            Place.of(is_local, in_region).value,
        )
        for position, value in enumerate(values):
            codes[position, i] = _code(position, value)
        suggested[i] = not corrected and bool(elsewhere.get(skey, set()) - {kind})
    index = Index(
        pk=np.array([r[0] for r in rows], dtype=np.int64),
        key=tuple(r[1] for r in rows),
        lines=tuple(lines),
        codes=codes,
        suggested=suggested,
        orders=_orders(rows),
    )
    for array in (index.pk, index.codes, index.suggested, index.orders):
        array.flags.writeable = False
    return index


def _orders(rows: Sequence[tuple[Any, ...]]) -> np.ndarray:
    """Every position in each sort's order, worked out once per index so that a search only keeps the matches in
    it (numpy's lexsort takes its most significant key last; ties fall to the name, then the key)."""
    by_name = sorted(range(len(rows)), key=lambda i: (rows[i][2].lower(), rows[i][1]))
    name = np.empty(len(rows), dtype=np.int64)
    name[by_name] = np.arange(len(rows))
    total = np.array([float(r[8]) for r in rows], dtype=np.float64)
    transactions = np.array([r[9] for r in rows], dtype=np.int64)
    confidence = np.array([r[7] for r in rows], dtype=np.float64)
    keys: dict[Sort, tuple[np.ndarray, ...]] = {
        Sort.SPEND: (name, -total),
        Sort.NAME: (name,),
        Sort.PAYMENTS: (name, -total, -transactions),
        Sort.CONFIDENCE: (name, -total, confidence),
    }
    return np.array([np.lexsort(keys[sort]) for sort in Sort], dtype=np.int64).reshape(len(Sort), len(rows))


@dataclass
class SupplierSearch:
    index: Index
    matched: np.ndarray  # positions in the index of the matching suppliers, in the order asked for
    facets: list[Facet]

    SHOWN: ClassVar[tuple[str, ...]] = ("key", "name", "org_id", "supplier_type", "evidence", "confidence", "total_amount")

    @property
    def count(self) -> int:
        return len(self.matched)

    def page(self, number: int, per_page: int) -> list[Supplier]:
        """The suppliers on one page, in order (one query for just them)."""
        chosen = [int(pk) for pk in self.index.pk[self.matched[(number - 1) * per_page : number * per_page]]]
        # Only what a row shows: the published spellings and candidate matches are JSON lists, long for some suppliers.
        found = Supplier.objects.only(*self.SHOWN).in_bulk(chosen)
        return [found[pk] for pk in chosen if pk in found]

    @property
    def suggested(self) -> set[str]:
        return {self.index.key[i] for i in self.matched[self.index.suggested[self.matched]]}

    def queryset(self, query: SupplierQuery) -> QuerySet[Supplier]:
        """Every matching supplier, for a download, in the same order."""
        return Supplier.objects.filter(pk__in=[int(pk) for pk in self.index.pk[self.matched]]).order_by(*query.sort.ordering)


def search(council: Council, query: SupplierQuery) -> SupplierSearch:
    """The suppliers matching the query, in its order, and each filter's options counted as if chosen next (the
    other filters applied, not its own), so that a count always says what choosing that option would show."""
    index = _index(council)
    words = query.text.lower().split()[:8]
    chosen = [set(getattr(query, facet)) for facet in SupplierQuery.FACETS]
    wants_suggested = Corrected.SUGGESTED.value in chosen[3]
    found = np.ones(len(index), dtype=bool)
    for word in words:
        found &= index.matching(word)
    # For each filter, which suppliers it lets through (every one when nothing is chosen in it).
    passes = []
    for position, wanted in enumerate(chosen):
        if not wanted:
            passes.append(found)
            continue
        codes = [index.VOCABULARY[position].index(v) for v in wanted if v in index.VOCABULARY[position]]
        through = np.isin(index.codes[position], codes)
        if position == 3 and wants_suggested:
            through |= index.suggested
        passes.append(found & through)
    counts: list[dict[str, int]] = []
    suggested_count = 0
    for position, vocabulary in enumerate(index.VOCABULARY):
        # Passing every other filter, a supplier counts towards the option it has in this one.
        others = found.copy()
        for other, through in enumerate(passes):
            if other != position:
                others &= through
        tally = np.bincount(index.codes[position][others], minlength=len(vocabulary) + 1)
        counts.append({value: int(tally[code]) for code, value in enumerate(vocabulary)})
        if position == 3:
            suggested_count = int(np.count_nonzero(others & index.suggested))
    everything = found.copy()
    for through in passes:
        everything &= through
    order = index.orders[list(Sort).index(query.sort)]
    matched = order[everything[order]]

    def options(position: int, choices: Sequence[tuple[str, str]]) -> list[Option]:
        return [Option(value, label, counts[position].get(value, 0), value in chosen[position]) for value, label in choices]

    corrections = options(3, [(c.value, c.label) for c in (Corrected.YES, Corrected.NO)])
    corrections.append(Option(Corrected.SUGGESTED.value, Corrected.SUGGESTED.label, suggested_count, wants_suggested))
    facets = [
        Facet("type", "Type", options(0, [(t.value, t.label) for t in SupplierType])),
        Facet("confidence", "How sure the type is", options(1, [(c.value, c.label) for c in Confidence])),
        Facet("evidence", "What decided the type", options(2, [(e.value, e.label) for e in Evidence])),
        Facet("corrected", "Corrections", corrections),
        Facet("spend", "Net spend", options(4, [(b.value, b.label) for b in SpendBand])),
        Facet("place", "Where it is", options(5, [(p.value, p.label) for p in Place])),
    ]
    # An option nobody could choose (no supplier has it, and it is not chosen) is left out rather than shown as 0.
    facets = [replace(f, options=[o for o in f.options if o.count or o.selected]) for f in facets]
    return SupplierSearch(index, matched, facets)


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
