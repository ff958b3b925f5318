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
import logging
import os
import shutil
import tempfile
import threading
import weakref
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
from duckdb.func import FunctionNullHandling
from duckdb.sqltypes import VARCHAR

from keepitlocal.common.text import detect_encoding, strip_boms, write_utf8
from keepitlocal.spend.engine.bulk import quote_identifier, sql_string
from keepitlocal.spend.engine.headings import normal
from keepitlocal.spend.engine.registers.common import (
    CACHE_FORMAT,
    KIND_LABELS,
    MEMORY_LIMIT,
    Link,
    LoadedFile,
    company_kind,
    company_udf,
    data_member,
    norm_udf,
)
from keepitlocal.spend.engine.registers.linking import link_all
from keepitlocal.spend.engine.registers.loaders import LOADERS, Loader, grant_recipients, recognise
from keepitlocal.spend.engine.registers.places import Places

__all__ = [
    "KIND_LABELS",
    "LOADERS",
    "Link",
    "LoadedFile",
    "Loader",
    "Registers",
    "company_kind",
    "data_member",
    "normal",
]

logger = logging.getLogger(__name__)


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
        self.used: list[str] = []
        self.ignored: list[str] = []
        self.loaded: list[LoadedFile] = []  # what each file loaded now was, typed, for callers (never parse `used`)
        self.places = Places(self.con)
        if read_only:
            for line, used in self.con.execute("SELECT line, used FROM manifest ORDER BY position").fetchall():
                (self.used if used else self.ignored).append(line)
            return
        # The loaders' functions, only where files are loaded: a finished database is opened read-only by many
        # connections at once, which share one catalogue in a process, and a second registration there fails.
        # Registered with the connection, not by the Companies House loader: DuckDB refuses create_function while an
        # earlier file's query result is open, which silently dropped a company file loaded after any other register.
        self.con.create_function("norm", norm_udf, [VARCHAR], VARCHAR, null_handling=FunctionNullHandling.SPECIAL)
        for udf, part in (("company_kind_of", 0), ("company_why_of", 1)):
            self.con.create_function(
                udf, company_udf(part), [VARCHAR, VARCHAR, VARCHAR], VARCHAR, null_handling=FunctionNullHandling.SPECIAL
            )
        self.con.execute(
            "CREATE TABLE orgs (org_id VARCHAR, name VARCHAR, norm_name VARCHAR, postcode VARCHAR, kind VARCHAR, evidence VARCHAR, "
            "source VARCHAR, removed VARCHAR)"
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
            loader = recognise(cols)
            if loader is None:
                self.ignored.append(f"{name}: its columns match no register we read ({', '.join(header[:6])}...)")
                return
            rows = loader.load(self.con, readable, cols, delimiter)
            self.used.append(f"{name}: {loader.kind.replace('_', ' ')}, {rows:,} rows")
            self.loaded.append(LoadedFile(name, loader.kind, rows))
            logger.info("Loaded %s as %s: %s rows", name, loader.kind, rows)
        except (ValueError, duckdb.Error, OSError, zipfile.BadZipFile, json.JSONDecodeError) as error:
            logger.warning("Could not read the register %s", name, exc_info=True)
            self.ignored.append(f"{name}: could not be read ({str(error).splitlines()[0][:160]})")

    def _load_360_json(self, path: Path) -> None:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
        grants = data.get("grants") if isinstance(data, dict) else None
        if not isinstance(grants, list):
            self.ignored.append(f"{path.name}: a JSON file that is not 360Giving grants data")
            return
        recipients = [org for grant in grants for org in (grant.get("recipientOrganization") or [])]
        rows = grant_recipients(self.con, recipients)
        self.used.append(f"{path.name}: 360Giving grants, {rows:,} recipients with identifiers")
        self.loaded.append(LoadedFile(path.name, "grants_360", rows))

    def finish(self) -> None:
        """Index what was loaded: one row per org-id (the richest), and links both ways."""
        self.con.execute(
            """CREATE OR REPLACE TABLE orgs AS
               SELECT org_id, arg_max(name, len(coalesce(postcode, ''))) AS name, arg_max(norm_name, len(coalesce(postcode, ''))) AS norm_name,
                      max(postcode) AS postcode, arg_max(kind, CASE WHEN kind IS NULL THEN 0 ELSE 1 END) AS kind,
                      arg_max(evidence, (CASE WHEN kind IS NULL THEN 0 ELSE 1 END) + (CASE WHEN removed IS NULL THEN 2 ELSE 0 END)) AS evidence,
                      string_agg(DISTINCT source, ', ') AS source,
                      -- Registered in any file: registered. Otherwise the date it was removed, where a file gives one.
                      CASE WHEN count(*) FILTER (WHERE removed IS NULL) > 0 THEN NULL
                           ELSE coalesce(max(removed) FILTER (WHERE removed LIKE '____-__-__'), max(removed)) END AS removed
               FROM orgs WHERE org_id IS NOT NULL GROUP BY org_id"""
        )
        self.con.execute(
            "CREATE OR REPLACE TABLE links AS SELECT DISTINCT a, b FROM (SELECT a, b FROM links UNION ALL SELECT b, a FROM links)"
        )
        self.con.execute(
            "CREATE OR REPLACE TABLE postcodes AS SELECT pc, any_value(lad) AS lad, any_value(rgn) AS rgn FROM postcodes GROUP BY pc"
        )
        # Each word of each name, sorted by word so that finding the organisations a word names reads only the row
        # groups holding it (reconciliation searches by words; scanning every name took 0.2 s a query per million).
        self.con.execute(
            """CREATE OR REPLACE TABLE name_words AS
               SELECT DISTINCT unnest(string_split(norm_name, ' ')) AS word, org_id FROM orgs
               WHERE norm_name IS NOT NULL AND norm_name <> '' ORDER BY word"""
        )

    @staticmethod
    def recognise(cols: dict[str, str]) -> str | None:
        """The kind of register a file is, from its normalised column names (None: not one we read)."""
        loader = recognise(cols)
        return loader.kind if loader else None

    # Linking and places, in their own modules ----------------------------------------------------------------

    def link_all(self, groups: dict[str, dict[str, Any]]) -> dict[str, Link]:
        """Link every supplier group at once: identifiers, then exact names, then close names."""
        return link_all(self.con, groups)

    def place(self, postcode: str) -> tuple[str | None, str | None]:
        return self.places.place(postcode)

    def council_areas(self, council: str) -> set[str]:
        return self.places.council_areas(council)

    def region_of(self, council: str) -> str | None:
        return self.places.region_of(council)
