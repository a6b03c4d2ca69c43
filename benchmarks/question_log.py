"""What writing the question log adds to a turn: `QuestionLog.record` timed at the load benchmark's rate.

    python -m benchmarks.question_log [--rate 20] [--seconds 10] [--database-url URL]

The load benchmark's open loop runs at 20 questions/s (docs/benchmarks.md); each question here is one
`record` call (mask, key, one INSERT in its own transaction) on a migrated database, at even intervals.
Default database: a fresh SQLite file, as the bot's default. The bot writes the row after the reply is
sent, so this is time added to the turn, not to the answer the asker waits for.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.common import machine, percentile
from bot.asker.masking import QuestionMasker
from bot.asker.question_log import QuestionLog
from bot.storage.engine import create_engine, create_session_factory
from bot.storage.migrate import upgrade
from dialogs import Answer
from knowledge import Entry, Hit

_QUESTION = "wifiにつながらない 内線 4321 まで連絡ください taro@city.example.lg.jp"


def _outcome() -> Answer:
    entry = Entry(id="wifi-cannot-connect", question="Wi-Fiにつながらない", answer="…", category="network")
    return Answer(_QUESTION, Hit(entry, 0.93), ())


async def run(rate: float, seconds: float, database_url: str) -> list[float]:
    engine = create_engine(database_url)
    await upgrade(engine)
    status: dict[str, Any] = {"version": 3, "loaded_at": "2026-12-03T09:00:00+09:00"}
    log = QuestionLog(create_session_factory(engine), QuestionMasker(r"S\d{6}"), lambda: status)
    outcome = _outcome()
    timings = []
    start = time.perf_counter()
    try:
        for n in range(int(rate * seconds)):
            delay = start + n / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            began = time.perf_counter()
            asker = f"user-{n % 200}"
            await log.record(
                log.row_id(outcome, asker), outcome, lang="ja", asker=asker, conversation_type="personal"
            )
            timings.append(time.perf_counter() - began)
    finally:
        await engine.dispose()
    return timings[5:]  # the first calls open connections and read the key


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rate", type=float, default=20.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = arguments.database_url or f"sqlite+aiosqlite:///{Path(folder) / 'log.db'}"
        timings = asyncio.run(run(arguments.rate, arguments.seconds, url))
    ms = [value * 1000 for value in timings]
    print(machine())
    print(
        f"question log, {url.split(':')[0]}, {arguments.rate:g}/s, {len(ms)} questions: "
        f"p50 {percentile(ms, 0.5):.3f} ms, p99 {percentile(ms, 0.99):.3f} ms, max {max(ms):.3f} ms"
    )


if __name__ == "__main__":
    main()
