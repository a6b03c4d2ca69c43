"""Free text from the asker: the flow decides, this renders the outcome as a reply in the same place.

In channels and group chats Kotae answers only when @mentioned; the reply goes to the same
conversation (a channel thread's id carries the thread, so the answer lands in that thread).
"""

from __future__ import annotations

import uuid

from botbuilder.core import MessageFactory, TurnContext
from botbuilder.schema import Activity

from bot.asker.activity import asker_id, mentions_bot, user_attachments
from bot.cards.answer import AnswerContext, answer_card
from bot.cards.base import Card, to_attachment
from bot.cards.choices import clarify_card
from bot.cards.escalation import escalate_card
from bot.i18n import Lang, catalogue
from bot.teams import is_personal
from dialogs import (
    MAX_QUESTION_CHARS,
    Answer,
    AskerFlow,
    AttachmentOffer,
    Clarify,
    Escalate,
    Outcome,
    Prompt,
    SmallTalk,
    SmallTalkReply,
)

__all__ = ["QuestionHandler"]

_SMALL_TALK = {SmallTalk.GREETING: "asker.greeting", SmallTalk.THANKS: "asker.thanks"}


def _new_id() -> str:
    return uuid.uuid4().hex


def render(outcome: Outcome, lang: Lang, asker: str) -> Activity:
    """The reply for one outcome: a card, or a short text for prompts and small talk."""
    text = catalogue().text
    card: Card
    match outcome:
        case Prompt():
            return MessageFactory.text(text("asker.prompt", lang))
        case SmallTalkReply(kind=kind):
            return MessageFactory.text(text(_SMALL_TALK[kind], lang))
        case Answer(question=question, hit=hit):
            context = AnswerContext(asker, question, hit.score, "answer", _new_id())
            card = answer_card(hit.entry, lang, context)
        case Clarify(question=question, hits=hits):
            card = clarify_card(hits, lang, asker=asker, question=question, card_id=_new_id())
        case Escalate(question=question):
            card = escalate_card(lang, asker=asker, key=_new_id(), question=question)
        case AttachmentOffer(question=question, attachments=attachments):
            card = escalate_card(
                lang,
                asker=asker,
                key=_new_id(),
                question=question,
                attachments=attachments,
                reason="asker.escalate.attachments",
            )
    return MessageFactory.attachment(to_attachment(card))


class QuestionHandler:
    """The bot's `ask` handler."""

    def __init__(self, flow: AskerFlow) -> None:
        self._flow = flow

    async def __call__(self, turn_context: TurnContext, text: str, lang: Lang) -> None:
        activity = turn_context.activity
        if not is_personal(activity) and not mentions_bot(activity):
            return  # a channel message for the people there (resource-specific consent delivers those)
        outcome = self._flow.respond(text, lang, user_attachments(activity))
        replies = [render(outcome, lang, asker_id(activity))]
        if getattr(outcome, "cut", False):
            note = catalogue().text("asker.cut", lang, limit=f"{MAX_QUESTION_CHARS:,}")
            replies.insert(0, MessageFactory.text(note))
        await turn_context.send_activities(replies)
