"""One chat session: the input loop, the personas, sending and clicking."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import unicodedata
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp

from devtools.activities import DEFAULT_TENANT, TeamsActivities
from devtools.chat.card_inputs import answer_for_input
from devtools.chat.console import Console, Prompt
from devtools.chat.display import Clickable, Display
from devtools.chat.personas import HELPER, ICT_STAFF, LOCALES, PERSONAL, PERSONAS, STAFF
from devtools.chat.places import Places
from devtools.emulator import ConnectorEmulator, Member

DEFAULT_BOT_URL = "http://127.0.0.1:3978"
_NUMBER = re.compile(r"[0-9]+")

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


@dataclass(frozen=True)
class ChatOptions:
    bot_url: str = DEFAULT_BOT_URL
    persona: str = "staff"
    lang: str = "ja"
    ict_channel: str | None = None  # None: the bot's, from /readyz, else DEFAULT_ICT_CHANNEL
    tenant: str = DEFAULT_TENANT


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
        self.ict_desk = ict_desk  # the bot has an ICT channel (else the chat's is only a channel)
        self.emulator = emulator
        self.http = http
        self.read = read
        self.console = console
        self.persona = options.persona
        self.teams = TeamsActivities(emulator.url, tenant_id=options.tenant, locale=LOCALES[options.lang])
        self.places = Places(ict_channel)
        self.display = Display(
            emulator=emulator,
            console=console,
            places=self.places,
            teams=self.teams,
            exchange=self._exchange,
            viewer=lambda: PERSONAS[self.persona],
        )
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
        watcher = asyncio.create_task(self.display.watch_connector())
        try:
            while (line := await self._read(self._prompt_text)) is not None:
                if not await self.handle(line):
                    break
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
            await self.display.flush()

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
        thread = self.places.current_thread
        where = f"#{self.places.threads.index(thread) + 1}" if thread else "new post"
        return self.console.style.accent(f"ict {where}") + "> "

    # --- sending --------------------------------------------------------------------------------

    async def _install(self) -> None:
        """Install Kotae for the staff member, and in the ICT team (which tells it how to reach the channel)."""
        before = len(self.emulator.messages())
        await self._post(self.teams.installation_update(STAFF, self.places.personal_places[STAFF]))
        if len(self.emulator.messages()) == before:
            self.console.note(
                f"Kotae knows {STAFF.name} from an earlier chat, so no welcome this time; type help."
            )
        # The helper has Kotae too: colleagues' questions reach them in their own 1:1 chat.
        await self._post(self.teams.installation_update(HELPER, self.places.personal_places[HELPER]))
        if self.ict_desk:
            await self._post(self.teams.installation_update(ICT_STAFF, self.places.ict_place()))

    async def _send(self, text: str) -> None:
        if not text:
            self.console.note("Nothing to send.")
            return
        if self.persona in PERSONAL:
            person = PERSONAL[self.persona]
            await self._post(self.teams.message(person, text, self.places.personal_places[person]))
            return
        if (thread := self.places.current_thread) is not None:
            self.console.note(f"→ thread #{self.places.thread_number(thread)}")
            await self._post(self.teams.message(ICT_STAFF, text, self.places.place_of(thread)))
            return
        # A new post in a channel starts a thread whose id names the post (as Teams does).
        activity = self.teams.message(ICT_STAFF, text, self.places.ict_place())
        conversation_id = f"{self.places.ict_channel};messageid={activity['id']}"
        activity["conversation"]["id"] = conversation_id
        self.places.current_thread = conversation_id
        self.console.note(f"Your post starts thread #{self.places.thread_number(conversation_id)}.")
        await self._post(activity)

    async def _post(self, activity: dict[str, Any]) -> Any:
        """Post to the bot; the response body (an invoke's answer), or None when it failed (said so)."""
        answer = await self._exchange(activity)
        await self.display.flush()  # what the bot sent during the turn comes before the turn's own answer
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
        clickable = self.display.clickable(number)
        if clickable is None:
            why = "its card has been replaced" if self.display.retired(number) else "there is no such button"
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
            self.display.show_invoke_answer(answer, clickable)

    def _follow(self, clickable: Clickable) -> None:
        """ICT staff's text goes on where they just acted: the thread of the ticket they clicked in."""
        thread = clickable.place.conversation_id
        if (
            clickable.clicker is not ICT_STAFF
            or ";messageid=" not in thread
            or thread == self.places.current_thread
        ):
            return
        self.places.current_thread = thread
        self.console.note(f"{ICT_STAFF.name} now writes in thread #{self.places.thread_number(thread)}.")

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

    # --- chat commands ------------------------------------------------------------------------------

    def _persona_description(self) -> str:
        if self.persona == "staff":
            return f"{STAFF.name} (staff) in a 1:1 chat with Kotae"
        if self.persona == "helper":
            return f"{HELPER.name} (a colleague with know-how) in a 1:1 chat with Kotae"
        thread = self.places.current_thread
        where = f"thread #{self.places.thread_number(thread)}" if thread else "a new post"
        return f"{ICT_STAFF.name} (ICT staff) in the ICT channel {self.places.ict_channel}, writing {where}"

    async def _switch_persona(self, argument: str) -> None:
        if argument not in PERSONAS:
            self.console.note("Usage: /as staff, /as helper or /as ict")
            return
        self.persona = argument
        self.console.note(f"You are {self._persona_description()}.")

    async def _switch_thread(self, argument: str) -> None:
        if not argument:
            listing = [
                f"#{n}" + (" (current)" if thread == self.places.current_thread else "")
                for n, thread in enumerate(self.places.threads, 1)
            ]
            self.console.note("ICT channel threads: " + (", ".join(listing) if listing else "none yet"))
            return
        if argument == "new":
            self.places.current_thread = None
        elif argument.isdigit() and 1 <= int(argument) <= len(self.places.threads):
            self.places.current_thread = self.places.threads[int(argument) - 1]
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
