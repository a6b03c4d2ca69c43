"""botbuilder's turn, handed to Kotae's router as a `bot.turn.Turn`.

`TeamsHandler` is the botbuilder `ActivityHandler`: it keeps botbuilder's dispatch by activity type
(and its answers to the invokes Kotae does not handle) and calls the router (`bot.handler.KotaeBot`)
with a `ContextTurn`, which speaks Kotae's interface over the `TurnContext`.
"""

from __future__ import annotations

from botbuilder.core import InvokeResponse, TurnContext
from botbuilder.core.teams import TeamsActivityHandler, TeamsInfo
from botframework.connector.models import ErrorResponseException

from bot.handler import KotaeBot
from bot.logs import bind_context
from bot.seam.activity import as_activity, incoming, reference_of
from bot.turn import Incoming, Member, Reference, Reply

__all__ = ["VIEW", "ContextTurn", "TeamsHandler"]

# The turn state's key for the activity as Kotae reads it (read once, when the request is checked).
VIEW = "kotae.incoming"
_TURN = "kotae.turn"
_LANG = "kotae.lang"


class ContextTurn:
    """A `Turn` over botbuilder's `TurnContext`."""

    def __init__(self, turn_context: TurnContext, activity: Incoming) -> None:
        self._context = turn_context
        self._activity = activity

    @property
    def activity(self) -> Incoming:
        return self._activity

    def reference(self) -> Reference:
        return reference_of(self._context.activity)

    async def send(self, reply: Reply) -> str | None:
        sent = await self._context.send_activity(as_activity(reply))
        return sent.id if sent else None

    async def update(self, message_id: str, reply: Reply) -> None:
        activity = as_activity(reply)
        activity.id = message_id
        await self._context.update_activity(activity)

    async def delete(self, message_id: str) -> None:
        await self._context.delete_activity(message_id)

    async def member(self, user_id: str) -> Member | None:
        try:
            member = await TeamsInfo.get_member(self._context, user_id)
        except ErrorResponseException:  # Teams knows no such member here
            return None
        return Member(
            id=member.id or user_id,
            aad_object_id=member.aad_object_id or None,
            name=member.name,
            user_role=member.user_role,
        )


class TeamsHandler(TeamsActivityHandler):
    def __init__(self, router: KotaeBot) -> None:
        super().__init__()
        self._router = router

    async def on_turn(self, turn_context: TurnContext) -> None:
        activity = turn_context.turn_state.get(VIEW) or incoming(turn_context.activity)
        turn = ContextTurn(turn_context, activity)
        with bind_context(activity_id=activity.id):
            turn_context.turn_state[_TURN] = turn
            turn_context.turn_state[_LANG] = await self._router.begin(turn)
            await super().on_turn(turn_context)

    @staticmethod
    def _turn(turn_context: TurnContext) -> ContextTurn:
        turn: ContextTurn = turn_context.turn_state[_TURN]
        return turn

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        await self._router.message(self._turn(turn_context), turn_context.turn_state[_LANG])

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse:
        if turn_context.activity.name == "adaptiveCard/action":
            # Answered here, not by the SDK, whose serializer breaks on card bodies (TEAMS-NOTES).
            body = await self._router.card_action(self._turn(turn_context), turn_context.turn_state[_LANG])
            return InvokeResponse(status=200, body=body)
        return await super().on_invoke_activity(turn_context)

    async def on_installation_update_add(self, turn_context: TurnContext) -> None:
        await self._router.installed(self._turn(turn_context), turn_context.turn_state[_LANG])

    async def on_installation_update_remove(self, turn_context: TurnContext) -> None:
        await self._router.uninstalled(self._turn(turn_context))

    async def on_conversation_update_activity(self, turn_context: TurnContext) -> None:
        # Only the bot's own arrival matters (the router decides). botbuilder's Teams dispatch would look
        # up every added member with the connector first (one call each, failing on ids Teams does not know).
        await self._router.conversation_update(self._turn(turn_context), turn_context.turn_state[_LANG])
