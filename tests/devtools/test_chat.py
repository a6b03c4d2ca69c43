"""The terminal chat end to end: the real app over HTTP, the connector emulator, lines typed in a queue.

A small recording proxy sits between the chat and the bot, so the tests can check what the chat posted
(the bot itself answers everything). Proactive messages are sent to the emulator exactly as the bot
sends them, which the chat cannot tell apart from the bot's own.
"""

from __future__ import annotations

import asyncio
import re
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from bot.cards.base import card, execute_action, heading, open_url_action
from bot.invoke import CARD_TYPE
from devtools.activities import Place
from devtools.chat import (
    DEFAULT_ICT_CHANNEL,
    HELPER,
    ICT_STAFF,
    STAFF,
    ChatOptions,
    Console,
    run_chat,
)
from devtools.emulator import ConnectorEmulator
from tests.conftest import AUTHENTICATED, SettingsFactory
from tests.harness import BotUnderTest

STAFF_CONVERSATION = Place.personal(STAFF).conversation_id


@dataclass
class Terminal:
    """Lines to type and the text the chat wrote; `expect` waits for text after what was expected last."""

    lines: asyncio.Queue[str | None] = field(default_factory=asyncio.Queue)
    output: list[str] = field(default_factory=list)
    _written: asyncio.Event = field(default_factory=asyncio.Event)
    _cursor: int = 0

    @property
    def text(self) -> str:
        return "".join(self.output)

    def write(self, text: str) -> None:
        self.output.append(text)
        self._written.set()

    def type(self, *lines: str) -> None:
        for line in lines:
            self.lines.put_nowait(line)

    async def expect(self, fragment: str, timeout: float = 5.0) -> str:
        """Wait for `fragment`; the output from the previous expectation up to and including it."""
        async with asyncio.timeout(timeout):
            while (found := self.text.find(fragment, self._cursor)) < 0:
                self._written.clear()
                await self._written.wait()
        start, self._cursor = self._cursor, found + len(fragment)
        return self.text[start : self._cursor]


@dataclass
class Recorder:
    """A pass-through proxy to the bot that keeps every activity the chat posted."""

    bot: BotUnderTest
    posted: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""
    _arrived: asyncio.Event = field(default_factory=asyncio.Event)

    async def forward(self, request: web.Request) -> web.Response:
        body = await request.read()
        if request.path == "/api/messages":
            self.posted.append(await request.json())
            self._arrived.set()
        async with self.bot.http.request(
            request.method,
            f"{self.bot.url}{request.path}",
            data=body,
            headers={"Content-Type": "application/json"},
        ) as response:
            return web.Response(
                status=response.status, body=await response.read(), content_type=response.content_type
            )

    async def invoke(self, verb: str, timeout: float = 5.0) -> dict[str, Any]:
        """The first card action with `verb` the chat posted, waiting for it if need be."""
        async with asyncio.timeout(timeout):
            while True:
                for post in self.posted:
                    if post["type"] == "invoke" and post["value"]["action"]["verb"] == verb:
                        return post
                self._arrived.clear()
                await self._arrived.wait()


@pytest.fixture
async def kotae(make_settings: SettingsFactory) -> AsyncIterator[BotUnderTest]:
    running = await BotUnderTest.start(
        make_settings(ict_channel_id=DEFAULT_ICT_CHANNEL, outbox_poll_seconds=0.05)
    )
    yield running
    await running.close()


@pytest.fixture
async def recorder(kotae: BotUnderTest) -> AsyncIterator[Recorder]:
    recorder = Recorder(kotae)
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", recorder.forward)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    recorder.url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    yield recorder
    await runner.cleanup()


@pytest.fixture
async def chat(recorder: Recorder, emulator: ConnectorEmulator) -> AsyncIterator[Terminal]:
    """The chat running against the bot as staff; the test types into it and reads what it wrote."""
    terminal = Terminal()
    task = asyncio.create_task(
        run_chat(
            ChatOptions(bot_url=recorder.url),
            emulator=emulator,
            read=terminal.lines.get,
            console=Console(terminal.write),
        )
    )
    yield terminal
    terminal.type("/quit")
    assert await asyncio.wait_for(task, 5) == 0


async def bot_sends(
    emulator: ConnectorEmulator, path: str, payload: dict[str, Any], method: str = "POST"
) -> Any:
    """Make the call the bot makes to the connector for a proactive message, a new thread or an update."""
    async with (
        aiohttp.ClientSession() as http,
        http.request(method, f"{emulator.url}{path.lstrip('/')}", json=payload) as response,
    ):
        assert response.status < 300
        return await response.json()


def card_message(content: dict[str, Any]) -> dict[str, Any]:
    return {"type": "message", "attachments": [{"contentType": CARD_TYPE, "content": content}]}


QUESTION_CARD = card(
    [heading("追加の情報"), {"type": "Input.Text", "id": "note", "placeholder": "補足があれば"}],
    [
        execute_action("送る", "no-such-verb", {"ticket": 7}),
        open_url_action("手順書", "https://example.lg.jp/wifi"),
    ],
)


def number_of(button: str, text: str) -> str:
    """The number the chat gave the last button titled `button` in `text`."""
    return re.findall(rf"\[(\d+)\] {re.escape(button)}", text)[-1]


async def test_staff_sees_the_welcome_help_and_an_answer_whose_buttons_click(
    chat: Terminal, recorder: Recorder
):
    welcome = await chat.expect("│ - Wi-Fiにつながらない")
    assert "Kotae ▸ 1:1 with 山田 花子" in welcome
    assert "│ **こんにちは、Kotae(答え)です**" in welcome
    assert recorder.posted[0]["type"] == "installationUpdate"

    chat.type("help")
    assert "│ **Kotae の使い方**" in await chat.expect("│ - **ヘルプ**: この説明を表示します")

    chat.type("Wi-Fiにつながらない")  # the welcome's own example: the FAQ answers it
    answer = await chat.expect("] 解決しない")
    assert recorder.posted[-1]["text"] == "Wi-Fiにつながらない"
    assert "Kotae ▸ 1:1 with 山田 花子\n  │ **" in answer  # a card with a title
    chat.type(number_of("解決した", answer))
    await chat.expect("山田 花子 clicks “解決した”.")
    await chat.expect("Kotae ▸ 1:1 with 山田 花子 (")  # the bot's answer to the click
    vote = await recorder.invoke("helpful")
    assert vote["from"]["aadObjectId"] == STAFF.aad_object_id
    assert vote["value"]["action"]["data"]["asker"] == STAFF.aad_object_id


async def test_a_proactive_card_with_an_input_a_link_and_then_an_update(
    chat: Terminal, recorder: Recorder, emulator: ConnectorEmulator
):
    await chat.expect("│ - Wi-Fiにつながらない")
    # A proactive card arrives between turns, with an input, a button and a link.
    sent = await bot_sends(
        emulator, f"/v3/conversations/{STAFF_CONVERSATION}/activities", card_message(QUESTION_CARD)
    )
    shown = await chat.expect("[2] 手順書  https://example.lg.jp/wifi")
    assert "│ [note] 補足があれば" in shown
    assert "│ [1] 送る" in shown

    chat.type("2")
    await chat.expect("Open this in your browser: https://example.lg.jp/wifi")
    chat.type("1")
    await chat.expect("Fill in the card")
    chat.type("５階の会議室です")
    answer = await chat.expect("このボタンは古いか、もう使えません。")
    assert "(only you see this)" in answer
    click = recorder.posted[-1]
    assert click["type"] == "invoke"
    assert click["from"]["aadObjectId"] == STAFF.aad_object_id
    assert click["conversation"]["id"] == STAFF_CONVERSATION
    assert click["replyToId"] == sent["id"]
    assert click["value"]["action"]["verb"] == "no-such-verb"
    assert click["value"]["action"]["data"] == {"ticket": 7, "note": "５階の会議室です"}

    # The bot updates the card: its old buttons are gone, the new version's are numbered on.
    updated = card([heading("送信済み")], [execute_action("取り消す", "no-such-verb")])
    await bot_sends(
        emulator,
        f"/v3/conversations/{STAFF_CONVERSATION}/activities/{sent['id']}",
        {**card_message(updated), "id": sent["id"]},
        method="PUT",
    )
    assert "(updated its message)" in await chat.expect("│ [3] 取り消す")
    chat.type("1")
    await chat.expect("Cannot click [1]: its card has been replaced")
    chat.type("9")
    await chat.expect("Cannot click [9]: there is no such button. (/say 9 sends it as a message.)")


async def test_ict_staff_post_in_the_ict_channel_and_follow_the_bots_new_thread(
    chat: Terminal, recorder: Recorder, emulator: ConnectorEmulator
):
    await chat.expect("│ - Wi-Fiにつながらない")
    chat.type("/as ict", "help")
    shown = await chat.expect("│ - **チケット 12**")
    assert "Your post starts thread #1." in shown
    assert "Kotae ▸ ICT channel, thread #1" in shown
    post = recorder.posted[-1]
    assert post["conversation"]["id"] == f"{DEFAULT_ICT_CHANNEL};messageid={post['id']}"
    assert post["channelData"]["channel"]["id"] == DEFAULT_ICT_CHANNEL
    assert post["text"] == "<at>Kotae</at> help"
    assert post["from"]["aadObjectId"] == ICT_STAFF.aad_object_id
    # The ICT persona is a non-guest member the bot can look up.
    assert emulator.members[post["from"]["id"]].user_role == "user"

    # The bot opens a ticket thread in the channel: ICT staff keep writing where they were until they act on it.
    ticket = card([heading("チケット #1")], [execute_action("担当する", "no-such-verb", {"ticket": 1})])
    created = await bot_sends(
        emulator,
        "/v3/conversations",
        {
            "isGroup": True,
            "channelData": {"channel": {"id": DEFAULT_ICT_CHANNEL}},
            "activity": card_message(ticket),
        },
    )
    assert "Kotae ▸ ICT channel, thread #2 (new thread; /thread 2 to write here)" in await chat.expect(
        "│ [1] 担当する"
    )
    chat.type("1")
    assert "佐藤 健 now writes in thread #2." in await chat.expect("このボタンは古いか")
    click = recorder.posted[-1]
    assert (click["conversation"]["id"], click["replyToId"]) == (created["id"], created["activityId"])

    chat.type("help")
    assert "→ thread #2" in await chat.expect("Kotae ▸ ICT channel, thread #2")
    assert recorder.posted[-1]["conversation"]["id"] == created["id"]
    chat.type("/thread 1", "/lang en", "help")
    await chat.expect("Kotae ▸ ICT channel, thread #1")
    await chat.expect("**How to use Kotae**")
    assert recorder.posted[-1]["locale"] == "en-US"

    chat.type("/as staff", "/say 1")
    await chat.expect("Kotae ▸ 1:1 with 山田 花子")
    assert recorder.posted[-1]["text"] == "1"


async def test_a_bot_that_is_not_running_gets_a_clear_message(emulator: ConnectorEmulator):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    output: list[str] = []
    status = await run_chat(
        ChatOptions(bot_url=f"http://127.0.0.1:{port}"),
        emulator=emulator,
        read=asyncio.Queue[str | None]().get,
        console=Console(output.append),
    )
    assert status == 1
    assert "start it with `make run`" in "".join(output)


async def test_a_bot_outside_dev_mode_is_refused_before_chatting(
    make_settings: SettingsFactory, emulator: ConnectorEmulator
):
    settings = make_settings(**AUTHENTICATED)
    running = await BotUnderTest.start(settings)
    output: list[str] = []
    try:
        status = await run_chat(
            ChatOptions(bot_url=running.url),
            emulator=emulator,
            read=asyncio.Queue[str | None]().get,
            console=Console(output.append),
        )
    finally:
        await running.close()
    assert status == 1
    assert "is not in dev mode; start it with `make run`" in "".join(output)
    assert emulator.calls == []


def test_output_arriving_at_a_prompt_goes_above_a_fresh_prompt():
    written: list[str] = []
    console = Console(written.append, interactive=True)
    console.prompt("staff> ")
    console.show("Kotae ▸ proactive")
    console.answered("help")
    console.show("Kotae ▸ reply")
    assert "".join(written) == "staff> \nKotae ▸ proactive\nstaff> Kotae ▸ reply\n"


def test_without_a_terminal_the_transcript_shows_what_was_typed():
    written: list[str] = []
    console = Console(written.append)
    console.prompt("staff> ")
    console.answered("help")
    assert "".join(written) == "staff> help\n"


async def test_a_question_from_staff_to_ict_staff_and_back(
    chat: Terminal, kotae: BotUnderTest, recorder: Recorder
):
    await chat.expect("Kotae ▸ ICT channel\n")  # the team install: Kotae now knows the ICT channel
    assert (await kotae.get("/readyz")).body["ict_channel"]["known"] is True

    # Not helped by the FAQ's answer, the staff member sends the question to ICT staff.
    chat.type("Wi-Fiにつながらない")
    chat.type(number_of("解決しない", await chat.expect("] 解決しない")))
    chat.type(number_of("ICTに質問する", await chat.expect("] ICTに質問する")))
    # The details, then Enter twice: the consent toggles keep their defaults (docs/knowhow.md).
    chat.type(number_of("送信する", await chat.expect("] やめる")), "会議室Aで、今朝から", "", "")
    await chat.expect("ICT担当に送りました(受付番号 #1)")

    ticket = await chat.expect("] 担当する")
    assert "Kotae ▸ ICT channel, thread #1 (new thread; ICT staff now write here)" in ticket
    assert "│ 会議室Aで、今朝から" in ticket
    chat.type(number_of("担当する", ticket))  # the claim takes none of the card's fields
    claimed = await chat.expect("(the card you clicked is now)")
    assert "佐藤 健 clicks “担当する”" in claimed
    assert "Fill in the card" not in claimed
    mine = await chat.expect("担当を外れる")
    assert "[answer]" in mine  # the claimer's own tools, fetched as Teams does (refresh.userIds)
    refresh = await recorder.invoke("refresh")
    assert refresh["value"]["trigger"] == "automatic"
    assert refresh["from"]["id"] == ICT_STAFF.account["id"]
    await chat.expect("Kotae ▸ 1:1 with 山田 花子\n  ICT担当の 佐藤 健 さんが")  # the asker is told

    # The claimer answers by replying in the ticket's thread; the asker gets the answer card.
    chat.type("/as ict", "アクセスポイントを再起動しました。もう一度つないでみてください。")
    await chat.expect("回答を質問者に送りました")
    answer = await chat.expect("] 解決しない")
    assert "Kotae ▸ 1:1 with 山田 花子" in answer
    assert "│ アクセスポイントを再起動しました。もう一度つないでみてください。" in answer
    chat.type("/as staff", number_of("解決した", answer))  # confirming asks for no comment
    assert "Fill in the card" not in await chat.expect("解決済みにしました")
    await chat.expect("Kotae ▸ ICT channel, thread #1 (updated its message)")
    confirm = recorder.posted[-1]
    assert confirm["from"]["aadObjectId"] == STAFF.aad_object_id
    assert "followup" not in confirm["value"]["action"]["data"]


async def test_a_bot_without_an_ict_channel_is_told_how_to_get_one(
    bot: BotUnderTest, emulator: ConnectorEmulator
):
    terminal = Terminal()
    terminal.type("/quit")
    status = await run_chat(
        ChatOptions(bot_url=bot.url),
        emulator=emulator,
        read=terminal.lines.get,
        console=Console(terminal.write),
    )
    assert status == 0
    assert f"restart it with KOTAE_ICT_CHANNEL_ID={DEFAULT_ICT_CHANNEL}" in terminal.text
    assert "こんにちは、Kotae(答え)です" in terminal.text  # the staff member's welcome
    assert "Kotae ▸ ICT channel" not in terminal.text  # no team install where there is no desk


async def test_ict_text_follows_the_ticket_just_acted_on(
    chat: Terminal, recorder: Recorder, emulator: ConnectorEmulator
):
    await chat.expect("Kotae ▸ ICT channel\n")
    chat.type("/as ict")
    threads, cards = [], []
    for number in (1, 2):
        ticket = card(
            [heading(f"チケット #{number}")], [execute_action("担当する", "no-such-verb", {"n": number})]
        )
        activity = {"isGroup": True, "channelData": {"channel": {"id": DEFAULT_ICT_CHANNEL}}}
        created = await bot_sends(
            emulator, "/v3/conversations", {**activity, "activity": card_message(ticket)}
        )
        threads.append(created["id"])
        cards.append(await chat.expect("] 担当する"))
    assert "thread #1 (new thread; ICT staff now write here)" in cards[0]
    assert "thread #2 (new thread; /thread 2 to write here)" in cards[1]  # a new ticket does not take over
    chat.type("/thread 2", number_of("担当する", cards[0]))  # then act on ticket #1, in thread #1
    assert "佐藤 健 now writes in thread #1." in await chat.expect("このボタンは古いか")
    chat.type("再起動をお願いします", "/thread")
    await chat.expect("→ thread #1")
    await chat.expect("#1 (current)")
    [sent] = [post for post in recorder.posted if post.get("text", "").endswith("再起動をお願いします")]
    assert sent["conversation"]["id"] == threads[0]


async def test_a_colleague_with_know_how_answers_a_staff_question(chat: Terminal, kotae: BotUnderTest):
    """The third persona: a colleague registers know-how, a staff question reaches them, they answer."""
    await chat.expect("Kotae ▸ ICT channel\n")
    chat.type("/as helper", "ノウハウ")
    profile = await chat.expect("] 追加する")
    assert "Kotae ▸ 1:1 with 田中 詳子" in profile
    chat.type(number_of("追加する", profile), "Excelマクロ")
    added = await chat.expect("(the card you clicked is now)")
    assert "Excelマクロ" in await chat.expect("] 登録をやめる(すべて削除)")
    assert "田中 詳子 clicks “追加する”" in added

    chat.type("/as staff", "エクセルのマクロをPower Automateから動かしたい")
    chat.type(number_of("どれでもない(ICT担当に質問する)", await chat.expect("(ICT担当に質問する)")))
    # Details left empty; colleagues may see the question (y), not the name (n).
    chat.type(number_of("送信する", await chat.expect("] やめる")), "", "y", "n")
    await chat.expect("ICT担当に送りました")
    request = await chat.expect("] 今は忙しい")
    assert "Kotae ▸ 1:1 with 田中 詳子" in request
    assert "同僚からの質問です(名前は非公開)" in request

    chat.type("/as helper", number_of("答える", request), "トラストセンターでマクロを有効にしてください")
    await chat.expect("回答を質問者とICT担当に送りました")
    answer = await chat.expect("] 解決した")
    assert "Kotae ▸ 1:1 with 山田 花子" in answer
    assert "回答者:田中 詳子" in answer
    chat.type("/as staff", number_of("解決した", answer))
    await chat.expect("解決済みにしました")
    await chat.expect("Kotae ▸ 1:1 with 田中 詳子")
    await chat.expect("ありがとうございました")
    assert HELPER.name in chat.text
