"""What common automation clients send at login and before changes, answered as a 17.x switch does:
Netmiko (`terminal width 511`, `terminal length 0`), scrapli (`terminal length 0`, `terminal width
512`), Ansible's cisco.ios (`terminal length 0`, `terminal width 512`, `terminal width 0`, `show
privilege`, `show version`), and `terminal [no] monitor`."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from mock_clients import netmiko_to

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _switch_shell import run, switch_shell

from mock_devices.fleet import build_fleet
from mock_devices.session import CliSession
from mock_devices.spec import FaultSpec, FleetSpec, SwitchSpec
from mock_devices.testing import MockFleet

NAMES = ["ams-sw-exec", "lon-sw-user"]
ANSIBLE_PRIVILEGE = re.compile(r"Current privilege level is (\d+)$")  # cisco.ios terminal plugin


def spec() -> FleetSpec:
    return FleetSpec(
        count=2,
        switches=[
            SwitchSpec(index=0, name=NAMES[0], state="cloud"),
            SwitchSpec(index=1, name=NAMES[1], state="slp", version="17.9.4"),
        ],
        faults=[FaultSpec(switches=[NAMES[1]], user_mode_login=True)],
    )


def session(index: int) -> CliSession:
    fleet = build_fleet(spec=spec())
    opened = fleet.devices[index].open_session()
    assert opened is not None
    return opened


def test_show_privilege_is_15_in_enable_mode_and_1_in_user_mode() -> None:
    exec_session = session(0)
    assert exec_session.handle_line("show privilege").output == "Current privilege level is 15\n"
    assert exec_session.handle_line("sh priv").output == "Current privilege level is 15\n"
    exec_session.handle_line("configure terminal")
    assert exec_session.handle_line("do show privilege").output == "Current privilege level is 15\n"
    user = session(1)
    assert user.handle_line("show privilege").output == "Current privilege level is 1\n"
    assert user.handle_line("enable").prompt == "Password: "
    user.handle_line("Lab-Enable1")
    assert user.handle_line("show privilege").output == "Current privilege level is 15\n"


def test_terminal_settings_and_their_defaults() -> None:
    s = session(0)
    for line in ("terminal width 511", "terminal length 0", "terminal width 0", "terminal no monitor"):
        reply = s.handle_line(line)
        assert (reply.output, reply.prompt) == ("", "ams-sw-exec#"), line
    assert (s.terminal_width, s.terminal_length, s.monitor) == (0, 0, False)
    s.handle_line("terminal monitor")
    assert s.monitor
    s.handle_line("terminal no width")
    s.handle_line("terminal no length")
    assert (s.terminal_width, s.terminal_length) == (80, 24)
    assert "% Invalid input detected" in s.handle_line("terminal width 513").output


@pytest.fixture
def fleet(mock_fleet_factory: Callable[..., MockFleet]) -> MockFleet:
    return mock_fleet_factory(spec=spec())


def test_ansible_login_sequence_over_ssh(fleet: MockFleet) -> None:
    """cisco.ios on_open_shell + on_become + get_device_info, byte for byte on the wire."""

    async def scenario() -> None:
        async with switch_shell(fleet, 0) as sh:
            prompt = b"ams-sw-exec#"
            await sh.read_until(prompt)
            for line in ("terminal length 0", "terminal width 512", "terminal width 0"):
                assert await sh.command(line, prompt) == f"{line}\r\n".encode() + prompt
            answer = (await sh.command("show privilege", prompt)).decode()
            lines = answer.split("\r\n")
            assert lines[:2] == ["show privilege", "Current privilege level is 15"]
            assert ANSIBLE_PRIVILEGE.search(lines[1])
            version = (await sh.command("show version", prompt)).decode()
            assert re.search(r"Version (\S+)", version)
            assert re.search(r"^ams-sw-exec uptime", version, re.M)
        async with switch_shell(fleet, 1) as sh:
            await sh.read_until(b"lon-sw-user>")
            assert b"Current privilege level is 1\r\n" in await sh.command("show privilege", b"lon-sw-user>")

    run(scenario())


def test_netmiko_and_scrapli_log_in_and_read_the_privilege(fleet: MockFleet) -> None:
    from scrapli.driver.core import IOSXEDriver

    netmiko = netmiko_to(fleet, 1)
    try:
        assert netmiko.send_command("show privilege").strip() == "Current privilege level is 1"
        netmiko.enable()
        assert netmiko.send_command("show privilege").strip() == "Current privilege level is 15"
        assert netmiko.send_command("terminal no monitor").strip() == ""
    finally:
        netmiko.disconnect()
    device = fleet.fleet.devices[1]
    with IOSXEDriver(
        host=device.host,
        port=device.port,
        auth_username=fleet.env["FLEETREG_USERNAME"],
        auth_password=fleet.env["FLEETREG_PASSWORD"],
        auth_secondary=fleet.env["FLEETREG_ENABLE_SECRET"],
        auth_strict_key=False,
        transport="system",
    ) as scrapli:
        assert scrapli.send_command("show privilege").result == "Current privilege level is 15"
        assert not scrapli.send_command("terminal no monitor").failed
