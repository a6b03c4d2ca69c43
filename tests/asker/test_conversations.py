"""The asker's conversations over real HTTP, with Teams-shaped activities and the connector emulator."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from bot.asker.models import FeedbackVote, SuggestedAlternate
from bot.storage.models import LanguagePreference
from bot.tickets.models import Ticket, TicketEvent
from devtools.activities import Person, Place
from tests.asker.conversation import Chat, action, actions_of, texts_of

CHANNEL = "19:general0000000000000000000000000@thread.tacv2"
TEAM = "19:team000000000000000000000000000@thread.tacv2"
CARD = "application/vnd.microsoft.card.adaptive"
MESSAGE = "application/vnd.microsoft.activity.message"


async def _rows(chat: Chat, model, *where):
    async with chat.bot.runtime.services.sessions() as session:
        return (await session.scalars(select(model).where(*where))).all()


async def test_a_personal_question_gets_the_right_answer(chat: Chat):
    card = await chat.card("wifiつながんない")
    assert card["body"][0]["text"] == "庁内Wi-Fiにつながらない"
    assert "CITY-STAFF" in texts_of(card)
    assert action(card, "helpful")["title"] == "解決した"
    assert action(card, "not_helpful")["title"] == "解決しない"
    urls = [item["url"] for item in actions_of(card) if item["type"] == "Action.OpenUrl"]
    assert urls == [
        "http://portal.intra.example.lg.jp/ict/network/wifi.html",
        "http://portal.intra.example.lg.jp/ict/status/",
    ]
    assert action(card, "helpful")["data"]["entry"] == "wifi-cannot-connect"


async def test_unc_paths_keep_their_backslashes_and_are_not_buttons(chat: Chat):
    card = await chat.card("複合機でスキャンしてPCや共有フォルダに保存したい")  # this test is about rendering
    assert card["body"][0]["text"] == "複合機でスキャンしてPCや共有フォルダに保存したい"
    # Markdown turns \\ into \: every backslash is doubled so Teams shows the path as written.
    assert "\\\\\\\\fileserver\\\\scan" in texts_of(card)
    assert all(not item.get("url", "").startswith("\\") for item in actions_of(card))


async def test_a_channel_mention_with_a_full_width_space_is_answered_in_its_thread(chat: Chat):
    chat.place = Place.channel(CHANNEL, TEAM, thread_root="1700000000123")
    (reply,) = await chat.say("\u3000wifiつながんない")
    assert reply.kind == "reply"
    assert reply.conversation_id == f"{CHANNEL};messageid=1700000000123"
    assert reply.cards[0]["body"][0]["text"] == "庁内Wi-Fiにつながらない"


async def test_a_channel_message_without_a_mention_is_left_to_the_people(chat: Chat):
    chat.place = Place.channel(CHANNEL, TEAM, thread_root="1700000000124")
    assert await chat.say("wifiつながんない", mention=False) == []


async def test_a_group_chat_mention_is_answered_in_the_chat(chat: Chat):
    chat.place = Place.group_chat("office")
    (reply,) = await chat.say("公用スマホに電話帳を取り込みたい")
    assert reply.conversation_id == "19:office@thread.v2"
    assert reply.cards[0]["body"][0]["text"] == "公用スマホの電話帳に連絡先をまとめて取り込みたい"


async def test_clarify_then_choose_shows_that_answer_and_records_the_pick(chat: Chat):
    card = await chat.card("PDF")
    assert card["body"][0]["text"] == "もしかして、次のどれかのことですか?"
    choices = [item for item in actions_of(card) if item["verb"] == "choose"]
    assert len(choices) == 3
    assert action(card, "ask_ict")["title"] == "どれでもない(ICT担当に質問する)"
    picked = choices[1]
    reply = await chat.click(picked)
    assert reply.body["type"] == CARD
    assert reply.body["value"]["body"][0]["text"] == picked["title"]
    await chat.click(picked)  # a double click keeps one pick
    (pick,) = await _rows(chat, SuggestedAlternate)
    assert (pick.query, pick.entry_id, pick.user_aad_object_id) == (
        "PDF",
        picked["data"]["entry"],
        chat.person.aad_object_id,
    )


async def test_votes_are_stored_once_per_user_and_a_second_click_changes_them(chat: Chat):
    card = await chat.card("wifiつながんない")
    helpful = await chat.click(action(card, "helpful"))
    assert helpful.body == {
        "statusCode": 200,
        "type": MESSAGE,
        "value": "お知らせいただきありがとうございます。解決してよかったです。",
    }
    await chat.click(action(card, "helpful"))
    (vote,) = await _rows(chat, FeedbackVote)
    assert (vote.vote, vote.entry_id, vote.query, vote.decision) == (
        "helpful",
        "wifi-cannot-connect",
        "wifiつながんない",
        "answer",
    )
    assert 0 < vote.score <= 1
    await chat.click(action(card, "not_helpful"))
    (vote,) = await _rows(chat, FeedbackVote)
    assert vote.vote == "not_helpful"
    second = await chat.card("wifiつながんない")  # a new answer card is a new answer: its own vote
    await chat.click(action(second, "helpful"))
    assert len(await _rows(chat, FeedbackVote)) == 2


async def test_not_helpful_offers_the_next_best_entries_and_ict(chat: Chat):
    card = await chat.card("PDFを結合したい")
    reply = await chat.click(action(card, "not_helpful"))
    alternatives = reply.body["value"]
    assert alternatives["body"][0]["text"] == "お役に立てず申し訳ありません。こちらはいかがですか?"
    entries = [item["data"]["entry"] for item in actions_of(alternatives) if item["verb"] == "choose"]
    assert entries
    assert "pdf-merge" not in entries
    assert action(alternatives, "ask_ict")["title"] == "ICTに質問する"
    chosen = await chat.click(action(alternatives, "choose"))
    assert action(chosen.body["value"], "helpful")["data"]["decision"] == "alternative"


async def test_escalate_then_send_twice_makes_one_ticket(chat: Chat):
    card = await chat.card("犬の散歩")
    assert card["body"][0]["text"] == "ICT担当に質問しますか?"
    send = action(card, "escalate")
    inputs = {"details": "3階の会議室です"}
    first, second = await asyncio.gather(chat.click(send, inputs), chat.click(send, inputs))
    third = await chat.click(send, inputs)  # a Teams retry, later
    receipts = {reply.body["value"]["body"][0]["text"] for reply in (first, second, third)}
    assert receipts == {"ICT担当に送りました(受付番号 #1)"}
    (ticket,) = await _rows(chat, Ticket)
    assert (ticket.number, ticket.question, ticket.details) == (
        1,
        "犬の散歩",
        "3階の会議室です",
    )
    assert ticket.asker_aad_object_id == chat.person.aad_object_id
    assert ticket.asker_conversation_id == f"a:personal-{chat.person.aad_object_id}"
    assert ticket.language == "ja"
    assert ticket.candidates
    assert len(await _rows(chat, TicketEvent)) == 1


async def test_a_channel_escalation_notifies_the_thread(chat: Chat):
    chat.place = Place.channel(CHANNEL, TEAM, thread_root="1700000000200")
    card = await chat.card("犬の散歩")
    await chat.click(action(card, "escalate"))
    (ticket,) = await _rows(chat, Ticket)
    assert ticket.asker_conversation_id == f"{CHANNEL};messageid=1700000000200"
    assert ticket.asker_conversation_type == "channel"


async def test_ask_ict_from_did_you_mean_and_cancel(chat: Chat):
    card = await chat.card("PDF")
    escalation = (await chat.click(action(card, "ask_ict"))).body["value"]
    assert "PDF" in texts_of(escalation)
    cancelled = await chat.click(action(escalation, "cancel"))
    assert "取りやめました" in texts_of(cancelled.body["value"])
    assert await _rows(chat, Ticket) == []


async def test_someone_elses_clicks_on_the_askers_card_are_refused(chat: Chat, bob: Person):
    chat.place = Place.channel(CHANNEL, TEAM, thread_root="1700000000300")
    answer = await chat.card("wifiつながんない")
    escalation = await chat.card("犬の散歩")
    for card_action in (
        action(answer, "helpful"),
        action(answer, "not_helpful"),
        action(escalation, "escalate"),
        action(escalation, "cancel"),
    ):
        reply = await chat.click(card_action, by=bob)
        assert reply.body["type"] == MESSAGE
        assert reply.body["value"].startswith("このボタンは質問した方だけが使えます")
    assert await _rows(chat, FeedbackVote) == []
    assert await _rows(chat, Ticket) == []


async def test_greetings_and_thanks_get_a_friendly_reply(chat: Chat):
    (hello,) = await chat.say("こんにちは!")
    (thanks,) = await chat.say("ありがとうございました。助かりました")
    (english,) = await chat.say("Thank you!", locale="en-US")
    assert hello.text.startswith("こんにちは。")
    assert thanks.text.startswith("どういたしまして")
    assert english.text.startswith("You're welcome")
    assert not hello.cards
    assert not thanks.cards


async def test_an_image_is_offered_to_ict_with_its_link_kept(chat: Chat):
    image = {
        "contentType": "image/png",
        "contentUrl": "https://smba.example/v3/attachments/abc/views/original",
        "name": "error.png",
    }
    html = {"contentType": "text/html", "content": "<div>このエラーが出ます</div>"}
    card = await chat.card("このエラーが出ます", attachments=[image, html])
    assert "画像やファイルの中身は読み取れません" in texts_of(card)
    assert "error.png" in texts_of(card)
    await chat.click(action(card, "escalate"))
    (ticket,) = await _rows(chat, Ticket)
    assert ticket.attachments == [
        {"name": "error.png", "url": image["contentUrl"], "content_type": "image/png"}
    ]
    assert ticket.question == "このエラーが出ます"


async def test_an_image_alone_becomes_a_ticket_with_a_placeholder_question(chat: Chat):
    file = {
        "contentType": "application/vnd.microsoft.teams.file.download.info",
        "name": "log.txt",
        "content": {"downloadUrl": "https://files.example/log.txt", "fileType": "txt"},
    }
    card = await chat.card("", attachments=[file])
    await chat.click(action(card, "escalate"))
    (ticket,) = await _rows(chat, Ticket)
    assert ticket.question == "(本文なし。添付ファイル: log.txt)"
    assert ticket.attachments[0]["url"] == "https://files.example/log.txt"


async def test_english_locale(chat: Chat):
    chat.locale = "en-US"
    card = await chat.card("I forgot my password")
    assert action(card, "helpful")["title"] == "Helpful"
    clarify = await chat.card("PDF")  # a bare topic word: several entries fit
    assert clarify["body"][0]["text"] == "Did you mean one of these?"
    escalation = await chat.card("what is the xyzzy")  # nothing in the FAQ is near it
    assert escalation["body"][0]["text"] == "Ask the ICT staff?"


async def test_a_question_in_english_gets_english_cards_on_a_japanese_client(chat: Chat):
    chat.locale = "ja-JP"
    escalation = await chat.card("what is the xyzzy")
    assert escalation["body"][0]["text"] == "Ask the ICT staff?"
    card = await chat.card("公用スマホに電話帳を取り込みたい")
    assert action(card, "helpful")["title"] == "解決した"


async def test_the_language_override_wins_over_the_locale(chat: Chat):
    (changed,) = await chat.say("言語 英語")
    assert changed.text == "From now on I'll answer in English."
    # A topic with only a Japanese entry, so the answer is certain in either language.
    card = await chat.card("公用スマホに電話帳を取り込みたい")  # the activity still says ja-JP
    assert action(card, "helpful")["title"] == "Helpful"
    (prefs,) = await _rows(chat, LanguagePreference)
    assert prefs.lang == "en"
    picker = await chat.card("language")
    reply = await chat.click(action(picker, "language", 0))
    assert reply.body["value"] == "これからは日本語でお答えします。"
    card = await chat.card("公用スマホに電話帳を取り込みたい")
    assert action(card, "helpful")["title"] == "解決した"


async def test_empty_messages_and_a_bare_mention_get_a_prompt(chat: Chat):
    (empty,) = await chat.say("")
    chat.place = Place.channel(CHANNEL, TEAM, thread_root="1700000000400")
    (mention_only,) = await chat.say("\u3000")
    for reply in (empty, mention_only):
        assert reply.text.startswith("ご用件をお書きください")


async def test_a_long_message_is_answered_on_its_first_part_and_says_so(chat: Chat):
    text = "wifiつながんない。" + "朝からずっと庁内Wi-Fiにつながらず、何度やり直してもつながりません。" * 60
    note, reply = await chat.say(text)
    # The ticket would keep 2,000 characters, but the matcher reads 500: the asker is told that.
    assert note.text == "メッセージが長いため、最初の500文字だけを読んでお答えしています。"
    # Answered, or asked about with the Wi-Fi entry first: either way read from the first part.
    (card,) = reply.cards
    offered = [
        item["data"]["entry"] for item in actions_of(card) if item.get("verb") in ("helpful", "choose")
    ]
    assert offered[0] == "wifi-cannot-connect"


async def test_expired_unknown_and_forged_cards_get_a_helpful_reply(chat: Chat):
    card = await chat.card("PDF")
    choose = action(card, "choose")
    removed = {**choose, "data": {**choose["data"], "entry": "no-such-entry"}}
    truncated = {**choose, "data": {"asker": chat.person.aad_object_id}}
    old_more = {"verb": "more", "data": {"entry": "pdf-merge", "offset": 10, "version": "0ld"}}
    empty_send = {
        "verb": "escalate",
        "data": {"asker": chat.person.aad_object_id, "key": "k", "question": " "},
    }
    unknown = {"verb": "no_such_verb", "data": {}}
    for stale in (removed, truncated, old_more, empty_send):
        reply = await chat.click(stale)
        assert (
            reply.body["value"]
            == "このカードは古くなっているため使えません。お手数ですが、もう一度質問を送ってください。"
        )
    reply = await chat.click(unknown)
    assert reply.body["type"] == MESSAGE
    assert reply.body["value"]
    assert await _rows(chat, SuggestedAlternate) == []
    assert await _rows(chat, Ticket) == []


async def test_my_questions_and_cancel_withdraw_my_ticket(chat: Chat, bob: Person):
    none_yet = await chat.card("自分の質問")
    assert "まだありません" in texts_of(none_yet)
    (nothing,) = await chat.say("キャンセル")
    assert nothing.text == "取り消す操作や、取り下げられる質問はありません。"
    card = await chat.card("犬の散歩")
    await chat.click(action(card, "escalate"))
    listing = await chat.card("自分の質問")
    assert listing["body"][1]["text"].startswith("#1 受付済み(")
    assert "犬の散歩" in texts_of(listing)
    (which,) = await chat.say("cancel")
    assert which.text.endswith("#1")
    bobs_chat = Chat(chat.bot, chat.teams, chat.emulator, bob, Place.personal(bob), chat.schemas_dir)
    (refused,) = await bobs_chat.say("キャンセル 1")
    assert "見つかりませんでした" in refused.text
    (done,) = await chat.say("キャンセル #1")
    assert done.text == "質問 #1 を取り下げました。ICT担当にも伝えます。"
    (again,) = await chat.say("キャンセル 1")
    assert again.text == "質問 #1 は「取り下げ」のため、取り下げられません。"
    (ticket,) = await _rows(chat, Ticket)
    assert ticket.state == "withdrawn"
    async with chat.bot.runtime.services.sessions() as session:
        actions = (await session.scalars(select(TicketEvent.action).order_by(TicketEvent.id))).all()
        assert actions == ["open", "withdraw"]
        assert await session.scalar(select(func.count()).select_from(Ticket)) == 1


async def test_an_image_pasted_into_a_channel_message_is_kept_from_its_html(chat: Chat):
    chat.place = Place.channel(CHANNEL, TEAM, thread_root="1700000000500")
    url = "https://us-api.asm.skype.com/v1/objects/0-ea-d1/views/imgo"
    html = {
        "contentType": "text/html",
        "content": f'<div><at>Kotae</at> 印刷できません <img src="{url}&amp;v=1" alt="image"></div>',
    }
    card = await chat.card("印刷できません", attachments=[html])
    await chat.click(action(card, "escalate"))
    (ticket,) = await _rows(chat, Ticket)
    assert ticket.attachments == [{"name": "image-1", "url": f"{url}&v=1", "content_type": "image"}]


async def test_a_forged_send_with_someone_elses_key_opens_nothing(chat: Chat, bob: Person):
    card = await chat.card("犬の散歩")
    send = action(card, "escalate")
    await chat.click(send)
    forged = {**send, "data": {**send["data"], "asker": bob.aad_object_id}}
    reply = await chat.click(forged, by=bob)
    assert reply.body["value"].startswith("このボタンは質問した方だけが使えます")
    (ticket,) = await _rows(chat, Ticket)
    assert ticket.asker_aad_object_id == chat.person.aad_object_id
