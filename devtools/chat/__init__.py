"""The terminal chat: try Kotae without Teams, against the bot running locally in dev mode.

    python -m devtools.chat [--bot http://127.0.0.1:3978] [--as staff|helper|ict] [--lang ja|en]

It speaks the real protocol: a Bot Connector emulator on a local port (3979) stands in for Teams' service
(the activities' `serviceUrl` points at it), lines typed here are posted to the bot's `/api/messages`
as Teams activities, and everything the bot sends to the emulator — replies, proactive messages,
new channel threads, card updates — is printed as it arrives, with cards as text and their buttons
numbered: type a number to click it. Three personas: a staff member in a 1:1 chat, a colleague who
offers know-how (ココダッタラ) in a 1:1 chat of their own, and ICT staff in the ICT channel.
"""

from devtools.chat.card_inputs import answer_for_input
from devtools.chat.cli import main
from devtools.chat.console import Console
from devtools.chat.launch import DEFAULT_ICT_CHANNEL, BotUnavailable, run_chat
from devtools.chat.personas import HELPER, ICT_STAFF, STAFF
from devtools.chat.session import Chat, ChatOptions

__all__ = [
    "DEFAULT_ICT_CHANNEL",
    "HELPER",
    "ICT_STAFF",
    "STAFF",
    "BotUnavailable",
    "Chat",
    "ChatOptions",
    "Console",
    "answer_for_input",
    "main",
    "run_chat",
]
