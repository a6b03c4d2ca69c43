"""Escalation cards: the offer to ask ICT staff (with a details field), the receipt, the cancellation."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.cards.base import Card, card, execute_action, heading, text_block, with_log
from bot.cards.ticket import plain_text
from bot.i18n import Lang, catalogue
from dialogs import Attachment

__all__ = [
    "DETAILS_INPUT",
    "NAME_INPUT",
    "SHARE_INPUT",
    "ColleagueConsent",
    "escalate_card",
    "escalation_cancelled_card",
    "ticket_created_card",
]

# The id of the details field; Teams merges its value into the `escalate` action's data.
DETAILS_INPUT = "details"
_DETAILS_MAX = 4000
# The consent toggles (ココダッタラ): "true" / "false" in the `escalate` action's data.
SHARE_INPUT = "share_with_colleagues"
NAME_INPUT = "show_my_name"


@dataclass(frozen=True, slots=True)
class ColleagueConsent:
    """May colleagues with matching know-how see the question, and the asker's name with it?"""

    share: bool
    show_name: bool


def _toggle(input_id: str, title: str, value: bool) -> dict[str, Any]:
    return {
        "type": "Input.Toggle",
        "id": input_id,
        "title": title,
        "value": "true" if value else "false",
        "valueOn": "true",
        "valueOff": "false",
    }


def escalate_card(
    lang: Lang,
    *,
    asker: str,
    key: str,
    question: str,
    attachments: Sequence[Attachment] = (),
    reason: str = "asker.escalate.no_answer",
    log_id: str = "",
    consent: ColleagueConsent | None = None,
) -> Card:
    """`key` is a fresh uuid: every Send of this card opens the same one ticket.

    `reason` is the catalogue key of the sentence that says why ICT staff are offered. With
    `consent` (the asker's last choice) the card asks whether colleagues may see the question.
    """
    text = catalogue().text
    body: list[dict[str, Any]] = [
        heading(text("asker.escalate.title", lang)),
        text_block(text(reason, lang)),
    ]
    if question:
        body += [
            text_block(text("asker.escalate.question_label", lang), weight="Bolder", spacing="Medium"),
            plain_text(question),
        ]
    if attachments:
        body.append(
            text_block(text("asker.escalate.attachments_label", lang), weight="Bolder", spacing="Medium")
        )
        body += [{**plain_text(attachment.name), "spacing": "None"} for attachment in attachments]
    body += [
        text_block(text("asker.escalate.help_scope", lang), isSubtle=True, spacing="Medium"),
        {
            "type": "Input.Text",
            "id": DETAILS_INPUT,
            "label": text("asker.escalate.details_label", lang),
            "placeholder": text("asker.escalate.details_placeholder", lang),
            "isMultiline": True,
            "maxLength": _DETAILS_MAX,
        },
    ]
    if consent is not None:
        body += [
            _toggle(SHARE_INPUT, text("asker.escalate.share_with_colleagues", lang), consent.share),
            _toggle(NAME_INPUT, text("asker.escalate.show_my_name", lang), consent.show_name),
        ]
    send_data = with_log(
        {
            "asker": asker,
            "key": key,
            "question": question,
            "attachments": [
                {"name": item.name, "url": item.url, "content_type": item.content_type}
                for item in attachments
            ],
        },
        log_id,
    )
    actions = [
        execute_action(text("asker.escalate.send", lang), "escalate", send_data, style="positive"),
        execute_action(
            text("asker.escalate.cancel", lang), "cancel", {"asker": asker, "key": key}, takes_inputs=False
        ),
    ]
    return card(body, actions)


def ticket_created_card(lang: Lang, *, number: int, question: str) -> Card:
    text = catalogue().text
    body = [
        heading(text("asker.ticket.title", lang, number=number)),
        plain_text(question, isSubtle=True) if question else None,
        text_block(text("asker.ticket.next", lang)),
        text_block(text("asker.ticket.withdraw_hint", lang, number=number), isSubtle=True),
    ]
    return card([block for block in body if block is not None])


def escalation_cancelled_card(lang: Lang) -> Card:
    return card([text_block(catalogue().text("asker.escalate.cancelled", lang))])
