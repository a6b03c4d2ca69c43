"""What a failed call to the Bot Connector means for trying again, by the outbox's rules.

One reading for the outbox's deliveries (`bot.desk.teams_delivery`) and for replies within a turn
(`bot.adapter`): 429 (with Retry-After), 412 and 5xx and network failures may be retried; 403/404 and
other refusals may not.
"""

from __future__ import annotations

import aiohttp
from botframework.connector.models import ErrorResponseException
from msrest.exceptions import ClientRequestError

from bot.desk.outbox import Outcome, Retry, outcome_for_status

__all__ = ["connector_outcome"]


def connector_outcome(error: BaseException) -> Outcome | None:
    """The outcome `error` stands for, or None when it is not a failure of the call to the connector."""
    if isinstance(error, ErrorResponseException):
        response = error.response
        status = getattr(response, "status_code", None) or getattr(response, "status", 0)
        headers = getattr(response, "headers", None) or {}
        return outcome_for_status(int(status or 0), headers.get("Retry-After"))
    if isinstance(error, aiohttp.ClientError | ClientRequestError | TimeoutError | OSError):
        return Retry(f"{type(error).__name__} talking to the Bot Connector")
    return None
