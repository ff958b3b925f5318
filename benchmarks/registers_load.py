"""How long full-size registers take to load: a generated Companies House basic company data file in the
official layout (the real one has about 5.5 million rows), and the real UK postcode lookup in ../shared
(about 2.7 million rows) when present.

    .venv/bin/python benchmarks/registers_load.py [--rows 5000000]

Prints rows per second and peak memory for each. Target (issue 4): a register of a few million rows loads in
minutes, not hours.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

import duckdb

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "real" / "registers"
# The first columns of Companies House's "BasicCompanyData" CSV, as published; the remaining ones are not read.
HEADER = (
    "CompanyName, CompanyNumber,RegAddress.CareOf,RegAddress.POBox,RegAddress.AddressLine1, RegAddress.AddressLine2,"
    "RegAddress.PostTown,RegAddress.County,RegAddress.Country,RegAddress.PostCode,CompanyCategory,CompanyStatus,"
    "CountryOfOrigin,DissolutionDate,IncorporationDate,Accounts.AccountRefDay,Accounts.AccountRefMonth,"
    "Accounts.NextDueDate,Accounts.LastMadeUpDate,Accounts.AccountCategory,Returns.NextDueDate,Returns.LastMadeUpDate,"
    "Mortgages.NumMortCharges,Mortgages.NumMortOutstanding,Mortgages.NumMortPartSatisfied,Mortgages.NumMortSatisfied,"
    "SICCode.SicText_1,SICCode.SicText_2,SICCode.SicText_3,SICCode.SicText_4"
)
CATEGORIES = [
    "Private Limited Company",
    "PRI/LTD BY GUAR/NSC (Private, limited by guarantee, no share capital)",
    "Community Interest Company",
    "Charitable Incorporated Organisation",
    "Registered Society",
    "Public Limited Company",
    "Limited Liability Partnership",
]
SICS = ["62020 - Information technology consultancy activities", "88990 - Other social work activities n.e.c.", "None Supplied"]


def generate(path: Path, rows: int) -> None:
    """Written by DuckDB itself, so that making a multi-million-row file takes seconds."""
    categories = "[" + ", ".join(f"'{c}'" for c in CATEGORIES) + "]"
    sics = "[" + ", ".join(f"'{s}'" for s in SICS) + "]"
    path.write_text(HEADER + "\n")
    con = duckdb.connect()
    con.execute(
        f"""COPY (
          SELECT 'EXAMPLE ' || (['NORTH', 'VALLEY', 'CARE', 'COMMUNITY', 'GREEN', 'TRUST'])[1 + i % 6] || ' ' || i || ' LIMITED',
                 lpad(i::VARCHAR, 8, '0'), '', '', i || ' High Street', '', 'Town', '', 'United Kingdom',
                 (['HX1 1AA', 'LS1 2AB', 'BS1 4DJ', 'M1 1AE'])[1 + i % 4],
                 ({categories})[1 + i % {len(CATEGORIES)}], 'Active', 'United Kingdom', '', '01/01/2010',
                 '31', '3', '31/12/2025', '31/03/2024', 'MICRO ENTITY', '01/01/2026', '01/01/2025', '0', '0', '0', '0',
                 ({sics})[1 + i % {len(SICS)}], '', '', ''
          FROM range({rows}) t(i)
        ) TO '{path}.body' (HEADER false, QUOTE '"', FORCE_QUOTE *)"""  # noqa: S608 - this file's constants only
    )
    with open(path, "ab") as out, open(f"{path}.body", "rb") as body:
        while chunk := body.read(1 << 24):
            out.write(chunk)
    Path(f"{path}.body").unlink()


def timed_load(path: Path) -> tuple[float, list[str]]:
    from keepitlocal.spend.engine.registers import Registers

    registers = Registers()
    started = time.perf_counter()
    registers.load(path)
    registers.finish()
    seconds = time.perf_counter() - started
    used = registers.report()
    registers.close()
    return seconds, used


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=5_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kil-registers-") as tmp:
        path = Path(tmp) / "BasicCompanyData-generated.csv"
        started = time.perf_counter()
        generate(path, args.rows)
        print(
            f"generated {args.rows:,} Companies House rows ({path.stat().st_size / 1e9:.2f} GB) in {time.perf_counter() - started:.0f} s"
        )
        seconds, used = timed_load(path)
        print(
            f"Companies House, {args.rows:,} rows: loaded in {seconds:.1f} s ({args.rows / seconds:,.0f} rows/s); {'; '.join(used)}"
        )
        from keepitlocal.spend.engine.registers import Registers

        for attempt in ("built", "reopened"):
            started = time.perf_counter()
            Registers.cached([path], Path(tmp) / "cache", "bench").close()
            print(f"  as the platform keeps it (Registers.cached): {attempt} in {time.perf_counter() - started:.1f} s")
    postcodes = SHARED / "nspl_aug2024_postcode_lad_ward_lsoa21_UK_DERIVED.csv.gz"
    if postcodes.exists():
        seconds, used = timed_load(postcodes)
        print(f"UK postcode lookup (real): loaded in {seconds:.1f} s; {'; '.join(used)}")
    print(f"peak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
