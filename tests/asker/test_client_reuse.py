"""Connector and user-token clients are built once per app and service URL, not on every turn."""

from __future__ import annotations

from botbuilder.schema import Activity
from botframework.connector.auth import (
    AuthenticationConfiguration,
    BotFrameworkAuthenticationFactory,
    PasswordServiceClientCredentialFactory,
)

from bot.seam.client_reuse import ReusedClients
from devtools.activities import Person, TeamsActivities


def _authentication() -> ReusedClients:
    inner = BotFrameworkAuthenticationFactory.create(
        credential_factory=PasswordServiceClientCredentialFactory(app_id=None),
        auth_configuration=AuthenticationConfiguration(),
    )
    return ReusedClients(inner)


async def test_clients_are_reused_across_turns_and_kept_apart_by_service_url(alice: Person):
    authentication = _authentication()
    clients = []
    for service_url in ("http://one.example/", "http://one.example/", "http://two.example/"):
        activity = Activity().deserialize(TeamsActivities(service_url=service_url).message(alice, "hi"))
        result = await authentication.authenticate_request(activity, "")
        clients.append(await result.connector_factory.create(service_url, result.audience))
        token_client = await authentication.create_user_token_client(result.claims_identity)
        assert token_client is await authentication.create_user_token_client(result.claims_identity)
    first, again, other = clients
    assert first is again
    assert other is not first
    assert other.config.base_url == "http://two.example/"
    proactive = authentication.create_connector_factory(result.claims_identity)
    assert await proactive.create("http://two.example/", result.audience) is other
