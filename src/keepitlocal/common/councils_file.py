"""Read ONS local authority names-and-codes and hierarchy files into council records.

Three layouts are recognised by their header, whatever the file is called:
- an area lookup with one row per area and successor codes (`areacode, areaname, areatype, LADCD_ACTIVE,
  UTLACD, RGNCD, CTRYNM`, as published in the 360Giving datastore);
- ONS names-and-codes and LAD→UTLA→region lookups whose columns carry a year (`LAD24CD, LAD24NM`,
  `LTLA23CD, UTLA23CD`, `RGN23CD, RGN23NM`);
- the project's own list (`gss_code, name, parent_code, region_code, region_name, successor_code`).
Several files may be read together: each fills in what it knows about the same codes.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from keepitlocal.common.geography import CouncilType, council_type, is_gss_code, nation, normalise_gss
from keepitlocal.common.publicbodies import CouncilRef
from keepitlocal.common.text import decode

# Every UK principal council, bundled with its licence (data/README.md): the register a platform starts from.
BUNDLED_COUNCILS = Path(__file__).parent / "data" / "councils.csv"


@dataclass
class CouncilRecord:
    gss_code: str
    name: str = ""
    council_type: CouncilType | None = None
    parent_code: str = ""
    region_code: str = ""
    region_name: str = ""
    nation: str = ""
    successor_code: str = ""

    def merge(self, other: CouncilRecord) -> None:
        for attr in ("name", "council_type", "parent_code", "region_code", "region_name", "nation", "successor_code"):
            if getattr(other, attr) and not getattr(self, attr):
                setattr(self, attr, getattr(other, attr))


@dataclass
class Rejection:
    source: str
    row: int
    reason: str


@dataclass
class ReadResult:
    records: dict[str, CouncilRecord] = field(default_factory=dict)
    rows_read: int = 0
    skipped: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    layouts: dict[str, str] = field(default_factory=dict)

    def add(self, record: CouncilRecord) -> None:
        if record.gss_code in self.records:
            self.records[record.gss_code].merge(record)
        else:
            self.records[record.gss_code] = record


class UnrecognisedFileError(ValueError):
    """The file's header matches none of the layouts we read."""


_ONS_COLUMN = re.compile(r"^(LAD|LTLA|UTLA|CTYUA|CTY|RGN|CTRY)(\d{2})?(CD|NM)$", re.IGNORECASE)


def _ons_columns(header: list[str]) -> dict[tuple[str, str], str]:
    columns: dict[tuple[str, str], str] = {}
    for name in header:
        match = _ONS_COLUMN.match(name.strip())
        if match:
            level = match.group(1).upper()
            level = {"LTLA": "LAD", "CTYUA": "UTLA", "CTY": "UTLA"}.get(level, level)
            columns.setdefault((level, match.group(3).upper()), name)
    return columns


def _layout(header: list[str]) -> str:
    lowered = {h.strip().lower() for h in header}
    if {"areacode", "areaname", "areatype"} <= lowered:
        return "area-lookup"
    if {"gss_code", "name"} <= lowered:
        return "keepitlocal"
    columns = _ons_columns(header)
    if any(level in ("LAD", "UTLA") and kind == "CD" for level, kind in columns):
        return "ons"
    raise UnrecognisedFileError(
        "The header matches no layout we read: expected ONS columns such as LAD24CD and LAD24NM, "
        "an area lookup with areacode, areaname and areatype, or gss_code and name"
    )


def _region(code: str, name: str, country: str) -> tuple[str, str]:
    # English councils belong to one of nine regions; elsewhere the nation is the region.
    if code.strip():
        return normalise_gss(code), name.strip()
    return "", country.strip()


def _rows_area_lookup(rows: Iterable[dict[str, str]]) -> Iterator[list[CouncilRecord] | str | None]:
    for row in rows:
        row = {k.strip(): (v or "").strip() for k, v in row.items() if k}
        if row.get("areatype", "").lower() not in ("la", "utla"):
            yield None
            continue
        code = normalise_gss(row.get("areacode", ""))
        if not is_gss_code(code):
            yield f"'{row.get('areacode', '')}' is not a GSS code"
            continue
        kind = council_type(code)
        if kind is None:
            yield None
            continue
        successor = normalise_gss(row.get("LADCD_ACTIVE", ""))
        utla = normalise_gss(row.get("UTLACD", ""))
        region_code, region_name = _region(row.get("RGNCD", ""), row.get("RGNNM", ""), row.get("CTRYNM", ""))
        yield [
            CouncilRecord(
                gss_code=code,
                name=row.get("areaname", ""),
                council_type=kind,
                parent_code=utla if kind is CouncilType.NON_METROPOLITAN_DISTRICT and utla.startswith("E10") else "",
                region_code=region_code,
                region_name=region_name,
                nation=nation(code) or "",
                successor_code=successor if successor and successor != code else "",
            )
        ]


def _rows_ons(rows: Iterable[dict[str, str]], header: list[str]) -> Iterator[list[CouncilRecord] | str | None]:
    columns = _ons_columns(header)

    def get(row: dict[str, str], level: str, kind: str) -> str:
        name = columns.get((level, kind))
        return (row.get(name) or "").strip() if name else ""

    for row in rows:
        lad = normalise_gss(get(row, "LAD", "CD"))
        utla = normalise_gss(get(row, "UTLA", "CD"))
        region_code, region_name = _region(get(row, "RGN", "CD"), get(row, "RGN", "NM"), get(row, "CTRY", "NM"))
        records: list[CouncilRecord] = []
        bad = [code for code in (lad, utla) if code and not is_gss_code(code)]
        if bad:
            yield f"'{bad[0]}' is not a GSS code"
            continue
        for code, name, level in ((lad, get(row, "LAD", "NM"), "LAD"), (utla, get(row, "UTLA", "NM"), "UTLA")):
            kind = council_type(code)
            if kind is None or (level == "UTLA" and code == lad):
                continue
            records.append(
                CouncilRecord(
                    gss_code=code,
                    name=name,
                    council_type=kind,
                    parent_code=utla
                    if level == "LAD" and kind is CouncilType.NON_METROPOLITAN_DISTRICT and utla.startswith("E10")
                    else "",
                    region_code=region_code,
                    region_name=region_name,
                    nation=nation(code) or "",
                )
            )
        if records:
            yield records
        else:
            yield None if (lad or utla) else "The row has no local authority code"


def _rows_keepitlocal(rows: Iterable[dict[str, str]]) -> Iterator[list[CouncilRecord] | str | None]:
    for row in rows:
        row = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k}
        code = normalise_gss(row.get("gss_code", ""))
        kind = council_type(code)
        if kind is None:
            yield f"'{row.get('gss_code', '')}' is not the GSS code of a principal local authority"
            continue
        yield [
            CouncilRecord(
                gss_code=code,
                name=row.get("name", ""),
                council_type=kind,
                parent_code=normalise_gss(row.get("parent_code", "")),
                region_code=normalise_gss(row.get("region_code", "")),
                region_name=row.get("region_name", "") or (nation(code) or ""),
                nation=nation(code) or "",
                successor_code=normalise_gss(row.get("successor_code", "")),
            )
        ]


def read_councils(sources: Iterable[tuple[str, bytes]]) -> ReadResult:
    """Read (name, bytes) pairs into one merged set of council records, with row accounting per source."""
    result = ReadResult()
    for source, data in sources:
        text = decode(data)
        reader = csv.DictReader(io.StringIO(text, newline=""))
        header = [h.strip() for h in (reader.fieldnames or [])]
        layout = _layout(header)
        result.layouts[source] = layout
        if layout == "area-lookup":
            produced = _rows_area_lookup(reader)
        elif layout == "keepitlocal":
            produced = _rows_keepitlocal(reader)
        else:
            produced = _rows_ons(reader, list(reader.fieldnames or []))
        # One outcome per input row: a record, a reason for rejection, or None for a row that names
        # no principal council (a region, a combined authority), which is skipped, not an error.
        for row_number, outcome in enumerate(produced, start=2):
            result.rows_read += 1
            if outcome is None:
                result.skipped += 1
            elif isinstance(outcome, str):
                result.rejected.append(Rejection(source, row_number, outcome))
            elif nameless := [r.gss_code for r in outcome if not r.name]:
                result.rejected.append(Rejection(source, row_number, f"{nameless[0]} has no name"))
            else:
                for record in outcome:
                    result.add(record)
    return result


def read_council_files(paths: Iterable[Path]) -> ReadResult:
    return read_councils((str(p), Path(p).read_bytes()) for p in paths)


def bundled_councils() -> list[CouncilRef]:
    """The bundled list of councils as the analysis takes them: what `kil spend analyse` recognises suppliers named
    as councils by, with no platform database (the platform's own register starts from the same list)."""
    records = read_council_files([BUNDLED_COUNCILS]).records.values()
    return [CouncilRef(r.gss_code, r.name, r.council_type.value if r.council_type else "") for r in records]
