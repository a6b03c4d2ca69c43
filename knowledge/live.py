"""Hot reload for a running service: watch the folder, rebuild off the loop, swap atomically."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from watchfiles import Change, awatch

from knowledge.matcher import Matcher, MatchSettings
from knowledge.model import KnowledgeError
from knowledge.semantic import Embedder, load_embedder
from knowledge.snapshot import Snapshots, build

log = logging.getLogger(__name__)


Fingerprint = tuple[tuple[str, int, int], ...]


def _is_knowledge_file(change: Change, path: str) -> bool:
    return path.endswith((".yaml", ".yml"))


def _fingerprint(directory: Path) -> Fingerprint:
    """Name, modification time and size of every YAML file: changes when any file does."""
    found = []
    for path in directory.rglob("*.y*ml"):
        try:
            stat = path.stat()
        except FileNotFoundError:  # deleted while we looked; the next look will see it
            continue
        found.append((str(path), stat.st_mtime_ns, stat.st_size))
    return tuple(sorted(found))


class LiveKnowledge:
    """Serves the newest valid knowledge base of a folder; a broken edit keeps the last good one.

    File events trigger a reload. Every `poll_interval` seconds the files' names, times and sizes
    are compared too, so a change whose event never arrives (network shares) is still picked up;
    `force_polling=True` makes the watcher itself poll instead of waiting for events.

    With `snapshots`, the start reuses the matcher saved by the last start (reading only what
    changed since) and saves the one it serves. Reloads do not save: writing the snapshot holds
    the interpreter for as long as reading it, which would stall the bot's replies; a restart
    after a reload reads the changed files again, as a reload does.
    """

    def __init__(
        self,
        directory: Path,
        settings: MatchSettings,
        poll_interval: float = 2.0,
        force_polling: bool = False,
        snapshots: Snapshots | None = None,
        semantic: bool = True,
    ) -> None:
        """`semantic`: rank with the sentence-embedding model too (loaded by start(); when it
        cannot be, the matcher ranks on words alone and status() says why)."""
        self.directory = Path(directory)
        self.semantic = semantic
        self._embedder: Embedder | None = None
        self._semantic_off: str | None = None if semantic else "turned off"
        self.snapshots = snapshots
        self.settings = settings
        self.poll_interval = poll_interval
        self.force_polling = force_polling
        self._matcher: Matcher | None = None
        self._loaded_at: datetime | None = None
        self._version = 0
        self._last_error: dict[str, Any] | None = None
        self._stop = asyncio.Event()
        self._watcher: asyncio.Task[None] | None = None
        self._reload_lock = asyncio.Lock()
        self._seen: Fingerprint = ()  # the files as they were at the last load attempt

    @property
    def matcher(self) -> Matcher:
        if self._matcher is None:
            raise RuntimeError("LiveKnowledge.start() has not been awaited yet.")
        return self._matcher

    async def start(self) -> None:
        """Load the folder; raise KnowledgeError when it is invalid, then watch it."""
        if self.semantic:
            self._embedder, self._semantic_off = await asyncio.to_thread(load_embedder)
            if self._embedder is None:
                log.warning("semantic layer unavailable, matching on words alone: %s", self._semantic_off)
        self._seen = await asyncio.to_thread(_fingerprint, self.directory)
        self._swap(await asyncio.to_thread(self._first_build))
        self._stop.clear()
        self._watcher = asyncio.create_task(self._watch(), name="kotae-knowledge-watch")

    async def stop(self) -> None:
        self._stop.set()
        if self._watcher is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._watcher
            self._watcher = None

    async def reload(self) -> bool:
        """Rebuild now; True when the new knowledge base is serving, False when it was invalid."""
        async with self._reload_lock:
            self._seen = await asyncio.to_thread(_fingerprint, self.directory)
            try:
                matcher = await asyncio.to_thread(self._build)
            except KnowledgeError as error:
                self._last_error = {
                    "at": datetime.now(UTC).isoformat(),
                    "problems": [problem.format("en") for problem in error.problems],
                }
                log.warning(
                    "knowledge base %s not reloaded, the last good one keeps serving:\n%s",
                    self.directory,
                    "\n".join(self._last_error["problems"]),
                )
                return False
            self._swap(matcher)
            return True

    def status(self) -> dict[str, Any]:
        return {
            "path": str(self.directory),
            "entries": len(self._matcher.kb) if self._matcher else 0,
            "loaded_at": self._loaded_at.isoformat() if self._loaded_at else None,
            "version": self._version,
            "last_error": self._last_error,
            "semantic": {
                "on": self._matcher is not None and self._matcher.semantic,
                "model": self._embedder.name if self._embedder else None,
                "reason": self._semantic_off,
            },
        }

    def _first_build(self) -> Matcher:
        saved = self.snapshots.read(self.directory) if self.snapshots else None
        matcher = build(self.directory, self.settings, earlier=saved, embedder=self._embedder)
        if matcher is saved:
            log.info("knowledge base %s: served from its snapshot, unchanged since", self.directory)
        elif self.snapshots:
            self.snapshots.save(matcher)
        return matcher

    def _build(self) -> Matcher:
        # What the serving matcher read is not read again: a reload parses and analyses only
        # what changed.
        return build(self.directory, self.settings, earlier=self._matcher, embedder=self._embedder)

    def _swap(self, matcher: Matcher) -> None:
        # One attribute assignment: readers see the old matcher or the new one, never a mix.
        self._matcher = matcher
        self._loaded_at = datetime.now(UTC)
        self._version += 1
        self._last_error = None
        log.info(
            "knowledge base %s loaded: %d entries (version %d)",
            self.directory,
            len(matcher.kb),
            self._version,
        )

    async def _watch(self) -> None:
        while not self._stop.is_set():
            try:
                async for _changes in awatch(
                    self.directory,
                    watch_filter=_is_knowledge_file,
                    stop_event=self._stop,
                    force_polling=self.force_polling,
                    poll_delay_ms=int(self.poll_interval * 1000),
                    debounce=400,
                    step=50,
                    rust_timeout=max(int(self.poll_interval * 1000), 1),
                    yield_on_timeout=True,
                ):
                    await self._reload_if_changed()
            except OSError as error:
                # The folder is gone or unreachable for now: keep checking until it is back.
                log.warning(
                    "cannot watch %s (%s); checking again in %.1f s",
                    self.directory,
                    error,
                    self.poll_interval,
                )
                await self._reload_if_changed()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), self.poll_interval)

    async def _reload_if_changed(self) -> None:
        # Called on file events and on the watcher's periodic timeout (an empty set of changes).
        if await asyncio.to_thread(_fingerprint, self.directory) != self._seen:
            await self.reload()
