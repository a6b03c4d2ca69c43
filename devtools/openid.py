"""Local stand-ins for the Bot Framework's token endpoints, for the tests and `benchmarks/attacks.py`.

`OpenIdStandIn` serves an OpenID metadata document and its JWKS on loopback with a key it generated,
and signs tokens with it as the Bot Framework would; `BlackHole` accepts connections and never
answers (a dead proxy, outbound traffic dropped in a closed network).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

import jwt
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from bot.tokens import BOT_FRAMEWORK_ISSUER

__all__ = ["BlackHole", "OpenIdStandIn", "new_key"]


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class OpenIdStandIn:
    """Serve with `await stand_in.start()`; point `KOTAE_OPENID_METADATA_URL` at `metadata_url`."""

    host: str = "127.0.0.1"
    endorsements: tuple[str, ...] = ("msteams",)
    kid: str = "kotae-stand-in-key"
    key: rsa.RSAPrivateKey = field(default_factory=new_key)
    requests: int = 0  # metadata and key documents served
    _runner: web.AppRunner | None = None
    _port: int = 0

    @property
    def metadata_url(self) -> str:
        return f"http://{self.host}:{self._port}/v1/.well-known/openidconfiguration"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/v1/.well-known/openidconfiguration", self._metadata)
        app.router.add_get("/v1/.well-known/keys", self._keys)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, 0).start()
        self._port = self._runner.addresses[0][1]

    async def close(self) -> None:
        if self._runner:
            await self._runner.cleanup()

    async def _metadata(self, _request: web.Request) -> web.Response:
        self.requests += 1
        return web.json_response(
            {
                "issuer": BOT_FRAMEWORK_ISSUER,
                "jwks_uri": f"http://{self.host}:{self._port}/v1/.well-known/keys",
            }
        )

    async def _keys(self, _request: web.Request) -> web.Response:
        self.requests += 1
        jwk: dict[str, Any] = RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        jwk |= {"kid": self.kid, "use": "sig", "endorsements": list(self.endorsements)}
        return web.json_response({"keys": [jwk]})

    def token(
        self,
        *,
        audience: str,
        service_url: str,
        issuer: str = BOT_FRAMEWORK_ISSUER,
        expires_in: float = 3600,
        key: Any = None,
        algorithm: str = "RS256",
        kid: str | None = None,
        **claims: Any,
    ) -> str:
        """A token as the Bot Framework signs it; every part can be changed to forge one."""
        now = int(time.time())
        payload = {
            "iss": issuer,
            "aud": audience,
            "serviceurl": service_url,
            "nbf": now - 10,
            "iat": now - 10,
            "exp": int(now + expires_in),
            **claims,
        }
        headers = {"kid": self.kid if kid is None else kid}
        signing_key = self.key if key is None else key
        return jwt.encode(payload, signing_key, algorithm=algorithm, headers=headers)


@dataclass
class BlackHole:
    """A TCP server that accepts connections and never answers; `url` is an http:// URL to it."""

    host: str = "127.0.0.1"
    _server: asyncio.Server | None = None
    _held: list[asyncio.StreamWriter] = field(default_factory=list)

    @property
    def url(self) -> str:
        assert self._server is not None, "start() first"
        port = self._server.sockets[0].getsockname()[1]
        return f"http://{self.host}:{port}/v1/.well-known/openidconfiguration"

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._hold, self.host, 0)

    async def _hold(self, _reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._held.append(writer)  # never read from, never written to: the caller waits

    async def close(self) -> None:
        for writer in self._held:
            writer.close()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
