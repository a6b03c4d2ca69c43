"""Hot reload for a running service: watch the folder, rebuild off the loop, swap atomically."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from watchfiles import Change, awatch

from knowledge.loader import folder_digest
from knowledge.matcher import Matcher, MatchSettings
from knowledge.model import KnowledgeError, Problem
from knowledge.semantic import Embedder, load_embedder
from knowledge.snapshot import Snapshots, build

log = logging.getLogger(__name__)


Fingerprint = tuple[tuple[str, int, int], ...]
_SETTLE_ROUNDS = 50  # reads of a folder that keeps changing before a reload gives up, for now


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
    after a reload reads the changed files again, as a reload does. When the folder is invalid at
    the start, that snapshot (the last good knowledge base) serves, and `status()` says so.

    A reload serves what it read only when the folder held the same bytes before and after the
    read, `settle` seconds apart at least: a file an editor is still writing is never served half.
    When watchfiles fails (it cannot even name a file whose name is not UTF-8), the folder is
    polled instead; `status()["reloading"]` says which, or that reloading stopped.
    """

    def __init__(
        self,
        directory: Path,
        settings: MatchSettings,
        poll_interval: float = 2.0,
        force_polling: bool = False,
        snapshots: Snapshots | None = None,
        settle: float = 0.1,
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
        self.settle = settle
        self._matcher: Matcher | None = None
        self._loaded_at: datetime | None = None
        self._version = 0
        self._last_error: dict[str, Any] | None = None
        self._stop = asyncio.Event()
        self._stopping = False  # stop() was called (awatch also sets `_stop` when it is cancelled)
        self._watcher: asyncio.Task[None] | None = None
        self._reload_lock = asyncio.Lock()
        self._seen: Fingerprint = ()  # the files as they were at the last load attempt
        self._reloading = "events"  # then "polling" when watchfiles fails, "stopped" if the watcher ends
        self._reloading_problem: str | None = None
        self._start_problems: tuple[Problem, ...] = ()  # the folder's, when a snapshot serves instead

    @property
    def matcher(self) -> Matcher:
        if self._matcher is None:
            raise RuntimeError("LiveKnowledge.start() has not been awaited yet.")
        return self._matcher

    @property
    def start_problems(self) -> tuple[Problem, ...]:
        """The folder's errors when the start serves the last good snapshot instead; () otherwise."""
        return self._start_problems

    async def start(self) -> None:
        """Load the folder, then watch it. An invalid folder raises KnowledgeError, unless a
        snapshot of the last good one is at hand: that serves, and the problems are reported."""
        if self.semantic:
            self._embedder, self._semantic_off = await asyncio.to_thread(load_embedder)
            if self._embedder is None:
                log.warning("semantic layer unavailable, matching on words alone: %s", self._semantic_off)
        self._seen = await asyncio.to_thread(_fingerprint, self.directory)
        matcher, broken = await asyncio.to_thread(self._first_build)
        self._swap(matcher)
        if broken is not None:
            self._start_problems = broken.problems
            self._record_error(broken)
            log.error(
                "knowledge base %s is invalid; serving the last good snapshot (%d entries) until it is "
                "fixed:\n%s",
                self.directory,
                len(matcher.kb),
                "\n".join(self._last_error["problems"]),  # type: ignore[index]
            )
        self._stop.clear()
        self._stopping = False
        self._reloading, self._reloading_problem = "events", None
        self._watcher = asyncio.create_task(self._watch(), name="kotae-knowledge-watch")
        self._watcher.add_done_callback(self._watcher_ended)

    async def stop(self) -> None:
        self._stopping = True
        self._stop.set()
        if self._watcher is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._watcher
            self._watcher = None

    async def reload(self) -> bool:
        """Rebuild now; True when the new knowledge base is serving, False when it was invalid
        (or kept changing while it was read)."""
        async with self._reload_lock:
            self._seen = await asyncio.to_thread(_fingerprint, self.directory)
            built = await self._build_settled()
            if built is None:
                self._seen = ()  # still changing: the next check tries again
                log.warning("knowledge base %s kept changing while read; not reloaded yet", self.directory)
                return False
            if isinstance(built, KnowledgeError):
                self._record_error(built)
                log.warning(
                    "knowledge base %s not reloaded, the last good one keeps serving:\n%s",
                    self.directory,
                    "\n".join(self._last_error["problems"]),  # type: ignore[index]
                )
                return False
            self._swap(built)
            return True

    async def _build_settled(self) -> Matcher | KnowledgeError | None:
        """Build once the folder holds the same bytes on two reads `settle` seconds apart, and
        accept the result only if it still does after the build; None if it never settled."""
        before = await asyncio.to_thread(folder_digest, self.directory)
        for _ in range(_SETTLE_ROUNDS):
            await asyncio.sleep(self.settle)
            settled = await asyncio.to_thread(folder_digest, self.directory)
            if settled != before:
                before = settled
                continue
            try:
                built: Matcher | KnowledgeError = await asyncio.to_thread(self._build)
            except KnowledgeError as error:
                built = error
            before = await asyncio.to_thread(folder_digest, self.directory)
            if before == settled:
                return built
        return None

    def _record_error(self, error: KnowledgeError) -> None:
        self._last_error = {
            "at": datetime.now(UTC).isoformat(),
            "problems": [problem.format("en") for problem in error.problems],
        }

    def status(self) -> dict[str, Any]:
        """For /readyz: what serves, whether the folder has errors, and whether reloads still happen."""
        alerts = []
        if self._start_problems and self._last_error is not None:
            alerts.append("serving last good snapshot, knowledge base broken")
        if self._reloading == "stopped":
            alerts.append("reloading stopped")
        return {
            "path": str(self.directory),
            "entries": len(self._matcher.kb) if self._matcher else 0,
            "loaded_at": self._loaded_at.isoformat() if self._loaded_at else None,
            "version": self._version,
            "last_error": self._last_error,
            "reloading": self._reloading,
            "reloading_problem": self._reloading_problem,
            "alerts": alerts,
            "semantic": {
                "on": self._matcher is not None and self._matcher.semantic,
                "model": self._embedder.name if self._embedder else None,
                "reason": self._semantic_off,
            },
        }

    def _first_build(self) -> tuple[Matcher, KnowledgeError | None]:
        """The matcher to start with, and the folder's errors when it is the last good snapshot
        instead; raises KnowledgeError when the folder is invalid and there is no snapshot."""
        saved = self.snapshots.read(self.directory) if self.snapshots else None
        try:
            matcher = build(self.directory, self.settings, earlier=saved, embedder=self._embedder)
        except KnowledgeError as error:
            if saved is None:
                raise
            # The saved matcher was valid when saved; new thresholds (or a model it has no vectors
            # of) apply to it all the same: rebuilt from itself, reading nothing from the folder.
            model = self._embedder.name if self._embedder else None
            if saved.settings != self.settings or saved.semantic_model != model:
                saved = Matcher(saved.kb, self.settings, earlier=saved, embedder=self._embedder)
            elif self._embedder is not None:
                saved.attach(self._embedder)
            return saved, error
        if matcher is saved:
            log.info("knowledge base %s: served from its snapshot, unchanged since", self.directory)
        elif self.snapshots:
            self.snapshots.save(matcher)
        return matcher, None

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
        self._start_problems = ()
        log.info(
            "knowledge base %s loaded: %d entries (version %d)",
            self.directory,
            len(matcher.kb),
            self._version,
        )

    async def _watch(self) -> None:
        while not self._stop.is_set() and self._reloading == "events":
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
                await self._pause()
            except Exception as error:  # watchfiles' own failures (an undecodable file name, say)
                self._reloading, self._reloading_problem = "polling", f"file events failed: {error!r}"
                log.warning(
                    "cannot watch %s for file events (%r); checking it every %.1f s instead",
                    self.directory,
                    error,
                    self.poll_interval,
                )
        await self._poll()

    async def _poll(self) -> None:
        """Compare the files every `poll_interval` seconds, whatever goes wrong in one round."""
        failing = False
        while not self._stop.is_set():
            try:
                await self._reload_if_changed()
                failing = False
            except Exception as error:  # logged once per run of failures, tried again next round
                if not failing:
                    log.warning("cannot check %s for changes (%r); trying again", self.directory, error)
                failing = True
            await self._pause()

    async def _pause(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stop.wait(), self.poll_interval)

    def _watcher_ended(self, task: asyncio.Task[None]) -> None:
        if self._stopping:
            return
        self._reloading = "stopped"
        failure = None if task.cancelled() else task.exception()
        self._reloading_problem = "the watcher was cancelled" if failure is None else repr(failure)
        log.error(
            "knowledge base %s: reloading stopped (%s); edits load only after a restart",
            self.directory,
            self._reloading_problem,
        )

    async def _reload_if_changed(self) -> None:
        # Called on file events and on the watcher's periodic timeout (an empty set of changes).
        if await asyncio.to_thread(_fingerprint, self.directory) != self._seen:
            await self.reload()
