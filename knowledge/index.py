"""A BM25 index over several fields, with each term's weighted contribution precomputed.

Each term's entries and contributions sit in two flat numpy arrays (a term is a slice of them):
scoring a question adds a few slices into a dense array of scores, in C, which keeps a question at
10,000 entries well within a few milliseconds, and the arrays take a fraction of the memory of a
dictionary per term.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence

import numpy as np


def idf(document_count: int, frequency: int) -> float:
    """BM25's inverse document frequency, never negative."""
    return math.log(1.0 + (document_count - frequency + 0.5) / (frequency + 0.5))


def distinct(values: np.ndarray) -> np.ndarray:
    """np.unique(values), sorted: numpy 2's np.unique hashes, which at a million values takes
    over a second where sorting takes 20 ms."""
    ordered = np.sort(values)
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))] if len(ordered) else ordered


class Postings:
    """Term -> the entries containing it and its weighted BM25 contribution to each."""

    def __init__(self, fields: Sequence[tuple[Sequence[Sequence[str]], float]], k1: float, b: float) -> None:
        """`fields`: (each entry's terms, field weight), every field listing the same entries; a
        term's contributions add up over the fields."""
        vocabulary: dict[str, int] = {}
        keys, contributions = [], []
        for documents, weight in fields:
            if weight > 0 and documents:
                key, contribution = _field(vocabulary, documents, weight, k1, b)
                keys.append(key)
                contributions.append(contribution)
        count = max((len(documents) for documents, _ in fields), default=0) or 1
        # One (term, entry) pair per key, term-major: summing equal keys adds up the fields, and
        # the sorted keys are each term's slice.
        key, position = np.unique(np.concatenate(keys or [np.zeros(0, np.int64)]), return_inverse=True)
        total = np.bincount(position, weights=np.concatenate(contributions or [np.zeros(0)]))
        self._entries = (key % count).astype(np.int32)
        self._contributions = total
        self._ids = vocabulary
        # Term i's slice is [starts[i], starts[i + 1]): plain ints, read a few times a question.
        self._starts: list[int] = [
            0,
            *np.cumsum(np.bincount(key // count, minlength=len(vocabulary))).tolist(),
        ]

    def __contains__(self, term: object) -> bool:
        return term in self._ids

    def _span(self, term: str) -> tuple[int, int]:
        i = self._ids.get(term)
        return (0, 0) if i is None else (self._starts[i], self._starts[i + 1])

    def frequency(self, term: str) -> int:
        """How many entries contain the term."""
        start, end = self._span(term)
        return end - start

    def add_to(self, scores: np.ndarray, weighted_terms: Iterable[tuple[str, float]]) -> None:
        """Add each term's contributions, scaled by the term's query weight, into `scores`."""
        for term, weight in weighted_terms:
            start, end = self._span(term)
            if start != end:
                # A term lists each entry once, so the fancy-indexed += adds every contribution.
                scores[self._entries[start:end]] += self._contributions[start:end] * weight


def _field(
    vocabulary: dict[str, int], documents: Sequence[Sequence[str]], weight: float, k1: float, b: float
) -> tuple[np.ndarray, np.ndarray]:
    """One field's (term id * entries + entry) keys and weighted BM25 contributions, one per
    distinct term of each entry; new terms are added to `vocabulary`."""
    count = len(documents)
    lengths = np.fromiter(map(len, documents), dtype=np.int64, count=count)
    words = list(itertools.chain.from_iterable(documents))
    for word in dict.fromkeys(words):  # a Python step per distinct word only; the rest runs in C
        vocabulary.setdefault(word, len(vocabulary))
    ids = np.fromiter(map(vocabulary.__getitem__, words), dtype=np.int64, count=len(words))
    key, tf = np.unique(ids * count + np.repeat(np.arange(count), lengths), return_counts=True)
    term, doc = key // count, key % count
    frequency = np.bincount(term, minlength=len(vocabulary))[term]  # entries with the term
    idf = np.log(1.0 + (count - frequency + 0.5) / (frequency + 0.5))
    norm = k1 * (1.0 - b + b * lengths / (lengths.mean() or 1.0))
    return key, weight * idf * (k1 + 1.0) * tf / (tf + norm[doc])


class TermSets:
    """Each entry's distinct terms, as term ids in one flat array (a frozenset per entry took
    twenty times the memory: 43 MB at 10,000 entries)."""

    def __init__(self, documents: Sequence[Iterable[str]], ids: dict[str, int]) -> None:
        """`ids`: term -> id, shared by several sets; new terms are added to it."""
        rows = [set(terms) for terms in documents]
        for term in dict.fromkeys(itertools.chain.from_iterable(rows)):  # Python per distinct term only
            ids.setdefault(term, len(ids))
        self._ends = np.cumsum([len(row) for row in rows], dtype=np.int64)
        total = int(self._ends[-1]) if rows else 0
        terms = itertools.chain.from_iterable(rows)
        self._ids = np.fromiter(map(ids.__getitem__, terms), dtype=np.int32, count=total)

    def of(self, doc: int) -> frozenset[int]:
        """The term ids of one entry."""
        start = int(self._ends[doc - 1]) if doc else 0
        return frozenset(self._ids[start : self._ends[doc]].tolist())

    def ids(self) -> np.ndarray:
        """Every term id that some entry has, once."""
        return distinct(self._ids)

    def keys(self) -> np.ndarray:
        """term id * entries + entry, one per term of each entry."""
        entries = np.repeat(np.arange(len(self._ends)), np.diff(self._ends, prepend=0))
        return self._ids.astype(np.int64) * max(len(self._ends), 1) + entries
