"""Every card the desk sends is a valid Adaptive Card 1.5, and asker text can inject nothing."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.cards.desk_notices import answer_card, notice_card
from bot.cards.my_questions import TicketLine, my_questions_card
from bot.cards.ticket import ListedTicket, TicketView, ticket_card, ticket_list_card
from bot.i18n import LANGUAGES
from bot.tickets.models import Ticket
from bot.tickets.views import ticket_view
from tests.card_schema import assert_valid_card
from tests.desk.factories import ICT_CHANNEL, T0

JST = ZoneInfo("Asia/Tokyo")
HOSTILE = "**太字** [罠](https://evil.example) <at>全員</at> ![img](https://evil.example/x.png) # 見出し"


def _ticket(state: str, **values: Any) -> TicketView:
    fields: dict[str, Any] = {
        "id": 7,
        "number": 42,
        "state": state,
        "version": 3,
        "asker_id": "29:asker",
        "asker_aad_object_id": "aad-asker",
        "asker_name": "山田 太郎",
        "asker_conversation_id": "a:personal",
        "asker_conversation_type": "personal",
        "asker_reference": {},
        "language": "ja",
        "question": HOSTILE,
        "details": "詳細: " + HOSTILE,
        "attachments": [
            {"name": "shot.png", "url": "https://files.example/shot.png"},
            {"name": "bad", "url": "javascript:alert(1)"},
        ],
        "candidates": [{"id": "wifi-connect", "score": 0.41}],
        "channel_id": ICT_CHANNEL,
        "created_at": T0,
        "duplicate_of": None,
    }
    if state in ("claimed", "answered", "resolved"):
        fields |= {"claimer_id": "29:staff", "claimer_aad_object_id": "aad-staff", "claimer_name": "ICT 1"}
        fields["claimed_at"] = T0 + timedelta(minutes=5)
    if state in ("answered", "resolved"):
        fields |= {"answer": "1. 再起動\n2. **設定**を確認", "answered_at": T0 + timedelta(minutes=9)}
    fields |= values
    return ticket_view(Ticket(**fields))


STATES = ("open", "claimed", "answered", "resolved", "withdrawn")


def _strings(node: Any) -> list[tuple[str, str]]:
    """Every (element type, text) pair in a card: TextBlock texts and TextRun texts."""
    found: list[tuple[str, str]] = []
    if isinstance(node, dict):
        if node.get("type") in ("TextBlock", "TextRun") and isinstance(node.get("text"), str):
            found.append((node["type"], node["text"]))
        for value in node.values():
            found += _strings(value)
    elif isinstance(node, list):
        for value in node:
            found += _strings(value)
    return found


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("state", STATES)
def test_ticket_cards_are_valid(lang: str, state: str, schemas_dir: Path) -> None:
    ticket = _ticket(state)
    assert_valid_card(ticket_card(ticket, lang, zone=JST), schemas_dir)
    assert_valid_card(ticket_card(ticket, lang, zone=JST, for_claimer=True), schemas_dir)
    assert_valid_card(ticket_card(ticket, lang, zone=JST, main_number=3), schemas_dir)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_message_cards_are_valid(lang: str, schemas_dir: Path) -> None:
    ticket = _ticket("answered")
    assert_valid_card(answer_card(ticket, ticket.answer, lang), schemas_dir)
    assert_valid_card(notice_card("x", quote_label="y", quote=HOSTILE), schemas_dir)
    assert_valid_card(notice_card("<at>ICT 1</at> x", mention=("29:staff", "ICT 1")), schemas_dir)
    items = [ListedTicket(_ticket("open"), False), ListedTicket(_ticket("claimed"), True)]
    assert_valid_card(ticket_list_card(items, lang, zone=JST), schemas_dir)
    assert_valid_card(ticket_list_card([], lang, zone=JST), schemas_dir)


@pytest.mark.parametrize("state", STATES)
def test_asker_text_appears_only_as_plain_text_runs(state: str) -> None:
    ticket = _ticket(state)
    for card in (
        ticket_card(ticket, "ja", zone=JST, for_claimer=True),
        ticket_list_card([ListedTicket(ticket, False)], "ja", zone=JST),
    ):
        carrying = [kind for kind, text in _strings(card) if "evil.example" in text]
        assert carrying
        assert set(carrying) == {"TextRun"}
        assert "evil.example" not in json.dumps(card.get("actions", []))
        assert "javascript:" not in json.dumps(card)


def test_claimer_tools_only_in_the_claimer_variant() -> None:
    ticket = _ticket("claimed")
    shared = json.dumps(ticket_card(ticket, "ja", zone=JST))
    mine = ticket_card(ticket, "ja", zone=JST, for_claimer=True)
    assert '"verb": "answer"' not in shared
    assert '"verb": "answer"' in json.dumps(mine)
    assert mine["refresh"]["userIds"] == ["29:staff"]
    assert mine["refresh"]["action"]["verb"] == "refresh"
    assert "2026/11/26 10:05" in json.dumps(mine, ensure_ascii=False)  # claimed at, JST


def test_open_card_has_claim_and_no_refresh() -> None:
    card = ticket_card(_ticket("open"), "en", zone=JST)
    verbs = json.dumps(card)
    assert '"verb": "claim"' in verbs
    assert "refresh" not in card
    assert card["msteams"]["entities"][0]["mentioned"]["id"] == "29:asker"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_ticket_and_my_questions_show_the_same_time(lang: str) -> None:
    ticket = _ticket("open")
    shown = my_questions_card([TicketLine(42, "open", "q", ticket.created_at)], lang, timezone=JST)
    mine = re.search(r"\((.+)\)", shown["body"][1]["text"]).group(1)
    assert mine in json.dumps(ticket_card(ticket, lang, zone=JST), ensure_ascii=False)
    assert mine in json.dumps(
        ticket_list_card([ListedTicket(ticket, False)], lang, zone=JST), ensure_ascii=False
    )
