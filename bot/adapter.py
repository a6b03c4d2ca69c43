"""The Bot Framework adapter: authentication from settings, and what happens when a turn fails."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import ActivityTypes
from botframework.connector.auth import (
    AuthenticationConfiguration,
    BotFrameworkAuthenticationFactory,
    CertificateServiceClientCredentialsFactory,
    ManagedIdentityServiceClientCredentialsFactory,
    PasswordServiceClientCredentialFactory,
    ServiceClientCredentialsFactory,
)

from bot.client_reuse import ReusedClients
from bot.config import AppType, Settings
from bot.connector_auth import connector_auth_failure
from bot.i18n import catalogue, language_of_locale
from bot.storage.state import StateConflictError

__all__ = ["KotaeAdapter", "build_adapter"]

_log = logging.getLogger(__name__)


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
    """CloudAdapter whose turn errors are logged without message text and answered with an apology."""

    def __init__(self, settings: Settings) -> None:
        authentication = BotFrameworkAuthenticationFactory.create(
            credential_factory=_credentials_factory(settings),
            auth_configuration=AuthenticationConfiguration(),
        )
        super().__init__(ReusedClients(authentication))
        self.settings = settings
        self.on_turn_error = self._on_turn_error
        # Told when a turn failed because the bot cannot authenticate to the Bot Connector (the desk's alarm).
        self.on_connector_auth_failure: Callable[[str], Awaitable[None]] | None = None

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
        if isinstance(error, StateConflictError):
            _log.warning("state conflict in activity %s (%s)", activity.id, activity.type)
            key = "error.state_conflict"
        else:
            _log.error("unhandled error in activity %s (%s)", activity.id, activity.type, exc_info=error)
            key = "error.apology"
        if activity.type != ActivityTypes.message:
            return  # invokes get their HTTP answer from the web layer; events need no apology
        lang = language_of_locale(activity.locale, self.settings.default_locale)
        try:
            await turn_context.send_activity(catalogue().text(key, lang))
        except Exception:  # the connector may be what failed; the log above already has the cause
            _log.exception("could not send the apology for activity %s", activity.id)


def build_adapter(settings: Settings) -> KotaeAdapter:
    return KotaeAdapter(settings)
