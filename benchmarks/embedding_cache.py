"""The shipped embedder with its vectors kept on disk between benchmark runs.

Embedding a knowledge base of 1,786 questions and its 749 test questions takes minutes on this
machine; the benchmarks re-rank the same texts many times. Vectors are keyed by the model's name,
whether the text is a query, and the text's digest, in data/benchmark-vectors/ (never committed).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from knowledge.semantic import DIMENSIONS, E5Embedder, digest

CACHE = Path(__file__).resolve().parent.parent / "data" / "benchmark-vectors"


class CachedEmbedder:
    def __init__(self, inner: E5Embedder, folder: Path = CACHE) -> None:
        self._inner = inner
        self._path = folder / (inner.name.replace("/", "_") + ".npz")
        self._known: dict[str, np.ndarray] = {}
        if self._path.exists():
            with np.load(self._path) as saved:
                self._known = dict(zip(saved["keys"].tolist(), saved["vectors"], strict=True))

    @classmethod
    def shipped(cls) -> CachedEmbedder:
        return cls(E5Embedder())

    @property
    def name(self) -> str:
        return self._inner.name

    def embed(self, texts: Sequence[str], *, query: bool) -> np.ndarray:
        keys = [("q" if query else "p") + digest(text).hex() for text in texts]
        missing = [i for i, key in enumerate(keys) if key not in self._known]
        if missing:
            vectors = self._inner.embed([texts[i] for i in missing], query=query)
            self._known.update(zip((keys[i] for i in missing), vectors, strict=True))
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        return np.stack([self._known[key] for key in keys])

    def save(self) -> None:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        keys = np.array(list(self._known))
        vectors = np.stack(list(self._known.values())) if self._known else np.zeros((0, DIMENSIONS))
        np.savez(self._path, keys=keys, vectors=vectors)
