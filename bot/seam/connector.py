"""What a failed call to the Bot Connector means: an authentication failure, a refusal or an
unreachable connector (Kotae's `ConnectorAuthFailure` / `ConnectorFailure`), or none of these (a bug).

Authentication failures are told apart from any other failure to send:

Every reply and notification needs a token from Microsoft Entra ID for the bot's identity. When the
client secret has expired (AADSTS7000222), the certificate or the managed identity is wrong, or the
token endpoint is unreachable, botbuilder 4.17 raises from the credentials' `get_access_token`
(`PermissionError("Failed to get access token with error: …, error_description: AADSTS…")` for a
secret or a certificate, a `KeyError` or MSAL's error for a managed identity). A token the connector
refuses comes back as HTTP 401. Nothing of this is about one message: everything fails until an
operator fixes the credentials, so the bot raises one alarm (`ConnectorAuthAlarm`) instead of letting
each message fail on its own.

The same reading serves the outbox's deliveries (`bot.seam.proactive`, by the outbox's retry rules)
and replies within a turn (`bot.seam.adapter`): 429 (with Retry-After), 412 and 5xx and network
failures may be retried; 403/404 and other refusals may not.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import TracebackType

import aiohttp
import botframework.connector.auth
from botframework.connector.models import ErrorResponseException
from msrest.exceptions import ClientRequestError

from bot.desk.outbox import Outcome, outcome_of_failure
from bot.turn import ConnectorAuthFailure, ConnectorFailure

__all__ = [
    "ConnectorRefused",
    "connector_auth_failure",
    "connector_failure",
    "connector_outcome",
    "translated",
]

_CREDENTIALS_CODE = Path(botframework.connector.auth.__file__).resolve().parent
_TOKEN_FUNCTIONS = frozenset({"get_access_token", "signed_session"})
_AADSTS = re.compile(r"AADSTS\d+")
_REASON_LENGTH = 300


class ConnectorRefused(Exception):
    """The Bot Connector answered a post sent over aiohttp (`bot.seam.client_reuse`) with `status`."""

    def __init__(self, status: int, retry_after: str | None = None) -> None:
        super().__init__(f"HTTP {status} from the Bot Connector")
        self.status = status
        self.retry_after = retry_after


def _refusal(error: BaseException) -> tuple[int, str | None] | None:
    """The status (and Retry-After) of a refusal by the connector, by botbuilder or by our posts."""
    if isinstance(error, ConnectorRefused):
        return error.status, error.retry_after
    if isinstance(error, ErrorResponseException):
        response = error.response
        status = getattr(response, "status_code", None) or getattr(response, "status", None) or 0
        headers = getattr(response, "headers", None) or {}
        return int(status), headers.get("Retry-After")
    return None


def connector_auth_failure(error: BaseException) -> str | None:
    """A short reason (with the AADSTS code when there is one) if `error` is an authentication
    failure towards the Bot Connector; None for every other error."""
    if (refusal := _refusal(error)) is not None:
        return "HTTP 401 from the Bot Connector: it refused the bot's token" if refusal[0] == 401 else None
    if not _raised_getting_a_token(error.__traceback__):
        return None
    text = " ".join(str(error).split())
    code = _AADSTS.search(text)
    reason = f"{type(error).__name__} getting a token from Microsoft Entra ID: {text}"
    if code:
        reason = f"{code.group(0)}: {reason}"
    return reason[:_REASON_LENGTH]


def _raised_getting_a_token(traceback: TracebackType | None) -> bool:
    """Whether the error passed through botbuilder's credentials while they fetched a token."""
    while traceback is not None:
        code = traceback.tb_frame.f_code
        if code.co_name in _TOKEN_FUNCTIONS and Path(code.co_filename).resolve().parent == _CREDENTIALS_CODE:
            return True
        traceback = traceback.tb_next
    return False


def connector_failure(error: BaseException) -> ConnectorFailure | None:
    """The refusal or unreachable connector `error` stands for, or None when it is neither."""
    if (refusal := _refusal(error)) is not None:
        status, retry_after = refusal
        return ConnectorFailure(f"HTTP {status}", status=status, retry_after=retry_after)
    if isinstance(error, aiohttp.ClientError | ClientRequestError | TimeoutError | OSError):
        return ConnectorFailure(f"{type(error).__name__} talking to the Bot Connector")
    return None


def connector_outcome(error: BaseException) -> Outcome | None:
    """The outbox's outcome for `error`, or None when it is not a failure of the call to the connector."""
    failure = connector_failure(error)
    return outcome_of_failure(failure) if failure is not None else None


def translated(error: Exception) -> Exception:
    """`error` as Kotae's `ConnectorAuthFailure` or `ConnectorFailure` when it is one of those, else itself."""
    if (reason := connector_auth_failure(error)) is not None:
        return ConnectorAuthFailure(reason)
    return connector_failure(error) or error
