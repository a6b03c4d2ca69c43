"""Validation of cards against the Adaptive Card 1.5 schema, with Teams' known quirks handled.

The schema rejects Teams' root `msteams` property (full width, mentions), so a copy without it is
validated; `version` is not constrained by the schema, so it is checked here (Teams renders ≤ 1.5).
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft6Validator
from jsonschema.exceptions import best_match

CARD_SCHEMA_FILE = "adaptive-card-1.5.schema.json"


@cache
def _validator(schemas_dir: Path) -> Draft6Validator:
    schema = json.loads((schemas_dir / CARD_SCHEMA_FILE).read_text(encoding="utf-8"))
    return Draft6Validator(schema)


def card_errors(card: dict[str, Any], schemas_dir: Path) -> list[str]:
    """Every reason `card` is not a valid Adaptive Card 1.5 for Teams; empty when it is."""
    problems: list[str] = []
    if card.get("version") not in {"1.0", "1.1", "1.2", "1.3", "1.4", "1.5"}:
        problems.append(f"version {card.get('version')!r} is not one Teams renders (≤ 1.5)")
    checked = copy.deepcopy(card)
    checked.pop("msteams", None)
    for error in _validator(schemas_dir).iter_errors(checked):
        detail = best_match(error.context) if error.context else error
        problems.append(f"{'/'.join(map(str, detail.absolute_path))}: {detail.message}")
    return problems


def assert_valid_card(card: dict[str, Any], schemas_dir: Path) -> None:
    problems = card_errors(card, schemas_dir)
    assert not problems, "invalid Adaptive Card:\n" + "\n".join(problems)
