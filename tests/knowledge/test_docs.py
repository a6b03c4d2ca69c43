"""docs/knowledge.md documents every setting and every problem code the code has."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from knowledge import MatchSettings
from knowledge.messages import problem_codes

DOC = (Path(__file__).parents[2] / "docs" / "knowledge.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("field", [f.name for f in dataclasses.fields(MatchSettings)])
def test_every_setting_is_documented_with_its_default(field: str) -> None:
    default = getattr(MatchSettings(), field)
    shown = str(default).replace("-", "−")
    assert f"| `{field}` | {shown} |" in DOC


@pytest.mark.parametrize("code", problem_codes())
def test_every_problem_code_is_documented(code: str) -> None:
    assert f"| `{code}` |" in DOC
