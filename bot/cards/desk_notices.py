"""Cards the desk sends as messages: the answer to the asker, and notices in a ticket's thread."""

from __future__ import annotations

from typing import Any

from bot.cards.base import Card, card, execute_action, heading, text_block
from bot.cards.ticket import TicketView, plain_text, ticket_data
from bot.i18n import Lang, catalogue

__all__ = ["answer_card", "notice_card"]


def answer_card(ticket: TicketView, answer: str, lang: Lang) -> Card:
    """The ICT staff's answer, with "did this solve it?": yes resolves, no reopens with a follow-up.

    The answer is ICT staff's own text, shown as Markdown (lists, bold and links render in Teams).
    """
    text = catalogue().text
    data = ticket_data(ticket)
    body: list[dict[str, Any]] = [heading(text("desk.asker.answered_title", lang, number=ticket.number))]
    if ticket.claimer_name:
        body.append(text_block(text("desk.asker.answered_by", lang, name=ticket.claimer_name), isSubtle=True))
    body += [
        text_block(answer, spacing="Medium"),
        text_block(text("desk.asker.did_it_help", lang), weight="Bolder", spacing="Large"),
        {
            "type": "Input.Text",
            "id": "followup",
            "placeholder": text("desk.input.followup", lang),
            "isMultiline": True,
            "maxLength": 2000,
        },
    ]
    actions = [
        execute_action(
            text("desk.action.confirm", lang), "confirm", data, takes_inputs=False, style="positive"
        ),
        execute_action(text("desk.action.reopen", lang), "reopen", data),
    ]
    return card(body, actions)


def notice_card(
    message: str,
    *,
    quote_label: str | None = None,
    quote: str | None = None,
    mention: tuple[str, str] | None = None,
) -> Card:
    """A short notice; `quote` (someone's own words) is shown as plain text; `mention` is (Teams id, name).

    When `mention` is given, `message` must contain `<at>name</at>` where the mention goes.
    """
    body: list[dict[str, Any]] = [text_block(message)]
    if quote:
        if quote_label:
            body.append(text_block(quote_label, weight="Bolder", spacing="Medium"))
        body.append(plain_text(quote))
    extra: dict[str, Any] = {}
    if mention:
        user_id, name = mention
        tag = f"<at>{name}</at>"
        extra["msteams"] = {
            "entities": [{"type": "mention", "text": tag, "mentioned": {"id": user_id, "name": name}}]
        }
    return card(body, **extra)
