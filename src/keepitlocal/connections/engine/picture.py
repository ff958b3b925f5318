"""The cogs of connection picture: an organisation at the centre of its map, the sectors around it, drawn as SVG on
the server. The layout depends only on the map (groups in a fixed order, elements by label within them), so it is the
same on every visit. Sectors differ by shape as well as colour; confirmed ties are solid, others dashed."""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape

from keepitlocal.connections.engine.model import Network, Sector

SIZE = 800
CENTRE = SIZE / 2
INNER, OUTER = 190, 320
# GOV.UK palette colours, each sector also with its own shape.
STYLE = {
    Sector.RESIDENTS.label: ("#00703c", "circle"),
    Sector.VCSE.label: ("#1d70b8", "square"),
    Sector.PUBLIC.label: ("#4c2c92", "triangle"),
    Sector.BUSINESS.label: ("#b58840", "diamond"),
    Sector.FAITH.label: ("#d4351c", "hexagon"),
    Sector.FUNDER.label: ("#28a197", "star"),
}
OTHER = ("#505a5f", "cross")


@dataclass(frozen=True)
class Placed:
    key: str
    label: str
    group: str
    x: float
    y: float
    direct: bool


def _groups_in_order(groups: set[str]) -> list[str]:
    known = [s.label for s in Sector if s.label in groups]
    return known + sorted(groups - set(known), key=str.casefold)


def layout(network: Network, centre: str) -> list[Placed]:
    """Centre in the middle; each group a wedge sized by its elements (at least a twelfth of the circle), direct
    contacts on the inner ring, the rest on the outer."""
    contacts: set[str] = set()
    for connection in network.connections:
        a, b = connection.ends
        if a == centre:
            contacts.add(b)
        elif b == centre:
            contacts.add(a)
    others = [e for e in network.elements if e.key != centre]
    order = _groups_in_order({e.group for e in others})
    members = {g: sorted((e for e in others if e.group == g), key=lambda e: (e.key not in contacts, e.key)) for g in order}
    total = sum(max(len(v), len(others) / 12) for v in members.values()) or 1
    placed = []
    me = next((e for e in network.elements if e.key == centre), None)
    if me is not None:
        placed.append(Placed(me.key, me.label, me.group, CENTRE, CENTRE, True))
    angle = -math.pi / 2
    for group in order:
        share = max(len(members[group]), len(others) / 12) / total * 2 * math.pi
        for ring, radius in ((True, INNER), (False, OUTER)):
            row = [e for e in members[group] if (e.key in contacts) == ring]
            for i, element in enumerate(row):
                theta = angle + share * (i + 0.5) / len(row)
                # Alternate a little in and out so neighbours in a crowded wedge do not overlap.
                r = radius + (14 if i % 2 else -14) * (len(row) > 8)
                placed.append(
                    Placed(element.key, element.label, group, CENTRE + r * math.cos(theta), CENTRE + r * math.sin(theta), ring)
                )
        angle += share
    return placed


def _short(group: str) -> str:
    return "Voluntary and community" if group == Sector.VCSE.label else group if len(group) <= 28 else group[:27] + "…"


def _shape(kind: str, x: float, y: float, r: float, colour: str, label: str) -> str:
    title = f"<title>{escape(label)}</title>"
    if kind == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r}" fill="{colour}">{title}</circle>'
    if kind == "square":
        return f'<rect x="{x - r:.1f}" y="{y - r:.1f}" width="{2 * r}" height="{2 * r}" fill="{colour}">{title}</rect>'
    sides = {"triangle": 3, "diamond": 4, "hexagon": 6, "star": 10, "cross": 4}[kind]
    points = []
    for i in range(sides):
        theta = -math.pi / 2 + 2 * math.pi * i / sides + (math.pi / 4 if kind == "cross" else 0)
        radius = r * (0.5 if kind == "star" and i % 2 else 1.25 if kind == "triangle" else 1.15)
        points.append(f"{x + radius * math.cos(theta):.1f},{y + radius * math.sin(theta):.1f}")
    if kind == "cross":
        return (
            f'<g stroke="{colour}" stroke-width="3">{title}<line x1="{x - r:.1f}" y1="{y - r:.1f}" x2="{x + r:.1f}" '
            f'y2="{y + r:.1f}"/><line x1="{x - r:.1f}" y1="{y + r:.1f}" x2="{x + r:.1f}" y2="{y - r:.1f}"/></g>'
        )
    return f'<polygon points="{" ".join(points)}" fill="{colour}">{title}</polygon>'


def svg(network: Network, centre: str, title: str, description: str, ident: str = "map") -> str:
    """The picture as an SVG element with role img, its title and description (the table beside it holds the same
    facts). Only current connections should be passed in."""
    placed = layout(network, centre)
    at = {p.key: p for p in placed}
    lines = []
    for connection in network.connections:
        a, b = connection.ends
        if a in at and b in at and a != b:
            involves = centre in (a, b)
            dash = "" if connection.confirmed else ' stroke-dasharray="5 4"'
            lines.append(
                f'<line x1="{at[a].x:.1f}" y1="{at[a].y:.1f}" x2="{at[b].x:.1f}" y2="{at[b].y:.1f}" '
                f'stroke="{"#0b0c0c" if involves else "#b1b4b6"}" stroke-width="{1.5 if involves else 1}"{dash}/>'
            )
    nodes = []
    for p in placed:
        colour, kind = STYLE.get(p.group, OTHER)
        if p.key == centre:
            nodes.append(f'<circle cx="{p.x}" cy="{p.y}" r="16" fill="#0b0c0c"><title>{escape(p.label)}</title></circle>')
            continue
        nodes.append(_shape(kind, p.x, p.y, 7 if p.direct else 5, colour, f"{p.label} ({p.group})"))
    groups = _groups_in_order({p.group for p in placed if p.key != centre})
    # The key: two columns wide enough for the longest sector name, in type large enough to read at phone width.
    legend_rows = (len(groups) + 1) // 2 + 1
    height = SIZE + 36 * legend_rows + 10
    legend = []
    for i, group in enumerate(groups):
        colour, kind = STYLE.get(group, OTHER)
        x, y = 20 + (i % 2) * 400, SIZE + 20 + 36 * (i // 2)
        count = sum(1 for p in placed if p.group == group and p.key != centre)
        legend.append(_shape(kind, x + 9, y, 8, colour, group))
        legend.append(f'<text x="{x + 26}" y="{y + 7}" font-size="20">{escape(_short(group))} ({count})</text>')
    y = SIZE + 20 + 36 * (legend_rows - 1)
    legend.append(f'<line x1="20" y1="{y}" x2="60" y2="{y}" stroke="#0b0c0c" stroke-width="2"/>')
    legend.append(f'<text x="70" y="{y + 7}" font-size="20">confirmed by both sides</text>')
    legend.append(f'<line x1="420" y1="{y}" x2="460" y2="{y}" stroke="#0b0c0c" stroke-width="2" stroke-dasharray="5 4"/>')
    legend.append(f'<text x="470" y="{y + 7}" font-size="20">recorded by one side</text>')
    me = at.get(centre)
    centre_label = (
        f'<text x="{CENTRE}" y="{CENTRE + 42}" text-anchor="middle" font-size="20" font-weight="bold" paint-order="stroke" '
        f'stroke="#ffffff" stroke-width="6">{escape(me.label)}</text>'
        if me
        else ""
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SIZE} {height}" role="img" '
        f'aria-labelledby="{ident}-title {ident}-desc" class="kil-map-picture" font-family="Arial, sans-serif">'
        f'<title id="{ident}-title">{escape(title)}</title><desc id="{ident}-desc">{escape(description)}</desc>'
        f'<circle cx="{CENTRE}" cy="{CENTRE}" r="{INNER}" fill="none" stroke="#f3f2f1" stroke-width="2"/>'
        f'<circle cx="{CENTRE}" cy="{CENTRE}" r="{OUTER}" fill="none" stroke="#f3f2f1" stroke-width="2"/>'
        f"<g>{''.join(lines)}</g><g>{''.join(nodes)}</g>{centre_label}<g>{''.join(legend)}</g></svg>"
    )
