"""Runs the real app on a free port and talks to it over HTTP, as Teams would."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp import web

from app import create_app
from bot.config import Settings
from bot.web import RUNTIME


@dataclass
class Reply:
    status: int
    body: Any


@dataclass
class BotUnderTest:
    settings: Settings
    app: web.Application
    runner: web.AppRunner
    url: str
    http: aiohttp.ClientSession

    @classmethod
    async def start(cls, settings: Settings, *, wait_ready: bool = True) -> BotUnderTest:
        app = create_app(settings)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        bot = cls(settings, app, runner, f"http://127.0.0.1:{port}", aiohttp.ClientSession())
        if wait_ready:
            await bot.wait_ready()
        return bot

    @property
    def runtime(self):
        return self.app[RUNTIME]

    async def wait_ready(self, timeout: float = 10.0) -> None:
        async with asyncio.timeout(timeout):
            await self.runtime.database.became_ready.wait()

    async def wait_database_checked(self, timeout: float = 10.0) -> None:
        """Until the first check of the database, which runs in the background, has a result."""
        async with asyncio.timeout(timeout):
            while True:
                if self.runtime.database.reason != "starting":
                    return
                await asyncio.sleep(0.01)

    async def post(self, activity: dict[str, Any], headers: dict[str, str] | None = None) -> Reply:
        async with self.http.post(f"{self.url}/api/messages", json=activity, headers=headers) as response:
            body = (
                await response.json()
                if response.content_type == "application/json"
                else await response.text()
            )
            return Reply(response.status, body)

    async def post_raw(self, data: bytes, headers: dict[str, str]) -> Reply:
        # aiohttp would otherwise add a Content-Type of its own to a body sent without one.
        skip = () if "Content-Type" in headers else ("Content-Type",)
        async with self.http.post(
            f"{self.url}/api/messages", data=data, headers=headers, skip_auto_headers=skip
        ) as response:
            body = (
                await response.json()
                if response.content_type == "application/json"
                else await response.text()
            )
            return Reply(response.status, body)

    async def get(self, path: str) -> Reply:
        async with self.http.get(f"{self.url}{path}") as response:
            return Reply(response.status, await response.json())

    async def close(self) -> None:
        await self.http.close()
        await self.runner.cleanup()
