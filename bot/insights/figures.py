"""The report's figures from the period's rows: pure functions, one per table (keys: docs/insights.md)."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.insights.gaps import group_gaps
from bot.insights.rows import QuestionRow, TicketRow
from bot.tickets.business_hours import BusinessCalendar
from knowledge import Entry

__all__ = ["OUTCOMES", "STALE_AFTER_DAYS", "outcome_of", "past_questions", "summarize"]

OUTCOMES = ("answered", "resolved_by_choice", "escalated", "abandoned")
STALE_AFTER_DAYS = 90
TOP = 20


def outcome_of(row: QuestionRow) -> str:
    """One of OUTCOMES: a ticket wins, then a pick, then an answer nobody called unhelpful."""
    if row.ticket_id is not None:
        return "escalated"
    if row.picked_entry is not None:
        return "resolved_by_choice"
    if row.decision == "answer" and row.vote != "not_helpful":
        return "answered"
    return "abandoned"


def past_questions(rows: Iterable[QuestionRow]) -> list[dict[str, Any]]:
    """The (masked) texts not purged yet, each with its language and how often it was asked, most asked
    first: `{"query", "lang", "count"}`, what `python -m knowledge diff --questions` reads."""
    counts = Counter((row.question, row.lang) for row in rows if row.question is not None)
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [{"query": question, "lang": lang, "count": count} for (question, lang), count in ranked]


def _unanswered(row: QuestionRow) -> bool:
    return outcome_of(row) in ("escalated", "abandoned")


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _counts(rows: Sequence[QuestionRow]) -> dict[str, Any]:
    outcomes = Counter(outcome_of(row) for row in rows)
    served = outcomes["answered"] + outcomes["resolved_by_choice"]
    return {
        "total": len(rows),
        **{name: outcomes[name] for name in OUTCOMES},
        "self_service_rate": _rate(served, len(rows)),
    }


def _week(moment: datetime, zone: ZoneInfo) -> date:
    day = moment.astimezone(zone).date()
    return day - timedelta(days=day.weekday())


def _ranked(counter: Counter[str], key: str) -> list[dict[str, Any]]:
    return [
        {key: name, "count": count} for name, count in sorted(counter.items(), key=lambda i: (-i[1], i[0]))
    ]


def _served_entry(row: QuestionRow) -> str | None:
    if row.picked_entry is not None:
        return row.picked_entry
    return row.top_entry if row.decision == "answer" else None


def _alternates(rows: Iterable[QuestionRow]) -> list[dict[str, Any]]:
    """A pick's wording is an alternate its entry lacked (purged texts cannot be suggested)."""
    picks = Counter(
        (row.picked_entry, row.question.strip(), row.picked_after)
        for row in rows
        if row.picked_entry and row.question and row.question.strip()
    )
    return [
        {"entry": entry, "alternate": text, "count": count, "after": after}
        for (entry, text, after), count in sorted(picks.items(), key=lambda i: (-i[1], i[0][0], i[0][1]))
    ]


def _stale(entries: Sequence[Entry], matched: dict[str, datetime], until: datetime) -> list[dict[str, Any]]:
    since = until - timedelta(days=STALE_AFTER_DAYS)
    stale = []
    for entry in sorted(entries, key=lambda item: item.id):
        last = matched.get(entry.id)
        reasons = []
        if entry.review_by is not None and entry.review_by < until.date():
            reasons.append("review_by_passed")
        if last is None or last < since:
            reasons.append("not_matched")
        if reasons:
            stale.append(
                {
                    "entry": entry.id,
                    "review_by": entry.review_by.isoformat() if entry.review_by else None,
                    "last_matched": last.isoformat() if last else None,
                    "reasons": reasons,
                }
            )
    return stale


def _median_hours(values: list[float]) -> float | None:
    return round(statistics.median(values) / 3600, 2) if values else None


def _desk(tickets: Sequence[TicketRow], calendar: BusinessCalendar) -> dict[str, Any]:
    def block(group: Sequence[TicketRow]) -> dict[str, Any]:
        claimed = [t for t in group if t.claimed_at]
        answered = [t for t in group if t.answered_at]
        return {
            "opened": len(group),
            "claimed": len(claimed),
            "answered": len(answered),
            "resolved": sum(1 for t in group if t.resolved_at),
            "median_business_hours_to_claim": _median_hours(
                [calendar.open_seconds(t.created_at, t.claimed_at) for t in claimed if t.claimed_at]
            ),
            "median_business_hours_to_answer": _median_hours(
                [calendar.open_seconds(t.created_at, t.answered_at) for t in answered if t.answered_at]
            ),
            "reopen_rate": _rate(sum(1 for t in answered if t.reopened), len(answered)),
        }

    categories = sorted({t.category or "" for t in tickets})
    return {
        **block(tickets),
        "by_category": [
            {"category": name or None, **block([t for t in tickets if (t.category or "") == name])}
            for name in categories
        ],
    }


def summarize(
    *,
    rows: Sequence[QuestionRow],
    tickets: Sequence[TicketRow],
    entries: Sequence[Entry],
    matched: dict[str, datetime],
    topics: dict[str, int],
    first_day: date,
    last_day: date,
    until: datetime,
    calendar: BusinessCalendar,
) -> dict[str, Any]:
    zone = calendar.zone
    weeks: dict[date, list[QuestionRow]] = {}
    monday = first_day - timedelta(days=first_day.weekday())
    while monday <= last_day:
        weeks[monday] = []
        monday += timedelta(days=7)
    for row in rows:
        weeks.setdefault(_week(row.asked_at, zone), []).append(row)
    gaps = group_gaps([(row.question, row.top_entry) for row in rows if _unanswered(row) and row.question])
    return {
        "period": {"from": first_day.isoformat(), "to": last_day.isoformat(), "timezone": zone.key},
        "questions": {
            **_counts(rows),
            "by_decision": dict(sorted(Counter(row.decision for row in rows).items())),
            "by_scope": dict(sorted(Counter(row.scope for row in rows).items())),
            "by_language": dict(sorted(Counter(row.lang for row in rows).items())),
            "helpful_votes": sum(1 for row in rows if row.vote == "helpful"),
            "not_helpful_votes": sum(1 for row in rows if row.vote == "not_helpful"),
            "texts_purged": sum(1 for row in rows if row.question is None),
        },
        "weeks": [{"week": week.isoformat(), **_counts(group)} for week, group in sorted(weeks.items())],
        "entries_most_asked": _ranked(Counter(e for row in rows if (e := _served_entry(row))), "entry")[:TOP],
        "entries_not_helpful": _ranked(
            Counter(row.voted_entry for row in rows if row.vote == "not_helpful" and row.voted_entry), "entry"
        )[:TOP],
        "gaps": [
            {"count": gap.count, "examples": list(gap.examples), "closest_entry": gap.closest_entry}
            for gap in gaps
        ],
        "suggested_alternates": _alternates(rows),
        "stale_entries": _stale(entries, matched, until),
        "helpful_topics": _ranked(Counter(topics), "topic")[:TOP],
        "desk": _desk(tickets, calendar),
    }
