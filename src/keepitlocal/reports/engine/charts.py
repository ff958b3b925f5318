"""Accessible SVG charts from matplotlib: each has role="img", a title and a description, and is always
shown beside a table of the same numbers. Bars carry direct labels, so colour is never the only cue."""

from __future__ import annotations

import functools
import html
import io
import re
from collections.abc import Callable
from typing import ParamSpec

import matplotlib
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from keepitlocal.common.kept import Kept

# Figures are made directly, never through pyplot: it is not needed to draw an SVG, costs a quarter of a second more to
# import (paid before every `kil spend analyse` report), and keeps every figure in one registry shared by threads.
matplotlib.rcParams.update({"svg.fonttype": "none", "font.family": "sans-serif", "font.size": 10})
COLOUR = "#1d70b8"


_STYLE = re.compile(r' style="([^"]*)"')
_FONT_FAMILY = "Arial, sans-serif"


def _attributes(match: re.Match[str]) -> str:
    attributes = []
    for declaration in match.group(1).split(";"):
        name, _, value = declaration.partition(":")
        name, value = name.strip(), value.strip()
        if not name:
            continue
        if name == "font-family":
            value = _FONT_FAMILY
        attributes.append(f' {name}="{html.escape(value, quote=True)}"')
    return "".join(attributes)


def _presentation_attributes(svg: str) -> str:
    """matplotlib styles shapes with style attributes and one style element, which a Content-Security-Policy without
    'unsafe-inline' refuses (web.middleware); the same declarations as SVG presentation attributes are allowed and
    draw the same (every property matplotlib writes is one: fill, stroke, stroke-*, opacity, font-size,
    font-family, font-weight, text-anchor, clip-path)."""
    svg = re.sub(r"<style[^>]*>.*?</style>", "", svg, flags=re.DOTALL)
    svg = svg.replace("<svg ", '<svg stroke-linejoin="round" stroke-linecap="butt" ', 1)
    return _STYLE.sub(_attributes, svg)


# A chart is a function of its arguments alone, and drawing one takes a tenth of a second or more: each process keeps
# the last charts drawn, so a page viewed again with the same figures (the network overview, the public comparison)
# draws nothing.
_DRAWN: Kept[str] = Kept(size=128)
P = ParamSpec("P")


def _kept(draw: Callable[P, str]) -> Callable[P, str]:
    @functools.wraps(draw)
    def kept(*args: P.args, **kwargs: P.kwargs) -> str:
        key = (draw.__name__, repr(args), repr(sorted(kwargs.items())))
        return _DRAWN.get(key, lambda: draw(*args, **kwargs))

    return kept


def _svg(figure: Figure, title: str, description: str, chart_id: str) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight")
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    svg = re.sub(
        r"<svg ",
        f'<svg role="img" aria-labelledby="{title_id} {desc_id}" focusable="false" ',
        svg,
        count=1,
    )
    head_end = svg.index(">") + 1
    svg = (
        svg[:head_end]
        + f'<title id="{title_id}">{html.escape(title)}</title><desc id="{desc_id}">{html.escape(description)}</desc>'
        + svg[head_end:]
    )
    svg = _presentation_attributes(svg)
    # matplotlib writes its own ids; keep them unique within a page that holds several charts.
    svg = (
        re.sub(
            r'id="([^"]+)"', lambda m: m.group(0) if m.group(1) in (title_id, desc_id) else f'id="{chart_id}-{m.group(1)}"', svg
        )
        .replace('xlink:href="#', f'xlink:href="#{chart_id}-')
        .replace("url(#", f"url(#{chart_id}-")
    )
    # On a phone the chart keeps a size its labels can be read at and scrolls sideways in its own box (app.scss).
    label = html.escape(f"{title}, chart (scrolls sideways on a small screen)", quote=True)
    return f'<div class="kil-chart" role="region" aria-label="{label}" tabindex="0">{svg}</div>'


@_kept
def bar_chart(
    labels: list[str],
    values: list[float],
    title: str,
    description: str,
    chart_id: str,
    unit: str = "%",
    axis: str = "",
    top: float | None = None,
) -> str:
    """Horizontal bars with their values written at their ends ("%", "£" or, for any other unit, a whole number);
    `axis` names the scale and its unit; `top` fixes the scale's end (100 for shares of a whole)."""
    height = max(1.6, 0.45 * len(labels) + 0.6 + (0.3 if axis else 0))
    figure = Figure(figsize=(7, height))
    axes = figure.subplots()
    positions = range(len(labels))
    axes.barh(list(positions), values, color=COLOUR)
    axes.set_yticks(list(positions), labels)
    axes.invert_yaxis()
    for position, value in zip(positions, values, strict=True):
        written = {"%": f" {value:,.1f}%", "£": f" £{value:,.0f}"}.get(unit, f" {value:,.0f}")
        axes.text(value, position, written, va="center")
    axes.spines[["top", "right"]].set_visible(False)
    axes.set_xlim(0, top if top is not None else max([*values, 1]) * 1.25)
    if unit not in ("%", "£"):
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))  # counts of things: no ticks at 0.5
    if axis:
        axes.set_xlabel(axis)
    return _svg(figure, title, description, chart_id)


@_kept
def column_chart(labels: list[str], values: list[float | None], title: str, description: str, chart_id: str) -> str:
    """Columns, one per label; a value of None is a gap marked "no data" (never drawn as a zero or joined over)."""
    figure = Figure(figsize=(8, 3))
    axes = figure.subplots()
    axes.bar(labels, [v if v is not None else 0 for v in values], color=COLOUR)
    for position, value in enumerate(values):
        if value is None:
            axes.text(position, 0, "no data", rotation=90, ha="center", va="bottom", fontsize=9, color="#505a5f")
    axes.set_ylabel("£")
    axes.tick_params(axis="x", rotation=45)
    axes.spines[["top", "right"]].set_visible(False)
    axes.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"£{v:,.0f}"))
    return _svg(figure, title, description, chart_id)


# Two series told apart by hatching as well as colour, so the chart reads in greyscale and print.
SERIES_STYLES = ((COLOUR, ""), ("#f47738", "//"), ("#505a5f", ".."))


@_kept
def grouped_bar_chart(
    labels: list[str],
    series: dict[str, list[float | None]],
    title: str,
    description: str,
    chart_id: str,
    maximum: float = 100,
    value_format: str = "{:.0f}",
    missing: str = "no answers",
) -> str:
    """Horizontal bars, one group per label and one bar per series, each labelled with its value (`value_format`) or, where
    it has none, with `missing` (never drawn as a zero)."""
    count = max(1, len(series))
    height = max(2.0, len(labels) * (0.3 * count + 0.35) + 0.8)
    figure = Figure(figsize=(7, height))
    axes = figure.subplots()
    width = 0.8 / count
    for index, (name, values) in enumerate(series.items()):
        colour, hatch = SERIES_STYLES[index % len(SERIES_STYLES)]
        positions = [p + index * width for p in range(len(labels))]
        shown = [v or 0 for v in values]
        axes.barh(positions, shown, height=width, label=name, edgecolor="white", color=colour)
        if hatch:
            # The hatching on its own layer over the solid bar: PDF renderers draw a pattern tile by tile, and the
            # hairlines between tiles would show the white page through the bar as seams; here they show the colour.
            axes.barh(positions, shown, height=width, color="none", edgecolor="white", hatch=hatch, linewidth=0)
        for position, value in zip(positions, values, strict=True):
            axes.text(
                value or 0,
                position,
                " " + (value_format.format(value) if value is not None else missing),
                va="center",
                fontsize=8,
            )
    axes.set_yticks([p + width * (count - 1) / 2 for p in range(len(labels))], labels)
    axes.invert_yaxis()
    axes.set_xlim(0, maximum * 1.15)
    axes.spines[["top", "right"]].set_visible(False)
    keys = [
        Patch(facecolor=colour, edgecolor="white", hatch=hatch, label=name)
        for (name, _values), (colour, hatch) in zip(series.items(), SERIES_STYLES * count, strict=False)
    ]
    axes.legend(handles=keys, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=count, frameon=False)
    return _svg(figure, title, description, chart_id)


@_kept
def spread_chart(
    labels: list[str],
    spreads: list[object],
    own: list[float | None],
    title: str,
    description: str,
    chart_id: str,
    maximum: float = 100,
    own_label: str = "This council",
    axis: str = "Score out of 100",
) -> str:
    """Per label: the range (line), the middle half (box), the median (tick) and one party's own value (diamond,
    labelled), with a legend saying which is which. `spreads` have minimum, lower_quartile, median, upper_quartile
    and maximum."""
    height = max(2.0, 0.55 * len(labels) + 1.5)
    figure = Figure(figsize=(7, height))
    axes = figure.subplots()
    for position, (spread, mine) in enumerate(zip(spreads, own, strict=True)):
        low, q1, mid, q3, high = (
            getattr(spread, name) for name in ("minimum", "lower_quartile", "median", "upper_quartile", "maximum")
        )
        axes.plot([low, high], [position, position], color="#505a5f", linewidth=1.5)
        axes.barh(position, q3 - q1, left=q1, height=0.45, color="#d2e2f1", edgecolor=COLOUR)
        axes.plot([mid, mid], [position - 0.22, position + 0.22], color=COLOUR, linewidth=2.5)
        if mine is not None:
            axes.plot(mine, position, marker="D", markersize=8, color="#f47738", markeredgecolor="#0b0c0c")
            axes.text(mine, position - 0.32, f"{mine:.0f}", ha="center", fontsize=8)
    axes.set_yticks(list(range(len(labels))), labels)
    axes.invert_yaxis()
    axes.set_xlim(0, maximum * 1.05)
    axes.set_xlabel(axis)
    axes.spines[["top", "right"]].set_visible(False)
    keys = [
        Line2D([], [], color="#505a5f", linewidth=1.5, label="Peers: lowest to highest"),
        Patch(facecolor="#d2e2f1", edgecolor=COLOUR, label="Peers: middle half"),
        Line2D([], [], color=COLOUR, linewidth=2.5, label="Peers: median"),
        Line2D([], [], marker="D", linestyle="", markersize=7, color="#f47738", markeredgecolor="#0b0c0c", label=own_label),
    ]
    axes.legend(handles=keys, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, frameon=False, fontsize=8)
    return _svg(figure, title, description, chart_id)
