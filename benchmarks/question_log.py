"""What writing the question log adds to a turn, written in the turn (before) and queued (now).

    python -m benchmarks.question_log [--rate 200] [--seconds 10] [--database-url URL]

The load benchmark's open loop runs at 200 questions/s (docs/benchmarks.md, 5); here each question is
`QuestionLog.record` at even intervals on a migrated database, timed as the turn sees it, two ways in
one run:

- `in the turn`: the row written before the turn goes on (`record`, then a flush of that one row: mask,
  key, one INSERT in its own transaction), as Kotae did before the writer;
- `queued`: `record` only, as the bot does now; the rows are written every 0.5 s in one INSERT (the
  writer's `flush`, called here on the writer's schedule and timed apart as CPU time of the event loop's
  thread: what a turn that arrives meanwhile may wait behind; the database's own work is elsewhere).

Default database: a fresh SQLite file for each way, as the bot's default.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.common import machine, percentile
from bot.asker.log_writer import QuestionLogWriter
from bot.asker.masking import QuestionMasker
from bot.asker.question_log import QuestionLog
from bot.storage.engine import create_engine, create_session_factory
from bot.storage.migrate import upgrade
from dialogs import Answer
from knowledge import Entry, Hit

_QUESTION = "wifiにつながらない 内線 4321 まで連絡ください taro@city.example.lg.jp"
_FLUSH_EVERY = 0.5  # the writer's default interval (KOTAE_QUESTION_LOG_FLUSH_SECONDS)


def _outcome() -> Answer:
    entry = Entry(id="wifi-cannot-connect", question="Wi-Fiにつながらない", answer="…", category="network")
    return Answer(_QUESTION, Hit(entry, 0.93), ())


async def run(
    rate: float, seconds: float, database_url: str, *, queued: bool
) -> tuple[list[float], list[float]]:
    """The time each question added to its turn, and (queued) the time of each background write."""
    engine = create_engine(database_url)
    await upgrade(engine)
    status: dict[str, Any] = {"version": 3, "loaded_at": "2026-12-03T09:00:00+09:00"}
    writer = QuestionLogWriter(create_session_factory(engine), QuestionMasker(r"S\d{6}"))
    log = QuestionLog(writer, lambda: status)
    outcome = _outcome()
    turns: list[float] = []
    writes: list[float] = []
    start = next_flush = time.perf_counter()
    try:
        for n in range(int(rate * seconds)):
            delay = start + n / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            began = time.perf_counter()
            asker = f"user-{n % 200}"
            log.record(
                log.row_id(outcome, asker), outcome, lang="ja", asker=asker, conversation_type="personal"
            )
            if not queued:
                await writer.flush()
            turns.append(time.perf_counter() - began)
            if queued and time.perf_counter() >= next_flush:
                next_flush = time.perf_counter() + _FLUSH_EVERY
                began = time.thread_time()  # the event loop's CPU: what other turns wait behind
                await writer.flush()
                writes.append(time.thread_time() - began)
        await writer.flush()
    finally:
        await engine.dispose()
    return turns[5:], writes[1:]  # the first calls open connections and read the key


def _line(label: str, seconds: list[float]) -> str:
    ms = [value * 1000 for value in seconds]
    return (
        f"{label}: {len(ms)} × p50 {percentile(ms, 0.5):.3f} ms, p99 {percentile(ms, 0.99):.3f} ms, "
        f"max {max(ms):.3f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--database-url", help="default: a fresh SQLite file for each way")
    arguments = parser.parse_args()
    print(machine())
    for queued in (False, True):
        with tempfile.TemporaryDirectory() as folder:
            url = arguments.database_url or f"sqlite+aiosqlite:///{Path(folder) / 'log.db'}"
            turns, writes = asyncio.run(run(arguments.rate, arguments.seconds, url, queued=queued))
        where = f"question log, {url.split(':')[0]}, {arguments.rate:g}/s"
        print(_line(f"{where}, {'queued' if queued else 'in the turn'}: added to a turn", turns))
        if queued:
            print(_line(f"{where}, queued: event-loop CPU of a write every {_FLUSH_EVERY:g} s", writes))


if __name__ == "__main__":
    main()
