"""Privacy: the retention purge clears the asker's words from old votes and picks; a person's records export."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from bot.asker.disclosure import export_asker_records
from bot.asker.models import FeedbackVote, SuggestedAlternate
from bot.asker.retention import purge_asker_texts
from bot.storage.models import utcnow
from tests.asker.conversation import Chat, action


async def test_old_queries_are_cleared_and_votes_kept(chat: Chat):
    answer = await chat.card("wifiつながんない")
    await chat.click(action(answer, "helpful"))
    clarify = await chat.card("PDF")
    await chat.click(action(clarify, "choose"))
    sessions = chat.bot.runtime.services.sessions
    async with sessions.begin() as session:
        recent = await purge_asker_texts(session, older_than=timedelta(days=30), now=utcnow())
        later = await purge_asker_texts(
            session, older_than=timedelta(days=30), now=utcnow() + timedelta(days=31)
        )
        again = await purge_asker_texts(
            session, older_than=timedelta(days=30), now=utcnow() + timedelta(days=31)
        )
    assert (recent.votes, recent.picks) == (0, 0)
    assert (later.votes, later.picks) == (1, 1)
    assert (again.votes, again.picks) == (0, 0)
    async with sessions() as session:
        (vote,) = (await session.scalars(select(FeedbackVote))).all()
        (pick,) = (await session.scalars(select(SuggestedAlternate))).all()
    assert (vote.query, vote.vote, vote.entry_id) == (None, "helpful", "wifi-cannot-connect")
    assert (pick.query, pick.entry_id) == (None, action(clarify, "choose")["data"]["entry"])


async def test_the_running_bots_housekeeping_clears_the_askers_old_words(chat: Chat):
    """The runtime hands the asker's purge to the desk's housekeeping (the desk does not import the asker)."""
    await chat.click(action(await chat.card("wifiつながんない"), "helpful"))
    await chat.click(action(await chat.card("PDF"), "choose"))
    runtime = chat.bot.runtime
    old = utcnow() - timedelta(days=runtime.settings.retention_days + 1)
    async with runtime.services.sessions.begin() as session:
        await session.execute(update(FeedbackVote).values(voted_at=old))
    await runtime.desk.housekeeping.run_once()
    async with runtime.services.sessions() as session:
        (vote,) = (await session.scalars(select(FeedbackVote))).all()
        (pick,) = (await session.scalars(select(SuggestedAlternate))).all()
    assert (vote.query, vote.entry_id) == (None, "wifi-cannot-connect")
    assert pick.query == "PDF"  # younger than the retention: kept


async def test_a_persons_records_are_exported(chat: Chat, bob):
    answer = await chat.card("wifiつながんない")
    await chat.click(action(answer, "not_helpful"))
    await chat.say("language en")
    async with chat.bot.runtime.services.sessions() as session:
        mine = await export_asker_records(session, chat.person.aad_object_id)
        others = await export_asker_records(session, bob.aad_object_id)
    assert [vote["vote"] for vote in mine["feedback_votes"]] == ["not_helpful"]
    assert mine["feedback_votes"][0]["query"] == "wifiつながんない"
    assert isinstance(mine["feedback_votes"][0]["voted_at"], str)
    assert mine["suggested_alternates"] == []
    assert [row["lang"] for row in mine["language_preferences"]] == ["en"]
    assert others == {
        "feedback_votes": [],
        "suggested_alternates": [],
        "language_preferences": [],
        "question_log": [],
    }
