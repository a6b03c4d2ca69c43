"""Work done outside a turn: in a conversation the bot has a reference for.

botbuilder runs such work through the adapter's turn-error handler, which logs an error and swallows
it; here errors reach the caller instead, so a refused send never looks delivered.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from botbuilder.core import TurnContext
from botbuilder.schema import Activity, ConversationReference, ResourceResponse

from bot.adapter import KotaeAdapter

__all__ = ["run_proactive", "send_proactive"]


async def run_proactive(
    adapter: KotaeAdapter, reference: ConversationReference, work: Callable[[TurnContext], Awaitable[None]]
) -> None:
    """Run `work` in a turn continued from `reference`; its exception, if any, is raised here."""
    failures: list[Exception] = []

    async def _run(turn_context: TurnContext) -> None:
        try:
            await work(turn_context)
        except Exception as error:  # re-raised below, outside the adapter's turn-error handler
            failures.append(error)

    # botbuilder needs a non-empty bot app id here, also in dev mode (TEAMS-NOTES).
    await adapter.continue_conversation(reference, _run, bot_app_id=adapter.settings.bot_app_id)
    if failures:
        raise failures[0]


async def send_proactive(
    adapter: KotaeAdapter, reference: ConversationReference, activity: Activity | str
) -> ResourceResponse | None:
    """Send `activity` into the referenced conversation (into its thread, for a channel thread)."""
    sent: list[ResourceResponse | None] = []

    async def _send(turn_context: TurnContext) -> None:
        sent.append(await turn_context.send_activity(activity))

    await run_proactive(adapter, reference, _send)
    return sent[0] if sent else None
