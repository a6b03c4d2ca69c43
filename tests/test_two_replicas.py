"""Scale-out, proven: two real bot processes (`python app.py`) on one PostgreSQL database behind one
Bot Connector (the emulator), driven over HTTP as Teams drives them.

One test, in phases that share the two processes (starting them is most of its cost):
1. both start at the same moment: the migrations run once, the other replica waits on the lock;
2. 20 escalations, each question sent to one replica and its card clicked on the other: 20 threads,
   each posted once;
3. 20 simultaneous claims of one ticket, split across both: one winner, one notice to the asker;
4. a replica killed (SIGKILL) while it holds undelivered rows: after the lease the survivor delivers
   each exactly once.
docs/operations.md ("Scale-out") cites it.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from bot.storage.engine import create_engine
from bot.storage.migrate import head_revision, revisions
from bot.tickets.models import OutboxMessage
from devtools.activities import Person, Place, TeamsActivities
from devtools.emulator import Call, ConnectorEmulator, Member
from tests.processes import BotProcess

pytestmark = pytest.mark.postgres

ICT = "19:ictdesk0000000000000000000000000@thread.tacv2"
NEW_THREAD = r"^/v3/conversations$"
LEASE_SECONDS = 5  # the smallest lease KOTAE_OUTBOX_LEASE_SECONDS allows


def _asker(n: int) -> Person:
    return Person(f"職員 {n}", f"aaaaaaaa-0000-0000-0000-{n:012d}")


def _staff(n: int) -> Person:
    return Person(f"ICT担当 {n}", f"cccccccc-0000-0000-0000-{n:012d}")


def _records(bot: BotProcess) -> list[dict[str, Any]]:
    return [json.loads(line) for line in bot.log().splitlines() if line.startswith("{")]


def _threads(emulator: ConnectorEmulator) -> list[Call]:
    return [call for call in emulator.calls if call.kind == "create_conversation" and call.status < 300]


def _action(card: dict[str, Any], verb: str) -> dict[str, Any]:
    actions = list(card.get("actions") or [])
    for element in card.get("body") or []:
        actions += element.get("actions") or []
    found = [item for item in actions if item.get("verb") == verb]
    assert len(found) == 1, (
        f"no single {verb!r} in {[item.get('verb') for item in actions]}: {card['body'][:2]}"
    )
    return found[0]


async def _escalate(
    ask: BotProcess, click: BotProcess, emulator: ConnectorEmulator, teams: TeamsActivities, n: int
) -> None:
    """`n`'s question to `ask`; the card it answers with is clicked ("ICTに質問する") on `click`."""
    asker = _asker(n)
    conversation = Place.personal(asker).conversation_id
    status, _ = await ask.post(teams.message(asker, "犬の散歩をお願いしたい"))
    assert status == 200
    calls = await emulator.wait_for(
        lambda calls: any(c.conversation_id == conversation and c.cards for c in calls), timeout=15
    )
    card = next(c.cards[0] for c in calls if c.conversation_id == conversation and c.cards)
    escalate = _action(card, "escalate")
    data = {**escalate["data"], "details": f"詳細 {n:03d}"}
    status, body = await click.post(teams.card_action(asker, "escalate", data))
    assert (status, body["statusCode"]) == (200, 200), body


async def _outbox(database_url: str) -> list[OutboxMessage]:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            return list((await connection.execute(select(OutboxMessage))).all())
    finally:
        await engine.dispose()


async def test_two_replicas_on_one_database(
    postgres_url: str,
    emulator: ConnectorEmulator,
    teams: TeamsActivities,
    tmp_path: Path,
    knowledge_cache: Path,
) -> None:
    settings = {
        "DATABASE_URL": postgres_url,
        # The session's snapshot: the replicas need not compute the knowledge base's vectors again.
        "KOTAE_KNOWLEDGE_CACHE_DIR": str(knowledge_cache),
        "KOTAE_ICT_CHANNEL_ID": ICT,
        "KOTAE_LOG_FORMAT": "json",
        "LOG_LEVEL": "INFO",
        "KOTAE_OUTBOX_POLL_SECONDS": "0.1",
        "KOTAE_OUTBOX_LEASE_SECONDS": str(LEASE_SECONDS),
    }
    folders = [tmp_path / "a", tmp_path / "b"]
    for folder in folders:
        folder.mkdir()
    a, b = await asyncio.gather(*(BotProcess.start(folder / "bot.log", **settings) for folder in folders))
    try:
        # 1. Started together: each revision ran once, in one of them; both serve at the head.
        await asyncio.gather(a.wait_ready(), b.wait_ready())
        ran = [
            r["message"]
            for bot in (a, b)
            for r in _records(bot)
            if r["message"].startswith("Running upgrade")
        ]
        assert len(ran) == len(revisions())
        engine = create_engine(postgres_url)
        async with engine.connect() as connection:
            versions = (await connection.execute(text("SELECT version_num FROM alembic_version"))).all()
        await engine.dispose()
        assert [row[0] for row in versions] == [head_revision()]

        # 2. 20 escalations, each card clicked on the other replica: 20 threads, each posted once.
        for person in map(_staff, range(20)):
            emulator.add_member(Member(person.account["id"], person.name, person.aad_object_id))
        status, _ = await a.post(teams.installation_update(_staff(0), Place.channel(ICT, ICT)))
        assert status == 200
        replicas = (a, b)
        await asyncio.gather(
            *(_escalate(replicas[n % 2], replicas[1 - n % 2], emulator, teams, n) for n in range(20))
        )
        await emulator.wait_for(lambda calls: len(_threads(emulator)) >= 20, timeout=20)
        await asyncio.sleep(1)  # room for a duplicate to show
        posted = [json.dumps(call.body, ensure_ascii=False) for call in _threads(emulator)]
        assert len(posted) == 20
        assert all(sum(f"詳細 {n:03d}" in post for post in posted) == 1 for n in range(20))

        # 3. 20 claims of ticket 0's card, 10 on each replica at once: one winner, one notice.
        thread = next(
            call for call in _threads(emulator) if "詳細 000" in json.dumps(call.body, ensure_ascii=False)
        )
        root = thread.response["activityId"]
        claim = _action(thread.cards[0], "claim")
        place = Place.channel(ICT, ICT).in_thread(root)
        answers = await asyncio.gather(
            *(
                replicas[n % 2].post(
                    teams.card_action(_staff(n), "claim", claim["data"], place, reply_to_id=root)
                )
                for n in range(20)
            )
        )
        assert [status for status, _ in answers] == [200] * 20
        cards = [body for _, body in answers if body["type"] == "application/vnd.microsoft.card.adaptive"]
        refusals = {
            body["value"]
            for _, body in answers
            if body["type"] == "application/vnd.microsoft.activity.message"
        }
        assert len(cards) == 1
        (refusal,) = refusals
        assert refusal.startswith("このチケットは ICT担当 ")
        asker = Place.personal(_asker(0)).conversation_id
        await emulator.wait_for(
            lambda calls: any("確認しています" in c.text for c in calls if c.conversation_id == asker),
            timeout=15,
        )
        await asyncio.sleep(1)
        assert sum("確認しています" in c.text for c in emulator.messages() if c.conversation_id == asker) == 1

        # 4. b is paused; a leases new rows and dies (SIGKILL) before Teams answers: after the lease,
        #    b delivers each of them exactly once.
        worker_a = next(r["message"].split()[3] for r in _records(a) if "outbox worker" in r["message"])
        emulator.hold("POST", NEW_THREAD)
        os.kill(b.process.pid, signal.SIGSTOP)
        try:
            await asyncio.gather(*(_escalate(a, a, emulator, teams, n) for n in range(20, 24)))
            # a's worker claims what is due and hangs on its first post; rows queued later wait unleased.
            for _ in range(100):
                rows = [row for row in await _outbox(postgres_url) if row.kind == "new_thread"]
                pending = [row for row in rows if row.state == "pending"]
                leased = any(row.locked_by == worker_a for row in pending)
                if len(pending) == 4 and leased and emulator.held == 1:  # a's first post is in flight
                    break
                await asyncio.sleep(0.1)
            assert len(pending) == 4
            assert {row.locked_by for row in pending} - {None} == {worker_a}
            assert emulator.held == 1
            await a.kill()
        finally:
            os.kill(b.process.pid, signal.SIGCONT)
        emulator.release()
        await emulator.wait_for(lambda calls: len(_threads(emulator)) >= 24, timeout=LEASE_SECONDS + 15)
        await asyncio.sleep(1)
        posted = [json.dumps(call.body, ensure_ascii=False) for call in _threads(emulator)]
        assert all(sum(f"詳細 {n:03d}" in post for post in posted) == 1 for n in range(24))
        # a's worker sends one row at a time: one post was in flight (never answered), three waited.
        assert emulator.abandoned == 1
        rows = await _outbox(postgres_url)
        assert {row.state for row in rows if row.kind == "new_thread"} == {"sent"}
    finally:
        await asyncio.gather(a.stop(), b.stop())
