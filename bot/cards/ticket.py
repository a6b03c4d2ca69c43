"""The ticket card in the ICT channel, its claimer-only variant, and the `tickets` list.

What the asker wrote (question, details, follow-ups, file names) is shown only in `TextRun`s of a
`RichTextBlock`, which Adaptive Cards never read as Markdown: no formatting, links or mentions can be
injected. Everyone sees the shared card; the claimer's Teams client fetches the variant with the
claimer's tools through `refresh.userIds` (an automatic `refresh` invoke).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.cards.base import Card, card, execute_action, heading, text_block
from bot.i18n import Lang, catalogue

__all__ = [
    "ListedTicket",
    "TicketView",
    "format_time",
    "plain_text",
    "ticket_card",
    "ticket_data",
    "ticket_list_card",
]

_SAFE_URL_SCHEMES = ("https://", "http://")
_TITLES = {"proposal": "desk.card.proposal_title"}
# The states a card tells apart (the ticket's state machine: `bot.tickets.transitions`).
_OPEN, _CLAIMED, _ANSWERED, _RESOLVED = "open", "claimed", "answered", "resolved"


@dataclass(frozen=True, slots=True)
class TicketView:
    """What the cards show of a ticket, as plain data: the caller converts its stored ticket
    (`bot.tickets.views.ticket_view`), so that cards know no tables."""

    id: int
    number: int
    version: int
    state: str  # open, claimed, answered, resolved, withdrawn
    asker_id: str
    created_at: datetime
    asker_name: str | None = None
    question: str | None = None  # None once the retention purge has removed it
    details: str | None = None
    attachments: Sequence[Mapping[str, Any]] = ()  # {"name", "url", "content_type"}
    candidates: Sequence[Mapping[str, Any]] = ()  # {"id", "score"}
    claimer_id: str | None = None
    claimer_name: str | None = None
    claimed_at: datetime | None = None
    answer: str | None = None
    resolution_note: str | None = None
    duplicate_of: int | None = None
    kind: str = "question"  # or "proposal" (`提案` / `idea`)


@dataclass(frozen=True, slots=True)
class ListedTicket:
    """A line of the `tickets` list."""

    ticket: TicketView
    # A message about this ticket that Teams refused for good (e.g. 403/404: the bot was removed).
    delivery_failed: bool = False


def format_time(moment: datetime, zone: ZoneInfo, lang: Lang) -> str:
    """A moment as people read it, in the office's time zone: the same format on every card."""
    return moment.astimezone(zone).strftime(catalogue().text("time.format", lang))


def plain_text(text: str, **style: Any) -> dict[str, Any]:
    """Text shown exactly as written: a TextRun is never Markdown, links or mentions."""
    return {"type": "RichTextBlock", "inlines": [{"type": "TextRun", "text": text, **style}]}


def ticket_data(ticket: TicketView) -> dict[str, Any]:
    """What every ticket button carries: which ticket, and the state and version the clicker saw."""
    return {"ticket_id": ticket.id, "version": ticket.version, "state": ticket.state}


def _mention(ticket: TicketView) -> tuple[str, dict[str, Any]]:
    name = ticket.asker_name or ticket.asker_id
    tag = f"<at>{name}</at>"
    return tag, {"type": "mention", "text": tag, "mentioned": {"id": ticket.asker_id, "name": name}}


def ticket_card(
    ticket: TicketView,
    lang: Lang,
    *,
    zone: ZoneInfo,
    main_number: int | None = None,
    for_claimer: bool = False,
) -> Card:
    """The card for `ticket` as it is now; `main_number` is the number of the ticket it duplicates."""
    text = catalogue().text
    state = ticket.state
    tag, mention = _mention(ticket)
    body: list[dict[str, Any]] = [
        heading(text(_TITLES.get(ticket.kind, "desk.card.title"), lang, number=ticket.number)),
        text_block(text("desk.card.asker", lang, asker=tag), spacing="None"),
        text_block(
            text("desk.card.asked_at", lang, time=format_time(ticket.created_at, zone, lang)), isSubtle=True
        ),
    ]
    if ticket.question is not None:
        body += [text_block(text("desk.card.question", lang), weight="Bolder"), plain_text(ticket.question)]
    if ticket.details:
        body += [text_block(text("desk.card.details", lang), weight="Bolder"), plain_text(ticket.details)]
    body += _attachments(ticket, lang)
    body += _candidates(ticket, lang)
    body.append(_state_line(ticket, lang, zone))
    if main_number is not None:
        body.append(text_block(text("desk.card.duplicate_of", lang, number=main_number), color="Accent"))
    if ticket.answer and state in (_ANSWERED, _RESOLVED):
        body += [text_block(text("desk.card.answer", lang), weight="Bolder"), plain_text(ticket.answer)]
    if ticket.resolution_note:
        body += [
            text_block(text("desk.card.note", lang), weight="Bolder"),
            plain_text(ticket.resolution_note),
        ]
    body += _shared_tools(ticket, lang, for_claimer=for_claimer)
    if for_claimer:
        body += _claimer_tools(ticket, lang)
    extra: dict[str, Any] = {"msteams": {"entities": [mention], "width": "Full"}}
    if ticket.claimer_id and state in (_CLAIMED, _ANSWERED):
        extra["refresh"] = {
            "action": {"type": "Action.Execute", "verb": "refresh", "data": ticket_data(ticket)},
            "userIds": [ticket.claimer_id],
        }
    return card(body, **extra)


def _attachments(ticket: TicketView, lang: Lang) -> list[dict[str, Any]]:
    links = [
        attachment
        for attachment in ticket.attachments
        if str(attachment.get("url", "")).startswith(_SAFE_URL_SCHEMES)
    ]
    if not links:
        return []
    return [
        text_block(catalogue().text("desk.card.attachments", lang), weight="Bolder"),
        {
            "type": "ActionSet",
            "actions": [
                {
                    "type": "Action.OpenUrl",
                    "title": str(link.get("name") or link["url"])[:100],
                    "url": link["url"],
                }
                for link in links
            ],
        },
    ]


def _candidates(ticket: TicketView, lang: Lang) -> list[dict[str, Any]]:
    text = catalogue().text
    if not ticket.candidates:
        return [text_block(text("desk.card.no_candidates", lang), isSubtle=True)]
    lines = "\n".join(
        f"{candidate['id']} ({float(candidate['score']):.2f})" for candidate in ticket.candidates
    )
    return [text_block(text("desk.card.candidates", lang), weight="Bolder"), plain_text(lines, isSubtle=True)]


def _state_line(ticket: TicketView, lang: Lang, zone: ZoneInfo) -> dict[str, Any]:
    text = catalogue().text
    line = text("desk.card.state", lang, state=text(f"desk.state.{ticket.state}", lang))
    if ticket.claimer_name and ticket.claimed_at and ticket.state in (_CLAIMED, _ANSWERED):
        claimed = text(
            "desk.card.claimed_by",
            lang,
            name=ticket.claimer_name,
            time=format_time(ticket.claimed_at, zone, lang),
        )
        line = f"{line}  \n{claimed}"
    return text_block(line, weight="Bolder", spacing="Medium")


def _actions(actions: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "ActionSet", "actions": actions}


def _input(
    input_id: str, placeholder: str, *, multiline: bool = False, number: bool = False
) -> dict[str, Any]:
    if number:
        return {"type": "Input.Number", "id": input_id, "placeholder": placeholder, "min": 1}
    return {
        "type": "Input.Text",
        "id": input_id,
        "placeholder": placeholder,
        "isMultiline": multiline,
        "maxLength": 4000,
    }


def _shared_tools(ticket: TicketView, lang: Lang, *, for_claimer: bool) -> list[dict[str, Any]]:
    """Buttons anyone in the ICT channel may press (the claim itself, and what is not the claimer's)."""
    text = catalogue().text
    data = ticket_data(ticket)
    state = ticket.state
    if state == _OPEN:
        tools = [
            _actions(
                [
                    execute_action(
                        text("desk.action.claim", lang), "claim", data, takes_inputs=False, style="positive"
                    )
                ]
            )
        ]
        if ticket.duplicate_of is None:
            tools += [
                _input("main_number", text("desk.input.duplicate_of", lang), number=True),
                _actions([execute_action(text("desk.action.link_duplicate", lang), "link_duplicate", data)]),
            ]
        return tools
    if state == _CLAIMED and not for_claimer:  # the claimer has "release" instead
        return [
            _actions(
                [
                    execute_action(
                        text("desk.action.force_release", lang), "force_release", data, takes_inputs=False
                    )
                ]
            )
        ]
    if state in (_ANSWERED, _RESOLVED) and ticket.answer:
        return [
            _input("faq_question", text("desk.input.faq_question", lang)),
            _actions([execute_action(text("desk.action.add_faq", lang), "add_faq", data)]),
        ]
    return []


def _claimer_tools(ticket: TicketView, lang: Lang) -> list[dict[str, Any]]:
    text = catalogue().text
    data = ticket_data(ticket)
    state = ticket.state
    tools: list[dict[str, Any]] = [
        text_block(text("desk.card.claimer_tools", lang), weight="Bolder", spacing="Large")
    ]
    if state == _CLAIMED:
        tools += [
            _input("answer", text("desk.input.answer", lang), multiline=True),
            _actions([execute_action(text("desk.action.answer", lang), "answer", data, style="positive")]),
        ]
    if state in (_CLAIMED, _ANSWERED):
        resolve_and_release = [execute_action(text("desk.action.resolve", lang), "resolve", data)]
        if state == _CLAIMED:
            resolve_and_release.append(
                execute_action(text("desk.action.release", lang), "release", data, takes_inputs=False)
            )
        tools += [_input("note", text("desk.input.note", lang)), _actions(resolve_and_release)]
    return tools if len(tools) > 1 else []


def ticket_list_card(items: Sequence[ListedTicket], lang: Lang, *, zone: ZoneInfo) -> Card:
    text = catalogue().text
    body: list[dict[str, Any]] = [heading(text("desk.list.title", lang, count=len(items)))]
    if not items:
        body.append(text_block(text("desk.list.empty", lang)))
    for item in items:
        ticket = item.ticket
        state = text(f"desk.state.{ticket.state}", lang)
        if ticket.claimer_name:
            state = f"{state} ({ticket.claimer_name})"
        line = text(
            "desk.list.item",
            lang,
            number=ticket.number,
            state=state,
            time=format_time(ticket.created_at, zone, lang),
        )
        body.append(text_block(line, spacing="Medium"))
        if ticket.question:
            body.append(plain_text(ticket.question[:200], isSubtle=True))
        if item.delivery_failed:
            body.append(text_block(text("desk.list.delivery_failed", lang), color="Warning", size="Small"))
    return card(body)
