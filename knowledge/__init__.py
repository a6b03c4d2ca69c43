"""Kotae's knowledge base: YAML FAQ files, a Japanese-aware matcher and hot reload.

kb = load(Path("knowledge/faq"))
matcher = Matcher(kb, MatchSettings())
decision = matcher.ask("wifiつながんない", lang="ja")
decision.kind, decision.best.entry.id, decision.best.score

The names below are imported on first use, so that a light module (`knowledge.languages`,
`knowledge.normalize`) can be imported by the settings or the manifest build without loading the
matcher's libraries.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from knowledge.analyzer import written_in_english
    from knowledge.live import LiveKnowledge
    from knowledge.loader import load
    from knowledge.matcher import Decision, Hit, Matcher, MatchSettings
    from knowledge.model import Entry, KnowledgeBase, KnowledgeError, Link, Problem
    from knowledge.snapshot import Snapshots

_MODULE_OF = {
    "Decision": "knowledge.matcher",
    "Entry": "knowledge.model",
    "Hit": "knowledge.matcher",
    "KnowledgeBase": "knowledge.model",
    "KnowledgeError": "knowledge.model",
    "Link": "knowledge.model",
    "LiveKnowledge": "knowledge.live",
    "MatchSettings": "knowledge.matcher",
    "Matcher": "knowledge.matcher",
    "Problem": "knowledge.model",
    "Snapshots": "knowledge.snapshot",
    "load": "knowledge.loader",
    "written_in_english": "knowledge.analyzer",
}

__all__ = [
    "Decision",
    "Entry",
    "Hit",
    "KnowledgeBase",
    "KnowledgeError",
    "Link",
    "LiveKnowledge",
    "MatchSettings",
    "Matcher",
    "Problem",
    "Snapshots",
    "load",
    "written_in_english",
]


def __getattr__(name: str) -> Any:
    if name not in _MODULE_OF:
        raise AttributeError(f"module 'knowledge' has no attribute {name!r}")
    return getattr(importlib.import_module(_MODULE_OF[name]), name)
