"""The emulated satellite's HTTPS endpoint: the host and port of its call-home and CSLU URLs,
served on 127.0.0.1 with the satellite's own certificate (its PKI), so that fleetreg can check,
from where it runs, that the CA it will install validates the certificate the satellite really
presents.

The switches' traffic to the satellite stays emulated in-process (switch.py); this listener only
performs real TLS handshakes and answers any request with 404. `present()` swaps the server
certificate for the next handshakes (a satellite whose certificate was replaced).
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
import tempfile
from pathlib import Path

from mock_devices.satellite_api import TlsMaterial, bind_api_socket, server_ssl_context

HANDSHAKE_TIMEOUT_S = 10.0
NOT_FOUND = b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


def bind_satellite_socket(port: int = 0) -> socket.socket:
    """A listening socket on 127.0.0.1 (port 0: a free one), bound before the fleet is built (its
    port is part of the satellite's URLs)."""
    return bind_api_socket(port)


class SatelliteEndpoint:
    """TLS on `sock` with `tls` (the satellite's server certificate and key); a LoopService."""

    def __init__(self, tls: TlsMaterial, sock: socket.socket) -> None:
        self._sock = sock
        self._context = server_ssl_context(tls)
        self._server: asyncio.Server | None = None
        self.port: int = sock.getsockname()[1]
        self.handshakes = 0  # completed TLS handshakes (for tests)

    def present(self, tls: TlsMaterial) -> None:
        """Serve `tls` from the next handshake on (call on the loop thread, e.g. MockFleet.call)."""
        with tempfile.TemporaryDirectory(prefix="fleetreg-sat-tls-") as folder:
            cert_file, key_file = Path(folder) / "server.pem", Path(folder) / "server.key"
            cert_file.write_bytes(tls.cert_pem)
            key_file.touch(mode=0o600)
            key_file.write_bytes(tls.key_pem)
            self._context.load_cert_chain(cert_file, key_file)

    async def start(self) -> None:
        self._server = await asyncio.start_server(
            self._connection, sock=self._sock, ssl=self._context, ssl_handshake_timeout=HANDSHAKE_TIMEOUT_S
        )

    def close_socket(self) -> None:
        self._sock.close()

    async def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(server.wait_closed(), 5)

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.handshakes += 1
        try:
            with contextlib.suppress(TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
                await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), HANDSHAKE_TIMEOUT_S)
                writer.write(NOT_FOUND)
                await writer.drain()
        except (ConnectionError, ssl.SSLError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(writer.wait_closed(), 2)
