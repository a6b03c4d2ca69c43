"""Kotae's knowledge base: YAML FAQ files, a Japanese-aware matcher and hot reload.

kb = load(Path("knowledge/faq"))
matcher = Matcher(kb, MatchSettings())
decision = matcher.ask("wifiつながんない", lang="ja")
decision.kind, decision.best.entry.id, decision.best.score
"""

from knowledge.analyzer import written_in_english
from knowledge.live import LiveKnowledge
from knowledge.loader import load
from knowledge.matcher import Decision, Hit, Matcher, MatchSettings
from knowledge.model import Entry, KnowledgeBase, KnowledgeError, Link, Problem
from knowledge.snapshot import Snapshots

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
