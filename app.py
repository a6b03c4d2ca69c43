"""Kotae's composition root: builds the aiohttp application and runs it.

`python app.py` runs it with the settings from the environment; Azure App Service runs
`python -m aiohttp.web -H 0.0.0.0 -P 8000 app:init_func`.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import AsyncIterator

from aiohttp import web

from bot.config import Settings, SettingsError, load_settings
from bot.logs import configure_logging
from bot.runtime import Runtime
from bot.web import RUNTIME, add_routes
from knowledge import KnowledgeError

_log = logging.getLogger("kotae")
_IDLE_SECONDS = 30.0
_LINGER_SECONDS = 1.0


def create_app(settings: Settings) -> web.Application:
    """The application for `settings`; its resources are built here and closed with it."""
    # Bodies are read by our handler with its own limit; the slack lets it answer 413 itself.
    # handler_args win over run_app's and App Service's defaults: a connection that sends nothing (or
    # only part of its headers) is closed after _IDLE_SECONDS instead of aiohttp's 75 s, and the rest of
    # a body refused unread (413, 408) is waited for _LINGER_SECONDS instead of 10 s.
    app = web.Application(
        client_max_size=settings.max_body_bytes + 1,
        handler_args={"keepalive_timeout": _IDLE_SECONDS, "lingering_time": _LINGER_SECONDS},
    )
    app[RUNTIME] = Runtime.build(settings)

    async def lifecycle(app: web.Application) -> AsyncIterator[None]:
        runtime = app[RUNTIME]
        try:
            await runtime.start()
        except KnowledgeError as error:
            # Reported here, so that every way of starting (app.py, App Service's init_func) says it.
            problems = "\n".join(problem.format("en") for problem in error.problems)
            _log.critical(
                "the knowledge base in %s is invalid and no snapshot of a good one is kept; not starting:\n%s",
                settings.knowledge_dir,
                problems,
            )
            raise
        yield
        await runtime.close()

    app.cleanup_ctx.append(lifecycle)
    add_routes(app)
    return app


def _settings_or_exit() -> Settings:
    try:
        return load_settings()
    except SettingsError as error:
        print(f"kotae: invalid settings\n{error}", file=sys.stderr)
        raise SystemExit(2) from None


def init_func(_argv: list[str] | None = None) -> web.Application:
    """Entry point for `python -m aiohttp.web … app:init_func`."""
    settings = _settings_or_exit()
    configure_logging(settings)
    return create_app(settings)


def main() -> None:
    settings = _settings_or_exit()
    configure_logging(settings)
    try:
        web.run_app(create_app(settings), host=settings.host, port=settings.port, print=None)
    except KnowledgeError:
        raise SystemExit(1) from None  # the problems were logged when the start failed


if __name__ == "__main__":
    main()
