"""The data each asker verb carries (docs/cards.md), validated before anything acts on it.

Card data comes back from the client, so it is checked like any input: a card from an older
version, a forged click or a truncated payload fails validation and gets the "out of date" reply.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator

from bot.card_data import CardData
from bot.i18n import Lang
from dialogs import MAX_QUESTION_CHARS, Attachment

__all__ = [
    "MAX_ATTACHMENTS",
    "AskIctData",
    "AskNewData",
    "CancelData",
    "ChooseData",
    "EscalateData",
    "LanguageData",
    "MoreData",
    "VoteData",
]

# Attachments a ticket keeps (links only); the activity reader passes on no more than this.
MAX_ATTACHMENTS = 20
_Id = Annotated[str, StringConstraints(min_length=1, max_length=128)]
_Question = Annotated[str, StringConstraints(max_length=MAX_QUESTION_CHARS)]


class _AskerData(CardData):
    asker: Annotated[str, StringConstraints(min_length=1, max_length=64)]


class _LoggedData(_AskerData):
    # The question log's row of the question the card is about; empty on cards made before the log.
    log: Annotated[str, StringConstraints(max_length=64)] = ""


class VoteData(_LoggedData):
    """helpful / not_helpful on an answer card."""

    answer: _Id
    entry: _Id
    question: _Question
    score: float = Field(ge=0, le=1)
    decision: Literal["answer", "clarify", "alternative"]


class ChooseData(_LoggedData):
    """A pick on a "did you mean" or "not helpful" card."""

    card: _Id
    entry: _Id
    question: _Question
    score: float = Field(ge=0, le=1)
    decision: Literal["clarify", "alternative"]


class AskIctData(_LoggedData):
    """ "Ask ICT staff" / "None of these": show the escalation card for the question."""

    question: _Question


class AskNewData(_AskerData):
    """ "No, it's a new question" on the "is this about #N?" card."""

    question: Annotated[str, StringConstraints(min_length=1, max_length=MAX_QUESTION_CHARS)]


class _AttachmentData(CardData):
    name: Annotated[str, StringConstraints(max_length=512)]
    url: Annotated[str, StringConstraints(min_length=1, max_length=2048)]
    content_type: Annotated[str, StringConstraints(max_length=256)] = ""

    def to_attachment(self) -> Attachment:
        return Attachment(self.name, self.url, self.content_type)


class EscalateData(_LoggedData):
    """Send on the escalation card; `details` is the card's input field, merged in by Teams."""

    key: _Id
    question: _Question
    attachments: list[_AttachmentData] = Field(default_factory=list, max_length=MAX_ATTACHMENTS)
    details: Annotated[str, StringConstraints(max_length=4000)] = ""
    # The consent toggles (ココダッタラ); absent on cards made before them: colleagues see nothing.
    share_with_colleagues: Literal["true", "false", ""] = ""
    show_my_name: Literal["true", "false", ""] = ""

    @model_validator(mode="after")
    def _something_to_send(self) -> EscalateData:
        if not self.question.strip() and not self.attachments:
            raise ValueError("an escalation needs a question or an attachment")
        return self


class CancelData(_AskerData):
    """Cancel on the escalation card."""

    key: _Id


class MoreData(CardData):
    """The next part of a long answer; anyone in the conversation may ask for it."""

    entry: _Id
    offset: int = Field(ge=1)
    version: _Id


class LanguageData(CardData):
    lang: Lang
