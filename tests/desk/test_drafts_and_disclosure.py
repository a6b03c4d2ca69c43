"""FAQ drafts (stored once, exported as valid knowledge YAML), the disclosure export, and their CLI."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from botbuilder.schema import ChannelAccount, ConversationAccount, ConversationReference

from bot.__main__ import main
from bot.desk.disclosure import export_person
from bot.desk.drafts import add_draft, export_drafts
from bot.storage.engine import create_engine, create_session_factory
from bot.storage.references import ConversationReferences
from bot.tickets.opening import TicketRouting, open_ticket
from bot.tickets.transitions import Action, Change, DeskPolicy, apply
from knowledge import load
from tests.desk.conftest import Database
from tests.desk.factories import T0, new_ticket, staff

REPO = Path(__file__).resolve().parents[2]
ANSWER = "1. 設定を開く\n2. **連絡先** → インポート\n"


async def _answered_ticket(
    db: Database, routing: TicketRouting, key: str = "k", aad: str = "aad-asker"
) -> int:
    async with db.sessions.begin() as session:
        ticket_id = (await open_ticket(session, new_ticket(key, aad=aad), routing=routing, now=T0)).id
        await apply(
            session, Change(ticket_id, Action.CLAIM, staff(1), "open", 1), policy=DeskPolicy(), now=T0
        )
        change = Change(ticket_id, Action.ANSWER, staff(1), "claimed", 2, ANSWER)
        await apply(session, change, policy=DeskPolicy(), now=T0 + timedelta(minutes=5))
    return ticket_id


def _check_knowledge_file(path: Path) -> dict:
    """The file loads with the knowledge engine's own validator (which raises on any problem)."""
    knowledge_base = load(path.parent)
    assert [problem for problem in knowledge_base.warnings if problem.path.endswith(path.name)] == []
    return yaml.safe_load(path.read_text(encoding="utf-8"))


async def test_draft_once_per_ticket_and_export(db: Database, routing: TicketRouting, tmp_path: Path) -> None:
    ticket_id = await _answered_ticket(db, routing)
    async with db.sessions.begin() as session:
        first = await add_draft(
            session, ticket_id, staff(1), question="公用スマホに連絡先を取り込む方法", now=T0
        )
        again = await add_draft(session, ticket_id, staff(2), now=T0)
    assert first.created
    assert not again.created
    assert again.draft.id == first.draft.id
    assert first.draft.alternates == ["公用スマホに電話帳を取り込みたい"]
    async with db.sessions.begin() as session:
        written = await export_drafts(session, tmp_path)
    assert [path.name for path in written] == ["draft-ticket-1.yaml"]
    document = _check_knowledge_file(written[0])
    [entry] = document["entries"]
    assert entry["id"] == "draft-ticket-1"
    assert entry["question"] == "公用スマホに連絡先を取り込む方法"
    assert entry["answer"] == ANSWER
    assert entry["alternates"] == ["公用スマホに電話帳を取り込みたい"]
    assert "answer: |" in written[0].read_text(encoding="utf-8")  # Markdown kept as a literal block
    async with db.sessions.begin() as session:
        assert await export_drafts(session, tmp_path) == []  # already exported
        assert len(await export_drafts(session, tmp_path, everything=True)) == 1


async def test_no_draft_from_an_unanswered_ticket(db: Database, routing: TicketRouting) -> None:
    async with db.sessions.begin() as session:
        ticket_id = (await open_ticket(session, new_ticket(), routing=routing, now=T0)).id
        result = await add_draft(session, ticket_id, staff(1))
    assert (result.draft, result.created) == (None, False)


async def test_export_person(db: Database, routing: TicketRouting) -> None:
    mine = await _answered_ticket(db, routing, "mine", "aad-me")
    await _answered_ticket(db, routing, "theirs", "aad-other")
    async with db.sessions() as session:
        data = await export_person(session, "aad-me")
        staff_data = await export_person(session, "aad-staff-1")
    assert [ticket["id"] for ticket in data["tickets_asked"]] == [mine]
    ticket = data["tickets_asked"][0]
    assert ticket["question"] == "公用スマホに電話帳を取り込みたい"
    assert [event["action"] for event in ticket["events"]] == ["open", "claim", "answer"]
    assert "asker_reference" not in ticket
    assert [event["action"] for event in data["actions_taken"]] == ["open"]
    assert [event["action"] for event in staff_data["actions_taken"]] == [
        "claim",
        "answer",
        "claim",
        "answer",
    ]
    json.dumps(data)  # JSON-ready


async def _prepared(url: str, routing: TicketRouting) -> int:
    engine = create_engine(url)
    try:
        db = Database(engine, create_session_factory(engine))
        ticket_id = await _answered_ticket(db, routing)
        async with db.sessions.begin() as session:
            await add_draft(session, ticket_id, staff(1))
        return ticket_id
    finally:
        await engine.dispose()


def test_cli_drafts_export_and_export_person(
    sqlite_template: Path, routing: TicketRouting, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = tmp_path / "kotae.db"
    shutil.copyfile(sqlite_template, database)
    url = f"sqlite+aiosqlite:///{database}"
    ticket_id = asyncio.run(_prepared(url, routing))
    environment = {**os.environ, "DATABASE_URL": url, "KOTAE_DEV_MODE": "true", "PYTHONPATH": str(REPO)}
    out = tmp_path / "drafts"
    # cwd is tmp_path: no .env of the developer's checkout is read.
    result = subprocess.run(
        [sys.executable, "-m", "bot", "drafts", "export", str(out)],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        env=environment,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(out / "draft-ticket-1.yaml")
    _check_knowledge_file(out / "draft-ticket-1.yaml")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("KOTAE_DEV_MODE", "true")
    person = tmp_path / "person.json"
    assert main(["export-person", "aad-asker", "-o", str(person)]) == 0
    exported = json.loads(person.read_text(encoding="utf-8"))
    assert exported["tickets_asked"][0]["id"] == ticket_id
    # The asker's records (votes, picks, language choice) are part of the same disclosure.
    assert {"feedback_votes", "suggested_alternates", "language_preferences"} <= set(exported)


def test_operator_commands_need_no_teams_credentials_and_write_private_files(
    routing: TicketRouting, tmp_path: Path
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}"
    # A fresh clone's shell: no dev mode, no MicrosoftAppId, nothing of the developer's settings.
    clean = {key: value for key, value in os.environ.items() if not key.startswith(("Microsoft", "KOTAE_"))}
    environment = {**clean, "DATABASE_URL": url, "PYTHONPATH": str(REPO)}

    def bot(*argv: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "bot", *argv]
        return subprocess.run(
            command, capture_output=True, text=True, check=False, cwd=tmp_path, env=environment
        )

    migrated = bot("migrate")
    assert migrated.returncode == 0, migrated.stderr
    assert "database at revision" in migrated.stdout
    asyncio.run(_prepared(url, routing))
    asyncio.run(_remember_asker(url))

    exported = bot("drafts", "export", str(tmp_path / "drafts"))
    assert exported.returncode == 0, exported.stderr
    person = bot("export-person", "aad-asker", "-o", str(tmp_path / "person.json"))
    assert person.returncode == 0, person.stderr

    assert (tmp_path / "drafts" / "draft-ticket-1.yaml").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "person.json").stat().st_mode & 0o777 == 0o600
    [reference] = json.loads((tmp_path / "person.json").read_text(encoding="utf-8"))[
        "conversation_references"
    ]
    assert reference["conversation_id"] == "a:asker"
    assert reference["reference"]["user"]["name"] == "質問 する人"


async def _remember_asker(url: str) -> None:
    engine = create_engine(url)
    try:
        async with create_session_factory(engine).begin() as session:
            await ConversationReferences().remember(
                session,
                ConversationReference(
                    channel_id="msteams",
                    service_url="https://smba.trafficmanager.net/jp/",
                    user=ChannelAccount(id="29:asker", name="質問 する人", aad_object_id="aad-asker"),
                    conversation=ConversationAccount(id="a:asker", conversation_type="personal"),
                ),
                conversation_type="personal",
                user_aad_object_id="aad-asker",
                tenant_id="t",
            )
    finally:
        await engine.dispose()
