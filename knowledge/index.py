"""A BM25 index over several fields, with each term's weighted contribution precomputed.

Scoring a query then only adds up the posting lists of its terms, which keeps a question at
10,000 entries within a few milliseconds in plain Python.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence

Postings = dict[str, dict[int, float]]


def idf(document_count: int, frequency: int) -> float:
    """BM25's inverse document frequency, never negative."""
    return math.log(1.0 + (document_count - frequency + 0.5) / (frequency + 0.5))


def add_field(
    postings: Postings,
    documents: Sequence[Sequence[str]],
    weight: float,
    k1: float,
    b: float,
) -> None:
    """Add one field's weighted BM25 contributions (term -> document -> score) to `postings`."""
    if weight <= 0:
        return
    lengths = [len(terms) for terms in documents]
    average = sum(lengths) / max(len(documents), 1) or 1.0
    counts = [Counter(terms) for terms in documents]
    frequency = Counter(itertools.chain.from_iterable(counts))  # each document's distinct terms
    # weight * idf * (k1 + 1): the part of each contribution that depends on the term alone.
    scale = {term: weight * idf(len(documents), df) * (k1 + 1.0) for term, df in frequency.items()}
    for doc, count in enumerate(counts):
        norm = k1 * (1.0 - b + b * lengths[doc] / average)
        for term, tf in count.items():
            contribution = scale[term] * tf / (tf + norm)
            posting = postings.get(term)
            if posting is None:
                postings[term] = {doc: contribution}
            elif doc in posting:  # the term was in an earlier field of this document
                posting[doc] += contribution
            else:
                posting[doc] = contribution


def accumulate(
    scores: defaultdict[int, float],
    postings: Mapping[str, Mapping[int, float]],
    weighted_terms: Iterable[tuple[str, float]],
) -> None:
    """Add each query term's postings, scaled by the term's query weight, into `scores`."""
    for term, weight in weighted_terms:
        posting = postings.get(term)
        if posting:
            for doc, score in posting.items():
                scores[doc] += score * weight
