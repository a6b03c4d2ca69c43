"""What a knowledge-base edit changes for askers: the same questions asked of the old and the new
version, and every question whose decision or entries differ, grouped by how much it matters."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from knowledge.analyzer import written_in_english
from knowledge.jsonlines import objects
from knowledge.languages import LANGUAGES
from knowledge.matcher import Decision, DecisionKind, Matcher
from knowledge.model import KnowledgeBase
from knowledge.semantic import Embedder, query_text

# How many entries a "did you mean" offers (dialogs/asker.py CHOICES; knowledge/ imports nothing of
# the bot's): a change below them is not seen by anyone.
CHOICES = 3

Group = Literal["answer-changed", "answer-lost", "newly-answered", "choices-changed"]
# Most dangerous first: an answered question now answered by another entry is a wrong answer given
# with confidence, which nobody reports.
GROUPS: tuple[Group, ...] = ("answer-changed", "answer-lost", "newly-answered", "choices-changed")
_BATCH = 64  # questions embedded at once
_CHUNK = 1024  # questions whose vectors are held at once (1.5 kB each)


@dataclass(frozen=True, slots=True)
class Question:
    query: str
    lang: str  # the language the bot matches in: English when the question is written in it


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the asker sees: the entry answered, the choices offered, or nothing (escalated)."""

    kind: DecisionKind
    entries: tuple[str, ...]

    @classmethod
    def of(cls, decision: Decision) -> Outcome:
        if decision.kind == "escalate":
            return cls("escalate", ())  # the asker is offered ICT staff, not the hits
        shown = 1 if decision.kind == "answer" else CHOICES
        return cls(decision.kind, tuple(hit.entry.id for hit in decision.hits[:shown]))

    def as_json(self) -> dict[str, object]:
        return {"decision": self.kind, "entries": list(self.entries)}


@dataclass(frozen=True, slots=True)
class Change:
    group: Group
    question: Question
    old: Outcome
    new: Outcome

    def as_json(self) -> dict[str, object]:
        return {
            "group": self.group,
            "query": self.question.query,
            "lang": self.question.lang,
            "old": self.old.as_json(),
            "new": self.new.as_json(),
        }


class BadQuestionLine(ValueError):
    """Line `number` of a questions file is not a JSON object with a "query" text."""

    def __init__(self, number: int) -> None:
        super().__init__(f"line {number}")
        self.number = number


def matching_lang(query: str, lang: str | None) -> str:
    """The language the bot matches a question in (dialogs.asker.AskerFlow.reply_language)."""
    return "en" if written_in_english(query) else (lang or "ja")


def read_questions(lines: Iterable[str]) -> list[Question]:
    """Questions from JSON lines with a "query" and an optional "lang" ("ja" or "en"); other keys
    (the test questions' "expected") are ignored. Raises BadQuestionLine."""
    questions = []
    for number, record in objects(lines):
        if (
            record is None
            or not isinstance(record.get("query"), str)
            or record.get("lang") not in (None, *LANGUAGES)
        ):
            raise BadQuestionLine(number)
        questions.append(Question(record["query"], matching_lang(record["query"], record.get("lang"))))
    return questions


def wordings(kb: KnowledgeBase) -> list[Question]:
    """Every question and alternate of the knowledge base, in its entry's language: an edit that
    takes another entry's wording changes what these get."""
    return [Question(text, entry.lang) for entry in kb.entries for text in entry.questions]


def classify(old: Outcome, new: Outcome) -> Group | None:
    if old == new:
        return None
    if old.kind == "answer":
        return "answer-changed" if new.kind == "answer" else "answer-lost"
    return "newly-answered" if new.kind == "answer" else "choices-changed"


def compare(
    old: Matcher, new: Matcher, questions: Sequence[Question], vectors: QuestionVectors | None = None
) -> list[Change]:
    """The changes, each question once, in GROUPS order and then in the questions' order.
    `vectors`: the embedder both matchers were built with, to embed the questions ahead in batches."""
    changes = []
    unique = list(dict.fromkeys(questions))
    for start in range(0, len(unique), _CHUNK):
        chunk = unique[start : start + _CHUNK]
        if vectors is not None:
            limit = old.settings.max_query_chars
            vectors.prepare([query_text(question.query[:limit]) for question in chunk])
        for question in chunk:
            # Asked as the bot asks (its default number of hits), so that the decision is the bot's.
            before = Outcome.of(old.ask(question.query, lang=question.lang))
            after = Outcome.of(new.ask(question.query, lang=question.lang))
            if (group := classify(before, after)) is not None:
                changes.append(Change(group, question, before, after))
    return sorted(changes, key=lambda change: GROUPS.index(change.group))


class QuestionVectors:
    """An embedder that computes the vectors of the questions about to be asked ahead, in batches
    (about twice as fast as one by one, and the same vectors), once for both versions: embedding
    is most of the time of a question."""

    def __init__(self, embedder: Embedder) -> None:
        self._embedder = embedder
        self._ready: dict[str, np.ndarray] = {}

    @property
    def name(self) -> str:
        return self._embedder.name

    def prepare(self, texts: Sequence[str]) -> None:
        """Embed `texts` (what the model reads of each question: semantic.query_text), forgetting
        the questions prepared before."""
        unique = list(dict.fromkeys(texts))
        self._ready = {}
        for start in range(0, len(unique), _BATCH):
            batch = unique[start : start + _BATCH]
            self._ready.update(zip(batch, self._embedder.embed(batch, query=True), strict=True))

    def embed(self, texts: Sequence[str], *, query: bool) -> np.ndarray:
        if query and texts and all(text in self._ready for text in texts):
            return np.stack([self._ready[text] for text in texts])
        return self._embedder.embed(texts, query=query)
