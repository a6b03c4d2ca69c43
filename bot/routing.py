"""What the bot routes to: the shapes of the handlers that features give the activity handler.

The features (`bot.asker`, `bot.desk`) build handlers of these shapes and the runtime hands them to
`bot.handler.KotaeBot`, which routes by tables; so a feature needs this module, never the handler.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from bot.commands import ParsedCommand
from bot.i18n import Lang
from bot.invoke import InvokeResult
from bot.turn import Incoming, Turn

__all__ = [
    "ActivityObserver",
    "AskHandler",
    "CommandHandler",
    "LanguagePreference",
    "ThreadHandler",
    "VerbHandler",
]

CommandHandler = Callable[[Turn, ParsedCommand, Lang], Awaitable[None]]
VerbHandler = Callable[[Turn, dict[str, Any], Lang], Awaitable[InvokeResult]]
AskHandler = Callable[[Turn, str, Lang], Awaitable[None]]
# Gets a channel message first; True when it was a reply in a ticket's thread and is handled.
ThreadHandler = Callable[[Turn, Lang], Awaitable[bool]]
# Sees every activity before it is routed (e.g. the desk learns how to reach its channel).
ActivityObserver = Callable[[Incoming], Awaitable[None]]
# The sender's own language choice (the `language` command), or None to follow the activity's locale.
LanguagePreference = Callable[[Incoming], Awaitable[Lang | None]]
