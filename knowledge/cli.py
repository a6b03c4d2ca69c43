"""`python -m knowledge validate | ask | eval | diff | suggest`: the editors' and tuners' command line."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from rapidfuzz import fuzz

from knowledge.checks import links_outside
from knowledge.diff import (
    GROUPS,
    BadQuestionLine,
    Change,
    Outcome,
    Question,
    QuestionVectors,
    compare,
    read_questions,
    wordings,
)
from knowledge.evaluation import Judged, summarize
from knowledge.jsonlines import objects
from knowledge.languages import LANGUAGES, Lang
from knowledge.loader import inspect, load
from knowledge.matcher import Decision, Matcher, MatchSettings
from knowledge.messages import locale_lang, messages, render
from knowledge.model import Entry, KnowledgeError, Problem
from knowledge.normalize import normalize
from knowledge.semantic import Embedder, load_embedder
from knowledge.snapshot import build
from knowledge.suggest import (
    BadSuggestionLine,
    NotRoundTrip,
    Review,
    add_alternates,
    additions_by_file,
    read_suggestions,
    review,
)

DEFAULT_KB = Path("knowledge/faq")
EVAL_DEPTH = 10  # ranks read for MRR
LEAK_SIMILARITY = 90  # a test query this close to an entry's wording measures recall, not matching

_HOST = re.compile(r"(?:(?!-)[a-z0-9-]{1,63}(?<!-)\.)*(?!-)[a-z0-9-]{1,63}(?<!-)")


class _Usage(Exception):
    """A usage error: exit code 2 with a message."""


def _say(key: str, lang: Lang, **values: object) -> str:
    return messages().text(f"cli.{key}", lang, **values)


def _plurals(counts: dict[str, int]) -> dict[str, str]:
    """The English endings of counted nouns: "1 error", "2 errors", "1 entry", "2 entries"."""
    endings = {f"{name}_s": "" if count == 1 else "s" for name, count in counts.items()}
    return endings | {f"{name}_y": "y" if count == 1 else "ies" for name, count in counts.items()}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m knowledge", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    validate = commands.add_parser("validate", help="check a knowledge-base folder")
    validate.add_argument("directory", nargs="?", type=Path, default=DEFAULT_KB)
    validate.add_argument(
        "--link-domains",
        metavar="DOMAINS",
        help="comma-separated host names (subdomains included) that answer links may open, "
        "e.g. city.example.lg.jp,intra.example.lg.jp; a link elsewhere is a warning",
    )
    ask = commands.add_parser("ask", help="show how the matcher answers a question")
    ask.add_argument("--kb", type=Path, default=DEFAULT_KB)
    ask.add_argument("--json", action="store_true", help="one JSON object per question")
    ask.add_argument("--top", type=int, default=5)
    ask.add_argument("--lang", choices=LANGUAGES, default="ja", help="the asker's language")
    _semantic_option(ask)
    source = ask.add_mutually_exclusive_group(required=True)
    source.add_argument("question", nargs="?")
    source.add_argument("--batch", type=Path, help="file with one question per line")
    evaluate = commands.add_parser("eval", help="measure the matcher on labelled questions")
    evaluate.add_argument("--kb", type=Path, default=DEFAULT_KB)
    evaluate.add_argument(
        "--cases",
        type=Path,
        required=True,
        help='JSON lines {"query": ..., "expected": [ids]}; [] = must escalate',
    )
    evaluate.add_argument(
        "--lang", choices=LANGUAGES, default="ja", help="the asker's language when a case has no 'lang'"
    )
    evaluate.add_argument("--json", action="store_true", help="print the metrics as JSON")
    _semantic_option(evaluate)
    diff = commands.add_parser(
        "diff",
        help="re-ask questions with two versions of a knowledge base and list what changes "
        "(exit 1 when an answered question would get another entry)",
    )
    diff.add_argument("old", type=Path, metavar="OLD_DIR", help="the knowledge base as it is live")
    diff.add_argument("new", type=Path, metavar="NEW_DIR", help="the edited knowledge base")
    diff.add_argument(
        "--questions",
        type=Path,
        metavar="FILE",
        help='JSON lines {"query": ..., "lang": "ja"|"en"} (test questions and the bot\'s export do); '
        "default: every question and alternate of OLD_DIR",
    )
    diff.add_argument("--json", action="store_true", help="print the changes as one JSON object")
    _semantic_option(diff)
    suggest = commands.add_parser(
        "suggest", help="review suggested alternates (the bot's export) and write them into the entries"
    )
    suggest.add_argument(
        "--from",
        dest="source",
        type=Path,
        required=True,
        metavar="FILE",
        help='JSON lines {"entry": "<id>", "alternate": "<text>", "count": N}',
    )
    suggest.add_argument("--apply", action="store_true", help="write the accepted alternates into the files")
    suggest.add_argument("--kb", type=Path, default=DEFAULT_KB)
    return parser


def _semantic_option(command: argparse.ArgumentParser) -> None:
    default = "off" if os.environ.get("KOTAE_SEMANTIC", "on").strip().lower() == "off" else "on"
    command.add_argument(
        "--semantic",
        choices=("on", "off"),
        default=default,
        help="rank with the sentence-embedding model too, as the bot does (default: on; KOTAE_SEMANTIC=off)",
    )


def main(
    argv: Sequence[str] | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None
) -> int:
    out, err = stdout or sys.stdout, stderr or sys.stderr
    lang = locale_lang(os.environ)
    args = _parser().parse_args(argv)
    try:
        return _run(args, lang, out, err)
    except BrokenPipeError:
        # The reader went away (`… | head`): stop quietly, as Unix tools do. Python would report the
        # pipe again when it flushes stdout at exit, so stdout is pointed at nothing first.
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), out.fileno())
        return 141  # 128 + SIGPIPE, what a shell reports for a tool killed by the closed pipe


def _run(args: argparse.Namespace, lang: Lang, out: TextIO, err: TextIO) -> int:
    try:
        if args.command == "validate":
            return _validate(args.directory, lang, out, _domains(args.link_domains, lang))
        if args.command == "diff":
            return _diff(args, lang, out, err)
        if args.command == "suggest":
            return _suggest(args, lang, out, err)
        matcher = build(args.kb, MatchSettings(), embedder=_embedder(args.semantic, lang, err))
        if args.command == "ask":
            return _ask(matcher, args, lang, out)
        return _eval(matcher, args, lang, out, err)
    except KnowledgeError as error:
        _print_problems(error.problems, lang, err)
        return 1
    except _Usage as error:
        print(error, file=err)
        return 2


def _print_problems(problems: Sequence[Problem], lang: Lang, stream: TextIO) -> None:
    for problem in problems:
        print(problem.format(lang), file=stream)


def _domains(value: str | None, lang: Lang) -> tuple[str, ...]:
    if value is None:
        return ()
    domains = tuple(domain.strip().lower().rstrip(".") for domain in value.split(",") if domain.strip())
    if not domains or not all(_HOST.fullmatch(domain) for domain in domains):
        raise _Usage(_say("bad-domains", lang, value=value))
    return domains


def _link_problems(entries: Sequence[Entry], domains: Sequence[str]) -> list[Problem]:
    """Warnings for answer links outside `domains`, at the line that holds the link."""
    problems = []
    lines: dict[str, list[str]] = {}
    for entry, url in links_outside(entries, domains):
        if entry.source_path not in lines:
            lines[entry.source_path] = Path(entry.source_path).read_text(encoding="utf-8").splitlines()
        text = lines[entry.source_path]
        line = next(
            (n for n in range(entry.source_line, len(text) + 1) if url in text[n - 1]), entry.source_line
        )
        ja, en = render("link-outside-domains", id=entry.id, url=url, domains=", ".join(domains))
        problems.append(Problem(entry.source_path, line, 1, "warning", "link-outside-domains", ja, en))
    return sorted(problems, key=lambda problem: (problem.path, problem.line))


def _validate(directory: Path, lang: Lang, out: TextIO, link_domains: Sequence[str] = ()) -> int:
    report = inspect(directory)
    problems = list(report.problems)
    if link_domains:
        problems += _link_problems(report.entries, link_domains)
    _print_problems(problems, lang, out)
    counts = {
        "entries": len(report.entries),
        "errors": len(report.errors),
        "warnings": len([problem for problem in problems if problem.severity == "warning"]),
    }
    summary = _say(
        "invalid" if report.errors else "valid", lang, path=directory, **counts, **_plurals(counts)
    )
    print(summary, file=out)
    return 1 if report.errors else 0


def _read_lines(path: Path, lang: Lang) -> list[str]:
    try:
        return path.read_text(encoding="utf-8-sig").splitlines()
    except (FileNotFoundError, IsADirectoryError) as error:
        raise _Usage(_say("no-file", lang, path=path)) from error


def _embedder(semantic: str, lang: Lang, err: TextIO) -> Embedder | None:
    """The semantic layer as the bot has it (on unless turned off), or None with a note why."""
    if semantic == "off":
        return None
    embedder, reason = load_embedder()
    if embedder is None:
        print(_say("lexical-only", lang, reason=reason), file=err)
    return embedder


def _timed_ask(matcher: Matcher, question: str, lang: Lang, top: int) -> tuple[Decision, float]:
    started = time.perf_counter()
    decision = matcher.ask(question, lang=lang, top=top)
    return decision, (time.perf_counter() - started) * 1000


def _as_json(decision: Decision, ms: float) -> dict[str, Any]:
    return {
        "query": decision.query,
        "decision": decision.kind,
        "results": [{"id": hit.entry.id, "score": round(hit.score, 4)} for hit in decision.hits],
        "ms": round(ms, 3),
    }


def _ask(matcher: Matcher, args: argparse.Namespace, lang: Lang, out: TextIO) -> int:
    if args.top < 1:
        raise _Usage(_say("top", lang))
    if args.batch is not None:
        questions = [line for line in _read_lines(args.batch, lang) if line.strip()]
    else:
        questions = [args.question]
    for question in questions:
        decision, ms = _timed_ask(matcher, question, args.lang, args.top)
        if args.json or args.batch is not None:
            print(json.dumps(_as_json(decision, ms), ensure_ascii=False), file=out)
            continue
        print(_say("decision", lang, kind=decision.kind), file=out)
        for rank, hit in enumerate(decision.hits, start=1):
            print(f"{rank}. {hit.score:.3f}  {hit.entry.id}  {hit.entry.question}", file=out)
    return 0


def _read_cases(path: Path, kb_ids: set[str], lang: Lang) -> list[tuple[int, dict[str, Any]]]:
    cases = []
    for number, case in objects(_read_lines(path, lang)):
        if (
            case is None
            or not isinstance(case.get("query"), str)
            or not isinstance(case.get("expected"), list)
        ):
            raise _Usage(_say("bad-case", lang, path=path, line=number, detail=_say("case-json", lang)))
        unknown = sorted(set(case["expected"]) - kb_ids)
        if unknown:
            raise _Usage(
                _say(
                    "bad-case",
                    lang,
                    path=path,
                    line=number,
                    detail=_say("case-id", lang, ids=", ".join(unknown)),
                )
            )
        cases.append((number, case))
    return cases


def _leaks(
    matcher: Matcher, path: Path, cases: list[tuple[int, dict[str, Any]]], lang: Lang, err: TextIO
) -> int:
    """Warn about test queries that copy an entry's wording: they would flatter the scores."""
    wordings = [(normalize(text), entry.id) for entry in matcher.kb.entries for text in entry.questions]
    leaks = 0
    for number, case in cases:
        key = normalize(case["query"])
        for wording, entry_id in wordings:
            similarity = fuzz.ratio(key, wording)
            if similarity >= LEAK_SIMILARITY:
                leaks += 1
                print(
                    _say("leak", lang, path=path, line=number, id=entry_id, similarity=round(similarity)),
                    file=err,
                )
                break
    return leaks


def evaluate(
    matcher: Matcher, cases: Sequence[dict[str, Any]], default_lang: Lang = "ja"
) -> dict[str, float | int]:
    """The figures of knowledge.evaluation.summarize() for the matcher on labelled questions."""
    judged = []
    for case in cases:
        decision = matcher.ask(case["query"], lang=case.get("lang", default_lang), top=EVAL_DEPTH)
        ranked = [hit.entry.id for hit in decision.hits]
        judged.append(Judged(decision.kind, ranked, frozenset(case["expected"])))
    return summarize(judged)


def _eval(matcher: Matcher, args: argparse.Namespace, lang: Lang, out: TextIO, err: TextIO) -> int:
    numbered = _read_cases(args.cases, {entry.id for entry in matcher.kb.entries}, lang)
    leaks = _leaks(matcher, args.cases, numbered, lang, err)
    metrics = evaluate(matcher, [case for _, case in numbered], args.lang) | {"leaks": leaks}
    if args.json:
        print(json.dumps(metrics), file=out)
    else:
        for name, value in metrics.items():
            shown = f"{value:.3f}" if isinstance(value, float) else str(value)
            print(f"{name:28} {shown}", file=out)
    return 0


def _questions(path: Path, lang: Lang) -> list[Question]:
    try:
        return read_questions(_read_lines(path, lang))
    except BadQuestionLine as error:
        detail = _say("questions-json", lang)
        raise _Usage(_say("bad-case", lang, path=path, line=error.number, detail=detail)) from error


def _diff(args: argparse.Namespace, lang: Lang, out: TextIO, err: TextIO) -> int:
    for directory in (args.old, args.new):
        if not directory.is_dir():
            raise _Usage(_say("no-folder", lang, path=directory))
    questions = _questions(args.questions, lang) if args.questions is not None else None
    embedder = _embedder(args.semantic, lang, err)
    shared = QuestionVectors(embedder) if embedder is not None else None
    old = build(args.old, MatchSettings(), embedder=shared)
    # Built on the old version, the new one analyses and embeds only the texts the edit changed.
    new = build(args.new, MatchSettings(), earlier=old, embedder=shared)
    asked = questions if questions is not None else wordings(old.kb)
    changes = compare(old, new, asked, shared)
    wrong = sum(change.group == "answer-changed" for change in changes)
    if args.json:
        counts = {group: sum(change.group == group for change in changes) for group in GROUPS}
        report = {"questions": len(set(asked)), "counts": counts, "changes": [c.as_json() for c in changes]}
        print(json.dumps(report, ensure_ascii=False), file=out)
    else:
        _print_changes(changes, lang, out)
        totals = {"questions": len(set(asked)), "count": wrong}
        print(_say("diff-summary", lang, changed=len(changes), **totals, **_plurals(totals)), file=out)
        if wrong:
            print(_say("diff-fails", lang, **totals, **_plurals(totals)), file=out)
    return 1 if wrong else 0


def _print_changes(changes: Sequence[Change], lang: Lang, out: TextIO) -> None:
    for group in GROUPS:
        listed = [change for change in changes if change.group == group]
        if not listed:
            continue
        print(_say(group, lang, count=len(listed)), file=out)
        for change in listed:
            old, new = _outcome(change.old, lang), _outcome(change.new, lang)
            print(_say("change", lang, query=change.question.query, old=old, new=new), file=out)


def _outcome(outcome: Outcome, lang: Lang) -> str:
    return _say(outcome.kind, lang, entries=", ".join(outcome.entries))


def _suggest(args: argparse.Namespace, lang: Lang, out: TextIO, err: TextIO) -> int:
    try:
        suggestions = read_suggestions(_read_lines(args.source, lang))
    except BadSuggestionLine as error:
        detail = _say("suggestion-json", lang)
        raise _Usage(_say("bad-case", lang, path=args.source, line=error.number, detail=detail)) from error
    if not args.kb.is_dir():
        raise _Usage(_say("no-folder", lang, path=args.kb))
    kb = load(args.kb)
    reviews = review(kb, suggestions)
    for item in reviews:
        print(_reviewed(item, lang), file=out)
    files = additions_by_file(reviews)
    count = sum(len(texts) for entries in files.values() for texts in entries.values())
    if not args.apply:
        print(_say("suggest-would", lang, count=count, **_plurals({"count": count})), file=out)
        return 0
    written = 0
    for path, additions in files.items():
        try:
            add_alternates(Path(path), additions)
        except NotRoundTrip:
            print(_say("not-round-trip", lang, path=path), file=err)
            count -= sum(len(texts) for texts in additions.values())
            continue
        written += 1
    load(args.kb)  # what was written must load as the bot loads it (a KnowledgeError says where not)
    counts = {"count": count, "files": written}
    print(_say("suggest-applied", lang, **counts, **_plurals(counts)), file=out)
    return 1 if written < len(files) else 0


def _reviewed(item: Review, lang: Lang) -> str:
    suggestion, entry = item.suggestion, item.entry
    values = {"entry": suggestion.entry, "alternate": suggestion.alternate, "holder": item.holder}
    if item.verdict != "add" or entry is None:
        return _say(f"suggest-{item.verdict}", lang, **values)
    counts = {"count": suggestion.count}
    place = {"path": entry.source_path, "line": entry.source_line}
    return _say("suggest-add", lang, **place, **values, **counts, **_plurals(counts))
