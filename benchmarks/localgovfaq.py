"""LocalgovFAQ retrieval benchmark: the engine's ranking against plain BM25 in the same run.

    python -m benchmarks.localgovfaq /tmp/localgovfaq [--split dev|test|all] [--semantic on|off]
        [--set NAME=VALUE ...]

DATA is a folder with corpus.json, queries.json and qrels.json (see
../shared/benchmarks/localgovfaq/README.md; never commit them). Split: test = odd query ids,
dev = even ids; tune on dev only. The adapter maps each FAQ into an Entry (question and answer
split on "Question:"/"Answer:") and nothing else: the ranking measured is the engine's own. With
the semantic layer on (the default, as in the bot) query times include embedding the question; the
vectors of the FAQ and the queries are kept in data/benchmark-vectors/ between runs.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from sudachipy import Dictionary, SplitMode

from benchmarks.common import machine, percentile, settings_with
from benchmarks.embedding_cache import CachedEmbedder
from knowledge import Entry, KnowledgeBase, Matcher
from knowledge.index import Postings

Ranker = Callable[[str], list[str]]
DEPTH = 10


def read(data: Path) -> tuple[dict[str, str], dict[str, str], dict[str, dict[str, int]]]:
    def load(name: str) -> dict:
        return json.loads((data / name).read_text(encoding="utf-8"))

    return load("corpus.json"), load("queries.json"), load("qrels.json")


def to_entries(corpus: dict[str, str]) -> tuple[Entry, ...]:
    entries = []
    for faq_id, text in corpus.items():
        question, _, answer = text.partition("\nAnswer:")
        entries.append(
            Entry(id=faq_id, question=question.removeprefix("Question:").strip(), answer=answer.strip())
        )
    return tuple(entries)


def bm25_baseline(entries: Sequence[Entry]) -> Ranker:
    """Plain BM25 over SudachiPy split-mode-A normalized forms of question + answer."""
    tokenizer = Dictionary().tokenizer(mode=SplitMode.A)
    skipped = {"助詞", "助動詞", "補助記号", "空白"}

    def terms(text: str) -> list[str]:
        return [m.normalized_form() for m in tokenizer.tokenize(text) if m.part_of_speech()[0] not in skipped]

    postings = Postings((([terms(f"{e.question}\n{e.answer}") for e in entries], 1.0),), 1.2, 0.75)

    def rank(query: str) -> list[str]:
        scores = np.zeros(len(entries))
        postings.add_to(scores, ((t, 1.0) for t in dict.fromkeys(terms(query))))
        best = np.argsort(-scores, kind="stable")[:DEPTH]
        return [entries[doc].id for doc in best if scores[doc] > 0]

    return rank


def engine(entries: Sequence[Entry], overrides: list[str], embedder: CachedEmbedder | None) -> Ranker:
    matcher = Matcher(
        KnowledgeBase(directory="localgovfaq", entries=tuple(entries)),
        settings_with(overrides),
        embedder=embedder,
    )

    def rank(query: str) -> list[str]:
        return [hit.entry.id for hit in matcher.ask(query, top=DEPTH).hits]

    return rank


def measure(rank: Ranker, queries: dict[str, str], qrels: dict[str, dict[str, int]]) -> dict[str, float]:
    p1 = hit3 = hit5 = mrr = ndcg = 0.0
    times = []
    for query_id, query in queries.items():
        started = time.perf_counter()
        ranked = rank(query)
        times.append((time.perf_counter() - started) * 1000)
        grades = qrels.get(query_id, {})
        relevant = [doc in grades for doc in ranked]
        p1 += relevant[:1] == [True]
        hit3 += any(relevant[:3])
        hit5 += any(relevant[:5])
        mrr += next((1 / r for r, ok in enumerate(relevant, 1) if ok), 0.0)
        dcg = sum((2 ** grades.get(doc, 0) - 1) / math.log2(r + 1) for r, doc in enumerate(ranked[:DEPTH], 1))
        ideal = sorted(grades.values(), reverse=True)[:DEPTH]
        idcg = sum((2**g - 1) / math.log2(r + 1) for r, g in enumerate(ideal, 1))
        ndcg += dcg / idcg if idcg else 0.0
    n = len(queries)
    return {
        "P@1": p1 / n,
        "Hit@3": hit3 / n,
        "Hit@5": hit5 / n,
        "MRR@10": mrr / n,
        "nDCG@10": ndcg / n,
        "ms mean": statistics.fmean(times),
        "ms p99": percentile(times, 0.99),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", type=Path)
    parser.add_argument("--split", choices=("dev", "test", "all"), default="dev")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a MatchSettings field (tuning on dev)",
    )
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument(
        "--semantic", choices=("on", "off"), default="on", help="the semantic layer (vectors cached on disk)"
    )
    args = parser.parse_args()
    embedder = CachedEmbedder.shipped() if args.semantic == "on" else None
    corpus, queries, qrels = read(args.data)
    parity = {"dev": 0, "test": 1}.get(args.split)
    chosen = {q: text for q, text in queries.items() if parity is None or int(q) % 2 == parity}
    entries = to_entries(corpus)
    print(f"# LocalgovFAQ {args.split}: {len(chosen)} queries, {len(entries)} FAQs")
    print(f"# machine: {machine()}")
    print(f"# settings overrides: {args.set or 'none'}")
    systems = {} if args.no_baseline else {"BM25 (Sudachi A normalized, q+a)": bm25_baseline}
    systems[f"Kotae matcher (semantic {args.semantic})"] = lambda e: engine(e, args.set, embedder)
    print("| system | P@1 | Hit@3 | Hit@5 | MRR@10 | nDCG@10 | ms mean | ms p99 |")
    print("|---|---|---|---|---|---|---|---|")
    for name, build in systems.items():
        metrics = measure(build(entries), chosen, qrels)
        cells = " | ".join(f"{v:.3f}" if "ms" not in k else f"{v:.2f}" for k, v in metrics.items())
        print(f"| {name} | {cells} |")
    if embedder is not None:
        embedder.save()


if __name__ == "__main__":
    main()
