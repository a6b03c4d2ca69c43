"""Generated bodies and headers posted to /api/messages over real HTTP, in dev mode and with tokens:
never a 5xx, never a traceback or an error in the log.

The bodies are shaped like Teams activities (the fields Kotae reads, with the types Teams sends) and
every field may instead hold any JSON value; card clicks carry the real verbs with random data. One bot
(and one connector emulator, one OpenID stand-in) serves all the examples of a mode.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.desk.verbs import DESK_VERBS
from devtools.activities import DEFAULT_TENANT
from devtools.emulator import ConnectorEmulator
from devtools.openid import OpenIdStandIn
from tests.conftest import AUTHENTICATED, SettingsFactory
from tests.harness import BotUnderTest

_EXAMPLES = 200
_ASKER_VERBS = (
    "helpful",
    "not_helpful",
    "choose",
    "ask_ict",
    "ask_new",
    "escalate",
    "cancel",
    "more",
    "language",
)

_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40)
)
_json = st.recursive(
    _scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)
_VALID_IDS = st.sampled_from(
    ["19:ict@thread.tacv2", "a:1", "29:user", "28:00000000-0000-0000-0000-00000000c0de"]
)
_ids = st.one_of(_VALID_IDS, _VALID_IDS, _VALID_IDS, st.just(""), st.text(max_size=30))


def _optional(**fields: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({}, optional=fields)


_texts = (
    st.text(max_size=60)
    | st.sampled_from(
        [
            "help",
            "ヘルプ",
            "tickets",
            "ticket 1",
            "チケット 99999999999",
            "cancel 1",
            "language en",
            "<at>Kotae</at> help",
            "Wi-Fiにつながらない",
        ]
    )
    | st.builds(lambda n: "<at>" * n + "<img " * n, st.integers(0, 500))
)
_DATA_KEYS = [
    "ticket_id",
    "version",
    "state",
    "asker",
    "key",
    "question",
    "entry",
    "offset",
    "lang",
    "answer",
]
_data = st.dictionaries(
    st.sampled_from([*_DATA_KEYS, "main_number", "attachments", "score", "card"]), _json, max_size=6
)
_accounts = _optional(id=_ids, aadObjectId=_ids, name=st.text(max_size=20))
# Where a corruption may land: any field Kotae or botbuilder reads, at any depth.
_PATHS = [
    ("type",),
    ("id",),
    ("channelId",),
    ("serviceUrl",),
    ("text",),
    ("locale",),
    ("name",),
    ("replyToId",),
    ("value",),
    ("value", "action"),
    ("value", "action", "verb"),
    ("value", "action", "data"),
    ("conversation",),
    ("conversation", "id"),
    ("conversation", "tenantId"),
    ("conversation", "conversationType"),
    ("from",),
    ("from", "id"),
    ("from", "aadObjectId"),
    ("recipient",),
    ("channelData",),
    ("channelData", "tenant"),
    ("channelData", "channel"),
    ("channelData", "team"),
    ("attachments",),
    ("entities",),
    ("membersAdded",),
    ("deliveryMode",),
    ("timestamp",),
    ("action",),
]


def _corrupt(activity: dict[str, Any], change: tuple[tuple[str, ...], Any] | None) -> dict[str, Any]:
    """`activity` with the value at one path replaced by any JSON value (or left as it is)."""
    if change is None:
        return activity
    path, value = change
    target = activity
    for key in path[:-1]:
        if not isinstance(target.get(key), dict):
            target[key] = {}
        target = target[key]
    target[path[-1]] = value
    return activity


def _activities(service_url: str) -> st.SearchStrategy[dict[str, Any]]:
    verbs = st.sampled_from([*DESK_VERBS, *_ASKER_VERBS, "nope"])
    shaped = st.fixed_dictionaries(
        {
            "type": st.sampled_from(
                [
                    "message",
                    "message",
                    "invoke",
                    "invoke",
                    "conversationUpdate",
                    "installationUpdate",
                    "event",
                ]
            ),
            "conversation": _optional(
                id=_ids, conversationType=st.sampled_from(["personal", "groupChat", "channel"])
            ).map(lambda conversation: {"id": "a:1", "tenantId": DEFAULT_TENANT, **conversation}),
            "serviceUrl": st.just(service_url),
            "channelId": st.just("msteams"),
            "from": _accounts.map(lambda account: {"id": "29:someone", **account}),
            # Teams names the tenant here (botbuilder 4.17 reads `conversation.tenantID`, not Teams' `tenantId`).
            "channelData": _optional(channel=_optional(id=_ids), team=_optional(id=_ids)).map(
                lambda data: {"tenant": {"id": DEFAULT_TENANT}, **data}
            ),
        },
        optional={
            "id": st.text(max_size=20),
            "recipient": _accounts,
            "text": _texts,
            "locale": st.sampled_from(["ja-JP", "en-US", "xx"]),
            "name": st.just("adaptiveCard/action"),
            "value": st.fixed_dictionaries({"action": st.fixed_dictionaries({"verb": verbs, "data": _data})}),
            "replyToId": st.text(max_size=10),
            "action": st.sampled_from(["add", "remove"]),
            "attachments": st.lists(
                _optional(
                    contentType=st.sampled_from(
                        ["text/html", "image/png", "application/vnd.microsoft.teams.file.download.info"]
                    ),
                    content=_json | st.text(max_size=80),
                    contentUrl=st.text(max_size=30),
                    name=st.text(max_size=10),
                ),
                max_size=3,
            ),
            "entities": st.lists(_optional(type=st.just("mention"), mentioned=_accounts), max_size=2),
            "membersAdded": st.lists(_accounts, max_size=2),
        },
    )
    change = st.one_of(st.none(), st.none(), st.tuples(st.sampled_from(_PATHS), _json))
    return st.builds(_corrupt, shaped, change)


def _run(make_settings: SettingsFactory, caplog: pytest.LogCaptureFixture, authenticated: bool) -> None:
    loop = asyncio.new_event_loop()
    emulator, openid = ConnectorEmulator(), OpenIdStandIn()
    loop.run_until_complete(emulator.start())
    loop.run_until_complete(openid.start())
    extra = {**AUTHENTICATED, "openid_metadata_url": openid.metadata_url} if authenticated else {}
    bot = loop.run_until_complete(BotUnderTest.start(make_settings(**extra)))
    app_id = AUTHENTICATED["app_id"]

    def token_for(choice: int) -> str:
        # Signed by the stand-in's key, each wrong in one way. A token valid in every way would let the
        # turn reply, and replying needs an outgoing token from Microsoft Entra, which is not reachable
        # here; tests/test_tokens_http.py covers valid tokens with a turn that does not reply.
        wrong = [
            {"service_url": "https://elsewhere.example/"},
            {"audience": "99999999-0000-0000-0000-000000000000"},
            {"expires_in": -3600},
        ][choice]
        return openid.token(**{"audience": app_id, "service_url": emulator.url, **wrong})

    @settings(max_examples=_EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(
        body=st.one_of(*[_activities(emulator.url)] * 9, _json),
        authorization=st.sampled_from(["token", "token", "none", "junk"]) | st.text(max_size=30),
        token_choice=st.integers(0, 2),
        content_type=st.sampled_from([*["application/json"] * 8, "text/plain", None]),
    )
    def post(body: Any, authorization: str, token_choice: int, content_type: str | None) -> None:
        headers = {"Content-Type": content_type} if content_type else {}
        if authorization == "token":
            headers["Authorization"] = f"Bearer {token_for(token_choice)}"
        elif authorization == "junk":
            headers["Authorization"] = "Bearer eyJhbGciOiJSUzI1NiJ9.e30.x"
        elif authorization != "none" and authorization.isprintable():
            headers["Authorization"] = authorization
        raw = json.dumps(body, ensure_ascii=False).encode("utf-8", "surrogatepass")
        reply = loop.run_until_complete(bot.post_raw(raw, headers))
        assert reply.status < 500, (reply.status, reply.body, body)

    caplog.set_level(logging.INFO)
    try:
        post()
    finally:
        loop.run_until_complete(bot.close())
        loop.run_until_complete(openid.close())
        loop.run_until_complete(emulator.close())
        loop.close()
    assert "Traceback" not in caplog.text
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR], caplog.text[-3000:]


@pytest.mark.parametrize("authenticated", [False, True], ids=["dev mode", "with tokens"])
def test_generated_requests_never_get_5xx_or_a_traceback(
    make_settings: SettingsFactory, caplog: pytest.LogCaptureFixture, authenticated: bool
):
    _run(make_settings, caplog, authenticated)
