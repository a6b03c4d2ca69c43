"""Know-how's commands and verbs driven through Kotae's turn interface, without the SDK: the running
service's own handlers (`Runtime.bot`), given a recording turn instead of an HTTP request."""

from __future__ import annotations

from sqlalchemy import select

from bot.handler import KotaeBot
from bot.i18n import catalogue
from bot.tickets.models import Ticket
from bot.turn import Sender
from tests.harness import BotUnderTest
from tests.turns import RecordingTurn, incoming

# The emulator's sender: Teams gives no Entra object id, so know-how does not know who it is.
_ANONYMOUS = Sender("29:emulator-user", None, "User")


async def _message(router: KotaeBot, turn: RecordingTurn) -> RecordingTurn:
    await router.message(turn, await router.begin(turn))
    return turn


async def test_know_how_is_only_for_staff_signed_in_to_teams(bot: BotUnderTest) -> None:
    signed_in_only = catalogue().text("knowhow.signed_in_only", "ja")
    command = await _message(bot.runtime.bot, RecordingTurn(incoming(text="ノウハウ", sender=_ANONYMOUS)))
    assert command.sent == [signed_in_only]
    click = RecordingTurn(incoming(type="invoke", sender=_ANONYMOUS))
    answer = await bot.runtime.bot.verbs["knowhow_add"](click, {"topic": "Excelマクロ"}, "ja")
    assert answer["value"] == signed_in_only


async def test_a_proposal_sent_again_by_teams_opens_one_ticket(bot: BotUnderTest) -> None:
    """The message's conversation and id are the proposal's key: a retried delivery finds its ticket."""
    text = "提案 会議室の予約をTeamsでできるようにしたい"
    sent = []
    for _ in range(2):
        sent += (await _message(bot.runtime.bot, RecordingTurn(incoming(text=text)))).sent
    async with bot.runtime.services.sessions() as session:
        (ticket,) = (await session.scalars(select(Ticket))).all()
    assert ticket.question == "会議室の予約をTeamsでできるようにしたい"  # as typed, not folded
    assert sent == [catalogue().text("knowhow.proposal.sent", "ja", number=ticket.number)] * 2
