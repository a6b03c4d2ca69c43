"""Which colleagues to ask about an escalated question: pure ranking over candidate helpers.

A helper's match is their best topic's: the share of the topic's words (as the knowledge analyzer
reads them, so Excel and エクセル are one word) found in the question; a topic that names the
question's FAQ category matches fully. Above the threshold, helpers rank by match, then by closeness
to the asker (the asker's team), then by who was asked least recently; at most `limit` are asked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

__all__ = ["HELPERS_PER_QUESTION", "Helper", "Match", "rank", "topic_match"]

HELPERS_PER_QUESTION = 3
_NEVER = datetime.min.replace(tzinfo=UTC)

Terms = Callable[[str], frozenset[str]]


@dataclass(frozen=True, slots=True)
class Helper:
    """A colleague who may be asked: available, not the asker, under the daily cap, reachable."""

    aad_object_id: str
    topics: Sequence[str]  # their topics' labels
    team_ids: Sequence[str]
    last_asked_at: datetime | None


@dataclass(frozen=True, slots=True)
class Match:
    aad_object_id: str
    score: float
    topic: str  # the helper's topic that matched best (the insights report counts answers by topic)


def topic_match(topic_terms: frozenset[str], question_terms: frozenset[str]) -> float:
    if not topic_terms:
        return 0.0
    return len(topic_terms & question_terms) / len(topic_terms)


def rank(
    helpers: Iterable[Helper],
    question: str,
    terms: Terms,
    *,
    category_key: str | None,
    team_id: str | None,
    threshold: float,
    topic_key: Callable[[str], str],
    limit: int = HELPERS_PER_QUESTION,
) -> list[Match]:
    """The best `limit` helpers for `question` whose match reaches `threshold`."""
    question_terms = terms(question)
    scored: list[tuple[tuple[float, int, datetime], Match]] = []
    for helper in helpers:
        score, topic = max(
            (
                (
                    1.0
                    if category_key and topic_key(label) == category_key
                    else topic_match(terms(label), question_terms),
                    label,
                )
                for label in helper.topics
            ),
            default=(0.0, ""),
        )
        if score <= 0 or score < threshold:
            continue
        nearby = 0 if team_id and team_id in helper.team_ids else 1
        order = (-score, nearby, helper.last_asked_at or _NEVER)
        scored.append((order, Match(helper.aad_object_id, round(score, 4), topic)))
    scored.sort(key=lambda item: item[0])
    return [match for _, match in scored[:limit]]
