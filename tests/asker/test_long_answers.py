"""An answer longer than one Teams message: the first part, then "More" posts the next over HTTP."""

from __future__ import annotations

from pathlib import Path

import yaml

from devtools.activities import Person, Place, TeamsActivities
from devtools.emulator import ConnectorEmulator
from tests.asker.conversation import Chat, action
from tests.conftest import SettingsFactory
from tests.harness import BotUnderTest

# Mostly ASCII: over Teams' 28 KB in UTF-16, under the 48 KB (UTF-8) a Sudachi tokenizer accepts.
PARAGRAPH = "手順: " + "Open the settings, check the network name, and restart the PC. " * 12


async def test_more_posts_the_rest_of_a_long_answer(
    make_settings: SettingsFactory,
    tmp_path: Path,
    teams: TeamsActivities,
    emulator: ConnectorEmulator,
    alice: Person,
    bob: Person,
    schemas_dir: Path,
):
    answer = "\n\n".join(f"{n}. {PARAGRAPH}" for n in range(30))
    kb = tmp_path / "kb"
    kb.mkdir()
    document = {
        "category": "テスト",
        "lang": "ja",
        "entries": [
            {"id": "long-guide", "question": "長い手順書を見たい", "keywords": ["手順書"], "answer": answer}
        ],
    }
    (kb / "guide.yaml").write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    bot = await BotUnderTest.start(make_settings(knowledge_dir=kb))
    try:
        chat = Chat(bot, teams, emulator, alice, Place.group_chat("team"), schemas_dir)
        card = await chat.card("長い手順書を見たい")
        shown = [card["body"][1]["text"]]
        while any(item.get("verb") == "more" for item in card.get("actions", [])):
            before = len(emulator.messages())
            reply = await chat.click(action(card, "more"), by=bob)  # anyone in the chat may read on
            assert reply.body["value"] == "続きを下に表示しました。"
            (posted,) = emulator.messages()[before:]
            card = posted.cards[0]
            shown.append(card["body"][1]["text"])
        assert len(shown) >= 2
        assert "".join(shown) == answer.strip()  # the loader trims the end of an answer
    finally:
        await bot.close()
