"""The DeviceCli contract, over real SSH to emulated switches: both transports (asyncssh, the
default, and netmiko) must give the tasks the same answers and the same errors."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import pytest
from nornir.core import Nornir

from mock_devices.testing import MockFleet
from orchestrator.errors import AuthError, CommandTimeout, ConnectError
from orchestrator.inventory import load_inventory
from orchestrator.nornir_setup import build_nornir
from orchestrator.secrets import Credentials
from tasks.cli import ConfigLineRejected, DeviceCli
from tasks.connection import TRANSPORT_PLUGINS, translate

TRANSPORTS = sorted(TRANSPORT_PLUGINS)


@pytest.fixture
def mock(mock_fleet_factory: Callable[..., MockFleet]) -> MockFleet:
    return mock_fleet_factory(3)


def fleet_nornir(mock: MockFleet, transport: str, *, enable_secret: str | None = None) -> Nornir:
    env = mock.env
    credentials = Credentials(
        env["FLEETREG_USERNAME"], env["FLEETREG_PASSWORD"], enable_secret or env["FLEETREG_ENABLE_SECRET"]
    )
    inventory = load_inventory(mock.inventory_dir, environ=env)
    return build_nornir(inventory, credentials, workers=2, connect_timeout=10, transport=transport)


@pytest.fixture(params=TRANSPORTS)
def transport(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def opened(mock: MockFleet, transport: str) -> Iterator[Callable[..., DeviceCli]]:
    """`open(host, **nornir options)`: a logged-in DeviceCli; all closed at teardown."""
    nornirs: list[Nornir] = []

    def open_cli(host: str, **options: Any) -> DeviceCli:
        nr = fleet_nornir(mock, transport, **options)
        nornirs.append(nr)
        try:
            cli: DeviceCli = nr.inventory.hosts[host].get_connection(transport, nr.config)
        except Exception as exc:
            raise translate(exc, host=host, step="connect") from None
        return cli

    yield open_cli
    for nr in nornirs:
        nr.close_connections()


def set_faults(mock: MockFleet, name: str, **faults: Any) -> None:
    switch = mock.fleet.device(name)
    mock.call(setattr, switch, "faults", replace(switch.faults, **faults))


def names(mock: MockFleet) -> list[str]:
    return [d.name for d in mock.fleet.devices]


def test_both_transports_return_the_same_text(mock: MockFleet, mock_fleet_factory: Any) -> None:
    host = names(mock)[0]
    answers = {}
    for transport in TRANSPORTS:
        nr = fleet_nornir(mock, transport)
        try:
            cli: DeviceCli = nr.inventory.hosts[host].get_connection(transport, nr.config)
            answers[transport] = [
                cli.send_command(c, read_timeout=10) for c in ("show license status", "show version", "write memory")
            ]
        finally:
            nr.close_connections()
    assert answers["asyncssh"] == answers["netmiko"]
    status = answers["asyncssh"][0]
    assert status.startswith("Smart Licensing is ENABLED") and "show license status" not in status
    assert not status.rstrip().endswith("#")  # no prompt left in the output


def test_config_lines_are_typed_and_a_rejected_line_stops_typing(
    mock: MockFleet, opened: Callable[..., DeviceCli]
) -> None:
    host = names(mock)[1]
    cli = opened(host)
    cli.send_config(["call-home", " contact-email-addr noc@example.net"], read_timeout=10)
    running = mock.call(mock.fleet.device(host).running_config_text)
    assert "contact-email-addr noc@example.net" in running
    with pytest.raises(ConfigLineRejected) as rejected:
        cli.send_config(["call-home", "no such command here", "contact-email-addr never@example.net"], read_timeout=10)
    assert rejected.value.line == "no such command here"
    assert rejected.value.error.startswith("% Invalid input")
    cli.exit_config_mode()
    assert "never@example.net" not in mock.call(mock.fleet.device(host).running_config_text)
    assert "Cisco IOS XE Software" in cli.send_command("show version", read_timeout=10)  # usable, in exec


def test_user_mode_login_with_a_banner_is_enabled(mock: MockFleet, opened: Callable[..., DeviceCli]) -> None:
    host = names(mock)[0]
    set_faults(mock, host, user_mode_login=True, banner="Authorised access only\nThis means you")
    cli = opened(host)
    assert "Smart Licensing" in cli.send_command("show license status", read_timeout=10)


def test_wrong_enable_secret_is_an_auth_error(mock: MockFleet, opened: Callable[..., DeviceCli]) -> None:
    host = names(mock)[0]
    set_faults(mock, host, user_mode_login=True)
    with pytest.raises(AuthError, match="enable secret refused"):
        opened(host, enable_secret="not-the-secret")


def test_wrong_password_is_an_auth_error(mock: MockFleet, opened: Callable[..., DeviceCli]) -> None:
    host = names(mock)[2]
    set_faults(mock, host, wrong_password=True)
    with pytest.raises(AuthError, match="authentication failed"):
        opened(host)


def test_a_hung_command_times_out(mock: MockFleet, opened: Callable[..., DeviceCli]) -> None:
    host = names(mock)[1]
    set_faults(mock, host, hang_command="show license status")
    cli = opened(host)
    with pytest.raises(CommandTimeout) as timed_out:
        cli.send_command("show license status", read_timeout=1)
    assert "read timeout" in timed_out.value.message
    cli.abort()


def test_a_dropped_session_fails_the_next_command_at_once(mock: MockFleet, opened: Callable[..., DeviceCli]) -> None:
    host = names(mock)[2]
    set_faults(mock, host, drop_after_commands=3)  # login's two setup commands count
    cli = opened(host)
    cli.send_command("show version", read_timeout=10)
    with pytest.raises(Exception) as lost:
        cli.send_command("show license status", read_timeout=20)
    error = translate(lost.value, host=host, step="precheck")
    assert isinstance(error, ConnectError), error
    assert lost.value is not None
