"""The authentication alarm: an expired secret or a refused token is said once, loudly, and loses nothing.

The real botbuilder credentials and MSAL ask a stand-in for Entra ID's token endpoint
(`devtools/entra.py`), which answers AADSTS7000222 as Entra does for an expired secret; the connector
emulator answers 401 where the Bot Connector refuses a token.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from botbuilder.schema import Activity
from botframework.connector.auth import MicrosoftAppCredentials
from botframework.connector.models import ErrorResponseException
from sqlalchemy import select

from bot.connector_auth import connector_auth_failure
from bot.desk.auth_alarm import AUTH_FAILED_EVENT, ConnectorAuthAlarm
from bot.desk.outbox import OutboxWorker
from bot.desk.teams_delivery import remember_thread
from bot.logs import EVENT
from bot.tickets.effects import enqueue
from bot.tickets.models import OutboxKind, OutboxMessage
from devtools.activities import Person, Place, TeamsActivities
from devtools.emulator import ConnectorEmulator
from devtools.entra import EntraStandIn
from tests.conftest import AUTHENTICATED, SettingsFactory
from tests.desk.conftest import Database
from tests.desk.test_desk_http import ICT, STAFF, Desk
from tests.harness import BotUnderTest

NEW_THREAD = r"^/v3/conversations$"
APP_ID = AUTHENTICATED["app_id"]


@pytest.fixture
def entra(monkeypatch: pytest.MonkeyPatch) -> Iterator[EntraStandIn]:
    """Entra ID's token endpoint on loopback, reached by the real MSAL through a proxy."""
    stand_in = EntraStandIn()
    stand_in.start()
    monkeypatch.setenv("HTTPS_PROXY", stand_in.proxy_url)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(stand_in.ca_file))
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    yield stand_in
    stand_in.close()


def _token_error() -> BaseException:
    """What botbuilder 4.17.1's own credentials raise when they cannot get a token."""
    credentials = MicrosoftAppCredentials(APP_ID, "expired-secret", AUTHENTICATED["app_tenant_id"])
    with pytest.raises((PermissionError, requests.ConnectionError)) as raised:
        credentials.signed_session()
    return raised.value


def _response(status: int) -> requests.Response:
    response = requests.Response()
    response.status_code, response._content = status, b"{}"
    return response


def _alarms(caplog: pytest.LogCaptureFixture, name: str = AUTH_FAILED_EVENT) -> list[logging.LogRecord]:
    return [record for record in caplog.records if getattr(record, EVENT, None) == name]


# --- which errors are authentication failures ------------------------------------------------------


def test_an_expired_secret_is_an_authentication_failure_with_its_aadsts_code(entra: EntraStandIn) -> None:
    error = _token_error()
    assert isinstance(error, PermissionError)  # as botbuilder 4.17.1 raises it
    reason = connector_auth_failure(error)
    assert reason is not None
    assert reason.startswith("AADSTS7000222: PermissionError getting a token from Microsoft Entra ID")
    assert "expired" in reason


def test_an_unreachable_token_endpoint_is_an_authentication_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")  # nothing listens: as a closed network
    error = _token_error()
    reason = connector_auth_failure(error)
    assert reason is not None
    assert reason.startswith(f"{type(error).__name__} getting a token from Microsoft Entra ID: ")


def test_a_refused_token_is_one_and_other_connector_errors_are_not() -> None:
    def refused(status: int) -> ErrorResponseException:
        return ErrorResponseException(lambda _name, _response: None, _response(status))

    assert (
        connector_auth_failure(refused(401)) == "HTTP 401 from the Bot Connector: it refused the bot's token"
    )
    assert connector_auth_failure(refused(403)) is None
    assert connector_auth_failure(refused(429)) is None


def test_the_same_exception_types_raised_elsewhere_are_not() -> None:
    for error in (PermissionError("Failed to get access token"), KeyError("access_token"), OSError("disk")):
        with pytest.raises(type(error)) as raised:
            raise error
        assert connector_auth_failure(raised.value) is None


# --- once per burst ---------------------------------------------------------------------------------


async def test_the_alarm_is_said_once_per_burst_and_reminded_hourly(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    now = [datetime(2026, 12, 3, 9, 0, tzinfo=UTC)]
    alarm = ConnectorAuthAlarm(db.sessions, ict_channel_id=ICT, clock=lambda: now[0])
    for _ in range(5):
        await alarm.failed("AADSTS7000222: expired")
        now[0] += timedelta(minutes=5)
    assert len(_alarms(caplog)) == 1
    assert "AADSTS7000222" in _alarms(caplog)[0].getMessage()
    now[0] += timedelta(hours=1)
    await alarm.failed("AADSTS7000222: expired")
    assert len(_alarms(caplog)) == 2  # still failing an hour later: said again
    alarm.recovered()
    alarm.recovered()
    assert len(_alarms(caplog, "connector_auth_recovered")) == 1
    now[0] += timedelta(minutes=1)
    await alarm.failed("HTTP 401 from the Bot Connector")
    assert len(_alarms(caplog)) == 3  # a new burst
    async with db.sessions() as session:
        notices = (await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all()
    # One notice per burst, and the two bursts fell in different hours.
    assert [(row.kind, row.target_conversation_id) for row in notices] == [("channel_notice", ICT)] * 2
    assert notices[0].payload["reason"] == "AADSTS7000222: expired"


async def test_replicas_failing_in_the_same_hour_queue_one_notice(db: Database) -> None:
    now = datetime(2026, 12, 3, 9, 10, tzinfo=UTC)
    for _replica in range(2):
        alarm = ConnectorAuthAlarm(db.sessions, ict_channel_id=ICT, clock=lambda: now)
        await alarm.failed("AADSTS7000222: expired")
    async with db.sessions() as session:
        assert len((await session.scalars(select(OutboxMessage))).all()) == 1


async def test_a_row_of_a_kind_this_release_does_not_know_is_left_alone(db: Database) -> None:
    now = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
    async with db.sessions.begin() as session:
        await enqueue(session, kind=OutboxKind.THREAD_REPLY, dedupe_key="k", payload={}, now=now)
        await session.execute(OutboxMessage.__table__.update().values(kind="from_a_newer_release"))

    class _Never:
        async def deliver(self, delivery: Any) -> Any:
            raise AssertionError("a row of an unknown kind was claimed")

    worker = OutboxWorker(db.sessions, _Never(), clock=lambda: now + timedelta(minutes=1))
    assert await worker.drain_once() == 0
    async with db.sessions() as session:
        row = await session.scalar(select(OutboxMessage))
    assert (row.state, row.attempts) == ("pending", 0)


# --- end to end: the bot, the outbox and a connector that refuses the token ------------------------


@pytest.fixture
async def desk(
    make_settings: SettingsFactory, emulator: ConnectorEmulator, teams: TeamsActivities, alice: Person
) -> AsyncIterator[Desk]:
    bot = await BotUnderTest.start(make_settings(ict_channel_id=ICT, outbox_poll_seconds=0.05))
    assert (await bot.post(teams.installation_update(STAFF, Place.channel(ICT, ICT)))).status == 200
    await bot.runtime.desk.stop()  # the test drains the outbox itself, on its own clock
    yield Desk(bot, emulator, teams, alice)
    await bot.close()


async def test_a_refused_token_defers_every_row_raises_one_alarm_and_loses_nothing(
    desk: Desk, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    desk.emulator.fail("POST", NEW_THREAD, 401, times=3)
    first, second = await desk.escalate("質問 1", key="a"), await desk.escalate("質問 2", key="b")
    now = [datetime.now(UTC)]
    runtime = desk.bot.runtime
    worker = OutboxWorker(
        runtime.services.sessions,
        runtime.desk.deliverer,
        after_sent={OutboxKind.NEW_THREAD: remember_thread},
        clock=lambda: now[0],
    )
    for _ in range(4):  # each round: drain, then let the deferral (30 s) pass
        await worker.drain_once()
        now[0] += timedelta(seconds=31)
    posts = [call for call in desk.emulator.calls if call.kind == "create_conversation"]
    assert [call.status for call in posts].count(401) == 3
    accepted = [call for call in posts if call.status < 300]
    texts = [str(call.body) for call in accepted]
    assert sum("質問 1" in text for text in texts) == sum("質問 2" in text for text in texts) == 1
    (notice,) = [call for call in accepted if "認証に失敗" in str(call.body)]
    assert "HTTP 401 from the Bot Connector" in notice.body["activity"]["text"]
    assert len(_alarms(caplog)) == 1
    assert len(_alarms(caplog, "connector_auth_recovered")) == 1
    async with runtime.services.sessions() as session:
        rows = (await session.scalars(select(OutboxMessage))).all()
    assert {row.state for row in rows} == {"sent"}
    assert all(row.attempts == 1 for row in rows)  # the refusals used up no attempt
    for ticket in (first, second):
        assert (await desk.ticket(ticket)).thread_root_id


async def test_a_reply_refused_in_a_turn_raises_the_alarm_once(
    desk: Desk, caplog: pytest.LogCaptureFixture, alice: Person
) -> None:
    desk.emulator.fail("POST", r"/activities", 401, times=10)
    for text in ("ヘルプ", "help"):
        reply = await desk.bot.post(desk.teams.message(alice, text))
        assert reply.status == 200
    assert len(_alarms(caplog)) == 1
    # No traceback per turn: the alarm says why, once.
    assert not [record for record in caplog.records if record.exc_info and record.levelno >= logging.ERROR]
    async with desk.bot.runtime.services.sessions() as session:
        notice = await session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "channel_notice"))
    assert notice is not None
    assert notice.payload["reason"] == "HTTP 401 from the Bot Connector: it refused the bot's token"


async def test_an_expired_client_secret_is_said_once_and_what_waited_goes_out_once_renewed(
    make_settings: SettingsFactory,
    emulator: ConnectorEmulator,
    teams: TeamsActivities,
    alice: Person,
    entra: EntraStandIn,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A bot with a client secret (not dev mode): botbuilder's credentials ask MSAL, MSAL asks "Entra",
    which answers AADSTS7000222 until the secret is renewed."""
    bot = await BotUnderTest.start(make_settings(**AUTHENTICATED, ict_channel_id=ICT))
    try:
        runtime = bot.runtime
        await runtime.desk.stop()  # drained below, on the test's clock
        await runtime.desk.observe(
            Activity().deserialize(teams.installation_update(STAFF, Place.channel(ICT, ICT)))
        )
        ticket = await Desk(bot, emulator, teams, alice).escalate()
        now = [datetime.now(UTC)]
        worker = OutboxWorker(
            runtime.services.sessions,
            runtime.desk.deliverer,
            after_sent={OutboxKind.NEW_THREAD: remember_thread},
            clock=lambda: now[0],
        )
        for _ in range(3):  # three rounds while the secret is expired
            await worker.drain_once()
            now[0] += timedelta(seconds=31)
        assert entra.token_requests >= 3
        assert emulator.calls == []  # nothing reached Teams without a token
        (alarm,) = _alarms(caplog)
        assert alarm.levelname == "ERROR"
        assert "AADSTS7000222: PermissionError getting a token from Microsoft Entra ID" in alarm.getMessage()
        entra.expired = False  # the secret is renewed
        for _ in range(2):
            await worker.drain_once()
            now[0] += timedelta(seconds=31)
        threads = [
            call for call in emulator.calls if call.kind == "create_conversation" and call.status < 300
        ]
        assert len(threads) == 2  # the ticket, and the alarm's notice to the ICT channel
        assert "AADSTS7000222" in json.dumps(threads[1].body, ensure_ascii=False)
        assert (await Desk(bot, emulator, teams, alice).ticket(ticket)).thread_root_id
        assert len(_alarms(caplog)) == 1
        assert len(_alarms(caplog, "connector_auth_recovered")) == 1
    finally:
        await bot.close()
