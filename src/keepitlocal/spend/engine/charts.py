"""Accessible SVG charts from matplotlib: each has role="img", a title and a description, and is always
shown beside a table of the same numbers. Bars carry direct labels, so colour is never the only cue."""

from __future__ import annotations

import html
import io
import re

import matplotlib

matplotlib.use("svg")
import matplotlib.pyplot as plt

plt.rcParams.update({"svg.fonttype": "none", "font.family": "sans-serif", "font.size": 10})
COLOUR = "#1d70b8"


def _svg(figure: plt.Figure, title: str, description: str, chart_id: str) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight")
    plt.close(figure)
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
    # matplotlib writes its own ids; keep them unique within a page that holds several charts.
    return (
        re.sub(
            r'id="([^"]+)"', lambda m: m.group(0) if m.group(1) in (title_id, desc_id) else f'id="{chart_id}-{m.group(1)}"', svg
        )
        .replace('xlink:href="#', f'xlink:href="#{chart_id}-')
        .replace("url(#", f"url(#{chart_id}-")
    )


def bar_chart(labels: list[str], values: list[float], title: str, description: str, chart_id: str, unit: str = "%") -> str:
    height = max(1.6, 0.45 * len(labels) + 0.6)
    figure, axes = plt.subplots(figsize=(7, height))
    positions = range(len(labels))
    axes.barh(list(positions), values, color=COLOUR)
    axes.set_yticks(list(positions), labels)
    axes.invert_yaxis()
    for position, value in zip(positions, values, strict=True):
        axes.text(value, position, f" {value:,.1f}{unit}" if unit == "%" else f" £{value:,.0f}", va="center")
    axes.spines[["top", "right"]].set_visible(False)
    axes.set_xlim(0, max([*values, 1]) * 1.25)
    return _svg(figure, title, description, chart_id)


def column_chart(labels: list[str], values: list[float], title: str, description: str, chart_id: str) -> str:
    figure, axes = plt.subplots(figsize=(8, 3))
    axes.bar(labels, values, color=COLOUR)
    axes.set_ylabel("£")
    axes.tick_params(axis="x", rotation=45)
    axes.spines[["top", "right"]].set_visible(False)
    axes.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"£{v:,.0f}"))
    return _svg(figure, title, description, chart_id)
