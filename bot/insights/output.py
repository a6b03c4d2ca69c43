"""Writes the report's files: summary.json, one CSV per table (UTF-8 with BOM, for Excel), the
suggestions and the past questions as JSON lines for `python -m knowledge suggest` and `diff`, and
report.html (one self-contained page)."""

from __future__ import annotations

import csv
import io
import json
from html import escape
from pathlib import Path
from typing import Any

from bot.i18n import Lang, catalogue
from bot.insights.charts import ranked_chart, weekly_chart
from bot.insights.figures import OUTCOMES
from bot.private_files import write_private

__all__ = ["CSV_TABLES", "write_report"]

_DESK_COLUMNS = [
    "opened",
    "claimed",
    "answered",
    "resolved",
    "median_business_hours_to_claim",
    "median_business_hours_to_answer",
    "reopen_rate",
]
# File name → (the summary's key, its columns).
CSV_TABLES: dict[str, tuple[str, list[str]]] = {
    "weeks.csv": ("weeks", ["week", "total", *OUTCOMES, "self_service_rate"]),
    "entries_most_asked.csv": ("entries_most_asked", ["entry", "count"]),
    "entries_not_helpful.csv": ("entries_not_helpful", ["entry", "count"]),
    "gaps.csv": ("gaps", ["count", "closest_entry", "examples"]),
    "suggested_alternates.csv": ("suggested_alternates", ["entry", "alternate", "count", "after"]),
    "stale_entries.csv": ("stale_entries", ["entry", "review_by", "last_matched", "reasons"]),
    "helpful_topics.csv": ("helpful_topics", ["topic", "count"]),
    "desk_categories.csv": ("desk", ["category", *_DESK_COLUMNS]),
}


def _cell(value: Any) -> Any:
    if isinstance(value, list):
        return " / ".join(str(item) for item in value)
    return "" if value is None else value


def _rows(summary: dict[str, Any], key: str) -> list[dict[str, Any]]:
    return summary["desk"]["by_category"] if key == "desk" else summary[key]


def _write_csv(path: Path, columns: list[str], rows: list[dict[str, Any]]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(column)) for column in columns])
    write_private(path, "\ufeff" + buffer.getvalue())  # the BOM makes Excel read UTF-8


def _table(headers: list[str], rows: list[list[Any]], empty: str) -> str:
    if not rows:
        return f"<p class='empty'>{escape(empty)}</p>"
    head = "".join(f"<th>{escape(header)}</th>" for header in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(str(_cell(value)))}</td>" for value in row) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.1f}%"


def _html(summary: dict[str, Any], lang: Lang) -> str:
    def t(key: str, **values: Any) -> str:
        return catalogue().text(f"insights.{key}", lang, **values)

    questions, desk = summary["questions"], summary["desk"]
    period = summary["period"]
    none = t("none")
    headline = _table(
        [t("total"), *(t(f"outcome.{name}") for name in OUTCOMES), t("self_service_rate")],
        [
            [
                questions["total"],
                *(questions[name] for name in OUTCOMES),
                _percent(questions["self_service_rate"]),
            ]
        ],
        none,
    )
    weeks = _table(
        [t("week"), t("total"), *(t(f"outcome.{name}") for name in OUTCOMES), t("self_service_rate")],
        [
            [
                week["week"],
                week["total"],
                *(week[name] for name in OUTCOMES),
                _percent(week["self_service_rate"]),
            ]
            for week in summary["weeks"]
        ],
        none,
    )

    def ranked(key: str, colour: str, xlabel: str) -> str:
        items = summary[key]
        chart = f"<figure>{ranked_chart(items, colour, xlabel)}</figure>" if items else ""
        return chart + _table([t("entry"), t("count")], [[i["entry"], i["count"]] for i in items], none)

    desk_rows = [
        [
            t("all_categories"),
            *(desk[column] for column in _DESK_COLUMNS[:-1]),
            _percent(desk["reopen_rate"]),
        ],
        *(
            [
                row["category"] or t("no_category"),
                *(row[column] for column in _DESK_COLUMNS[:-1]),
                _percent(row["reopen_rate"]),
            ]
            for row in desk["by_category"]
        ),
    ]
    sections = [
        (t("headline"), headline),
        (t("weeks"), f"<figure>{weekly_chart(summary['weeks'], t)}</figure>{weeks}"),
        (t("most_asked"), ranked("entries_most_asked", "#2e7d32", t("chart.served"))),
        (t("not_helpful"), ranked("entries_not_helpful", "#c62828", t("chart.not_helpful_votes"))),
        (
            t("gaps"),
            _table(
                [t("count"), t("examples"), t("closest")],
                [[g["count"], g["examples"], g["closest_entry"] or "–"] for g in summary["gaps"]],
                none,
            ),
        ),
        (
            t("alternates"),
            _table(
                [t("entry"), t("alternate"), t("count"), t("after")],
                [
                    [a["entry"], a["alternate"], a["count"], t(f"after.{a['after']}") if a["after"] else "–"]
                    for a in summary["suggested_alternates"]
                ],
                none,
            ),
        ),
        (
            t("stale"),
            _table(
                [t("entry"), t("review_by"), t("last_matched"), t("reasons")],
                [
                    [
                        s["entry"],
                        s["review_by"] or "–",
                        s["last_matched"] or "–",
                        " / ".join(t(f"reason.{reason}") for reason in s["reasons"]),
                    ]
                    for s in summary["stale_entries"]
                ],
                none,
            ),
        ),
        (
            t("helpful_topics"),
            _table(
                [t("topic"), t("count")],
                [[item["topic"], item["count"]] for item in summary["helpful_topics"]],
                none,
            ),
        ),
        (
            t("desk"),
            _table(
                [
                    t("category"),
                    t("opened"),
                    t("claimed"),
                    t("answered"),
                    t("resolved"),
                    t("hours_to_claim"),
                    t("hours_to_answer"),
                    t("reopen_rate"),
                ],
                desk_rows,
                none,
            ),
        ),
    ]
    body = "".join(f"<section><h2>{escape(title)}</h2>{content}</section>" for title, content in sections)
    title = t("title", start=period["from"], end=period["to"])
    return (
        f"<!DOCTYPE html><html lang='{lang}'><head><meta charset='utf-8'><title>{escape(title)}</title>"
        f"<style>{_CSS}</style></head><body><h1>{escape(title)}</h1>"
        f"<p>{escape(t('intro'))}</p>{body}</body></html>\n"
    )


_CSS = (
    "body{font-family:sans-serif;margin:2em auto;max-width:60em;color:#212121}"
    "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #bdbdbd;padding:.25em .6em;"
    "text-align:left;vertical-align:top}th{background:#eeeeee}figure{margin:.5em 0}"
    "figure svg{max-width:100%;height:auto}.empty{color:#757575}"
)


def _json_lines(path: Path, records: list[dict[str, Any]]) -> None:
    write_private(path, "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records))


def write_report(
    summary: dict[str, Any], questions: list[dict[str, Any]], directory: Path, lang: Lang
) -> list[Path]:
    """Every file of the report in `directory` (made if missing); returns their paths. `questions`:
    the period's masked questions (`read_past_questions`), written as questions.jsonl.

    Mode 0600 like the other operator commands' files: the texts are masked, but they are still staff's words.
    """
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    summary_path = directory / "summary.json"
    write_private(summary_path, json.dumps(summary, ensure_ascii=False, indent=2) + "\n")
    written.append(summary_path)
    for name, (key, columns) in CSV_TABLES.items():
        _write_csv(directory / name, columns, _rows(summary, key))
        written.append(directory / name)
    suggestions = directory / "suggestions.jsonl"
    _json_lines(
        suggestions,
        [
            {"entry": a["entry"], "alternate": a["alternate"], "count": a["count"]}
            for a in summary["suggested_alternates"]
        ],
    )
    past_questions = directory / "questions.jsonl"
    _json_lines(past_questions, questions)
    written.extend([suggestions, past_questions])
    report = directory / "report.html"
    write_private(report, _html(summary, lang))
    written.append(report)
    return written
