""" "Is this about your question #N?": asked when a message arrives while an answer awaits the asker.

The yes buttons are the desk's own asker verbs (`confirm`, `reopen` with the message as the
follow-up), so the ticket's state machine decides; "no" (`ask_new`) treats the message as a new question.
"""

from __future__ import annotations

from bot.cards.base import Card, card, execute_action, heading, text_block
from bot.cards.ticket import TicketView, plain_text, ticket_data
from bot.i18n import Lang, catalogue

__all__ = ["about_ticket_card"]

_FOLLOWUP_CHARS = 2000


def about_ticket_card(ticket: TicketView, message: str, lang: Lang, *, asker: str) -> Card:
    text = catalogue().text
    body = [heading(text("asker.about_ticket.title", lang, number=ticket.number))]
    if ticket.question:
        body.append(plain_text(ticket.question, isSubtle=True))
    body += [text_block(text("asker.about_ticket.your_message", lang), weight="Bolder"), plain_text(message)]
    data = ticket_data(ticket)
    actions = [
        execute_action(
            text("asker.about_ticket.not_solved", lang),
            "reopen",
            {**data, "followup": message[:_FOLLOWUP_CHARS]},
        ),
        execute_action(
            text("asker.about_ticket.solved", lang), "confirm", data, takes_inputs=False, style="positive"
        ),
        execute_action(
            text("asker.about_ticket.new_question", lang), "ask_new", {"asker": asker, "question": message}
        ),
    ]
    return card(body, actions)
