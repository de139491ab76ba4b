"""install_ca over real SSH to emulated switches, through each transport."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from cli_sessions import with_cli
from fleetreg.core.errors import CommandError
from fleetreg.core.pki import ca_fingerprints
from fleetreg.tasks.cli import DeviceCli
from fleetreg.tasks.trust import authenticate_ca

from mock_devices.pki import SatellitePki
from mock_devices.testing import MockFleet

TRUSTPOINT = "FLEETREG-SSM"


@pytest.fixture
def mock(mock_fleet_factory: Callable[..., MockFleet]) -> MockFleet:
    return mock_fleet_factory(2)


def in_exec_mode(cli: DeviceCli) -> bool:
    """The session is back in privileged EXEC: an exec-only command runs (config mode refuses it)."""
    return "Cisco IOS XE Software" in cli.send_command("show version", read_timeout=10)


def chain_of(mock: MockFleet, host: str) -> str | None:
    def read() -> str | None:
        tp = mock.fleet.device(host).config.trustpoint(TRUSTPOINT)
        return tp.ca_certificate.sha1 if tp is not None and tp.ca_certificate is not None else None

    return mock.call(read)


def test_installs_the_ca_then_a_second_run_changes_nothing(mock: MockFleet, transport: str) -> None:
    host = mock.fleet.devices[0].name
    pki = mock.fleet.satellite.pki
    assert pki is not None
    _md5, sha1 = ca_fingerprints(pki.ca_pem)

    def twice(cli: DeviceCli) -> tuple[str, bool, str]:
        first = authenticate_ca(cli, TRUSTPOINT, pki.ca_pem, sha1, read_timeout=20)
        exec_mode = in_exec_mode(cli)
        return first, exec_mode, authenticate_ca(cli, TRUSTPOINT, pki.ca_pem, sha1, read_timeout=20)

    first, exec_mode, second = with_cli(mock, transport, host, twice)
    assert "Trustpoint CA certificate accepted." in first
    assert exec_mode  # left config mode
    assert second == f"trustpoint {TRUSTPOINT} already holds the CA"
    assert chain_of(mock, host) == sha1
    running = mock.call(mock.fleet.device(host).running_config_text)
    assert f"crypto pki trustpoint {TRUSTPOINT}\n enrollment terminal\n revocation-check none\n" in running
    assert f"crypto pki certificate chain {TRUSTPOINT}\n certificate ca {pki.ca.serial_hex}\n" in running


def test_fingerprint_mismatch_answers_no_and_installs_nothing(mock: MockFleet, transport: str) -> None:
    host = mock.fleet.devices[1].name
    pki = mock.fleet.satellite.pki
    assert pki is not None
    wrong = SatellitePki.generate("ssm-onprem.fleetreg.test").ca_pem
    expected_md5, expected_sha1 = ca_fingerprints(pki.ca_pem)
    shown_sha1 = ca_fingerprints(wrong)[1]

    def wrong_then_right(cli: DeviceCli) -> tuple[CommandError, str | None, bool, str]:
        try:
            authenticate_ca(cli, TRUSTPOINT, wrong, expected_sha1, read_timeout=20)
        except CommandError as exc:
            error = exc
        else:
            raise AssertionError("a CA with the wrong fingerprint was accepted")
        installed = chain_of(mock, host)
        exec_mode = in_exec_mode(cli)
        retry = authenticate_ca(cli, TRUSTPOINT, pki.ca_pem, expected_sha1, read_timeout=20)
        return error, installed, exec_mode, retry

    error, installed, exec_mode, retry = with_cli(mock, transport, host, wrong_then_right)
    assert error.message == f"CA fingerprint mismatch: switch shows {shown_sha1}, PEM file has {expected_sha1}"
    assert (error.host, error.step) == (host, "install_ca")
    assert expected_md5 not in str(error)
    assert installed is None
    assert exec_mode
    assert "Trustpoint CA certificate accepted." in retry  # the right PEM still installs afterwards
    assert chain_of(mock, host) == expected_sha1
