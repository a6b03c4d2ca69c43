"""Cards as terminal text: the shipped cards and the elements Kotae's cards are made of."""

from __future__ import annotations

from bot.cards.base import card, execute_action, heading, open_url_action, text_block
from bot.cards.help import help_card
from bot.cards.welcome import welcome_card
from devtools.chat import answer_for_input
from devtools.render import ANSI, PLAIN, input_summary, render_card, render_text

TICKET_LIKE = card(
    [
        heading("チケット #12"),
        {
            "type": "FactSet",
            "facts": [{"title": "状態", "value": "未対応"}, {"title": "質問者", "value": "山田 花子"}],
        },
        text_block("補足", isSubtle=True, spacing="Medium"),
        {"type": "Input.Text", "id": "answer", "placeholder": "回答を入力", "isRequired": True},
        {
            "type": "ColumnSet",
            "columns": [{"type": "Column", "items": [text_block("左")]}, {"type": "Column", "items": []}],
        },
        {"type": "ActionSet", "actions": [execute_action("担当する", "ticket.claim", {"ticket": 12})]},
        {"type": "TextBlock", "text": "隠し", "isVisible": False},
    ],
    [
        execute_action("回答する", "ticket.answer", {"ticket": 12}),
        execute_action("閉じる", "ticket.close", associatedInputs="none"),
        open_url_action("マニュアル", "https://example.lg.jp/manual"),
        {
            "type": "Action.ShowCard",
            "title": "重複として閉じる",
            "card": card(
                [{"type": "Input.Number", "id": "duplicate_of", "placeholder": "元のチケット番号"}],
                [execute_action("リンク", "ticket.link_duplicate", {"ticket": 12})],
            ),
        },
    ],
)


def test_welcome_card_reads_as_heading_text_and_examples():
    rendered = render_card(welcome_card("ja"))
    assert rendered.lines[0] == "**こんにちは、Kotae(答え)です**"
    assert "- Wi-Fiにつながらない" in rendered.lines
    # The examples title has Medium spacing: a blank line sets it apart.
    assert rendered.lines[rendered.lines.index("**たとえば:**") - 1] == ""
    assert rendered.buttons == []


def test_help_card_keeps_markdown_as_is():
    text = render_card(help_card("en")).text
    assert text.startswith("**How to use Kotae**\n")
    assert "- **help**: show this help" in text


def test_ticket_like_card_numbers_buttons_in_reading_order_with_their_inputs():
    rendered = render_card(TICKET_LIKE, first_number=4)
    lines = rendered.lines
    assert lines[:3] == ["**チケット #12**", "状態: 未対応", "質問者: 山田 花子"]
    assert "[answer] 回答を入力" in lines
    assert "左" in lines
    assert "隠し" not in rendered.text
    assert [(button.number, button.title) for button in rendered.buttons] == [
        (4, "担当する"),
        (5, "回答する"),
        (6, "閉じる"),
        (7, "マニュアル"),
        (8, "リンク"),
    ]
    assert "[7] マニュアル  https://example.lg.jp/manual" in lines
    claim, answer, close, manual, link = rendered.buttons
    assert [element["id"] for element in answer.inputs] == ["answer"]
    assert close.inputs == ()
    assert manual.inputs == ()
    # A ShowCard is shown opened and indented; its action submits its own inputs and its parent's.
    assert "▾ 重複として閉じる" in lines
    assert "    [duplicate_of] 元のチケット番号" in lines
    assert "    [8] リンク" in lines
    assert [element["id"] for element in link.inputs] == ["answer", "duplicate_of"]
    assert claim.action["data"] == {"ticket": 12}


def test_ansi_style_makes_headings_bold_and_subtle_text_dim():
    lines = render_card(TICKET_LIKE, style=ANSI).lines
    assert lines[0] == "\x1b[1mチケット #12\x1b[0m"
    assert "\x1b[2m補足\x1b[0m" in lines
    assert render_card(TICKET_LIKE, style=PLAIN).lines[0] == "**チケット #12**"


def test_unknown_elements_are_named_not_dropped():
    rendered = render_card(card([{"type": "Media", "sources": []}, {"type": "Image", "url": "x.png"}]))
    assert rendered.lines == ["[Media]", "[image: x.png]"]


def test_markdown_escapes_read_as_teams_shows_them():
    # A UNC path from the FAQ (backslashes doubled for Teams) and a user's words with Markdown escaped.
    assert render_text(r"\\\\fileserver\\share") == r"\\fileserver\share"
    assert render_text(r"\- Wi\-Fi\_設定 **大事** \[1\]") == "- Wi-Fi_設定 **大事** [1]"
    assert render_text(r"C:\Users") == r"C:\Users"  # not an escape: kept


def test_mentions_read_as_at_names():
    assert (
        render_text("<at>佐藤 健</at> さん、チケット #3 を担当しました")
        == "@佐藤 健 さん、チケット #3 を担当しました"
    )


def test_inputs_are_summarised_with_choices_and_defaults():
    choice = {
        "type": "Input.ChoiceSet",
        "id": "category",
        "choices": [{"title": "ネットワーク", "value": "network"}, {"title": "PC", "value": "pc"}],
    }
    assert input_summary(choice) == "[category] ネットワーク / PC"
    assert input_summary({"type": "Input.Toggle", "id": "urgent", "title": "至急"}) == "[urgent] ☐ 至急"
    on = {"type": "Input.Toggle", "id": "share", "title": "共有", "value": "true"}
    assert input_summary(on) == "[share] ☑ 共有"
    assert input_summary({**on, "valueOn": "yes"}) == "[share] ☐ 共有"
    assert input_summary({"type": "Input.Text", "id": "note", "value": "x"}) == "[note] (= x)"


def test_typed_answers_become_the_values_teams_would_submit():
    choice = {
        "type": "Input.ChoiceSet",
        "id": "category",
        "choices": [{"title": "ネットワーク", "value": "network"}, {"title": "PC", "value": "pc"}],
    }
    assert answer_for_input(choice, "２") == "pc"  # a full-width digit, as a Japanese IME types it
    assert answer_for_input(choice, "ネットワーク") == "network"
    assert answer_for_input(choice, "printer") is None
    assert answer_for_input({**choice, "isMultiSelect": True}, "1, pc") == "network,pc"
    toggle = {"type": "Input.Toggle", "id": "urgent", "valueOn": "yes", "valueOff": "no"}
    assert [answer_for_input(toggle, text) for text in ("はい", "n", "", "maybe")] == [
        "yes",
        "no",
        "no",
        None,
    ]
    text = {"type": "Input.Text", "id": "note", "value": "既定"}
    assert (answer_for_input(text, "  新しい値 "), answer_for_input(text, "")) == ("新しい値", "既定")
