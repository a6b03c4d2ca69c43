"""The ranking rules: match first, then the asker's team, then who was asked least recently; a
threshold; at most three; a topic naming the FAQ category matches fully. The analyzer is the
knowledge base's own, so 表記ゆれ (Excel / エクセル) meets."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.knowhow.matching import Helper, Match, rank
from bot.knowhow.profiles import topic_key
from knowledge import Matcher, MatchSettings, load
from tests.conftest import REPO


@pytest.fixture(scope="module")
def terms():
    return Matcher(load(Path(REPO / "knowledge" / "faq")), MatchSettings()).terms


def _at(hour: int) -> datetime:
    return datetime(2026, 12, 3, hour, tzinfo=UTC)


def _rank(helpers, question, terms, **options):
    settings = {"category_key": None, "team_id": None, "threshold": 0.5, "topic_key": topic_key, **options}
    return rank(helpers, question, terms, **settings)


def test_spelling_variants_match_fully(terms):
    helpers = [Helper("a", ["Excelマクロ"], [], None)]
    assert _rank(helpers, "ｴｸｾﾙのマクロが動かない", terms) == [Match("a", 1.0, "Excelマクロ")]


def test_partial_matches_rank_below_full_ones_and_the_threshold_cuts(terms):
    helpers = [
        Helper("half", ["PDF編集"], [], None),
        Helper("full", ["PDF"], [], None),
        Helper("none", ["Power Automate"], [], None),
    ]
    assert _rank(helpers, "PDFを結合したい", terms) == [
        Match("full", 1.0, "PDF"),
        Match("half", 0.5, "PDF編集"),
    ]
    assert _rank(helpers, "PDFを結合したい", terms, threshold=0.6) == [Match("full", 1.0, "PDF")]


def test_ties_go_to_the_asker_s_team_then_to_who_was_asked_least_recently(terms):
    helpers = [
        Helper("recent", ["VPN"], [], _at(9)),
        Helper("never", ["VPN"], [], None),
        Helper("earlier", ["VPN"], [], _at(8)),
        Helper("teammate", ["VPN"], ["team-1"], _at(10)),
    ]
    ranked = _rank(helpers, "VPNに繋がらない", terms, team_id="team-1")
    assert [match.aad_object_id for match in ranked] == ["teammate", "never", "earlier"]


def test_the_best_of_a_helpers_topics_is_the_match(terms):
    helpers = [Helper("a", ["Power Automate", "PDF編集", "PDF"], [], None)]
    assert _rank(helpers, "PDFを結合したい", terms) == [Match("a", 1.0, "PDF")]


def test_a_topic_naming_the_faq_category_matches(terms):
    helpers = [Helper("net", ["Network"], [], None)]
    assert _rank(helpers, "つながらない", terms, category_key="network") == [Match("net", 1.0, "Network")]
    assert _rank(helpers, "つながらない", terms) == []
