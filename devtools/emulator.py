"""A local stand-in for the Bot Connector service, for the tests and the terminal chat.

It answers the REST calls botbuilder's connector client makes (replies, sends, updates, deletes, new
conversations, member look-ups), records every call, and can be told to fail the next calls with a
status (429 with `Retry-After`, 500, 403 …) to exercise the bot's retries, or to hold matching calls
unanswered until released (a bot process killed meanwhile never gets an answer, and its call is not
recorded: Teams never accepted it).
"""

from __future__ import annotations

import asyncio
import itertools
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

__all__ = ["Call", "ConnectorEmulator", "Failure", "Member"]


@dataclass(frozen=True)
class Call:
    """One request the bot made to the connector, and what the emulator answered."""

    method: str
    path: str
    conversation_id: str | None
    activity_id: str | None
    body: Any
    status: int
    response: Any
    authorization: str | None = None  # the Authorization header the bot sent

    @property
    def kind(self) -> str:
        """send, reply, update, delete, create_conversation, get_member, … (see `_ROUTES`)."""
        return _kind(self.method, self.path)

    @property
    def text(self) -> str:
        return (self.body or {}).get("text") or "" if isinstance(self.body, dict) else ""

    @property
    def cards(self) -> list[dict[str, Any]]:
        """The Adaptive Cards this call carried (for a new conversation: in its first activity)."""
        activity = self.body.get("activity", self.body) if isinstance(self.body, dict) else {}
        return [
            attachment.get("content") or {}
            for attachment in (activity or {}).get("attachments") or []
            if attachment.get("contentType") == "application/vnd.microsoft.card.adaptive"
        ]


@dataclass
class Failure:
    """Answer the next `times` matching calls with `status` (and `Retry-After` when given)."""

    method: str
    path_pattern: str
    status: int
    times: int = 1
    retry_after: float | None = None

    def matches(self, method: str, path: str) -> bool:
        return self.times > 0 and method == self.method and re.search(self.path_pattern, path) is not None


@dataclass
class Member:
    """A member as `TeamsInfo.get_member` returns it."""

    id: str
    name: str
    aad_object_id: str
    user_role: str = "user"  # "guest" for guests
    tenant_id: str = "00000000-0000-0000-0000-0000000000aa"

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "aadObjectId": self.aad_object_id,
            "userRole": self.user_role,
            "tenantId": self.tenant_id,
            "userPrincipalName": f"{self.aad_object_id}@example.lg.jp",
            "email": f"{self.aad_object_id}@example.lg.jp",
        }


def _kind(method: str, path: str) -> str:
    for route_method, pattern, kind in _ROUTES:
        if method == route_method and re.fullmatch(pattern, path):
            return kind
    return "unknown"


_CONVERSATION = r"/v3/conversations/(?P<conversation>[^/]+)"
_ROUTES: tuple[tuple[str, str, str], ...] = (
    ("POST", r"/v3/conversations", "create_conversation"),
    ("POST", _CONVERSATION + r"/activities", "send"),
    ("POST", _CONVERSATION + r"/activities/(?P<activity>[^/]+)", "reply"),
    ("PUT", _CONVERSATION + r"/activities/(?P<activity>[^/]+)", "update"),
    ("DELETE", _CONVERSATION + r"/activities/(?P<activity>[^/]+)", "delete"),
    ("GET", _CONVERSATION + r"/members/(?P<member>[^/]+)", "get_member"),
    ("GET", _CONVERSATION + r"/members", "get_members"),
    ("GET", _CONVERSATION + r"/pagedmembers", "get_paged_members"),
)


@dataclass
class ConnectorEmulator:
    """Serve with `await emulator.start()`; `emulator.url` is the serviceUrl to put in activities."""

    host: str = "127.0.0.1"
    port: int = 0
    calls: list[Call] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    members: dict[str, Member] = field(default_factory=dict)
    # (method, path pattern) of calls held unanswered until `release()`; how many wait; calls whose caller
    # went away meanwhile.
    holds: list[tuple[str, str]] = field(default_factory=list)
    held: int = 0
    abandoned: int = 0
    _released: asyncio.Event = field(default_factory=asyncio.Event)
    # Unique across runs, as Teams' message ids are: the bot keys ticket threads by their root's id.
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(time.time_ns() // 1_000_000))
    _changed: asyncio.Condition | None = None
    _runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/"

    async def start(self) -> None:
        self._changed = asyncio.Condition()
        app = web.Application(client_max_size=4 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def close(self) -> None:
        if self._runner:
            await self._runner.cleanup()

    # --- set-up ---------------------------------------------------------------------------------

    def add_member(self, member: Member) -> Member:
        self.members[member.id] = member
        return member

    def fail(
        self, method: str, path_pattern: str, status: int, *, times: int = 1, retry_after: float | None = None
    ) -> None:
        self.failures.append(Failure(method, path_pattern, status, times, retry_after))

    def hold(self, method: str, path_pattern: str) -> None:
        """Leave matching calls unanswered until `release()`."""
        self._released.clear()
        self.holds.append((method, path_pattern))

    def release(self) -> None:
        self.holds.clear()
        self._released.set()

    # --- inspection -----------------------------------------------------------------------------

    def of_kind(self, *kinds: str) -> list[Call]:
        return [call for call in self.calls if call.kind in kinds and call.status < 300]

    def messages(self) -> list[Call]:
        """Accepted messages the bot sent (sends, replies and new conversations), in order."""
        return self.of_kind("send", "reply", "create_conversation")

    async def wait_for(self, predicate: Callable[[list[Call]], bool], timeout: float = 5.0) -> list[Call]:
        """Wait until `predicate(calls)` holds; the calls then. Raises TimeoutError with what arrived."""
        assert self._changed is not None, "start() the emulator first"
        try:
            async with asyncio.timeout(timeout), self._changed:
                await self._changed.wait_for(lambda: predicate(self.calls))
        except TimeoutError:
            seen = [f"{call.method} {call.path} -> {call.status}" for call in self.calls]
            raise TimeoutError(
                f"connector emulator: condition not met in {timeout} s; calls: {seen}"
            ) from None
        return self.calls

    # --- serving --------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        path = request.path
        body = await request.json() if request.can_read_body else None
        if any(request.method == method and re.search(pattern, path) for method, pattern in self.holds):
            self.held += 1
            try:
                await self._released.wait()
            finally:
                self.held -= 1
            if request.transport is None or request.transport.is_closing():
                self.abandoned += 1  # the caller died waiting: nothing was accepted
                return web.Response(status=499)
        status, response, headers = self._answer(request.method, path, body)
        named = _named_groups(request.method, path)
        self.calls.append(
            Call(
                request.method,
                path,
                named.get("conversation"),
                named.get("activity"),
                body,
                status,
                response,
                request.headers.get("Authorization"),
            )
        )
        assert self._changed is not None
        async with self._changed:
            self._changed.notify_all()
        return web.json_response(response, status=status, headers=headers)

    def _answer(self, method: str, path: str, body: Any) -> tuple[int, Any, dict[str, str]]:
        for failure in self.failures:
            if failure.matches(method, path):
                failure.times -= 1
                headers = {"Retry-After": str(failure.retry_after)} if failure.retry_after is not None else {}
                return failure.status, {"error": {"code": "EmulatedFailure", "message": "emulated"}}, headers
        kind = _kind(method, path)
        named = _named_groups(method, path)
        if kind in {"send", "reply"}:
            return 201, {"id": f"msg-{next(self._ids)}"}, {}
        if kind == "update":
            return 200, {"id": named["activity"]}, {}
        if kind == "delete":
            return 200, {}, {}
        if kind == "create_conversation":
            return 201, self._create_conversation(body or {}), {}
        if kind == "get_member":
            member = self.members.get(named["member"])
            if member is None:
                return 404, {"error": {"code": "MemberNotFoundInConversation", "message": "not a member"}}, {}
            return 200, member.as_json(), {}
        if kind == "get_members":
            return 200, [member.as_json() for member in self.members.values()], {}
        if kind == "get_paged_members":
            return 200, {"members": [member.as_json() for member in self.members.values()]}, {}
        return 404, {"error": {"code": "NotFound", "message": f"{method} {path} is not emulated"}}, {}

    def _create_conversation(self, parameters: dict[str, Any]) -> dict[str, Any]:
        message_id = f"msg-{next(self._ids)}"
        channel = ((parameters.get("channelData") or {}).get("channel") or {}).get("id")
        if channel:  # a new thread in a channel: its conversation id names the root message
            return {"id": f"{channel};messageid={message_id}", "activityId": message_id}
        return {"id": f"a:emulated-{message_id}", "activityId": message_id}


def _named_groups(method: str, path: str) -> dict[str, str]:
    for route_method, pattern, _ in _ROUTES:
        if method == route_method and (match := re.fullmatch(pattern, path)):
            return {key: value for key, value in match.groupdict().items() if value is not None}
    return {}
