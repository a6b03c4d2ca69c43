"""Reruns the attacks of issue #12 against a locally started bot and prints how long each took:
`python -m benchmarks.attacks [--repo DIR] [--port N]`.

The bot is `python app.py` started from `--repo` (default: this checkout), so the same script measures
an older tree too (e.g. one extracted with `git archive <commit> | tar -x -C DIR`). Each case starts a
fresh bot on a fresh SQLite file:

1. forged tokens, outbound traffic black-holed: the bot runs outside dev mode with `HTTPS_PROXY`
   pointing at a loopback server that accepts connections and never answers (a dead proxy, a closed
   network); 20 requests carry RS256 tokens with the Bot Framework's issuer signed by a foreign key.
   Measured: when each is answered (and with what), and /healthz's latency meanwhile.
2. forged tokens, DNS failing fast (no proxy, no network): one request per kind of forgery; statuses.
3. quadratic patterns: a 120 KB text of `<at>` and a 60 KB `text/html` attachment of `<img `, in dev
   mode; the time to answer each and /healthz's latency when asked 0.3 s after it was sent.
4. unfinished bodies: 50 connections send headers and half a body, then nothing; how long until the
   bot answers or closes each.

Every wait is capped (`CAP` seconds); "≥ CAP" means the bot had not answered when the script gave up.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import jwt
from jwt.warnings import InsecureKeyLengthWarning

from benchmarks.common import machine
from devtools.activities import Person, TeamsActivities
from devtools.emulator import ConnectorEmulator
from devtools.openid import BlackHole, OpenIdStandIn

REPO = Path(__file__).resolve().parent.parent
CAP = 20.0
APP_ID = "11111111-2222-3333-4444-555555555555"
PASSWORD = "bench-app-password"
TENANT = "00000000-0000-0000-0000-0000000000aa"
EMULATOR_ISSUER = "https://sts.windows.net/d6d49420-f39b-4df7-a1dc-d59a935871db/"
ALICE = Person("山田 花子", "aaaaaaaa-0000-0000-0000-000000000001")


@contextlib.asynccontextmanager
async def _bot(repo: Path, port: int, extra: dict[str, str]) -> AsyncIterator[str]:
    with tempfile.TemporaryDirectory() as folder:
        env = {
            **os.environ,
            "HOST": "127.0.0.1",
            "PORT": str(port),
            "DATABASE_URL": f"sqlite+aiosqlite:///{folder}/kotae.db",
            "KOTAE_KNOWLEDGE_CACHE_DIR": f"{folder}/knowledge-cache",
            "KOTAE_ALLOWED_TENANTS": TENANT,
            "LOG_LEVEL": "CRITICAL",
            "NO_PROXY": "127.0.0.1,localhost",
            **extra,
        }
        process = await asyncio.create_subprocess_exec(
            sys.executable, "app.py", cwd=repo, env=env, stderr=asyncio.subprocess.DEVNULL
        )
        url = f"http://127.0.0.1:{port}"
        try:
            await _wait_ready(url, process)
            yield url
        finally:
            process.kill()  # a bot frozen by the attack does not stop on request
            await process.wait()


async def _wait_ready(url: str, process: asyncio.subprocess.Process) -> None:
    async with aiohttp.ClientSession() as http:
        for _ in range(6000):
            with contextlib.suppress(aiohttp.ClientError):
                async with http.get(f"{url}/readyz", timeout=aiohttp.ClientTimeout(total=1)) as response:
                    if response.status == 200:
                        return
            if process.returncode is not None:
                raise RuntimeError("the bot exited during start-up")
            await asyncio.sleep(0.05)
    raise RuntimeError("the bot never became ready")


async def _timed(coroutine: Any) -> tuple[Any, float]:
    started = time.perf_counter()
    try:
        result = await asyncio.wait_for(coroutine, CAP)
    except (TimeoutError, aiohttp.ClientError, ConnectionError) as error:
        result = type(error).__name__
    return result, time.perf_counter() - started


async def _post(url: str, body: Any, headers: dict[str, str] | None = None) -> int:
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{url}/api/messages", json=body, headers=headers) as response,
    ):
        return response.status


async def _health(url: str) -> float:
    async def get() -> int:
        async with aiohttp.ClientSession() as http, http.get(f"{url}/healthz") as response:
            return response.status

    _, seconds = await _timed(get())
    return seconds


def _seconds(value: float) -> str:
    return f"≥ {CAP:.0f} s" if value >= CAP else f"{value:.2f} s"


def _authenticated(metadata_url: str | None = None) -> dict[str, str]:
    settings = {"MicrosoftAppId": APP_ID, "MicrosoftAppPassword": PASSWORD, "MicrosoftAppTenantId": TENANT}
    if metadata_url:
        settings["KOTAE_OPENID_METADATA_URL"] = metadata_url
    return settings


async def forged_black_holed(repo: Path, port: int, teams: TeamsActivities) -> None:
    hole = BlackHole()
    await hole.start()
    proxy = hole.url.split("/v1/", 1)[0]
    token = OpenIdStandIn().token(audience=APP_ID, service_url=teams.service_url)
    try:
        async with _bot(repo, port, {**_authenticated(), "HTTPS_PROXY": proxy}) as url:
            headers = {"Authorization": f"Bearer {token}"}
            forged = [
                asyncio.create_task(_timed(_post(url, teams.message(ALICE, "help"), headers)))
                for _ in range(20)
            ]
            await asyncio.sleep(0.5)
            health = await _health(url)
            results = await asyncio.gather(*forged)
    finally:
        await hole.close()
    statuses = sorted({str(status) for status, _ in results})
    times = [seconds for _, seconds in results]
    print(
        f"1. forged tokens, outbound black-holed: 20 requests answered {', '.join(statuses)} in "
        f"median {_seconds(statistics.median(times))}, max {_seconds(max(times))}; "
        f"/healthz meanwhile {_seconds(health)}"
    )


def _forgeries(service_url: str) -> dict[str, str]:
    stand_in = OpenIdStandIn()

    def token(**changes: Any) -> str:
        return stand_in.token(**{"audience": APP_ID, "service_url": service_url, **changes})

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InsecureKeyLengthWarning)
        hs256 = token(key=PASSWORD, algorithm="HS256")
    claims = {"iss": "https://api.botframework.com", "aud": APP_ID, "serviceurl": service_url}
    return {
        "alg none": jwt.encode(claims, None, algorithm="none"),
        "HS256 with the app password": hs256,
        "RS256 foreign key": token(),
        "emulator issuer": token(issuer=EMULATOR_ISSUER),
    }


async def forged_dns_failing(repo: Path, port: int, teams: TeamsActivities) -> None:
    async with _bot(repo, port, _authenticated()) as url:
        results = {}
        for name, token in _forgeries(teams.service_url).items():
            headers = {"Authorization": f"Bearer {token}"}
            results[name] = await _timed(_post(url, teams.message(ALICE, "help"), headers))
    shown = "; ".join(
        f"{name}: {status} in {_seconds(seconds)}" for name, (status, seconds) in results.items()
    )
    print(f"2. forged tokens, DNS failing: {shown}")


async def quadratic_patterns(repo: Path, port: int, teams: TeamsActivities) -> None:
    cases = {
        "120 KB of <at>": teams.message(ALICE, "<at>" * 30_000),
        "60 KB of <img in text/html": teams.message(
            ALICE, "画像", attachments=[{"contentType": "text/html", "content": "<img " * 12_000}]
        ),
    }
    async with _bot(repo, port, {"KOTAE_DEV_MODE": "true"}) as url:
        for name, activity in cases.items():
            post = asyncio.create_task(_timed(_post(url, activity)))
            await asyncio.sleep(0.3)  # the body is read and parsed by then
            health = await _health(url)
            status, seconds = await post
            print(
                f"3. {name}: answered {status} in {_seconds(seconds)}; "
                f"/healthz asked 0.3 s after the post took {_seconds(health)}"
            )


async def _unfinished_body(port: int) -> float:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    body = json.dumps({"type": "message", "text": "x" * 1000}).encode()
    writer.write(
        b"POST /api/messages HTTP/1.1\r\nHost: kotae\r\nContent-Type: application/json\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body[: len(body) // 2]
    )
    await writer.drain()
    started = time.perf_counter()
    with contextlib.suppress(TimeoutError, ConnectionError):
        await asyncio.wait_for(reader.read(1), CAP)  # an answer, or the connection closed
    writer.close()
    return time.perf_counter() - started


async def unfinished_bodies(repo: Path, port: int) -> None:
    async with _bot(repo, port, {"KOTAE_DEV_MODE": "true"}) as url:
        held = await asyncio.gather(*(_unfinished_body(port) for _ in range(50)))
        health = await _health(url)
    print(
        f"4. 50 unfinished bodies: held median {_seconds(statistics.median(held))}, max {_seconds(max(held))}; "
        f"/healthz after {_seconds(health)}"
    )


async def main(repo: Path, port: int) -> None:
    emulator = ConnectorEmulator()
    await emulator.start()
    teams = TeamsActivities(service_url=emulator.url)
    print(f"bot from {repo}; {machine()}; waits capped at {CAP:.0f} s")
    try:
        await forged_black_holed(repo, port, teams)
        await forged_dns_failing(repo, port, teams)
        await quadratic_patterns(repo, port, teams)
        await unfinished_bodies(repo, port)
    finally:
        await emulator.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repo", type=Path, default=REPO, help="the checkout whose app.py to start")
    parser.add_argument("--port", type=int, default=39791)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.repo.resolve(), arguments.port))
