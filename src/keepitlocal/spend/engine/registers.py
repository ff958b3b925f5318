"""Registers a user has downloaded, recognised by their header whatever the file is called, loaded with
DuckDB, and used to link suppliers to real organisations: identifiers first, then names.

Recognised: the Charity Commission register extract (full or a subset), OSCR, the Charity Commission for
Northern Ireland register, Companies House basic company data, Co-operatives UK open data, org-id
relationship tables (charity ↔ company, CIO company numbers, dual registration, mutuals), the charity
scale lookup, 360Giving grants (JSON or flat CSV) for recipients' identifiers and postcodes, postcode →
local authority lookups (NSPL, ONSPD or a derived postcode,lad_code file), outcode → local authority
shares, and the ONS local authority hierarchy (to know which districts make up a county).
"""

from __future__ import annotations

import csv
import gzip
import json
import os
import re
import shutil
import tempfile
import threading
import weakref
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
from duckdb.func import FunctionNullHandling
from duckdb.sqltypes import VARCHAR
from rapidfuzz import fuzz, process

from keepitlocal.common.text import detect_encoding, strip_boms, write_utf8
from keepitlocal.network.engine.orgid import OrgId
from keepitlocal.spend.engine.bulk import bulk_insert, quote_identifier, sql_string
from keepitlocal.spend.engine.classify import PRIVATE, VCSE, Decision, Evidence
from keepitlocal.spend.engine.columns import normal
from keepitlocal.spend.engine.names import normalise_name
from keepitlocal.spend.engine.read import charity_org_id

MEMORY_LIMIT = "1GB"
FUZZY_ACCEPT = 92.0
FUZZY_CANDIDATE = 80.0
# First words too common to block a fuzzy search on.
COMMON_FIRST_WORDS = {
    "st",
    "saint",
    "north",
    "south",
    "east",
    "west",
    "new",
    "the",
    "uk",
    "british",
    "national",
    "royal",
    "city",
    "county",
    "friends",
}
SOCIAL_SIC = re.compile(r"^(8[5-8]\d{3}|9[0-3]\d{3}|94(91|92|99)\d)\b")


@dataclass
class Link:
    """What the registers say about one supplier."""

    decision: Decision | None = None
    org_id: str = ""
    postcode: str = ""
    charity_scale: str = ""
    candidates: str = ""


def _norm(name: str | None) -> str | None:
    return normalise_name(name) if name is not None else None


def _pc(postcode: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", (postcode or "").upper())


def company_kind(category: str, sics: Iterable[str], status: str = "") -> tuple[str | None, str]:
    """What a Companies House category (and, for guarantee companies, the SIC codes) says."""
    cat = (category or "").lower()
    if "community interest company" in cat:
        return VCSE, "a community interest company"
    if "charitable incorporated organisation" in cat:
        return VCSE, "a charitable incorporated organisation"
    if "registered society" in cat or "industrial and provident" in cat:
        return VCSE, "a registered society (co-operative or community benefit society)"
    if "limited by guarantee" in cat or "ltd by guar" in cat or "lbg" in cat:
        social = [s for s in sics if SOCIAL_SIC.match(s.strip())]
        if "'limited' exemption" in cat:
            return (
                VCSE,
                "a company limited by guarantee using the 'Limited' exemption, which requires charitable or social objects",
            )
        if social:
            return VCSE, f"a company limited by guarantee with a social purpose ({social[0].strip()})"
        return None, "a company limited by guarantee with no sign of a social purpose"
    if (
        "private limited" in cat
        or "public limited" in cat
        or "limited liability partnership" in cat
        or "unlimited" in cat
        or "limited partnership" in cat
    ):
        return PRIVATE, f"a {category.split('(')[0].strip().lower()}"
    return None, category.lower() if category else ""


def _company_udf(part: int) -> Callable[[str | None, str | None, str | None], str | None]:
    """A DuckDB function returning the kind (part 0) or the reason (part 1) from company_kind."""

    def udf(category: str | None, sics: str | None, status: str | None) -> str | None:
        return company_kind(category or "", (sics or "").split("|"), status or "")[part]

    return udf


# Bump when a loader changes what it stores, so that cached register databases are built again.
CACHE_FORMAT = "1"


@dataclass(frozen=True)
class LoadedFile:
    """One register file as loaded: its name, the kind the engine recognised (registers.recognise's names) and rows."""

    name: str
    kind: str
    rows: int

    @property
    def label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind.replace("_", " "))


KIND_LABELS = {
    "companies_house": "Companies House basic company data",
    "charity_commission": "Charity Commission register",
    "oscr": "Scottish Charity Register (OSCR)",
    "ccni": "Charity Commission for Northern Ireland register",
    "postcodes": "Postcode lookup",
    "outcodes": "Postcode district lookup",
    "areas": "Local authority areas",
    "relationships": "Org-id relationship table",
    "orgid_list": "Org-id list",
    "charity_scale": "Charity sizes",
    "cooperatives": "Co-operatives and mutuals",
    "grants_flat": "360Giving grants",
    "grants_360": "360Giving grants",
}


def data_member(archive: zipfile.ZipFile) -> zipfile.ZipInfo:
    """The register inside an archive: its largest CSV, text or JSON file (publishers put notes, code lists and
    lookups beside the data, and the data is always the largest)."""
    members = [m for m in archive.infolist() if not m.is_dir() and m.filename.lower().endswith((".csv", ".txt", ".tsv", ".json"))]
    if not members:
        raise ValueError("the zip holds no CSV, TXT or JSON file")
    return max(members, key=lambda m: m.file_size)


class Registers:
    def __init__(self, database: Path | None = None, read_only: bool = False) -> None:
        """In memory, or in a DuckDB file (`cached`); a read-only one is already loaded and finished."""
        # Transcoded copies of registers, and what DuckDB spills, live here until this object goes.
        self._tmp = tempfile.mkdtemp(prefix="kil-registers-")
        self._cleanup = weakref.finalize(self, shutil.rmtree, self._tmp, True)
        self.con = duckdb.connect(str(database) if database else ":memory:", read_only=read_only)
        # A full Companies House file is millions of rows: spill to disk past a fixed buffer, as the pipeline does.
        self.con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
        self.con.execute(f"SET temp_directory = {sql_string(Path(self._tmp) / 'spill')}")
        self.con.create_function("norm", _norm, [VARCHAR], VARCHAR, null_handling=FunctionNullHandling.SPECIAL)
        self.used: list[str] = []
        self.ignored: list[str] = []
        self.loaded: list[LoadedFile] = []  # what each file loaded now was, typed, for callers (never parse `used`)
        self._place_cache: dict[str, tuple[str | None, str | None]] = {}
        if read_only:
            for line, used in self.con.execute("SELECT line, used FROM manifest ORDER BY position").fetchall():
                (self.used if used else self.ignored).append(line)
            return
        self.con.execute(
            "CREATE TABLE orgs (org_id VARCHAR, name VARCHAR, norm_name VARCHAR, postcode VARCHAR, kind VARCHAR, evidence VARCHAR, source VARCHAR)"
        )
        self.con.execute("CREATE TABLE links (a VARCHAR, b VARCHAR)")
        self.con.execute("CREATE TABLE scale (number VARCHAR, scale VARCHAR)")
        self.con.execute("CREATE TABLE postcodes (pc VARCHAR, lad VARCHAR, rgn VARCHAR)")
        self.con.execute("CREATE TABLE outcodes (outcode VARCHAR, lad VARCHAR, share DOUBLE)")
        self.con.execute("CREATE TABLE areas (lad VARCHAR, parent VARCHAR, rgn VARCHAR, successor VARCHAR)")

    def close(self) -> None:
        self.con.close()
        self._cleanup()

    # Loading -------------------------------------------------------------------------------------

    @classmethod
    def from_folder(cls, folder: Path, log: Callable[[str], None] | None = None) -> Registers:
        registers = cls()
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            registers.load(path)
            if log:
                log(f"registers: {path.name}")
        registers.finish()
        return registers

    @classmethod
    def cached(cls, paths: list[Path], cache: Path, key: str) -> Registers:
        """The registers in `paths`, loaded once into a DuckDB file named by `key` (which must change whenever the
        files do) and opened read-only after that, by any number of processes. A full Companies House file takes
        about a minute to load; an analysis should not pay that each time."""
        database = cache / f"registers-{key}-v{CACHE_FORMAT}.duckdb"
        if not database.exists():
            cache.mkdir(parents=True, exist_ok=True)
            building = cache / f".building-{key}-{os.getpid()}-{threading.get_ident()}.duckdb"
            registers = cls(building)
            try:
                for path in paths:
                    registers.load(path)
                registers.finish()
                lines = [(line, True) for line in registers.used] + [(line, False) for line in registers.ignored]
                registers.con.execute("CREATE TABLE manifest (position INTEGER, line VARCHAR, used BOOLEAN)")
                registers.con.executemany("INSERT INTO manifest VALUES (?, ?, ?)", [(i, *row) for i, row in enumerate(lines)])
            finally:
                registers.close()
            os.replace(building, database)  # whole or not at all, even with another worker building the same
            for old in cache.glob("registers-*.duckdb"):
                if old != database:
                    old.unlink(missing_ok=True)  # a process still reading it keeps its open file
        return cls(database, read_only=True)

    def report(self) -> list[str]:
        return [f"used {line}" for line in self.used] + [f"ignored {line}" for line in self.ignored]

    def _utf8(self, path: Path) -> Path:
        """A UTF-8 CSV DuckDB can read: zips are opened, other encodings converted; gzip stays as it is."""
        if path.suffix.lower() == ".zip":
            with zipfile.ZipFile(path) as archive:
                member = data_member(archive)
                target = Path(self._tmp) / Path(member.filename).name
                with archive.open(member) as source, open(target, "wb") as out:
                    shutil.copyfileobj(source, out, 1 << 20)
                return self._utf8(target)
        opener = gzip.open if path.suffix.lower() == ".gz" else open
        with opener(path, "rb") as handle:
            encoding = detect_encoding(iter(lambda: handle.read(1 << 20), b""))
        with opener(path, "rb") as handle:
            head = handle.read(1 << 20)
        boms = len(head) - len(strip_boms(head))
        if encoding == "utf-8" and not boms:
            return path
        with opener(path, "rb") as source:
            source.read(boms)
            return write_utf8(source, encoding, Path(self._tmp) / (path.name.removesuffix(".gz") + ".utf8.csv"))

    def _header(self, path: Path) -> tuple[list[str], str]:
        if path.suffix.lower() == ".gz":
            with gzip.open(path, "rt", encoding="utf-8", errors="replace", newline="") as handle:
                first = handle.readline()
        else:
            with open(path, encoding="utf-8", errors="replace", newline="") as handle:
                first = handle.readline()
        delimiter = "\t" if first.count("\t") > first.count(",") else ","
        return next(csv.reader([first], delimiter=delimiter)), delimiter

    def load(self, path: Path) -> None:
        name = path.name
        try:
            if name.lower().endswith(".json"):
                self._load_360_json(path)
                return
            if not name.lower().endswith((".csv", ".txt", ".tsv", ".gz", ".zip")):
                self.ignored.append(f"{name}: not a CSV, TXT, JSON, gzip or zip file")
                return
            readable = self._utf8(path)
            header, delimiter = self._header(readable)
            # Each column as a quoted SQL identifier, once: a header may hold any character, quotes included.
            cols = {normal(h): quote_identifier(h.strip()) for h in header}
            kind = self.recognise(cols)
            if kind is None:
                self.ignored.append(f"{name}: its columns match no register we read ({', '.join(header[:6])}...)")
                return
            rows = getattr(self, f"_load_{kind}")(readable, cols, delimiter)
            self.used.append(f"{name}: {kind.replace('_', ' ')}, {rows:,} rows")
            self.loaded.append(LoadedFile(name, kind, rows))
        except (ValueError, duckdb.Error, OSError, zipfile.BadZipFile, json.JSONDecodeError) as error:
            self.ignored.append(f"{name}: could not be read ({str(error).splitlines()[0][:160]})")

    @staticmethod
    def recognise(cols: dict[str, str]) -> str | None:
        """The kind of register a file is, from its normalised column names (None: not one we read)."""
        names = set(cols)
        if {"orgida", "orgidb"} <= names:
            return "relationships"
        if "orgid" in names and ("name" in names or names & {"icnptsocode", "companynumber"}):
            return "orgid_list"
        if {"regnumber", "scale"} <= names:
            return "charity_scale"
        if {"registeredcharitynumber", "charityname"} <= names:
            return "charity_commission"
        if {"regcharitynumber", "charityname"} <= names:
            return "ccni"
        if {"charitynumber", "charityname"} <= names:
            return "oscr"
        if {"companyname", "companynumber", "companycategory"} <= names:
            return "companies_house"
        if {"registerednumber", "registeredname", "legalform"} <= names:
            return "cooperatives"
        if "recipientorgidentifier" in names:
            return "grants_flat"
        if {"outcode", "ladcode", "share"} <= names:
            return "outcodes"
        if {"areacode", "areatype", "ladcdactive"} <= names or (
            any(re.fullmatch(r"(lad|ltla)\d\dcd", n) for n in names) and any(re.fullmatch(r"(utla|rgn)\d\dcd", n) for n in names)
        ):
            return "areas"
        postcode = names & {"pcds", "pcd", "postcode", "pcd2"}
        lad = names & {"laua", "oslaua", "ladcode", "ladcd"} or {n for n in names if re.fullmatch(r"lad\d\dcd", n)}
        if postcode and lad:
            return "postcodes"
        return None

    def _read(self, path: Path, delimiter: str) -> str:
        return f"read_csv({sql_string(path)}, header = true, all_varchar = true, delim = {sql_string(delimiter)}, quote = '\"', escape = '\"', normalize_names = false)"

    def _insert_orgs(self, select: str) -> int:
        before = self.con.execute("SELECT count(*) FROM orgs").fetchone()[0]  # type: ignore[index]
        self.con.execute(f"INSERT INTO orgs {select}")
        return int(self.con.execute("SELECT count(*) FROM orgs").fetchone()[0]) - int(before)  # type: ignore[index]

    def _load_charity_commission(self, path: Path, cols: dict[str, str], delimiter: str) -> int:
        q = lambda n: cols.get(n, "NULL")  # noqa: E731
        where = []
        if "linkedcharitynumber" in cols:
            where.append(f"coalesce({q('linkedcharitynumber')}, '0') IN ('0', '')")
        if "charityregistrationstatus" in cols:
            where.append(f"{q('charityregistrationstatus')} = 'Registered'")
        condition = " AND ".join(where) or "true"
        rows = self._insert_orgs(
            f"""SELECT 'GB-CHC-' || ltrim({q("registeredcharitynumber")}, '0'), {q("charityname")}, norm({q("charityname")}),
                       {q("charitycontactpostcode")}, 'vcse', 'a registered charity in England and Wales (Charity Commission register)', 'Charity Commission'
                FROM {self._read(path, delimiter)} WHERE {condition} AND {q("registeredcharitynumber")} IS NOT NULL"""
        )
        if "charitycompanyregistrationnumber" in cols:
            self.con.execute(
                f"""INSERT INTO links SELECT 'GB-CHC-' || ltrim({q("registeredcharitynumber")}, '0'), 'GB-COH-' || lpad(upper({q("charitycompanyregistrationnumber")}), 8, '0')
                    FROM {self._read(path, delimiter)} WHERE regexp_matches(upper(coalesce({q("charitycompanyregistrationnumber")}, '')), '^[A-Z]{{0,2}}[0-9]+$')
                      AND ltrim({q("charitycompanyregistrationnumber")}, '0') <> ''"""
            )
        return rows

    def _load_ccni(self, path: Path, cols: dict[str, str], delimiter: str) -> int:
        q = lambda n: cols.get(n, "NULL")  # noqa: E731
        sub = f"coalesce({q('subcharitynumber')}, '0') IN ('0', '')" if "subcharitynumber" in cols else "true"
        status = f"{q('status')} NOT ILIKE '%removed%'" if "status" in cols else "true"
        rows = self._insert_orgs(
            f"""SELECT 'GB-NIC-' || ltrim({q("regcharitynumber")}, '0'), {q("charityname")}, norm({q("charityname")}),
                       regexp_extract(upper(coalesce({q("publicaddress")}, '')), '([A-Z]{{1,2}}[0-9][A-Z0-9]? ?[0-9][A-Z]{{2}})\\s*$', 1),
                       'vcse', 'a registered charity in Northern Ireland (Charity Commission for Northern Ireland)', 'CCNI'
                FROM {self._read(path, delimiter)} WHERE {sub} AND {status}"""
        )
        if "companynumber" in cols:
            self.con.execute(
                f"""INSERT INTO links SELECT 'GB-NIC-' || ltrim({q("regcharitynumber")}, '0'), 'GB-COH-' || lpad(upper({q("companynumber")}), 8, '0')
                    FROM {self._read(path, delimiter)} WHERE ltrim(coalesce({q("companynumber")}, '0'), '0') <> ''"""
            )
        return rows

    def _load_oscr(self, path: Path, cols: dict[str, str], delimiter: str) -> int:
        q = lambda n: cols.get(n, "NULL")  # noqa: E731
        status = f"coalesce({q('charitystatus')}, 'Active') NOT ILIKE '%removed%'" if "charitystatus" in cols else "true"
        return self._insert_orgs(
            f"""SELECT 'GB-SC-' || upper({q("charitynumber")}), {q("charityname")}, norm({q("charityname")}), {q("postcode")},
                       'vcse', 'a registered charity in Scotland (OSCR)', 'OSCR'
                FROM {self._read(path, delimiter)} WHERE upper({q("charitynumber")}) LIKE 'SC%' AND {status}"""
        )

    def _load_companies_house(self, path: Path, cols: dict[str, str], delimiter: str) -> int:
        q = lambda n: cols.get(n, "''")  # noqa: E731
        sics = [q(n) for n in ("siccodesictext1", "siccodesictext2", "siccodesictext3", "siccodesictext4") if n in cols] or ["''"]
        for udf, part in (("company_kind_of", 0), ("company_why_of", 1)):
            self.con.create_function(
                udf,
                _company_udf(part),
                [VARCHAR, VARCHAR, VARCHAR],
                VARCHAR,
                null_handling=FunctionNullHandling.SPECIAL,
            )
        sic = " || '|' || ".join(f"coalesce({s}, '')" for s in sics)
        status = f"coalesce({q('companystatus')}, '')"
        rows = self._insert_orgs(
            f"""SELECT 'GB-COH-' || lpad(upper(trim({q("companynumber")})), 8, '0'), {q("companyname")}, norm({q("companyname")}), {q("regaddresspostcode")},
                       company_kind_of({q("companycategory")}, {sic}, {status}),
                       company_why_of({q("companycategory")}, {sic}, {status}) || ' (Companies House)', 'Companies House'
                FROM {self._read(path, delimiter)}"""
        )
        return rows

    def _load_cooperatives(self, path: Path, cols: dict[str, str], delimiter: str) -> int:
        q = lambda n: cols.get(n, "NULL")  # noqa: E731
        live = f"coalesce({q('registeredstatus')}, 'Live') <> 'Dead'" if "registeredstatus" in cols else "true"
        return self._insert_orgs(
            f"""SELECT CASE WHEN {q("registrar")} = 'Companies House' THEN 'GB-COH-' || lpad(upper({q("registerednumber")}), 8, '0')
                            WHEN {q("registrar")} = 'FCA' THEN 'GB-MPR-' || upper({q("registerednumber")})
                            ELSE 'COOPSUK-' || {q("cukorganisationid")} END,
                       {q("registeredname")}, norm({q("registeredname")}), {q("registeredpostcode")},
                       'vcse', 'a co-operative or mutual (Co-operatives UK)', 'Co-operatives UK'
                FROM {self._read(path, delimiter)} WHERE {live}"""
        )

    def _load_orgid_list(self, path: Path, cols: dict[str, str], delimiter: str) -> int:
        """The org-id list layout (org_id, name, postcode, company_number, ...) that Find that Charity, 360Giving tools
        and UK-CAT produce. Charities (GB-CHC, GB-SC, GB-NIC) are VCSE; a list of company org-ids alone (UK-CAT's
        community interest companies) says so by its columns and name."""
        q = lambda n: cols.get(n, "NULL")  # noqa: E731
        org_id = f"upper(trim({q('orgid')}))"
        cic_list = "name" not in cols or "cic" in path.name.lower()
        kind = (
            f"CASE WHEN {org_id} LIKE 'GB-CHC-%' OR {org_id} LIKE 'GB-SC-%' OR {org_id} LIKE 'GB-NIC-%' THEN 'vcse' "
            + ("WHEN " + org_id + " LIKE 'GB-COH-%' THEN 'vcse' " if cic_list else "")
            + "END"
        )
        what = (
            f"CASE WHEN {org_id} LIKE 'GB-COH-%' THEN 'a community interest company' ELSE 'a registered charity' END"
            if cic_list
            else "'a registered charity'"
        )
        active = f"coalesce(lower({q('active')}), 'true') NOT IN ('false', '0', 'no')" if "active" in cols else "true"
        rows = self._insert_orgs(
            f"""SELECT {org_id}, {q("name")}, norm({q("name")}), {q("postcode")}, {kind},
                       {what} || ' (' || {sql_string(path.name)} || ')', 'org-id list'
                FROM {self._read(path, delimiter)} WHERE {org_id} LIKE 'GB-%' AND {active}"""
        )
        if "companynumber" in cols:
            number = f"regexp_replace(upper(trim({q('companynumber')})), '\\.0$', '')"
            self.con.execute(
                f"""INSERT INTO links SELECT {org_id}, 'GB-COH-' || lpad({number}, 8, '0')
                    FROM {self._read(path, delimiter)}
                    WHERE regexp_matches({number}, '^[A-Z]{{0,2}}[0-9]+$') AND ltrim({number}, '0') <> '' AND {org_id} LIKE 'GB-%'"""
            )
        return rows

    def _load_relationships(self, path: Path, cols: dict[str, str], delimiter: str) -> int:
        self.con.execute(
            f"""INSERT INTO links SELECT upper({cols["orgida"]}), upper({cols["orgidb"]}) FROM {self._read(path, delimiter)}"""
        )
        return int(self.con.execute(f"SELECT count(*) FROM {self._read(path, delimiter)}").fetchone()[0])  # type: ignore[index]

    def _load_charity_scale(self, path: Path, cols: dict[str, str], delimiter: str) -> int:
        self.con.execute(
            f"""INSERT INTO scale SELECT ltrim({cols["regnumber"]}, '0'), {cols["scale"]} FROM {self._read(path, delimiter)}"""
        )
        return int(self.con.execute("SELECT count(*) FROM scale").fetchone()[0])  # type: ignore[index]

    def _load_postcodes(self, path: Path, cols: dict[str, str], delimiter: str) -> int:
        pc = next(cols[n] for n in ("pcds", "postcode", "pcd", "pcd2") if n in cols)
        lad = next((cols[n] for n in ("laua", "oslaua", "ladcode", "ladcd") if n in cols), None) or next(
            cols[n] for n in cols if re.fullmatch(r"lad\d\dcd", n)
        )
        rgn = next((cols[n] for n in ("rgn", "rgncode") if n in cols), None) or next(
            (cols[n] for n in cols if re.fullmatch(r"rgn\d\dcd", n)), None
        )
        rgn_sql = rgn or "NULL"
        self.con.execute(
            f"""INSERT INTO postcodes SELECT regexp_replace(upper({pc}), '[^A-Z0-9]', '', 'g'), {lad}, {rgn_sql}
                FROM {self._read(path, delimiter)} WHERE coalesce({lad}, '') <> ''"""
        )
        return int(self.con.execute("SELECT count(*) FROM postcodes").fetchone()[0])  # type: ignore[index]

    def _load_outcodes(self, path: Path, cols: dict[str, str], delimiter: str) -> int:
        self.con.execute(
            f"""INSERT INTO outcodes SELECT upper({cols["outcode"]}), {cols["ladcode"]}, try_cast({cols["share"]} AS DOUBLE)
                FROM {self._read(path, delimiter)} WHERE coalesce({cols["ladcode"]}, '') <> ''"""
        )
        return int(self.con.execute("SELECT count(*) FROM outcodes").fetchone()[0])  # type: ignore[index]

    def _load_areas(self, path: Path, cols: dict[str, str], delimiter: str) -> int:
        from keepitlocal.network.engine.councils_file import read_council_files

        result = read_council_files([path])
        bulk_insert(
            self.con,
            "areas",
            (
                (r.gss_code, r.parent_code or None, r.region_code or None, r.successor_code or None)
                for r in result.records.values()
            ),
        )
        return len(result.records)

    def _grant_recipients(self, recipients: Iterable[dict[str, Any]]) -> int:
        rows: list[tuple[str, str, str, str, str | None, str, str]] = []
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
            elif org_id.startswith(("GB-CHC-", "GB-SC-", "GB-NIC-")):
                found_id, kind = org_id, VCSE
            elif org_id.startswith("GB-COH-"):
                found_id, kind = org_id, None
            else:
                continue
            what = "a registered charity" if kind == VCSE else "a company"
            rows.append(
                (found_id, name, normalise_name(name), postcode, kind, f"{what} (recipient in 360Giving data)", "360Giving")
            )
        bulk_insert(self.con, "orgs", rows)
        return len(rows)

    def _load_360_json(self, path: Path) -> None:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
        grants = data.get("grants") if isinstance(data, dict) else None
        if not isinstance(grants, list):
            self.ignored.append(f"{path.name}: a JSON file that is not 360Giving grants data")
            return
        recipients = [org for grant in grants for org in (grant.get("recipientOrganization") or [])]
        rows = self._grant_recipients(recipients)
        self.used.append(f"{path.name}: 360Giving grants, {rows:,} recipients with identifiers")
        self.loaded.append(LoadedFile(path.name, "grants_360", rows))

    def _load_grants_flat(self, path: Path, cols: dict[str, str], delimiter: str) -> int:
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
            return self._grant_recipients(recipients)

    def finish(self) -> None:
        """Index what was loaded: one row per org-id (the richest), and links both ways."""
        self.con.execute(
            """CREATE OR REPLACE TABLE orgs AS
               SELECT org_id, arg_max(name, len(coalesce(postcode, ''))) AS name, arg_max(norm_name, len(coalesce(postcode, ''))) AS norm_name,
                      max(postcode) AS postcode, arg_max(kind, CASE WHEN kind IS NULL THEN 0 ELSE 1 END) AS kind,
                      arg_max(evidence, CASE WHEN kind IS NULL THEN 0 ELSE 1 END) AS evidence, string_agg(DISTINCT source, ', ') AS source
               FROM orgs WHERE org_id IS NOT NULL GROUP BY org_id"""
        )
        self.con.execute(
            "CREATE OR REPLACE TABLE links AS SELECT DISTINCT a, b FROM (SELECT a, b FROM links UNION ALL SELECT b, a FROM links)"
        )
        self.con.execute(
            "CREATE OR REPLACE TABLE postcodes AS SELECT pc, any_value(lad) AS lad, any_value(rgn) AS rgn FROM postcodes GROUP BY pc"
        )

    # Linking -------------------------------------------------------------------------------------

    def link_all(self, groups: dict[str, dict[str, Any]]) -> dict[str, Link]:
        """Link every supplier group at once: identifiers, then exact names, then close names."""
        wanted: list[tuple[str, str, str]] = []
        for key, group in groups.items():
            for number in group["charities"]:
                wanted.append((key, charity_org_id(number), "id"))
            for number in group["companies"]:
                wanted.append((key, str(OrgId.company(number)), "id"))
            for norm in group["norms"]:
                if norm:
                    wanted.append((key, norm, "name"))
        self.con.execute("CREATE OR REPLACE TEMP TABLE wanted (supplier_key VARCHAR, value VARCHAR, how VARCHAR)")
        bulk_insert(self.con, "wanted", wanted)
        hits = self.con.execute(
            """
            WITH direct AS (
              SELECT w.supplier_key, o.*, 1 AS rank, 'its published number' AS route FROM wanted w JOIN orgs o ON w.how = 'id' AND o.org_id = w.value
            ), linked AS (
              SELECT w.supplier_key, o.*, 2 AS rank, 'its published number, linked to ' || l.a AS route
              FROM wanted w JOIN links l ON w.how = 'id' AND l.a = w.value JOIN orgs o ON o.org_id = l.b
            ), linked_unloaded AS (
              SELECT w.supplier_key, l.b AS org_id, NULL AS name, NULL AS norm_name, NULL AS postcode,
                     CASE WHEN l.b LIKE 'GB-CHC-%' OR l.b LIKE 'GB-SC-%' OR l.b LIKE 'GB-NIC-%' THEN 'vcse' END AS kind,
                     'a registered charity (' || l.b || ')' AS evidence, 'org-id relationships' AS source, 3 AS rank, 'its published number ' || w.value AS route
              FROM wanted w JOIN links l ON w.how = 'id' AND l.a = w.value
            ), named AS (
              SELECT w.supplier_key, o.*, 4 AS rank, 'its name' AS route FROM wanted w JOIN orgs o ON w.how = 'name' AND o.norm_name = w.value
            )
            SELECT supplier_key, org_id, name, postcode, kind, evidence, source, rank, route FROM direct
            UNION ALL SELECT supplier_key, org_id, name, postcode, kind, evidence, source, rank, route FROM linked
            UNION ALL SELECT supplier_key, org_id, name, postcode, kind, evidence, source, rank, route FROM linked_unloaded
            UNION ALL SELECT supplier_key, org_id, name, postcode, kind, evidence, source, rank, route FROM named
            """
        ).fetchall()
        found: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
        for row in hits:
            found[row[0]].append(row[1:])
        links: dict[str, Link] = {}
        for key, rows in found.items():
            links[key] = self._decide(rows)
        unmatched = {key: group for key, group in groups.items() if key not in links or links[key].decision is None}
        for key, link in self._fuzzy(unmatched).items():
            if key in links and links[key].org_id:
                links[key].candidates = link.candidates
            else:
                links[key] = link
        scales = dict(self.con.execute("SELECT number, scale FROM scale").fetchall())
        for link in links.values():
            if link.org_id.startswith("GB-CHC-"):
                link.charity_scale = scales.get(link.org_id[7:], "")
        return links

    @staticmethod
    def _decide(rows: list[tuple[Any, ...]]) -> Link:
        rows = sorted(rows, key=lambda r: r[6])
        best_rank = rows[0][6]
        best = [r for r in rows if r[6] == best_rank]
        decided = [r for r in rows if r[3]]
        if best_rank == 4:
            # A name shared by several register entries decides only when they all agree.
            kinds = {r[3] for r in best}
            if len(best) > 1 and len(kinds) != 1:
                return Link(candidates="; ".join(f"{r[0]} {r[1]}" for r in best[:3]))
            org_id = best[0][0] if len(best) == 1 else ""
            first = best[0]
            kind = first[3]
            if kind is None:
                return Link(org_id=org_id, postcode=first[2] or "")
            evidence = (
                f"The name matches {first[1]} ({first[0]}), {first[4]}"
                if len(best) == 1
                else f"The name matches {len(best)} entries in {first[5]}, all {first[4]}"
            )
            return Link(
                Decision(kind, evidence, 0.85 if len(best) == 1 else 0.75, Evidence.REGISTER_NAME), org_id, first[2] or ""
            )
        first = best[0]
        if decided:
            d = decided[0]
            evidence = f"{d[0]} ({d[1] or 'from the org-id relationship tables'}) is {d[4]}; matched by {d[7]}"
            return Link(
                Decision(d[3], evidence[0].upper() + evidence[1:], 0.97 if d[6] == 1 else 0.93, Evidence.REGISTER_NUMBER),
                d[0],
                first[2] or d[2] or "",
            )
        return Link(None, first[0], first[2] or "")

    def _fuzzy(self, groups: dict[str, dict[str, Any]]) -> dict[str, Link]:
        queries: dict[str, str] = {}
        for key, group in groups.items():
            if group.get("redacted") or not group["norms"]:
                continue
            norm = max(group["norms"].items(), key=lambda kv: kv[1])[0]
            if norm and len(norm) >= 5:
                queries[key] = norm
        blocks = {q.split()[0] for q in queries.values() if q.split()[0] not in COMMON_FIRST_WORDS and len(q.split()[0]) >= 3}
        if not blocks:
            return {}
        self.con.execute("CREATE OR REPLACE TEMP TABLE blocks (word VARCHAR)")
        bulk_insert(self.con, "blocks", ((b,) for b in blocks))
        candidates: dict[str, list[tuple[str, str, str, str | None, str, str]]] = defaultdict(list)
        for org_id, name, norm, postcode, kind, evidence in self.con.execute(
            "SELECT o.org_id, o.name, o.norm_name, o.postcode, o.kind, o.evidence FROM orgs o JOIN blocks b ON split_part(o.norm_name, ' ', 1) = b.word"
        ).fetchall():
            candidates[norm.split()[0]].append((org_id, name, norm, kind, evidence, postcode or ""))
        links: dict[str, Link] = {}
        for key, query in queries.items():
            block = candidates.get(query.split()[0])
            if not block:
                continue
            matches = process.extract(
                query, [c[2] for c in block], scorer=fuzz.token_sort_ratio, score_cutoff=FUZZY_CANDIDATE, limit=3
            )
            if not matches:
                continue
            listed = "; ".join(f"{block[i][0]} {block[i][1]} ({score:.0f}%)" for _, score, i in matches)
            _, score, index = matches[0]
            org_id, name, _norm, kind, evidence, postcode = block[index]
            if score >= FUZZY_ACCEPT and kind:
                decision = Decision(
                    kind,
                    f"The name is close to {name} ({org_id}, {score:.0f}% alike), {evidence}",
                    round(0.8 * score / 100, 2),
                    Evidence.REGISTER_NAME,
                )
                links[key] = Link(decision, org_id, postcode, candidates=listed)
            else:
                links[key] = Link(candidates=listed)
        return links

    # Places --------------------------------------------------------------------------------------

    def place(self, postcode: str) -> tuple[str | None, str | None]:
        """The local authority (and region) of a postcode; its outcode's main authority when the full postcode is unknown."""
        pc = _pc(postcode)
        if pc in self._place_cache:
            return self._place_cache[pc]
        row = self.con.execute("SELECT lad, rgn FROM postcodes WHERE pc = ?", [pc]).fetchone()
        if row is None and len(pc) >= 5:
            row = self.con.execute(
                "SELECT lad, NULL FROM outcodes WHERE outcode = ? ORDER BY share DESC LIMIT 1", [pc[:-3]]
            ).fetchone()
        lad, rgn = (row[0], row[1]) if row else (None, None)
        if lad and not rgn:
            area = self.con.execute("SELECT rgn FROM areas WHERE lad = ?", [lad]).fetchone()
            rgn = area[0] if area else None
        self._place_cache[pc] = (lad, rgn)
        return lad, rgn

    def council_areas(self, council: str) -> set[str]:
        """The district codes that make up a council's area: itself, the districts of a county, and their predecessors."""
        codes = {council}
        codes |= {
            r[0]
            for r in self.con.execute("SELECT lad FROM areas WHERE parent = ? OR successor = ?", [council, council]).fetchall()
        }
        return codes

    def region_of(self, council: str) -> str | None:
        row = self.con.execute("SELECT rgn FROM areas WHERE lad = ?", [council]).fetchone()
        return row[0] if row else None
