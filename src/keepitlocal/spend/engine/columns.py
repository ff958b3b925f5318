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

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache

from rapidfuzz.distance import Levenshtein

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


class How(StrEnum):
    """How a column was chosen for a field."""

    HEADING = "heading"
    VALUES = "values"
    MAPPING = "mapping file"


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
    """Two or more columns could be the same field; a mapping file must say which to use."""

    def __init__(self, field_name: str, candidates: Sequence[str]) -> None:
        self.field_name = field_name
        self.candidates = list(candidates)
        super().__init__(
            f"Several columns could be the {field_name.replace('_', ' ')}: {', '.join(repr(c) for c in candidates)}. "
            f'Say which in a mapping file, for example {{"{field_name}": "{candidates[0]}"}}'
        )


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

    def describe(self) -> str:
        chosen = "; ".join(f"{f} ← '{self.headers[f]}' ({self.how[f]})" for f in self.columns)
        return chosen + "".join(f". {note}" for note in self.notes)


# Values ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Profile:
    """What a column's sampled values look like."""

    filled: int
    dates: int
    dated_text: int  # dates not written as plain numbers (a plain number may be an Excel date or an amount)
    amounts: int
    names: int
    distinct: int
    values: tuple[str, ...]  # the sampled values, as published (for comparing repeated columns)

    def share(self, count: int) -> float:
        return count / self.filled if self.filled else 0.0


_LETTERS = re.compile(r"[A-Za-z]")
_PLAIN_NUMBER = re.compile(r"-?[0-9.,]+")


@lru_cache(maxsize=131072)
def _reads(parse: Callable[[str], object], value: str) -> bool:
    """Whether `parse` (parse_date, parse_amount) reads the value."""
    try:
        parse(value)
    except ParseError:
        return False
    return True


def _is_date(value: str) -> bool:
    return _reads(parse_date, value)


def _is_amount(value: str) -> bool:
    return _reads(parse_amount, value)


def _is_name(value: str) -> bool:
    letters = len(_LETTERS.findall(value))
    return letters >= 3 and letters >= 0.5 * len(value.replace(" ", "")) and not _is_date(value)


def profile(rows: Sequence[Sequence[str]], index: int) -> Profile:
    values = tuple((row[index] if index < len(row) else "").strip() for row in rows)
    filled = [v for v in values if v]
    return Profile(
        filled=len(filled),
        dates=sum(_is_date(v) for v in filled),
        dated_text=sum(_is_date(v) and not _PLAIN_NUMBER.fullmatch(v) for v in filled),
        amounts=sum(_is_amount(v) for v in filled),
        names=sum(_is_name(v) for v in filled),
        distinct=len(set(filled)),
        values=values,
    )


def _count(field_name: str, p: Profile) -> int:
    """How many of a column's sampled values are what a required field holds: dates, amounts or names."""
    return {"date": p.dates, "amount": p.amounts, "supplier_name": p.names}[field_name]


def fits(field_name: str, p: Profile) -> float | None:
    """How well a column's values fit a required field (0 to 1), or None when there are none to judge by."""
    if not p.filled:
        return None
    if field_name not in REQUIRED:
        return 1.0
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
    seen = sum(1 for h in headers[:index] if normal(h) == normal(heading))
    return f"{heading}#{seen + 1}" if seen or sum(1 for h in headers if normal(h) == normal(heading)) > 1 else heading


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


def map_columns(
    headers: Sequence[str],
    overrides: dict[str, str] | None = None,
    ignore: Sequence[str] = (),
    strict: bool = True,
    rows: Sequence[Sequence[str]] = (),
) -> Mapping:
    """Decide which column is which field from the headings and, when given, a sample of the rows below them.
    Raises for non-spend data, ambiguity that neither headings nor values settle, or a missing field.

    With `strict=False` an override naming a column this file does not have is passed over, so that one
    saved choice can serve a publisher's whole series of files.
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

    def take(field_name: str, index: int, how: How) -> None:
        mapping.columns[field_name], mapping.headers[field_name], mapping.how[field_name] = index, usable[index], how
        taken.add(index)

    for field_name, column in (overrides or {}).items():
        matches = _find(column, usable)
        if not matches and not strict:
            continue
        if not matches:
            raise MissingColumnError(
                f"The mapping file names '{column}' for the {field_name.replace('_', ' ')}, but the file has no such column"
            )
        take(field_name, matches[0], How.MAPPING)

    # The required fields first, by heading and then by values, so that a column of names under an identifier's
    # heading ('Vendor Ref(T)') is the supplier's before the optional fields are looked for.
    for field_name in FIELDS:
        if field_name in mapping.columns:
            continue
        ranked = sorted((r, i) for i, h in enumerate(usable) if h and i not in taken and (r := rank(field_name, h)) is not None)
        if profiles and field_name in REQUIRED:
            ranked = _confirmed(field_name, ranked, profiles, usable, mapping)
        if ranked:
            best = ranked[0][0]
            hits = [i for r, i in ranked if r == best]
            if len(hits) > 1:
                hits = _settle(field_name, hits, profiles, usable, mapping)
            if len(hits) > 1:
                if field_name in REQUIRED:
                    raise AmbiguousMappingError(field_name, [_label(usable, i) for i in hits])
                continue  # an optional field we cannot pin down is left out rather than guessed
            take(field_name, hits[0], How.HEADING)
        elif field_name in REQUIRED and profiles:
            found = _by_values(field_name, usable, profiles, taken)
            if len(found) > 1:
                raise AmbiguousMappingError(field_name, [_label(usable, i) for i in found])
            if found:
                index = found[0]
                p = profiles[index]
                take(field_name, index, How.VALUES)
                what = {"date": "dates", "amount": "amounts of money", "supplier_name": "names"}[field_name]
                mapping.notes.append(
                    f"No heading names the {field_name.replace('_', ' ')}: '{usable[index]}' was chosen by its values "
                    f"({p.share(_count(field_name, p)):.0%} of {p.filled} sampled values are {what})"
                )
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


def _confirmed(
    field_name: str, ranked: list[tuple[float, int]], profiles: _Profiles, usable: list[str], mapping: Mapping
) -> list[tuple[float, int]]:
    """The heading's candidates whose values do not contradict the field. A candidate is dropped only when another
    fits: a file whose only amount column holds some bad values is read, and those rows are rejected with reasons."""
    kept = [(r, i) for r, i in ranked if (fit := fits(field_name, profiles[i])) is None or fit >= FIT]
    if ranked and kept and kept[0] != ranked[0]:
        dropped = ranked[0][1]
        mapping.notes.append(
            f"'{usable[dropped]}' is headed like the {field_name.replace('_', ' ')} but its values are not; "
            f"'{usable[kept[0][1]]}' was used"
        )
    return kept or ranked


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
    return filled


def _by_values(field_name: str, usable: list[str], profiles: _Profiles, taken: set[int]) -> list[int]:
    """The column whose values alone say it is the field, when no heading does: a column of dates, of money, or of
    names (the most varied, among columns no heading gives to another field)."""
    free, seen = [], set()
    for i, h in enumerate(usable):
        if h and i not in taken and profiles[i].filled and profiles[i].values not in seen:
            free.append(i)  # a column repeating another's values is the same column
            seen.add(profiles[i].values)
    fitting = [i for i in free if (fits(field_name, profiles[i]) or 0) >= (0.95 if field_name == "amount" else 0.9)]
    if field_name == "supplier_name":
        # Names under an identifier's heading ('Vendor Ref(T)') are the supplier's; a column another field's heading
        # claims (a service area, an expense type) is not.
        fitting = [i for i in fitting if set(fields_named(usable[i])) <= {"supplier_id", "transaction_id"}]
        if len(fitting) > 1:
            fitting.sort(key=lambda i: -profiles[i].distinct)
            if profiles[fitting[1]].distinct < 0.8 * profiles[fitting[0]].distinct:
                fitting = fitting[:1]
        return fitting
    if field_name == "amount":
        fitting = [i for i in fitting if not fields_named(usable[i])]
    return fitting


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
