"""Connector and user-token clients reused across turns instead of built for every turn.

botbuilder's CloudAdapter builds a new `ConnectorClient` and a new `UserTokenClient` on every turn.
Each build costs about 4 ms of CPU in msrest (its retry policy scans lists to build a status list)
and a new HTTP session, so no connection is ever kept alive: under load that was half of the bot's
CPU (see `benchmarks/load_bot.py`). The clients hold nothing specific to a turn (their credentials
fetch and cache their own tokens), so one per app id, service URL and audience serves every turn,
as botbuilder's older `BotFrameworkAdapter` did.
"""

from __future__ import annotations

from botbuilder.schema import Activity
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import (
    AuthenticateRequestResult,
    AuthenticationConstants,
    BotFrameworkAuthentication,
    ClaimsIdentity,
    ConnectorFactory,
    UserTokenClient,
)
from botframework.connector.skills import BotFrameworkClient

__all__ = ["ReusedClients"]

# A bound on the clients kept; past it the cache starts over (a bot talks to a handful of service URLs).
_MAX_CLIENTS = 256
_ClientKey = tuple[str | None, str, str | None]


def _app_id(claims_identity: ClaimsIdentity | None) -> str | None:
    """The app id the clients' credentials are for, read as botbuilder reads it (audience, else appid)."""
    if claims_identity is None:
        return None
    return claims_identity.get_claim_value(
        AuthenticationConstants.AUDIENCE_CLAIM
    ) or claims_identity.get_claim_value(AuthenticationConstants.APP_ID_CLAIM)


class _ReusedConnectorFactory(ConnectorFactory):
    def __init__(
        self, inner: ConnectorFactory, clients: dict[_ClientKey, ConnectorClient], app_id: str | None
    ) -> None:
        self._inner = inner
        self._clients = clients
        self._app_id = app_id

    async def create(self, service_url: str, audience: str | None = None) -> ConnectorClient:
        key = (self._app_id, service_url, audience)
        client = self._clients.get(key)
        if client is None:
            client = await self._inner.create(service_url, audience)
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

    def _reusing(self, factory: ConnectorFactory, claims_identity: ClaimsIdentity | None) -> ConnectorFactory:
        return _ReusedConnectorFactory(factory, self._connectors, _app_id(claims_identity))

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
