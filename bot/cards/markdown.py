r"""Text for Teams' Markdown: paths that keep their backslashes, user text that stays plain, size limits.

Teams renders a CommonMark subset in TextBlocks, where `\\` is an escape for one backslash: a UNC
path such as `\\fileserver\share` would lose a backslash. Teams also refuses messages over about
28 KB, counted in UTF-16, so long answers are cut to fit (`fit`). (Someone's own words are shown
as `TextRun`s, which are never Markdown: `bot.cards.ticket.plain_text`.)
"""

from __future__ import annotations

import json

__all__ = ["MESSAGE_LIMIT", "fit", "teams_markdown", "utf16_size"]

# Teams' limit for one message, in bytes of UTF-16; the card must stay under it with its envelope.
MESSAGE_LIMIT = 28 * 1024


def teams_markdown(text: str) -> str:
    """FAQ Markdown as Teams should show it: every backslash literal (FAQ editors write paths as-is)."""
    return text.replace("\\", "\\\\")


def utf16_size(value: object) -> int:
    """Bytes of `value` serialised as JSON, counted in UTF-16 as Teams counts a message."""
    return len(json.dumps(value, ensure_ascii=False).encode("utf-16-le"))


def fit(text: str, start: int, budget: int) -> int:
    """The end of the longest part of `text` from `start` whose JSON fits `budget` UTF-16 bytes.

    The part ends at a paragraph break when one is in the second half of what fits, else at a line
    break, else where the budget runs out. Always makes progress (at least one character).
    """
    if utf16_size(text[start:]) <= budget:
        return len(text)
    low, high = start + 1, len(text)
    while low < high:  # the furthest end that fits
        middle = (low + high + 1) // 2
        if utf16_size(text[start:middle]) <= budget:
            low = middle
        else:
            high = middle - 1
    end = low
    half = start + (end - start) // 2
    for separator in ("\n\n", "\n"):
        cut = text.rfind(separator, half, end)
        if cut > start:
            return cut + len(separator)
    return end
