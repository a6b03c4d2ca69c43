"""The Bot Framework adapter: who sent a request (our own token check), the credentials for replies,
the turn run through Kotae's router, and what happens when a turn fails."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from typing import Any

from botbuilder.core import InvokeResponse, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity, ActivityTypes, CallerIdConstants, ResourceResponse
from botframework.connector.auth import (
    AuthenticateRequestResult,
    AuthenticationConfiguration,
    AuthenticationConstants,
    BotFrameworkAuthenticationFactory,
    CertificateServiceClientCredentialsFactory,
    ClaimsIdentity,
    ManagedIdentityServiceClientCredentialsFactory,
    PasswordServiceClientCredentialFactory,
    ServiceClientCredentialsFactory,
)

from bot.config import AppType, Settings
from bot.desk.outbox import Retry, RetryPolicy
from bot.handler import KotaeBot
from bot.i18n import catalogue, language_of_locale
from bot.invoke import message_response
from bot.seam.client_reuse import ReusedClients
from bot.seam.connector import connector_auth_failure, connector_failure, connector_outcome
from bot.seam.turns import VIEW, TeamsHandler
from bot.tokens import SigningKeys, TokenValidator
from bot.turn import Incoming

__all__ = ["KotaeAdapter", "build_adapter"]

_log = logging.getLogger(__name__)
# Teams waits about 15 s for the answer to a turn; replies are retried only while this much has not passed.
_TURN_BUDGET_SECONDS = 12.0
_TURN_DEADLINE = "kotae.turn_deadline"


def _credentials_factory(settings: Settings) -> ServiceClientCredentialsFactory:
    if settings.dev_mode:
        # No app id: botbuilder then accepts unauthenticated requests and sends without a token,
        # for any bot app id a proactive send names (see TEAMS-NOTES: "Invalid app_id").
        return PasswordServiceClientCredentialFactory(app_id=None)
    tenant = settings.app_tenant_id or None
    if settings.app_type is AppType.USER_ASSIGNED_MSI:
        return ManagedIdentityServiceClientCredentialsFactory(settings.app_id)
    if settings.app_password is not None:
        return PasswordServiceClientCredentialFactory(
            settings.app_id, settings.app_password.get_secret_value(), tenant
        )
    assert settings.certificate_key_file is not None  # guaranteed by Settings validation
    return CertificateServiceClientCredentialsFactory(
        settings.certificate_thumbprint,
        settings.certificate_key_file.read_text(encoding="utf-8"),
        settings.app_id,
        tenant,
    )


class KotaeAdapter(CloudAdapter):
    """CloudAdapter that authenticates requests with Kotae's own token check (`bot.tokens`), and whose
    turn errors are logged without message text and answered with an apology."""

    def __init__(self, settings: Settings) -> None:
        authentication = BotFrameworkAuthenticationFactory.create(
            credential_factory=_credentials_factory(settings),
            auth_configuration=AuthenticationConfiguration(),
        )
        self._clients = ReusedClients(authentication)
        super().__init__(self._clients)
        self.settings = settings
        self.on_turn_error = self._on_turn_error
        # Told when a turn failed because the bot cannot authenticate to the Bot Connector (the desk's alarm).
        self.on_connector_auth_failure: Callable[[str], Awaitable[None]] | None = None
        self._handler: TeamsHandler | None = None
        self._retries = RetryPolicy.from_settings(settings)
        self._rng = random.Random()
        self._tokens = (
            None
            if settings.dev_mode
            else TokenValidator(
                settings.app_id,
                SigningKeys(settings.openid_metadata_url, timeout=settings.openid_timeout_seconds),
            )
        )

    async def authenticate(self, authorization: str, activity: Activity) -> AuthenticateRequestResult:
        """Who sent the request, for `process_activity`; raises `bot.tokens.InvalidToken` (→ 401).

        botbuilder's own check is never reached: it would fetch Microsoft's keys on the event loop.
        Dev mode authenticates nobody (and ignores any token), as botbuilder does without an app id.
        """
        if self._tokens is None:
            identity = ClaimsIdentity({}, True, AuthenticationConstants.ANONYMOUS_AUTH_TYPE)
            caller_id = None
        else:
            claims = await self._tokens.claims(
                authorization, channel_id=activity.channel_id, service_url=activity.service_url
            )
            identity = ClaimsIdentity(dict(claims), True)
            caller_id = CallerIdConstants.public_azure_channel
        authentication = self.bot_framework_authentication
        result = AuthenticateRequestResult()
        result.claims_identity = identity
        result.audience = authentication.get_originating_audience()
        result.caller_id = caller_id
        result.connector_factory = authentication.create_connector_factory(identity)
        return result

    def route_to(self, router: KotaeBot) -> None:
        """Run every turn through `router` (set once by the runtime, which builds the router after the
        adapter: the desk's outbox sends through this adapter)."""
        self._handler = TeamsHandler(router)

    async def run(
        self, identity: AuthenticateRequestResult, activity: Activity, view: Incoming
    ) -> InvokeResponse | None:
        """Run the turn of an authenticated activity; `view` is the activity as Kotae reads it."""
        handler = self._handler
        assert handler is not None, "route_to() first"

        async def logic(turn_context: TurnContext) -> None:
            turn_context.turn_state[VIEW] = view
            await handler.on_turn(turn_context)

        response: InvokeResponse | None = await self.process_activity(identity, activity, logic)
        return response

    async def process_activity(
        self,
        auth_header_or_authenticate_request_result: str | AuthenticateRequestResult,
        activity: Activity,
        logic: Callable[[TurnContext], Awaitable[Any]],
    ) -> Any:
        """As botbuilder's, with a deadline in the turn's state for retrying its replies."""

        async def with_deadline(turn_context: TurnContext) -> Any:
            loop = asyncio.get_running_loop()
            turn_context.turn_state[_TURN_DEADLINE] = loop.time() + _TURN_BUDGET_SECONDS
            return await logic(turn_context)

        return await super().process_activity(
            auth_header_or_authenticate_request_result, activity, with_deadline
        )

    async def send_activities(
        self, context: TurnContext, activities: list[Activity]
    ) -> list[ResourceResponse]:
        """Each activity on its own, so that a retry never repeats one Teams already accepted."""
        responses: list[ResourceResponse] = []
        for activity in activities:
            responses += await self._send_retrying(context, activity)
        return responses

    async def _send_retrying(self, context: TurnContext, activity: Activity) -> list[ResourceResponse]:
        """Within a turn, retry by the outbox's rules (Retry-After, backoff with jitter) while the turn's
        budget lasts; outside a turn (proactive sends) the outbox does its own retrying."""
        loop = asyncio.get_running_loop()
        deadline = context.turn_state.get(_TURN_DEADLINE)
        attempt = 1
        while True:
            try:
                return await super().send_activities(context, [activity])
            except Exception as error:
                outcome = connector_outcome(error)
                if (
                    deadline is None
                    or not isinstance(outcome, Retry)
                    or attempt >= self._retries.max_attempts
                ):
                    raise
                delay = self._retries.delay(attempt, outcome.after, self._rng)
                if loop.time() + delay > deadline:
                    raise
                _log.warning(
                    "a reply in activity %s was not accepted (%s); retrying in %.1f s",
                    context.activity.id,
                    outcome.reason,
                    delay,
                )
                await asyncio.sleep(delay)
                attempt += 1

    async def close(self) -> None:
        await self._clients.close()
        if self._tokens is not None:
            await self._tokens.close()

    async def _on_turn_error(self, turn_context: TurnContext, error: Exception) -> None:
        activity = turn_context.activity
        # Separate guarded steps: a failure to apologise must not hide the original error in the log.
        auth_failure = connector_auth_failure(error)
        if auth_failure is not None:
            # Said once per burst, with its cause, by the alarm; an apology would need the same token.
            _log.warning(
                "no reply to activity %s (%s): cannot authenticate to the Bot Connector",
                activity.id,
                activity.type,
            )
            if self.on_connector_auth_failure is not None:
                await self.on_connector_auth_failure(auth_failure)
            return
        if (failure := connector_failure(error)) is not None:
            # Teams refused or could not be reached (retries, if any, are spent): not a bug of ours.
            _log.warning(
                "activity %s (%s): a call to the Bot Connector failed: %s",
                activity.id,
                activity.type,
                failure.reason,
            )
        else:
            _log.error("unhandled error in activity %s (%s)", activity.id, activity.type, exc_info=error)
        apology = catalogue().text(
            "error.apology", language_of_locale(activity.locale, self.settings.default_locale)
        )
        if activity.type == ActivityTypes.invoke:
            # A click whose work failed (e.g. the ticket could not be written) is told to try again
            # on the card it clicked, instead of getting botbuilder's empty 501: nothing is lost silently.
            response = InvokeResponse(status=200, body=message_response(apology))
            await turn_context.send_activity(Activity(type=ActivityTypes.invoke_response, value=response))
            return
        if activity.type != ActivityTypes.message:
            return  # events need no apology
        try:
            await turn_context.send_activity(apology)
        except Exception as apology_error:  # the connector may be what failed; the log above has the cause
            if connector_failure(apology_error) is None:
                _log.exception("could not send the apology for activity %s", activity.id)
            else:
                _log.warning(
                    "could not send the apology for activity %s (%s)",
                    activity.id,
                    type(apology_error).__name__,
                )


def build_adapter(settings: Settings) -> KotaeAdapter:
    return KotaeAdapter(settings)
