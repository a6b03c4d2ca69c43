"""Connector and user-token clients reused across turns instead of built for every turn.

botbuilder's CloudAdapter builds a new `ConnectorClient` and a new `UserTokenClient` on every turn.
Each build costs about 4 ms of CPU in msrest (its retry policy scans lists to build a status list)
and a new HTTP session, so no connection is ever kept alive: under load that was half of the bot's
CPU (see `benchmarks/load_bot.py`). The clients hold nothing specific to a turn (their credentials
fetch and cache their own tokens), so one per app id, service URL and audience serves every turn,
as botbuilder's older `BotFrameworkAdapter` did.

The calls every reply and notification makes (send to a conversation, reply to an activity) go over
one aiohttp session shared by all clients instead of msrest's `requests` in a thread pool, which cost
about 40 % of the bot's CPU under load. The request is the one botbuilder builds (URL, headers, the
activity serialised by msrest, the bot's token from its own credentials); every other call stays
botbuilder's. A refusal raises `ConnectorRefused` (`bot.seam.connector`), read like botbuilder's
`ErrorResponseException`.
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import urlsplit
from urllib.request import getproxies, proxy_bypass

import aiohttp
from botbuilder.schema import Activity, ResourceResponse
from botframework.connector.aio import ConnectorClient
from botframework.connector.aio.operations_async import ConversationsOperations
from botframework.connector.auth import (
    AuthenticateRequestResult,
    AuthenticationConstants,
    BotFrameworkAuthentication,
    ClaimsIdentity,
    ConnectorFactory,
    UserTokenClient,
)
from botframework.connector.skills import BotFrameworkClient

from bot.seam.connector import ConnectorRefused

__all__ = ["ReusedClients"]

# A bound on the clients kept; past it the cache starts over (a bot talks to a handful of service URLs).
_MAX_CLIENTS = 256
_ClientKey = tuple[str | None, str, str | None]
# msrest's own timeout for a call to the connector.
_TIMEOUT = aiohttp.ClientTimeout(total=100)
_ACCEPTED = (200, 201, 202)


def _app_id(claims_identity: ClaimsIdentity | None) -> str | None:
    """The app id the clients' credentials are for, read as botbuilder reads it (audience, else appid)."""
    if claims_identity is None:
        return None
    return claims_identity.get_claim_value(
        AuthenticationConstants.AUDIENCE_CLAIM
    ) or claims_identity.get_claim_value(AuthenticationConstants.APP_ID_CLAIM)


class _Wire:
    """The aiohttp session all clients post through; opened on first use, closed with the adapter."""

    def __init__(self) -> None:
        self._session: aiohttp.ClientSession | None = None
        self._proxies: dict[tuple[str, str], str | None] = {}

    async def post(self, url: str, body: Any, headers: dict[str, str]) -> tuple[int, str | None, Any]:
        """Post `body` as JSON: the status, the Retry-After header and the JSON answer (None if empty)."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=_TIMEOUT)
        async with self._session.post(url, json=body, headers=headers, proxy=self._proxy(url)) as response:
            content = await response.json(content_type=None) if response.status in _ACCEPTED else None
            return response.status, response.headers.get("Retry-After"), content

    def _proxy(self, url: str) -> str | None:
        """The proxy for a service URL from the environment (HTTPS_PROXY, NO_PROXY), as requests used it
        for botbuilder; read once per origin (aiohttp's trust_env reads it, and ~/.netrc, on every call)."""
        parts = urlsplit(url)
        origin = (parts.scheme, parts.netloc)
        if origin not in self._proxies:
            bypass = parts.hostname is not None and proxy_bypass(parts.hostname)
            self._proxies[origin] = None if bypass else getproxies().get(parts.scheme)
        return self._proxies[origin]

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()


class _PostingConversations(ConversationsOperations):
    """botbuilder's conversation operations, with the two posts every message makes sent over aiohttp."""

    def __init__(self, client: ConnectorClient, wire: _Wire) -> None:
        super().__init__(client._client, client.config, client._serialize, client._deserialize)
        self._wire = wire

    async def send_to_conversation(
        self,
        conversation_id: str,
        activity: Activity,
        custom_headers: Any = None,
        raw: bool = False,
        **config: Any,
    ) -> ResourceResponse:
        if custom_headers or raw or config:
            return await super().send_to_conversation(
                conversation_id, activity, custom_headers, raw, **config
            )
        url = self._client.format_url(
            ConversationsOperations.send_to_conversation.metadata["url"],
            conversationId=self._serialize.url("conversation_id", conversation_id, "str"),
        )
        return await self._post(url, activity, {})

    async def reply_to_activity(
        self,
        conversation_id: str,
        activity_id: str,
        activity: Activity,
        custom_headers: Any = None,
        raw: bool = False,
        **config: Any,
    ) -> ResourceResponse:
        if custom_headers or raw or config:
            return await super().reply_to_activity(
                conversation_id, activity_id, activity, custom_headers, raw, **config
            )
        url = self._client.format_url(
            ConversationsOperations.reply_to_activity.metadata["url"],
            conversationId=self._serialize.url("conversation_id", conversation_id, "str"),
            activityId=self._serialize.url("activity_id", activity_id, "str"),
        )
        return await self._post(url, activity, {"x-ms-conversation-id": conversation_id})

    async def _post(self, url: str, activity: Activity, headers: dict[str, str]) -> ResourceResponse:
        headers = {"Accept": "application/json", "Content-Type": "application/json; charset=utf-8", **headers}
        credentials = self.config.credentials
        if credentials is not None and credentials._should_set_token(None):
            # Their token cache (MSAL) may have to ask Entra ID, synchronously: off the event loop.
            token = await asyncio.get_running_loop().run_in_executor(None, credentials.get_access_token)
            headers["Authorization"] = f"Bearer {token}"
        status, retry_after, content = await self._wire.post(
            url, self._serialize.body(activity, "Activity"), headers
        )
        if status not in _ACCEPTED:
            raise ConnectorRefused(status, retry_after)
        return ResourceResponse(id=content.get("id") if isinstance(content, dict) else None)


class _ReusedConnectorFactory(ConnectorFactory):
    def __init__(
        self,
        inner: ConnectorFactory,
        clients: dict[_ClientKey, ConnectorClient],
        app_id: str | None,
        wire: _Wire,
    ) -> None:
        self._inner = inner
        self._clients = clients
        self._app_id = app_id
        self._wire = wire

    async def create(self, service_url: str, audience: str | None = None) -> ConnectorClient:
        key = (self._app_id, service_url, audience)
        client = self._clients.get(key)
        if client is None:
            client = await self._inner.create(service_url, audience)
            client.conversations = _PostingConversations(client, self._wire)
            if len(self._clients) >= _MAX_CLIENTS:
                self._clients.clear()
            self._clients[key] = client
        return client


class ReusedClients(BotFrameworkAuthentication):
    """Wraps the adapter's authentication; everything but the clients' reuse is the wrapped one's."""

    def __init__(self, inner: BotFrameworkAuthentication) -> None:
        self._inner = inner
        self._connectors: dict[_ClientKey, ConnectorClient] = {}
        self._token_clients: dict[str | None, UserTokenClient] = {}
        self._wire = _Wire()

    async def close(self) -> None:
        await self._wire.close()

    def _reusing(self, factory: ConnectorFactory, claims_identity: ClaimsIdentity | None) -> ConnectorFactory:
        return _ReusedConnectorFactory(factory, self._connectors, _app_id(claims_identity), self._wire)

    async def authenticate_request(self, activity: Activity, auth_header: str) -> AuthenticateRequestResult:
        result = await self._inner.authenticate_request(activity, auth_header)
        if result.connector_factory is not None:
            result.connector_factory = self._reusing(result.connector_factory, result.claims_identity)
        return result

    async def authenticate_streaming_request(
        self, auth_header: str, channel_id_header: str
    ) -> AuthenticateRequestResult:
        return await self._inner.authenticate_streaming_request(auth_header, channel_id_header)

    def create_connector_factory(self, claims_identity: ClaimsIdentity) -> ConnectorFactory:
        return self._reusing(self._inner.create_connector_factory(claims_identity), claims_identity)

    async def create_user_token_client(self, claims_identity: ClaimsIdentity) -> UserTokenClient:
        app_id = _app_id(claims_identity)
        client = self._token_clients.get(app_id)
        if client is None:
            client = await self._inner.create_user_token_client(claims_identity)
            if len(self._token_clients) >= _MAX_CLIENTS:
                self._token_clients.clear()
            self._token_clients[app_id] = client
        return client

    def create_bot_framework_client(self) -> BotFrameworkClient:
        return self._inner.create_bot_framework_client()

    def get_originating_audience(self) -> str:
        return self._inner.get_originating_audience()

    async def authenticate_channel_request(self, auth_header: str) -> ClaimsIdentity:
        return await self._inner.authenticate_channel_request(auth_header)
