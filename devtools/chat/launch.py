"""Starting a chat: check that the bot runs, in dev mode, and which ICT channel it has."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp

from devtools.chat.console import Console
from devtools.chat.session import Chat, ChatOptions, ReadLine
from devtools.emulator import ConnectorEmulator

DEFAULT_ICT_CHANNEL = "19:kotae-ict@thread.tacv2"
_READY_WAIT_SECONDS = 20.0


class BotUnavailable(Exception):
    """The bot cannot be talked to; `str()` says why and what to do."""


async def _bot_readiness(http: aiohttp.ClientSession, bot_url: str) -> dict[str, Any]:
    """The bot's `/readyz` report once it is ready; BotUnavailable if it is not running or not ready."""
    url = bot_url.rstrip("/") + "/readyz"
    loop = asyncio.get_running_loop()
    deadline = loop.time() + _READY_WAIT_SECONDS
    while True:
        try:
            async with http.get(url) as response:
                report = await response.json(content_type=None)
        except (aiohttp.ClientConnectionError, TimeoutError):
            raise BotUnavailable(
                f"Kotae is not running at {bot_url}: start it with `make run` in another terminal, "
                "then start the chat again."
            ) from None
        except (aiohttp.ContentTypeError, json.JSONDecodeError):
            raise BotUnavailable(f"{bot_url} answers, but it is not Kotae (no /readyz report).") from None
        if isinstance(report, dict) and report.get("ready"):
            return report
        if loop.time() > deadline:
            raise BotUnavailable(f"Kotae at {bot_url} is not ready: {_not_ready_reasons(report)}")
        await asyncio.sleep(0.5)


async def run_chat(
    options: ChatOptions, *, emulator: ConnectorEmulator, read: ReadLine, console: Console
) -> int:
    """Check the bot, then chat until the end of input; the exit status."""
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(timeout=timeout) as http:
        try:
            report = await _bot_readiness(http, options.bot_url)
        except BotUnavailable as problem:
            console.show(f"kotae chat: {problem}")
            return 1
        if not report.get("dev_mode"):
            console.show(
                f"kotae chat: Kotae at {options.bot_url} is not in dev mode; start it with `make run`."
            )
            return 1
        ict = report.get("ict_channel") or {}
        known = sorted(ict.get("channels") or ())  # the bot's ICT channels (KOTAE_ICT_CHANNEL_ID, routes)
        ict_channel = options.ict_channel or (known[0] if known else DEFAULT_ICT_CHANNEL)
        if not ict.get("configured"):
            console.note(
                "Kotae has no ICT channel, so it cannot pass questions on to ICT staff: restart it with "
                f"KOTAE_ICT_CHANNEL_ID={ict_channel}"
            )
        chat = Chat(
            options,
            ict_channel=ict_channel,
            ict_desk=bool(ict.get("configured")),
            emulator=emulator,
            http=http,
            read=read,
            console=console,
        )
        await chat.run()
    return 0


def _not_ready_reasons(report: Any) -> str:
    """The reasons `/readyz` gives for each part that is not ready (database, knowledge base, …)."""
    if isinstance(report, dict):
        reasons = [
            f"{part}: {facts['reason']}"
            for part, facts in report.items()
            if isinstance(facts, dict) and facts.get("ready") is False and facts.get("reason")
        ]
        if reasons:
            return "; ".join(reasons)
    return json.dumps(report, ensure_ascii=False)
