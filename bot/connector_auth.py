"""Telling an authentication failure towards the Bot Connector from any other failure to send.

Every reply and notification needs a token from Microsoft Entra ID for the bot's identity. When the
client secret has expired (AADSTS7000222), the certificate or the managed identity is wrong, or the
token endpoint is unreachable, botbuilder 4.17 raises from the credentials' `get_access_token`
(`PermissionError("Failed to get access token with error: …, error_description: AADSTS…")` for a
secret or a certificate, a `KeyError` or MSAL's error for a managed identity). A token the connector
refuses comes back as HTTP 401. Nothing of this is about one message: everything fails until an
operator fixes the credentials, so the bot raises one alarm (`ConnectorAuthAlarm`) instead of letting
each message fail on its own.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import TracebackType

import botframework.connector.auth
from botframework.connector.models import ErrorResponseException

__all__ = ["connector_auth_failure"]

_CREDENTIALS_CODE = Path(botframework.connector.auth.__file__).resolve().parent
_TOKEN_FUNCTIONS = frozenset({"get_access_token", "signed_session"})
_AADSTS = re.compile(r"AADSTS\d+")
_REASON_LENGTH = 300


def connector_auth_failure(error: BaseException) -> str | None:
    """A short reason (with the AADSTS code when there is one) if `error` is an authentication
    failure towards the Bot Connector; None for every other error."""
    if isinstance(error, ErrorResponseException):
        status = getattr(error.response, "status_code", None) or getattr(error.response, "status", None)
        return "HTTP 401 from the Bot Connector: it refused the bot's token" if status == 401 else None
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
