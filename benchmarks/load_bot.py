"""Load benchmark: many simultaneous conversations asking questions of one bot process over HTTP.

    python -m benchmarks.load_bot [--conversations 64] [--rate Q] [--seconds 20]
                                               [--postgres-server URL] [--profile FILE.svg|FILE.txt]

The bot runs as its own process (`python app.py`, dev mode) on a fresh database: a SQLite file in a
temporary folder, or with --postgres-server URL a database created on that PostgreSQL server and
dropped afterwards. This process runs the connector emulator the bot replies to, and the askers.
Each conversation is a different person in a 1:1 chat (questions from tests/questions/tuning.jsonl,
the tuning half, in turn). Two ways to load it:

- closed loop (default): every conversation posts a question, waits for the reply, posts the next;
  this finds the most the bot can answer per second (latency then grows with the queue).
- open loop (--rate Q): Q questions per second arrive at even intervals, round-robin over the
  conversations, whether or not earlier ones were answered; this is how staff ask, and it shows the
  latency at that load.

Latency is from sending the request to the bot until the reply has been received: the bot sends its
reply to the emulator inside the turn and answers the POST only after the emulator has accepted it,
so the POST's round trip covers the whole path. Every conversation says hello once before the clock
starts (the bot stores the conversation reference on a conversation's first turn).

--profile samples the bot process with py-spy (installed in the venv) for the measured interval:
a .svg file gets a flame graph, anything else the top functions as text.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import aiohttp

from benchmarks.common import machine, percentile
from bot.storage.databases import create_database, drop_database
from devtools.activities import DEFAULT_TENANT, Person, TeamsActivities
from devtools.emulator import ConnectorEmulator

REPO = Path(__file__).resolve().parent.parent
QUESTIONS = REPO / "tests" / "questions" / "tuning.jsonl"
_READY_TIMEOUT = 60.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start_bot(port: int, database_url: str) -> subprocess.Popen[bytes]:
    environment = {
        **os.environ,
        "KOTAE_DEV_MODE": "true",
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "DATABASE_URL": database_url,
        "KOTAE_ALLOWED_TENANTS": DEFAULT_TENANT,
        "KOTAE_KNOWLEDGE_DIR": str(REPO / "knowledge" / "faq"),
        "LOG_LEVEL": "WARNING",
    }
    return subprocess.Popen([sys.executable, str(REPO / "app.py")], cwd=REPO, env=environment)


async def _fresh_database(server_url: str | None, folder: str) -> str:
    """A new, empty database for this run: a SQLite file in `folder`, or one on the PostgreSQL server."""
    if not server_url:
        return f"sqlite+aiosqlite:///{folder}/kotae.db"
    return await create_database(server_url, prefix="kotae_bench")


async def _wait_ready(http: aiohttp.ClientSession, url: str, bot: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + _READY_TIMEOUT
    while time.monotonic() < deadline:
        if bot.poll() is not None:
            raise SystemExit(f"the bot exited with {bot.returncode} before it was ready")
        try:
            async with http.get(f"{url}/readyz") as response:
                if response.status == 200:
                    return
        except aiohttp.ClientConnectionError:
            pass
        await asyncio.sleep(0.2)
    raise SystemExit(f"the bot was not ready after {_READY_TIMEOUT:.0f} s")


async def _converse(
    http: aiohttp.ClientSession,
    url: str,
    teams: TeamsActivities,
    person: Person,
    questions: list[str],
    first: int,
    stop_at: float,
    latencies: list[float],
    statuses: Counter[int],
) -> None:
    turn = first
    while time.monotonic() < stop_at:
        activity = teams.message(person, questions[turn % len(questions)])
        turn += 1
        await _ask_once(http, url, activity, latencies, statuses)


async def _hello(http: aiohttp.ClientSession, url: str, teams: TeamsActivities, person: Person) -> None:
    async with http.post(f"{url}/api/messages", json=teams.message(person, "こんにちは")) as response:
        if response.status != 200:
            raise SystemExit(f"warm-up message got HTTP {response.status}: {await response.text()}")


async def _ask_once(
    http: aiohttp.ClientSession,
    url: str,
    activity: dict,
    latencies: list[float],
    statuses: Counter[int],
) -> None:
    started = time.perf_counter()
    async with http.post(f"{url}/api/messages", json=activity) as response:
        await response.read()
        statuses[response.status] += 1
    if response.status == 200:
        latencies.append(time.perf_counter() - started)


async def _open_loop(
    http: aiohttp.ClientSession,
    url: str,
    teams: TeamsActivities,
    people: list[Person],
    questions: list[str],
    rate: float,
    seconds: float,
    latencies: list[float],
    statuses: Counter[int],
) -> None:
    """`rate` questions per second at even intervals for `seconds`; waits for the last replies."""
    tasks = []
    start = time.perf_counter()
    for n in range(int(rate * seconds)):
        delay = start + n / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        activity = teams.message(people[n % len(people)], questions[n % len(questions)])
        tasks.append(asyncio.create_task(_ask_once(http, url, activity, latencies, statuses)))
    await asyncio.gather(*tasks)


def _profile(bot_pid: int, seconds: float, output: Path) -> subprocess.Popen[bytes]:
    py_spy = Path(sys.executable).with_name("py-spy")
    fmt = "flamegraph" if output.suffix == ".svg" else "raw"
    command = [str(py_spy), "record", "--pid", str(bot_pid), "--duration", str(int(seconds)), "--rate", "200"]
    command += ["--format", fmt, "--output", str(output), "--nonblocking"]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _top_functions(raw: Path, count: int = 25) -> list[str]:
    """Self time per function from py-spy's collapsed stacks (the leaf frame of each sample)."""
    leaves: Counter[str] = Counter()
    total = 0
    for line in raw.read_text(encoding="utf-8").splitlines():
        stack, _, samples = line.rpartition(" ")
        leaf = stack.rsplit(";", 1)[-1]
        leaves[leaf] += int(samples)
        total += int(samples)
    return [f"{100 * n / total:5.1f}%  {leaf}" for leaf, n in leaves.most_common(count)]


async def run(arguments: argparse.Namespace) -> None:
    questions = [
        json.loads(line)["query"] for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line
    ]
    emulator = ConnectorEmulator()
    await emulator.start()
    teams = TeamsActivities(service_url=emulator.url)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as folder:
        database_url = await _fresh_database(arguments.postgres_server, folder)
        bot = _start_bot(port, database_url)
        connector = aiohttp.TCPConnector(limit=0)
        try:
            async with aiohttp.ClientSession(connector=connector) as http:
                await _wait_ready(http, url, bot)
                people = [
                    Person(f"職員 {n}", f"00000000-0000-0000-0000-{n:012d}")
                    for n in range(arguments.conversations)
                ]
                await asyncio.gather(*(_hello(http, url, teams, person) for person in people))
                replies_before = len(emulator.messages())
                profiler = (
                    _profile(bot.pid, arguments.seconds, arguments.profile) if arguments.profile else None
                )
                latencies: list[float] = []
                statuses: Counter[int] = Counter()
                started = time.monotonic()
                stop_at = started + arguments.seconds
                if arguments.rate:
                    await _open_loop(
                        http,
                        url,
                        teams,
                        people,
                        questions,
                        arguments.rate,
                        arguments.seconds,
                        latencies,
                        statuses,
                    )
                else:
                    await asyncio.gather(
                        *(
                            _converse(
                                http, url, teams, person, questions, n * 7, stop_at, latencies, statuses
                            )
                            for n, person in enumerate(people)
                        )
                    )
                elapsed = time.monotonic() - started
                replies = len(emulator.messages()) - replies_before
                if profiler is not None:
                    profiler.wait()
        finally:
            bot.send_signal(signal.SIGINT)
            bot.wait(timeout=30)
            await emulator.close()
            if arguments.postgres_server:
                await drop_database(arguments.postgres_server, database_url)
    answered = len(latencies)
    print(f"machine: {machine()}")
    print(
        f"bot: one process (python app.py, dev mode), database {'PostgreSQL' if arguments.postgres_server else 'SQLite'}"
    )
    mode = f"open loop at {arguments.rate:g} questions/s" if arguments.rate else "closed loop"
    print(
        f"load: {arguments.conversations} simultaneous 1:1 conversations, {mode}, {arguments.seconds:.0f} s, "
        f"{len(questions)} tuning-half questions in turn"
    )
    print(f"answered: {answered} questions in {elapsed:.1f} s = {answered / elapsed:.0f} questions/s")
    print(f"replies received by the emulator: {replies}; HTTP statuses: {dict(statuses)}")
    if latencies:
        print(
            "latency request -> reply received: "
            f"p50 {1000 * percentile(latencies, 0.5):.1f} ms, p90 {1000 * percentile(latencies, 0.9):.1f} ms, "
            f"p99 {1000 * percentile(latencies, 0.99):.1f} ms, max {1000 * max(latencies):.1f} ms"
        )
        slow = sum(latency > 1.0 for latency in latencies)
        print(f"slower than 1 s: {slow} ({100 * slow / len(latencies):.1f}%)")
    if arguments.profile and arguments.profile.suffix != ".svg" and arguments.profile.exists():
        print(f"profile of the bot process (py-spy, self time, top functions) from {arguments.profile}:")
        for line in _top_functions(arguments.profile):
            print("  " + line)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--conversations", type=int, default=64)
    parser.add_argument("--rate", type=float, help="open loop: questions per second (default: closed loop)")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument(
        "--postgres-server",
        help="a PostgreSQL server URL (postgresql+asyncpg://…); default: SQLite in a temporary folder",
    )
    parser.add_argument(
        "--profile", type=Path, help="sample the bot with py-spy into this file (.svg or .txt)"
    )
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
