"""Suggested alternates (what askers picked after "did you mean" or chose after "not helpful") reviewed
against the knowledge base and written into the entries' YAML files.

The files are edited through a round-trip YAML library, so that comments, order, quoting and layout
stay as the editors wrote them and the change is a small diff to review: the new alternates only.
"""

from __future__ import annotations

import codecs
import io
import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.tokens import CommentToken
from ruamel.yaml.util import load_yaml_guess_indent

from knowledge.jsonlines import objects
from knowledge.model import Entry, KnowledgeBase
from knowledge.normalize import normalize, normalize_entry_text

Verdict = Literal["add", "has-it", "other-has-it", "unknown-entry", "no-words"]


@dataclass(frozen=True, slots=True)
class Suggestion:
    entry: str
    alternate: str
    count: int = 1


@dataclass(frozen=True, slots=True)
class Review:
    suggestion: Suggestion
    verdict: Verdict
    entry: Entry | None = None  # the entry suggested for, when the knowledge base has it
    holder: str | None = None  # the entry that already has the wording ("other-has-it")


class BadSuggestionLine(ValueError):
    """Line `number` is not {"entry": "<id>", "alternate": "<text>", "count": N}."""

    def __init__(self, number: int) -> None:
        super().__init__(f"line {number}")
        self.number = number


class NotRoundTrip(Exception):
    """The file has a layout the YAML library would not write back as it is: it is left alone."""


def read_suggestions(lines: Iterable[str]) -> list[Suggestion]:
    """JSON lines {"entry": "<id>", "alternate": "<text>", "count": N} ("count" optional, >= 1).
    Raises BadSuggestionLine."""
    suggestions = []
    for number, record in objects(lines):
        count = record.get("count", 1) if record is not None else None
        if (
            record is None
            or not isinstance(record.get("entry"), str)
            or not isinstance(record.get("alternate"), str)
            or not isinstance(count, int)
            or isinstance(count, bool)
            or count < 1
        ):
            raise BadSuggestionLine(number)
        suggestions.append(Suggestion(record["entry"], record["alternate"].strip(), count))
    return suggestions


def review(kb: KnowledgeBase, suggestions: Sequence[Suggestion]) -> list[Review]:
    """What to do with each suggestion, the most frequent first: add it, or skip it because an entry
    already has that wording (compared as the loader compares questions: normalised)."""
    holders = {normalize_entry_text(text): entry.id for entry in kb.entries for text in entry.questions}
    merged: dict[tuple[str, str], Suggestion] = {}
    for suggestion in suggestions:  # the same pick exported twice counts twice
        pair = (suggestion.entry, normalize(suggestion.alternate))
        if (seen := merged.get(pair)) is not None:
            suggestion = Suggestion(seen.entry, seen.alternate, seen.count + suggestion.count)
        merged[pair] = suggestion
    reviews = []
    for (entry_id, key), suggestion in sorted(merged.items(), key=lambda item: -item[1].count):
        holder, entry = holders.get(key), kb.get(entry_id)
        if entry is None:
            reviews.append(Review(suggestion, "unknown-entry"))
        elif not key:
            reviews.append(Review(suggestion, "no-words", entry))
        elif holder == entry_id:
            reviews.append(Review(suggestion, "has-it", entry))
        elif holder is not None:  # the loader refuses one wording in two entries
            reviews.append(Review(suggestion, "other-has-it", entry, holder))
        else:
            holders[key] = entry_id
            reviews.append(Review(suggestion, "add", entry))
    return reviews


def additions_by_file(reviews: Sequence[Review]) -> dict[str, dict[str, list[str]]]:
    """The alternates to add: file path -> entry id -> texts, in the order reviewed."""
    files: dict[str, dict[str, list[str]]] = {}
    for item in reviews:
        if item.verdict == "add" and (entry := item.entry) is not None:
            texts = files.setdefault(entry.source_path, {}).setdefault(entry.id, [])
            texts.append(item.suggestion.alternate)
    return files


def add_alternates(path: Path, additions: Mapping[str, Sequence[str]]) -> None:
    """Append `additions` (entry id -> texts) to the entries' alternates in the file at `path`, or
    give an entry without alternates the key, right after its question. The file keeps its
    encoding mark, line endings and everything else. Raises NotRoundTrip."""
    raw = path.read_bytes()
    bom = codecs.BOM_UTF8 if raw.startswith(codecs.BOM_UTF8) else b""
    newline = "\r\n" if b"\r\n" in raw else "\n"
    text = raw[len(bom) :].decode("utf-8").replace("\r\n", "\n")
    yaml = _round_trip_yaml(text)
    document = yaml.load(text)
    if _dump(yaml, document) != text:
        raise NotRoundTrip(str(path))
    for entry in document["entries"]:
        if isinstance(entry, CommentedMap) and entry.get("id") in additions:
            _add(entry, additions[entry["id"]])
    _replace(path, bom + _dump(yaml, document).replace("\n", newline).encode("utf-8"))


def _round_trip_yaml(text: str) -> YAML:
    """A round-trip YAML that indents lists as this file does and never folds a long line."""
    _, indent, offset = load_yaml_guess_indent(text)
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 1 << 20
    yaml.indent(mapping=2, sequence=indent or 2, offset=offset or 0)
    return yaml


def _dump(yaml: YAML, document: Any) -> str:
    buffer = io.StringIO()
    yaml.dump(document, buffer)
    return buffer.getvalue()


def _add(entry: CommentedMap, texts: Sequence[str]) -> None:
    alternates = entry.get("alternates")
    if alternates is None:
        entry.insert(list(entry).index("question") + 1, "alternates", CommentedSeq(texts))
        return
    # What follows the last alternate (blank lines, a comment above the next key) is attached to
    # it: it moves to the new last one, so the new lines go right below the list's last item.
    last = len(alternates) - 1
    trailing = alternates.ca.items.get(last)
    alternates.extend(texts)
    if trailing and isinstance(token := trailing[0], CommentToken):
        # The token is the rest of the item's line (its own comment, if any) and the lines below.
        own, _, following = token.value.partition("\n")
        if following:
            if own:
                token.value = own + "\n"
            else:
                del alternates.ca.items[last]
            moved = CommentToken("\n" + following, token.start_mark)
            alternates.ca.items[len(alternates) - 1] = [moved, None, None, None]


def _replace(path: Path, data: bytes) -> None:
    """Write beside the file and rename over it: an editor's file is never left half-written."""
    descriptor, partial = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
        os.chmod(partial, path.stat().st_mode & 0o7777)
        os.replace(partial, path)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
