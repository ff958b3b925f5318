"""Which published column holds which field: recognised by the words of its heading, confirmed by its values.

Councils word their headings in endless ways ('Total (excl. VAT)', 'Invoice Paid Date', 'Supplier id(T)',
'SumOfAmount_Exc_VAT', 'Suuplier ID'). A heading is read as words: camel case and punctuation split, currency marks
and qualifiers such as '(£)' or '(T)' dropped, abbreviations spelled out (excl, inc, no, ref, nett) and words a
letter or two off a known one read as that word. Each field has a rule over those words giving a rank (lower is
better); the best-ranked column is taken. Net amounts are preferred to plain ones, and plain to gross, and the
mapping says which was used.

Where a sample of the file's rows is given, the values confirm the choice: a date column must hold dates, an amount
column money, a supplier column names. Two columns tied by heading are settled by their values (one empty, both the
same, or only one that fits); a field no heading names is found by its values alone (a column of names under
'Vendor Ref(T)'), and the mapping says so with its evidence. Only two candidates equally plausible by heading and by
values stop the file, and a mapping file settles it (naming a repeated heading as 'Amount#2').
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import cached_property, lru_cache

from rapidfuzz.distance import Levenshtein

from keepitlocal.common.names import is_redacted
from keepitlocal.spend.engine.parse import ParseError, parse_amount, parse_date

REQUIRED = ("supplier_name", "amount", "date")
FIELDS = (
    "supplier_name",
    "amount",
    "date",
    "company_number",
    "charity_number",
    "vat_number",
    "supplier_id",
    "vcse_flag",
    "supplier_type",
    "transaction_id",
    "invoice",
    "postcode",
    "service_area",
    "expense_type",
)
OPTIONAL_FIELDS = tuple(name for name in FIELDS if name not in REQUIRED)
# Each field in words, for pages and the command line (never its code).
FIELD_LABELS = {
    "supplier_name": "Supplier (payee) name",
    "amount": "Amount paid",
    "date": "Date of payment",
    "company_number": "Company number",
    "charity_number": "Charity number",
    "vat_number": "VAT registration number",
    "supplier_id": "The council's supplier reference",
    "vcse_flag": "The council's VCSE flag",
    "supplier_type": "The council's supplier type",
    "transaction_id": "Transaction number",
    "invoice": "Invoice number",
    "postcode": "Supplier's postcode or address",
    "service_area": "Service area",
    "expense_type": "Expense type",
}


class How(StrEnum):
    """How a column was chosen for a field."""

    HEADING = "heading"
    VALUES = "values"
    MAPPING = "mapping file"
    CHOICE = "a person's choice"

    @property
    def label(self) -> str:
        return _HOW_LABELS[self]


_HOW_LABELS = {
    How.HEADING: "its heading",
    How.VALUES: "its values (no heading names it)",
    How.MAPPING: "a mapping file",
    How.CHOICE: "a person's choice",
}


def normal(header: str) -> str:
    """The heading in lower-case letters and digits only (how ignored columns and repeated headers are compared)."""
    return re.sub(r"[^a-z0-9]", "", (header or "").lower())


# Words read as another (abbreviations, spellings); what is left is compared with KNOWN for near misses.
ALIASES = {
    "amt": "amount",
    "amnt": "amount",
    "val": "value",
    "nett": "net",
    "ex": "excl",
    "exc": "excl",
    "excl": "excl",
    "excluding": "excl",
    "exclusive": "excl",
    "excludes": "excl",
    "exclude": "excl",
    "without": "excl",
    "before": "excl",
    "inc": "incl",
    "incl": "incl",
    "including": "incl",
    "inclusive": "incl",
    "includes": "incl",
    "with": "incl",
    "no": "number",
    "num": "number",
    "nbr": "number",
    "nos": "number",
    "numb": "number",
    "reference": "ref",
    "refs": "ref",
    "identifier": "id",
    "registration": "reg",
    "registered": "reg",
    "regn": "reg",
    "regd": "reg",
    "dept": "department",
    "dir": "directorate",
    "trans": "transaction",
    "txn": "transaction",
    "tran": "transaction",
    "transactions": "transaction",
    "inv": "invoice",
    "invoiced": "invoice",
    "pay": "payment",
    "payments": "payment",
    "pymt": "payment",
    "pmt": "payment",
    "desc": "description",
    "descr": "description",
    "cat": "category",
    "categorisation": "category",
    "categorization": "category",
    "classification": "category",
    "class": "category",
    "expenditure": "expense",
    "expenses": "expense",
    "spent": "spend",
    "suppliers": "supplier",
    "vendors": "vendor",
    "payees": "payee",
    "creditors": "creditor",
    "beneficiaries": "beneficiary",
    "recipients": "recipient",
    "gbp": "gbp",
    "sterling": "gbp",
    "pounds": "gbp",
    "charities": "charity",
    "charitable": "charity",
    "companies": "company",
    "co": "company",
    "org": "organisation",
    "organization": "organisation",
    "postal": "post",
    "vcs": "vcse",
}
STOPWORDS = {"of", "the", "for", "in", "a", "an", "by", "and", "or", "on", "at", "is", "dd", "mm", "yy", "yyyy", "mmm"}
PARTY = {"supplier", "beneficiary", "payee", "vendor", "creditor", "recipient", "contractor", "provider", "trader"}
IDENT = {"id", "number", "code", "ref", "key", "urn", "reg"}
DESCRIBED = {"description", "name", "label", "text", "title", "detail", "detailed"}
PAID = {"paid", "payment", "cleared", "clearing", "cheque", "bacs", "remittance", "settled", "settlement"}
KNOWN = (
    PARTY
    | IDENT
    | DESCRIBED
    | PAID
    | set(ALIASES.values())
    | {
        "name",
        "amount",
        "value",
        "total",
        "spend",
        "cost",
        "gross",
        "net",
        "vat",
        "date",
        "posted",
        "posting",
        "transaction",
        "effective",
        "service",
        "directorate",
        "department",
        "portfolio",
        "division",
        "area",
        "expense",
        "type",
        "category",
        "account",
        "purpose",
        "postcode",
        "company",
        "charity",
        "voluntary",
        "community",
        "social",
        "enterprise",
        "organisation",
        "period",
        "month",
        "quarter",
        "invoice",
        "document",
        "journal",
        "centre",
        "unit",
        "business",
        "responsible",
        "subjective",
        "procurement",
        "proclass",
        "line",
        "sum",
        "grand",
        "made",
        "legal",
        "form",
        "to",
    }
)


def _near(token: str) -> str | None:
    """The known word a token is a slip of ('suuplier', 'directotate', 'benificiary'): the same first letter, one
    letter off (two in long words) and about as long; None when there is none."""
    if len(token) < 6 or token.isdigit():
        return None
    limit = 1 if len(token) < 9 else 2
    close = [w for w in KNOWN if w[0] == token[0] and abs(len(w) - len(token)) <= 1]
    scored = sorted((Levenshtein.distance(token, w), w) for w in close)
    return scored[0][1] if scored and scored[0][0] <= limit else None


@lru_cache(maxsize=4096)
def _read_token(token: str) -> tuple[str, ...]:
    """A token as known words: itself, its alias, the word it misspells, or the words run together in it
    ('suppliername', 'netamountgbp')."""
    token = ALIASES.get(token, token)
    if token in KNOWN or token in STOPWORDS:
        return (token,)
    if near := _near(token):
        return (ALIASES.get(near, near),)
    for cut in range(len(token) - 2, 1, -1):
        head, tail = ALIASES.get(token[:cut], token[:cut]), token[cut:]
        if head in KNOWN | STOPWORDS and len(head) >= 2:
            rest = _read_token(tail)
            if all(w in KNOWN or w in STOPWORDS for w in rest):
                return (head, *rest)
    return (token,)


@lru_cache(maxsize=16384)
def words(heading: str) -> tuple[str, ...]:
    """The heading as known words, in order: 'SumOfAmount_Exc_VAT' → ('sum', 'amount', 'excl', 'vat')."""
    text = re.sub(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", " ", heading or "")
    text = text.replace("£", " gbp ").replace("#", " number ").replace("&", " and ").lower()
    text = re.sub(r"\bpost[\s_]*code\b", "postcode", text)
    tokens = [t for t in re.split(r"[^a-z0-9]+", text) if len(t) > 1]
    return tuple(w for t in tokens for w in _read_token(t) if w not in STOPWORDS and len(w) > 1)


# Rules: the rank of a heading (as a set of words) for each field, or None. Lower ranks are better; a fraction
# breaks ties between headings that say the same thing with more or fewer extra words.


def _extra(ws: set[str], expected: set[str]) -> float:
    return min(len(ws - expected), 9) / 10


def _supplier_name(ws: set[str]) -> float | None:
    if ws & {"date", "amount", "value", "total", "postcode", "address", "type", "category", "vat", "charity", "status", "flag"}:
        return None
    if ws & {"sme", "vcse", "voluntary", "town", "county", "country", "email", "phone", "telephone", "bank", "form", "redact"}:
        return None
    party = ws & PARTY
    if party:
        if ws & {"name", "text"}:
            return 0 + _extra(ws, PARTY | {"name", "text"})
        if ws & IDENT or ws & {"company"}:
            return None
        return 1 + _extra(ws, PARTY | {"paid", "to"})
    if ws == {"paid", "to"}:
        return 1
    if ws & {"company"} and "name" in ws and not ws & IDENT:
        return 1.5
    if ws == {"name"}:
        return 2
    return None


class AmountBasis(StrEnum):
    NET = "net of VAT"
    PLAIN = "not stated"
    GROSS = "including VAT"


def amount_basis(heading: str) -> AmountBasis:
    ws = set(words(heading))
    if ws & {"net", "excl"}:
        return AmountBasis.NET
    if ws & {"gross", "incl"}:
        return AmountBasis.GROSS
    return AmountBasis.PLAIN


_NOT_AMOUNT = {
    "date",
    "number",
    "id",
    "ref",
    "code",
    "type",
    "category",
    "description",
    "reg",
    "count",
    "quantity",
    "qty",
    "rate",
    "percent",
    "percentage",
    "year",
    "period",
    "month",
    "status",
    "flag",
    "name",
    "postcode",
    "text",
    "unit",
    "units",
    "budget",
    "centre",
    "center",
    "element",
    "account",
}


def _amount(ws: set[str]) -> float | None:
    if ws & _NOT_AMOUNT or ws & PARTY:
        return None
    money = ws & {"amount", "value", "total", "spend", "expense", "cost", "sum", "gross", "net", "price", "charge", "gbp"}
    if not money and ws != {"paid"}:
        return None
    net, gross = bool(ws & {"net", "excl"}), bool(ws & {"gross", "incl"})
    if "vat" in ws and not (net or gross):
        return None  # the VAT itself ('VAT Amount', 'Irrecoverable VAT'), not the payment
    if net:
        return 0 + _extra(ws, {"amount", "value", "net", "excl", "vat", "gbp", "line", "sum", "total"})
    if gross:
        return 2 + _extra(ws, {"amount", "value", "gross", "incl", "vat", "gbp", "sum", "total"})
    if ws & {"total"} and not ws & {"amount", "value"}:
        return 1.5 + _extra(ws, {"total", "gbp", "grand"})
    return 1 + _extra(ws, {"amount", "value", "gbp", "paid", "payment", "spend", "sum", "line", "transaction"})


_NOT_PAYMENT_DATE = {
    "start",
    "end",
    "expiry",
    "due",
    "birth",
    "award",
    "contract",
    "commencement",
    "renewal",
    "review",
    "completion",
    "delivery",
    "required",
    "from",
    "to",
    "last",
}


def _date(ws: set[str]) -> float | None:
    if ws & _NOT_PAYMENT_DATE and not ws & PAID:
        return None
    if not ws & {"date", "dated", "posted", "updated", "when"}:
        if ws & {"period", "month", "quarter", "yearmonth"} and not ws & (IDENT | {"description", "name"}):
            return 4  # a month or quarter, used only when its values are dates or periods
        return 3 if ws == {"paid"} else None
    if ws & {"amount", "value", "number", "id", "ref"}:
        return None
    if ws & PAID and "run" not in ws:
        return 0 + _extra(ws, PAID | {"date", "invoice", "to", "supplier", "made"})
    if ws & {
        "transaction",
        "effective",
        "posting",
        "posted",
        "gl",
        "ledger",
        "journal",
        "run",
        "certified",
        "approved",
        "authorised",
    }:
        return 1 + _extra(ws, {"date", "transaction", "effective", "posting", "posted", "gl", "ledger", "journal", "run"})
    if ws & {"invoice", "document", "processed", "process", "created", "creation", "received", "raised", "entered", "input"}:
        return 3 + _extra(ws, {"date", "invoice", "document", "processed", "created", "creation", "received"})
    if ws & {"order", "goods", "updated", "last", "modified"}:
        return 3.5
    return 2 + _extra(ws, {"date"})


def _coded(ws: set[str]) -> bool:
    """A heading for codes rather than their descriptions ('Service Code', not 'Service Code Description')."""
    return bool(ws & IDENT) and not ws & DESCRIBED


def _service_area(ws: set[str]) -> float | None:
    if _coded(ws) or ws & PARTY or ws & {"date", "amount", "value", "type"}:
        return None
    if ws & {"service", "directorate", "department", "portfolio"} or {"expense", "area"} <= ws:
        return 0 + _extra(ws, {"service", "directorate", "department", "portfolio", "expense", "area", "label", "name"})
    if ws & {"division", "centre", "costcentre", "unit", "budget", "holder", "team", "strategic", "headserv", "stratdir"}:
        return 1 + _extra(ws, {"division", "cost", "centre", "business", "unit", "responsible", "budget", "holder", "name"})
    return None


def _expense_type(ws: set[str]) -> float | None:
    if _coded(ws) or ws & PARTY or ws & {"date", "amount", "value", "area", "service", "directorate", "department"}:
        return None
    if "expense" in ws and ws & ({"type", "category", "group", "subgroup"} | DESCRIBED):
        # A type before a category, and the plainer heading before the detailed one, so that ties are rare.
        return _extra(ws, {"expense", "type", "description"}) + (0.05 if "category" in ws else 0)
    if ws & {"subjective"} or {"account", "description"} <= ws:
        return 0.5
    if ws & {"category", "account", "purpose", "nature", "proclass", "procurement", "element", "bvacop"}:
        return 1 + _extra(ws, {"category", "account", "purpose", "nature", "proclass", "procurement", "spend", "name"})
    return None


def _company_number(ws: set[str]) -> float | None:
    if ws & {"charity", "vat"} or "name" in ws:
        return None
    if ws & {"company", "crn"} and (ws & IDENT or ws & {"house", "crn"}):
        return 0 + _extra(ws, {"company", "number", "reg", "supplier", "house"})
    return None


def _charity_number(ws: set[str]) -> float | None:
    if "charity" in ws and ws & IDENT and "name" not in ws:
        return 0 + _extra(ws, {"charity", "number", "reg", "supplier", "commission"})
    return None


def _vat_number(ws: set[str]) -> float | None:
    if "vat" in ws and ws & IDENT and not ws & {"amount", "value"}:
        return 0 + _extra(ws, {"vat", "number", "reg", "supplier"})
    return None


def _supplier_id(ws: set[str]) -> float | None:
    if ws & PARTY and ws & IDENT and not ws & {"company", "charity", "vat", "name", "type", "date", "amount", "postcode"}:
        return 0 + _extra(ws, PARTY | IDENT)
    return None


def _vcse_flag(ws: set[str]) -> float | None:
    if ws & IDENT - {"reg"} or "name" in ws:
        return None
    if ws & {"vcse", "voluntary"} or {"third", "sector"} <= ws:
        return 0 + _extra(ws, {"vcse", "voluntary", "community", "social", "enterprise", "supplier", "sector", "third"})
    return None


def _supplier_type(ws: set[str]) -> float | None:
    if ws & IDENT or "name" in ws:
        return None
    if ws & (PARTY | {"organisation"}) and ws & {"type", "category", "kind"}:
        return 0 + _extra(ws, PARTY | {"organisation", "type", "category"})
    if {"legal", "form"} <= ws:
        return 0.5
    return None


def _transaction_id(ws: set[str]) -> float | None:
    if ws & {"date", "amount", "value", "invoice", "company", "charity", "vat"} or ws & PARTY:
        return None
    if ws & {"transaction", "payment", "document", "journal", "doc", "sap", "voucher", "internal"} and ws & IDENT:
        return 0 + _extra(ws, {"transaction", "payment", "document", "journal", "number", "id", "ref", "internal"})
    if ws in ({"ref"}, {"transaction"}):
        return 1
    return None


def _invoice(ws: set[str]) -> float | None:
    if "invoice" in ws and ws & IDENT and not ws & {"date", "amount", "value"}:
        return 0 + _extra(ws, {"invoice", "number", "id", "ref"})
    return None


def _postcode(ws: set[str]) -> float | None:
    if "postcode" in ws or {"post", "code"} <= ws:
        return 0 + _extra(ws, {"postcode", "supplier", "post", "code"} | PARTY)
    # A supplier's address ends with its postcode (the reader takes the postcode out of it): used where no column
    # is called a postcode, never for a delivery or site address.
    if "address" in ws and not ws & {"delivery", "site", "property", "service", "email", "web", "ip", "invoice", "line"}:
        return 5 + _extra(ws, {"address", "registered", "full", "postal"} | PARTY)
    return None


RULES = {
    "supplier_name": _supplier_name,
    "amount": _amount,
    "date": _date,
    "company_number": _company_number,
    "charity_number": _charity_number,
    "vat_number": _vat_number,
    "supplier_id": _supplier_id,
    "vcse_flag": _vcse_flag,
    "supplier_type": _supplier_type,
    "transaction_id": _transaction_id,
    "invoice": _invoice,
    "postcode": _postcode,
    "service_area": _service_area,
    "expense_type": _expense_type,
}


@lru_cache(maxsize=16384)
def rank(field_name: str, heading: str) -> float | None:
    """How well a heading names a field: 0 best, None not at all."""
    ws = set(words(heading))
    return RULES[field_name](ws) if ws else None


def fields_named(heading: str) -> list[str]:
    """The fields a heading could name."""
    return [name for name in FIELDS if rank(name, heading) is not None]


class NotSpendDataError(ValueError):
    """The file is some other dataset (a contracts register, card transactions, grants): say which."""


class AmbiguousMappingError(ValueError):
    """Two or more columns could be the same field, or none passes its checks: a person must say which to use
    (on the file's page, or with a mapping file at the command line)."""

    def __init__(self, field_name: str, candidates: Sequence[str], why: str = "") -> None:
        self.field_name = field_name
        self.candidates = list(candidates)
        label = field_name.replace("_", " ")
        text = why or f"Several columns could be the {label}: {', '.join(repr(c) for c in candidates)}"
        super().__init__(f"{text}. Choose which column is the {label}.")


class MissingColumnError(ValueError):
    """A field the analysis needs has no column."""


@dataclass
class Mapping:
    """Field name → the column index and published header it is read from, how it was chosen and why."""

    columns: dict[str, int] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    how: dict[str, str] = field(default_factory=dict)  # a How
    notes: list[str] = field(default_factory=list)  # choices a person may want to check, with their evidence
    amount_basis: str = AmountBasis.PLAIN
    why: dict[str, str] = field(default_factory=dict)  # field → what decided it, in a sentence
    samples: dict[str, list[str]] = field(default_factory=dict)  # field → a few of its different values

    def describe(self) -> str:
        chosen = "; ".join(f"{f} ← '{self.headers[f]}' ({self.how[f]})" for f in self.columns)
        return chosen + "".join(f". {note}" for note in self.notes)


# Values ------------------------------------------------------------------------------------------------------


class Profile:
    """What a column's sampled values look like: each count made when first asked for (a decision about an optional
    field asks only whether the column is filled; testing every value as a date, an amount, a name and a code for
    every column was a tenth of an analysis)."""

    def __init__(self, values: tuple[str, ...]) -> None:
        self.values = values  # the sampled values, as published (for comparing repeated columns)
        self._counts = Counter(v for v in values if v)

    def _weighted(self, test: Callable[[str], bool]) -> int:
        # Each different value is tested once and counted as often as it appears (a layout's sample repeats many).
        return sum(n for v, n in self._counts.items() if test(v))

    @cached_property
    def filled(self) -> int:
        return sum(self._counts.values())

    @cached_property
    def distinct(self) -> int:
        return len(self._counts)

    @cached_property
    def dates(self) -> int:
        """Values that read as dates in the years payments can fall in (PLAUSIBLE_YEARS)."""
        return self._weighted(_plausible_date)

    @cached_property
    def dated_text(self) -> int:
        """Dates not written as plain numbers (a plain number may be an Excel date or an amount)."""
        return self._weighted(lambda v: _is_date(v) and not _PLAIN_NUMBER.fullmatch(v))

    @cached_property
    def amounts(self) -> int:
        return self._weighted(_is_amount)

    @cached_property
    def names(self) -> int:
        return self._weighted(_is_name)

    @cached_property
    def codes(self) -> int:
        """Values written as codes: one token with digits ('V10234', 'E4410'), not a name."""
        return self._weighted(_is_code)

    @cached_property
    def organisations(self) -> int:
        """Different values that name an organisation by its form or kind ('… Ltd', '… Trust')."""
        return sum(bool(_ORGANISATION.search(v)) for v in self._counts)

    @cached_property
    def redacted(self) -> int:
        """Values saying the payee was withheld or redacted (they count as names of payees)."""
        return self._weighted(is_redacted)

    def share(self, count: int) -> float:
        return count / self.filled if self.filled else 0.0

    @property
    def organisation_share(self) -> float:
        """The share of the column's different values that name an organisation by its form or kind."""
        return self.organisations / self.distinct if self.distinct else 0.0

    def examples(self, count: int = 5) -> list[str]:
        """A few different values, in the order met: what a person looks at to recognise a column."""
        return _first_different(self.values, count)


_LETTERS = re.compile(r"[A-Za-z]")
_PLAIN_NUMBER = re.compile(r"-?[0-9.,]+")
# One token of letters and digits with at least one digit, or of capitals alone up to six ('CHTY', 'LTD'): a code.
_CODE = re.compile(r"(?=[A-Za-z0-9/_.-]*[0-9])[A-Za-z0-9/_.-]{2,20}|[A-Z]{1,6}")
# Words that name an organisation by its legal form or its kind, wherever they stand in a name ('Acme Ltd',
# 'Ltd T/A Graham', 'Halifax Opportunities Trust', 'Mr J Smith'). A category's values ('Third Party Payments',
# 'Supplies and Services') have none of them.
_ORGANISATION = re.compile(
    r"\b(?:ltd|limited|plc|llp|lp|cic|cio|inc|llc|gmbh|co|company|companies|partnership|partners|sons|bros|"
    r"council|trust|charity|charitable|association|society|foundation|federation|union|church|diocese|parish|school|"
    r"academy|college|university|nhs|hospital|club|group|holdings|mr|mrs|ms|miss|dr)\b",
    re.IGNORECASE,
)
PLAUSIBLE_YEARS = (1990, date.today().year + 1)  # payments dated outside these years are not a date of payment


@lru_cache(maxsize=131072)
def _reads(parse: Callable[[str], object], value: str) -> bool:
    """Whether `parse` (parse_date, parse_amount) reads the value."""
    try:
        parse(value)
    except ParseError:
        return False
    return True


@lru_cache(maxsize=131072)
def _plausible_date(value: str) -> bool:
    try:
        day = parse_date(value)
    except ParseError:
        return False
    return PLAUSIBLE_YEARS[0] <= day.year <= PLAUSIBLE_YEARS[1]


def _is_date(value: str) -> bool:
    return _reads(parse_date, value)


def _is_amount(value: str) -> bool:
    return _reads(parse_amount, value)


def _is_name(value: str) -> bool:
    letters = len(_LETTERS.findall(value))
    return letters >= 3 and letters >= 0.5 * len(value.replace(" ", "")) and not _is_date(value)


def _is_code(value: str) -> bool:
    return bool(_CODE.fullmatch(value)) and not _is_amount(value)


def profile(rows: Sequence[Sequence[str]], index: int) -> Profile:
    return Profile(tuple((row[index] if index < len(row) else "").strip() for row in rows))


def examples(rows: Sequence[Sequence[str]], index: int, count: int = 5) -> list[str]:
    """A few different values of a column, in the order met (without profiling it)."""
    return _first_different(((row[index] if index < len(row) else "").strip() for row in rows), count)


def _first_different(values: Iterable[str], count: int) -> list[str]:
    seen: list[str] = []
    for value in values:
        if value and value not in seen:
            seen.append(value)
            if len(seen) == count:
                break
    return seen


JUDGED_FROM = 30  # fewer sampled values than this say too little about a column to rule it out


def fewest_payees(payments: int) -> int:
    """The fewest different payees a column may hold over this many payments and still be the payee column: half the
    square root (39 over 6,000 payments, 56 over 12,461). A council pays hundreds of suppliers a month, most of them
    once or twice; a column with fewer values is a category (a service, an expense type, a card provider)."""
    return max(3, math.ceil(math.sqrt(payments) / 2)) if payments >= JUDGED_FROM else 1


def payee_problem(p: Profile) -> str | None:
    """Why a column's values cannot be the payees, in a sentence; None when they can."""
    if p.filled < JUDGED_FROM:
        return None
    if p.share(p.codes) >= 0.5:
        return f"its values are codes ({', '.join(repr(v) for v in p.examples(3))}), not names"
    if p.share(p.names + p.redacted) < FIT:
        return f"only {p.share(p.names + p.redacted):.0%} of its values are names"
    if p.distinct < fewest_payees(p.filled):
        return (
            f"it holds only {p.distinct:,} different value{'s' if p.distinct != 1 else ''} over {p.filled:,} payments "
            f"({', '.join(repr(v) for v in p.examples(3))}): a category, not the payee"
        )
    return None


def _count(field_name: str, p: Profile) -> int:
    """How many of a column's sampled values are what a required field holds: dates, amounts or names."""
    return {"date": p.dates, "amount": p.amounts, "supplier_name": p.names}[field_name]


def fits(field_name: str, p: Profile) -> float | None:
    """How well a column's values fit a required field (0 to 1), or None when there are none to judge by."""
    if not p.filled:
        return None
    if field_name not in REQUIRED:
        return 1.0
    if field_name == "supplier_name":
        # Payees are names (redacted ones included), varied, and not codes: a column failing that is no payee column.
        return 0.0 if payee_problem(p) else p.share(p.names + p.redacted)
    share = p.share(_count(field_name, p))
    # Money, not dates written out (a date's digits read as a number).
    return share * (1 - p.share(p.dated_text) * 0.5) if field_name == "amount" else share


class _Profiles:
    """The profiles of a sample's columns, each made when a decision first looks at it (most columns never are)."""

    def __init__(self, rows: Sequence[Sequence[str]]) -> None:
        self.rows = rows
        self._made: dict[int, Profile] = {}

    def __bool__(self) -> bool:
        return bool(self.rows)

    def __getitem__(self, index: int) -> Profile:
        if index not in self._made:
            self._made[index] = profile(self.rows, index)
        return self._made[index]


FIT = 0.8  # the share of a column's values that must fit its field for the values to confirm it


def _label(headers: Sequence[str], index: int) -> str:
    """A column's name as a person can give it back: its heading, with '#2' for the second column of that heading."""
    heading = headers[index]
    # Counted as _find counts them: blank headings are no column to name.
    seen = sum(1 for h in headers[:index] if h and normal(h) == normal(heading))
    return f"{heading}#{seen + 1}" if seen or sum(1 for h in headers if h and normal(h) == normal(heading)) > 1 else heading


def column_labels(headers: Sequence[str]) -> list[str]:
    """Each column's name as a person can give it back ('Amount#2' for the second 'Amount'); '' for a blank heading."""
    cleaned = [h.strip() for h in headers]
    return [_label(cleaned, i) if h else "" for i, h in enumerate(cleaned)]


def _find(column: str | int, usable: list[str]) -> list[int]:
    """The columns a mapping file's value names: a heading, 'Heading#2' for the second of a repeated heading, or a
    column number counted from 1."""
    if isinstance(column, int) or str(column).strip().isdigit():
        index = int(column) - 1
        return [index] if 0 <= index < len(usable) and usable[index] else []
    text = str(column).strip()
    if m := re.fullmatch(r"(.*?)\s*#\s*(\d+)", text):
        same = [i for i, h in enumerate(usable) if h and normal(h) == normal(m[1])]
        n = int(m[2])
        if 1 <= n <= len(same):
            return [same[n - 1]]
    return [i for i, h in enumerate(usable) if h and (h == text or normal(h) == normal(text))]


def kind_of_dataset(headers: Sequence[str]) -> str | None:
    """Why these columns are not spend data, or None when they may be."""
    sets = [set(words(h)) for h in headers]
    if any("merchant" in ws for ws in sets):
        return "it looks like purchase card transactions (it has a merchant column), not spend over £500"
    contract_signs = sum(
        1
        for ws in sets
        if ({"contract"} & ws and ws & {"start", "end", "value", "ref", "title", "duration", "number", "id"})
        or ws in ({"start", "date"}, {"end", "date"}, {"annual", "value"})
        or {"process", "used"} <= ws
        or {"procurement", "process"} <= ws
        or {"ojeu", "fts"} <= ws
    )
    has_payment_date = any((r := _date(ws)) is not None and r < 3 for ws in sets)
    if contract_signs >= 2 and not has_payment_date:
        return "it looks like a contracts register (it has contract start, end or value columns), not payments"
    names = {normal(h) for h in headers}
    if "amountawarded" in names or any("recipientorgidentifier" in n for n in names):
        return "it looks like 360Giving grants data, not payments"
    return None


def layout_key(headers: Sequence[str]) -> str:
    """One key for every file with the same heading row, however it is cased or spaced: files of one layout are read
    the same way."""
    # Case and spacing aside, every character counts ('£' and '' are two headings), trailing blank headings do not.
    text = "\x1f".join(" ".join((h or "").lower().split()) for h in headers).rstrip("\x1f")
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def map_columns(
    headers: Sequence[str],
    overrides: dict[str, str] | None = None,
    ignore: Sequence[str] = (),
    strict: bool = True,
    rows: Sequence[Sequence[str]] = (),
    chosen: How = How.MAPPING,
) -> Mapping:
    """Decide which column is which field from the headings and, when given, a sample of the rows below them (for a
    layout, rows from all of its files). Raises for non-spend data, ambiguity that neither headings nor values settle,
    a payee column whose values fail its checks with no other to take, or a missing field.

    `overrides` are a person's choices (`chosen` says whether from a mapping file or the platform). With
    `strict=False` an override naming a column this file does not have is passed over, so that one saved choice can
    serve a publisher's whole series of files.
    """
    headers = [h.strip() for h in headers]
    reason = kind_of_dataset(headers)
    if reason:
        raise NotSpendDataError(reason)
    ignored = {normal(name) for name in ignore}
    usable = [h if normal(h) not in ignored else "" for h in headers]
    profiles = _Profiles(rows)
    mapping = Mapping()
    taken: set[int] = set()

    def take(field_name: str, index: int, how: How, why: str) -> None:
        mapping.columns[field_name], mapping.headers[field_name], mapping.how[field_name] = index, usable[index], how
        mapping.why[field_name] = why
        if profiles:
            mapping.samples[field_name] = examples(profiles.rows, index)
        taken.add(index)

    # An optional field a person said is not in the file ('' for its column) is left out.
    absent = {name for name, column in (overrides or {}).items() if not str(column).strip() and name not in REQUIRED}
    for field_name, column in (overrides or {}).items():
        if field_name in absent or not str(column).strip():
            continue
        matches = _find(column, usable)
        if not matches and not strict:
            continue
        if not matches:
            raise MissingColumnError(
                f"The {chosen} names '{column}' for the {field_name.replace('_', ' ')}, but the file has no such column"
            )
        take(field_name, matches[0], chosen, "for every file with this heading row" if chosen == How.CHOICE else "")

    # The required fields first, by heading and then by values, so that a column of names under an identifier's
    # heading ('Vendor Ref(T)') is the supplier's before the optional fields are looked for.
    for field_name in FIELDS:
        if field_name in mapping.columns or field_name in absent:
            continue
        label = field_name.replace("_", " ")
        ranked = sorted((r, i) for i, h in enumerate(usable) if h and i not in taken and (r := rank(field_name, h)) is not None)
        refused: list[tuple[int, str]] = []
        if profiles and field_name in REQUIRED:
            ranked, refused = _confirmed(field_name, ranked, profiles, usable, mapping)
        elif profiles and ranked:
            # An optional field is read from a column with values: an empty 'Proclass' gives way to the category
            # column beside it that is filled in (a column that is empty in every file is no reading of anything).
            filled = [(r, i) for r, i in ranked if profiles[i].filled]
            ranked = filled if filled else []
        if ranked:
            best = ranked[0][0]
            hits = [i for r, i in ranked if r == best]
            if len(hits) > 1:
                hits = _settle(field_name, hits, profiles, usable, mapping)
            if len(hits) > 1 and field_name not in REQUIRED and profiles:
                # Optional columns equally well headed ('Proclass', 'BVACOP', 'Purpose of Spend'): the one whose values
                # are most often words rather than codes, then the most varied, then the leftmost.
                hits = [min(hits, key=lambda i: (-profiles[i].share(profiles[i].names), -profiles[i].distinct, i))]
            if len(hits) > 1:
                if field_name in REQUIRED:
                    raise AmbiguousMappingError(field_name, [_label(usable, i) for i in hits])
                continue  # an optional field we cannot pin down is left out rather than guessed
            checked = "its values checked" if profiles and field_name in REQUIRED else ""
            take(field_name, hits[0], How.HEADING, checked)
        elif field_name in REQUIRED and profiles:
            found = _by_values(field_name, usable, profiles, taken)
            if len(found) > 1:
                raise AmbiguousMappingError(field_name, [_label(usable, i) for i in found])
            if not found and refused:
                # Headed like the field, but its values say otherwise (a category under a payee's heading): never read
                # it silently; a person chooses among the columns that could hold the field.
                why = "; ".join(f"'{_label(usable, i)}' is headed like the {label} but {problem}" for i, problem in refused)
                raise AmbiguousMappingError(field_name, _possible(field_name, usable, profiles, taken), why)
            if found:
                index = found[0]
                p = profiles[index]
                what = {"date": "dates", "amount": "amounts of money", "supplier_name": "names"}[field_name]
                evidence = f"{p.share(_count(field_name, p)):.0%} of {p.filled:,} sampled values are {what}"
                if field_name == "supplier_name":
                    evidence = (
                        f"{p.distinct:,} different names over {p.filled:,} sampled payments, "
                        f"{p.organisation_share:.0%} of them naming an organisation by its form or kind"
                    )
                take(field_name, index, How.VALUES, evidence)
                mapping.notes.append(f"No heading names the {label}: '{usable[index]}' was chosen by its values ({evidence})")
    missing = [f for f in REQUIRED if f not in mapping.columns]
    if missing:
        names = ", ".join(f.replace("_", " ") for f in missing)
        raise MissingColumnError(f"No column for the {names}; the columns are: {', '.join(repr(h) for h in headers if h)}")
    mapping.amount_basis = amount_basis(mapping.headers["amount"])
    others = [h for i, h in enumerate(usable) if h and i != mapping.columns["amount"] and rank("amount", h) is not None]
    if mapping.amount_basis == AmountBasis.NET and any(amount_basis(h) == AmountBasis.GROSS for h in others):
        mapping.notes.append(f"Amounts are net of VAT ('{mapping.headers['amount']}'), not the gross column beside it")
    elif mapping.amount_basis == AmountBasis.GROSS:
        mapping.notes.append(f"Amounts include VAT ('{mapping.headers['amount']}'): the file has no net amount")
    return mapping


def _possible(field_name: str, usable: list[str], profiles: _Profiles, taken: set[int]) -> list[str]:
    """Every column a person might choose for a required field: those whose values are mostly of its kind."""
    found = []
    for i, h in enumerate(usable):
        if (
            h
            and i not in taken
            and (p := profiles[i]).filled
            and p.share(_count(field_name, p) + (p.redacted if field_name == "supplier_name" else 0)) >= 0.5
        ):
            found.append(_label(usable, i))
    return found or [_label(usable, i) for i, h in enumerate(usable) if h and i not in taken]


def _confirmed(
    field_name: str, ranked: list[tuple[float, int]], profiles: _Profiles, usable: list[str], mapping: Mapping
) -> tuple[list[tuple[float, int]], list[tuple[int, str]]]:
    """The heading's candidates whose values do not contradict the field, and those refused with why. For a date or an
    amount a candidate is dropped only when another fits: a file whose only amount column holds some bad values is
    read, and those rows are rejected with reasons. A payee column must pass its checks (names, varied, not codes)."""
    kept = [(r, i) for r, i in ranked if (fit := fits(field_name, profiles[i])) is None or fit >= FIT]
    refused: list[tuple[int, str]] = []
    if field_name == "supplier_name":
        refused = [(i, problem) for _, i in ranked if (problem := payee_problem(profiles[i]))]
        if refused and kept:
            for i, problem in refused:
                mapping.notes.append(f"'{_label(usable, i)}' is headed like the supplier name but {problem}")
        return kept, refused
    if ranked and kept and kept[0] != ranked[0]:
        dropped = ranked[0][1]
        mapping.notes.append(
            f"'{usable[dropped]}' is headed like the {field_name.replace('_', ' ')} but its values are not; "
            f"'{usable[kept[0][1]]}' was used"
        )
    return kept or ranked, refused


def _settle(field_name: str, hits: list[int], profiles: _Profiles, usable: list[str], mapping: Mapping) -> list[int]:
    """Columns tied by heading, settled by values: empty columns give way; identical columns are one."""
    if not profiles:
        return hits
    filled = [i for i in hits if profiles[i].filled] or hits
    if len(filled) < len(hits):
        empty = ", ".join(repr(_label(usable, i)) for i in hits if i not in filled)
        mapping.notes.append(f"Also headed like the {field_name.replace('_', ' ')} but empty: {empty}")
    if len({profiles[i].values for i in filled}) == 1:
        if len(filled) > 1:
            mapping.notes.append(
                f"The columns {', '.join(repr(_label(usable, i)) for i in filled)} hold the same values; the first was used"
            )
        return filled[:1]
    if field_name in REQUIRED:
        fitting = [(fits(field_name, profiles[i]) or 0.0, i) for i in filled]
        top = max(f for f, _ in fitting)
        best = [i for f, i in fitting if f >= top - 0.2]
        if len(best) == 1 and top >= FIT:
            return best
        if field_name == "supplier_name" and len(best) > 1:
            # Two name columns under payee headings ('Supplier', 'Payee'): the one naming organisations by their form
            # or kind, when clearly so (the other holding, say, a cost centre's names).
            return _most_organisations(best, profiles)
    return filled


def _most_organisations(columns: list[int], profiles: _Profiles) -> list[int]:
    """The column whose different values most often name an organisation, when clearly ahead (twice the next and at
    least one in ten); otherwise all of them, for a person to choose between."""
    ordered = sorted(columns, key=lambda i: -profiles[i].organisation_share)
    top, second = profiles[ordered[0]].organisation_share, profiles[ordered[1]].organisation_share
    return ordered[:1] if top >= 0.1 and top >= 2 * second else columns


def _by_values(field_name: str, usable: list[str], profiles: _Profiles, taken: set[int]) -> list[int]:
    """The column whose values alone say it is the field, when no heading does: a column of dates, of money, or of
    payees (names, varied, naming organisations more than any other column does)."""
    free, seen = [], set()
    for i, h in enumerate(usable):
        if h and i not in taken and profiles[i].filled and profiles[i].values not in seen:
            free.append(i)  # a column repeating another's values is the same column
            seen.add(profiles[i].values)
    fitting = [i for i in free if (fits(field_name, profiles[i]) or 0) >= (0.95 if field_name == "amount" else 0.9)]
    if field_name == "supplier_name":
        # A column another field's heading claims (a service area, an expense type) is not the payee; nor is free text
        # (descriptions run to many words, payees' names to a few).
        fitting = [
            i
            for i in fitting
            if set(fields_named(usable[i])) <= {"supplier_id", "transaction_id"} and _words_per_value(profiles[i]) <= 8
        ]
        if len(fitting) > 1:
            # The most varied column, when clearly so (a body's or a team's name repeats; payees vary), then the one
            # naming organisations most often.
            fitting.sort(key=lambda i: -profiles[i].distinct)
            if profiles[fitting[1]].distinct < 0.8 * profiles[fitting[0]].distinct:
                return fitting[:1]
            fitting = _most_organisations(fitting, profiles)
        return fitting
    if field_name == "amount":
        fitting = [i for i in fitting if not fields_named(usable[i])]
    return fitting


def _words_per_value(p: Profile) -> float:
    filled = [v for v in p.values if v]
    return sum(len(v.split()) for v in filled) / len(filled) if filled else 0.0


def header_score(cells: Sequence[str]) -> int:
    """How much a row looks like a spend file's header: the number of cells whose words name a field."""
    score = 0
    for cell in cells:
        text = str(cell).strip()
        if not text or len(text) > 80:
            continue
        if fields_named(text):
            score += 1
    return score
