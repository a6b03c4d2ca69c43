"""The asker's flow without Teams: what each kind of message becomes."""

from __future__ import annotations

from pathlib import Path

import pytest

from dialogs import (
    MAX_QUESTION_CHARS,
    Answer,
    AskerFlow,
    Attachment,
    AttachmentOffer,
    Clarify,
    Escalate,
    Prompt,
    SmallTalk,
    SmallTalkReply,
    small_talk,
)
from knowledge import Matcher, load
from tests.conftest import REPO


@pytest.fixture(scope="module")
def flow() -> AskerFlow:
    matcher = Matcher(load(Path(REPO / "knowledge" / "faq")))
    return AskerFlow(lambda: matcher)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("こんにちは", SmallTalk.GREETING),
        ("こんにちはー!", SmallTalk.GREETING),
        ("おはようございます。", SmallTalk.GREETING),
        ("Hello", SmallTalk.GREETING),
        ("ありがとうございます", SmallTalk.THANKS),
        ("ありがとうございました！助かりました🙏", SmallTalk.THANKS),
        ("こんにちは、ありがとう", SmallTalk.THANKS),
        ("ｔｈａｎｋ　ｙｏｕ", SmallTalk.THANKS),
        ("Thanks a lot!", SmallTalk.THANKS),
        ("こんにちは、Wi-Fiにつながりません", None),
        ("ありがとうの意味", None),
        ("hiroshima", None),
        ("", None),
        ("!!!", None),
    ],
)
def test_small_talk(text, expected):
    assert small_talk(text) is expected


def test_the_three_decisions(flow: AskerFlow):
    answer = flow.respond("wifiつながんない", "ja")
    assert isinstance(answer, Answer)
    assert answer.hit.entry.id == "wifi-cannot-connect"
    clarify = flow.respond("PDF", "ja")
    assert isinstance(clarify, Clarify)
    assert len(clarify.hits) == 3
    escalate = flow.respond("宇宙人が庁舎に来ました", "ja")
    assert isinstance(escalate, Escalate)
    assert escalate.question == "宇宙人が庁舎に来ました"


def test_empty_greeting_and_attachments(flow: AskerFlow):
    assert flow.respond("   ", "ja") == Prompt()
    assert flow.respond("ありがとう", "ja") == SmallTalkReply(SmallTalk.THANKS)
    image = Attachment("shot.png", "https://example/shot.png", "image/png")
    offer = flow.respond("", "ja", [image])
    assert offer == AttachmentOffer("", (image,), (), False)
    with_text = flow.respond("プリンタのエラー", "ja", [image])
    assert isinstance(with_text, AttachmentOffer)
    assert with_text.hits


def test_a_long_message_is_cut(flow: AskerFlow):
    outcome = flow.respond("wifiつながんない " + "あ" * 3000, "ja")
    assert outcome.cut
    assert len(outcome.question) == MAX_QUESTION_CHARS


def test_alternatives_leave_out_the_unhelpful_entry(flow: AskerFlow):
    others = flow.alternatives("PDFを結合したい", "ja", excluding="pdf-merge")
    assert 0 < len(others) <= 3
    assert "pdf-merge" not in {hit.entry.id for hit in others}
    assert flow.entry("pdf-merge") is not None
    assert flow.entry("gone") is None
