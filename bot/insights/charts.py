"""The report's charts as inline SVG, drawn offline by matplotlib (no display, no network).

`Figure` is used without pyplot: no GUI backend is ever chosen and no global figure state is kept
(the SVG canvas draws it; Agg would be the one for raster images).

Labels are in the report's language. matplotlib measures the text with IPAexGothic (shipped by
matplotlib-fontja, so no system font is needed and a Japanese label is never drawn as empty boxes);
the text stays text in the SVG (`svg.fonttype: none`), so the page is searchable and the browser's
fonts draw it, falling back to its sans-serif font (every Japanese desktop has one).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from typing import Any

from matplotlib import font_manager, rc_context
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from matplotlib.typing import RcKeyType
from matplotlib_fontja import get_font_ttf_path

from bot.insights.figures import OUTCOMES

__all__ = ["ranked_chart", "weekly_chart"]

_COLOURS = {
    "answered": "#2e7d32",
    "resolved_by_choice": "#81c784",
    "escalated": "#f9a825",
    "abandoned": "#9e9e9e",
}
font_manager.fontManager.addfont(get_font_ttf_path())
_FONT = font_manager.FontProperties(fname=get_font_ttf_path()).get_name()  # IPAexGothic
_STYLE: dict[RcKeyType, Any] = {
    "svg.fonttype": "none",
    "svg.hashsalt": "kotae",
    "font.size": 9,
    "font.family": [_FONT, "sans-serif"],
}
# A label in the report's language: `insights.chart.…` and `insights.outcome.…` from the catalogue.
Label = Callable[[str], str]


def _svg(figure: Figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    text = buffer.getvalue()
    return text[text.index("<svg") :]  # inline: no XML declaration or doctype


def weekly_chart(weeks: Sequence[dict[str, Any]], label: Label) -> str:
    """Questions per week, stacked by outcome, with the self-service rate on a second axis."""
    with rc_context(_STYLE):
        figure = Figure(figsize=(7.5, 3.2))
        axis = figure.subplots()
        mondays = [week["week"][5:] for week in weeks]
        bottom = [0] * len(weeks)
        for outcome in OUTCOMES:
            values = [week[outcome] for week in weeks]
            axis.bar(
                mondays, values, bottom=bottom, color=_COLOURS[outcome], label=label(f"outcome.{outcome}")
            )
            bottom = [a + b for a, b in zip(bottom, values, strict=True)]
        axis.set_ylabel(label("chart.questions"))
        axis.yaxis.set_major_locator(MaxNLocator(integer=True))
        axis.set_xlabel(label("chart.week_axis"))
        rate = axis.twinx()
        rate.plot(
            mondays,
            [(week["self_service_rate"] or 0) * 100 for week in weeks],
            color="#1565c0",
            marker="o",
            label=label("chart.rate"),
        )
        rate.set_ylim(0, 100)
        rate.set_ylabel(label("chart.rate"))
        handles = axis.get_legend_handles_labels()[0] + rate.get_legend_handles_labels()[0]
        axis.legend(handles=handles, loc="upper left", fontsize=7, frameon=False)
        return _svg(figure)


def ranked_chart(items: Sequence[dict[str, Any]], colour: str, xlabel: str) -> str:
    """Horizontal bars of `{"entry", "count"}` items (entry ids are ASCII), the largest on top."""
    shown = list(items[:10])[::-1]
    with rc_context(_STYLE):
        figure = Figure(figsize=(7.5, 0.3 * len(shown) + 0.8))
        axis = figure.subplots()
        axis.barh([item["entry"] for item in shown], [item["count"] for item in shown], color=colour)
        axis.set_xlabel(xlabel)
        axis.xaxis.set_major_locator(MaxNLocator(integer=True))
        return _svg(figure)
