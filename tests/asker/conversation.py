"""Helpers for the asker's conversation tests: post, read the reply's card, click its buttons."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from devtools.activities import Person, Place, TeamsActivities
from devtools.emulator import Call, ConnectorEmulator
from tests.card_schema import assert_valid_card
from tests.harness import BotUnderTest, Reply


def actions_of(card: dict[str, Any]) -> list[dict[str, Any]]:
    """Every action of a card: its own and those of ActionSets in its body."""
    found = list(card.get("actions") or [])
    for element in card.get("body") or []:
        if element.get("type") == "ActionSet":
            found += element["actions"]
    return found


def action(card: dict[str, Any], verb: str, index: int = 0) -> dict[str, Any]:
    matching = [item for item in actions_of(card) if item.get("verb") == verb]
    assert len(matching) > index, (
        f"no action {verb!r} #{index} in {[a.get('verb') for a in actions_of(card)]}"
    )
    return matching[index]


def texts_of(card: dict[str, Any]) -> str:
    """All text a card shows: TextBlocks, and the TextRuns of RichTextBlocks."""
    texts = []
    for element in card.get("body") or []:
        texts.append(element.get("text", ""))
        texts += [inline.get("text", "") for inline in element.get("inlines") or []]
    return "\n".join(texts)


@dataclass
class Chat:
    """One person talking to the bot in one place; every card it sees is checked against the schema."""

    bot: BotUnderTest
    teams: TeamsActivities
    emulator: ConnectorEmulator
    person: Person
    place: Place
    schemas_dir: Path
    locale: str | None = None

    async def say(self, text: str, **options: Any) -> list[Call]:
        before = len(self.emulator.messages())
        options.setdefault("locale", self.locale)
        reply = await self.bot.post(self.teams.message(self.person, text, self.place, **options))
        assert reply.status == 200, reply.body
        replies = self.emulator.messages()[before:]
        for call in replies:
            for card in call.cards:
                assert_valid_card(card, self.schemas_dir)
        return replies

    async def card(self, text: str, **options: Any) -> dict[str, Any]:
        """The one card the bot answers `text` with."""
        cards = [card for call in await self.say(text, **options) for card in call.cards]
        assert len(cards) == 1, cards
        return cards[0]

    async def click(
        self, card_action: dict[str, Any], inputs: dict[str, Any] | None = None, *, by: Person | None = None
    ) -> Reply:
        data = {**(card_action.get("data") or {}), **(inputs or {})}
        activity = self.teams.card_action(
            by or self.person, card_action["verb"], data, self.place, locale=self.locale
        )
        reply = await self.bot.post(activity)
        assert reply.status == 200, reply.body
        assert reply.body["statusCode"] == 200
        if reply.body["type"] == "application/vnd.microsoft.card.adaptive":
            assert_valid_card(reply.body["value"], self.schemas_dir)
        return reply
