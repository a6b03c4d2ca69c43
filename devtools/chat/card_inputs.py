"""What a typed line gives a card's input field, as Teams would submit it."""

from __future__ import annotations

import unicodedata
from typing import Any

_YES = frozenset({"y", "yes", "on", "true", "1", "はい"})
_NO = frozenset({"n", "no", "off", "false", "0", "いいえ"})


def answer_for_input(element: dict[str, Any], line: str) -> str | None:
    """The value a typed `line` gives an `Input.*` field, as Teams would submit it; None if not allowed."""
    text = unicodedata.normalize("NFKC", line).strip()
    default = element.get("value")
    kind = element.get("type")
    if kind == "Input.Toggle":
        on, off = str(element.get("valueOn", "true")), str(element.get("valueOff", "false"))
        if not text:
            return str(default) if default is not None else off
        return on if text.lower() in _YES else off if text.lower() in _NO else None
    if kind == "Input.ChoiceSet":
        if not text:
            return str(default or "")
        choices = [str(choice.get("value")) for choice in element.get("choices") or []]
        titles = {
            str(choice.get("title")): str(choice.get("value")) for choice in element.get("choices") or []
        }
        picked = []
        for part in text.split(",") if element.get("isMultiSelect") else [text]:
            part = part.strip()
            if part.isdigit() and 1 <= int(part) <= len(choices):
                picked.append(choices[int(part) - 1])
            elif part in choices or part in titles:
                picked.append(titles.get(part, part))
            else:
                return None
        return ",".join(picked)
    return line.strip() if line.strip() else str(default or "")
