"""`insights` over 100,000 logged questions: the time to read, count, group the gaps and write the report.

    python -m benchmarks.insights [--questions 100000] [--database-url URL]

Rows are synthetic but shaped like the log: 90 days, the shipped knowledge base's entries, half answered,
a quarter "did you mean", a quarter offered to ICT staff, with votes, picks and tickets ids; gap texts come
from 400 distinct questions written with small variations (the way staff ask the same thing). Target: < 10 s.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from benchmarks.common import machine
from bot.asker.models import LoggedQuestion
from bot.config import load_operator_settings
from bot.insights.command import run_insights
from bot.storage.engine import create_engine
from bot.storage.migrate import upgrade
from knowledge import load

REPO = Path(__file__).resolve().parent.parent
_TOPICS = ["プリンター", "会議室", "庁内ネット", "共有フォルダ", "スキャナ", "電子決裁", "勤怠", "テレワーク"]
_TROUBLES = [
    "が使えない",
    "の予約方法",
    "につながらない",
    "の権限がほしい",
    "が遅い",
    "のエラー",
    "の設定",
    "を変更したい",
]


def _rows(count: int, entries: list[str], end: datetime, rng: random.Random) -> list[dict[str, Any]]:
    gaps = [f"{topic}{trouble} {n}" for topic in _TOPICS for trouble in _TROUBLES for n in range(6)][:400]
    rows = []
    for n in range(count):
        asked = end - timedelta(seconds=rng.uniform(0, 90 * 86400))
        kind = rng.random()
        top = rng.choice(entries)
        row: dict[str, Any] = {
            "id": uuid.uuid4().hex,
            "asked_at": asked,
            "lang": "ja" if rng.random() < 0.9 else "en",
            "scope": rng.choice(("personal", "personal", "personal", "group", "channel")),
            "offered": [{"entry": top, "score": round(rng.uniform(0.2, 0.99), 4)}],
            "top_entry": top,
            "kb_version": 1,
            "kb_loaded_at": None,
            "asker_key": f"{n % 900:064x}",
            "outcome": None,
            "vote": None,
            "voted_entry": None,
            "picked_entry": None,
            "picked_after": None,
            "ticket_id": None,
            "followed_at": None,
        }
        if kind < 0.5:
            row |= {"decision": "answer", "question": f"{top} について教えて"}
            if rng.random() < 0.3:
                vote = "helpful" if rng.random() < 0.8 else "not_helpful"
                row |= {"outcome": vote, "vote": vote, "voted_entry": top}
        elif kind < 0.75:
            row |= {"decision": "clarify", "question": f"{top} のこと"}
            if rng.random() < 0.6:
                row |= {"outcome": "picked", "picked_entry": rng.choice(entries), "picked_after": "clarify"}
        else:
            text = rng.choice(gaps) + rng.choice(("", "です", "。", "？"))
            row |= {"decision": "escalate", "question": text}
            if rng.random() < 0.3:
                row |= {"outcome": "escalated", "ticket_id": n}
        rows.append(row)
    return rows


async def _fill(url: str, rows: list[dict[str, Any]]) -> None:
    engine = create_engine(url)
    try:
        await upgrade(engine)
        async with engine.begin() as connection:
            for start in range(0, len(rows), 5000):
                await connection.execute(insert(LoggedQuestion.__table__), rows[start : start + 5000])
    finally:
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--questions", type=int, default=100_000)
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    arguments = parser.parse_args()
    knowledge_dir = REPO / "knowledge" / "faq"
    entries = [entry.id for entry in load(knowledge_dir).entries]
    last_day = date(2026, 11, 30)
    end = datetime(2026, 12, 1, tzinfo=UTC)
    with tempfile.TemporaryDirectory() as folder:
        url = arguments.database_url or f"sqlite+aiosqlite:///{Path(folder) / 'insights.db'}"
        asyncio.run(_fill(url, _rows(arguments.questions, entries, end, random.Random(14))))
        settings = load_operator_settings(database_url=url, knowledge_dir=knowledge_dir, _env_file=None)
        began = time.perf_counter()
        written = asyncio.run(
            run_insights(settings, last_day - timedelta(days=89), last_day, Path(folder) / "report", "ja")
        )
        elapsed = time.perf_counter() - began
        size = sum(path.stat().st_size for path in written)
    print(machine())
    print(
        f"insights over {arguments.questions:,} logged questions ({url.split(':')[0]}): {elapsed:.2f} s, "
        f"{len(written)} files, {size / 1024:.0f} KiB (target < 10 s)"
    )


if __name__ == "__main__":
    main()
