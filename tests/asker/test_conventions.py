"""The asker's conventions: every asker text key is used and exists."""

from __future__ import annotations

import re

from bot.i18n import catalogue
from tests.conftest import REPO

_KEY = re.compile(r"[\"'](asker\.[a-z_.]+)(?=[\"'{])")


def _literals() -> set[str]:
    found: set[str] = set()
    for path in (REPO / "bot").rglob("*.py"):
        found |= set(_KEY.findall(path.read_text(encoding="utf-8")))
    return found


def test_every_asker_text_is_used_and_every_used_key_exists():
    keys = {key for key in catalogue().texts if key.startswith("asker.")}
    literals = _literals()
    # Keys built at run time end in a separator: asker.state.{state}, asker.language.name_{lang}.
    prefixes = {literal for literal in literals if literal.endswith((".", "_"))}
    used = {key for key in keys if key in literals or any(key.startswith(prefix) for prefix in prefixes)}
    assert keys - used == set(), "catalogue keys nothing uses"
    assert {literal for literal in literals - prefixes if literal not in keys} == set(), "keys missing"
    assert all(any(key.startswith(prefix) for key in keys) for prefix in prefixes)
