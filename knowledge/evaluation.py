"""What the matcher's decisions on labelled questions add up to: the figures Kotae is judged by.

A question ends without a person when it is answered right outright, or when the right entry is one
click away (among the choices offered). A confident wrong answer is the worst outcome; an answerable
question sent to ICT staff with no choices is the next worst.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import NamedTuple

CHOICES = 3  # how many entries a "did you mean" offers


class Judged(NamedTuple):
    """One labelled question and what the matcher did with it."""

    kind: str  # answer, clarify or escalate
    ranked: Sequence[str]  # entry ids, best first
    expected: frozenset[str]  # right entries; empty when the question is out of scope


def summarize(judged: Iterable[Judged]) -> dict[str, float | int]:
    """Ranking figures over the answerable questions; decision figures over the right groups."""
    cases = answerable = p1 = hit3 = 0
    mrr = 0.0
    answered_right = answered_wrong = one_click = escalated_answerable = 0
    out_of_scope_answered = out_of_scope_escalated = 0
    for kind, ranked, expected in judged:
        cases += 1
        right = bool(ranked) and ranked[0] in expected
        if kind == "answer" and not right:
            answered_wrong += 1
        if not expected:
            out_of_scope_answered += kind == "answer"
            out_of_scope_escalated += kind == "escalate"
            continue
        answerable += 1
        in_choices = any(entry in expected for entry in ranked[:CHOICES])
        p1 += right
        hit3 += in_choices
        mrr += next((1 / rank for rank, entry in enumerate(ranked, 1) if entry in expected), 0.0)
        answered_right += kind == "answer" and right
        one_click += (kind == "answer" and right) or (kind == "clarify" and in_choices)
        escalated_answerable += kind == "escalate"
    out_of_scope = cases - answerable
    n, a, o = cases or 1, answerable or 1, out_of_scope or 1
    return {
        "cases": cases,
        "answerable": answerable,
        "out_of_scope": out_of_scope,
        "p_at_1": p1 / a,
        "hit_at_3": hit3 / a,
        "mrr_at_10": mrr / a,
        # answerable questions answered right outright, or with the right entry among the choices
        "one_click_rate": one_click / a,
        "answered_right_rate": answered_right / a,
        "escalated_answerable_rate": escalated_answerable / a,
        # wrong answers (an out-of-scope question answered counts), as a share of all questions
        "confident_wrong_rate": answered_wrong / n,
        "out_of_scope_not_answered_rate": 1 - out_of_scope_answered / o if out_of_scope else 1.0,
        "out_of_scope_escalated_rate": out_of_scope_escalated / o,
    }


METRICS: Sequence[str] = (
    "p_at_1",
    "hit_at_3",
    "one_click_rate",
    "answered_right_rate",
    "escalated_answerable_rate",
    "confident_wrong_rate",
    "out_of_scope_not_answered_rate",
)
