"""Charts say what they show: a legend for every mark of the benchmark chart, an axis that names its unit."""

from __future__ import annotations

from dataclasses import dataclass

from keepitlocal.reports.engine.charts import bar_chart, spread_chart


@dataclass(frozen=True)
class Spread:
    minimum: float
    lower_quartile: float
    median: float
    upper_quartile: float
    maximum: float


def test_the_benchmark_chart_has_a_legend_for_each_mark_and_an_axis() -> None:
    svg = spread_chart(["1. Whole system"], [Spread(20, 40, 55, 70, 90)], [62.0], "Peers", "A chart", "b", own_label="Calderdale")
    for key in ("Peers: lowest to highest", "Peers: middle half", "Peers: median", "Calderdale", "Score out of 100"):
        assert key in svg, key


def test_a_bar_chart_names_its_scale_and_unit_when_asked() -> None:
    svg = bar_chart(
        ["Calderdale", "Leeds"], [8.3, 11.7], "Compared", "Bars", "c", axis="Share of spend to VCSE organisations (%)"
    )
    assert "Share of spend to VCSE organisations (%)" in svg and "8.3%" in svg


def test_counts_are_written_as_whole_numbers_not_money() -> None:
    svg = bar_chart(["Prospect", "Active member"], [1, 7], "Stages", "Bars", "s", unit="councils", axis="Councils")
    assert " 7" in svg and "£" not in svg and "7.0%" not in svg


def test_hatched_bars_lie_over_solid_ones_so_pattern_tiles_show_no_seams() -> None:
    import re

    from keepitlocal.reports.engine.charts import grouped_bar_chart

    svg = grouped_bar_chart(["First", "Second"], {"Officers": [60, 70], "Partners": [47, 48]}, "Scores", "Bars", "g")
    # Each hatched bar (filled with a pattern) has a solid bar of the same shape in the series colour beneath it.
    # (Bars are clipped to the plot; the legend's small key, narrower than one pattern tile, is not.)
    shapes = re.findall(r'<path d="([^"]+)" clip-path="[^"]+" fill="([^"]+)"', svg)
    hatched = [d for d, fill in shapes if fill.startswith("url(#")]
    solid = {d for d, fill in shapes if fill == "#f47738"}
    assert len(hatched) >= 2 and all(d in solid for d in hatched)
    assert ' style="' not in svg and "<style" not in svg  # drawn with attributes a strict CSP allows
