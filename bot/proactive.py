"""Messages the bot sends outside a turn: to a conversation it has a reference for."""

from __future__ import annotations

from botbuilder.core import TurnContext
from botbuilder.schema import Activity, ConversationReference, ResourceResponse

from bot.adapter import KotaeAdapter

__all__ = ["send_proactive"]


async def send_proactive(
    adapter: KotaeAdapter, reference: ConversationReference, activity: Activity | str
) -> ResourceResponse | None:
    """Send `activity` into the referenced conversation (a reply in its thread for channel threads)."""
    sent: list[ResourceResponse | None] = []

    async def _send(turn_context: TurnContext) -> None:
        sent.append(await turn_context.send_activity(activity))

    # botbuilder needs a non-empty bot app id here, also in dev mode (TEAMS-NOTES).
    await adapter.continue_conversation(reference, _send, bot_app_id=adapter.settings.bot_app_id)
    return sent[0] if sent else None
