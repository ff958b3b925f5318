"""Which published column holds which field, from each publisher's own vocabulary.

Headers are compared in a normal form (lower case, letters and digits only), so 'Supplier (Beneficiary)
Name', 'SUPPLIER_NAME' and ' Supplier Name ' are the same. Each field lists its names best first; a
column is taken at the best rank any column reaches, and two columns tied at that rank are ambiguous:
the reader stops and names them, and a mapping file settles it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

REQUIRED = ("supplier_name", "amount", "date")

# field -> ranks of exact normalised names, best first; then patterns tried after every exact name.
VOCABULARY: dict[str, list[list[str]]] = {
    "supplier_name": [
        [
            "suppliername",
            "supplierbeneficiaryname",
            "beneficiaryname",
            "payeename",
            "vendorname",
            "creditorname",
            "suppliersname",
            "nameofsupplier",
            "recipientname",
        ],
        ["supplier", "beneficiary", "payee", "vendor", "creditor", "recipient", "paidto", "merchantname", "suppliertradingname"],
        ["name"],
    ],
    "amount": [
        [
            "netamount",
            "amountexvat",
            "amountexcludingvat",
            "netvalue",
            "netamountgbp",
            "amountnet",
            "netamountexvat",
            "netspend",
            "nettotal",
        ],
        [
            "amount",
            "amountgbp",
            "value",
            "paymentamount",
            "transactionamount",
            "amountpaid",
            "sumofamount",
            "linevalue",
            "expenditure",
            "spend",
            "amountinsterling",
            "valuegbp",
            "amountgbpexvat",
        ],
        ["total", "totalamount", "grossamount", "amountincvat", "grossvalue", "totalvalue"],
    ],
    # Dates from the most to the least specific: a file with both a payment and a transaction date is
    # read by its payment date, not refused.
    "date": [
        ["paymentdate", "datepaid", "paiddate", "dateofpayment", "datepaymentmade"],
        ["transactiondate", "effectivedate", "postingdate", "paymentrundate", "chequedate", "transdate"],
        ["date"],
        ["invoicedate", "documentdate", "processeddate", "dateprocessed"],
        ["period", "paymentperiod", "month", "quarter", "periodending"],
    ],
    "service_area": [
        [
            "expensearea",
            "servicearea",
            "service",
            "directorate",
            "department",
            "servicelabel",
            "servicedivision",
            "serviceareacategorisation",
            "portfolio",
        ],
        [
            "division",
            "businessunit",
            "costcentrename",
            "costcentredescription",
            "responsibleunit",
            "servicedescription",
            "budgetholder",
        ],
    ],
    "expense_type": [
        [
            "expensetype",
            "expensecategory",
            "expendituretype",
            "expenditurecategory",
            "detailedexpensetype",
            "expensedescription",
            "subjectivedescription",
            "accountdescription",
        ],
        [
            "category",
            "account",
            "accountname",
            "procurementcategory",
            "proclasscategory",
            "purposeofspend",
            "purpose",
            "natureofspend",
            "spendcategory",
        ],
    ],
    "company_number": [
        [
            "suppliercompanynumber",
            "supplierregisteredcompanynumber",
            "companynumber",
            "companyregistrationnumber",
            "registeredcompanynumber",
            "companyno",
            "companiesHousenumber".lower(),
            "crn",
            "companyregno",
        ]
    ],
    "charity_number": [
        [
            "suppliercharitynumber",
            "supplierregisteredcharitynumber",
            "charitynumber",
            "registeredcharitynumber",
            "charityno",
            "charityregistrationnumber",
            "charityregno",
        ]
    ],
    "vat_number": [
        [
            "vatregno",
            "vatregistrationnumber",
            "vatnumber",
            "vatno",
            "suppliervatnumber",
            "vatreg",
            "suppliervatregistrationnumber",
            "vatregnumber",
        ]
    ],
    "supplier_id": [
        [
            "supplierid",
            "suppliernumber",
            "vendorid",
            "suppliercode",
            "vendornumber",
            "creditorid",
            "creditornumber",
            "supplierref",
            "vendorcode",
            "suppliernum",
            "supplierreference",
            "creditorcode",
            "vendorno",
            "supplierno",
        ]
    ],
    "vcse_flag": [
        [
            "voluntarycommunityandsocialenterprisesupplier",
            "vcsesupplier",
            "vcse",
            "vcs",
            "isvcse",
            "vcseflag",
            "voluntarysector",
            "thirdsector",
            "charityorvoluntary",
            "vcsesme",
        ]
    ],
    "supplier_type": [
        [
            "creditortype",
            "suppliertype",
            "vendortype",
            "suppliercategory",
            "organisationtype",
            "legalform",
            "suppliercategorisation",
            "vendorcategory",
            "payeetype",
        ]
    ],
    "transaction_id": [
        [
            "transactionnumber",
            "transactionid",
            "transactionno",
            "transactionref",
            "transactionreference",
            "internalrefnumber",
            "internalreference",
            "paymentreference",
            "paymentref",
            "documentnumber",
            "journalid",
            "paymentnumber",
            "ref",
            "reference",
        ]
    ],
    "invoice": [["invoicenumber", "invoiceno", "invoiceref", "invoicereference", "invoiceid"]],
    "postcode": [["supplierpostcode", "postcode", "vendorpostcode", "supplierpostalcode"]],
}

# Patterns for fields whose names vary too much to list; tried only when no exact name matched.
PATTERNS: dict[str, list[re.Pattern[str]]] = {
    "supplier_name": [re.compile(r"^(supplier|beneficiary|payee|vendor|creditor)\w*name$")],
    "vcse_flag": [re.compile(r"voluntary|vcse")],
    "expense_type": [re.compile(r"^procurement\w*category\w*name$"), re.compile(r"^expense\w*type")],
    "service_area": [re.compile(r"^service\w*area"), re.compile(r"^expense\w*area")],
    "company_number": [re.compile(r"compan\w*(number|no)$")],
    "charity_number": [re.compile(r"charit\w*(number|no)$")],
}


def normal(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", (header or "").lower())


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
    """Field name → the column index and published header it is read from."""

    columns: dict[str, int] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    how: dict[str, str] = field(default_factory=dict)  # "vocabulary", "pattern" or "mapping file"

    def describe(self) -> str:
        return "; ".join(f"{f} ← '{self.headers[f]}' ({self.how[f]})" for f in self.columns)


def kind_of_dataset(headers: Sequence[str]) -> str | None:
    """Why these columns are not spend data, or None when they may be."""
    names = {normal(h) for h in headers}
    joined = " ".join(names)
    if any("merchant" in n for n in names):
        return "it looks like purchase card transactions (it has a merchant column), not spend over £500"
    contract_signs = sum(
        1
        for n in names
        if n
        in (
            "contractstartdate",
            "startdate",
            "contractenddate",
            "enddate",
            "contractvalue",
            "totalcontractvalue",
            "annualvalue",
            "contractreference",
            "contractref",
            "processused",
            "procurementprocess",
            "contracttitle",
            "ojeufts",
            "contractduration",
        )
    )
    has_payment_date = bool(names & {"paymentdate", "datepaid", "paiddate", "transactiondate", "date", "effectivedate"})
    if contract_signs >= 2 and not has_payment_date:
        return "it looks like a contracts register (it has contract start, end or value columns), not payments"
    if "amountawarded" in names or "recipientorgidentifier" in joined:
        return "it looks like 360Giving grants data, not payments"
    return None


def _match(field_name: str, headers: list[str], taken: set[int]) -> tuple[list[int], str]:
    normals = [normal(h) for h in headers]
    for rank in VOCABULARY.get(field_name, []):
        hits = [i for i, n in enumerate(normals) if n in rank and i not in taken]
        if hits:
            # Columns tied at a rank are ambiguous only if they are different names of the same rank;
            # a repeated identical header is ambiguous too.
            return hits, "vocabulary"
    for pattern in PATTERNS.get(field_name, []):
        hits = [i for i, n in enumerate(normals) if pattern.search(n) and i not in taken]
        if hits:
            return hits, "pattern"
    return [], ""


def map_columns(
    headers: Sequence[str], overrides: dict[str, str] | None = None, ignore: Sequence[str] = (), strict: bool = True
) -> Mapping:
    """Decide which column is which field. Raises for non-spend data, ambiguity, or a missing field.

    With `strict=False` an override naming a column this file does not have is passed over, so that one
    saved choice can serve a publisher's whole series of files.
    """
    headers = [h.strip() for h in headers]
    reason = kind_of_dataset(headers)
    if reason:
        raise NotSpendDataError(reason)
    ignored = {normal(name) for name in ignore}
    usable = [h if normal(h) not in ignored else "" for h in headers]
    mapping = Mapping()
    taken: set[int] = set()
    for field_name, column in (overrides or {}).items():
        matches = [i for i, h in enumerate(usable) if h and (h == column or normal(h) == normal(column))]
        if not matches and not strict:
            continue
        if not matches:
            raise MissingColumnError(
                f"The mapping file names '{column}' for the {field_name.replace('_', ' ')}, but the file has no such column"
            )
        mapping.columns[field_name], mapping.headers[field_name], mapping.how[field_name] = (
            matches[0],
            usable[matches[0]],
            "mapping file",
        )
        taken.add(matches[0])
    for field_name in VOCABULARY:
        if field_name in mapping.columns:
            continue
        hits, how = _match(field_name, usable, taken)
        hits = [i for i in hits if usable[i]]
        if len(hits) > 1:
            if field_name in REQUIRED:
                raise AmbiguousMappingError(field_name, [usable[i] for i in hits])
            continue  # an optional field we cannot pin down is left out rather than guessed
        if hits:
            mapping.columns[field_name], mapping.headers[field_name], mapping.how[field_name] = hits[0], usable[hits[0]], how
            taken.add(hits[0])
    missing = [f for f in REQUIRED if f not in mapping.columns]
    if missing:
        names = ", ".join(f.replace("_", " ") for f in missing)
        raise MissingColumnError(f"No column for the {names}; the columns are: {', '.join(repr(h) for h in headers if h)}")
    return mapping


def header_score(cells: Sequence[str]) -> int:
    """How much a row looks like a spend file's header: the number of cells that name a known field."""
    score = 0
    for cell in cells:
        n = normal(cell)
        if not n or len(n) > 80:
            continue
        if any(n in rank for ranks in VOCABULARY.values() for rank in ranks) or any(
            p.search(n) for ps in PATTERNS.values() for p in ps
        ):
            score += 1
    return score
