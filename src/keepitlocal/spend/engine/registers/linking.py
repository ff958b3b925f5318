"""Linking suppliers to register entries: by the numbers a council publishes (directly, or through the org-id
relationship tables), then by exact normalised name, then by close name (rapidfuzz, within blocks of the same first
word). What each decides is a Link with the evidence in words."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import duckdb
from rapidfuzz import fuzz, process

from keepitlocal.common.orgid import CHARITY_SCHEMES, OrgId, sql_in_schemes
from keepitlocal.spend.engine.bulk import bulk_insert
from keepitlocal.spend.engine.classify import Decision, Evidence
from keepitlocal.spend.engine.identifiers import charity_org_id
from keepitlocal.spend.engine.registers.common import COMMON_FIRST_WORDS, FUZZY_ACCEPT, FUZZY_CANDIDATE, Link

# Linking -------------------------------------------------------------------------------------


def link_all(con: duckdb.DuckDBPyConnection, groups: dict[str, dict[str, Any]]) -> dict[str, Link]:
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
    con.execute("CREATE OR REPLACE TEMP TABLE wanted (supplier_key VARCHAR, value VARCHAR, how VARCHAR)")
    bulk_insert(con, "wanted", wanted)
    hits = con.execute(
        f"""
        WITH direct AS (
          SELECT w.supplier_key, o.*, 1 AS rank, 'its published number' AS route FROM wanted w JOIN orgs o ON w.how = 'id' AND o.org_id = w.value
        ), linked AS (
          SELECT w.supplier_key, o.*, 2 AS rank, 'its published number, linked to ' || l.a AS route
          FROM wanted w JOIN links l ON w.how = 'id' AND l.a = w.value JOIN orgs o ON o.org_id = l.b
        ), linked_unloaded AS (
          SELECT w.supplier_key, l.b AS org_id, NULL AS name, NULL AS norm_name, NULL AS postcode,
                 CASE WHEN {sql_in_schemes("l.b", CHARITY_SCHEMES)} THEN 'vcse' END AS kind,
                 'a registered charity (' || l.b || ')' AS evidence, 'org-id relationships' AS source, NULL AS removed,
                 3 AS rank, 'its published number ' || w.value AS route
          FROM wanted w JOIN links l ON w.how = 'id' AND l.a = w.value
        ), named AS (
          SELECT w.supplier_key, o.*, 4 AS rank, 'its name' AS route FROM wanted w JOIN orgs o ON w.how = 'name' AND o.norm_name = w.value
        )
        SELECT supplier_key, org_id, name, postcode, kind, evidence, source, rank, route, removed FROM direct
        UNION ALL SELECT supplier_key, org_id, name, postcode, kind, evidence, source, rank, route, removed FROM linked
        UNION ALL SELECT supplier_key, org_id, name, postcode, kind, evidence, source, rank, route, removed FROM linked_unloaded
        UNION ALL SELECT supplier_key, org_id, name, postcode, kind, evidence, source, rank, route, removed FROM named
        """
    ).fetchall()
    found: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
    for row in hits:
        found[row[0]].append(row[1:])
    links: dict[str, Link] = {}
    for key, rows in found.items():
        links[key] = decide(rows)
    unmatched = {key: group for key, group in groups.items() if key not in links or links[key].decision is None}
    for key, link in fuzzy(con, unmatched).items():
        if key in links and links[key].org_id:
            links[key].candidates = link.candidates
        else:
            links[key] = link
    scales = dict(con.execute("SELECT number, scale FROM scale").fetchall())
    for link in links.values():
        if link.org_id.startswith("GB-CHC-"):
            link.charity_scale = scales.get(link.org_id[7:], "")
    return links


def decide(rows: list[tuple[Any, ...]]) -> Link:
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
        decision = Decision(kind, evidence, 0.85 if len(best) == 1 else 0.75, Evidence.REGISTER_NAME)
        # Several entries of one name: registered if any still is; otherwise removed when the last of them was.
        removals = [r[8] for r in best]
        removed = "" if any(not r for r in removals) else max(removals, key=lambda r: (r[:1].isdigit(), r))
        return Link(decision, org_id, first[2] or "", removed=removed)
    first = best[0]
    if decided:
        d = decided[0]
        evidence = f"{d[0]} ({d[1] or 'from the org-id relationship tables'}) is {d[4]}; matched by {d[7]}"
        return Link(
            Decision(d[3], evidence[0].upper() + evidence[1:], 0.97 if d[6] == 1 else 0.93, Evidence.REGISTER_NUMBER),
            d[0],
            first[2] or d[2] or "",
            removed=d[8] or "",
        )
    return Link(None, first[0], first[2] or "")


def fuzzy(con: duckdb.DuckDBPyConnection, groups: dict[str, dict[str, Any]]) -> dict[str, Link]:
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
    con.execute("CREATE OR REPLACE TEMP TABLE blocks (word VARCHAR)")
    bulk_insert(con, "blocks", ((b,) for b in blocks))
    candidates: dict[str, list[tuple[str, str, str, str | None, str, str, str]]] = defaultdict(list)
    for org_id, name, norm, postcode, kind, evidence, removed in con.execute(
        "SELECT o.org_id, o.name, o.norm_name, o.postcode, o.kind, o.evidence, o.removed FROM orgs o "
        "JOIN blocks b ON split_part(o.norm_name, ' ', 1) = b.word"
    ).fetchall():
        candidates[norm.split()[0]].append((org_id, name, norm, kind, evidence, postcode or "", removed or ""))
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
        org_id, name, _norm, kind, evidence, postcode, removed = block[index]
        if score >= FUZZY_ACCEPT and kind:
            decision = Decision(
                kind,
                f"The name is close to {name} ({org_id}, {score:.0f}% alike), {evidence}",
                round(0.8 * score / 100, 2),
                Evidence.REGISTER_NAME,
            )
            links[key] = Link(decision, org_id, postcode, candidates=listed, removed=removed)
        else:
            links[key] = Link(candidates=listed)
    return links
