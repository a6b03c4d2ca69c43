"""`python -m bot insights` after a conversation over real HTTP: every figure, the CSVs, the page in Chromium."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from bot.asker.models import LoggedQuestion
from bot.asker.retention import purge_asker_texts
from bot.i18n import catalogue
from bot.insights.output import CSV_TABLES
from bot.insights.summary import last_week
from bot.storage.models import utcnow
from bot.tickets.business_hours import BusinessCalendar
from devtools.activities import Place
from knowledge import load
from knowledge.diff import read_questions
from tests.asker.conversation import Chat, action, texts_of
from tests.desk import test_desk_http
from tests.desk.test_desk_http import STAFF, Desk

REPO = Path(__file__).resolve().parent.parent
desk = test_desk_http.desk  # the bot with its ICT desk, from the desk's HTTP tests


async def _converse(desk: Desk, schemas_dir: Path) -> dict[str, Any]:
    """Each kind of question, then a ticket's whole life (claimed, answered, reopened, answered, confirmed)."""
    chat = Chat(desk.bot, desk.teams, desk.emulator, desk.asker, Place.personal(desk.asker), schemas_dir)
    await chat.click(action(await chat.card("wifiつながんない"), "helpful"))
    clarify_pick = action(await chat.card("PDF"), "choose")
    await chat.click(clarify_pick)
    alternatives = (await chat.click(action(await chat.card("wifiつながんない"), "not_helpful"))).body[
        "value"
    ]
    alternative_pick = action(alternatives, "choose")
    await chat.click(alternative_pick)
    await chat.card("PDF")  # abandoned
    escalation = await chat.card("犬の散歩")
    await chat.click(action(escalation, "escalate"), {"details": "3階です"})
    assert await desk.bot.runtime.question_log.flush()
    async with desk.bot.runtime.services.sessions() as session:
        ticket_id = (
            await session.scalars(
                select(LoggedQuestion.ticket_id).where(LoggedQuestion.ticket_id.is_not(None))
            )
        ).one()
    ticket = await desk.thread_of(ticket_id)
    await desk.click(STAFF, "claim", ticket)
    await desk.click(STAFF, "answer", await desk.ticket(ticket_id), answer="近くの公園へどうぞ")
    await desk.click(
        desk.asker, "reopen", await desk.ticket(ticket_id), Place.personal(desk.asker), followup="まだです"
    )
    await desk.click(STAFF, "answer", await desk.ticket(ticket_id), answer="北公園です")
    await desk.click(desk.asker, "confirm", await desk.ticket(ticket_id), Place.personal(desk.asker))
    async with desk.bot.runtime.services.sessions() as session:
        rows = (await session.scalars(select(LoggedQuestion).order_by(LoggedQuestion.asked_at))).all()
    return {
        "clarify_pick": clarify_pick["data"]["entry"],
        "alternative_pick": alternative_pick["data"]["entry"],
        "rows": rows,
        "ticket": await desk.ticket(ticket_id),
    }


def _insights(desk: Desk, out: Path, lang: str) -> tuple[str, str]:
    """Runs the command over the last 14 days; returns the period's first and last day."""
    settings = desk.bot.runtime.services.settings
    today = datetime.now(UTC).astimezone(BusinessCalendar.from_settings(settings).zone).date()
    env = {key: value for key, value in os.environ.items() if not key.startswith(("KOTAE_", "Microsoft"))}
    env |= {"DATABASE_URL": settings.database_url, "KOTAE_KNOWLEDGE_DIR": str(settings.knowledge_dir)}
    first = (today - timedelta(days=13)).isoformat()
    command = [sys.executable, "-m", "bot", "insights", "--from", first, "--to", today.isoformat()]
    done = subprocess.run(
        [*command, "--out", str(out), "--lang", lang],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return first, today.isoformat()


def _csv(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), f"{path.name} has no BOM"
    return list(csv.reader(io.StringIO(raw[3:].decode("utf-8"))))


async def test_insights_count_every_kind_of_question_and_the_desk(
    desk: Desk, schemas_dir: Path, tmp_path: Path
):
    seen = await _converse(desk, schemas_dir)
    rows, ticket = seen["rows"], seen["ticket"]
    out = tmp_path / "report"
    first_day, last_day = await asyncio.to_thread(_insights, desk, out, "ja")
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    timezone = desk.bot.runtime.services.settings.timezone
    assert summary["period"] == {"from": first_day, "to": last_day, "timezone": timezone}

    questions = summary["questions"]
    assert {
        key: questions[key] for key in ("total", "answered", "resolved_by_choice", "escalated", "abandoned")
    } == {
        "total": 5,
        "answered": 1,
        "resolved_by_choice": 2,
        "escalated": 1,
        "abandoned": 1,
    }
    assert questions["self_service_rate"] == 0.6
    assert questions["by_decision"] == {"answer": 2, "clarify": 2, "escalate": 1}
    assert questions["by_scope"] == {"personal": 5}
    assert questions["by_language"] == {"ja": 5}
    assert (questions["helpful_votes"], questions["not_helpful_votes"], questions["texts_purged"]) == (
        1,
        1,
        0,
    )
    assert len(summary["weeks"]) in (2, 3)
    assert sum(week["total"] for week in summary["weeks"]) == 5
    assert summary["weeks"][-1]["total"] == 5
    assert summary["weeks"][-1]["self_service_rate"] == 0.6

    served = sorted(["wifi-cannot-connect", seen["clarify_pick"], seen["alternative_pick"]])
    most_asked = {item["entry"]: item["count"] for item in summary["entries_most_asked"]}
    assert most_asked == dict(Counter(served))
    assert summary["entries_not_helpful"] == [{"entry": "wifi-cannot-connect", "count": 1}]
    abandoned, escalated = rows[3], rows[4]
    assert summary["gaps"] == [
        {"count": 1, "examples": ["PDF"], "closest_entry": abandoned.top_entry},
        {"count": 1, "examples": ["犬の散歩"], "closest_entry": escalated.top_entry},
    ]
    alternates = {
        (a["entry"], a["alternate"], a["count"], a["after"]) for a in summary["suggested_alternates"]
    }
    assert alternates == {
        (seen["clarify_pick"], "PDF", 1, "clarify"),
        (seen["alternative_pick"], "wifiつながんない", 1, "alternative"),
    }
    suggestions = [
        json.loads(line) for line in (out / "suggestions.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert {(s["entry"], s["alternate"], s["count"]) for s in suggestions} == {a[:3] for a in alternates}
    # The past questions, for `python -m knowledge diff --questions`, which reads them as they are.
    past_questions = (out / "questions.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in past_questions] == [
        {"query": "PDF", "lang": "ja", "count": 2},
        {"query": "wifiつながんない", "lang": "ja", "count": 2},
        {"query": "犬の散歩", "lang": "ja", "count": 1},
    ]
    assert [(q.query, q.lang) for q in read_questions(past_questions)] == [
        ("PDF", "ja"),
        ("wifiつながんない", "ja"),
        ("犬の散歩", "ja"),
    ]

    entries = load(REPO / "knowledge" / "faq").entries
    until = datetime.now(UTC)
    expected_stale = {
        entry.id
        for entry in entries
        if entry.id not in served or (entry.review_by and entry.review_by < until.date())
    }
    assert {item["entry"] for item in summary["stale_entries"]} == expected_stale
    by_id = {entry.id: entry for entry in entries}
    for item in summary["stale_entries"]:
        entry = by_id[item["entry"]]
        review_by = entry.review_by
        assert item["review_by"] == (review_by.isoformat() if review_by else None)
        assert (item["last_matched"] is None) == (entry.id not in served)
        past_review = review_by is not None and review_by < until.date()
        assert item["reasons"] == ["review_by_passed"] * past_review + ["not_matched"] * (
            entry.id not in served
        )

    calendar = BusinessCalendar.from_settings(desk.bot.runtime.services.settings)
    hours = lambda end: round(calendar.open_seconds(ticket.created_at, end) / 3600, 2)  # noqa: E731
    desk_figures = {
        "opened": 1,
        "claimed": 1,
        "answered": 1,
        "resolved": 1,
        "median_business_hours_to_claim": hours(ticket.claimed_at),
        "median_business_hours_to_answer": hours(ticket.answered_at),
        "reopen_rate": 1.0,
    }
    assert summary["desk"] == {**desk_figures, "by_category": [{"category": ticket.category, **desk_figures}]}

    for name, (key, columns) in CSV_TABLES.items():
        header, *lines = _csv(out / name)
        assert header == columns
        expected = summary["desk"]["by_category"] if key == "desk" else summary[key]
        assert len(lines) == len(expected), name
    assert _csv(out / "weeks.csv")[-1][:2] == [summary["weeks"][-1]["week"], "5"]

    assert {path.stat().st_mode & 0o777 for path in out.iterdir()} == {0o600}
    page = (out / "report.html").read_text(encoding="utf-8")
    assert page.count("<svg") == 3
    for forbidden in ("<script", " src=", " href=", "<link"):
        assert forbidden not in page
    # The charts' labels are Japanese too (the legend, the axes).
    for shown in ("自己解決率", "60.0%", "犬の散歩", "FAQにない質問", "自己解決率(%)", "週の初め(月-日)"):
        assert shown in page
    # Purged texts leave the counts: the same report after the retention purge, in English.
    async with desk.bot.runtime.services.sessions.begin() as session:
        await purge_asker_texts(session, older_than=timedelta(0), now=utcnow())
    english = tmp_path / "english"
    await asyncio.to_thread(_insights, desk, english, "en")
    purged = json.loads((english / "summary.json").read_text(encoding="utf-8"))
    assert purged["questions"] == {**questions, "texts_purged": 5}
    assert (purged["gaps"], purged["suggested_alternates"]) == ([], [])
    assert (purged["weeks"], purged["desk"]) == (summary["weeks"], summary["desk"])
    assert (english / "questions.jsonl").read_text(encoding="utf-8") == ""
    english_page = (english / "report.html").read_text(encoding="utf-8")
    assert "Self-service rate" in english_page
    assert "self-service rate (%)" in english_page
    assert "自己解決率" not in english_page
    _render_in_chromium(out / "report.html", tmp_path)


def _render_in_chromium(page: Path, tmp_path: Path) -> None:
    """Headless Chromium, network off: the DOM it built has the charts and figures; a screenshot for docs/."""
    browser = shutil.which("chromium")
    if browser is None:
        pytest.skip("chromium is not installed (`apt-get install -y chromium`, as .ci/run does)")
    flags = [
        browser,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--proxy-server=127.0.0.1:9",
        f"--user-data-dir={tmp_path / 'chromium'}",
    ]
    dom = subprocess.run(
        [*flags, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120, check=True
    ).stdout
    assert dom.count("<svg") == 3
    assert "60.0%" in dom
    shot = tmp_path / "report.png"
    subprocess.run(
        [*flags, f"--screenshot={shot}", "--window-size=1100,2400", page.as_uri()],
        capture_output=True,
        timeout=120,
        check=True,
    )
    assert shot.stat().st_size > 10_000
    if os.environ.get("KOTAE_UPDATE_SCREENSHOT"):  # how docs/insights-report.png is made
        shutil.copy(shot, REPO / "docs" / "insights-report.png")


async def _one_week_back(desk: Desk) -> None:
    """The questions and tickets just made, moved to last week (the command reports last week)."""
    async with desk.bot.runtime.services.sessions.begin() as session:
        for table, column in (("question_log", "asked_at"), ("tickets", "created_at")):
            rows = (await session.execute(text(f"SELECT rowid, {column} FROM {table}"))).all()
            for rowid, moment in rows:
                earlier = _as_datetime(moment) - timedelta(days=7)
                await session.execute(
                    text(f"UPDATE {table} SET {column} = :moment WHERE rowid = :rowid"),
                    {"moment": earlier.strftime("%Y-%m-%d %H:%M:%S.%f"), "rowid": rowid},
                )


def _as_datetime(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


async def test_the_insights_command_posts_last_weeks_figures_in_the_ict_channel_only(
    desk: Desk, schemas_dir: Path
):
    chat = Chat(desk.bot, desk.teams, desk.emulator, desk.asker, Place.personal(desk.asker), schemas_dir)
    await chat.click(action(await chat.card("wifiつながんない"), "helpful"))
    await chat.card("犬の散歩")
    await chat.card("犬の散歩です")
    assert await desk.bot.runtime.question_log.flush()
    await _one_week_back(desk)

    staff = Chat(desk.bot, desk.teams, desk.emulator, STAFF, desk.channel, schemas_dir)
    card = await staff.card("レポート")
    facts = {fact["title"]: fact["value"] for fact in card["body"][1]["facts"]}
    assert facts["質問数"] == "3"
    assert facts["自己解決率"] == "33.3%"
    assert (facts["回答で解決"], facts["未解決のまま"], facts["ICT担当へ"]) == ("1", "2", "0")
    assert (facts["候補から選んで解決"], facts["受付"], facts["解決"]) == ("0", "0", "0")
    assert facts["回答までの時間(中央値、営業時間)"] == "–"  # no ticket answered last week
    zone = BusinessCalendar.from_settings(desk.bot.runtime.services.settings).zone
    monday, sunday = last_week(datetime.now(zone).date())
    assert card["body"][0]["text"] == f"先週の利用状況({monday} ～ {sunday})"
    assert "2件: 犬の散歩" in texts_of(card)  # the two wordings are one gap
    english = await staff.card("insights", locale="en-US")
    assert english["body"][0]["text"].startswith("Last week")

    (refusal,) = await chat.say("insights")  # the asker's 1:1 chat is not the ICT channel
    assert refusal.text == catalogue().text("desk.refusal.wrong_place", "ja")
    assert refusal.cards == []


@pytest.mark.parametrize(
    ("dates", "message"),
    [
        (["--from", "2026-13-01", "--to", "2026-12-01"], "expected a date as YYYY-MM-DD"),
        (["--from", "2026-12-02", "--to", "2026-12-01"], "is before --from"),
    ],
)
def test_bad_dates_are_refused_with_a_reason(dates: list[str], message: str, tmp_path: Path):
    env = {key: value for key, value in os.environ.items() if not key.startswith(("KOTAE_", "Microsoft"))}
    env["DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'none.db'}"
    command = [sys.executable, "-m", "bot", "insights", *dates, "--out", str(tmp_path / "out")]
    done = subprocess.run(command, env=env, cwd=REPO, capture_output=True, text=True, check=False)
    assert done.returncode == 2
    assert message in done.stderr
    assert not (tmp_path / "out").exists()
