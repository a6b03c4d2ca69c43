"""Free text from the asker: the flow decides, this renders the outcome as a reply in the same place.

In channels and group chats Kotae answers only when @mentioned; the reply goes to the same
conversation (a channel thread's id carries the thread, so the answer lands in that thread).
"""

from __future__ import annotations

import uuid

from bot.asker.activity import asker_id, user_attachments
from bot.asker.awaiting import AwaitingAnswers
from bot.asker.question_log import QuestionLog
from bot.cards.about_ticket import about_ticket_card
from bot.cards.answer import AnswerContext, answer_card
from bot.cards.base import Card
from bot.cards.choices import clarify_card
from bot.cards.escalation import escalate_card
from bot.handoffs import ColleagueConsent, ColleagueHooks
from bot.i18n import Lang, catalogue
from bot.turn import Turn
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

__all__ = ["QuestionHandler", "escalation_consent", "render"]

_SMALL_TALK = {SmallTalk.GREETING: "asker.greeting", SmallTalk.THANKS: "asker.thanks"}


def _new_id() -> str:
    return uuid.uuid4().hex


def render(
    outcome: Outcome, lang: Lang, asker: str, log_id: str = "", consent: ColleagueConsent | None = None
) -> Card | str:
    """The reply to one outcome: a card, or a short text for prompts and small talk.

    `log_id` is the question log's row, carried by the buttons so that clicks record what followed;
    `consent` (the asker's last choice) puts the colleagues' know-how toggles on an escalation card.
    """
    text = catalogue().text
    match outcome:
        case Prompt():
            return text("asker.prompt", lang)
        case SmallTalkReply(kind=kind):
            return text(_SMALL_TALK[kind], lang)
        case Answer(question=question, hit=hit):
            context = AnswerContext(asker, question, hit.score, "answer", _new_id(), log_id)
            return answer_card(hit.entry, lang, context)
        case Clarify(question=question, hits=hits):
            return clarify_card(hits, lang, asker=asker, question=question, card_id=_new_id(), log_id=log_id)
        case Escalate(question=question):
            return escalate_card(
                lang, asker=asker, key=_new_id(), question=question, log_id=log_id, consent=consent
            )
        case AttachmentOffer(question=question, attachments=attachments):
            return escalate_card(
                lang,
                asker=asker,
                key=_new_id(),
                question=question,
                attachments=attachments,
                reason="asker.escalate.attachments",
                log_id=log_id,
                consent=consent,
            )


async def escalation_consent(
    colleagues: ColleagueHooks | None, outcome: Outcome | None, asker: str
) -> ColleagueConsent | None:
    """The asker's remembered consent when the reply is an escalation card (read only then);
    `outcome` None: the reply is an escalation card whatever was asked ("ask ICT staff")."""
    if colleagues is None or not isinstance(outcome, Escalate | AttachmentOffer | None):
        return None
    return await colleagues.consent(asker)


class QuestionHandler:
    """The bot's `ask` handler.

    In a 1:1 chat, while an ICT answer waits for the asker's "did this solve it?", a new message is
    first asked about: is it about that ticket, or a new question?
    """

    def __init__(
        self,
        flow: AskerFlow,
        awaiting: AwaitingAnswers,
        log: QuestionLog,
        colleagues: ColleagueHooks | None = None,
    ) -> None:
        self._colleagues = colleagues
        self._flow = flow
        self._awaiting = awaiting
        self._log = log

    async def __call__(self, turn: Turn, text: str, lang: Lang) -> None:
        activity = turn.activity
        personal = activity.personal
        if not personal and not activity.mentions_bot:
            return  # a channel message for the people there (resource-specific consent delivers those)
        asker = asker_id(activity)
        attachments = user_attachments(activity)
        if personal and text and not attachments:
            waiting = await self._awaiting.ticket_for(asker)
            if waiting is not None:
                card = about_ticket_card(waiting, text[:MAX_QUESTION_CHARS], lang, asker=asker)
                await turn.send(card)
                return
        outcome = await self._flow.respond(text, lang, attachments)
        lang = self._flow.reply_language(text, lang)
        log_id = self._log.row_id(outcome, asker)
        consent = await escalation_consent(self._colleagues, outcome, asker)
        if getattr(outcome, "cut", False):
            await turn.send(catalogue().text("asker.cut", lang, limit=f"{self._flow.read_limit():,}"))
        await turn.send(render(outcome, lang, asker, log_id, consent))
        # Queued once the reply is on its way (written in the background: docs/insights.md).
        self._log.record(
            log_id, outcome, lang=lang, asker=asker, conversation_type=activity.conversation_type
        )
