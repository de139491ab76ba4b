"""The emulated satellite's HTTPS endpoint (mock_devices.satellite_tls): its call-home and CSLU URLs
point at a real TLS listener on 127.0.0.1 that presents the satellite's own certificate."""

from __future__ import annotations

import socket
import ssl
from typing import Any

import pytest

from mock_devices.pki import SatellitePki
from mock_devices.testing import MockFleet

pytestmark = pytest.mark.integration


def handshake(port: int, ca_pem: str) -> dict[str, Any]:
    context = ssl.create_default_context(cadata=ca_pem)
    with (
        socket.create_connection(("127.0.0.1", port), timeout=5) as raw,
        context.wrap_socket(raw, server_hostname="127.0.0.1") as tls,
    ):
        tls.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert tls.recv(1024).startswith(b"HTTP/1.1 404")
        return tls.getpeercert() or {}


def test_the_satellite_urls_reach_its_tls_endpoint_which_presents_its_certificate(
    mock_fleet_factory: Any,
) -> None:
    mock: MockFleet = mock_fleet_factory(1)
    satellite, endpoint = mock.fleet.satellite, mock.satellite_endpoint
    assert endpoint is not None and satellite.port == endpoint.port and satellite.pki is not None
    assert satellite.callhome_url == f"https://127.0.0.1:{endpoint.port}/Transportgateway/services/DeviceRequestHandler"
    assert satellite.cslu_url.startswith(f"https://127.0.0.1:{endpoint.port}/cslu/v1/pi/")
    assert (
        satellite.callhome_url in satellite.callhome_urls() and mock.fleet.info.satellite_url == satellite.callhome_url
    )
    names = [value for _, value in handshake(endpoint.port, satellite.pki.ca_pem)["subjectAltName"]]
    assert names == ["ssm-onprem.fleetreg.test", "127.0.0.1"]

    old_ca = satellite.pki.ca_pem
    other = SatellitePki.generate("ssm-onprem.fleetreg.test")
    mock.replace_satellite_certificate(other)
    assert mock.fleet.satellite.pki is other  # the switches' TLS check follows it too
    handshake(endpoint.port, other.ca_pem)
    with pytest.raises(ssl.SSLCertVerificationError):
        handshake(endpoint.port, old_ca)
