"""HTTP endpoints: `/api/messages` (Bot Framework), `/healthz` and `/readyz`.

The request is checked before the SDK (`bot.seam`) sees it (`bot.body`), in this order: the body (4xx), the
token (401), the tenant (403), the database (503). 4.17's `CloudAdapter.process` cannot serialise
invoke responses with a body (TEAMS-NOTES), so the turn runs through `process_activity` and the
invoke response is written here.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from aiohttp import web

from bot.body import problem, read_activity
from bot.runtime import Runtime
from bot.seam.activity import NotAnActivity, incoming, parse
from bot.tokens import InvalidToken

__all__ = ["RUNTIME", "add_routes"]

_log = logging.getLogger(__name__)
RUNTIME = web.AppKey("runtime", Runtime)


async def messages(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    settings = runtime.settings
    body = await read_activity(
        request, limit=settings.max_body_bytes, timeout=settings.body_read_timeout_seconds
    )
    if isinstance(body, web.Response):
        return body
    try:
        activity = parse(body)
    except NotAnActivity as error:
        return problem(HTTPStatus.BAD_REQUEST, str(error))
    view = incoming(activity)
    # Authenticated before the tenant is looked at: an anonymous caller learns nothing of the allow-list.
    try:
        identity = await runtime.adapter.authenticate(request.headers.get("Authorization", ""), activity)
    except InvalidToken as error:
        _log.info("refused activity %s: %s", view.id, error)
        return problem(HTTPStatus.UNAUTHORIZED, "missing or invalid Bot Framework token")
    tenant = view.tenant_id
    if settings.allowed_tenants and tenant not in settings.allowed_tenants:
        _log.warning("refused activity %s from tenant %s (not in KOTAE_ALLOWED_TENANTS)", view.id, tenant)
        return problem(HTTPStatus.FORBIDDEN, "this tenant is not allowed to use this bot")
    if not runtime.database.ready:
        return problem(
            HTTPStatus.SERVICE_UNAVAILABLE, "starting up; try again shortly", **{"Retry-After": "5"}
        )
    try:
        invoke_response = await runtime.adapter.run(identity, activity, view)
    except Exception:
        # The turn's own errors are handled by the adapter; this is the adapter failing itself.
        _log.exception("could not process activity %s (%s)", view.id, view.type)
        return problem(HTTPStatus.INTERNAL_SERVER_ERROR, "the bot could not process this activity")
    if invoke_response is None:
        return web.Response(status=HTTPStatus.OK)
    if invoke_response.status == HTTPStatus.NOT_IMPLEMENTED and invoke_response.body is None:
        # The SDK's answer to an invoke no handler knows (Kotae handles adaptiveCard/action).
        return problem(HTTPStatus.BAD_REQUEST, f"invoke {str(activity.name)[:64]!r} is not supported")
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
