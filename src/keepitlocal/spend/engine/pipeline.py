"""The spend analysis from files to outputs: read (Python, streaming), then DuckDB for duplicates,
supplier groups, joins, indicators and the CSV outputs, so memory stays flat as the input grows."""

from __future__ import annotations

import contextlib
import csv
import importlib
import json
import re
import tempfile
import threading
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

import duckdb

from keepitlocal.common.names import WITHHELD_NAME
from keepitlocal.common.orgid import OrgId
from keepitlocal.common.publicbodies import CouncilIndex, CouncilRef
from keepitlocal.spend.engine.bulk import bulk_insert, sql_string
from keepitlocal.spend.engine.classify import (
    REDACTED_KEY,
    WITHHELD_KEY,
    Evidence,
    SupplierFacts,
    SupplierType,
    classify,
    code_kind,
)
from keepitlocal.spend.engine.figures import AnalysisFigures, YearFigures
from keepitlocal.spend.engine.headings import How
from keepitlocal.spend.engine.identifiers import charity_org_id
from keepitlocal.spend.engine.outputs import append_duplicates, load_suppliers
from keepitlocal.spend.engine.periods import (
    Period,
    file_periods,
    financial_year_bounds,
    financial_year_label,
    financial_year_months,
    financial_years,
    period_of,
    unread_months,
)
from keepitlocal.spend.engine.read import FileReport, LayoutReport, read_all
from keepitlocal.spend.engine.sources import discover


class Stage(StrEnum):
    """The stages `analyse` reports through its progress callback, in order; FILE is reported once per file read."""

    READ = "read"
    FILE = "file"
    DUPLICATES = "duplicates"
    SUPPLIERS = "suppliers"
    WRITE = "write"
    INDICATORS = "indicators"
    REPORT = "report"

    @property
    def label(self) -> str:
        return _STAGE_LABELS[self]


_STAGE_LABELS = {
    Stage.READ: "reading the files",
    Stage.FILE: "reading the files",
    Stage.DUPLICATES: "checking for duplicates",
    Stage.SUPPLIERS: "finding and classifying suppliers",
    Stage.WRITE: "writing the results",
    Stage.INDICATORS: "calculating the indicators",
    Stage.REPORT: "writing the report",
}
STAGES = tuple(s for s in Stage if s != Stage.FILE)
MEMORY_LIMIT = "512MB"


def _why_nothing(report: Any) -> str:
    """Why a file gave no rows, in a phrase naming it."""
    name = Path(report.name).name
    if report.reason:
        return f"{name}: {report.reason}"
    if not report.rows_read:
        return f"{name}: it has a header row but no rows of payments below it"
    return f"{name}: none of its {report.rows_read:,} rows could be kept (see rejected.csv for each reason)"


class NothingUsableError(Exception):
    """No file held spend data we could read; the message says why for each, and `reports` has the detail."""

    def __init__(self, message: str, reports: list[FileReport] | None = None, layouts: list[LayoutReport] | None = None) -> None:
        super().__init__(message)
        self.reports = reports or []
        self.layouts = layouts or []


@dataclass
class Options:
    council: str = ""
    overrides: dict[str, str] = field(default_factory=dict)
    ignore: Sequence[str] = ()
    registers: Any = None  # a registers.Registers, or None to work from the published data alone
    # A person's corrections, by supplier key: (supplier type, org-id or "", evidence). They outrank everything.
    corrections: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    # False: a mapping column a file lacks is passed over (a saved choice across a publisher's series of files).
    strict_mapping: bool = True
    # The register of councils (the platform's, or none): a supplier whose name is a council's is that council.
    councils: Sequence[CouncilRef] = ()
    # A person's choices for one layout (columns.layout_key → field → column), over `overrides` for that layout.
    layout_overrides: dict[str, dict[str, str]] = field(default_factory=dict)
    # Where the overrides come from: a mapping file (the command line) or a person's choice on the platform.
    chosen: How = How.MAPPING


@dataclass
class Result:
    files: list[FileReport]
    skipped: list[str]
    rows_read: int
    kept: int
    rejected: int
    duplicates: int
    suppliers: int
    figures: AnalysisFigures
    registers_used: list[str] = field(default_factory=list)
    council: str = ""
    council_name: str = ""  # from the register of councils, when it knows the code
    layouts: list[LayoutReport] = field(default_factory=list)  # how each heading row was read, and its checks

    @property
    def period(self) -> Period:
        return self.figures.period

    @property
    def years(self) -> tuple[YearFigures, ...]:
        """Each financial year's figures, oldest first."""
        return self.figures.years

    @property
    def checked_payee_share(self) -> float | None:
        """The share of spend read (%, by absolute amount) whose payee came from a column that passed its checks over
        every payment of its layout; None when nothing was read."""
        read = sum(layout.spend for layout in self.layouts)
        return round(100 * sum(layout.spend for layout in self.layouts if layout.payee_checked) / read, 1) if read else None

    @property
    def unread(self) -> list[FileReport]:
        """The files not read (refused, or waiting for a person to choose a column)."""
        return [f for f in self.files if f.status != "read"]


def _connect(workdir: Path) -> duckdb.DuckDBPyConnection:
    # In memory rather than a database file: nothing here outlives the analysis, and a file only added the cost
    # of writing every staged row to disk (about a fifth of the time on a million rows). A fixed buffer pool:
    # DuckDB spills to the temporary directory beyond it, so memory stays flat however large the input.
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = false")
    con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
    con.execute(f"SET temp_directory = {sql_string(workdir / 'tmp')}")
    return con


def mark_duplicates(con: duckdb.DuckDBPyConnection) -> None:
    """A payment repeated in a later, overlapping file is a duplicate; repeats within one file are kept.

    Counting copies per file: the k-th copy of a payment in a file is a duplicate when an earlier file
    already has at least k copies of it. Only payments found in more than one file can be duplicates, so
    the counting (window functions, the costly part) runs on those alone.
    """
    key = (
        "hash(date, amount, supplier_name, coalesce(transaction_id, ''), coalesce(invoice, ''), "
        "coalesce(service_area, ''), coalesce(expense_type, ''))"
    )
    con.execute(
        f"""
        CREATE TABLE duplicates AS
        WITH shared AS (
          SELECT {key} AS payment_key FROM staged GROUP BY ALL HAVING count(DISTINCT file_index) > 1
        ), candidates AS (
          SELECT file_index, source_file, source_row, payment_key,
                 row_number() OVER (PARTITION BY payment_key, file_index ORDER BY source_row) AS copy
          FROM (SELECT file_index, source_file, source_row, {key} AS payment_key FROM staged)
          SEMI JOIN shared USING (payment_key)
        ), per_file AS (
          SELECT payment_key, file_index, min(source_file) AS source_file, count(*) AS n FROM candidates GROUP BY ALL
        ), earlier AS (
          SELECT payment_key, file_index,
                 max(n) OVER (PARTITION BY payment_key ORDER BY file_index ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS earlier_copies,
                 first_value(source_file) OVER (PARTITION BY payment_key ORDER BY file_index) AS first_file
          FROM per_file
        )
        SELECT c.file_index, c.source_file, c.source_row, 'a duplicate of a payment in ' || e.first_file AS reason
        FROM candidates c JOIN earlier e USING (payment_key, file_index)
        WHERE e.earlier_copies IS NOT NULL AND c.copy <= e.earlier_copies
        """
    )
    # Usually there are none, and payments are the staged rows as they are; otherwise a copy without them, so that
    # the many queries that follow do not each repeat the anti join.
    if con.execute("SELECT count(*) FROM duplicates").fetchone()[0]:  # type: ignore[index]
        con.execute("CREATE TABLE payments AS SELECT * FROM staged ANTI JOIN duplicates USING (source_file, source_row)")
    else:
        con.execute("CREATE VIEW payments AS SELECT * FROM staged")


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, item: str) -> str:
        self.parent.setdefault(item, item)
        while self.parent[item] != item:
            self.parent[item] = self.parent[self.parent[item]]
            item = self.parent[item]
        return item

    def union(self, a: str, b: str) -> None:
        root_a, root_b = self.find(a), self.find(b)
        if root_a != root_b:
            self.parent[max(root_a, root_b)] = min(root_a, root_b)


# More different names than this under one supplier reference, and it is a category, not a supplier's reference.
MOST_NAMES_PER_REFERENCE = 5


def _shared_references(variants: list[tuple[Any, ...]]) -> set[str]:
    """The council's supplier references that are not one supplier's: words rather than a code ('Personal Budgets',
    'Purchase Card Supplier': no digit, and spaces), or a reference published with more than a few different names
    (a code for a kind of payment given to many payees). Such a reference never joins names into one supplier."""
    names: dict[str, set[str]] = defaultdict(set)
    for norm, _company, _charity, supplier_id, redacted, *_ in variants:
        if supplier_id and not redacted:
            names[supplier_id].add(norm)
    return {
        reference
        for reference, found in names.items()
        if len(found) > MOST_NAMES_PER_REFERENCE
        or (not any(c.isdigit() for c in reference) and any(c.isspace() for c in reference.strip()))
    }


UNKNOWN_CODES_SHOWN = 10


def note_unknown_codes(con: duckdb.DuckDBPyConnection, layouts: list[LayoutReport], reports: list[FileReport]) -> None:
    """Each layout's supplier type codes that the analysis does not know, with their payments and spend, so that a
    code read as nothing ('B' over 15,693 payments) is said, never passed over silently."""
    layout_of = {index: report.layout for index, report in enumerate(reports)}
    found: dict[str, dict[str, list[float]]] = defaultdict(dict)
    for index, code, payments, spend in con.execute(
        "SELECT file_index, published_type, count(*), sum(abs(amount)) FROM payments WHERE published_type IS NOT NULL GROUP BY ALL"
    ).fetchall():
        if code_kind(code) is None:
            totals = found[layout_of.get(index, "")].setdefault(code, [0, 0.0])
            totals[0] += payments
            totals[1] += float(spend or 0)
    for layout in layouts:
        codes = found.get(layout.key, {})
        layout.unknown_codes = [
            {"code": code, "payments": int(n), "spend": round(spend, 2)}
            for code, (n, spend) in sorted(codes.items(), key=lambda kv: (-kv[1][1], kv[0]))[:UNKNOWN_CODES_SHOWN]
        ]


def _slug(text: str) -> str:
    return "-".join(text.split())[:80] or "unnamed"


def group_suppliers(con: duckdb.DuckDBPyConnection, options: Options) -> list[dict[str, Any]]:
    """One group per real supplier: spellings that share a normalised name, a company or charity number,
    or the publisher's supplier id are one supplier. Names redacted as personal data are one 'individuals' group;
    payees not published (blank or withheld) are one 'payee not published' group."""
    variants = con.execute(
        """
        SELECT coalesce(norm_name, '') AS norm_name, coalesce(company_number, '') AS company_number, coalesce(charity_number, '') AS charity_number,
               coalesce(supplier_id, '') AS supplier_id, redacted,
               list(DISTINCT supplier_name) AS names, list(DISTINCT vat_number) FILTER (WHERE vat_number IS NOT NULL) AS vats,
               sum(amount) AS total, count(*) AS n, list(DISTINCT postcode) FILTER (WHERE postcode IS NOT NULL) AS postcodes,
               min(date) AS first_paid
        FROM payments GROUP BY ALL
        """
    ).fetchall()
    uf = _UnionFind()
    shared = _shared_references(variants)
    for norm, company, charity, supplier_id, redacted, *_ in variants:
        if redacted:
            continue
        nodes = (
            [f"n:{norm}"]
            + ([f"c:{company}"] if company else [])
            + ([f"h:{charity}"] if charity else [])
            + ([f"s:{supplier_id}"] if supplier_id and supplier_id not in shared else [])
        )
        for node in nodes[1:]:
            uf.union(nodes[0], node)
    groups: dict[str, dict[str, Any]] = {}
    mapping_rows = []
    for norm, company, charity, supplier_id, redacted, names, vats, total, n, postcodes, first_paid in variants:
        root = (WITHHELD_KEY if norm == WITHHELD_NAME else REDACTED_KEY) if redacted else uf.find(f"n:{norm}")
        group = groups.setdefault(
            root,
            {
                "names": defaultdict(float),
                "norms": defaultdict(float),
                "companies": set(),
                "charities": set(),
                "vats": set(),
                "ids": set(),
                "postcodes": set(),
                "redacted": redacted,
                "total": 0.0,
                "n": 0,
                "first_paid": first_paid,
            },
        )
        group["first_paid"] = min(group["first_paid"], first_paid)
        names = [name for name in names if name]  # a blank payee has no name to list
        for name in names:
            group["names"][name] += float(total) / len(names)
        group["norms"][norm] += float(total)
        group["companies"].update([company] if company else [])
        group["charities"].update([charity] if charity else [])
        group["vats"].update(vats or [])
        group["ids"].update([supplier_id] if supplier_id else [])
        group["postcodes"].update(postcodes or [])
        group["total"] += float(total)
        group["n"] += n
        mapping_rows.append((norm, company, charity, supplier_id, redacted, root))
    # A readable, stable key: the group's highest-spending normalised name.
    keys: dict[str, str] = {}
    for root, group in groups.items():
        keys[root] = root if group["redacted"] else _slug(max(group["norms"].items(), key=lambda kv: (kv[1], kv[0]))[0])
    con.execute(
        "CREATE TABLE supplier_map (norm_name VARCHAR, company_number VARCHAR, charity_number VARCHAR, supplier_id VARCHAR, redacted BOOLEAN, supplier_key VARCHAR)"
    )
    bulk_insert(con, "supplier_map", ((*row[:5], keys[row[5]]) for row in mapping_rows))
    flags = _spend_by(con, "vcse_flag")
    codes = _spend_by(con, "published_type")
    links = (
        options.registers.link_all({keys[root]: g for root, g in groups.items() if not g["redacted"]})
        if options.registers is not None
        else {}
    )
    council_index = CouncilIndex(options.councils)
    suppliers = []
    for root, group in groups.items():
        key = keys[root]
        # Most spent first, then by name: the order never depends on the order rows were read in.
        names = sorted(group["names"], key=lambda name: (-group["names"][name], name))
        if key == WITHHELD_KEY:
            names = [SupplierType.WITHHELD.label, *names]
        link = links.get(key)
        facts = SupplierFacts(
            names=names,
            redacted=group["redacted"],
            withheld=key == WITHHELD_KEY,
            vcse_flags=flags.get(key, {}),
            type_codes=codes.get(key, {}),
            charity_numbers=group["charities"],
            company_numbers=group["companies"],
            register=[link.decision]
            if link is not None and link.decision is not None and _registered_when_paid(link, group)
            else [],
            council=_council_named(council_index, names) if not group["redacted"] else "",
        )
        decision = classify(facts)
        found_org_id = (link.org_id if link is not None and link.org_id else "") or _published_org_id(group)
        supplier_type, org_id, evidence, basis, confidence = correct(
            options.corrections.get(key),
            decision.supplier_type,
            found_org_id,
            decision.evidence,
            decision.basis.value,
            decision.confidence,
        )
        suppliers.append(
            {
                "supplier_key": key,
                "names": names,
                "org_id": org_id,
                "found_org_id": found_org_id,
                "supplier_type": supplier_type,
                "evidence": evidence,
                "evidence_kind": basis,
                "confidence": round(confidence, 2),
                "postcode": (link.postcode if link is not None and link.postcode else "")
                or (sorted(group["postcodes"])[0] if group["postcodes"] else ""),
                "lad_code": "",
                "region_code": "",
                "charity_scale": link.charity_scale if link is not None else "",
                "candidates": link.candidates if link is not None else "",
                "total_amount": round(group["total"], 2),
                "transactions": group["n"],
            }
        )
    return suppliers


def correct(
    correction: tuple[str, str, str] | None, supplier_type: str, found_org_id: str, evidence: str, basis: str, confidence: float
) -> tuple[str, str, str, str, float]:
    """A supplier's type, org-id, evidence, kind of evidence and confidence once a person's correction (type, org-id or
    '', evidence) is applied: it outranks everything; without an org-id of its own, the one the analysis found stays.
    The one rule for a full analysis and for applying corrections to an analysis already made."""
    if correction is None:
        return supplier_type, found_org_id, evidence, basis, confidence
    kind, corrected_org_id, said = correction
    return kind, corrected_org_id or found_org_id, said, Evidence.CORRECTION.value, 1.0


def figures_of(con: duckdb.DuckDBPyConnection, unread: frozenset[str] = frozenset()) -> AnalysisFigures:
    """Every indicator over the payments in `tx` (date, amount, supplier_key, supplier_type, is_local, in_region,
    service_area, expense_type), for all of them and for each financial year, with their periods; `unread` are the
    months files not read seem to cover. The same for a full analysis and for corrections applied to one."""
    from keepitlocal.spend.engine import indicators

    whole = indicators.compute_all(con, period_of(con, "tx", unread=unread))
    years: list[YearFigures] = []
    spanned = financial_years(whole.period)
    # A year's months before the first payment of all or after the last are beyond the files analysed (not uploaded
    # yet), never months without payments.
    first, last = whole.period.first, whole.period.last
    covered = (f"{first:%Y-%m}", f"{last:%Y-%m}") if first and last else None
    for start in spanned:
        begin, end = financial_year_bounds(start)
        where = f"date >= DATE '{begin.isoformat()}' AND date < DATE '{end.isoformat()}'"
        year_period = period_of(con, "tx", where, span=financial_year_months(start), unread=unread, covered=covered)
        if year_period.first is None:
            continue  # a year between two years of files, with none of its own
        # Payments all in one year: its figures are the ones just computed for every payment, over the year's months.
        figures = replace(whole, period=year_period) if spanned == [start] else indicators.compute_all(con, year_period, where)
        years.append(YearFigures(financial_year_label(start), start, figures))
    return AnalysisFigures(whole, tuple(years))


def _registered_when_paid(link: Any, group: dict[str, Any]) -> bool:
    """Whether the register entry a supplier was linked to stood when the council first paid it: an entry removed
    from its register since (a charity wound up or merged) still decides, as the supplier was a charity when paid;
    one removed before the first payment does not. An entry whose file gives only a flag, with no date, decides,
    its evidence saying it was removed, where the council's published number found it (a name alone may be another
    body's, since registered)."""
    removed = getattr(link, "removed", "")
    if not removed:
        return True
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", removed):
        # Removed, the file not saying when: it decides only where the council's own number found it, never by name.
        return link.decision is not None and link.decision.basis == Evidence.REGISTER_NUMBER
    return str(group["first_paid"]) <= removed


def _council_named(index: CouncilIndex, names: list[str]) -> str:
    for name in names:
        if found := index.match(name):
            return f"{found.name} ({found.gss_code})"
    return ""


def _published_org_id(group: dict[str, Any]) -> str:
    if group["charities"]:
        return charity_org_id(sorted(group["charities"])[0])
    if group["companies"]:
        return str(OrgId.company(sorted(group["companies"])[0]))
    return ""


def _spend_by(con: duckdb.DuckDBPyConnection, column: str) -> dict[str, dict[str, float]]:
    found: dict[str, dict[str, float]] = defaultdict(dict)
    for key, value, total in con.execute(
        f"""
        SELECT m.supplier_key, p.{column}, sum(p.amount)
        FROM payments p JOIN supplier_map m
          ON coalesce(p.norm_name, '') = m.norm_name AND coalesce(p.company_number, '') = m.company_number
         AND coalesce(p.charity_number, '') = m.charity_number AND coalesce(p.supplier_id, '') = m.supplier_id AND p.redacted = m.redacted
        WHERE p.{column} IS NOT NULL GROUP BY ALL
        """
    ).fetchall():
        found[key][value] = float(total)
    return found


def locality(suppliers: list[dict[str, Any]], council: str, registers: Any) -> None:
    """is_local: the supplier's postcode lies in the council's own area (for a county, in any of its
    districts); in_region: in the council's region. Unknown (None) without a postcode, a lookup or a council."""
    areas = registers.council_areas(council) if registers is not None and council else {council}
    council_region = registers.region_of(council) if registers is not None and council else None
    for supplier in suppliers:
        if supplier["postcode"] and registers is not None:
            lad, region = registers.place(supplier["postcode"])
            supplier["lad_code"], supplier["region_code"] = lad or "", region or ""
        known = bool(council and supplier["lad_code"])
        supplier["is_local"] = supplier["lad_code"] in areas if known else None
        supplier["in_region"] = (
            supplier["region_code"] == council_region if known and council_region and supplier["region_code"] else None
        )


class Analysis:
    """An analysis made, open: its result and suppliers, and, until it is closed, its payments and rejected rows in the
    analysis's own DuckDB, to stream into a database (the platform) or write out as files (`write_outputs`, the CLI).
    Nothing is written anywhere the caller did not ask."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        sources: list[Any],
        result: Result,
        suppliers: list[dict[str, Any]],
        rejected_path: Path,
    ) -> None:
        self.con, self.sources, self.result, self.suppliers, self._rejected = con, sources, result, suppliers, rejected_path

    @property
    def source_names(self) -> list[str]:
        """The name of each file read, by its index in `payments` ('archive.zip:inner.csv' for a file in a zip)."""
        return [source.name for source in self.sources]

    def payments(self, batch: int = 20_000, as_text: bool = False, by_supplier: bool = False) -> Iterator[list[tuple[Any, ...]]]:
        """Every payment kept, in file and line order (or `by_supplier`, by supplier and date), in batches of
        PAYMENT_COLUMNS tuples (dates as dates and amounts as decimals, or `as_text` as ISO dates and plain numbers,
        what a database takes without a conversion in Python; names at most 500 characters): straight from DuckDB,
        never through a file."""
        # On the analysis's own connection (its tables are temporary, seen by no other), which nothing else may use
        # until the payments are all read.
        select = [AS_TEXT.get(column, sql) if as_text else sql for column, sql in PAYMENT_SELECT.items()]
        order = "supplier_key, date, file_index, source_row" if by_supplier else "file_index, source_row"
        found = self.con.execute(f"SELECT {', '.join(select)} FROM tx ORDER BY {order}")
        while rows := found.fetchmany(batch):
            yield rows

    def rejected(self) -> Iterator[tuple[str, int, str, str]]:
        """Every row not kept, in file and line order (duplicates of earlier files' payments last): (file name, line,
        reason, the row as published)."""
        with open(self._rejected, newline="", encoding="utf-8") as handle:
            rows = csv.reader(handle)
            next(rows, None)
            for name, line, reason, raw in rows:
                yield name, int(line), reason, raw

    def keep_figure_payments(self, path: Path) -> None:
        """The payments as the figures need them (FIGURE_COLUMNS), as Parquet at `path`: what corrections are applied to."""
        self.con.execute(f"COPY (SELECT {FIGURE_COLUMNS} FROM tx) TO {sql_string(path)} (FORMAT parquet)")

    def write_outputs(self, out: Path, progress: Callable[[str, Any], None] | None = None) -> None:
        """transactions.csv, rejected.csv, suppliers.csv, indicators.json and report.html in `out` (the CLI's outputs)."""
        from keepitlocal.spend.engine import outputs

        out.mkdir(parents=True, exist_ok=True)
        if progress:
            progress(Stage.WRITE, None)
        outputs.write_transactions(self.con, out / "transactions.csv")
        outputs.write_rejected(self._rejected, out / "rejected.csv")
        outputs.write_suppliers(self.suppliers, out / "suppliers.csv")
        result = self.result
        (out / "indicators.json").write_text(
            json.dumps(
                {
                    **result.figures.as_json(),
                    "files": [asdict(r) for r in result.files],
                    "layouts": [asdict(layout) for layout in result.layouts],
                    "council": result.council,
                    "registers": result.registers_used,
                },
                indent=1,
                default=str,
            )
        )
        if progress:
            progress(Stage.REPORT, None)
        outputs.write_report(self.con, result, self.suppliers, self._rejected, out / "report.html")


# What `Analysis.payments` gives for each payment, in order: each column with the SQL that reads it from `tx`.
PAYMENT_SELECT = {
    "file_index": "file_index",
    "source_row": "source_row",
    "date": "date",
    "amount": "amount",
    "supplier_name": "left(supplier_name, 500)",
    "supplier_key": "supplier_key",
    "org_id": "coalesce(org_id, '')",
    "supplier_type": "supplier_type",
    "is_local": "is_local",
    "service_area": "left(coalesce(service_area, ''), 500)",
    "expense_type": "left(coalesce(expense_type, ''), 500)",
}
PAYMENT_COLUMNS = tuple(PAYMENT_SELECT)
AS_TEXT = {"date": "strftime(date, '%Y-%m-%d')", "amount": "CAST(amount AS VARCHAR)"}
# The payments as the figures need them: what corrections recompute the figures from.
FIGURE_COLUMNS = "date, amount, supplier_key, service_area, expense_type"


@contextlib.contextmanager
def open_analysis(
    paths: Sequence[Path], options: Options, progress: Callable[[str, Any], None] | None = None
) -> Iterator[Analysis]:
    """Run the whole analysis and hold it open: its result, suppliers, payments and rejected rows, until the block
    ends (its DuckDB and working folder are then gone)."""

    def tell(stage: str, detail: Any = None) -> None:
        if progress:
            progress(stage, detail)

    sources, skipped = discover(list(paths))
    with tempfile.TemporaryDirectory(prefix="kil-spend-") as tmp:
        workdir = Path(tmp)
        (workdir / "tmp").mkdir()
        rejected_path = workdir / "rejected.csv"
        with contextlib.closing(_connect(workdir)) as con:
            tell(Stage.READ, len(sources))
            reading = read_all(
                sources,
                con,
                workdir / "staging.csv",
                rejected_path,
                options.overrides,
                options.ignore,
                progress=lambda r: tell(Stage.FILE, r),
                strict=options.strict_mapping,
                layout_overrides=options.layout_overrides,
                chosen=options.chosen,
            )
            reports = reading.files
            if not any(r.kept for r in reports):
                reasons = "; ".join(_why_nothing(r) for r in reports) or "no CSV or XLSX files found"
                raise NothingUsableError(f"No usable spend data. {reasons}", reports, reading.layouts)
            tell(Stage.DUPLICATES)
            mark_duplicates(con)
            duplicate_counts = dict(con.execute("SELECT source_file, count(*) FROM duplicates GROUP BY ALL").fetchall())
            for report in reports:
                report.duplicates = duplicate_counts.get(report.name, 0)
                report.kept -= report.duplicates
                report.rejected += report.duplicates
            tell(Stage.SUPPLIERS)
            note_unknown_codes(con, reading.layouts, reports)
            suppliers = group_suppliers(con, options)
            locality(suppliers, options.council, options.registers)
            load_suppliers(con, suppliers)
            append_duplicates(con, sources, rejected_path)
            tell(Stage.INDICATORS)
            unread = unread_months([(r.first_date, r.last_date) for r in reports if r.status != "read"])
            figures = figures_of(con, unread)
            spans = file_periods(con, "tx")
            for index, report in enumerate(reports):
                if index in spans:
                    report.first_date, report.last_date = (day.isoformat() for day in spans[index])
            result = Result(
                files=reports,
                skipped=skipped,
                rows_read=sum(r.rows_read for r in reports),
                kept=sum(r.kept for r in reports),
                rejected=sum(r.rejected for r in reports),
                duplicates=sum(r.duplicates for r in reports),
                suppliers=len(suppliers),
                figures=figures,
                registers_used=list(getattr(options.registers, "used", [])),
                council=options.council,
                council_name=next((c.name for c in options.councils if c.gss_code == options.council), ""),
                layouts=reading.layouts,
            )
            yield Analysis(con, sources, result, suppliers, rejected_path)


def analyse(paths: Sequence[Path], out: Path, options: Options, progress: Callable[[str, Any], None] | None = None) -> Result:
    """Run the whole analysis and write its files to `out` (transactions, rejected rows, suppliers, indicators and the
    report): the command line's analysis."""
    # matplotlib takes half a second to import: do it while DuckDB works on the stages after reading (the readers
    # need the interpreter themselves: started with them, the analysis took a tenth longer), not after them. Only here: the platform draws no report.
    charts_loading = threading.Thread(target=importlib.import_module, args=("keepitlocal.reports.engine.charts",), daemon=True)

    def tell(stage: str, detail: Any = None) -> None:
        if stage == Stage.DUPLICATES:
            charts_loading.start()
        elif stage == Stage.REPORT:
            charts_loading.join()
        if progress:
            progress(stage, detail)

    with open_analysis(paths, options, tell) as made:
        made.write_outputs(out, tell)
        return made.result
