"""Bot Framework token validation that never blocks the event loop.

botframework-connector 4.17 fetches Microsoft's OpenID metadata with a blocking `requests.get` without
a timeout, on the event loop, for any token whose unverified issuer looks right, and caches no failure
(TEAMS-NOTES): one forged token could hold the whole process. Here the metadata and signing keys are
fetched with aiohttp under a timeout, one fetch at a time however many requests wait for it (single
flight), kept for a day, and a failed fetch is remembered briefly, so that a flood of forged tokens
costs at most one fetch. Everything that can be refused without a key (scheme, algorithm, issuer, key
id) is refused before any fetch.

Checks, as the Bot Framework's connector authentication specifies them: RS256 only; issuer
`https://api.botframework.com`; audience the bot's app id; expiry and not-before with five minutes of
clock skew; a signing key from the metadata's `jwks_uri`, endorsed for the activity's channel when the
key lists endorsements; the `serviceurl` claim equal to the activity's `serviceUrl`. Emulator tokens
are not accepted outside dev mode (dev mode does not authenticate at all).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp
import jwt
from jwt.algorithms import RSAAlgorithm

__all__ = ["BOT_FRAMEWORK_ISSUER", "InvalidToken", "SigningKeys", "TokenValidator"]

_log = logging.getLogger(__name__)

BOT_FRAMEWORK_ISSUER = "https://api.botframework.com"
_ALGORITHM = "RS256"
_CLOCK_SKEW = 5 * 60
_KEYS_LIFETIME = 24 * 3600.0
# A token naming a key we do not have refreshes the keys at most this often (keys roll over rarely).
_UNKNOWN_KEY_REFRESH = 300.0
# After a failed fetch, tokens that need keys are refused at once for this long instead of refetching.
_FAILURE_LIFETIME = 30.0
_MAX_DOCUMENT_BYTES = 1024 * 1024


class InvalidToken(Exception):
    """The request's token cannot be verified; `str()` is a short reason for the log (never for the caller)."""


@dataclass(frozen=True, slots=True)
class _SigningKey:
    key: Any  # an RSA public key for PyJWT
    endorsements: frozenset[str]


def _parse_keys(document: Any) -> dict[str, _SigningKey]:
    keys: dict[str, _SigningKey] = {}
    entries = document.get("keys") if isinstance(document, dict) else None
    for entry in entries if isinstance(entries, list) else []:
        kid = entry.get("kid") if isinstance(entry, dict) else None
        if not isinstance(kid, str) or entry.get("kty") != "RSA":
            continue
        try:
            key = RSAAlgorithm.from_jwk(json.dumps(entry))
        except (jwt.PyJWTError, ValueError, TypeError, KeyError):
            continue  # one unreadable key does not spoil the others
        endorsements = entry.get("endorsements")
        named = (
            frozenset(e for e in endorsements if isinstance(e, str)) if isinstance(endorsements, list) else ()
        )
        keys[kid] = _SigningKey(key, frozenset(named))
    return keys


class SigningKeys:
    """The signing keys an OpenID metadata document points to: fetched asynchronously, cached, one fetch
    at a time, failures remembered for `_FAILURE_LIFETIME` seconds."""

    def __init__(
        self, metadata_url: str, *, timeout: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._metadata_url = metadata_url
        self._timeout = timeout
        self._clock = clock
        self._keys: dict[str, _SigningKey] = {}
        self._fetched_at: float | None = None
        self._failed_until = 0.0
        self._fetch: asyncio.Future[None] | None = None
        self._session: aiohttp.ClientSession | None = None
        self.fetches = 0  # how many fetches were started (for the tests and the attack benchmark)

    async def key(self, kid: str) -> _SigningKey:
        now = self._clock()
        fresh = self._fetched_at is not None and now - self._fetched_at < _KEYS_LIFETIME
        if fresh and kid in self._keys:
            return self._keys[kid]
        if now < self._failed_until:
            raise InvalidToken("signing keys unavailable (the last fetch failed moments ago)")
        recently = self._fetched_at is not None and now - self._fetched_at < _UNKNOWN_KEY_REFRESH
        if fresh and recently:
            raise InvalidToken(f"unknown signing key id {kid[:64]!r}")
        await self._refresh()
        if kid not in self._keys:
            raise InvalidToken(f"unknown signing key id {kid[:64]!r}")
        return self._keys[kid]

    async def _refresh(self) -> None:
        if self._fetch is None:
            self.fetches += 1
            self._fetch = asyncio.ensure_future(self._download())
            self._fetch.add_done_callback(self._forget_fetch)
        # Shielded: a waiter that goes away (its client hung up) does not cancel the others' fetch.
        await asyncio.shield(self._fetch)

    def _forget_fetch(self, fetch: asyncio.Future[None]) -> None:
        self._fetch = None
        if not fetch.cancelled():
            fetch.exception()  # retrieved here, so that a failure nobody awaited is not reported as lost

    async def _download(self) -> None:
        try:
            async with asyncio.timeout(self._timeout):
                metadata = await self._get_json(self._metadata_url)
                jwks_uri = metadata.get("jwks_uri") if isinstance(metadata, dict) else None
                if not isinstance(jwks_uri, str) or not jwks_uri:
                    raise ValueError("the metadata has no jwks_uri")
                keys = _parse_keys(await self._get_json(jwks_uri))
        except (aiohttp.ClientError, TimeoutError, ValueError) as error:
            self._failed_until = self._clock() + _FAILURE_LIFETIME
            _log.warning(
                "could not fetch the Bot Framework signing keys from %s (%s); tokens are refused for %.0f s",
                self._metadata_url,
                type(error).__name__,
                _FAILURE_LIFETIME,
            )
            raise InvalidToken(f"signing keys unavailable ({type(error).__name__})") from None
        self._keys, self._fetched_at = keys, self._clock()
        _log.info("fetched %d Bot Framework signing keys", len(keys))

    async def _get_json(self, url: str) -> Any:
        if self._session is None:
            # trust_env: behind a proxy (HTTPS_PROXY), as requests did for botbuilder.
            self._session = aiohttp.ClientSession(trust_env=True)
        async with self._session.get(url) as response:
            response.raise_for_status()
            body = await response.content.read(_MAX_DOCUMENT_BYTES + 1)
        if len(body) > _MAX_DOCUMENT_BYTES:
            raise ValueError("the document is too large")
        return json.loads(body)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()


class TokenValidator:
    """Checks the `Authorization` header of a request from the Bot Framework; returns the token's claims."""

    def __init__(self, app_id: str, keys: SigningKeys) -> None:
        self._app_id = app_id
        self._keys = keys

    async def claims(
        self, authorization: str, *, channel_id: str | None, service_url: str | None
    ) -> Mapping[str, Any]:
        """The token's claims, checked against the activity's channel id and service URL."""
        scheme, _, token = authorization.partition(" ")
        if scheme != "Bearer" or not token:
            raise InvalidToken("no Bearer token")
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except (jwt.PyJWTError, ValueError, TypeError) as error:
            raise InvalidToken(f"malformed token ({type(error).__name__})") from None
        # Refused before any key is fetched: what a forged token can make the bot do stays small.
        if header.get("alg") != _ALGORITHM:
            raise InvalidToken(f"algorithm {str(header.get('alg'))[:16]!r} is not {_ALGORITHM}")
        if unverified.get("iss") != BOT_FRAMEWORK_ISSUER:
            raise InvalidToken("issuer is not the Bot Framework")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise InvalidToken("token names no signing key")
        signing = await self._keys.key(kid)
        if signing.endorsements and channel_id not in signing.endorsements:
            raise InvalidToken(f"signing key not endorsed for channel {str(channel_id)[:32]!r}")
        try:
            claims = jwt.decode(
                token,
                signing.key,
                algorithms=[_ALGORITHM],
                audience=self._app_id,
                issuer=BOT_FRAMEWORK_ISSUER,
                leeway=_CLOCK_SKEW,
                options={"require": ["exp", "iss", "aud"]},
            )
        except (jwt.PyJWTError, ValueError, TypeError) as error:
            raise InvalidToken(type(error).__name__) from None
        if claims.get("serviceurl") != service_url:
            raise InvalidToken("the serviceurl claim is not the activity's serviceUrl")
        return claims

    async def close(self) -> None:
        await self._keys.close()
