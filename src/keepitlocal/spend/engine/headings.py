"""What a column's heading says it holds: the fields of a spend file, and the words councils name them with.

Councils word their headings in endless ways ('Total (excl. VAT)', 'Invoice Paid Date', 'Supplier id(T)',
'SumOfAmount_Exc_VAT', 'Suuplier ID'). A heading is read as words: camel case and punctuation split, currency marks
and qualifiers such as '(£)' or '(T)' dropped, abbreviations spelled out (excl, inc, no, ref, nett) and words a
letter or two off a known one read as that word. Each field has a rule over those words giving a rank (lower is
better). Also here: a heading row's key (files with the same row are read alike), the names a person gives columns
back by, and the heading rows of other datasets (contracts registers, card transactions, grants).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from enum import StrEnum
from functools import lru_cache

from rapidfuzz.distance import Levenshtein

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


def column_label(headers: Sequence[str], index: int) -> str:
    """A column's name as a person can give it back: its heading, with '#2' for the second column of that heading."""
    heading = headers[index]
    # Counted as columns_named counts them: blank headings are no column to name.
    seen = sum(1 for h in headers[:index] if h and normal(h) == normal(heading))
    return f"{heading}#{seen + 1}" if seen or sum(1 for h in headers if h and normal(h) == normal(heading)) > 1 else heading


def column_labels(headers: Sequence[str]) -> list[str]:
    """Each column's name as a person can give it back ('Amount#2' for the second 'Amount'); '' for a blank heading."""
    cleaned = [h.strip() for h in headers]
    return [column_label(cleaned, i) if h else "" for i, h in enumerate(cleaned)]


def columns_named(column: str | int, usable: list[str]) -> list[int]:
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
