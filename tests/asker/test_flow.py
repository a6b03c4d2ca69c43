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
        ("アリガトウ〜", SmallTalk.THANKS),  # folded like the knowledge base: kana in either script
        ("どうもっ", SmallTalk.THANKS),
        ("こんにちは、Wi-Fiにつながりません", None),
        ("ありがとうの意味", None),
        ("hiroshima", None),
        ("", None),
        ("!!!", None),
    ],
)
def test_small_talk(text, expected):
    assert small_talk(text) is expected


async def test_the_three_decisions(flow: AskerFlow):
    answer = await flow.respond("wifiつながんない", "ja")
    assert isinstance(answer, Answer)
    assert answer.hit.entry.id == "wifi-cannot-connect"
    clarify = await flow.respond("PDF", "ja")
    assert isinstance(clarify, Clarify)
    assert len(clarify.hits) == 3
    escalate = await flow.respond("🙂🙂🙂", "ja")
    assert isinstance(escalate, Escalate)
    assert escalate.question == "🙂🙂🙂"
    # An out-of-scope question that shares a word with an entry is offered choices, not answered.
    assert isinstance(await flow.respond("宇宙人が庁舎に来ました", "ja"), Clarify | Escalate)


async def test_empty_greeting_and_attachments(flow: AskerFlow):
    assert await flow.respond("   ", "ja") == Prompt()
    assert await flow.respond("ありがとう", "ja") == SmallTalkReply(SmallTalk.THANKS)
    image = Attachment("shot.png", "https://example/shot.png", "image/png")
    offer = await flow.respond("", "ja", [image])
    assert offer == AttachmentOffer("", (image,), (), False)
    with_text = await flow.respond("プリンタのエラー", "ja", [image])
    assert isinstance(with_text, AttachmentOffer)
    assert with_text.hits


async def test_a_long_message_is_cut(flow: AskerFlow):
    outcome = await flow.respond("wifiつながんない " + "あ" * 3000, "ja")
    assert outcome.cut
    assert len(outcome.question) == MAX_QUESTION_CHARS


async def test_the_asker_is_told_when_the_matcher_reads_only_the_start(flow: AskerFlow):
    """The flow keeps 2,000 characters (for ICT staff) but the matcher reads fewer: that is a cut too."""
    limit = flow.read_limit()
    assert limit < MAX_QUESTION_CHARS
    outcome = await flow.respond("wifiつながんない " + "あ" * limit, "ja")
    assert outcome.cut
    assert not (await flow.respond("wifiつながんない", "ja")).cut


def test_a_question_in_english_is_answered_in_english():
    assert AskerFlow.reply_language("my printer is not working", "ja") == "en"
    assert AskerFlow.reply_language("プリンタが動かない", "en") == "en"
    assert AskerFlow.reply_language("プリンタが動かない", "ja") == "ja"
    assert AskerFlow.reply_language("VPN 遅い", "ja") == "ja"


async def test_alternatives_leave_out_the_unhelpful_entry(flow: AskerFlow):
    others = await flow.alternatives("PDFを結合したい", "ja", excluding="pdf-merge")
    assert 0 < len(others) <= 3
    assert "pdf-merge" not in {hit.entry.id for hit in others}
    # Not its English twin either (en-pdf-merge-split ranks right after it when asked this way).
    hits = await flow.candidates("PDF merge したい", "ja")
    assert "en-pdf-merge-split" in {hit.entry.id for hit in hits}
    others = await flow.alternatives("PDF merge したい", "ja", excluding="pdf-merge")
    assert all(hit.entry.lang == "ja" for hit in others)
    assert flow.entry("pdf-merge") is not None
    assert flow.entry("gone") is None
