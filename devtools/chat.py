"""The terminal chat: try Kotae without Teams, against the bot running locally in dev mode.

    python -m devtools.chat [--bot http://127.0.0.1:3978] [--as staff|helper|ict] [--lang ja|en]

It speaks the real protocol: a Bot Connector emulator on a local port (3979) stands in for Teams' service
(the activities' `serviceUrl` points at it), lines typed here are posted to the bot's `/api/messages`
as Teams activities, and everything the bot sends to the emulator — replies, proactive messages,
new channel threads, card updates — is printed as it arrives, with cards as text and their buttons
numbered: type a number to click it. Three personas: a staff member in a 1:1 chat, a colleague who
offers know-how (ココダッタラ) in a 1:1 chat of their own, and ICT staff in the ICT channel.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import re
import sys
import threading
import unicodedata
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp

from bot.config import parse_channel_id
from bot.invoke import CARD_TYPE, MESSAGE_TYPE
from devtools.activities import DEFAULT_TENANT, Person, Place, TeamsActivities
from devtools.emulator import Call, ConnectorEmulator, Member
from devtools.render import ANSI, PLAIN, Button, Style, render_card, render_text

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

DEFAULT_BOT_URL = "http://127.0.0.1:3978"
# A fixed port, as Teams' service URL is stable: the bot stores it with each conversation and ticket,
# so what it sends later (an ICT answer, a reminder) reaches the next chat too.
DEFAULT_CONNECTOR_PORT = 3979
DEFAULT_ICT_CHANNEL = "19:kotae-ict@thread.tacv2"
STAFF = Person("山田 花子", "5aff0000-0000-4000-8000-000000000001")
ICT_STAFF = Person("佐藤 健", "1c700000-0000-4000-8000-000000000002")
HELPER = Person("田中 詳子", "4e190000-0000-4000-8000-000000000003")
PERSONAS = {"staff": STAFF, "helper": HELPER, "ict": ICT_STAFF}
# The personas who talk to Kotae in a 1:1 chat of their own.
PERSONAL = {"staff": STAFF, "helper": HELPER}
LOCALES = {"ja": "ja-JP", "en": "en-US"}
_READY_WAIT_SECONDS = 20.0
_NUMBER = re.compile(r"[0-9]+")
_YES = frozenset({"y", "yes", "on", "true", "1", "はい"})
_NO = frozenset({"n", "no", "off", "false", "0", "いいえ"})

ReadLine = Callable[[], Awaitable[str | None]]
"""The next line the user typed, without its newline; None at the end of input."""

HELP = """\
Type a message and press Enter: it goes to Kotae from the current persona.
  1, 2, …       click the card button with that number
  /as staff     be {staff}, a staff member, in a 1:1 chat with Kotae
  /as helper    be {helper}, a colleague who offers know-how (type ノウハウ), in a 1:1 chat
  /as ict       be {ict}, ICT staff, posting in the ICT channel (@Kotae is added for you)
  /thread N     as ICT staff, post in thread #N of the ICT channel
                (/thread new: start a new post; /thread: list the threads)
  /lang ja|en   the language of your Teams client
  /say TEXT     send TEXT as it is (a number, or a line starting with /)
  /help         this help
  /quit         leave (Ctrl-D too)"""


class BotUnavailable(Exception):
    """The bot cannot be talked to; `str()` says why and what to do."""


@dataclass(frozen=True)
class ChatOptions:
    bot_url: str = DEFAULT_BOT_URL
    persona: str = "staff"
    lang: str = "ja"
    ict_channel: str | None = None  # None: the bot's, from /readyz, else DEFAULT_ICT_CHANNEL
    tenant: str = DEFAULT_TENANT


Prompt = str | Callable[[], str]
"""A prompt, or how to make it: the main prompt names the current thread, which may change meanwhile."""


class Console:
    """Writes the chat; output that arrives while a prompt is showing goes above a fresh prompt."""

    def __init__(self, write: Callable[[str], None], *, style: Style = PLAIN, interactive: bool = False):
        self._write = write
        self.style = style
        self.interactive = interactive
        self._prompt: Prompt | None = None

    def show(self, text: str) -> None:
        waiting = self.interactive and self._prompt is not None
        if waiting:
            self._write("\n")
        self._write(text + "\n")
        if waiting:
            self._write(self._prompt_text())

    def note(self, text: str) -> None:
        """A line from the chat itself, not from the bot."""
        self.show(self.style.dim(f"· {text}"))

    def prompt(self, prompt: Prompt) -> None:
        self._prompt = prompt
        if self.interactive:
            self._write(self._prompt_text())

    def answered(self, line: str | None) -> None:
        """The prompt has been answered; without a terminal to echo it, the transcript shows it."""
        if not self.interactive and line is not None and self._prompt is not None:
            self._write(f"{self._prompt_text()}{line}\n")
        self._prompt = None

    def _prompt_text(self) -> str:
        return self._prompt() if callable(self._prompt) else self._prompt or ""


@dataclass(frozen=True)
class _Clickable:
    """A numbered button, where its card is and who can see (and so click) it."""

    button: Button
    place: Place
    message_id: str
    clicker: Person


class Chat:
    """One chat session. `run()` reads lines until /quit or the end of input."""

    def __init__(
        self,
        options: ChatOptions,
        *,
        ict_channel: str,
        ict_desk: bool = True,
        emulator: ConnectorEmulator,
        http: aiohttp.ClientSession,
        read: ReadLine,
        console: Console,
    ) -> None:
        self.options = options
        self.ict_channel = ict_channel
        self.ict_desk = ict_desk  # the bot has an ICT channel (else the chat's is only a channel)
        self.emulator = emulator
        self.http = http
        self.read = read
        self.console = console
        self.persona = options.persona
        self.teams = TeamsActivities(emulator.url, tenant_id=options.tenant, locale=LOCALES[options.lang])
        self.personal_places = {person: Place.personal(person) for person in PERSONAL.values()}
        self.threads: list[str] = []  # conversation ids of the ICT channel's threads; #1 is threads[0]
        self.current_thread: str | None = None
        self._buttons: dict[int, _Clickable] = {}
        self._retired: set[int] = set()
        self._numbers_by_message: dict[tuple[str, str], list[int]] = {}
        self._cards_by_message: dict[tuple[str, str], list[dict[str, Any]]] = {}  # as last shown
        self._next_number = 1
        self._seen_calls = 0
        self._flushing = asyncio.Lock()  # calls are shown one at a time, in the order they came
        self._commands: dict[str, Callable[[str], Awaitable[None]]] = {
            "/as": self._switch_persona,
            "/thread": self._switch_thread,
            "/lang": self._switch_language,
            "/say": self._send,
            "/help": self._help,
        }

    # --- the loop -------------------------------------------------------------------------------

    async def run(self) -> None:
        for person in PERSONAS.values():
            account = person.account
            self.emulator.add_member(Member(account["id"], person.name, person.aad_object_id))
        self.console.note(
            f"Connected to Kotae at {self.options.bot_url} (Teams' connector emulated at {self.emulator.url}). "
            f"You are {self._persona_description()}. Type /help for the chat's commands."
        )
        await self._install()
        watcher = asyncio.create_task(self._watch_connector())
        try:
            while (line := await self._read(self._prompt_text)) is not None:
                if not await self.handle(line):
                    break
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
            await self.flush()

    async def handle(self, line: str) -> bool:
        """Act on one typed line; False when the user asked to leave."""
        text = line.strip()
        normalized = unicodedata.normalize("NFKC", text)
        if not text:
            return True
        if normalized in {"/quit", "/exit"}:
            return False
        if _NUMBER.fullmatch(normalized):
            await self._click(int(normalized))
        elif normalized.startswith("/"):
            name = normalized.split(maxsplit=1)[0].lower()
            command = self._commands.get(name)
            if command is None:
                self.console.note(f"Unknown chat command {name}; /help lists them (/say {text} sends it).")
            else:
                # The argument as typed: /say sends it unchanged (full-width characters and all).
                parts = re.split(r"\s", text, maxsplit=1)
                argument = parts[1].strip() if len(parts) > 1 else ""
                await command(argument if name == "/say" else unicodedata.normalize("NFKC", argument))
        else:
            await self._send(text)
        return True

    async def _read(self, prompt: Prompt) -> str | None:
        self.console.prompt(prompt)
        line = None
        try:
            line = await self.read()
        finally:
            self.console.answered(line)
        return line

    def _prompt_text(self) -> str:
        if self.persona in PERSONAL:
            return self.console.style.accent(self.persona) + "> "
        where = f"#{self.threads.index(self.current_thread) + 1}" if self.current_thread else "new post"
        return self.console.style.accent(f"ict {where}") + "> "

    # --- sending --------------------------------------------------------------------------------

    async def _install(self) -> None:
        """Install Kotae for the staff member, and in the ICT team (which tells it how to reach the channel)."""
        before = len(self.emulator.messages())
        await self._post(self.teams.installation_update(STAFF, self.personal_places[STAFF]))
        if len(self.emulator.messages()) == before:
            self.console.note(
                f"Kotae knows {STAFF.name} from an earlier chat, so no welcome this time; type help."
            )
        # The helper has Kotae too: colleagues' questions reach them in their own 1:1 chat.
        await self._post(self.teams.installation_update(HELPER, self.personal_places[HELPER]))
        if self.ict_desk:
            await self._post(self.teams.installation_update(ICT_STAFF, self._ict_place()))

    def _ict_place(self, thread_root: str | None = None) -> Place:
        """The ICT channel, played as its team's General channel, whose id is the team's id.

        So the team install above reaches the channel, as it does in Teams for a General channel.
        """
        return Place.channel(self.ict_channel, self.ict_channel, thread_root)

    async def _send(self, text: str) -> None:
        if not text:
            self.console.note("Nothing to send.")
            return
        if self.persona in PERSONAL:
            person = PERSONAL[self.persona]
            await self._post(self.teams.message(person, text, self.personal_places[person]))
            return
        if self.current_thread is not None:
            self.console.note(f"→ thread #{self._thread_number(self.current_thread)}")
            await self._post(self.teams.message(ICT_STAFF, text, self._place_of(self.current_thread)))
            return
        # A new post in a channel starts a thread whose id names the post (as Teams does).
        activity = self.teams.message(ICT_STAFF, text, self._ict_place())
        conversation_id = f"{self.ict_channel};messageid={activity['id']}"
        activity["conversation"]["id"] = conversation_id
        self.current_thread = conversation_id
        self.console.note(f"Your post starts thread #{self._thread_number(conversation_id)}.")
        await self._post(activity)

    async def _post(self, activity: dict[str, Any]) -> Any:
        """Post to the bot; the response body (an invoke's answer), or None when it failed (said so)."""
        answer = await self._exchange(activity)
        await self.flush()  # what the bot sent during the turn comes before the turn's own answer
        if answer is None:
            return None
        status, body = answer
        if status >= 400:
            self.console.note(_problem(status, body, self.options.tenant))
            return None
        return body

    async def _exchange(self, activity: dict[str, Any]) -> tuple[int, Any] | None:
        """The bot's HTTP status and body for `activity`; None when it could not be reached (said so)."""
        url = self.options.bot_url.rstrip("/") + "/api/messages"
        try:
            async with self.http.post(url, json=activity) as response:
                return response.status, _json_or_text(await response.text())
        except aiohttp.ClientConnectionError:
            self.console.note(
                f"Kotae is not answering at {self.options.bot_url}: is it still running (`make run`)?"
            )
            return None

    # --- clicking -------------------------------------------------------------------------------

    async def _click(self, number: int) -> None:
        clickable = self._buttons.get(number)
        if clickable is None:
            why = "its card has been replaced" if number in self._retired else "there is no such button"
            self.console.note(f"Cannot click [{number}]: {why}. (/say {number} sends it as a message.)")
            return
        action = clickable.button.action
        if action.get("type") == "Action.OpenUrl":
            self.console.note(f"Open this in your browser: {action.get('url', '')}")
            return
        values = await self._ask_inputs(clickable.button.inputs)
        if values is None:
            self.console.note("Click cancelled.")
            return
        data = {**(action.get("data") if isinstance(action.get("data"), dict) else {}), **values}
        self.console.note(f"{clickable.clicker.name} clicks “{clickable.button.title}”.")
        self._follow(clickable)
        if action.get("type") == "Action.Submit":  # Teams posts a message that carries the data
            activity = self.teams.message(clickable.clicker, "", clickable.place, mention=False)
            activity.update(value=data, replyToId=clickable.message_id)
            await self._post(activity)
            return
        answer = await self._post(
            self.teams.card_action(
                clickable.clicker,
                str(action.get("verb", "")),
                data,
                clickable.place,
                reply_to_id=clickable.message_id,
            )
        )
        if answer is not None:
            self._show_invoke_answer(answer, clickable)

    def _follow(self, clickable: _Clickable) -> None:
        """ICT staff's text goes on where they just acted: the thread of the ticket they clicked in."""
        thread = clickable.place.conversation_id
        if clickable.clicker is not ICT_STAFF or ";messageid=" not in thread or thread == self.current_thread:
            return
        self.current_thread = thread
        self.console.note(f"{ICT_STAFF.name} now writes in thread #{self._thread_number(thread)}.")

    async def _ask_inputs(self, inputs: tuple[dict[str, Any], ...]) -> dict[str, str] | None:
        """The values of the card's inputs, asked for one by one (as filling in the card); None: cancelled."""
        if inputs:
            self.console.note("Fill in the card (Enter leaves a field as it is; /cancel stops):")
        values: dict[str, str] = {}
        for element in inputs:
            choices = element.get("choices") or []
            for index, choice in enumerate(choices, 1):
                self.console.show(f"    ({index}) {choice.get('title', choice.get('value'))}")
            label = element.get("label") or element.get("placeholder") or element.get("id")
            default = element.get("value")
            hint = " (y/n)" if element.get("type") == "Input.Toggle" else ""
            prompt = f"  {label}{hint}" + (f" [{default}]" if default not in (None, "") else "") + ": "
            while True:
                line = await self._read(prompt)
                if line is None or line.strip() == "/cancel":
                    return None
                value = answer_for_input(element, line)
                if value is None:
                    self.console.note("That is not one of the choices; type its number or its value.")
                elif not value and element.get("isRequired"):
                    self.console.note(element.get("errorMessage") or "This field is required.")
                else:
                    values[str(element.get("id"))] = value
                    break
        return values

    def _show_invoke_answer(self, answer: Any, clickable: _Clickable) -> None:
        where = self._where(clickable.place.conversation_id)
        kind = answer.get("type") if isinstance(answer, dict) else None
        value = answer.get("value") if isinstance(answer, dict) else None
        if kind == MESSAGE_TYPE:
            self._show_message(where, "only you see this", render_text(str(value)))
        elif kind == CARD_TYPE and isinstance(value, dict):
            key = (clickable.place.conversation_id, clickable.message_id)
            self._show_message(
                where, "the card you clicked is now", "\n".join(self._render_cards(key, [value]))
            )
        elif answer not in (None, ""):
            self.console.note(f"Kotae answered the click with: {json.dumps(answer, ensure_ascii=False)}")

    # --- what the bot sent to the connector -------------------------------------------------------

    async def _watch_connector(self) -> None:
        """Print proactive messages as they arrive, between the user's turns."""
        while True:
            with contextlib.suppress(TimeoutError):
                await self.emulator.wait_for(lambda calls: len(calls) > self._seen_calls, timeout=3600)
            await self.flush()

    async def flush(self) -> None:
        """Print every call the bot made to the connector that has not been printed yet."""
        async with self._flushing:
            while self._seen_calls < len(self.emulator.calls):
                call = self.emulator.calls[self._seen_calls]
                self._seen_calls += 1
                if call.status < 300:
                    await self._show_call(call)

    async def _show_call(self, call: Call) -> None:
        response = call.response if isinstance(call.response, dict) else {}
        body = call.body if isinstance(call.body, dict) else {}
        if call.kind in {"send", "reply"} and call.conversation_id:
            await self._show_activity(body, call.conversation_id, str(response.get("id", "")), "")
        elif call.kind == "create_conversation" and "id" in response:
            conversation_id = str(response["id"])
            label = "new conversation"
            if self._is_ict(conversation_id):
                # It becomes ICT staff's thread only if they have none: a new ticket must not carry
                # off what they are writing about another one.
                number = self._thread_number(conversation_id)
                if self.current_thread is None:
                    self.current_thread = conversation_id
                    label = "new thread; ICT staff now write here"
                else:
                    label = f"new thread; /thread {number} to write here"
            activity = body.get("activity") or {}
            await self._show_activity(activity, conversation_id, str(response.get("activityId", "")), label)
        elif call.kind == "update" and call.conversation_id and call.activity_id:
            await self._show_activity(body, call.conversation_id, call.activity_id, "updated its message")
        elif call.kind == "delete" and call.conversation_id:
            self.console.show(f"\n{self._header(self._where(call.conversation_id))} deleted a message.")

    async def _show_activity(
        self, activity: dict[str, Any], conversation_id: str, message_id: str, label: str
    ) -> None:
        if activity.get("type", "message") != "message":  # typing indicators and the like
            return
        parts = [render_text(activity["text"])] if activity.get("text") else []
        cards = []
        for attachment in activity.get("attachments") or []:
            if attachment.get("contentType") == CARD_TYPE and isinstance(attachment.get("content"), dict):
                card, refreshed_for = await self._as_seen(attachment["content"], conversation_id, message_id)
                cards.append(card)
                if refreshed_for:
                    label = ", ".join(filter(None, [label, f"refreshed for {refreshed_for}"]))
            else:
                parts.append(f"[attachment: {attachment.get('contentType')} {attachment.get('name', '')}]")
        key = (conversation_id, message_id)
        if cards and not parts and self._cards_by_message.get(key) == cards:
            return  # an update the viewer already sees, e.g. the answer to their own click
        parts.extend(self._render_cards(key, cards))
        self._show_message(self._where(conversation_id), label, "\n\n".join(parts))

    async def _as_seen(
        self, card: dict[str, Any], conversation_id: str, message_id: str
    ) -> tuple[dict[str, Any], str | None]:
        """The card as its viewer sees it, and the viewer's name when it was refreshed for them.

        Teams fetches a card of its own for each user listed in `refresh.userIds` (Universal Actions):
        an automatic `adaptiveCard/action` invoke whose answer replaces the card, for that user only.
        """
        refresh = card.get("refresh")
        action = refresh.get("action") if isinstance(refresh, dict) else None
        viewer = self._clicker_in(conversation_id)
        if not isinstance(action, dict) or viewer.account["id"] not in (refresh.get("userIds") or []):
            return card, None
        data = action.get("data") if isinstance(action.get("data"), dict) else {}
        place = self._place_of(conversation_id)
        invoke = self.teams.card_action(
            viewer, str(action.get("verb", "")), data, place, reply_to_id=message_id
        )
        invoke["value"]["trigger"] = "automatic"
        answer = await self._exchange(invoke)
        status, body = answer if answer is not None else (0, None)
        fresh = body.get("value") if isinstance(body, dict) and body.get("type") == CARD_TYPE else None
        if status == 200 and isinstance(fresh, dict):
            return fresh, viewer.name
        self.console.note(
            f"Kotae did not refresh this card for {viewer.name} (HTTP {status}); shown as sent."
        )
        return card, None

    def _show_message(self, where: str, label: str, body: str) -> None:
        """One message from the bot, in one piece (a prompt may be redrawn after it)."""
        label = self.console.style.dim(f" ({label})") if label else ""
        self.console.show(f"\n{self._header(where)}{label}\n{_indent(body)}")

    def _render_cards(self, key: tuple[str, str], cards: list[dict[str, Any]]) -> list[str]:
        """The cards of one message as text; their buttons replace those of the message's last version."""
        for number in self._numbers_by_message.pop(key, []):
            self._buttons.pop(number, None)
            self._retired.add(number)
        self._cards_by_message[key] = cards
        place, clicker = self._place_of(key[0]), self._clicker_in(key[0])
        texts = []
        for card in cards:
            rendered = render_card(card, first_number=self._next_number, style=self.console.style)
            self._next_number += len(rendered.buttons)
            for button in rendered.buttons:
                self._buttons[button.number] = _Clickable(button, place, key[1], clicker)
                self._numbers_by_message.setdefault(key, []).append(button.number)
            texts.append(_framed(rendered.text))
        return texts

    # --- places -----------------------------------------------------------------------------------

    def _is_ict(self, conversation_id: str) -> bool:
        return conversation_id.split(";")[0] == self.ict_channel

    def _thread_number(self, conversation_id: str) -> int:
        if conversation_id not in self.threads:
            self.threads.append(conversation_id)
        return self.threads.index(conversation_id) + 1

    def _personal(self, conversation_id: str) -> Person | None:
        """The persona whose 1:1 chat `conversation_id` is, if any."""
        for person, place in self.personal_places.items():
            if place.conversation_id == conversation_id:
                return person
        return None

    def _place_of(self, conversation_id: str) -> Place:
        if (person := self._personal(conversation_id)) is not None:
            return self.personal_places[person]
        if self._is_ict(conversation_id):
            _, _, root = conversation_id.partition(";messageid=")
            return self._ict_place(root or None)
        return Place("personal" if conversation_id.startswith("a:") else "groupChat", conversation_id)

    def _clicker_in(self, conversation_id: str) -> Person:
        """Who sees a card, and so clicks it: ICT staff in the ICT channel, each persona in their 1:1."""
        if (person := self._personal(conversation_id)) is not None:
            return person
        return ICT_STAFF if self._is_ict(conversation_id) else PERSONAS[self.persona]

    def _where(self, conversation_id: str) -> str:
        if (person := self._personal(conversation_id)) is not None:
            return f"1:1 with {person.name}"
        if self._is_ict(conversation_id):
            if ";messageid=" not in conversation_id:
                return "ICT channel"
            return f"ICT channel, thread #{self._thread_number(conversation_id)}"
        return conversation_id

    def _header(self, where: str) -> str:
        return f"{self.console.style.accent('Kotae')} {self.console.style.dim('▸ ' + where)}"

    # --- chat commands ------------------------------------------------------------------------------

    def _persona_description(self) -> str:
        if self.persona == "staff":
            return f"{STAFF.name} (staff) in a 1:1 chat with Kotae"
        if self.persona == "helper":
            return f"{HELPER.name} (a colleague with know-how) in a 1:1 chat with Kotae"
        where = f"thread #{self._thread_number(self.current_thread)}" if self.current_thread else "a new post"
        return f"{ICT_STAFF.name} (ICT staff) in the ICT channel {self.ict_channel}, writing {where}"

    async def _switch_persona(self, argument: str) -> None:
        if argument not in PERSONAS:
            self.console.note("Usage: /as staff, /as helper or /as ict")
            return
        self.persona = argument
        self.console.note(f"You are {self._persona_description()}.")

    async def _switch_thread(self, argument: str) -> None:
        if not argument:
            listing = [
                f"#{n}" + (" (current)" if thread == self.current_thread else "")
                for n, thread in enumerate(self.threads, 1)
            ]
            self.console.note("ICT channel threads: " + (", ".join(listing) if listing else "none yet"))
            return
        if argument == "new":
            self.current_thread = None
        elif argument.isdigit() and 1 <= int(argument) <= len(self.threads):
            self.current_thread = self.threads[int(argument) - 1]
        else:
            self.console.note(f"No thread {argument}; /thread lists them, /thread new starts a post.")
            return
        self.persona = "ict"
        self.console.note(f"You are {self._persona_description()}.")

    async def _switch_language(self, argument: str) -> None:
        if argument not in LOCALES:
            self.console.note("Usage: /lang ja or /lang en")
            return
        self.teams.locale = LOCALES[argument]
        self.console.note(f"Your Teams client now speaks {self.teams.locale}.")

    async def _help(self, _argument: str) -> None:
        self.console.show(HELP.format(staff=STAFF.name, helper=HELPER.name, ict=ICT_STAFF.name))


def answer_for_input(element: dict[str, Any], line: str) -> str | None:
    """The value a typed `line` gives an `Input.*` field, as Teams would submit it; None if not allowed."""
    text = unicodedata.normalize("NFKC", line).strip()
    default = element.get("value")
    kind = element.get("type")
    if kind == "Input.Toggle":
        on, off = str(element.get("valueOn", "true")), str(element.get("valueOff", "false"))
        if not text:
            return str(default) if default is not None else off
        return on if text.lower() in _YES else off if text.lower() in _NO else None
    if kind == "Input.ChoiceSet":
        if not text:
            return str(default or "")
        choices = [str(choice.get("value")) for choice in element.get("choices") or []]
        titles = {
            str(choice.get("title")): str(choice.get("value")) for choice in element.get("choices") or []
        }
        picked = []
        for part in text.split(",") if element.get("isMultiSelect") else [text]:
            part = part.strip()
            if part.isdigit() and 1 <= int(part) <= len(choices):
                picked.append(choices[int(part) - 1])
            elif part in choices or part in titles:
                picked.append(titles.get(part, part))
            else:
                return None
        return ",".join(picked)
    return line.strip() if line.strip() else str(default or "")


def _not_ready_reasons(report: Any) -> str:
    """The reasons `/readyz` gives for each part that is not ready (database, knowledge base, …)."""
    if isinstance(report, dict):
        reasons = [
            f"{part}: {facts['reason']}"
            for part, facts in report.items()
            if isinstance(facts, dict) and facts.get("ready") is False and facts.get("reason")
        ]
        if reasons:
            return "; ".join(reasons)
    return json.dumps(report, ensure_ascii=False)


def _json_or_text(raw: str) -> Any:
    try:
        return json.loads(raw) if raw else None
    except json.JSONDecodeError:
        return raw


def _problem(status: int, body: Any, tenant: str) -> str:
    reason = body.get("reason") if isinstance(body, dict) else body
    if status == 401:
        return "Kotae refused the chat (401): it is not in dev mode. Start it with `make run`."
    if status == 403:
        return f"Kotae refused the chat (403: {reason}). Allow tenant {tenant} in KOTAE_ALLOWED_TENANTS or pass --tenant."
    return f"Kotae answered HTTP {status}: {reason}"


def _indent(text: str) -> str:
    return "\n".join(f"  {line}" if line else "" for line in text.splitlines())


def _framed(text: str) -> str:
    """A card's text with a bar on its left, so cards stand apart from plain messages."""
    return "\n".join(f"│ {line}" for line in text.splitlines())


# --- running it ---------------------------------------------------------------------------------


async def _bot_readiness(http: aiohttp.ClientSession, bot_url: str) -> dict[str, Any]:
    """The bot's `/readyz` report once it is ready; BotUnavailable if it is not running or not ready."""
    url = bot_url.rstrip("/") + "/readyz"
    loop = asyncio.get_running_loop()
    deadline = loop.time() + _READY_WAIT_SECONDS
    while True:
        try:
            async with http.get(url) as response:
                report = await response.json(content_type=None)
        except (aiohttp.ClientConnectionError, TimeoutError):
            raise BotUnavailable(
                f"Kotae is not running at {bot_url}: start it with `make run` in another terminal, "
                "then start the chat again."
            ) from None
        except (aiohttp.ContentTypeError, json.JSONDecodeError):
            raise BotUnavailable(f"{bot_url} answers, but it is not Kotae (no /readyz report).") from None
        if isinstance(report, dict) and report.get("ready"):
            return report
        if loop.time() > deadline:
            raise BotUnavailable(f"Kotae at {bot_url} is not ready: {_not_ready_reasons(report)}")
        await asyncio.sleep(0.5)


async def run_chat(
    options: ChatOptions, *, emulator: ConnectorEmulator, read: ReadLine, console: Console
) -> int:
    """Check the bot, then chat until the end of input; the exit status."""
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(timeout=timeout) as http:
        try:
            report = await _bot_readiness(http, options.bot_url)
        except BotUnavailable as problem:
            console.show(f"kotae chat: {problem}")
            return 1
        if not report.get("dev_mode"):
            console.show(
                f"kotae chat: Kotae at {options.bot_url} is not in dev mode; start it with `make run`."
            )
            return 1
        ict = report.get("ict_channel") or {}
        known = sorted(ict.get("channels") or ())  # the bot's ICT channels (KOTAE_ICT_CHANNEL_ID, routes)
        ict_channel = options.ict_channel or (known[0] if known else DEFAULT_ICT_CHANNEL)
        if not ict.get("configured"):
            console.note(
                "Kotae has no ICT channel, so it cannot pass questions on to ICT staff: restart it with "
                f"KOTAE_ICT_CHANNEL_ID={ict_channel}"
            )
        chat = Chat(
            options,
            ict_channel=ict_channel,
            ict_desk=bool(ict.get("configured")),
            emulator=emulator,
            http=http,
            read=read,
            console=console,
        )
        await chat.run()
    return 0


def _stdin_reader() -> ReadLine:
    """Lines of stdin, read by a daemon thread (a blocked read must not keep the process alive)."""
    loop = asyncio.get_running_loop()
    lines: asyncio.Queue[str | None] = asyncio.Queue()

    def put(line: str | None) -> None:
        with contextlib.suppress(RuntimeError):  # the loop closed: the chat is over
            loop.call_soon_threadsafe(lines.put_nowait, line)

    def pump() -> None:
        for line in sys.stdin:
            put(line.rstrip("\r\n"))
        put(None)

    async def read() -> str | None:
        line = await lines.get()
        if line is None:
            lines.put_nowait(None)  # the end of input stays the end for every later read
        return line

    threading.Thread(target=pump, name="chat-stdin", daemon=True).start()
    return read


async def _start_connector(port: int, console: Console) -> ConnectorEmulator:
    emulator = ConnectorEmulator(port=port)
    try:
        await emulator.start()
    except OSError as error:  # taken, e.g. by another chat: any free port still works for this chat
        await emulator.close()
        emulator = ConnectorEmulator()
        await emulator.start()
        console.note(
            f"Port {port} is not free ({error.strerror}), so the connector is emulated on port {emulator.port}: "
            "messages Kotae sends later to earlier chats will not reach this one."
        )
    return emulator


async def _main(options: ChatOptions, connector_port: int, console: Console) -> int:
    emulator = await _start_connector(connector_port, console)
    try:
        return await run_chat(options, emulator=emulator, read=_stdin_reader(), console=console)
    finally:
        await emulator.close()


def _write(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


def _channel(value: str) -> str:
    try:
        return parse_channel_id(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _port(value: str) -> int:
    if not value.isdigit() or int(value) > 65535:
        raise argparse.ArgumentTypeError(f"{value!r} is not a port: expected 0 (any free port) to 65535")
    return int(value)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m devtools.chat",
        description="Chat with the Kotae bot running locally (`make run`), as Teams would.",
    )
    parser.add_argument("--bot", default=DEFAULT_BOT_URL, help="the bot's URL (default %(default)s)")
    parser.add_argument("--as", dest="persona", choices=sorted(PERSONAS), default="staff", help="who you are")
    parser.add_argument("--lang", choices=sorted(LOCALES), default="ja", help="your Teams client's language")
    parser.add_argument(
        "--ict-channel",
        type=_channel,
        help=f"the ICT channel's id (default: the bot's KOTAE_ICT_CHANNEL_ID, else {DEFAULT_ICT_CHANNEL})",
    )
    parser.add_argument("--tenant", default=DEFAULT_TENANT, help="your tenant id (default %(default)s)")
    parser.add_argument(
        "--connector-port",
        type=_port,
        default=DEFAULT_CONNECTOR_PORT,
        help="the local port of the emulated Teams connector (default %(default)s; 0: any free port)",
    )
    arguments = parser.parse_args(argv)
    options = ChatOptions(
        arguments.bot, arguments.persona, arguments.lang, arguments.ict_channel, arguments.tenant
    )
    sys.stdin.reconfigure(errors="replace")  # type: ignore[union-attr]
    console = Console(_write, style=ANSI if sys.stdout.isatty() else PLAIN, interactive=sys.stdin.isatty())
    try:
        return asyncio.run(_main(options, arguments.connector_port, console))
    except KeyboardInterrupt:
        _write("\n")
        return 130


if __name__ == "__main__":
    sys.exit(main())
