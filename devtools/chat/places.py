"""The chat's places: the personas' 1:1 chats, the ICT channel and its threads, and what to call them."""

from __future__ import annotations

from devtools.activities import Person, Place
from devtools.chat.personas import ICT_STAFF, PERSONAL


class Places:
    """Where each conversation is, who sees its cards, and the ICT channel's threads, numbered as they appear."""

    def __init__(self, ict_channel: str) -> None:
        self.ict_channel = ict_channel
        self.personal_places = {person: Place.personal(person) for person in PERSONAL.values()}
        self.threads: list[str] = []  # conversation ids of the ICT channel's threads; #1 is threads[0]
        self.current_thread: str | None = None  # where ICT staff write; None: a new post

    def ict_place(self, thread_root: str | None = None) -> Place:
        """The ICT channel, played as its team's General channel, whose id is the team's id.

        So the team install reaches the channel, as it does in Teams for a General channel.
        """
        return Place.channel(self.ict_channel, self.ict_channel, thread_root)

    def is_ict(self, conversation_id: str) -> bool:
        return conversation_id.split(";")[0] == self.ict_channel

    def thread_number(self, conversation_id: str) -> int:
        if conversation_id not in self.threads:
            self.threads.append(conversation_id)
        return self.threads.index(conversation_id) + 1

    def personal(self, conversation_id: str) -> Person | None:
        """The persona whose 1:1 chat `conversation_id` is, if any."""
        for person, place in self.personal_places.items():
            if place.conversation_id == conversation_id:
                return person
        return None

    def place_of(self, conversation_id: str) -> Place:
        if (person := self.personal(conversation_id)) is not None:
            return self.personal_places[person]
        if self.is_ict(conversation_id):
            _, _, root = conversation_id.partition(";messageid=")
            return self.ict_place(root or None)
        return Place("personal" if conversation_id.startswith("a:") else "groupChat", conversation_id)

    def clicker_in(self, conversation_id: str, elsewhere: Person) -> Person:
        """Who sees a card, and so clicks it: ICT staff in the ICT channel, each persona in their 1:1, else `elsewhere`."""
        if (person := self.personal(conversation_id)) is not None:
            return person
        return ICT_STAFF if self.is_ict(conversation_id) else elsewhere

    def where(self, conversation_id: str) -> str:
        if (person := self.personal(conversation_id)) is not None:
            return f"1:1 with {person.name}"
        if self.is_ict(conversation_id):
            if ";messageid=" not in conversation_id:
                return "ICT channel"
            return f"ICT channel, thread #{self.thread_number(conversation_id)}"
        return conversation_id
