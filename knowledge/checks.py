"""Checks that find what makes the bot worse without making the knowledge base invalid."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from rapidfuzz import fuzz, process

from knowledge.model import Entry
from knowledge.normalize import normalize

NEAR_DUPLICATE_SIMILARITY = 90  # rapidfuzz ratio on normalised questions, 0..100

_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)+\|?\s*$")
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")


def markdown_problems(markdown: str) -> Iterator[tuple[int, str]]:
    """(0-based line offset, code) for Markdown that Teams cards do not render."""
    for offset, line in enumerate(markdown.splitlines()):
        if _TABLE_RULE.match(line):
            yield max(offset - 1, 0), "markdown-table"  # the header row above the rule
        if _IMAGE.search(line):
            yield offset, "markdown-image"


def near_duplicates(entries: Sequence[Entry]) -> Iterator[tuple[Entry, Entry, int]]:
    """(later entry, earlier entry, similarity %) for different questions that read almost alike.

    Identical questions are errors reported elsewhere; this finds those a typo or particle apart.
    """
    keys = [normalize(entry.question) for entry in entries]
    for index in range(1, len(entries)):
        earlier = process.extract(
            keys[index],
            keys[:index],
            scorer=fuzz.ratio,
            score_cutoff=NEAR_DUPLICATE_SIMILARITY,
            limit=None,
        )
        for key, similarity, other in earlier:
            if key != keys[index]:
                yield entries[index], entries[other], round(similarity)
