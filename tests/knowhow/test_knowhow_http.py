"""Colleagues' know-how (ココダッタラ) over real HTTP: registration, matching, the helper's answer, the
asker's 解決した, consent, leaving. The bot runs as in production, its outbox worker included."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.desk.models import Ticket
from bot.knowhow.models import KnowhowProfile
from devtools.activities import Person, Place, TeamsActivities
from devtools.emulator import Call, ConnectorEmulator
from tests.asker.conversation import Chat, action, texts_of
from tests.card_schema import assert_valid_card
from tests.conftest import SettingsFactory
from tests.harness import BotUnderTest

ICT = "19:ictdesk0000000000000000000000000@thread.tacv2"
STAFF = Person("佐藤 情報", "cccccccc-0000-0000-0000-000000000003")
HELPER = Person("田中 マクロ", "11111111-0000-0000-0000-00000000000a")
PAUSED = Person("伊藤 休止", "22222222-0000-0000-0000-00000000000b")
CAPPED = Person("中村 上限", "33333333-0000-0000-0000-00000000000c")
QUESTION = "エクセルのマクロをPower Automateから動かしたい"


@dataclass
class Office:
    bot: BotUnderTest
    teams: TeamsActivities
    emulator: ConnectorEmulator
    schemas_dir: Path

    def chat(self, person: Person) -> Chat:
        return Chat(self.bot, self.teams, self.emulator, person, Place.personal(person), self.schemas_dir)

    async def register(self, person: Person, *topics: str, pause: bool = False) -> dict[str, Any]:
        chat = self.chat(person)
        card = await chat.card("ノウハウ")
        for topic in topics:
            card = (await chat.click(action(card, "knowhow_add"), {"topic": topic})).body["value"]
        if pause:
            card = (await chat.click(action(card, "knowhow_pause"))).body["value"]
        return card

    async def escalate(self, asker: Person, question: str = QUESTION, **consent: str) -> int:
        """Ask, reach the escalation card ("none of these" if the FAQ offers choices) and Send it."""
        chat = self.chat(asker)
        card = await chat.card(question)
        if not any(item.get("verb") == "escalate" for item in card.get("actions", [])):
            card = (await chat.click(action(card, "ask_ict"))).body["value"]
        inputs = {"share_with_colleagues": "true", "show_my_name": "false", **consent}
        reply = await chat.click(action(card, "escalate"), inputs)
        return int(re.search(r"#(\d+)", texts_of(reply.body["value"])).group(1))

    def cards_to(self, person: Person) -> list[dict[str, Any]]:
        conversation = Place.personal(person).conversation_id
        return [
            card
            for call in self.emulator.messages()
            if call.conversation_id == conversation
            for card in call.cards
        ]

    async def until(self, predicate: Any) -> list[Call]:
        return await self.emulator.wait_for(predicate, timeout=10)

    async def scalar(self, statement: Any) -> Any:
        async with self.bot.runtime.services.sessions() as session:
            return await session.scalar(statement)


@pytest.fixture
async def office(
    make_settings: SettingsFactory, emulator: ConnectorEmulator, teams: TeamsActivities, schemas_dir: Path
) -> AsyncIterator[Office]:
    bot = await BotUnderTest.start(
        make_settings(ict_channel_id=ICT, outbox_poll_seconds=0.05, knowhow_daily_cap=1)
    )
    assert (await bot.post(teams.installation_update(STAFF, Place.channel(ICT, ICT)))).status == 200
    yield Office(bot, teams, emulator, schemas_dir)
    await bot.close()


def _request_cards(office: Office, person: Person) -> list[dict[str, Any]]:
    return [card for card in office.cards_to(person) if action_verbs(card) >= {"knowhow_answer"}]


def action_verbs(card: dict[str, Any]) -> set[str]:
    return {item.get("verb") for item in card.get("actions", [])}


async def test_the_matching_colleague_answers_and_the_asker_resolves(
    office: Office, alice: Person, bob: Person
):
    profile = await office.register(HELPER, "Excelマクロ", "PDF編集")
    assert "Excelマクロ" in texts_of(profile)
    assert "PDF編集" in texts_of(profile)
    await office.register(PAUSED, "Excel", pause=True)
    await office.register(alice, "エクセル")  # the asker's own know-how never sends her question to her
    await office.register(CAPPED, "Power Automate")
    # An earlier question today used up CAPPED's one request (KOTAE_KNOWHOW_DAILY_CAP=1).
    await office.escalate(bob, "Power Automateのフローが止まる")
    await office.until(lambda calls: _request_cards(office, CAPPED))

    number = await office.escalate(alice)
    await office.until(lambda calls: _request_cards(office, HELPER))
    (request,) = _request_cards(office, HELPER)
    assert_valid_card(request, office.schemas_dir)
    assert QUESTION in texts_of(request)
    assert alice.name not in json.dumps(request, ensure_ascii=False)  # she did not allow her name
    assert _request_cards(office, PAUSED) == []
    assert _request_cards(office, alice) == []
    assert len(_request_cards(office, CAPPED)) == 1  # only the earlier question's

    helper = office.chat(HELPER)
    reply = await helper.click(
        action(request, "knowhow_answer"), {"answer": "セキュリティセンターでマクロを有効にしてください"}
    )
    assert "送りました" in texts_of(reply.body["value"])

    await office.until(
        lambda calls: any(action_verbs(c) >= {"knowhow_solved"} for c in office.cards_to(alice))
    )
    (answer,) = [card for card in office.cards_to(alice) if action_verbs(card) >= {"knowhow_solved"}]
    assert_valid_card(answer, office.schemas_dir)
    assert HELPER.name in texts_of(answer)
    assert "マクロを有効に" in texts_of(answer)

    # The ticket's ICT thread shows the colleague's answer.
    def thread_has_answer(calls: list[Call]) -> bool:
        return any(
            ";messageid=" in (c.conversation_id or "")
            and "マクロを有効に" in json.dumps(c.body, ensure_ascii=False)
            for c in calls
        )

    await office.until(thread_has_answer)

    solved = await office.chat(alice).click(action(answer, "knowhow_solved"))
    assert f"#{number}" in texts_of(solved.body["value"])
    ticket = await office.scalar(select(Ticket).where(Ticket.number == number))
    assert ticket.state == "resolved"
    assert (
        await office.scalar(
            select(KnowhowProfile.helped_count).where(KnowhowProfile.aad_object_id == HELPER.aad_object_id)
        )
        == 1
    )
    await office.until(
        lambda calls: any("ありがとうございました" in texts_of(c) for c in office.cards_to(HELPER))
    )
    profile = await office.chat(HELPER).card("know-how")
    assert "1 人" in texts_of(profile)
