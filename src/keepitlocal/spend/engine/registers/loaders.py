"""One loader per register: how a file of that register is recognised (by its normalised column names) and what
it loads into the registers database. `LOADERS` is the whole list, in the order files are tested against it; a
loader's function receives the connection, the file, its columns (as quoted SQL identifiers by normalised name) and
its delimiter, and returns the rows it loaded.

The tables every loader writes: orgs (org_id, name, norm_name, postcode, kind, evidence, source), links (a, b),
scale (number, scale), postcodes (pc, lad, rgn), outcodes (outcode, lad, share), areas (lad, parent, rgn, successor).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from keepitlocal.common.names import normalise_name
from keepitlocal.common.orgid import CHARITY_SCHEMES, COMPANY_SCHEME, OrgId, is_charity, is_company, sql_in_schemes
from keepitlocal.spend.engine.bulk import bulk_insert, sql_string
from keepitlocal.spend.engine.classify import VCSE
from keepitlocal.spend.engine.headings import normal


def read_sql(path: Path, delimiter: str) -> str:
    return f"read_csv({sql_string(path)}, header = true, all_varchar = true, delim = {sql_string(delimiter)}, quote = '\"', escape = '\"', normalize_names = false)"


ORG_COLUMNS = "org_id, name, norm_name, postcode, kind, evidence, source"


def insert_orgs(con: duckdb.DuckDBPyConnection, select: str, removed: bool = False) -> int:
    """Insert the rows `select` gives (ORG_COLUMNS, and with `removed` the date an entry left its register: ISO, or
    'date not given' where the file gives only a flag; NULL for an entry still registered)."""
    before = con.execute("SELECT count(*) FROM orgs").fetchone()[0]  # type: ignore[index]
    con.execute(f"INSERT INTO orgs ({ORG_COLUMNS}{', removed' if removed else ''}) {select}")
    return int(con.execute("SELECT count(*) FROM orgs").fetchone()[0]) - int(before)  # type: ignore[index]


def load_charity_commission(con: duckdb.DuckDBPyConnection, path: Path, cols: dict[str, str], delimiter: str) -> int:

    def q(name: str) -> str:
        return cols.get(name, "NULL")

    where = []
    if "linkedcharitynumber" in cols:
        where.append(f"coalesce({q('linkedcharitynumber')}, '0') IN ('0', '')")
    # A charity removed from the register since is kept with its removal date: it was a charity when a council paid
    # it before then (the largest charity payee of a council can have been removed since).
    removed = "NULL"
    if "charityregistrationstatus" in cols:
        on = f"strftime(try_cast({q('dateofremoval')} AS DATE), '%Y-%m-%d')" if "dateofremoval" in cols else "NULL"
        removed = f"CASE WHEN {q('charityregistrationstatus')} = 'Removed' THEN coalesce({on}, '{REMOVED_UNDATED}') END"
        where.append(f"{q('charityregistrationstatus')} IN ('Registered', 'Removed')")
    condition = " AND ".join(where) or "true"
    rows = insert_orgs(
        con,
        f"""SELECT 'GB-CHC-' || ltrim({q("registeredcharitynumber")}, '0'), {q("charityname")}, norm({q("charityname")}),
                   {q("charitycontactpostcode")}, 'vcse', {_charity_evidence("a registered charity in England and Wales", removed, "Charity Commission register")},
                   'Charity Commission', {removed}
            FROM {read_sql(path, delimiter)} WHERE {condition} AND {q("registeredcharitynumber")} IS NOT NULL""",
        removed=True,
    )
    if "charitycompanyregistrationnumber" in cols:
        con.execute(
            f"""INSERT INTO links SELECT 'GB-CHC-' || ltrim({q("registeredcharitynumber")}, '0'), 'GB-COH-' || lpad(upper({q("charitycompanyregistrationnumber")}), 8, '0')
                FROM {read_sql(path, delimiter)} WHERE regexp_matches(upper(coalesce({q("charitycompanyregistrationnumber")}, '')), '^[A-Z]{{0,2}}[0-9]+$')
                  AND ltrim({q("charitycompanyregistrationnumber")}, '0') <> ''"""
        )
    return rows


def load_ccni(con: duckdb.DuckDBPyConnection, path: Path, cols: dict[str, str], delimiter: str) -> int:

    def q(name: str) -> str:
        return cols.get(name, "NULL")

    sub = f"coalesce({q('subcharitynumber')}, '0') IN ('0', '')" if "subcharitynumber" in cols else "true"
    removed = f"CASE WHEN {q('status')} ILIKE '%removed%' THEN '{REMOVED_UNDATED}' END" if "status" in cols else "NULL"
    rows = insert_orgs(
        con,
        f"""SELECT 'GB-NIC-' || ltrim({q("regcharitynumber")}, '0'), {q("charityname")}, norm({q("charityname")}),
                   regexp_extract(upper(coalesce({q("publicaddress")}, '')), '([A-Z]{{1,2}}[0-9][A-Z0-9]? ?[0-9][A-Z]{{2}})\\s*$', 1),
                   'vcse', {_charity_evidence("a registered charity in Northern Ireland", removed, "Charity Commission for Northern Ireland")},
                   'CCNI', {removed}
            FROM {read_sql(path, delimiter)} WHERE {sub}""",
        removed=True,
    )
    if "companynumber" in cols:
        con.execute(
            f"""INSERT INTO links SELECT 'GB-NIC-' || ltrim({q("regcharitynumber")}, '0'), 'GB-COH-' || lpad(upper({q("companynumber")}), 8, '0')
                FROM {read_sql(path, delimiter)} WHERE ltrim(coalesce({q("companynumber")}, '0'), '0') <> ''"""
        )
    return rows


def load_oscr(con: duckdb.DuckDBPyConnection, path: Path, cols: dict[str, str], delimiter: str) -> int:

    def q(name: str) -> str:
        return cols.get(name, "NULL")

    removed = (
        f"CASE WHEN {q('charitystatus')} ILIKE '%removed%' THEN '{REMOVED_UNDATED}' END" if "charitystatus" in cols else "NULL"
    )
    return insert_orgs(
        con,
        f"""SELECT 'GB-SC-' || upper({q("charitynumber")}), {q("charityname")}, norm({q("charityname")}), {q("postcode")},
                   'vcse', {_charity_evidence("a registered charity in Scotland", removed, "OSCR")}, 'OSCR', {removed}
            FROM {read_sql(path, delimiter)} WHERE upper({q("charitynumber")}) LIKE 'SC%'""",
        removed=True,
    )


def load_companies_house(con: duckdb.DuckDBPyConnection, path: Path, cols: dict[str, str], delimiter: str) -> int:

    def q(name: str) -> str:
        return cols.get(name, "''")

    sics = [q(n) for n in ("siccodesictext1", "siccodesictext2", "siccodesictext3", "siccodesictext4") if n in cols] or ["''"]
    sic = " || '|' || ".join(f"coalesce({s}, '')" for s in sics)
    status = f"coalesce({q('companystatus')}, '')"
    rows = insert_orgs(
        con,
        f"""SELECT 'GB-COH-' || lpad(upper(trim({q("companynumber")})), 8, '0'), {q("companyname")}, norm({q("companyname")}), {q("regaddresspostcode")},
                   company_kind_of({q("companycategory")}, {sic}, {status}),
                   company_why_of({q("companycategory")}, {sic}, {status}) || ' (Companies House)', 'Companies House'
            FROM {read_sql(path, delimiter)}""",
    )
    return rows


def load_cooperatives(con: duckdb.DuckDBPyConnection, path: Path, cols: dict[str, str], delimiter: str) -> int:

    def q(name: str) -> str:
        return cols.get(name, "NULL")

    live = f"coalesce({q('registeredstatus')}, 'Live') <> 'Dead'" if "registeredstatus" in cols else "true"
    return insert_orgs(
        con,
        f"""SELECT CASE WHEN {q("registrar")} = 'Companies House' THEN 'GB-COH-' || lpad(upper({q("registerednumber")}), 8, '0')
                        WHEN {q("registrar")} = 'FCA' THEN 'GB-MPR-' || upper({q("registerednumber")})
                        ELSE 'COOPSUK-' || {q("cukorganisationid")} END,
                   {q("registeredname")}, norm({q("registeredname")}), {q("registeredpostcode")},
                   'vcse', 'a co-operative or mutual (Co-operatives UK)', 'Co-operatives UK'
            FROM {read_sql(path, delimiter)} WHERE {live}""",
    )


def load_orgid_list(con: duckdb.DuckDBPyConnection, path: Path, cols: dict[str, str], delimiter: str) -> int:
    """The org-id list layout (org_id, name, postcode, company_number, ...) that Find that Charity, 360Giving tools
    and UK-CAT produce. Charities (GB-CHC, GB-SC, GB-NIC) are VCSE; a list of company org-ids alone (UK-CAT's
    community interest companies) says so by its columns and name."""

    def q(name: str) -> str:
        return cols.get(name, "NULL")

    org_id = f"upper(trim({q('orgid')}))"
    cic_list = "name" not in cols or "cic" in path.name.lower()
    kind = (
        f"CASE WHEN {sql_in_schemes(org_id, CHARITY_SCHEMES)} THEN 'vcse' "
        + (f"WHEN {sql_in_schemes(org_id, (COMPANY_SCHEME,))} THEN 'vcse' " if cic_list else "")
        + "END"
    )
    what = (
        f"CASE WHEN {sql_in_schemes(org_id, (COMPANY_SCHEME,))} THEN 'a community interest company' ELSE 'a registered charity' END"
        if cic_list
        else "'a registered charity'"
    )
    # An entry the list marks inactive is kept, flagged: a charity paid while it was registered was a charity then.
    removed = (
        f"CASE WHEN lower(coalesce({q('active')}, 'true')) IN ('false', '0', 'no') THEN '{REMOVED_UNDATED}' END"
        if "active" in cols
        else "NULL"
    )
    rows = insert_orgs(
        con,
        f"""SELECT {org_id}, {q("name")}, norm({q("name")}), {q("postcode")}, {kind},
                   {what} || CASE WHEN {removed} IS NULL THEN '' ELSE ', no longer active on the list' END || ' (' || {sql_string(path.name)} || ')',
                   'org-id list', {removed}
            FROM {read_sql(path, delimiter)} WHERE {org_id} LIKE 'GB-%'""",
        removed=True,
    )
    if "companynumber" in cols:
        number = f"regexp_replace(upper(trim({q('companynumber')})), '\\.0$', '')"
        con.execute(
            f"""INSERT INTO links SELECT {org_id}, 'GB-COH-' || lpad({number}, 8, '0')
                FROM {read_sql(path, delimiter)}
                WHERE regexp_matches({number}, '^[A-Z]{{0,2}}[0-9]+$') AND ltrim({number}, '0') <> '' AND {org_id} LIKE 'GB-%'"""
        )
    return rows


REMOVED_UNDATED = "date not given"


def _charity_evidence(what: str, removed: str, register: str) -> str:
    """SQL for the evidence of a charity register entry, saying when it was removed from the register, if it was."""
    return (
        f"CASE WHEN {removed} IS NULL THEN {sql_string(f'{what} ({register})')} "
        f"WHEN {removed} = '{REMOVED_UNDATED}' THEN {sql_string(f'{what}, since removed from the register ({register})')} "
        f"ELSE {sql_string(what + ' until ')} || {removed} || {sql_string(f', when it was removed from the register ({register})')} END"
    )


def load_relationships(con: duckdb.DuckDBPyConnection, path: Path, cols: dict[str, str], delimiter: str) -> int:
    con.execute(f"""INSERT INTO links SELECT upper({cols["orgida"]}), upper({cols["orgidb"]}) FROM {read_sql(path, delimiter)}""")
    return int(con.execute(f"SELECT count(*) FROM {read_sql(path, delimiter)}").fetchone()[0])  # type: ignore[index]


def load_charity_scale(con: duckdb.DuckDBPyConnection, path: Path, cols: dict[str, str], delimiter: str) -> int:
    con.execute(f"""INSERT INTO scale SELECT ltrim({cols["regnumber"]}, '0'), {cols["scale"]} FROM {read_sql(path, delimiter)}""")
    return int(con.execute("SELECT count(*) FROM scale").fetchone()[0])  # type: ignore[index]


def load_postcodes(con: duckdb.DuckDBPyConnection, path: Path, cols: dict[str, str], delimiter: str) -> int:
    pc = next(cols[n] for n in ("pcds", "postcode", "pcd", "pcd2") if n in cols)
    lad = next((cols[n] for n in ("laua", "oslaua", "ladcode", "ladcd") if n in cols), None) or next(
        cols[n] for n in cols if re.fullmatch(r"lad\d\dcd", n)
    )
    rgn = next((cols[n] for n in ("rgn", "rgncode") if n in cols), None) or next(
        (cols[n] for n in cols if re.fullmatch(r"rgn\d\dcd", n)), None
    )
    rgn_sql = rgn or "NULL"
    con.execute(
        f"""INSERT INTO postcodes SELECT regexp_replace(upper({pc}), '[^A-Z0-9]', '', 'g'), {lad}, {rgn_sql}
            FROM {read_sql(path, delimiter)} WHERE coalesce({lad}, '') <> ''"""
    )
    return int(con.execute("SELECT count(*) FROM postcodes").fetchone()[0])  # type: ignore[index]


def load_outcodes(con: duckdb.DuckDBPyConnection, path: Path, cols: dict[str, str], delimiter: str) -> int:
    con.execute(
        f"""INSERT INTO outcodes SELECT upper({cols["outcode"]}), {cols["ladcode"]}, try_cast({cols["share"]} AS DOUBLE)
            FROM {read_sql(path, delimiter)} WHERE coalesce({cols["ladcode"]}, '') <> ''"""
    )
    return int(con.execute("SELECT count(*) FROM outcodes").fetchone()[0])  # type: ignore[index]


def load_areas(con: duckdb.DuckDBPyConnection, path: Path, cols: dict[str, str], delimiter: str) -> int:
    from keepitlocal.common.councils_file import read_council_files

    result = read_council_files([path])
    bulk_insert(
        con,
        "areas",
        ((r.gss_code, r.parent_code or None, r.region_code or None, r.successor_code or None) for r in result.records.values()),
    )
    return len(result.records)


def grant_recipients(con: duckdb.DuckDBPyConnection, recipients: Iterable[dict[str, Any]]) -> int:
    rows: list[tuple[str, str, str, str, str | None, str, str, None]] = []
    for org in recipients:
        org_id = str(org.get("id") or "").upper()
        name = str(org.get("name") or "")
        postcode = str(org.get("postalCode") or org.get("postcode") or "")
        charity = str(org.get("charityNumber") or "").strip()
        company = str(org.get("companyNumber") or "").strip()
        # The recipient's own numbers first, then its org-id's scheme.
        if charity and re.fullmatch(r"\d{5,7}", charity):
            found_id, kind = str(OrgId.charity(charity)), VCSE
        elif company and re.fullmatch(r"[A-Z]{0,2}\d+", company.upper()):
            found_id, kind = str(OrgId.company(company)), None
        elif is_charity(org_id):
            found_id, kind = org_id, VCSE
        elif is_company(org_id):
            found_id, kind = org_id, None
        else:
            continue
        what = "a registered charity" if kind == VCSE else "a company"
        rows.append(
            (found_id, name, normalise_name(name), postcode, kind, f"{what} (recipient in 360Giving data)", "360Giving", None)
        )
    bulk_insert(con, "orgs", rows)
    return len(rows)


def load_grants_flat(con: duckdb.DuckDBPyConnection, path: Path, cols: dict[str, str], delimiter: str) -> int:
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter=delimiter)
        key = {normal(k): k for k in (reader.fieldnames or [])}

        def get(row: dict[str, str], name: str) -> str:
            return row.get(key.get(name, ""), "") or ""

        recipients = (
            {
                "id": get(r, "recipientorgidentifier"),
                "name": get(r, "recipientorgname"),
                "charityNumber": get(r, "recipientorgcharitynumber"),
                "companyNumber": get(r, "recipientorgcompanynumber"),
                "postalCode": get(r, "recipientorgpostalcode"),
            }
            for r in reader
        )
        return grant_recipients(con, recipients)


def _areas(names: set[str]) -> bool:
    return {"areacode", "areatype", "ladcdactive"} <= names or (
        any(re.fullmatch(r"(lad|ltla)\d\dcd", n) for n in names) and any(re.fullmatch(r"(utla|rgn)\d\dcd", n) for n in names)
    )


def _postcodes(names: set[str]) -> bool:
    postcode = names & {"pcds", "pcd", "postcode", "pcd2"}
    lad = names & {"laua", "oslaua", "ladcode", "ladcd"} or {n for n in names if re.fullmatch(r"lad\d\dcd", n)}
    return bool(postcode and lad)


Load = Callable[[duckdb.DuckDBPyConnection, Path, dict[str, str], str], int]


@dataclass(frozen=True)
class Loader:
    """A register the engine reads: its kind, how its header is recognised, and how it is loaded."""

    kind: str
    matches: Callable[[set[str]], bool]
    load: Load


# Tested in this order: the first whose columns a file has decides what it is.
LOADERS: tuple[Loader, ...] = (
    Loader("relationships", lambda n: {"orgida", "orgidb"} <= n, load_relationships),
    Loader("orgid_list", lambda n: "orgid" in n and ("name" in n or bool(n & {"icnptsocode", "companynumber"})), load_orgid_list),
    Loader("charity_scale", lambda n: {"regnumber", "scale"} <= n, load_charity_scale),
    Loader("charity_commission", lambda n: {"registeredcharitynumber", "charityname"} <= n, load_charity_commission),
    Loader("ccni", lambda n: {"regcharitynumber", "charityname"} <= n, load_ccni),
    Loader("oscr", lambda n: {"charitynumber", "charityname"} <= n, load_oscr),
    Loader("companies_house", lambda n: {"companyname", "companynumber", "companycategory"} <= n, load_companies_house),
    Loader("cooperatives", lambda n: {"registerednumber", "registeredname", "legalform"} <= n, load_cooperatives),
    Loader("grants_flat", lambda n: "recipientorgidentifier" in n, load_grants_flat),
    Loader("outcodes", lambda n: {"outcode", "ladcode", "share"} <= n, load_outcodes),
    Loader("areas", _areas, load_areas),
    Loader("postcodes", _postcodes, load_postcodes),
)


def recognise(cols: dict[str, str]) -> Loader | None:
    """The loader for a file with these normalised column names (None: not a register we read)."""
    names = set(cols)
    return next((loader for loader in LOADERS if loader.matches(names)), None)
