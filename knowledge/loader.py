"""YAML folder -> validated entries, with every problem located at file:line:col."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from knowledge.checks import markdown_problems, near_duplicates
from knowledge.languages import Lang, is_lang
from knowledge.messages import expected_type, render, words, yaml_problem_ja
from knowledge.model import Entry, FileReading, KnowledgeBase, KnowledgeError, Link, Problem, Severity
from knowledge.normalize import normalize_entry_text

SYNONYMS_FILE = "synonyms.yaml"
FILE_KEYS = ("category", "entries", "lang")
ENTRY_KEYS = (
    "alternates",
    "answer",
    "id",
    "keywords",
    "lang",
    "links",
    "owner",
    "question",
    "review_by",
    "tags",
    "updated",
)
LINK_KEYS = ("title", "url")
# Problems kept of each severity, per file and per folder: a file with 50,000 faulty aliases must
# not make 100,000 messages (in memory, in the log and in /readyz).
MAX_PROBLEMS = 200
_ID = re.compile(r"[a-z0-9][a-z0-9-]*\Z")
_URL = re.compile(r"(https?://[^\s/?#]+[^\s]*|file://\S+|\\\\[^\\\s]+\\\S+)\Z", re.IGNORECASE)
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_NULL_TAG = "tag:yaml.org,2002:null"
# libyaml's parser keeps the same line/column marks and is about ten times faster.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Report:
    """Everything found in a folder: the entries that could be read, synonyms and all problems."""

    directory: str
    entries: tuple[Entry, ...]
    synonyms: tuple[tuple[str, ...], ...]
    problems: tuple[Problem, ...]
    files: dict[str, FileReading]

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "error")

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "warning")


def load(
    directory: Path | str, *, today: date | None = None, earlier: KnowledgeBase | None = None
) -> KnowledgeBase:
    """Load a knowledge-base folder; raise KnowledgeError listing every error when invalid.

    `earlier`: the knowledge base this one replaces; its files whose bytes are unchanged are not
    parsed again (checks across files, such as duplicate ids, always run on all of them).
    """
    # Readings are known by their paths, which mean the same only below the same folder.
    same_folder = earlier is not None and earlier.directory == str(Path(directory))
    report = inspect(directory, today=today, earlier=earlier.files if earlier and same_folder else None)
    if report.errors:
        raise KnowledgeError(report.errors)
    return KnowledgeBase(
        directory=report.directory,
        entries=report.entries,
        synonyms=report.synonyms,
        warnings=report.warnings,
        files=report.files,
    )


def inspect(
    directory: Path | str, *, today: date | None = None, earlier: Mapping[str, FileReading] | None = None
) -> Report:
    """Read and check a folder without raising: the validator's view of it."""
    root = Path(directory)
    today = today or date.today()
    problems: list[Problem] = []
    entries: list[Entry] = []
    synonyms: tuple[tuple[str, ...], ...] = ()
    files: dict[str, FileReading] = {}
    if not root.is_dir():
        problems.append(_problem(str(root), 1, 1, "error", "no-directory", directory=root))
        return Report(str(root), (), (), tuple(problems), files)
    for path in _knowledge_files(root):
        label = str(path)
        if (target := _outside(root, path)) is not None:
            refused = _problem(label, 1, 1, "error", "symlink-outside", target=target)
            reading = FileReading(_IGNORED, today, (), (), (refused,))
        elif path.suffix == ".yml":  # not read; listed so that its coming and going counts as a change
            warning = _problem(label, 1, 1, "warning", "ignored-file")
            reading = FileReading(_IGNORED, today, (), (), (warning,))
        else:
            raw = path.read_bytes()
            digest = _digest(raw)
            kept = (earlier or {}).get(label)
            if kept is not None and _still_valid(kept, digest, today):
                reading = kept
            else:
                is_synonyms = path.parent == root and path.name == SYNONYMS_FILE
                reading = _read_file(label, raw, digest, today, is_synonyms)
        files[label] = reading
        entries.extend(reading.entries)
        synonyms = reading.synonyms or synonyms
        problems.extend(reading.problems)
    problems.extend(_duplicates(entries))
    if not entries and not any(p.severity == "error" for p in problems):
        problems.append(_problem(str(root), 1, 1, "error", "no-entries"))
    for entry, other, similarity in near_duplicates(entries):
        problems.append(
            _problem(
                entry.source_path,
                entry.source_line,
                1,
                "warning",
                "near-duplicate-question",
                value=entry.question,
                other_value=other.question,
                similarity=similarity,
                other=f"{other.source_path}:{other.source_line} ({other.id})",
            )
        )
    return Report(str(root), tuple(entries), synonyms, capped(problems, str(root)), files)


def _read_file(label: str, raw: bytes, digest: bytes, today: date, is_synonyms: bool) -> FileReading:
    node, problems = _read_yaml(label, raw)
    if node is None:
        return FileReading(digest, today, (), (), tuple(problems))
    reader = _Reader(label, today)
    entries = () if is_synonyms else tuple(reader.file(node))
    synonyms = reader.synonyms(node) if is_synonyms else ()
    return FileReading(digest, today, entries, synonyms, capped([*problems, *reader.problems], label))


def capped(problems: list[Problem], where: str) -> tuple[Problem, ...]:
    """The first MAX_PROBLEMS errors and warnings, and for each severity with more a line saying
    how many more (an error when errors were left out, so that the folder stays invalid). The
    lines a file's own cap added are kept and not counted."""
    kept: list[Problem] = []
    seen = {"error": 0, "warning": 0}
    for problem in problems:
        if problem.code == "more-problems":
            kept.append(problem)
            continue
        seen[problem.severity] += 1
        if seen[problem.severity] <= MAX_PROBLEMS:
            kept.append(problem)
    left_out = {severity: count - MAX_PROBLEMS for severity, count in seen.items() if count > MAX_PROBLEMS}
    for severity, count in left_out.items():
        kept.append(
            _problem(
                where,
                1,
                1,
                severity,  # type: ignore[arg-type]
                "more-problems",
                count=count,
                limit=MAX_PROBLEMS,
                severity_ja="エラー" if severity == "error" else "警告",
                severity_en=severity,
                count_s="" if count == 1 else "s",
            )
        )
    return tuple(kept)


def folder_digest(directory: Path | str) -> bytes:
    """The names, times, sizes and bytes of every knowledge file: two reads that agree mean nobody
    wrote in between (a reload waits for that before it serves what it read)."""
    digest = hashlib.blake2b(digest_size=16)
    root = Path(directory)
    for path in _knowledge_files(root) if root.is_dir() else ():
        try:
            status = path.stat()
            digest.update(
                f"{path}\0{status.st_mtime_ns}\0{status.st_size}\0".encode(errors="surrogateescape")
            )
            digest.update(_file_digest(path))
        except OSError:  # gone while we looked: a change as any other
            digest.update(f"{path}\0gone".encode(errors="surrogateescape"))
    return digest.digest()


def _outside(root: Path, path: Path) -> str | None:
    """Where a file below `root` really is, when a symbolic link takes it outside the folder."""
    target = path.resolve()
    return None if target.is_relative_to(root.resolve()) else str(target)


def is_unchanged(kb: KnowledgeBase, directory: Path | str, today: date | None = None) -> bool:
    """Whether load(directory, today=today) would give `kb` again: the same files with the same
    bytes, and no review date passed between the day `kb` was read and `today`."""
    today = today or date.today()
    if not kb.files or kb.directory != str(Path(directory)):
        return False  # not read from this folder by load()
    try:
        paths = list(_knowledge_files(Path(directory)))
        if [str(path) for path in paths] != list(kb.files):
            return False
        return all(_still_valid(kb.files[str(path)], _file_digest(path), today) for path in paths)
    except OSError:  # a file went away while we looked
        return False


_IGNORED = b""  # the digest of a .yml file: only whether it is there counts


def _digest(raw: bytes) -> bytes:
    return hashlib.blake2b(raw, digest_size=16).digest()


def _file_digest(path: Path) -> bytes:
    return _IGNORED if path.suffix == ".yml" else _digest(path.read_bytes())


def _still_valid(reading: FileReading, digest: bytes, today: date) -> bool:
    """Whether a file read on reading.today, now holding bytes with `digest`, reads the same today:
    the same bytes, and the same entries past their review date."""
    if reading.digest != digest:
        return False
    first, last = sorted((reading.today, today))
    return not any(entry.review_by and first <= entry.review_by < last for entry in reading.entries)


def _knowledge_files(root: Path) -> Iterator[Path]:
    for path in sorted(root.rglob("*")):
        hidden = any(part.startswith(".") for part in path.relative_to(root).parts)
        if path.is_file() and not hidden and path.suffix in (".yaml", ".yml"):
            yield path


def _problem(path: str, line: int, col: int, severity: Severity, code: str, **values: object) -> Problem:
    ja, en = render(code, **values)
    return Problem(path, line, col, severity, code, ja, en)


def _decode(label: str, raw: bytes) -> tuple[str | None, list[Problem]]:
    """UTF-8 (a BOM is fine); Shift_JIS and other bytes get a message saying what to do."""
    try:
        return raw.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
    try:
        raw.decode("cp932")
        code = "encoding-shift-jis"
    except UnicodeDecodeError:
        code = "encoding-invalid"
    return None, [_problem(label, line, col, "error", code)]


# A tab or full-width space in the leading blanks of a line (any line break str.splitlines knows).
_SUSPECT_INDENT = re.compile(
    "(?:^|[\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029])[ \t\u3000]*[\t\u3000]", re.MULTILINE
)


def _indentation_problems(label: str, text: str) -> list[Problem]:
    if not _SUSPECT_INDENT.search(text):  # one regex pass instead of a Python loop over lines
        return []
    problems = []
    for number, line in enumerate(text.splitlines(), start=1):
        indent = line[: len(line) - len(line.lstrip(" \t\u3000"))]
        for code, char in (("indent-fullwidth-space", "\u3000"), ("indent-tab", "\t")):
            if char in indent:
                problems.append(_problem(label, number, indent.index(char) + 1, "error", code))
    return problems


def _read_yaml(label: str, raw: bytes) -> tuple[yaml.Node | None, list[Problem]]:
    text, problems = _decode(label, raw)
    if text is None:
        return None, problems
    problems = _indentation_problems(label, text)
    if problems:
        return None, problems
    loader = _YAML_LOADER(text)
    try:
        return loader.get_single_node(), []
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        parts = [part for part in (exc.context, exc.problem) if part]
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        detail_ja = "、".join(yaml_problem_ja(part) for part in parts)
        detail_en = " ".join(parts)
        return None, [
            _problem(label, line, col, "error", "yaml-syntax", detail_ja=detail_ja, detail_en=detail_en)
        ]
    finally:
        loader.dispose()


def _both(name: str, word: str) -> dict[str, str]:
    """`word` in both languages, as the placeholders `{name}_ja` and `{name}_en`."""
    ja, en = words(word)
    return {f"{name}_ja": ja, f"{name}_en": en}


def _kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "mapping"
    if isinstance(node, yaml.SequenceNode):
        return "list"
    return "null" if node.tag == _NULL_TAG else "'" + str(node.value)[:40] + "'"


class _Reader:
    """Turns the nodes of one file into entries, collecting problems instead of stopping."""

    def __init__(self, label: str, today: date) -> None:
        self.label = label
        self.today = today
        self.problems: list[Problem] = []

    def _add(self, node: yaml.Node, code: str, severity: Severity = "error", /, **values: object) -> None:
        mark = node.start_mark
        self.problems.append(_problem(self.label, mark.line + 1, mark.column + 1, severity, code, **values))

    def _mapping(
        self, node: yaml.Node, what: str, allowed: tuple[str, ...]
    ) -> dict[str, tuple[yaml.Node, yaml.Node]] | None:
        if not isinstance(node, yaml.MappingNode):
            self._add(node, "not-mapping", **_both("what", what))
            return None
        fields: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in fields:
                first = fields[key][0].start_mark.line + 1
                self._add(key_node, "duplicate-key", key=key, first_line=first)
            elif key not in allowed:
                self._add(key_node, "unknown-key", key=key, allowed=", ".join(allowed))
            else:
                fields[key] = (key_node, value_node)
        return fields

    def _wrong_type(self, node: yaml.Node, field: str, expected: str) -> None:
        ja, en = expected_type(expected)
        self._add(
            node, "wrong-type", field=field, expected_ja=ja, expected_en=en, **_both("actual", _kind(node))
        )

    def _text(self, node: yaml.Node, field: str) -> str | None:
        if isinstance(node, yaml.ScalarNode) and node.tag != _NULL_TAG:
            return str(node.value)
        self._wrong_type(node, field, "str")
        return None

    def _texts(self, node: yaml.Node, field: str) -> tuple[str, ...]:
        if not isinstance(node, yaml.SequenceNode):
            self._wrong_type(node, field, "list[str]")
            return ()
        texts = (self._text(item, field) for item in node.value)
        return tuple(text for text in texts if text is not None)

    def _date(self, node: yaml.Node, field: str) -> date | None:
        if isinstance(node, yaml.ScalarNode) and node.tag == _TIMESTAMP_TAG:
            loader = yaml.SafeLoader("")
            try:
                value = loader.construct_object(node)
            except (ValueError, yaml.constructor.ConstructorError):
                value = None
            finally:
                loader.dispose()
            if isinstance(value, date):
                return value.date() if isinstance(value, datetime) else value
        self._add(node, "invalid-date", field=field, value=getattr(node, "value", _kind(node)))
        return None

    def _lang(self, node: yaml.Node) -> Lang | None:
        value = self._text(node, "lang")
        if is_lang(value):
            return value
        if value is not None:
            self._add(node, "invalid-lang", value=value)
        return None

    def _links(self, node: yaml.Node) -> tuple[Link, ...]:
        if not isinstance(node, yaml.SequenceNode):
            self._wrong_type(node, "links", "list[link]")
            return ()
        links = []
        for item in node.value:
            fields = self._mapping(item, "links", LINK_KEYS)
            if fields is None:
                continue
            values = {}
            for key in LINK_KEYS:
                if key not in fields:
                    self._add(item, "missing-field", field=f"links.{key}")
                    continue
                values[key] = self._text(fields[key][1], f"links.{key}")
            url = values.get("url")
            if url is not None and not _URL.match(url.strip()):
                self._add(fields["url"][1], "invalid-url", value=url)
            elif (title := values.get("title")) and url:
                links.append(Link(title=title, url=url.strip()))
        return tuple(links)

    def _markdown(self, node: yaml.Node, answer: str) -> None:
        # A block scalar (| or >) starts on the line after its indicator.
        first_line = (
            node.start_mark.line
            + 1
            + (1 if isinstance(node, yaml.ScalarNode) and node.style in ("|", ">") else 0)
        )
        for offset, code in markdown_problems(answer):
            line = first_line + offset
            col = node.start_mark.column + 1 if line == node.start_mark.line + 1 else 1
            self.problems.append(_problem(self.label, line, col, "warning", code))

    def synonyms(self, node: yaml.Node) -> tuple[tuple[str, ...], ...]:
        if not isinstance(node, yaml.SequenceNode):
            self._add(node, "not-list", **_both("what", SYNONYMS_FILE))
            return ()
        groups = []
        for item in node.value:
            terms = self._texts(item, "synonyms") if isinstance(item, yaml.SequenceNode) else ()
            if len(terms) < 2:
                self._add(item, "synonym-group")
            else:
                groups.append(terms)
        return tuple(groups)

    def file(self, node: yaml.Node) -> list[Entry]:
        if node.tag == _NULL_TAG:
            return []  # an empty file holds no entries; not worth an error
        fields = self._mapping(node, "file", FILE_KEYS)
        if fields is None:
            return []
        category = self._text(fields["category"][1], "category") if "category" in fields else None
        lang = self._lang(fields["lang"][1]) if "lang" in fields else None
        if "entries" not in fields:
            self._add(node, "missing-field", field="entries")
            return []
        entries_node = fields["entries"][1]
        if not isinstance(entries_node, yaml.SequenceNode):
            self._add(entries_node, "not-list", **_both("what", "entries"))
            return []
        entries = (self.entry(item, category, lang or "ja") for item in entries_node.value)
        return [entry for entry in entries if entry is not None]

    def entry(self, node: yaml.Node, category: str | None, default_lang: Lang) -> Entry | None:
        fields = self._mapping(node, "entry", ENTRY_KEYS)
        if fields is None:
            return None
        before = len(self.problems)
        values: dict[str, Any] = {}
        for key in ("id", "question", "answer"):
            if key not in fields:
                self._add(node, "missing-field", field=key)
        for key, (_, value_node) in fields.items():
            values[key] = self._field(key, value_node)
        if any(p.severity == "error" for p in self.problems[before:]):
            return None
        return Entry(
            id=values["id"],
            question=values["question"].strip(),
            answer=values["answer"].strip(),
            alternates=tuple(a.strip() for a in values.get("alternates", ()) if a.strip()),
            keywords=tuple(k.strip() for k in values.get("keywords", ()) if k.strip()),
            lang=values.get("lang") or default_lang,
            tags=values.get("tags", ()),
            links=values.get("links", ()),
            owner=values.get("owner"),
            updated=values.get("updated"),
            review_by=values.get("review_by"),
            category=category,
            source_path=self.label,
            source_line=node.start_mark.line + 1,
            id_line=fields["id"][1].start_mark.line + 1,
            id_col=fields["id"][1].start_mark.column + 1,
        )

    def _field(self, key: str, node: yaml.Node) -> Any:
        if key in ("alternates", "keywords", "tags"):
            return self._texts(node, key)
        if key == "links":
            return self._links(node)
        if key in ("updated", "review_by"):
            day = self._date(node, key)
            if key == "review_by" and day is not None and day < self.today:
                self._add(node, "review-overdue", "warning", value=day.isoformat())
            return day
        if key == "lang":
            return self._lang(node)
        value = self._text(node, key)
        if value is None:
            return None
        if key in ("question", "answer") and not value.strip():
            self._add(node, "empty-text", field=key)
        elif key == "answer":
            self._markdown(node, value)
        elif key == "id" and not _ID.match(value):
            self._add(node, "invalid-id", value=value)
        return value


def _duplicates(entries: list[Entry]) -> list[Problem]:
    """Ids used twice, and the same question (after folding) in two entries."""
    problems = []
    ids: dict[str, Entry] = {}
    questions: dict[str, Entry] = {}
    for entry in entries:
        first = ids.setdefault(entry.id, entry)
        if first is not entry:
            other = f"{first.source_path}:{first.source_line}"
            problems.append(
                _problem(
                    entry.source_path,
                    entry.id_line,
                    entry.id_col,
                    "error",
                    "duplicate-id",
                    value=entry.id,
                    other=other,
                )
            )
        for key, question in {normalize_entry_text(q): q for q in entry.questions}.items():
            first = questions.setdefault(key, entry)
            if first is not entry and key:
                other = f"{first.source_path}:{first.source_line} ({first.id})"
                problems.append(
                    _problem(
                        entry.source_path,
                        entry.source_line,
                        1,
                        "error",
                        "duplicate-question",
                        value=question,
                        other=other,
                    )
                )
    return problems
