"""Logging set-up. Message text is never logged at INFO; ids, types and states are. Every line,
tracebacks included, passes through `bot.redact` on its way out: no credential reaches the log."""

from __future__ import annotations

import logging

from bot.config import Settings
from bot.redact import redact

__all__ = ["configure_logging"]

_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_DEV_MODE_WARNING = (
    "\n" + "!" * 78 + "\n"
    "!! KOTAE_DEV_MODE is on: requests are NOT authenticated and replies carry no token.\n"
    "!! Use it only on your own machine with the terminal chat or the Bot Framework Emulator.\n" + "!" * 78
)


class _RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def configure_logging(settings: Settings) -> None:
    logging.basicConfig(level=settings.log_level, format=_FORMAT, force=True)
    for handler in logging.getLogger().handlers:
        handler.setFormatter(_RedactingFormatter(_FORMAT))
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
