"""install_ca over real SSH to emulated switches, through each transport."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from nornir.core import Nornir

from mock_devices.pki import SatellitePki
from mock_devices.testing import MockFleet
from orchestrator.errors import CommandError
from orchestrator.inventory import load_inventory
from orchestrator.nornir_setup import build_nornir
from orchestrator.pki import ca_fingerprints
from orchestrator.secrets import Credentials
from tasks.connection import TRANSPORT_PLUGINS, transport_of
from tasks.trust import install_ca

TRUSTPOINT = "FLEETREG-SSM"


@pytest.fixture
def mock(mock_fleet_factory: Callable[..., MockFleet]) -> MockFleet:
    return mock_fleet_factory(2)


@pytest.fixture(params=sorted(TRANSPORT_PLUGINS))
def nornir(mock: MockFleet, request: pytest.FixtureRequest) -> Iterator[Nornir]:
    inventory = load_inventory(mock.inventory_dir, environ=mock.env)
    env = mock.env
    credentials = Credentials(env["FLEETREG_USERNAME"], env["FLEETREG_PASSWORD"], env["FLEETREG_ENABLE_SECRET"])
    nr = build_nornir(inventory, credentials, workers=2, connect_timeout=10, transport=request.param)
    yield nr
    nr.close_connections()


def run_install(nr: Nornir, host: str, ca_pem: str, expected_sha1: str) -> object:
    result = nr.filter(name=host).run(
        task=install_ca,
        trustpoint=TRUSTPOINT,
        ca_pem=ca_pem,
        expected_sha1=expected_sha1,
        read_timeout=20,
        on_failed=True,
    )
    return result[host][0]


def in_exec_mode(nr: Nornir, host: str) -> bool:
    """The session is back in privileged EXEC: an exec-only command runs (config mode refuses it)."""
    nornir_host = nr.inventory.hosts[host]
    cli = nornir_host.get_connection(transport_of(nornir_host), nr.config)
    return "Cisco IOS XE Software" in cli.send_command("show version", read_timeout=10)


def chain_of(mock: MockFleet, host: str) -> str | None:
    def read() -> str | None:
        tp = mock.fleet.device(host).config.trustpoint(TRUSTPOINT)
        return tp.ca_certificate.sha1 if tp is not None and tp.ca_certificate is not None else None

    return mock.call(read)


def test_installs_the_ca_then_a_second_run_changes_nothing(mock: MockFleet, nornir: Nornir) -> None:
    host = mock.fleet.devices[0].name
    pki = mock.fleet.satellite.pki
    assert pki is not None
    _md5, sha1 = ca_fingerprints(pki.ca_pem)
    first = run_install(nornir, host, pki.ca_pem, sha1)
    assert first.failed is False, first.exception  # type: ignore[attr-defined]
    assert first.changed is True  # type: ignore[attr-defined]
    assert "Trustpoint CA certificate accepted." in first.result  # type: ignore[attr-defined]
    assert chain_of(mock, host) == sha1
    running = mock.call(mock.fleet.device(host).running_config_text)
    assert f"crypto pki trustpoint {TRUSTPOINT}\n enrollment terminal\n revocation-check none\n" in running
    assert f"crypto pki certificate chain {TRUSTPOINT}\n certificate ca {pki.ca.serial_hex}\n" in running
    assert in_exec_mode(nornir, host)
    second = run_install(nornir, host, pki.ca_pem, sha1)
    assert second.failed is False and second.changed is False  # type: ignore[attr-defined]
    assert second.result == f"trustpoint {TRUSTPOINT} already holds the CA"  # type: ignore[attr-defined]


def test_fingerprint_mismatch_answers_no_and_installs_nothing(mock: MockFleet, nornir: Nornir) -> None:
    host = mock.fleet.devices[1].name
    pki = mock.fleet.satellite.pki
    assert pki is not None
    wrong = SatellitePki.generate("ssm-onprem.fleetreg.test").ca_pem
    expected_md5, expected_sha1 = ca_fingerprints(pki.ca_pem)
    shown_sha1 = ca_fingerprints(wrong)[1]
    outcome = run_install(nornir, host, wrong, expected_sha1)
    assert outcome.failed is True  # type: ignore[attr-defined]
    error = outcome.exception  # type: ignore[attr-defined]
    assert isinstance(error, CommandError)
    assert error.message == f"CA fingerprint mismatch: switch shows {shown_sha1}, PEM file has {expected_sha1}"
    assert (error.host, error.step) == (host, "install_ca")
    assert chain_of(mock, host) is None
    assert expected_md5 not in str(error)
    assert in_exec_mode(nornir, host)
    retry = run_install(nornir, host, pki.ca_pem, expected_sha1)  # the right PEM still installs afterwards
    assert retry.failed is False and retry.changed is True  # type: ignore[attr-defined]
    assert chain_of(mock, host) == expected_sha1
