"""Work done outside a turn (`bot.turn.Conversations`): in a conversation the bot has a reference for,
or in a Teams channel whose service URL it has learned.

botbuilder runs such work through the adapter's turn-error handler, which logs an error and swallows
it; here errors reach the caller instead, so a refused send never looks delivered. A failure of the
call to the Bot Connector is raised as `ConnectorFailure` or `ConnectorAuthFailure` (`bot.turn`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from botbuilder.core import TurnContext
from botbuilder.core.teams import TeamsInfo
from botbuilder.schema import ActivityTypes, ChannelAccount, ConversationAccount, ConversationReference

from bot.seam.activity import as_activity
from bot.seam.adapter import KotaeAdapter
from bot.seam.connector import translated
from bot.turn import ChannelAddress, Reference, Reply, Thread

__all__ = ["AdapterConversations"]

_T = TypeVar("_T")


class AdapterConversations:
    """`Conversations` through the botbuilder adapter's `continue_conversation`."""

    def __init__(self, adapter: KotaeAdapter) -> None:
        self._adapter = adapter
        # botbuilder needs a non-empty bot app id here, also in dev mode (TEAMS-NOTES).
        self._bot_app_id = adapter.settings.bot_app_id

    async def send(self, to: Reference | ChannelAddress, reply: Reply) -> str | None:
        async def send(turn_context: TurnContext) -> str | None:
            sent = await turn_context.send_activity(as_activity(reply))
            return sent.id if sent else None

        return await self._run(to, send)

    async def update(self, to: Reference | ChannelAddress, message_id: str, reply: Reply) -> None:
        async def replace(turn_context: TurnContext) -> None:
            activity = as_activity(reply)
            activity.id = message_id
            activity.type = ActivityTypes.message
            await turn_context.update_activity(activity)

        await self._run(to, replace)

    async def start_thread(self, channel: ChannelAddress, reply: Reply) -> Thread:
        async def post(turn_context: TurnContext) -> Thread:
            thread, message_id = await TeamsInfo.send_message_to_teams_channel(
                turn_context, as_activity(reply), channel.conversation_id, bot_app_id=self._bot_app_id
            )
            return Thread(thread.conversation.id, message_id)

        return await self._run(channel, post)

    def _reference(self, to: Reference | ChannelAddress) -> ConversationReference:
        if not isinstance(to, ChannelAddress):
            return ConversationReference().deserialize(dict(to))
        return ConversationReference(
            channel_id="msteams",
            service_url=to.service_url,
            bot=ChannelAccount(id=self._bot_app_id),
            conversation=ConversationAccount(
                id=to.conversation_id, is_group=True, conversation_type="channel", tenant_id=to.tenant_id
            ),
        )

    async def _run(self, to: Reference | ChannelAddress, work: Callable[[TurnContext], Awaitable[_T]]) -> _T:
        """Run `work` in a turn continued in `to`; its result, or its exception (translated) raised here."""
        results: list[_T] = []
        failures: list[Exception] = []

        async def run(turn_context: TurnContext) -> None:
            try:
                results.append(await work(turn_context))
            except Exception as error:  # re-raised below, outside the adapter's turn-error handler
                failures.append(error)

        try:
            await self._adapter.continue_conversation(self._reference(to), run, bot_app_id=self._bot_app_id)
            if failures:
                raise failures[0]
        except Exception as error:
            failure = translated(error)
            if failure is error:
                raise
            raise failure from error
        return results[0]
