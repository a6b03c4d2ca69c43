"""JSON Lines as the knowledge CLI reads them: test questions, past questions, suggested alternates."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any


def objects(lines: Iterable[str]) -> Iterator[tuple[int, dict[str, Any] | None]]:
    """(line number, the line's JSON object) for every line that is not blank; None for a line that is
    not a JSON object, so that the caller names the line in its own words."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError:
            value = None
        yield number, value if isinstance(value, dict) else None
