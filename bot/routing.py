"""What the bot routes to: the shapes of the handlers that features give the activity handler.

The features (`bot.asker`, `bot.desk`) build handlers of these shapes and the runtime hands them to
`bot.handler.KotaeBot`, which routes by tables; so a feature needs this module, never the handler.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.schema import Activity

from bot.commands import ParsedCommand
from bot.i18n import Lang
from bot.invoke import InvokeResult

__all__ = [
    "ActivityObserver",
    "AskHandler",
    "CommandHandler",
    "LanguagePreference",
    "ThreadHandler",
    "VerbHandler",
]

CommandHandler = Callable[[TurnContext, ParsedCommand, Lang], Awaitable[None]]
VerbHandler = Callable[[TurnContext, dict[str, Any], Lang], Awaitable[InvokeResult]]
AskHandler = Callable[[TurnContext, str, Lang], Awaitable[None]]
# Gets a channel message first; True when it was a reply in a ticket's thread and is handled.
ThreadHandler = Callable[[TurnContext, Lang], Awaitable[bool]]
# Sees every activity before it is routed (e.g. the desk learns how to reach its channel).
ActivityObserver = Callable[[Activity], Awaitable[None]]
# The sender's own language choice (the `language` command), or None to follow the activity's locale.
LanguagePreference = Callable[[Activity], Awaitable[Lang | None]]
