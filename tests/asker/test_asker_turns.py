"""The router and the asker's handlers driven through Kotae's turn interface, without the SDK: the
running service's own router (`Runtime.bot`), given a recording turn instead of an HTTP request."""

from __future__ import annotations

from bot.handler import KotaeBot
from bot.i18n import catalogue
from bot.turn import Sender
from tests.harness import BotUnderTest
from tests.turns import RecordingTurn, incoming


async def _message(router: KotaeBot, turn: RecordingTurn) -> RecordingTurn:
    await router.message(turn, await router.begin(turn))
    return turn


async def test_a_greeting_in_a_chat_is_answered_in_the_chats_language(bot: BotUnderTest) -> None:
    turn = await _message(bot.runtime.bot, RecordingTurn(incoming(text="こんにちは")))
    assert turn.sent == [catalogue().text("asker.greeting", "ja")]
    english = await _message(bot.runtime.bot, RecordingTurn(incoming(text="hello", locale="en-US")))
    assert english.sent == [catalogue().text("asker.greeting", "en")]


async def test_a_channel_message_that_does_not_mention_the_bot_gets_no_answer(bot: BotUnderTest) -> None:
    activity = incoming(
        text="こんにちは", conversation_type="channel", conversation_id="19:general@thread.tacv2"
    )
    assert (await _message(bot.runtime.bot, RecordingTurn(activity))).sent == []


async def test_commands_route_by_the_table(bot: BotUnderTest) -> None:
    [help_card] = (await _message(bot.runtime.bot, RecordingTurn(incoming(text="help")))).cards()
    assert help_card["type"] == "AdaptiveCard"
    cancel = await _message(bot.runtime.bot, RecordingTurn(incoming(text="cancel")))
    assert cancel.sent == [catalogue().text("asker.cancel.nothing", "ja")]


async def test_a_click_on_an_unknown_verb_is_answered_politely(bot: BotUnderTest) -> None:
    turn = RecordingTurn(
        incoming(type="invoke", name="adaptiveCard/action", value={"action": {"verb": "explode"}})
    )
    router = bot.runtime.bot
    answer = await router.card_action(turn, await router.begin(turn))
    assert answer["value"] == catalogue().text("card.unknown_action", "ja")
    assert turn.sent == []


async def test_a_click_on_someone_elses_card_changes_nothing(bot: BotUnderTest) -> None:
    turn = RecordingTurn(incoming(type="invoke", sender=Sender("29:asker", "aad-asker", "質問 する人")))
    answer = await bot.runtime.bot.verbs["cancel"](turn, {"asker": "aad-someone-else", "key": "k"}, "ja")
    assert answer["value"] == catalogue().text("asker.not_yours", "ja")


async def test_the_bot_welcomes_once_per_install(bot: BotUnderTest) -> None:
    router = bot.runtime.bot
    added = incoming(type="conversationUpdate", conversation_id="a:new-chat", members_added=("28:kotae",))
    first, second = RecordingTurn(added), RecordingTurn(added)
    await router.conversation_update(first, await router.begin(first))
    await router.installed(second, await router.begin(second))
    assert len(first.cards()) == 1
    assert second.sent == []
