"""Knowledge gaps: questions nothing answered, grouped by similarity (rapidfuzz), biggest group first."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from knowledge.normalize import normalize

__all__ = ["Gap", "group_gaps"]

# Two questions whose folded texts are at least this similar (0..100) are one gap.
SIMILAR = 70.0
EXAMPLES = 3


@dataclass(frozen=True, slots=True)
class Gap:
    count: int
    examples: tuple[str, ...]  # masked, the most frequent first
    closest_entry: str | None  # the entry the matcher ranked first most often for these questions


def group_gaps(questions: Sequence[tuple[str, str | None]], limit: int = 50) -> list[Gap]:
    """`questions`: (masked text, the matcher's first entry) of each unanswered question."""
    texts = Counter(text for text, _ in questions)
    closest: dict[str, Counter[str]] = {}
    for text, entry in questions:
        if entry is not None:
            closest.setdefault(text, Counter())[entry] += 1
    heads: list[str] = []  # each group's first (most frequent) folded text
    members: list[list[str]] = []
    for text, _ in texts.most_common():
        folded = normalize(text)
        found = process.extractOne(folded, heads, scorer=fuzz.ratio, score_cutoff=SIMILAR) if heads else None
        if found is None:
            heads.append(folded)
            members.append([text])
        else:
            members[found[2]].append(text)
    gaps = []
    for group in members:
        entries: Counter[str] = Counter()
        for text in group:
            entries.update(closest.get(text, Counter()))
        gaps.append(
            Gap(
                count=sum(texts[text] for text in group),
                examples=tuple(group[:EXAMPLES]),
                closest_entry=entries.most_common(1)[0][0] if entries else None,
            )
        )
    gaps.sort(key=lambda gap: -gap.count)
    return gaps[:limit]
