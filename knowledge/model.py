"""The entry type, problems found while loading, and the loaded knowledge base."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from knowledge.languages import Lang

Severity = Literal["error", "warning"]

_SEVERITY_LABEL = {
    ("error", "ja"): "エラー",
    ("error", "en"): "error",
    ("warning", "ja"): "警告",
    ("warning", "en"): "warning",
}


@dataclass(frozen=True, slots=True)
class Link:
    title: str
    url: str


@dataclass(frozen=True, slots=True)
class Entry:
    id: str
    question: str
    answer: str
    alternates: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    lang: Lang = "ja"
    tags: tuple[str, ...] = ()
    links: tuple[Link, ...] = ()
    owner: str | None = None
    updated: date | None = None
    review_by: date | None = None
    category: str | None = None
    source_path: str = ""
    source_line: int = 0
    # Where the id's value is, for problems about the id (a duplicate).
    id_line: int = 0
    id_col: int = 0

    @property
    def questions(self) -> tuple[str, ...]:
        """The question followed by its alternates: every phrasing an asker may use."""
        return (self.question, *self.alternates)


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding of the loader, located at a 1-based line and column of a file."""

    path: str
    line: int
    col: int
    severity: Severity
    code: str
    message_ja: str
    message_en: str

    def message(self, lang: Lang = "en") -> str:
        return self.message_ja if lang == "ja" else self.message_en

    def format(self, lang: Lang = "en") -> str:
        label = _SEVERITY_LABEL[(self.severity, "ja" if lang == "ja" else "en")]
        return f"{self.path}:{self.line}:{self.col}: {label}: {self.message(lang)}"


class KnowledgeError(Exception):
    """The knowledge base cannot be served; `problems` says where and why."""

    def __init__(self, problems: tuple[Problem, ...]) -> None:
        self.problems = problems
        summary = "; ".join(p.format("en") for p in problems[:3])
        more = f" (+{len(problems) - 3} more)" if len(problems) > 3 else ""
        super().__init__(f"invalid knowledge base: {summary}{more}")


@dataclass(frozen=True, slots=True)
class FileReading:
    """What one file held when it was read: a reload reads again only files whose bytes (or the
    date, which decides review-overdue warnings) changed."""

    digest: bytes
    today: date
    entries: tuple[Entry, ...]
    synonyms: tuple[tuple[str, ...], ...]
    problems: tuple[Problem, ...]


@dataclass(frozen=True)
class KnowledgeBase:
    """A validated set of entries, the editors' synonym groups and the warnings found."""

    directory: str
    entries: tuple[Entry, ...]
    synonyms: tuple[tuple[str, ...], ...] = ()
    warnings: tuple[Problem, ...] = ()
    # Each file's reading, by path: what load(…, earlier=this) need not read again.
    files: dict[str, FileReading] = field(default_factory=dict, repr=False, compare=False)
    _by_id: dict[str, Entry] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {entry.id: entry for entry in self.entries})

    def get(self, entry_id: str) -> Entry | None:
        return self._by_id.get(entry_id)

    def __len__(self) -> int:
        return len(self.entries)
