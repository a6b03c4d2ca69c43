"""What the asker's flow decided to do with one message; `bot/` renders each as a card or a text."""

from __future__ import annotations

from dataclasses import dataclass

from dialogs.smalltalk import SmallTalk
from knowledge import Hit

__all__ = [
    "Answer",
    "Attachment",
    "AttachmentOffer",
    "Clarify",
    "Escalate",
    "Outcome",
    "Prompt",
    "SmallTalkReply",
]


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file or image the asker sent: the bot cannot read it, but the ticket keeps its link."""

    name: str
    url: str
    content_type: str


@dataclass(frozen=True, slots=True)
class Prompt:
    """Nothing to answer (an empty message, or only an @mention): invite a question."""


@dataclass(frozen=True, slots=True)
class SmallTalkReply:
    kind: SmallTalk


@dataclass(frozen=True, slots=True)
class Answer:
    """One entry answers the question; `cut` says the question was longer than the bot reads."""

    question: str
    hit: Hit
    others: tuple[Hit, ...]
    cut: bool = False


@dataclass(frozen=True, slots=True)
class Clarify:
    """Several entries might answer: "did you mean" with the best few."""

    question: str
    hits: tuple[Hit, ...]
    cut: bool = False


@dataclass(frozen=True, slots=True)
class Escalate:
    """Nothing answers well enough: offer to send the question to ICT staff."""

    question: str
    hits: tuple[Hit, ...]
    cut: bool = False


@dataclass(frozen=True, slots=True)
class AttachmentOffer:
    """Images or files arrived: say they cannot be read and offer to send them with the question."""

    question: str
    attachments: tuple[Attachment, ...]
    hits: tuple[Hit, ...]
    cut: bool = False


Outcome = Prompt | SmallTalkReply | Answer | Clarify | Escalate | AttachmentOffer
