"""Know-how cards (ココダッタラ): one's own profile, a helper's request, a colleague's answer to the asker.

What people wrote (questions, answers, topics) is shown in `plain_text` runs: never Markdown,
links or mentions.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.cards.base import Card, card, execute_action, heading, text_block
from bot.cards.ticket import plain_text
from bot.i18n import Lang, catalogue

__all__ = [
    "ANSWER_INPUT",
    "TOPIC_INPUT",
    "colleague_answer_card",
    "helper_request_card",
    "knowhow_notice_card",
    "profile_card",
]

TOPIC_INPUT = "topic"
ANSWER_INPUT = "answer"
_TOPIC_MAX = 64
_ANSWER_MAX = 4000


def profile_card(
    lang: Lang,
    *,
    topics: Sequence[tuple[int, str]],
    available: bool,
    helped_count: int,
    notice: str | None = None,
) -> Card:
    """The owner's profile: topics (each with a remove button), add a topic, pause or resume, leave."""
    text = catalogue().text
    body: list[dict[str, Any]] = [heading(text("knowhow.profile.title", lang))]
    if notice:
        body.append(text_block(notice, color="Accent"))
    body.append(text_block(text("knowhow.profile.intro", lang), isSubtle=True))
    if topics:
        body.append(text_block(text("knowhow.profile.topics", lang), weight="Bolder", spacing="Medium"))
        for topic_id, label in topics:
            body.append(
                {
                    "type": "ColumnSet",
                    "columns": [
                        {"type": "Column", "width": "stretch", "items": [plain_text(label)]},
                        {
                            "type": "Column",
                            "width": "auto",
                            "items": [
                                {
                                    "type": "ActionSet",
                                    "actions": [
                                        execute_action(
                                            text("knowhow.profile.remove", lang),
                                            "knowhow_remove",
                                            {"topic_id": topic_id},
                                            takes_inputs=False,
                                        )
                                    ],
                                }
                            ],
                        },
                    ],
                }
            )
        state = "knowhow.profile.available" if available else "knowhow.profile.paused"
        body.append(text_block(text(state, lang), spacing="Medium"))
        body.append(text_block(text("knowhow.profile.helped", lang, count=helped_count), isSubtle=True))
    else:
        body.append(text_block(text("knowhow.profile.empty", lang), spacing="Medium"))
    body.append(
        {
            "type": "Input.Text",
            "id": TOPIC_INPUT,
            "label": text("knowhow.profile.topic_label", lang),
            "placeholder": text("knowhow.profile.topic_placeholder", lang),
            "maxLength": _TOPIC_MAX,
        }
    )
    actions = [execute_action(text("knowhow.profile.add", lang), "knowhow_add", {}, style="positive")]
    if topics:
        toggle = (
            ("knowhow.profile.pause", "knowhow_pause")
            if available
            else ("knowhow.profile.resume", "knowhow_resume")
        )
        actions += [
            execute_action(text(toggle[0], lang), toggle[1], {}, takes_inputs=False),
            execute_action(text("knowhow.profile.leave", lang), "knowhow_leave", {}, takes_inputs=False),
        ]
    return card(body, actions)


def helper_request_card(lang: Lang, *, request_id: int, question: str, asker_name: str | None) -> Card:
    """Sent 1:1 to a matching colleague: the question, and 答える / 分からない / 今は忙しい."""
    text = catalogue().text
    data = {"request_id": request_id}
    who = (
        text("knowhow.request.from", lang, name=asker_name)
        if asker_name
        else text("knowhow.request.from_colleague", lang)
    )
    body: list[dict[str, Any]] = [
        heading(text("knowhow.request.title", lang)),
        text_block(who, isSubtle=True),
        text_block(text("knowhow.request.question", lang), weight="Bolder", spacing="Medium"),
        plain_text(question),
        {
            "type": "Input.Text",
            "id": ANSWER_INPUT,
            "label": text("knowhow.request.answer_label", lang),
            "placeholder": text("knowhow.request.answer_placeholder", lang),
            "isMultiline": True,
            "maxLength": _ANSWER_MAX,
        },
        text_block(text("knowhow.request.why", lang), isSubtle=True, spacing="Medium"),
    ]
    actions = [
        execute_action(text("knowhow.request.answer", lang), "knowhow_answer", data, style="positive"),
        execute_action(text("knowhow.request.unknown", lang), "knowhow_unknown", data, takes_inputs=False),
        execute_action(text("knowhow.request.busy", lang), "knowhow_busy", data, takes_inputs=False),
    ]
    return card(body, actions)


def colleague_answer_card(lang: Lang, *, number: int, ticket_id: int, helper_name: str, answer: str) -> Card:
    """To the asker: a colleague's answer, and 解決した (resolves the ticket and thanks the colleague)."""
    text = catalogue().text
    body: list[dict[str, Any]] = [
        heading(text("knowhow.answer.title", lang, number=number)),
        text_block(text("knowhow.answer.by", lang, name=helper_name), isSubtle=True),
        plain_text(answer),
        text_block(text("knowhow.answer.still_with_ict", lang), isSubtle=True, spacing="Medium"),
    ]
    actions = [
        execute_action(
            text("knowhow.answer.solved", lang),
            "knowhow_solved",
            {"ticket_id": ticket_id},
            takes_inputs=False,
            style="positive",
        )
    ]
    return card(body, actions)


def knowhow_notice_card(message: str) -> Card:
    return card([text_block(message)])
