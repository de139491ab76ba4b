"""Unmodified real clients (Netmiko, scrapli) at default settings against the emulated fleet."""

from __future__ import annotations

import shlex
import time
from collections.abc import Callable
from typing import Any

import paramiko
import pytest
from mock_clients import netmiko_to

from mock_devices.testing import MockFleet

try:
    from mock_devices.fleet import build_fleet  # noqa: F401  (the behaviour side must exist)
    from mock_devices.spec import FaultSpec, FleetSpec, SwitchSpec

    FLEET_MISSING = ""
except ImportError as error:  # pragma: no cover - only while the behaviour side is unfinished
    FLEET_MISSING = f"mock_devices.fleet.build_fleet is not available yet: {error}"

from netmiko.exceptions import ConfigInvalidException, NetmikoAuthenticationException, ReadTimeout
from scrapli.driver.core import IOSXEDriver
from scrapli.exceptions import ScrapliAuthenticationFailed

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(bool(FLEET_MISSING), reason=FLEET_MISSING or "-"),
]

PLAIN, USER_MODE, ONE_VTY, DROPPER, HANGER = 0, 1, 2, 3, 4
BANNER = "Authorized access only. Disconnect IMMEDIATELY if you are not authorized."


def client_spec() -> Any:
    names = ["ams-sw-plain", "ams-sw-user-mode", "lon-sw-one-vty", "lon-sw-drop", "nyc-sw-hang"]
    return FleetSpec(
        count=len(names),
        switches=[SwitchSpec(index=i, name=name, state="cloud") for i, name in enumerate(names)],
        faults=[
            FaultSpec(switches=[names[USER_MODE]], user_mode_login=True, banner=BANNER),
            FaultSpec(switches=[names[ONE_VTY]], max_sessions=1),
            FaultSpec(switches=[names[DROPPER]], drop_after_commands=3),
            FaultSpec(switches=[names[HANGER]], hang_command="show license status"),
        ],
    )


@pytest.fixture
def fleet(mock_fleet_factory: Callable[..., MockFleet]) -> MockFleet:
    return mock_fleet_factory(spec=client_spec())


def scrapli_to(fleet: MockFleet, index: int, transport: str, **kwargs: Any) -> IOSXEDriver:
    device = fleet.fleet.devices[index]
    params: dict[str, Any] = {
        "host": device.host,
        "port": device.port,
        "auth_username": fleet.env["FLEETREG_USERNAME"],
        "auth_password": fleet.env["FLEETREG_PASSWORD"],
        "auth_secondary": fleet.env["FLEETREG_ENABLE_SECRET"],
        "auth_strict_key": False,
        "transport": transport,
    }
    params.update(kwargs)
    return IOSXEDriver(**params)


@pytest.mark.parametrize("device_type", ["cisco_ios", "cisco_xe"])
def test_netmiko_show_config_and_save(fleet: MockFleet, device_type: str) -> None:
    device = fleet.fleet.devices[PLAIN]
    connection = netmiko_to(fleet, PLAIN, device_type)
    try:
        assert connection.find_prompt() == f"{device.name}#"
        status = connection.send_command("show license status")
        assert "Smart Licensing is ENABLED" in status
        version = connection.send_command("show version")
        assert "Cisco IOS XE Software" in version
        assert f"{device.name} uptime is" in version
        output = connection.send_config_set(["call-home", 'profile "SSM-OnPrem"', "active"], error_pattern=r"^%")
        assert f"{device.name[:20]}(cfg-call-home-profile)#" in output
        assert connection.find_prompt() == f"{device.name}#"
        with pytest.raises(ConfigInvalidException):
            connection.send_config_set(["call-home", "no such command"], error_pattern=r"^%")
        # Netmiko raises at the bad line and leaves the session in config mode, as on a real switch
        assert connection.find_prompt() == f"{device.name}(cfg-call-home)#"
        connection.exit_config_mode()
        assert connection.find_prompt() == f"{device.name}#"
        saved = connection.save_config()
        assert "[OK]" in saved
    finally:
        connection.disconnect()
    state = fleet.call(fleet.fleet.dump_state)
    startup = state_of(state, device.name)["startup_config"]
    assert 'profile "SSM-OnPrem"' in startup


def state_of(state: dict[str, Any], name: str) -> dict[str, Any]:
    devices = state["devices"]
    if isinstance(devices, dict):
        result: dict[str, Any] = devices[name]
        return result
    return next(entry for entry in devices if entry.get("name") == name)


def test_netmiko_banner_user_mode_and_enable(fleet: MockFleet) -> None:
    device = fleet.fleet.devices[USER_MODE]
    connection = netmiko_to(fleet, USER_MODE, "cisco_ios")
    try:
        assert connection.find_prompt() == f"{device.name}>"
        assert not connection.check_enable_mode()
        connection.enable()
        assert connection.check_enable_mode()
        assert connection.find_prompt() == f"{device.name}#"
        assert "Cisco IOS XE Software" in connection.send_command("show version")
    finally:
        connection.disconnect()


def test_netmiko_wrong_password(fleet: MockFleet) -> None:
    with pytest.raises(NetmikoAuthenticationException):
        netmiko_to(fleet, PLAIN, password="wrong-password")


def test_netmiko_vty_lines_exhausted(fleet: MockFleet) -> None:
    first = netmiko_to(fleet, ONE_VTY)
    try:
        with pytest.raises(paramiko.SSHException, match="Unable to open channel"):
            netmiko_to(fleet, ONE_VTY)
        assert first.find_prompt().endswith("#")  # the first session is unaffected
    finally:
        first.disconnect()
    # the switch frees the vty line when it sees the session close (asynchronously, as IOS does)
    deadline = time.monotonic() + 5
    while fleet.call(lambda: len(fleet.fleet.devices[ONE_VTY].sessions)) and time.monotonic() < deadline:
        time.sleep(0.02)
    second = netmiko_to(fleet, ONE_VTY)  # the line is free again
    second.disconnect()


def test_netmiko_dropped_session(fleet: MockFleet) -> None:
    connection = netmiko_to(fleet, DROPPER)  # session preparation: terminal width + length
    try:
        assert "Cisco IOS XE Software" in connection.send_command("show version")
        # Netmiko does not notice EOF while reading: the prompt never comes ...
        with pytest.raises(ReadTimeout):
            connection.send_command("show license status", read_timeout=1.0)
        # ... and the next write finds the socket closed
        with pytest.raises(OSError, match="Socket is closed"):
            connection.send_command("show version", read_timeout=1.0)
    finally:
        connection.disconnect()
    assert fleet.call(lambda: len(fleet.fleet.devices[DROPPER].sessions)) == 0


def test_netmiko_hung_command_times_out(fleet: MockFleet) -> None:
    connection = netmiko_to(fleet, HANGER)
    hanger = fleet.fleet.devices[HANGER]
    try:
        assert "Cisco IOS XE Software" in connection.send_command("show version")
        with pytest.raises(ReadTimeout):
            connection.send_command("show license status", read_timeout=1.0)
        assert connection.remote_conn.get_transport().is_active()  # hung, not disconnected
        assert fleet.call(lambda: len(hanger.sessions)) == 1
    finally:
        # disconnect() would wait for the hung switch's prompt (10 s); close the transport instead
        connection.remote_conn_pre.close()
    assert wait_for(lambda: fleet.call(lambda: len(hanger.sessions)) == 0)


def wait_for(condition: Callable[[], bool], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


@pytest.mark.parametrize("transport", ["system", "paramiko"])
def test_scrapli_send_command_and_configs(fleet: MockFleet, transport: str) -> None:
    device = fleet.fleet.devices[PLAIN]
    with scrapli_to(fleet, PLAIN, transport) as connection:
        assert connection.get_prompt() == f"{device.name}#"
        response = connection.send_command("show version")
        assert not response.failed
        assert "Cisco IOS XE Software" in response.result
        status = connection.send_command("show license status")
        assert "Smart Licensing is ENABLED" in status.result
        responses = connection.send_configs(["call-home", "contact-email-addr noc@example.test"])
        assert not responses.failed
        bad = connection.send_configs(["call-home", "no such command"])
        assert bad.failed
        assert "% Invalid input detected at '^' marker." in bad[1].result
        # scrapli stays in configuration mode after send_configs and leaves it on the next command
        assert connection.get_prompt() == f"{device.name}(cfg-call-home)#"
        assert "Cisco IOS XE Software" in connection.send_command("show version").result
        assert connection.get_prompt() == f"{device.name}#"
    running = fleet.call(lambda: fleet.fleet.devices[PLAIN].running_config_text())
    assert "contact-email-addr noc@example.test" in running


@pytest.mark.parametrize("transport", ["system", "paramiko"])
def test_scrapli_user_mode_escalates_with_secondary_password(fleet: MockFleet, transport: str) -> None:
    device = fleet.fleet.devices[USER_MODE]
    with scrapli_to(fleet, USER_MODE, transport) as connection:
        assert connection.get_prompt() == f"{device.name}#"
        assert "Cisco IOS XE Software" in connection.send_command("show version").result


def test_scrapli_wrong_password(fleet: MockFleet) -> None:
    with pytest.raises(ScrapliAuthenticationFailed):
        scrapli_to(fleet, PLAIN, "paramiko", auth_password="wrong-password").open()


def test_inventory_written_for_the_served_fleet(fleet: MockFleet) -> None:
    import yaml

    hosts = yaml.safe_load((fleet.inventory_dir / "hosts.yaml").read_text())
    assert list(hosts) == [device.name for device in fleet.fleet.devices]
    for device in fleet.fleet.devices:
        assert hosts[device.name]["hostname"] == device.host
        assert hosts[device.name]["port"] == device.port
    env_lines = (fleet.inventory_dir / "fleet.env").read_text().splitlines()
    parsed = dict(shlex.split(line.removeprefix("export "))[0].split("=", 1) for line in env_lines)
    assert parsed == fleet.env
    assert fleet.env["FLEETREG_USERNAME"] == fleet.fleet.info.username
    assert all(name.startswith(("FLEETREG_TOKEN_", "FLEETREG_CLOUD_TOKEN_")) for name in fleet.env if "TOKEN" in name)
    # each virtual account's group names its satellite token and its cloud token (rollback)
    groups = yaml.safe_load((fleet.inventory_dir / "groups.yaml").read_text())
    corporate = groups["va_corporate_network_devices"]["data"]["fleetreg"]
    assert corporate["token_ref"] == "env:FLEETREG_TOKEN_CORPORATE_NETWORK_DEVICES"
    assert corporate["cloud_token_ref"] == "env:FLEETREG_CLOUD_TOKEN_CORPORATE_NETWORK_DEVICES"
    assert fleet.env["FLEETREG_CLOUD_TOKEN_CORPORATE_NETWORK_DEVICES"] == fleet.fleet.info.cloud_token


def test_netmiko_and_scrapli_with_latency_and_jitter(mock_fleet_factory: Callable[..., MockFleet]) -> None:
    """Replies arrive 100-150 ms late; typed-ahead config lines must not garble the prompts."""
    spec = FleetSpec(count=1, switches=[SwitchSpec(index=0, name="slow-sw", state="cloud")])
    fleet = mock_fleet_factory(spec=spec, latency_ms=100, jitter_ms=50)
    connection = netmiko_to(fleet, 0)
    try:
        output = connection.send_config_set(
            ["call-home", "contact-email-addr slow@example.test", "exit", "hostname slow-sw"],
            error_pattern=r"^%",
        )
        assert "%" not in output
        assert connection.find_prompt() == "slow-sw#"
        assert "Smart Licensing is ENABLED" in connection.send_command("show license status")
    finally:
        connection.disconnect()
    with scrapli_to(fleet, 0, "system") as scrapli:
        assert not scrapli.send_configs(["call-home", "contact-email-addr late@example.test"]).failed
        assert "contact-email-addr late@example.test" in scrapli.send_command("show running-config").result


def test_written_inventory_passes_fleetreg_inventory_checks(fleet: MockFleet) -> None:
    from fleetreg.shell.inventory import check_inventory

    assert check_inventory(fleet.inventory_dir, environ=fleet.env) == []
