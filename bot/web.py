"""HTTP endpoints: `/api/messages` (Bot Framework), `/healthz` and `/readyz`.

The request is checked before botbuilder sees it: 4.17's `CloudAdapter.process` answers 500 to a
malformed body and cannot serialise invoke responses with a body (TEAMS-NOTES), so the turn runs
through `process_activity` and the invoke response is written here.
"""

from __future__ import annotations

import json
import logging
from http import HTTPStatus
from typing import Any

from aiohttp import web
from botbuilder.schema import Activity
from msrest.exceptions import DeserializationError

from bot.runtime import Runtime
from bot.teams import tenant_of
from bot.tokens import InvalidToken

__all__ = ["RUNTIME", "add_routes"]

_log = logging.getLogger(__name__)
RUNTIME = web.AppKey("runtime", Runtime)


def _problem(status: HTTPStatus, reason: str, **headers: str) -> web.Response:
    return web.json_response(
        {"error": status.phrase, "reason": reason}, status=status, headers=headers or None
    )


async def _read_activity(request: web.Request, limit: int) -> Activity | web.Response:
    """The activity in the request, or the 4xx response that says what is wrong with it."""
    if "Content-Type" not in request.headers:
        return _problem(HTTPStatus.BAD_REQUEST, "Content-Type is missing; send application/json")
    if request.content_type != "application/json":
        return _problem(
            HTTPStatus.UNSUPPORTED_MEDIA_TYPE, f"Content-Type {request.content_type} is not application/json"
        )
    if request.content_length is not None and request.content_length > limit:
        return _problem(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"body is over the {limit}-byte limit")
    try:
        raw = await request.read()
    except web.HTTPRequestEntityTooLarge:
        return _problem(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"body is over the {limit}-byte limit")
    try:
        body: Any = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        return _problem(HTTPStatus.BAD_REQUEST, f"body is not valid JSON ({type(error).__name__})")
    if not isinstance(body, dict) or not isinstance(body.get("type"), str) or not body["type"]:
        return _problem(
            HTTPStatus.BAD_REQUEST, "body is not an activity: a JSON object with a 'type' is expected"
        )
    try:
        activity = Activity().deserialize(body)
    except (DeserializationError, TypeError, ValueError, AttributeError):
        return _problem(HTTPStatus.BAD_REQUEST, "body is not an activity: some fields have the wrong type")
    if not activity.conversation or not activity.conversation.id or not activity.service_url:
        return _problem(HTTPStatus.BAD_REQUEST, "activity has no conversation id or serviceUrl")
    return activity


async def messages(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    settings = runtime.settings
    activity = await _read_activity(request, settings.max_body_bytes)
    if isinstance(activity, web.Response):
        return activity
    # Authenticated before the tenant is looked at: an anonymous caller learns nothing of the allow-list.
    try:
        identity = await runtime.adapter.authenticate(request.headers.get("Authorization", ""), activity)
    except InvalidToken as error:
        _log.info("refused activity %s: %s", activity.id, error)
        return _problem(HTTPStatus.UNAUTHORIZED, "missing or invalid Bot Framework token")
    tenant = tenant_of(activity)
    if settings.allowed_tenants and tenant not in settings.allowed_tenants:
        _log.warning("refused activity %s from tenant %s (not in KOTAE_ALLOWED_TENANTS)", activity.id, tenant)
        return _problem(HTTPStatus.FORBIDDEN, "this tenant is not allowed to use this bot")
    if not runtime.database.ready:
        return _problem(
            HTTPStatus.SERVICE_UNAVAILABLE, "starting up; try again shortly", **{"Retry-After": "5"}
        )
    try:
        invoke_response = await runtime.adapter.process_activity(identity, activity, runtime.bot.on_turn)
    except Exception:
        # The turn's own errors are handled by the adapter; this is the adapter failing itself.
        _log.exception("could not process activity %s (%s)", activity.id, activity.type)
        return _problem(HTTPStatus.INTERNAL_SERVER_ERROR, "the bot could not process this activity")
    if invoke_response is None:
        return web.Response(status=HTTPStatus.OK)
    return web.json_response(_jsonable(invoke_response.body), status=invoke_response.status)


def _jsonable(body: Any) -> Any:
    serialize = getattr(body, "serialize", None)
    return serialize() if callable(serialize) else body


async def healthz(_request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    report = await request.app[RUNTIME].readiness()
    return web.json_response(
        report, status=HTTPStatus.OK if report["ready"] else HTTPStatus.SERVICE_UNAVAILABLE
    )


def add_routes(app: web.Application) -> None:
    app.router.add_post("/api/messages", messages)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
