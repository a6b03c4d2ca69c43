"""Ranking and the answer / clarify / escalate decision.

Ranking: BM25 over the question (with alternates), keywords and answer terms, the reading forms and
the character bigrams of the questions, plus query expansion through glossary concepts and
Sudachi synonym groups. Confidence: a logistic function of how much of the question the entry
covers, how much distinctive vocabulary they share, how close the asker's wording is to one of the
entry's questions, and how far the entry's BM25 score leads its best rival (docs/knowledge.md
explains how the weights were fitted).
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from typing import Literal, NamedTuple

import jaconv
import numpy as np
from rapidfuzz import fuzz, process

from knowledge.analyzer import Analysis, Analyzer, Memory, written_in_english
from knowledge.glossary import GLOSSARY
from knowledge.index import Postings, TermSets, distinct, idf
from knowledge.model import Entry, KnowledgeBase
from knowledge.normalize import bigrams, key_bigrams, normalize, normalize_entry_text
from knowledge.semantic import Embedder, EntryVectors, query_text

DecisionKind = Literal["answer", "clarify", "escalate"]

_READING = "読:"  # marks a reading among an entry's terms
_QUERY_BIGRAMS = 8  # at most this many of the query's bigrams are looked up
_RESCUED_WORDS = 3  # unknown query words looked up by similarity, at most
_ANSWER_SHARE = 0.5  # a query word found only in an entry's answer counts half for coverage
_ACTION_SHARE = 0.5  # a verb or adjective weighs this much in coverage, a noun 1
_MAX_DOMINANCE = 2.0  # a hit scoring twice its best rival is as dominant as it gets


class Features(NamedTuple):
    """What the confidence of one hit is computed from (all roughly 0..1)."""

    coverage: float  # idf-weighted share of the query's words the entry contains
    closeness: float  # rapidfuzz ratio of the query to the closest question or alternate
    dominance: float  # BM25 score over the best other candidate's, minus 1, within -1..1
    relative: float  # BM25 score over the best candidate's, 0..1
    # log(1 + idf mass of the query's words the entry contains, in units of the largest idf): how
    # much distinctive vocabulary they share, on the same scale for a knowledge base of any size
    matched: float = 0.0
    # idf-weighted share of the query's nouns found in the entry's questions, alternates or keywords
    nouns_asked: float = 0.0
    # idf-weighted share of the entry's closest question (or alternate) that the query contains:
    # coverage the other way round, from the entry's side
    question_covered: float = 0.0
    # cosine similarity of the question's sentence vector to the entry's closest question or
    # alternate (0 when the semantic layer is off)
    dense: float = 0.0
    # that similarity minus the best other entry's of the same language, within -1..1
    dense_lead: float = 0.0
    # coverage and matched counting only the words the entry's questions, alternates and keywords
    # share with the query: an entry is never answered on words found only in its answer text
    coverage_asked: float = 0.0
    matched_asked: float = 0.0
    # the similarity as a z-score over the knowledge base: what the rank order adds (rank_dense)
    dense_z: float = 0.0
    # idf-weighted share of the query's nouns that the entry has only in its answer text
    nouns_answer_only: float = 0.0


@dataclass(frozen=True)
class MatchSettings:
    """Ranking weights and decision thresholds (the bot exposes the three thresholds as settings).

    answer_threshold: the best hit's confidence needed to answer outright;
    answer_margin: and its lead over the second hit (two close hits mean "ask which one");
    clarify_threshold: below this nothing is relevant enough and the question is escalated.
    """

    answer_threshold: float = 0.88
    answer_margin: float = 0.0
    clarify_threshold: float = 0.02
    # A hit whose answer text alone has this share (idf-weighted) of the question's nouns is not
    # answered (chosen on the fit halves, LOKO: 0 forbade any such noun and answered less, everywhere).
    answer_only_share: float = 0.3
    other_lang_factor: float = 0.85
    max_query_chars: int = 500
    candidates: int = 30
    weight_question: float = 0.7
    weight_keywords: float = 0.8
    weight_answer: float = 1.2
    weight_reading: float = 0.3
    weight_bigram: float = 0.1
    synonym_weight: float = 0.5
    rescue_similarity: float = 0.8  # an unknown query word this close to a known one stands for it
    rescue_weight: float = 0.7  # query weight of such a stand-in
    max_term_share: float = 0.2  # query words in more entries than this share are skipped
    k1: float = 1.2
    b: float = 0.75
    # Rank order: BM25 relative to the best candidate plus these multiples of the other Features
    # (chosen on the LocalgovFAQ dev split and the tuning questions together).
    rank_closeness: float = 1.0
    rank_coverage: float = 2.0
    rank_dominance: float = 0.5
    # With the semantic layer: the entries closest by sentence vector are candidates too, and the
    # rank order adds this multiple of the entry's similarity as a z-score over the knowledge base.
    dense_candidates: int = 30
    rank_dense: float = 0.75
    # The logistic calibration of Features into a confidence (benchmarks/calibrate.py fits them),
    # words only (the semantic layer off or unavailable)...
    confidence_coverage: float = 1.51
    confidence_closeness: float = 1.62
    confidence_dominance: float = 1.43
    confidence_matched: float = 2.24
    confidence_question_covered: float = 1.6
    confidence_bias: float = -4.07
    # ...and with the semantic layer on.
    semantic_confidence_coverage: float = 1.27
    semantic_confidence_closeness: float = 1.45
    semantic_confidence_dominance: float = 1.34
    semantic_confidence_matched: float = 1.91
    semantic_confidence_question_covered: float = 1.37
    semantic_confidence_dense: float = 1.07
    semantic_confidence_dense_lead: float = 1.21
    semantic_confidence_bias: float = -4.32

    def __post_init__(self) -> None:
        for setting in fields(self):
            value = getattr(self, setting.name)
            negative_ok = "confidence_" in setting.name  # logistic weights
            if (
                not isinstance(value, int | float)
                or isinstance(value, bool)
                or (value < 0 and not negative_ok)
            ):
                allowed = "a number" if negative_ok else "a number >= 0"
                raise ValueError(f"MatchSettings.{setting.name} is {value!r}; it must be {allowed}.")
        for name in (
            "answer_threshold",
            "answer_only_share",
            "clarify_threshold",
            "other_lang_factor",
            "b",
            "max_term_share",
            "rescue_similarity",
        ):
            if getattr(self, name) > 1:
                raise ValueError(f"MatchSettings.{name} is {getattr(self, name)!r}; allowed: 0..1.")
        if self.clarify_threshold > self.answer_threshold:
            raise ValueError(
                f"MatchSettings.clarify_threshold ({self.clarify_threshold}) must not exceed "
                f"answer_threshold ({self.answer_threshold})."
            )
        if self.max_query_chars < 1 or self.candidates < 1 or self.dense_candidates < 1:
            raise ValueError(
                "MatchSettings.max_query_chars, candidates and dense_candidates must be at least 1."
            )


# The Features a confidence reads, in the order of calibration_weights().
CALIBRATED = ("coverage", "closeness", "dominance", "matched", "question_covered", "dense", "dense_lead")


def calibration_weights(s: MatchSettings, semantic: bool) -> tuple[float, ...]:
    """The logistic weights of CALIBRATED, then the bias, for one mode of the matcher."""
    if semantic:
        return tuple(getattr(s, f"semantic_confidence_{name}") for name in (*CALIBRATED, "bias"))
    return (
        *(getattr(s, f"confidence_{name}") for name in CALIBRATED[:5]),
        0.0,
        0.0,
        s.confidence_bias,
    )


def rank(s: MatchSettings, features: Features) -> float:
    """The rank order of candidates: BM25 relative to the best, plus the rank_* multiples of the
    other Features."""
    return (
        features.relative
        + s.rank_closeness * features.closeness
        + s.rank_coverage * features.coverage
        + s.rank_dominance * features.dominance
        + s.rank_dense * features.dense_z
    )


def confidence(s: MatchSettings, features: Features, semantic: bool = False) -> float:
    """The calibrated 0..1 confidence of a hit with these features."""
    *weights, bias = calibration_weights(s, semantic)
    z = bias + sum(w * getattr(features, name) for w, name in zip(weights, CALIBRATED, strict=True))
    return 1.0 / (1.0 + math.exp(-z))


def shown_confidences(s: MatchSettings, ranked: Sequence[Features], semantic: bool = False) -> list[float]:
    """The confidences of ranked hits as shown, best first: a lower-ranked hit never claims more
    confidence than the one above it."""
    shown, ceiling = [], 1.0
    for features in ranked:
        ceiling = min(ceiling, confidence(s, features, semantic))
        shown.append(ceiling)
    return shown


def asked_only(features: Features) -> Features:
    """The features without the query words that the entry has only in its answer text."""
    return features._replace(coverage=features.coverage_asked, matched=features.matched_asked)


def support(s: MatchSettings, features: Features, semantic: bool) -> float:
    """The confidence a hit has on the words its questions, alternates and keywords share with the
    question (a word found only in its answer text counts as missing); 0 when at least
    answer_only_share of the question's nouns are found only in its answer text: the question is
    about what the entry mentions in passing (「PDFを分割してページ番号を入れたい」 against an entry
    whose answer alone has ページ and 番号). A hit is answered only on this."""
    if features.nouns_answer_only >= s.answer_only_share:
        return 0.0
    return confidence(s, asked_only(features), semantic)


def rival_scores(scores: Sequence[float], langs: Sequence[str]) -> list[float]:
    """The best hit's confidence and those of the later hits in its language: an entry in the
    other language is a translation, not a rival (「wifiつながんない」 is not ambiguous because the
    English FAQ has the same topic)."""
    return [score for score, lang in zip(scores, langs, strict=True) if lang == langs[0]]


def is_covered(features: Features) -> bool:
    """Every noun of the question is in the entry's questions, alternates or keywords."""
    return features.nouns_asked >= 1.0 - 1e-9


def decide(
    s: MatchSettings,
    scores: Sequence[float],
    *,
    covered: bool = False,
    supported: float = 1.0,
    exact: bool = False,
) -> DecisionKind:
    """answer, clarify or escalate from the shown confidences of rival_scores() (best first).

    `covered` (is_covered() of the best hit): a question whose nouns (its topic) all name what
    one entry's questions name is about a topic the knowledge base has — at worst ambiguous
    (「PDF」, 「PC 遅い」, a typo in the verb), so it is clarified rather than escalated.
    `supported` (support() of the best hit) must reach the answer threshold too: an entry is not
    answered on words only its answer text has; it is offered instead.
    `exact`: the question is the best entry's question or an alternate as typed (after normalize):
    the editors wrote that wording for that entry, so it is answered.
    """
    if exact:
        return "answer"
    if not scores or (scores[0] < s.clarify_threshold and not covered):
        return "escalate"
    runner_up = scores[1] if len(scores) > 1 else 0.0
    confident = min(scores[0], supported) >= s.answer_threshold
    if confident and scores[0] - runner_up >= s.answer_margin:
        return "answer"
    return "clarify"


def judge(
    s: MatchSettings,
    ranked: Sequence[Features],
    langs: Sequence[str],
    *,
    semantic: bool,
    exact: bool = False,
) -> tuple[DecisionKind, list[float]]:
    """The decision on ranked hits (best first, with their entries' languages) and their shown
    confidences. `exact`: the question is the best entry's question or an alternate as typed."""
    scores = shown_confidences(s, ranked, semantic)
    best = ranked[0] if ranked else None
    kind = decide(
        s,
        rival_scores(scores, langs),
        covered=best is not None and is_covered(best),
        supported=support(s, best, semantic) if best is not None else 0.0,
        exact=exact,
    )
    return kind, scores


class _QueryWords(NamedTuple):
    """What a question's candidates are measured against."""

    key: str  # the question normalised, as entries' questions are for closeness and exactness
    weights: list[tuple[float, frozenset[int], bool]]  # Matcher._coverage_weights()
    total: float  # their sum
    nouns: list[tuple[float, frozenset[int]]]  # the weights of the nouns only
    noun_total: float
    said: frozenset[str]  # Matcher._said()


class _QuestionWords(NamedTuple):
    """One question's (or alternate's) words as _question_covered() reads them."""

    words: tuple[tuple[float, str, str], ...]  # idf weight (verbs at _ACTION_SHARE), term, marked reading
    concepts: tuple[tuple[str, range], ...]  # glossary concepts and the positions they span
    total: float  # the sum of the weights


class _DenseView(NamedTuple):
    """The entries' sentence-vector similarities to one question."""

    similarity: np.ndarray
    z: np.ndarray  # as z-scores over the knowledge base
    leaders: dict[str, tuple[int, float, float]]  # Matcher._dense_leaders()


@dataclass
class _EntryFields:
    """Per entry, the terms of each field the index is built from."""

    asked: list[list[str]] = field(default_factory=list)  # questions and alternates
    keyworded: list[list[str]] = field(default_factory=list)
    answered: list[tuple[str, ...]] = field(default_factory=list)
    readings: list[list[str]] = field(default_factory=list)  # of questions and alternates
    grams: list[list[str]] = field(default_factory=list)  # character bigrams of the questions
    questions: list[list[Analysis]] = field(default_factory=list)  # analyses of questions and alternates


@dataclass(frozen=True, slots=True)
class Hit:
    entry: Entry
    score: float  # calibrated confidence, 0..1


@dataclass(frozen=True, slots=True)
class Decision:
    query: str
    kind: DecisionKind
    hits: tuple[Hit, ...]
    truncated: bool = False

    @property
    def best(self) -> Hit | None:
        return self.hits[0] if self.hits else None


class Matcher:
    """An index over one knowledge base; `ask` is thread-safe and fast enough for the event loop."""

    def __init__(
        self,
        kb: KnowledgeBase,
        settings: MatchSettings | None = None,
        *,
        earlier: Matcher | None = None,
        embedder: Embedder | None = None,
    ) -> None:
        """`earlier`: the matcher this one replaces; what it read is not read again (a reload
        after an edit analyses and embeds only the texts that changed). `embedder`: the semantic
        layer; without it the matcher ranks on words alone."""
        self.kb = kb
        self.settings = settings or MatchSettings()
        self._embedder = embedder
        self._dense: EntryVectors | None = None
        if embedder is not None:
            self._dense = EntryVectors(
                embedder, [entry.questions for entry in kb.entries], earlier._dense if earlier else None
            )
        self._glossary = (*GLOSSARY, *kb.synonyms)
        self._analyzer = Analyzer(self._glossary)
        self._entries = kb.entries
        self._exact: dict[str, int] = {}
        self._synonyms: defaultdict[int, set[str]] = defaultdict(set)
        self._idf: dict[str, float] = {}
        self._term_ids: dict[str, int] = {}  # the terms of asked and answered
        self._questions: list[tuple[str, ...]] = []  # each entry's normalised questions and alternates
        self._question_words: list[tuple[_QuestionWords, ...]] = []  # and their words
        self._memory = self._build(earlier._memory_for(self._glossary) if earlier else None)

    def __getstate__(self) -> dict[str, object]:
        # The analyzer holds per-thread Sudachi tokenizers; it is made again from the glossary.
        # The embedder is a loaded model: the vectors are kept, and attach() gives the model back.
        state = dict(vars(self))
        del state["_analyzer"]
        state["_embedder"] = None
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        vars(self).update(state)
        self._analyzer = Analyzer(self._glossary)

    @property
    def semantic_model(self) -> str | None:
        """The model whose vectors this matcher holds; None when it ranks on words alone."""
        return self._dense.model if self._dense is not None else None

    @property
    def semantic(self) -> bool:
        """Whether questions are ranked with the semantic layer."""
        return self._embedder is not None

    def attach(self, embedder: Embedder) -> None:
        """Give a matcher read from a snapshot its model back (its vectors are that model's)."""
        if embedder.name != self.semantic_model:
            raise ValueError(f"the vectors are of {self.semantic_model}, not of {embedder.name}")
        self._embedder = embedder

    def _memory_for(self, glossary: tuple[tuple[str, ...], ...]) -> Memory:
        """What this matcher read that a matcher with `glossary` may reuse: question texts carry
        glossary concepts, so they are reused only when the glossary is the same."""
        if glossary == self._glossary:
            return self._memory
        return Memory(words=self._memory.words, answers=self._memory.answers)

    def _build(self, earlier: Memory | None) -> Memory:
        """Read every entry (texts `earlier` read are not read again) and index what was read."""
        analyses, memory = self._analyzer.analyze_entries(
            [(*entry.questions, *entry.keywords) for entry in self._entries],
            [entry.answer for entry in self._entries],
            earlier,
        )
        fields = _EntryFields()
        for doc, (entry, (asked_texts, answer)) in enumerate(zip(self._entries, analyses, strict=True)):
            self._add_entry(doc, entry, asked_texts, answer, fields)
        self._index_postings(fields)
        self._index_languages()
        self._index_terms(fields)
        self._question_words = [
            tuple(self._question_word_weights(question) for question in questions)
            for questions in fields.questions
        ]
        return memory

    def _question_word_weights(self, question: Analysis) -> _QuestionWords:
        """What _question_covered() reads of one question, weighed once (idf is known by now)."""
        words = tuple(
            (
                self._idf.get(term, self._unknown_idf) * (1.0 if topical else _ACTION_SHARE),
                term,
                _READING + reading,
            )
            for term, reading, topical in zip(
                question.terms, question.readings, question.topical, strict=True
            )
        )
        return _QuestionWords(
            words,
            tuple((concept.term, range(concept.start, concept.end)) for concept in question.concepts),
            sum(weight for weight, _, _ in words),
        )

    def _add_entry(
        self,
        doc: int,
        entry: Entry,
        asked_texts: list[Analysis],
        answer: tuple[str, ...],
        fields: _EntryFields,
    ) -> None:
        """One entry's words into `fields`, its questions into the exact-question table, and its
        words' synonym groups into the synonym table."""
        questions = asked_texts[: len(entry.questions)]
        keywords = asked_texts[len(entry.questions) :]
        keys = tuple(normalize_entry_text(text) for text in entry.questions)
        fields.asked.append([t for a in questions for t in a.index_terms])
        fields.keyworded.append([t for a in keywords for t in a.index_terms])
        fields.answered.append(answer)
        fields.readings.append([r for a in questions for r in a.readings])
        fields.grams.append([g for key in keys for g in key_bigrams(key)])
        for analysis in (*questions, *keywords):
            for term, groups in zip(analysis.terms, analysis.synonym_groups, strict=True):
                for group in groups:
                    self._synonyms[group].add(term)
        self._questions.append(keys)
        fields.questions.append(questions)
        for key in keys:
            self._exact.setdefault(key, doc)

    def _index_postings(self, fields: _EntryFields) -> None:
        """The BM25 postings: words (questions, keywords, answers), readings, bigrams."""
        s = self.settings
        self._terms = Postings(
            (
                (fields.asked, s.weight_question),
                (fields.keyworded, s.weight_keywords),
                (fields.answered, s.weight_answer),
            ),
            s.k1,
            s.b,
        )
        self._readings = Postings(((fields.readings, s.weight_reading),), s.k1, s.b)
        self._bigrams = Postings(((fields.grams, s.weight_bigram),), s.k1, s.b)

    def _index_languages(self) -> None:
        """Each entry's language, and per asker language the factor each entry's score takes."""
        self._langs = np.array([entry.lang for entry in self._entries])
        self._language_factors = {
            lang: np.array(
                [1.0 if entry.lang == lang else self.settings.other_lang_factor for entry in self._entries]
            )
            for lang in ("ja", "en")
        }

    def _index_terms(self, fields: _EntryFields) -> None:
        """What coverage is measured against: the terms each entry asks about (questions,
        alternates, keywords and their readings) and those its answer mentions; their idf; and the
        vocabulary an unknown query word may stand for."""
        self._asked = TermSets(
            [
                itertools.chain(question, keywords, (_READING + r for r in reading))
                for question, keywords, reading in zip(
                    fields.asked, fields.keyworded, fields.readings, strict=True
                )
            ],
            self._term_ids,
        )
        self._answered = TermSets(fields.answered, self._term_ids)
        count = len(self._entries)
        # An entry has a term if it asks about it or its answer mentions it.
        pairs = distinct(np.concatenate((self._asked.keys(), self._answered.keys())))
        frequency = np.bincount(pairs // max(count, 1), minlength=len(self._term_ids))
        self._idf = {term: idf(count, int(frequency[i])) for term, i in self._term_ids.items()}
        # What an unknown query word may stand for: words and readings of questions and keywords.
        names = list(self._term_ids)
        self._vocabulary = sorted(
            {
                names[i].removeprefix(_READING)
                for i in self._asked.ids().tolist()
                if not names[i].startswith("≡")
            }
        )
        self._unknown_idf = idf(count, 0)

    def terms(self, text: str) -> frozenset[str]:
        """The words of `text` as a question is read, a glossary phrase standing for the words it
        spans: two ways of writing one thing (表記ゆれ: Excel/エクセル) give the same terms."""
        analysis = self._analyzer.analyze_question(text[: self.settings.max_query_chars])
        covered = {i for concept in analysis.concepts for i in range(concept.start, concept.end)}
        words = (term for i, term in enumerate(analysis.terms) if i not in covered)
        return frozenset((*words, *(concept.term for concept in analysis.concepts)))

    def ask(self, text: str, lang: str = "ja", top: int = 5) -> Decision:
        """Rank the entries for a question and decide whether to answer, clarify or escalate.

        With the semantic layer this embeds the question (tens of milliseconds in C, without the
        interpreter lock): a server calls it from a worker thread, not its event loop."""
        query = text[: self.settings.max_query_chars]
        ranked = self.candidates(query, lang, top)[:top]
        exact = bool(ranked) and self._exact.get(normalize(query)) == ranked[0][0]
        kind, scores = judge(
            self.settings,
            [features for _, features in ranked],
            [self._entries[doc].lang for doc, _ in ranked],
            semantic=self.semantic,
            exact=exact,
        )
        hits = tuple(Hit(self._entries[doc], score) for (doc, _), score in zip(ranked, scores, strict=True))
        return Decision(query=text, kind=kind, hits=hits, truncated=len(text) > len(query))

    def _similarities(self, query: str) -> np.ndarray | None:
        """Each entry's sentence-vector similarity to the query; None without the semantic layer."""
        if self._embedder is None or self._dense is None:
            return None
        return self._dense.similarities(self._embedder.embed([query_text(query)], query=True)[0])

    def candidates(self, query: str, lang: str, top: int) -> list[tuple[int, Features]]:
        """The best entries, in rank order (as indexes into kb.entries), with their features.

        Rank order combines the BM25 score with the other Features (rank_* settings); a question
        typed exactly as an entry has it comes first.
        """
        analysis = self._analyzer.analyze_question(query)
        rescued = self._rescue(analysis)
        scores = self._lexical_scores(query, lang, analysis, rescued)
        dense = self._dense_view(query)
        words = self._query_words(query, analysis, rescued)
        exact = self._exact.get(words.key)
        docs = self._candidate_docs(scores, dense, exact, top)
        ordered = [*sorted((float(scores[doc]) for doc in docs), reverse=True), 0.0, 0.0]
        found = [(doc, self._features(doc, float(scores[doc]), ordered, words, dense)) for doc in docs]
        return sorted(found, key=lambda item: (item[0] == exact, rank(self.settings, item[1])), reverse=True)

    def _lexical_scores(
        self, query: str, lang: str, analysis: Analysis, rescued: dict[int, str]
    ) -> np.ndarray:
        """Each entry's BM25 score, the other language's entries at other_lang_factor."""
        if written_in_english(query):
            lang = "en"  # whatever the asker's setting, a question in English reads answers in English
        scores = self._raw_scores(query, analysis, rescued)
        if lang in self._language_factors:
            scores *= self._language_factors[lang]
        return scores

    def _dense_view(self, query: str) -> _DenseView | None:
        """The entries' similarities to the query and what is derived from them; None without the
        semantic layer (or without entries)."""
        similarity = self._similarities(query)
        if similarity is None or not len(similarity):
            return None
        z = (similarity - similarity.mean()) / (similarity.std() or 1.0)
        return _DenseView(similarity, z, self._dense_leaders(similarity))

    def _candidate_docs(
        self, scores: np.ndarray, dense: _DenseView | None, exact: int | None, top: int
    ) -> list[int]:
        """The entries best by words, then those closest by vector, then the exact question's."""
        s = self.settings
        docs = dict.fromkeys(_best(scores, max(top, s.candidates)).tolist())
        if dense is not None:
            docs.update(dict.fromkeys(_best(dense.similarity + 1.0, max(top, s.dense_candidates)).tolist()))
        if exact is not None:
            docs.setdefault(exact)
        return list(docs)

    def _query_words(self, query: str, analysis: Analysis, rescued: dict[int, str]) -> _QueryWords:
        weights = self._coverage_weights(analysis, rescued)
        nouns = [(weight, ids) for weight, ids, topical in weights if topical]
        return _QueryWords(
            normalize(query),
            weights,
            sum(weight for weight, _, _ in weights),
            nouns,
            sum(weight for weight, _ in nouns),
            self._said(analysis, rescued),
        )

    def _features(
        self, doc: int, raw: float, ordered: list[float], words: _QueryWords, dense: _DenseView | None
    ) -> Features:
        """The Features of one candidate with BM25 score `raw` (`ordered`: the candidates' scores,
        highest first, then two zeros)."""
        asked = self._asked.of(doc)
        answered = self._answered.of(doc)
        shared, shared_asked = self._shared(asked, answered, words.weights)
        total, noun_total = words.total, words.noun_total
        nouns_asked = (
            sum(weight for weight, ids in words.nouns if ids & asked) / noun_total if noun_total else 0.0
        )
        nouns_answer_only = (
            sum(weight for weight, ids in words.nouns if ids & answered and not ids & asked) / noun_total
            if noun_total
            else 0.0
        )
        rival = ordered[1] if raw >= ordered[0] else ordered[0]
        # An entry found only by its vector (no word in common) dominates nothing.
        dominance = min(raw / rival, _MAX_DOMINANCE) - 1.0 if rival > 0 else (1.0 if raw > 0 else -1.0)
        return Features(
            shared / total if total else 0.0,
            self._closeness(doc, words.key),
            dominance,
            raw / ordered[0] if ordered[0] else 0.0,
            math.log1p(shared / self._unknown_idf),
            nouns_asked,
            self._question_covered(doc, words.said),
            float(dense.similarity[doc]) if dense is not None else 0.0,
            self._dense_lead(doc, dense.similarity, dense.leaders) if dense is not None else 0.0,
            shared_asked / total if total else 0.0,
            math.log1p(shared_asked / self._unknown_idf),
            float(dense.z[doc]) if dense is not None else 0.0,
            nouns_answer_only,
        )

    def _dense_leaders(self, dense: np.ndarray) -> dict[str, tuple[int, float, float]]:
        """Per language: the entry closest by vector, its similarity and the runner-up's."""
        leaders = {}
        for lang in dict.fromkeys(self._langs.tolist()):
            # Shifted to stay positive: _best() skips zeros, the other language's entries here.
            own = np.where(self._langs == lang, dense + 2.0, 0.0)
            first, second = [*_best(own, 2).tolist(), -1][:2]
            leaders[lang] = (first, float(dense[first]), float(dense[second]) if second >= 0 else 0.0)
        return leaders

    def _dense_lead(self, doc: int, dense: np.ndarray, leaders: dict[str, tuple[int, float, float]]) -> float:
        """How far the entry's similarity leads the best other entry of its language (a translation
        in the other language is not a rival)."""
        leader, first, second = leaders[self._entries[doc].lang]
        return float(dense[doc]) - (second if doc == leader else first)

    def _rescue(self, analysis: Analysis) -> dict[int, str]:
        """Position -> known word, for query words the index does not know: typos (チームス),
        romaji (pasuwaado), spellings Sudachi splits differently."""
        rescued: dict[int, str] = {}
        cutoff = self.settings.rescue_similarity * 100
        for position, (term, reading) in enumerate(zip(analysis.terms, analysis.readings, strict=True)):
            if len(rescued) == _RESCUED_WORDS:
                break
            if len(term) < 3 or term in self._terms or reading in self._readings:
                continue
            spelled = _katakana_of_romaji(term) if term.isascii() else term
            match = process.extractOne(spelled, self._vocabulary, scorer=fuzz.ratio, score_cutoff=cutoff)
            if match is not None:
                rescued[position] = match[0]
        return rescued

    def _raw_scores(self, query: str, analysis: Analysis, rescued: dict[int, str]) -> np.ndarray:
        scores = np.zeros(len(self._entries))
        terms = dict.fromkeys(analysis.index_terms, 1.0)
        for word in rescued.values():
            terms.setdefault(word, self.settings.rescue_weight)
        for groups in analysis.synonym_groups:
            for group in groups:
                for synonym in self._synonyms.get(group, ()):
                    terms.setdefault(synonym, self.settings.synonym_weight)
        # (At least one entry: in a knowledge base of a handful, every word is in a fifth of it.)
        limit = max(self.settings.max_term_share * len(self._entries), 1)
        # Readings are for words the index does not know as typed (「ぷりんと」, homophones).
        readings = {
            reading: 1.0
            for term, reading in zip(analysis.terms, analysis.readings, strict=True)
            if term not in self._terms
        }
        for word in rescued.values():
            readings.setdefault(word, self.settings.rescue_weight)
        for postings, weighted in ((self._terms, terms), (self._readings, readings)):
            # A word found in many entries tells little and costs a pass over all of them: it is
            # skipped, unless the question has nothing rarer (then its rarest word is read).
            ordered = sorted(weighted.items(), key=lambda item: postings.frequency(item[0]))
            rare = [item for item in ordered if postings.frequency(item[0]) <= limit]
            postings.add_to(scores, rare or ordered[:1])
        # The rarest bigrams carry the typo tolerance; common ones cost time and say little.
        grams = sorted(dict.fromkeys(bigrams(query)), key=self._bigrams.frequency)
        self._bigrams.add_to(scores, ((gram, 1.0) for gram in grams[:_QUERY_BIGRAMS]))
        return scores

    def _coverage_weights(
        self, analysis: Analysis, rescued: dict[int, str]
    ) -> list[tuple[float, frozenset[int], bool]]:
        """Per distinct content word of the query: its idf, the ids of the terms that count as
        finding it (none when no entry has any of them) and whether it is a noun. A word said
        twice counts once: repeating it does not make a question share more with an entry."""
        # A word is found by its form, a glossary concept it is part of, its reading
        # (「ぷりんと」 is not a word to Sudachi, but reads as プリント) or the word it stands for.
        alternatives = [
            {term, _READING + reading}
            for term, reading in zip(analysis.terms, analysis.readings, strict=True)
        ]
        for position, word in rescued.items():
            alternatives[position].update((word, _READING + word))
        for concept in analysis.concepts:
            for position in range(concept.start, concept.end):
                alternatives[position].add(concept.term)
        # Nouns carry the topic; a verb or adjective (借りる, 遅い) alone fits many topics.
        weights: dict[str, tuple[float, frozenset[int], bool]] = {}
        for term, found, topical in zip(analysis.terms, alternatives, analysis.topical, strict=True):
            if term not in weights:
                weight = self._idf.get(term, self._unknown_idf) * (1.0 if topical else _ACTION_SHARE)
                ids = frozenset(self._term_ids[word] for word in found if word in self._term_ids)
                weights[term] = (weight, ids, topical)
        return list(weights.values())

    @staticmethod
    def _said(analysis: Analysis, rescued: dict[int, str]) -> frozenset[str]:
        """Every term by which the query can be found: words, readings, concepts, stand-ins."""
        return frozenset(
            (
                *analysis.index_terms,
                *(_READING + reading for reading in analysis.readings),
                *rescued.values(),
                *(_READING + word for word in rescued.values()),
            )
        )

    def _question_covered(self, doc: int, said: frozenset[str]) -> float:
        """How much of the entry's closest question the query says (idf-weighted, verbs and
        adjectives at _ACTION_SHARE): 「Wordにパスワードをかけたい」 covers little of
        「共有フォルダのファイルを中身で検索したい」, however much the other way round."""
        best = 0.0
        for question in self._question_words[doc]:
            named = {position for term, span in question.concepts if term in said for position in span}
            found = sum(
                weight
                for position, (weight, term, reading) in enumerate(question.words)
                if position in named or term in said or reading in said
            )
            best = max(best, found / question.total if question.total else 0.0)
        return best

    def _closeness(self, doc: int, key: str) -> float:
        questions = self._questions[doc]
        return max((fuzz.ratio(key, question) for question in questions), default=0.0) / 100.0

    @staticmethod
    def _shared(
        asked: frozenset[int], answered: frozenset[int], weights: list[tuple[float, frozenset[int], bool]]
    ) -> tuple[float, float]:
        """The idf mass of the query's words that the entry contains (coverage's numerator), and
        the part of it that its questions, alternates and keywords contain."""
        found = found_asked = 0.0
        for weight, alternatives, _ in weights:
            if not alternatives.isdisjoint(asked):
                found += weight
                found_asked += weight
            elif not alternatives.isdisjoint(answered):
                found += weight * _ANSWER_SHARE
        return found, found_asked


def _best(scores: np.ndarray, count: int) -> np.ndarray:
    """The indexes of the `count` highest non-zero scores, highest first (ties in index order)."""
    scored = np.flatnonzero(scores)
    if len(scored) > count:
        scored = np.sort(scored[np.argpartition(-scores[scored], count - 1)[:count]])
    return scored[np.argsort(-scores[scored], kind="stable")]


def _katakana_of_romaji(word: str) -> str:
    """「pasuwaado」 -> 「パスワアド」; the word itself when it does not read as romaji."""
    kana = jaconv.hira2kata(jaconv.alphabet2kana(word))
    readable = all("\u30a1" <= char <= "\u30fc" for char in kana) and not kana.startswith("ッ")
    return kana if readable else word
