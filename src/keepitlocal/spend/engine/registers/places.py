"""Places: the local authority and region of a postcode, and the district codes that make up a council's area."""

from __future__ import annotations

import duckdb

from keepitlocal.spend.engine.registers.common import compact_postcode


class Places:
    """Reads the postcodes, outcodes and areas tables of a registers database; one per Registers object (its cache
    of looked-up postcodes is its own)."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self._cache: dict[str, tuple[str | None, str | None]] = {}

    def place(self, postcode: str) -> tuple[str | None, str | None]:
        """The local authority (and region) of a postcode; its outcode's main authority when the full postcode is unknown."""
        pc = compact_postcode(postcode)
        if pc in self._cache:
            return self._cache[pc]
        row = self.con.execute("SELECT lad, rgn FROM postcodes WHERE pc = ?", [pc]).fetchone()
        if row is None and len(pc) >= 5:
            row = self.con.execute(
                "SELECT lad, NULL FROM outcodes WHERE outcode = ? ORDER BY share DESC LIMIT 1", [pc[:-3]]
            ).fetchone()
        lad, rgn = (row[0], row[1]) if row else (None, None)
        if lad and not rgn:
            area = self.con.execute("SELECT rgn FROM areas WHERE lad = ?", [lad]).fetchone()
            rgn = area[0] if area else None
        self._cache[pc] = (lad, rgn)
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
