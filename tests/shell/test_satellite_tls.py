"""The shell of the satellite trust check (orchestrator.satellite_tls): what a handshake that cannot
be made means. On 127.0.0.1 only; the checks against the mock satellite's real TLS are in
tests/security/test_satellite_trust.py."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from fleetreg.core.satellite_trust import TrustTarget
from fleetreg.shell.satellite_tls import probe

from mock_devices.pki import SatellitePki


def target(port: int, ca_file: Path) -> TrustTarget:
    return TrustTarget("127.0.0.1", port, str(ca_file), True, f"https://127.0.0.1:{port}/x", "defaults", ("sw1",))


@pytest.fixture
def ca_file(tmp_path: Path) -> Path:
    path = tmp_path / "ca.pem"
    path.write_text(SatellitePki.for_host().ca_pem)
    return path


@pytest.fixture
def not_tls() -> Iterator[int]:
    """A listener on 127.0.0.1 that answers like an SSH server, not TLS."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(4)

    def answer() -> None:
        try:
            while True:
                conn, _ = server.accept()
                with conn:
                    conn.sendall(b"SSH-2.0-Cisco-1.25\r\n")
                    conn.recv(4096)
        except OSError:
            return

    thread = threading.Thread(target=answer, daemon=True)
    thread.start()
    yield int(server.getsockname()[1])
    server.shutdown(socket.SHUT_RDWR)  # wakes the accept()
    server.close()
    thread.join(timeout=5)


def test_a_peer_that_does_not_speak_tls_is_untrusted(not_tls: int, ca_file: Path) -> None:
    result = probe(target(not_tls, ca_file), timeout=5)
    assert result.status == "untrusted" and result.detail.startswith("TLS handshake failed"), result


def test_a_missing_ca_file_is_untrusted_not_unreachable(tmp_path: Path) -> None:
    result = probe(target(9, tmp_path / "missing.pem"), timeout=5)
    assert (result.status, result.detail) == ("untrusted", "cannot load the CA file: No such file or directory")


def test_a_closed_port_is_unreachable(ca_file: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    result = probe(target(port, ca_file), timeout=5)
    assert result.status == "unreachable" and "Connection refused" in result.detail, result
