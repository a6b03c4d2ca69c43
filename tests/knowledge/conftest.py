from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from knowledge import KnowledgeBase, Matcher, load

FIXTURES = Path(__file__).parent / "fixtures"
FIXTURE_KB = FIXTURES / "kb"

WriteKb = Callable[..., Path]


@pytest.fixture
def write_kb(tmp_path: Path) -> WriteKb:
    """Write {file name: text or bytes} into a fresh knowledge-base folder and return it."""

    def write(files: dict[str, str | bytes], folder: str = "kb") -> Path:
        root = tmp_path / folder
        for name, content in files.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        root.mkdir(parents=True, exist_ok=True)
        return root

    return write


@pytest.fixture(scope="session")
def fixture_kb() -> KnowledgeBase:
    return load(FIXTURE_KB)


@pytest.fixture(scope="session")
def matcher(fixture_kb: KnowledgeBase) -> Matcher:
    return Matcher(fixture_kb)
