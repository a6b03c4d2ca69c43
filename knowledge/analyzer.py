"""Text -> index terms: SudachiPy split mode A normalized forms, readings and glossary terms.

A Sudachi tokenizer must not be shared between threads, so each thread gets its own from one
shared dictionary (the dictionary itself is read-only and memory-mapped once).
"""

from __future__ import annotations

import collections
import contextlib
import dataclasses
import functools
import itertools
import os
import queue
import re
import sys
import threading
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import snowballstemmer
from sudachipy import Dictionary, Morpheme, SplitMode, Tokenizer

from knowledge.normalize import fold, normalize, tidy

# Parts of speech that carry the topic of a question; particles, auxiliaries, symbols and the like
# are dropped.
_CONTENT_POS = frozenset({"名詞", "動詞", "形容詞", "形状詞", "接尾辞", "記号"})
# Words that every question uses and none distinguishes (「教えてください」「方法」); compared after
# folding.
_STOP_WORDS = frozenset(
    fold(word)
    for word in (
        "する",
        "為る",
        "ある",
        "有る",
        "いる",
        "居る",
        "なる",
        "成る",
        "出来る",
        "思う",
        "教える",
        "知る",
        "下さる",
        "頂く",
        "致す",
        "申す",
        "言う",
        "願う",
        "良い",
        "宜しい",
        "欲しい",
        "分かる",
        "困る",
        "見る",
        "何",
        "方",
        "方法",
        "仕方",
        "やり方",
        "件",
        "事",
        "物",
        "為",
        "様",
        "場合",
        "等",
        "所",
        "時",
        "際",
        "どう",
        "何故",
        "どれ",
        "どこ",
        "いつ",
        "誰",
        "これ",
        "それ",
        "あれ",
        "此れ",
        "其れ",
        "今",
        "ください",
        "お願い",
        "よろしく",
        "すみません",
        "有難う",
        "状態",
        "感じ",
        "使い方",
        # The greetings that open a message in a Japanese office (お疲れ様です。お世話になって
        # おります。お忙しいところ恐れ入ります。失礼します。): they say nothing of its topic.
        "お疲れ様",
        "御疲れ様",
        "世話",
        "忙しい",
        "恐れる",
        "失礼",
    )
)
# English function words: stopped, and the sign that a question is written in English.
_ENGLISH_FUNCTION_WORDS = frozenset(
    [
        "i",
        "my",
        "me",
        "we",
        "our",
        "you",
        "your",
        "it",
        "its",
        "a",
        "an",
        "the",
        "to",
        "of",
        "in",
        "on",
        "for",
        "at",
        "by",
        "with",
        "from",
        "and",
        "or",
        "is",
        "are",
        "was",
        "be",
        "been",
        "do",
        "does",
        "did",
        "can",
        "could",
        "how",
        "what",
        "where",
        "when",
        "why",
        "which",
        "who",
        "please",
        "help",
        "want",
        "need",
        "should",
        "would",
        "there",
        "this",
        "that",
        "not",
        "no",
        "get",
        "have",
        "has",
        "if",
        "so",
        "about",
        "one",
        "some",
        "any",
        "just",
        "also",
        "still",
        "very",
        "will",
        "am",
        "were",
        "but",
        "as",
        "than",
        "then",
        "maybe",
    ]
)
_STOP_WORDS |= _ENGLISH_FUNCTION_WORDS
_JAPANESE = re.compile("[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uff66-\uff9f]")
_LATIN_WORD = re.compile("[a-z]+")


# Glossary spellings at least this long are also looked for as letters in an asker's question;
# shorter ones (PC, PW) would be found inside other words.
_SPELLED_MIN = 3
# From this many entries on, indexing reads answers on a second thread; below, a thread costs more.
_PARALLEL_FROM = 1000
_ANSWER_CHUNK = 100  # answers a thread takes at a time: small enough that both finish together
_SUDACHI_MAX_BYTES = 49_149  # SudachiPy refuses longer input in one call
_UNREAD: Any = object()  # a memo miss (None is a remembered "not a content word")
# Sudachi's word ids of out-of-vocabulary words: one id for all of them, so their spelling counts.
# A lexicon word's id alone decides its Word: its spellings differ only in width and case.
_OOV_WORD_IDS = 0xF0000000

# term, reading, Sudachi synonym group ids, and whether it names a thing (a noun) rather than an
# action or a quality
Word = tuple[str, str, tuple[int, ...], bool]


@dataclass(frozen=True, slots=True)
class Memory:
    """What indexing read: each word by its Sudachi id, each question, alternate and keyword, and
    each answer's terms. A rebuild after an edit reads only what changed."""

    words: dict[int | tuple[int, str], Word | None] = field(default_factory=dict)
    texts: dict[str, Analysis] = field(default_factory=dict)  # their concepts depend on the glossary
    answers: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Concept:
    """A glossary term found in the text, spanning terms[start:end]."""

    term: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Analysis:
    terms: tuple[str, ...]  # folded normalized forms of the content words, in order
    readings: tuple[str, ...]  # folded reading forms of the same words (empty: terms_only)
    synonym_groups: tuple[tuple[int, ...], ...]  # Sudachi synonym group ids of the same words
    concepts: tuple[Concept, ...]  # glossary terms found among them
    topical: tuple[bool, ...] = ()  # per word: a noun (the topic) rather than a verb or adjective

    @property
    def index_terms(self) -> tuple[str, ...]:
        return self.terms + tuple(concept.term for concept in self.concepts)


# Words repeat: folding each distinct one once halves the time to index a knowledge base.
_fold_word = functools.lru_cache(maxsize=1 << 16)(fold)


_stemmers = threading.local()  # a Snowball stemmer keeps state while it works: one per thread


@functools.lru_cache(maxsize=1 << 14)
def _stem(term: str) -> str:
    """English words meet their other forms (contacts/contact, connecting/connected/connect) by
    their Snowball stem; other words are left alone."""
    if not (term.isascii() and term.isalpha() and len(term) > 3):
        return term
    stemmer = getattr(_stemmers, "english", None)
    if stemmer is None:
        stemmer = _stemmers.english = snowballstemmer.stemmer("english")
    return stemmer.stemWord(term)


def _memo_key(morpheme: Morpheme) -> int | tuple[int, str]:
    """What decides a morpheme's Word: its lexicon id, or for an unknown word also its spelling."""
    word_id = morpheme.word_id()
    return (word_id, morpheme.surface()) if word_id >= _OOV_WORD_IDS else word_id


@functools.cache
def _dictionary() -> Dictionary:
    return Dictionary()


@functools.cache
def _is_word(pos_id: int) -> bool:
    return _dictionary().pos_of(pos_id)[0] in _CONTENT_POS


@functools.cache
def _is_content(pos_id: int) -> bool:
    # A person's name (「保険年金課の中村です」) never tells which entry answers.
    return _is_word(pos_id) and _dictionary().pos_of(pos_id)[2] != "人名"


@functools.cache
def _is_topical(pos_id: int) -> bool:
    return _dictionary().pos_of(pos_id)[0] in ("名詞", "記号")


class Analyzer:
    """Splits text into folded content words and maps glossary phrases onto canonical terms."""

    def __init__(self, synonym_groups: Iterable[Sequence[str]]) -> None:
        self._local = threading.local()
        self._phrases: dict[tuple[str, ...], str] = {}
        self._phrase_starts: frozenset[str] = frozenset()  # no concepts while reading the groups
        self._memo: dict[int | tuple[int, str], Word | None] | None = None
        self._texts: dict[str, Analysis] | None = None
        self._earlier = Memory()
        self._longest = 0
        spellings: dict[str, str] = {}
        for group in synonym_groups:
            canonical = "≡" + normalize(group[0])
            for term in group:
                words = self.analyze(term, terms_only=True).terms
                if words:
                    self._phrases.setdefault(words, canonical)
                if len(spelling := normalize(term)) >= _SPELLED_MIN:
                    spellings.setdefault(spelling, canonical)
        self._longest = max((len(p) for p in self._phrases), default=0)
        self._spellings = spellings
        longest_first = sorted(spellings, key=len, reverse=True)
        self._spelled = re.compile("|".join(map(re.escape, longest_first))) if spellings else None
        self._phrase_starts = frozenset(phrase[0] for phrase in self._phrases)

    def _tokenizer(self) -> Tokenizer:
        tokenizer = getattr(self._local, "tokenizer", None)
        if tokenizer is None:
            tokenizer = _dictionary().tokenizer(mode=SplitMode.A)
            self._local.tokenizer = tokenizer
        return tokenizer

    @contextlib.contextmanager
    def remembering(self, earlier: Memory | None = None) -> Iterator[Memory]:
        """Within the block each lexicon word (each spelling of an unknown one) is read once, and
        analyze_many() analyses each distinct text once (keywords and alternates repeat across
        entries): for indexing many texts. What `earlier` read is not read again. Yields what
        the block reads, for the next build.

        Not for questions: their unknown words would grow the memory without bound.
        """
        self._earlier = earlier or Memory()
        memory = Memory(words=dict(self._earlier.words))
        self._memo, self._texts = memory.words, memory.texts
        try:
            yield memory
        finally:
            self._memo = self._texts = None
            self._earlier = Memory()

    def _word(self, morpheme: Morpheme, terms_only: bool) -> Word | None:
        if self._memo is None:
            return self._read_word(morpheme, terms_only)
        key = _memo_key(morpheme)
        if key not in self._memo:
            self._memo[key] = self._read_word(morpheme, False)
        word = self._memo[key]
        return (word[0], "", (), word[3]) if word and terms_only else word

    def _remembered_words(
        self, morphemes: Iterable[Morpheme], memo: dict[int | tuple[int, str], Word | None]
    ) -> Iterator[tuple[Morpheme, Word]]:
        """The content words among `morphemes`, each distinct word read once into `memo`."""
        for morpheme in morphemes:
            key = morpheme.word_id()  # _memo_key, inlined: a million calls at 10k entries
            if key >= _OOV_WORD_IDS:
                key = (key, morpheme.surface())
            word = memo.get(key, _UNREAD)
            if word is _UNREAD:
                word = memo[key] = self._read_word(morpheme, False)
            if word:
                yield morpheme, word

    def _answer_terms(self, text: str, memory: Memory) -> tuple[str, ...]:
        """analyze(text, terms_only=True).terms with remembered words, without the per-word
        objects: answers hold most of a knowledge base's words."""
        terms = self._earlier.answers.get(text)
        if terms is None:
            words = self._remembered_words(self._morphemes(tidy(text)), memory.words)
            terms = tuple(word[0] for _, word in words)
        memory.answers[text] = terms
        return terms

    def analyze_entries(
        self, asked: Sequence[Sequence[str]], answers: Sequence[str], earlier: Memory | None = None
    ) -> tuple[list[tuple[list[Analysis], tuple[str, ...]]], Memory]:
        """For each entry: analyze_many() of its questions and keywords, and its answer's terms;
        and what was read, for the next build (texts `earlier` read are not read again).

        On a machine with several cores, a second thread (with its own tokenizer) reads the
        answers while this one reads the questions and keywords, then helps with the answers left:
        answers are long, and mostly Sudachi tokenizing, which releases the GIL; questions are
        short, and mostly Python. The overlap is partial: a tokenizing thread waits for the GIL
        whenever the other runs Python.
        """
        with self.remembering(earlier) as memory:
            if len(answers) < _PARALLEL_FROM or (os.cpu_count() or 1) < 2:
                answer_terms = [self._answer_terms(answer, memory) for answer in answers]
                analyses = [self.analyze_many(texts) for texts in asked]
            else:
                answer_terms = [()] * len(answers)
                chunks: queue.SimpleQueue[int] = queue.SimpleQueue()
                for start in range(0, len(answers), _ANSWER_CHUNK):
                    chunks.put(start)

                def read_answers() -> None:  # on both threads, chunk by chunk, until none is left
                    for start in _taken(chunks):
                        for i in range(start, min(start + _ANSWER_CHUNK, len(answers))):
                            answer_terms[i] = self._answer_terms(answers[i], memory)

                with ThreadPoolExecutor(max_workers=1, thread_name_prefix="kotae-index") as pool:
                    reading = pool.submit(read_answers)
                    try:
                        analyses = [self.analyze_many(texts) for texts in asked]
                        read_answers()
                    finally:  # on an error here, the other thread stops after its current chunk
                        collections.deque(_taken(chunks), maxlen=0)
                    reading.result()
        return list(zip(analyses, answer_terms, strict=True)), memory

    def _read_word(self, morpheme: Morpheme, terms_only: bool) -> Word | None:
        """The Word of a content word, None for anything else (particles, stop words …)."""
        surface = _fold_word(morpheme.surface())
        # An English word stands for itself: Sudachi spells some in katakana (new → ニュー,
        # lost → ロスト), reads "it" as IT and takes words for people's names. Its reading (the
        # katakana) still meets Japanese questions (printer → プリンター).
        english = _LATIN_WORD.fullmatch(surface) is not None
        if not (
            _is_word(morpheme.part_of_speech_id()) if english else _is_content(morpheme.part_of_speech_id())
        ):
            return None
        term = surface if english else _fold_word(morpheme.normalized_form())
        if surface in _STOP_WORDS or term in _STOP_WORDS or not term.strip():
            return None
        topical = _is_topical(morpheme.part_of_speech_id())
        if terms_only:
            return _stem(term), "", (), topical
        return (
            _stem(term),
            _fold_word(morpheme.reading_form()),
            tuple(morpheme.synonym_group_ids()),
            topical,
        )

    def _morphemes(self, text: str) -> Iterable[Morpheme]:
        """Sudachi's morphemes of `text`, however long (it refuses more than 49,149 bytes at once)."""
        tokenizer = self._tokenizer()
        if _fits(text, _SUDACHI_MAX_BYTES):  # nearly always: no extra work on the hot path
            return tokenizer.tokenize(text)
        return itertools.chain.from_iterable(
            tokenizer.tokenize(piece) for piece in _pieces(text, _SUDACHI_MAX_BYTES)
        )

    def analyze(self, text: str, *, terms_only: bool = False) -> Analysis:
        """Terms, readings, synonym groups and glossary concepts; only terms if terms_only.

        terms_only is for answers: long texts, where the rest costs more than it finds.
        """
        # Kana stay as typed: Sudachi needs hiragana to tell particles from words.
        words = [self._word(m, terms_only) for m in self._morphemes(tidy(text))]
        return self._analysis([word for word in words if word], terms_only)

    def analyze_question(self, text: str) -> Analysis:
        """analyze() of an asker's question, where glossary terms are also found by their letters:
        Sudachi may split a name in kana unlike the glossary does (「さがすくんで」 reads as
        さ|が|すくん|で, 「さがすくん」 alone as one word). A spelling counts where a word starts,
        and an ASCII one also where a word ends (「word」 is not found in 「password」)."""
        words: list[Word] = []
        spans: list[tuple[int, int]] = []  # each word's place in `letters`
        starts: list[int] = []
        pieces: list[str] = []
        offset = 0
        for morpheme in self._morphemes(tidy(text)):
            piece = normalize(morpheme.surface())
            word = self._word(morpheme, False)
            if word:
                words.append(word)
                spans.append((offset, offset + len(piece)))
            starts.append(offset)
            pieces.append(piece)
            offset += len(piece)
        analysis = self._analysis(words, False)
        if self._spelled is None:
            return analysis
        letters = "".join(pieces)
        boundaries = {*starts, len(letters)}
        found = {(concept.term, concept.start) for concept in analysis.concepts}
        concepts = list(analysis.concepts)
        for match in self._spelled.finditer(letters):
            if match.start() not in boundaries or (match.group().isascii() and match.end() not in boundaries):
                continue
            covered = [
                i for i, (begin, end) in enumerate(spans) if begin < match.end() and end > match.start()
            ]
            term = self._spellings[match.group()]
            if covered and (term, covered[0]) not in found:
                found.add((term, covered[0]))
                concepts.append(Concept(term, covered[0], covered[-1] + 1))
        if len(concepts) == len(analysis.concepts):
            return analysis
        return dataclasses.replace(analysis, concepts=tuple(sorted(concepts, key=lambda c: c.start)))

    def analyze_many(self, texts: Sequence[str]) -> list[Analysis]:
        """analyze() of each text with one tokenizer call: much cheaper for many short texts."""
        known = self._texts if self._texts is not None else {}
        earlier = self._earlier.texts
        known.update((text, earlier[text]) for text in texts if text in earlier and text not in known)
        new = [text for text in dict.fromkeys(texts) if text not in known]
        if new:
            known.update(zip(new, self._analyze_new(new), strict=True))
        return [known[text] for text in texts]

    def _analyze_new(self, texts: list[str]) -> Iterable[Analysis]:
        """analyze() of distinct texts not read before: joined into one tokenizer call when they
        fit in one (Sudachi's limit), else one by one."""
        tidied = [tidy(text).replace("\n", " ") for text in texts]
        if sum(len(text.encode()) + 1 for text in tidied) > _SUDACHI_MAX_BYTES:
            return [self.analyze(text) for text in texts]
        morphemes = self._tokenizer().tokenize("\n".join(tidied))
        found = (
            self._remembered_words(morphemes, self._memo)
            if self._memo is not None
            else ((m, w) for m in morphemes if (w := self._read_word(m, False)))
        )
        return [self._analysis(words, False) for words in _split_words(found, tidied)]

    def _analysis(self, words: list[Word], terms_only: bool) -> Analysis:
        terms = tuple(word[0] for word in words)
        if terms_only:
            return Analysis(terms, (), (), ())
        return Analysis(
            terms,
            tuple(word[1] for word in words),
            tuple(word[2] for word in words),
            self._concepts(terms),
            tuple(word[3] for word in words),
        )

    def _concepts(self, terms: tuple[str, ...]) -> tuple[Concept, ...]:
        found = []
        starts = self._phrase_starts
        for start in [i for i, term in enumerate(terms) if term in starts]:
            for end in range(min(start + self._longest, len(terms)), start, -1):
                canonical = self._phrases.get(terms[start:end])
                if canonical is not None:
                    found.append(Concept(canonical, start, end))
                    break
        return tuple(found)


def written_in_english(text: str) -> bool:
    """No Japanese letters and at least one English function word: 「printer not working」, not
    「wifi」, 「VPN 遅い」 or romaji 「pasuwaado wasureta」 (product names are typed in Latin
    letters by everyone)."""
    folded = fold(text)
    return not _JAPANESE.search(folded) and any(
        word in _ENGLISH_FUNCTION_WORDS for word in _LATIN_WORD.findall(folded)
    )


def _split_words(found: Iterable[tuple[Morpheme, Word]], texts: Sequence[str]) -> list[list[Word]]:
    """The words of each text, from the words of the texts joined by newlines (in order)."""
    # Where each text starts in the joined one; a sentinel past the end closes the last.
    starts = [*itertools.accumulate((len(text) + 1 for text in texts), initial=0), sys.maxsize]
    words: list[list[Word]] = [[] for _ in texts]
    index, next_start = 0, starts[1]
    for morpheme, word in found:
        begin = morpheme.begin()
        while begin >= next_start:  # morphemes come in order: walk the texts along
            index += 1
            next_start = starts[index + 1]
        words[index].append(word)
    return words


def _taken(items: queue.SimpleQueue[int]) -> Iterator[int]:
    """Take items off the queue until it is empty (other threads may be taking them too)."""
    with contextlib.suppress(queue.Empty):
        while True:
            yield items.get_nowait()


def _fits(text: str, max_bytes: int) -> bool:
    # A UTF-8 character is at most 4 bytes: most texts are short enough without encoding them.
    return len(text) * 4 <= max_bytes or len(text.encode()) <= max_bytes


def _pieces(text: str, max_bytes: int) -> Iterator[str]:
    """`text` cut into pieces of at most `max_bytes` UTF-8 bytes, at line ends where it can be."""
    if _fits(text, max_bytes):
        yield text
        return
    piece: list[str] = []
    size = 0
    for line in text.splitlines(keepends=True):
        while len(line.encode()) > max_bytes:  # one huge line: cut it by characters
            cut = len(line.encode()[:max_bytes].decode(errors="ignore"))
            yield line[:cut]
            line = line[cut:]
        length = len(line.encode())
        if size + length > max_bytes:
            yield "".join(piece)
            piece, size = [], 0
        piece.append(line)
        size += length
    if piece:
        yield "".join(piece)
