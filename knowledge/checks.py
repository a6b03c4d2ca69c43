"""Checks that find what makes the bot worse without making the knowledge base invalid."""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from urllib.parse import urlsplit

from rapidfuzz import fuzz, process

from knowledge.model import Entry
from knowledge.normalize import key_bigrams, normalize_entry_text

NEAR_DUPLICATE_SIMILARITY = 90  # rapidfuzz ratio on normalised questions, 0..100
PREFIX_OVERLAP = 0.6  # share of bigrams that pairs above NEAR_DUPLICATE_SIMILARITY have in common
MAX_COMPARED = 50  # earlier questions compared with each question, at most

# Clickable in a card's Markdown: http(s) URLs, bare or as [title](url); Japanese punctuation ends one.
_URL_IN_TEXT = re.compile(r"https?://[^\s<>()\[\]「」、。）]+")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)+\|?\s*$")
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")


def markdown_problems(markdown: str) -> Iterator[tuple[int, str]]:
    """(0-based line offset, code) for Markdown that Teams cards do not render."""
    for offset, line in enumerate(markdown.splitlines()):
        if _TABLE_RULE.match(line):
            yield max(offset - 1, 0), "markdown-table"  # the header row above the rule
        if _IMAGE.search(line):
            yield offset, "markdown-image"


def near_duplicates(entries: Sequence[Entry]) -> Iterator[tuple[Entry, Entry, int]]:
    """(later entry, earlier entry, similarity %) for different questions that read almost alike.

    Identical questions are errors reported elsewhere; this finds those a typo or particle apart.
    Comparing every pair is quadratic (minutes at 100k entries), so only pairs sharing one of their
    rarest character bigrams are compared ("prefix filtering"): two strings that share
    PREFIX_OVERLAP of their bigrams always share one of those. Past MAX_COMPARED candidates a
    question's rarer bigrams win; a warning may then be missed, never a wrong one given.
    """
    keys = [normalize_entry_text(entry.question) for entry in entries]
    grams = [set(key_bigrams(key)) for key in keys]
    frequency = Counter(gram for gram_set in grams for gram in gram_set)
    seen: defaultdict[str, list[int]] = defaultdict(list)
    for index, gram_set in enumerate(grams):
        rarest = sorted(gram_set, key=lambda gram: (frequency[gram], gram))
        prefix = rarest[: len(rarest) - math.ceil(PREFIX_OVERLAP * len(rarest)) + 1]
        # Rarest first, and no more than MAX_COMPARED: keeps 100k entries within seconds.
        found: dict[int, None] = {}
        for gram in prefix:
            found.update(dict.fromkeys(seen[gram][:MAX_COMPARED]))
            if len(found) >= MAX_COMPARED:
                break
        earlier = list(found)
        close = process.extract(
            keys[index],
            [keys[other] for other in earlier],
            scorer=fuzz.ratio,
            score_cutoff=NEAR_DUPLICATE_SIMILARITY,
            limit=None,
        )
        for key, similarity, position in close:
            if key != keys[index]:
                yield entries[index], entries[earlier[position]], round(similarity)
        for gram in prefix:
            seen[gram].append(index)


def link_host(url: str) -> str:
    """The host a link opens: of an http(s) or file URL, or the server of a \\\\server\\share path."""
    if url.startswith("\\\\"):
        return url[2:].split("\\", 1)[0].lower()
    return (urlsplit(url).hostname or "").lower()


def in_domains(host: str, domains: Iterable[str]) -> bool:
    """Whether `host` is one of `domains` or a subdomain of one (www.city.example.lg.jp ⊂ example.lg.jp)."""
    return any(host == domain or host.endswith("." + domain) for domain in domains)


def links_outside(entries: Sequence[Entry], domains: Sequence[str]) -> Iterator[tuple[Entry, str]]:
    """(entry, url) for each link of an entry — its `links` and web URLs in its answer — whose host is
    outside `domains`: a link staff on the office's network may be unable to open."""
    for entry in entries:
        urls = [link.url for link in entry.links] + _URL_IN_TEXT.findall(entry.answer)
        for url in dict.fromkeys(urls):
            if not in_domains(link_host(url), domains):
                yield entry, url
