"""What the bot sent to the connector, shown as it arrives, with the cards' buttons numbered to click."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from bot.invoke import CARD_TYPE, MESSAGE_TYPE
from devtools.activities import Person, Place, TeamsActivities
from devtools.chat.console import Console, framed, indent
from devtools.chat.places import Places
from devtools.emulator import Call, ConnectorEmulator
from devtools.render import Button, render_card, render_text

Exchange = Callable[[dict[str, Any]], Awaitable[tuple[int, Any] | None]]
"""Post an activity to the bot: its HTTP status and body; None when it could not be reached (said so)."""


@dataclass(frozen=True)
class Clickable:
    """A numbered button, where its card is and who can see (and so click) it."""

    button: Button
    place: Place
    message_id: str
    clicker: Person


class Display:
    """Shows every call the bot makes to the connector, once and in order; keeps the numbered buttons."""

    def __init__(
        self,
        *,
        emulator: ConnectorEmulator,
        console: Console,
        places: Places,
        teams: TeamsActivities,
        exchange: Exchange,
        viewer: Callable[[], Person],
    ) -> None:
        self.emulator = emulator
        self.console = console
        self.places = places
        self.teams = teams
        self._exchange = exchange
        self._viewer = viewer  # who sees cards in conversations of no persona's: the current persona
        self._buttons: dict[int, Clickable] = {}
        self._retired: set[int] = set()
        self._numbers_by_message: dict[tuple[str, str], list[int]] = {}
        self._cards_by_message: dict[tuple[str, str], list[dict[str, Any]]] = {}  # as last shown
        self._next_number = 1
        self._seen_calls = 0
        self._flushing = asyncio.Lock()  # calls are shown one at a time, in the order they came

    def clickable(self, number: int) -> Clickable | None:
        return self._buttons.get(number)

    def retired(self, number: int) -> bool:
        """Whether button `number` was on a card since replaced."""
        return number in self._retired

    def show_invoke_answer(self, answer: Any, clickable: Clickable) -> None:
        where = self.places.where(clickable.place.conversation_id)
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

    async def watch_connector(self) -> None:
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
            if self.places.is_ict(conversation_id):
                # It becomes ICT staff's thread only if they have none: a new ticket must not carry
                # off what they are writing about another one.
                number = self.places.thread_number(conversation_id)
                if self.places.current_thread is None:
                    self.places.current_thread = conversation_id
                    label = "new thread; ICT staff now write here"
                else:
                    label = f"new thread; /thread {number} to write here"
            activity = body.get("activity") or {}
            await self._show_activity(activity, conversation_id, str(response.get("activityId", "")), label)
        elif call.kind == "update" and call.conversation_id and call.activity_id:
            await self._show_activity(body, call.conversation_id, call.activity_id, "updated its message")
        elif call.kind == "delete" and call.conversation_id:
            self.console.show(f"\n{self._header(self.places.where(call.conversation_id))} deleted a message.")

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
        self._show_message(self.places.where(conversation_id), label, "\n\n".join(parts))

    async def _as_seen(
        self, card: dict[str, Any], conversation_id: str, message_id: str
    ) -> tuple[dict[str, Any], str | None]:
        """The card as its viewer sees it, and the viewer's name when it was refreshed for them.

        Teams fetches a card of its own for each user listed in `refresh.userIds` (Universal Actions):
        an automatic `adaptiveCard/action` invoke whose answer replaces the card, for that user only.
        """
        refresh = card.get("refresh")
        action = refresh.get("action") if isinstance(refresh, dict) else None
        viewer = self.places.clicker_in(conversation_id, self._viewer())
        if not isinstance(action, dict) or viewer.account["id"] not in (refresh.get("userIds") or []):
            return card, None
        data = action.get("data") if isinstance(action.get("data"), dict) else {}
        place = self.places.place_of(conversation_id)
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
        self.console.show(f"\n{self._header(where)}{label}\n{indent(body)}")

    def _render_cards(self, key: tuple[str, str], cards: list[dict[str, Any]]) -> list[str]:
        """The cards of one message as text; their buttons replace those of the message's last version."""
        for number in self._numbers_by_message.pop(key, []):
            self._buttons.pop(number, None)
            self._retired.add(number)
        self._cards_by_message[key] = cards
        place, clicker = self.places.place_of(key[0]), self.places.clicker_in(key[0], self._viewer())
        texts = []
        for card in cards:
            rendered = render_card(card, first_number=self._next_number, style=self.console.style)
            self._next_number += len(rendered.buttons)
            for button in rendered.buttons:
                self._buttons[button.number] = Clickable(button, place, key[1], clicker)
                self._numbers_by_message.setdefault(key, []).append(button.number)
            texts.append(framed(rendered.text))
        return texts

    def _header(self, where: str) -> str:
        return f"{self.console.style.accent('Kotae')} {self.console.style.dim('▸ ' + where)}"
