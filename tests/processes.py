"""The bot as a real process (`python app.py`), as App Service runs it: started, probed, stopped or killed.

The test's event loop keeps running (the connector emulator lives in it) while processes start: the
process is an asyncio subprocess and its log goes to a file, not a pipe that could fill up.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

from tests.conftest import REPO

__all__ = ["BotProcess", "free_port"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class BotProcess:
    process: asyncio.subprocess.Process
    url: str
    log_path: Path

    @classmethod
    async def start(cls, log_path: Path, **settings: str) -> BotProcess:
        """Start `python app.py` with `settings` as its only Kotae settings (dev mode unless told)."""
        port = free_port()
        clean = {
            key: value
            for key, value in os.environ.items()
            if not key.upper().startswith(("MICROSOFT", "KOTAE_"))
        }
        env = {
            **clean,
            "KOTAE_DEV_MODE": "true",
            "KOTAE_KNOWLEDGE_DIR": str(REPO / "knowledge" / "faq"),
            "PORT": str(port),
            **settings,
        }
        with log_path.open("ab") as log:
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                str(REPO / "app.py"),
                cwd=log_path.parent,
                env=env,
                stdout=log,
                stderr=log,
            )
        return cls(process, f"http://127.0.0.1:{port}", log_path)

    async def wait_ready(self, timeout: float = 30.0) -> None:
        async with asyncio.timeout(timeout), aiohttp.ClientSession() as http:
            while True:
                if self.process.returncode is not None:
                    raise AssertionError(f"the bot exited with {self.process.returncode}:\n{self.log()}")
                try:
                    async with http.get(f"{self.url}/readyz") as response:
                        if response.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.05)

    async def post(self, activity: dict[str, Any]) -> tuple[int, Any]:
        async with (
            aiohttp.ClientSession() as http,
            http.post(f"{self.url}/api/messages", json=activity) as response,
        ):
            body = (
                await response.json()
                if response.content_type == "application/json"
                else await response.text()
            )
            return response.status, body

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    async def stop(self) -> None:
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), 15)
            except TimeoutError:
                await self.kill()

    async def kill(self) -> None:
        """SIGKILL: the process dies at once, leases and all, as a crashed container does."""
        if self.process.returncode is None:
            self.process.kill()
            await self.process.wait()
