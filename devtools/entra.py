"""A local stand-in for Microsoft Entra ID's token endpoint, for tests of the bot's credentials.

botbuilder's credentials ask MSAL for a token from `https://login.microsoftonline.com/<tenant>`. This
serves that host on loopback over TLS (its own throw-away CA), reached through an HTTPS proxy that sends
every CONNECT here: point `HTTPS_PROXY` at `proxy_url` and `REQUESTS_CA_BUNDLE` at `ca_file`, and the real
MSAL and botbuilder code runs unchanged. It answers instance and OpenID discovery and the client-credentials grant,
either with a token or with the error Entra gives for an expired client secret (AADSTS7000222).

MSAL calls are synchronous (botbuilder makes them on the event loop), so both servers run in threads.
"""

from __future__ import annotations

import datetime
import json
import select
import socket
import socketserver
import ssl
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

__all__ = ["EXPIRED_SECRET", "EntraStandIn"]

HOST = "login.microsoftonline.com"
# What Entra ID answers a client-credentials grant made with an expired client secret.
EXPIRED_SECRET: dict[str, Any] = {
    "error": "invalid_client",
    "error_description": "AADSTS7000222: The provided client secret keys for app '{app}' are expired. "
    "Visit the Azure portal to create new keys for your app.",
    "error_codes": [7000222],
}


class EntraStandIn:
    """`start()`, then set the environment as the module says; `expired = False` to issue tokens."""

    def __init__(self) -> None:
        self.expired = True
        self.token_requests = 0
        self._folder = tempfile.TemporaryDirectory(prefix="entra-")
        self.ca_file = Path(self._folder.name) / "ca.pem"
        self._servers: list[socketserver.BaseServer] = []

    @property
    def proxy_url(self) -> str:
        return f"http://127.0.0.1:{self._servers[1].server_address[1]}"

    def start(self) -> None:
        context = self._tls_context()
        stand_in = self

        class Endpoint(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                url = urlsplit(self.path)
                if url.path == "/common/discovery/instance":  # which OpenID configuration to read
                    authorize = parse_qs(url.query)["authorization_endpoint"][0]
                    self._json(
                        200,
                        {
                            "tenant_discovery_endpoint": authorize.replace(
                                "/oauth2/v2.0/authorize", "/v2.0/.well-known/openid-configuration"
                            ),
                            "metadata": [
                                {"preferred_network": HOST, "preferred_cache": HOST, "aliases": [HOST]}
                            ],
                        },
                    )
                    return
                # OpenID discovery: /<tenant>/v2.0/.well-known/openid-configuration
                base = f"https://{HOST}/{url.path.split('/')[1]}"
                self._json(
                    200,
                    {
                        "issuer": f"{base}/v2.0",
                        "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                        "token_endpoint": f"{base}/oauth2/v2.0/token",
                        "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
                    },
                )

            def do_POST(self) -> None:  # /<tenant>/oauth2/v2.0/token
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                stand_in.token_requests += 1
                if stand_in.expired:
                    error = dict(EXPIRED_SECRET)
                    error["error_description"] = error["error_description"].format(app="the bot")
                    self._json(401, error)
                else:
                    self._json(
                        200, {"token_type": "Bearer", "expires_in": 3599, "access_token": "emulated-token"}
                    )

            def _json(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        endpoint = ThreadingHTTPServer(("127.0.0.1", 0), Endpoint)
        endpoint.socket = context.wrap_socket(endpoint.socket, server_side=True)
        target = endpoint.server_address

        class Tunnel(socketserver.BaseRequestHandler):
            def handle(self) -> None:  # CONNECT anything:443 → the endpoint above
                request = b""
                while b"\r\n\r\n" not in request:
                    chunk = self.request.recv(4096)
                    if not chunk:
                        return
                    request += chunk
                with socket.create_connection(target) as upstream:
                    self.request.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                    _pipe(self.request, upstream)

        proxy = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Tunnel)
        proxy.daemon_threads = True
        self._servers = [endpoint, proxy]
        for server in self._servers:
            threading.Thread(target=server.serve_forever, daemon=True).start()

    def close(self) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()
        self._folder.cleanup()

    def _tls_context(self) -> ssl.SSLContext:
        """A throw-away CA (written to `ca_file`) and a certificate for login.microsoftonline.com."""
        now = datetime.datetime.now(datetime.UTC)
        ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
        ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Kotae test CA")])
        ca = (
            x509.CertificateBuilder()
            .subject_name(ca_name)
            .issuer_name(ca_name)
            .public_key(ca_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(ca_key, hashes.SHA256())
        )
        leaf = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOST)]))
            .issuer_name(ca_name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(HOST)]), critical=False)
            .sign(ca_key, hashes.SHA256())
        )
        self.ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
        chain = Path(self._folder.name) / "leaf.pem"
        chain.write_bytes(
            leaf.public_bytes(serialization.Encoding.PEM)
            + key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(chain)
        return context


def _pipe(client: socket.socket, upstream: socket.socket) -> None:
    sockets = [client, upstream]
    while True:
        readable, _, _ = select.select(sockets, [], [], 10)
        if not readable:
            return
        for source in readable:
            data = source.recv(65536)
            if not data:
                return
            (upstream if source is client else client).sendall(data)
