"""Colleagues' know-how (ココダッタラ) over real HTTP: registration, matching, the helper's answer, the
asker's 解決した, consent, leaving. The bot runs as in production, its outbox worker included."""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.asker.models import LoggedQuestion
from bot.config import Settings
from bot.insights.rows import Period, helpful_topics, read_tickets
from bot.knowhow.models import HelperRequest, KnowhowConsent, KnowhowProfile, KnowhowTopic
from bot.knowhow.retention import purge_knowhow
from bot.storage.models import utcnow
from bot.tickets.models import OutboxMessage, Ticket
from devtools.activities import Person, Place, TeamsActivities
from devtools.emulator import Call, ConnectorEmulator
from tests.asker.conversation import Chat, action, texts_of
from tests.card_schema import assert_valid_card
from tests.conftest import REPO, SettingsFactory
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

    async def settled(self) -> None:
        """Wait until the outbox has sent everything queued so far."""
        pending = select(func.count()).where(OutboxMessage.state == "pending")
        for _ in range(200):
            if not await self.scalar(pending):
                await asyncio.sleep(0.05)  # the emulator records a call before the worker its outcome
                return
            await asyncio.sleep(0.05)
        raise AssertionError("the outbox never emptied")

    async def scalar(self, statement: Any) -> Any:
        async with self.bot.runtime.services.sessions() as session:
            return await session.scalar(statement)


async def _office(
    settings: Settings, emulator: ConnectorEmulator, teams: TeamsActivities, schemas_dir: Path
) -> AsyncIterator[Office]:
    bot = await BotUnderTest.start(settings)
    assert (await bot.post(teams.installation_update(STAFF, Place.channel(ICT, ICT)))).status == 200
    yield Office(bot, teams, emulator, schemas_dir)
    await bot.close()


@pytest.fixture
async def office(
    make_settings: SettingsFactory, emulator: ConnectorEmulator, teams: TeamsActivities, schemas_dir: Path
) -> AsyncIterator[Office]:
    settings = make_settings(ict_channel_id=ICT, outbox_poll_seconds=0.05, knowhow_daily_cap=1)
    async for running in _office(settings, emulator, teams, schemas_dir):
        yield running


@pytest.fixture
async def office_on_each_database(
    make_settings: SettingsFactory,
    database_url: str,
    emulator: ConnectorEmulator,
    teams: TeamsActivities,
    schemas_dir: Path,
) -> AsyncIterator[Office]:
    """The bot on a SQLite file, then on a fresh PostgreSQL database."""
    settings = make_settings(ict_channel_id=ICT, outbox_poll_seconds=0.05, database_url=database_url)
    async for running in _office(settings, emulator, teams, schemas_dir):
        yield running


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
    # The insights report counts the answer under the topic that matched, never under who answered.
    period = Period(utcnow() - timedelta(hours=1), utcnow() + timedelta(hours=1))
    async with office.bot.runtime.engine.connect() as connection:
        assert await helpful_topics(connection, period) == {"Excelマクロ": 1}


async def test_two_helpers_answering_at_once_one_wins(office_on_each_database: Office, alice: Person):
    office = office_on_each_database
    helpers = [Person(f"助け手 {i}", f"44444444-0000-0000-0000-00000000000{i}") for i in range(3)]
    for helper in helpers:
        await office.register(helper, "Power Automate")
    number = await office.escalate(alice, "Power Automateのフローが止まる")
    await office.until(lambda calls: all(_request_cards(office, helper) for helper in helpers))

    async def answer(helper: Person) -> dict[str, Any]:
        (request,) = _request_cards(office, helper)
        return (
            await office.chat(helper).click(
                action(request, "knowhow_answer"), {"answer": f"{helper.name}の方法"}
            )
        ).body

    replies = await asyncio.gather(*(answer(helper) for helper in helpers))
    won = [reply for reply in replies if reply["type"] == "application/vnd.microsoft.card.adaptive"]
    lost = [reply["value"] for reply in replies if reply not in won]
    assert len(won) == 1
    assert lost == ["ほかの同僚がすでに回答しました。ご協力ありがとうございます。"] * 2
    states = await office.scalar(select(func.count()).where(HelperRequest.state == "answered"))
    assert states == 1
    await office.until(
        lambda calls: any(action_verbs(c) >= {"knowhow_solved"} for c in office.cards_to(alice))
    )
    answers = [card for card in office.cards_to(alice) if action_verbs(card) >= {"knowhow_solved"}]
    assert len(answers) == 1
    assert f"#{number}" in texts_of(answers[0])


async def test_consent_off_no_colleague_sees_anything(office: Office, alice: Person):
    await office.register(HELPER, "Excelマクロ")
    await office.escalate(alice, share_with_colleagues="false")
    await office.until(lambda calls: any(c.kind == "create_conversation" for c in calls))  # the ICT thread
    await office.settled()
    assert _request_cards(office, HELPER) == []
    assert await office.scalar(select(func.count()).select_from(HelperRequest)) == 0
    # The choice is remembered: her next escalation card starts with sharing off.
    chat = office.chat(alice)
    card = await chat.card(QUESTION)
    if not any(item.get("verb") == "escalate" for item in card.get("actions", [])):
        card = (await chat.click(action(card, "ask_ict"))).body["value"]
    toggles = {item["id"]: item["value"] for item in card["body"] if item.get("type") == "Input.Toggle"}
    assert toggles == {"share_with_colleagues": "false", "show_my_name": "false"}


async def test_leaving_deletes_the_profile_everywhere(office: Office, alice: Person):
    card = await office.register(HELPER, "Excelマクロ", "PDF編集")
    await office.escalate(alice)
    await office.until(lambda calls: _request_cards(office, HELPER))
    left = await office.chat(HELPER).click(action(card, "knowhow_leave"))
    assert "削除しました" in texts_of(left.body["value"])
    for table in (KnowhowProfile, KnowhowTopic, HelperRequest):
        assert await office.scalar(select(func.count()).select_from(table)) == 0
    helper_messages = OutboxMessage.dedupe_key.startswith("knowhow:")
    assert await office.scalar(select(func.count()).where(helper_messages)) == 0  # the request quoted her
    # Her next question reaches no one, and his old request card answers "not yours".
    await office.escalate(alice, "PDFを編集したい")
    await office.until(lambda calls: len([c for c in calls if c.kind == "create_conversation"]) == 2)
    await office.settled()
    assert len(_request_cards(office, HELPER)) == 1
    (request,) = _request_cards(office, HELPER)
    refused = await office.chat(HELPER).click(action(request, "knowhow_answer"), {"answer": "遅れて回答"})
    assert refused.body["value"] == "この質問はあなたへの依頼ではないか、すでに対応済みです。"
    profile = await office.chat(HELPER).card("ノウハウ")
    assert "まだ登録がありません" in texts_of(profile)


async def test_a_proposal_becomes_a_proposal_ticket_in_the_ict_channel(office: Office, alice: Person):
    chat = office.chat(alice)
    (usage,) = await chat.say("提案")
    assert "提案" in usage.text
    (sent,) = await chat.say("提案 会議室の予約をTeamsでできるようにしたい")
    number = int(re.search(r"#(\d+)", sent.text).group(1))
    calls = await office.until(lambda calls: any(c.kind == "create_conversation" for c in calls))
    (post,) = [call for call in calls if call.kind == "create_conversation"]
    shown = json.dumps(post.cards[0], ensure_ascii=False)
    assert f"提案 #{number}" in shown
    assert "会議室の予約をTeamsでできるようにしたい" in shown  # as typed, not case-folded
    ticket = await office.scalar(select(Ticket).where(Ticket.number == number))
    assert ticket.kind == "proposal"
    # Not an unanswered question: nothing asked the FAQ, so the question log has no row, and the
    # insights report's desk figures (tickets that were questions) leave it out.
    assert await office.scalar(select(func.count()).select_from(LoggedQuestion)) == 0
    period = Period(utcnow() - timedelta(hours=1), utcnow() + timedelta(hours=1))
    async with office.bot.runtime.engine.connect() as connection:
        assert await read_tickets(connection, period) == []


async def _export_person(office: Office, person: Person, cwd: Path) -> dict[str, Any]:
    """`python -m bot export-person` as an operator runs it, on the running bot's database."""
    environment = {
        **os.environ,
        "DATABASE_URL": office.bot.settings.database_url,
        "KOTAE_DEV_MODE": "true",
        "PYTHONPATH": str(REPO),
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "export-person",
        person.aad_object_id,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        cwd=cwd,
        env=environment,
    )
    out, err = await process.communicate()
    assert process.returncode == 0, err.decode()
    return json.loads(out)


async def test_the_helper_s_export_has_the_answer_and_the_purge_removes_it(
    office: Office, alice: Person, tmp_path: Path
):
    await office.register(HELPER, "Excelマクロ")
    await office.escalate(alice)
    await office.until(lambda calls: _request_cards(office, HELPER))
    (request,) = _request_cards(office, HELPER)
    await office.chat(HELPER).click(action(request, "knowhow_answer"), {"answer": "トラストセンターで有効化"})
    data = await _export_person(office, HELPER, tmp_path)
    assert [topic["label"] for topic in data["knowhow_topics"]] == ["Excelマクロ"]
    assert [item["answer"] for item in data["knowhow_requests"]] == ["トラストセンターで有効化"]
    asker = await _export_person(office, alice, tmp_path)
    assert asker["knowhow_consent"]["share"] is True
    async with office.bot.runtime.services.sessions.begin() as session:
        report = await purge_knowhow(session, older_than=timedelta(0), now=utcnow() + timedelta(seconds=1))
    assert (report.requests, report.profiles, report.consents) == (1, 1, 1)
    for table in (KnowhowProfile, KnowhowTopic, HelperRequest, KnowhowConsent):
        assert await office.scalar(select(func.count()).select_from(table)) == 0


async def test_a_send_without_the_toggles_asks_no_colleague_and_remembers_nothing(
    office: Office, alice: Person
):
    """A card from before the toggles, or inputs Teams dropped: no consent was given."""
    await office.register(HELPER, "Excelマクロ")
    await office.escalate(alice, share_with_colleagues="", show_my_name="")
    await office.until(lambda calls: any(c.kind == "create_conversation" for c in calls))
    await office.settled()
    assert _request_cards(office, HELPER) == []
    assert await office.scalar(select(func.count()).select_from(KnowhowConsent)) == 0
