"""docs/cards.md documents every card verb the running bot answers."""

from __future__ import annotations

import re

from tests.conftest import REPO
from tests.harness import BotUnderTest


def test_every_verb_is_documented(bot: BotUnderTest):
    document = (REPO / "docs" / "cards.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([a-z_]+)` \|", document, flags=re.MULTILINE))
    assert set(bot.runtime.bot.verbs) - documented == set(), "verbs missing from docs/cards.md"
