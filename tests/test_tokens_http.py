"""Bot Framework tokens over real HTTP, against a loopback stand-in for Microsoft's OpenID endpoints.

Forged tokens get 401 quickly and never 500; a black-holed key endpoint holds neither the forged
request past the timeout nor anything else (`/healthz`); a flood of forged tokens costs one fetch;
the tenant allow-list cannot be probed without a valid token.
"""

from __future__ import annotations

import asyncio
import time
import warnings
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import jwt
import pytest
from jwt.warnings import InsecureKeyLengthWarning

from devtools.activities import Person, TeamsActivities
from devtools.emulator import ConnectorEmulator
from devtools.openid import BlackHole, OpenIdStandIn, new_key
from tests.conftest import AUTHENTICATED, SettingsFactory
from tests.harness import BotUnderTest

APP_ID = AUTHENTICATED["app_id"]
EMULATOR_ISSUER = "https://sts.windows.net/d6d49420-f39b-4df7-a1dc-d59a935871db/"
FOREIGN_KEY = new_key()


@pytest.fixture(scope="module")
def key_pair() -> Any:
    return new_key()  # generated once: 2048-bit keys take a moment


@pytest.fixture
async def openid(key_pair: Any) -> AsyncIterator[OpenIdStandIn]:
    stand_in = OpenIdStandIn(key=key_pair)
    await stand_in.start()
    yield stand_in
    await stand_in.close()


@pytest.fixture
async def black_hole() -> AsyncIterator[BlackHole]:
    hole = BlackHole()
    await hole.start()
    yield hole
    await hole.close()


async def _authenticated_bot(make_settings: SettingsFactory, metadata_url: str, **more: Any) -> BotUnderTest:
    return await BotUnderTest.start(make_settings(**AUTHENTICATED, openid_metadata_url=metadata_url, **more))


async def _timed_health(bot: BotUnderTest) -> tuple[int, float]:
    """/healthz's status and seconds, on a connection of its own (the bot's client pool may be busy)."""
    async with aiohttp.ClientSession() as http:
        started = time.monotonic()
        async with http.get(f"{bot.url}/healthz") as response:
            return response.status, time.monotonic() - started


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _click(teams: TeamsActivities, alice: Person) -> dict[str, Any]:
    # An unknown verb is answered in the HTTP response: the turn needs no outgoing call to Teams.
    return teams.card_action(alice, "no-such-verb")


async def test_a_valid_token_is_accepted_and_keys_are_fetched_once(
    make_settings: SettingsFactory, openid: OpenIdStandIn, teams: TeamsActivities, alice: Person
):
    bot = await _authenticated_bot(make_settings, openid.metadata_url)
    try:
        token = openid.token(audience=APP_ID, service_url=teams.service_url)
        replies = [await bot.post(_click(teams, alice), headers=_bearer(token)) for _ in range(3)]
    finally:
        await bot.close()
    assert [reply.status for reply in replies] == [200, 200, 200]
    assert replies[0].body["type"] == "application/vnd.microsoft.activity.message"
    assert openid.requests == 2  # the metadata and the keys, once for all three


def _forgeries(openid: OpenIdStandIn, service_url: str) -> dict[str, str]:
    def token(**changes: Any) -> str:
        return openid.token(**{"audience": APP_ID, "service_url": service_url, **changes})

    with warnings.catch_warnings():  # the test's app password is short, as a forger's key may be
        warnings.simplefilter("ignore", InsecureKeyLengthWarning)
        hs256 = token(key=AUTHENTICATED["app_password"], algorithm="HS256")
    unsigned = jwt.encode(
        {"iss": "https://api.botframework.com", "aud": APP_ID, "serviceurl": service_url},
        None,
        algorithm="none",
    )
    return {
        "alg none": unsigned,
        "HS256 with the app password": hs256,
        "RS256 with a foreign key": token(key=FOREIGN_KEY),
        "RS256 with a foreign key and an unknown kid": token(key=FOREIGN_KEY, kid="other"),
        "wrong issuer": token(issuer="https://evil.example/"),
        "emulator issuer": token(issuer=EMULATOR_ISSUER),
        "wrong audience": token(audience="99999999-2222-3333-4444-555555555555"),
        "expired": token(expires_in=-3600),
        "another serviceUrl": token(service_url="https://evil.example/"),
        "not a JWT": "not.a.jwt",
        "garbage header": "eyJhbGciOiJSUzI1NiJ9.e30.x",  # a header without kid, a payload {}
    }


async def test_forged_tokens_get_401_never_500(
    make_settings: SettingsFactory,
    openid: OpenIdStandIn,
    teams: TeamsActivities,
    emulator: ConnectorEmulator,
    alice: Person,
    caplog: pytest.LogCaptureFixture,
):
    bot = await _authenticated_bot(make_settings, openid.metadata_url)
    try:
        statuses = {
            name: (await bot.post(_click(teams, alice), headers=_bearer(token))).status
            for name, token in _forgeries(openid, teams.service_url).items()
        }
        basic = await bot.post(_click(teams, alice), headers={"Authorization": "Basic Zm9vOmJhcg=="})
    finally:
        await bot.close()
    assert statuses == dict.fromkeys(statuses, 401)
    assert basic.status == 401
    assert emulator.calls == []
    assert "Traceback" not in caplog.text


async def test_a_black_holed_key_endpoint_holds_nothing(
    make_settings: SettingsFactory, black_hole: BlackHole, teams: TeamsActivities, alice: Person
):
    bot = await _authenticated_bot(make_settings, black_hole.url, openid_timeout_seconds=1.0)
    stand_in = OpenIdStandIn(key=FOREIGN_KEY)  # only signs: its endpoints are not the bot's
    token = stand_in.token(audience=APP_ID, service_url=teams.service_url)
    try:
        started = time.monotonic()
        forged = [
            asyncio.create_task(bot.post(_click(teams, alice), headers=_bearer(token))) for _ in range(100)
        ]
        await asyncio.sleep(0.2)  # the fetch is under way, into the black hole
        health, health_seconds = await _timed_health(bot)
        statuses = {reply.status for reply in await asyncio.gather(*forged)}
        forged_seconds = time.monotonic() - started
        # A failed fetch is remembered: the next forged token is refused at once, without a fetch.
        again_started = time.monotonic()
        again = await bot.post(_click(teams, alice), headers=_bearer(token))
        again_seconds = time.monotonic() - again_started
        fetches = bot.runtime.adapter._tokens._keys.fetches
    finally:
        await bot.close()
    assert health == 200
    assert health_seconds < 1.0
    assert statuses == {401}
    assert forged_seconds < 4.0  # the 1 s timeout, plus the time to answer 100 requests
    assert again.status == 401
    assert again_seconds < 1.0
    assert fetches == 1


async def test_the_tenant_list_cannot_be_probed_without_a_token(
    make_settings: SettingsFactory, openid: OpenIdStandIn, emulator: ConnectorEmulator, alice: Person
):
    bot = await _authenticated_bot(make_settings, openid.metadata_url)
    allowed = TeamsActivities(service_url=emulator.url)
    stranger = TeamsActivities(service_url=emulator.url, tenant_id="99999999-9999-9999-9999-999999999999")
    try:
        anonymous = [
            await bot.post(_click(place, alice), headers={"Authorization": "Bearer x"})
            for place in (allowed, stranger)
        ]
        token = openid.token(audience=APP_ID, service_url=emulator.url)
        signed_stranger = await bot.post(_click(stranger, alice), headers=_bearer(token))
    finally:
        await bot.close()
    assert [reply.status for reply in anonymous] == [401, 401]
    assert anonymous[0].body == anonymous[1].body
    assert signed_stranger.status == 403


async def test_dev_mode_ignores_tokens(bot: BotUnderTest, teams: TeamsActivities, alice: Person):
    # Dev mode authenticates nobody: a token, even one that names the Bot Framework, is never checked.
    forged = jwt.encode(
        {"iss": "https://api.botframework.com"}, FOREIGN_KEY, algorithm="RS256", headers={"kid": "k"}
    )
    reply = await bot.post(_click(teams, alice), headers=_bearer(forged))
    assert reply.status == 200
