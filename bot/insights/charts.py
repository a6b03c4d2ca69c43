"""The report's charts as inline SVG, drawn offline by matplotlib (no display, no network).

`Figure` is used without pyplot: no GUI backend is ever chosen and no global figure state is kept
(the SVG canvas draws it; Agg would be the one for raster images).

Labels are English: this machine class has no Japanese font for matplotlib, and a chart must not
show empty boxes; the HTML around each chart carries the Japanese. Text stays text in the SVG
(`svg.fonttype: none`), so the page is searchable and the browser's fonts draw it.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from matplotlib import rc_context
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from matplotlib.typing import RcKeyType

from bot.insights.figures import OUTCOMES

__all__ = ["ranked_chart", "weekly_chart"]

_COLOURS = {
    "answered": "#2e7d32",
    "resolved_by_choice": "#81c784",
    "escalated": "#f9a825",
    "abandoned": "#9e9e9e",
}
_STYLE: dict[RcKeyType, Any] = {"svg.fonttype": "none", "svg.hashsalt": "kotae", "font.size": 9}


def _svg(figure: Figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    text = buffer.getvalue()
    return text[text.index("<svg") :]  # inline: no XML declaration or doctype


def weekly_chart(weeks: Sequence[dict[str, Any]]) -> str:
    """Questions per week, stacked by outcome, with the self-service rate on a second axis."""
    with rc_context(_STYLE):
        figure = Figure(figsize=(7.5, 3.2))
        axis = figure.subplots()
        labels = [week["week"][5:] for week in weeks]
        bottom = [0] * len(weeks)
        for outcome in OUTCOMES:
            values = [week[outcome] for week in weeks]
            axis.bar(labels, values, bottom=bottom, color=_COLOURS[outcome], label=outcome.replace("_", " "))
            bottom = [a + b for a, b in zip(bottom, values, strict=True)]
        axis.set_ylabel("questions")
        axis.yaxis.set_major_locator(MaxNLocator(integer=True))
        axis.set_xlabel("week starting (MM-DD)")
        rate = axis.twinx()
        rate.plot(
            labels,
            [(week["self_service_rate"] or 0) * 100 for week in weeks],
            color="#1565c0",
            marker="o",
            label="self-service rate (%)",
        )
        rate.set_ylim(0, 100)
        rate.set_ylabel("self-service rate (%)")
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
