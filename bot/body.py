"""What a request to /api/messages must be before anything acts on it, and the 4xx that says why not.

The SDK's (4.17) `CloudAdapter.process` answers 500 to malformed bodies and msrest turns wrong types
into strings (`{"id": {…}}` becomes the id "{…}"), so the body is checked here: its size and the time
it may take to arrive, JSON, its depth, valid Unicode, an activity with the fields Kotae reads as
strings, and a `serviceUrl` the bot may call.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator
from http import HTTPStatus
from typing import Any

from aiohttp import web

__all__ = ["MAX_DEPTH", "problem", "read_activity"]

# Teams' activities nest a handful of levels (card data included); deeper is not from Teams.
MAX_DEPTH = 32
# Fields read as identifiers or text: each, when present, must be a string.
_STRING_FIELDS: tuple[tuple[str, ...], ...] = (
    ("id",),
    ("channelId",),
    ("serviceUrl",),
    ("text",),
    ("locale",),
    ("replyToId",),
    ("name",),
    ("conversation", "id"),
    ("conversation", "tenantId"),
    ("conversation", "conversationType"),
    ("from", "id"),
    ("from", "aadObjectId"),
    ("from", "name"),
    ("recipient", "id"),
    ("channelData", "tenant", "id"),
    ("channelData", "channel", "id"),
    ("channelData", "team", "id"),
    ("channelData", "eventType"),
)
# Fields that must be objects when present (the SDK deserialises Teams' channelData in places).
_OBJECT_FIELDS: tuple[tuple[str, ...], ...] = (
    ("conversation",),
    ("from",),
    ("recipient",),
    ("channelData",),
    *(("channelData", name) for name in ("tenant", "channel", "team", "notification", "meeting", "settings")),
)
# Identifiers go back to the Bot Connector in URLs and headers (`x-ms-conversation-id`): Teams' are
# printable ASCII (19:…@thread.tacv2, a:…, 29:…), and anything else would break the reply, not the sender.
_IDENTIFIERS = (
    ("id",),
    ("replyToId",),
    ("serviceUrl",),
    ("conversation", "id"),
    ("from", "id"),
    ("recipient", "id"),
)
_PRINTABLE_ASCII = re.compile(r"[\x21-\x7e]*")


def problem(status: HTTPStatus, reason: str, **headers: str) -> web.Response:
    return web.json_response(
        {"error": status.phrase, "reason": reason}, status=status, headers=headers or None
    )


def _values(body: Any) -> Iterator[tuple[int, Any]]:
    """Every value in `body` with its depth, without recursion (the depth is what is being checked)."""
    stack = [(1, body)]
    while stack:
        depth, value = stack.pop()
        yield depth, value
        if isinstance(value, dict):
            stack.extend((depth + 1, item) for item in (*value.keys(), *value.values()))
        elif isinstance(value, list):
            stack.extend((depth + 1, item) for item in value)


def _shape_problem(body: Any) -> str | None:
    for depth, value in _values(body):
        if depth > MAX_DEPTH:
            return f"body is nested more than {MAX_DEPTH} levels deep"
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return "body contains a lone surrogate (\\ud800–\\udfff): not valid Unicode text"
    return None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _field(body: dict[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = body
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def _activity_problem(body: dict[str, Any]) -> str | None:
    for path in _OBJECT_FIELDS:
        value = _field(body, path)
        if value is not None and not isinstance(value, dict):
            return f"'{'.'.join(path)}' must be an object"
    for path in _STRING_FIELDS:
        value = _field(body, path)
        if value is not None and not isinstance(value, str):
            return f"'{'.'.join(path)}' must be a string"
    for path in _IDENTIFIERS:
        value = _field(body, path)
        if isinstance(value, str) and not _PRINTABLE_ASCII.fullmatch(value):
            return f"'{'.'.join(path)}' must be printable ASCII without spaces"
    service_url = body.get("serviceUrl")
    if isinstance(service_url, str) and not service_url.lower().startswith(("https://", "http://")):
        return "'serviceUrl' must be an http(s) URL"
    return None


async def read_activity(request: web.Request, *, limit: int, timeout: float) -> dict[str, Any] | web.Response:
    """The activity's JSON in the request, or the 4xx response that says what is wrong with it (the
    seam reads it as an activity: `bot.seam.activity.parse`)."""
    if "Content-Type" not in request.headers:
        return problem(HTTPStatus.BAD_REQUEST, "Content-Type is missing; send application/json")
    if request.content_type != "application/json":
        return problem(
            HTTPStatus.UNSUPPORTED_MEDIA_TYPE, f"Content-Type {request.content_type} is not application/json"
        )
    if request.content_length is not None and request.content_length > limit:
        return problem(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"body is over the {limit}-byte limit")
    try:
        # A body that trickles in (or never ends) must not hold a connection and its memory for ever.
        raw = await asyncio.wait_for(request.read(), timeout)
    except web.HTTPRequestEntityTooLarge:
        return problem(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"body is over the {limit}-byte limit")
    except TimeoutError:
        return problem(HTTPStatus.REQUEST_TIMEOUT, f"the body did not arrive within {timeout:g} s")
    try:
        body: Any = json.loads(raw, parse_constant=_no_constant)
    except ValueError as error:  # not UTF-8, not JSON, NaN/Infinity, an integer of thousands of digits
        return problem(HTTPStatus.BAD_REQUEST, f"body is not valid JSON ({type(error).__name__})")
    except RecursionError:
        return problem(HTTPStatus.BAD_REQUEST, f"body is nested more than {MAX_DEPTH} levels deep")
    if reason := _shape_problem(body):
        return problem(HTTPStatus.BAD_REQUEST, reason)
    if not isinstance(body, dict) or not isinstance(body.get("type"), str) or not body["type"]:
        return problem(
            HTTPStatus.BAD_REQUEST, "body is not an activity: a JSON object with a 'type' is expected"
        )
    if reason := _activity_problem(body):
        return problem(HTTPStatus.BAD_REQUEST, f"body is not an activity: {reason}")
    return body
