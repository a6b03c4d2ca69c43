"""The `insights` card in the ICT channel: last week's headline figures and the top five knowledge gaps."""

from __future__ import annotations

from typing import Any

from bot.cards.base import Card, card, heading, text_block
from bot.cards.ticket import plain_text
from bot.i18n import Lang, catalogue

__all__ = ["insights_card"]

TOP_GAPS = 5


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.1f}%"


def _hours(value: float | None) -> str:
    return "–" if value is None else f"{value:g}"


def insights_card(summary: dict[str, Any], lang: Lang) -> Card:
    """`summary` as `bot.insights.summary.read_summary` returns it (keys: docs/insights.md)."""
    text = catalogue().text
    questions, desk = summary["questions"], summary["desk"]

    def fact(key: str, value: object) -> dict[str, str]:
        return {"title": text(f"insights.{key}", lang), "value": str(value)}

    facts = [
        fact("total", questions["total"]),
        fact("self_service_rate", _percent(questions["self_service_rate"])),
        *(
            fact(f"outcome.{name}", questions[name])
            for name in ("answered", "resolved_by_choice", "escalated", "abandoned")
        ),
        fact("opened", desk["opened"]),
        fact("resolved", desk["resolved"]),
        fact("hours_to_answer", _hours(desk["median_business_hours_to_answer"])),
    ]
    period = summary["period"]
    body: list[dict[str, Any]] = [
        heading(text("insights.card.title", lang, start=period["from"], end=period["to"])),
        {"type": "FactSet", "facts": facts},
        text_block(text("insights.card.gaps", lang), weight="Bolder", spacing="Medium"),
    ]
    gaps = summary["gaps"][:TOP_GAPS]
    if not gaps:
        body.append(text_block(text("insights.none", lang), isSubtle=True))
    for gap in gaps:
        line = text("insights.card.gap", lang, count=gap["count"], example=gap["examples"][0])
        body.append({**plain_text(line), "spacing": "Small"})  # the asker's words: never Markdown
    body.append(text_block(text("insights.card.more", lang), isSubtle=True, spacing="Medium"))
    return card(body)
