"""Logging set-up. Message text is never logged at INFO; ids, types and states are.

Two formats (`KOTAE_LOG_FORMAT`): `text`, one readable line per record, and `json`, one JSON object
per line for Log Analytics and its alerts: time, level, logger, message, the id of the activity (or
outbox row) being handled, a stable `event` name where an alert needs one, and the exception. Every
line, tracebacks included, passes through `bot.redact` on its way out: no credential reaches the log.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Iterator
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from bot.config import Settings
from bot.redact import redact

__all__ = [
    "EVENT",
    "JsonFormatter",
    "bind_context",
    "configure_logging",
    "event",
]

_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_DEV_MODE_WARNING = (
    "\n" + "!" * 78 + "\n"
    "!! KOTAE_DEV_MODE is on: requests are NOT authenticated and replies carry no token.\n"
    "!! Use it only on your own machine with the terminal chat or the Bot Framework Emulator.\n" + "!" * 78
)

# What is being handled right now (e.g. {"activity_id": "…"} during a turn); added to every JSON line.
_CONTEXT: ContextVar[tuple[tuple[str, str], ...]] = ContextVar("kotae_log_context", default=())
# The `extra` key of a record that names it for alerts (see `event`).
EVENT = "kotae_event"


@contextlib.contextmanager
def bind_context(**fields: str | int | None) -> Iterator[None]:
    """Add `fields` (None ones left out) to every record logged inside the block, in this task."""
    added = {key: str(value) for key, value in fields.items() if value is not None}
    token = _CONTEXT.set(tuple({**dict(_CONTEXT.get()), **added}.items()))
    try:
        yield
    finally:
        _CONTEXT.reset(token)


def event(name: str) -> dict[str, Any]:
    """`extra=` for a record an alert looks for: `_log.error("…", extra=event("connector_auth_failed"))`."""
    return {EVENT: name}


class JsonFormatter(logging.Formatter):
    """One JSON object per line; non-ASCII kept as is (Japanese stays readable in the portal)."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **dict(_CONTEXT.get()),
        }
        if (name := getattr(record, EVENT, None)) is not None:
            line["event"] = name
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
            line["exception_type"] = record.exc_info[0].__name__ if record.exc_info[0] else None
        return json.dumps(line, ensure_ascii=False, default=str)


class _Redacting(logging.Formatter):
    """Any formatter's lines with credentials masked (tracebacks and JSON included)."""

    def __init__(self, inner: logging.Formatter) -> None:
        super().__init__()
        self.inner = inner

    def format(self, record: logging.LogRecord) -> str:
        return redact(self.inner.format(record))


def configure_logging(settings: Settings) -> None:
    handler = logging.StreamHandler()
    inner = JsonFormatter() if settings.log_format == "json" else logging.Formatter(_FORMAT)
    handler.setFormatter(_Redacting(inner))
    logging.basicConfig(level=settings.log_level, handlers=[handler], force=True)
    # botbuilder and msrest log request bodies at DEBUG; keep them at WARNING unless asked for DEBUG.
    if settings.log_level != "DEBUG":
        for noisy in ("msrest", "botframework", "botbuilder", "aiohttp.access"):
            logging.getLogger(noisy).setLevel(logging.WARNING)
    log = logging.getLogger("kotae")
    if settings.dev_mode:
        log.warning(_DEV_MODE_WARNING)
    log.info(
        "Kotae on %s:%s, database %s, knowledge %s, ICT channel %s",
        settings.host,
        settings.port,
        settings.database_url.split("://", 1)[0],
        settings.knowledge_dir,
        "configured" if settings.ict_channel_id else "not configured",
    )
