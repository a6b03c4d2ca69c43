"""docs/knowhow.md keeps up with the code: every know-how setting is in it."""

from __future__ import annotations

from bot.config import Settings
from tests.conftest import REPO

DOC = (REPO / "docs" / "knowhow.md").read_text(encoding="utf-8")


def test_every_knowhow_setting_is_documented() -> None:
    names = [str(field.validation_alias) for field in Settings.model_fields.values()]
    knowhow = [name for name in names if name.startswith("KOTAE_KNOWHOW_")]
    assert knowhow
    assert [name for name in knowhow if f"| `{name}` |" not in DOC] == []


def test_the_commands_are_documented() -> None:
    for command in ("`know-how` / `ノウハウ`", "`idea …` / `提案 …`"):
        assert command in DOC
