"""AAA per-command authorization over real SSH: exec commands, global config lines and submode
lines are refused with `Command authorization failed.` (no `%`) and change nothing; what clients
make of it (Netmiko with an error pattern, scrapli only when told the wording)."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from mock_clients import netmiko_to

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _switch_shell import run, switch_shell

from mock_devices.spec import FaultSpec, FleetSpec, SwitchSpec
from mock_devices.testing import MockFleet

NAME = "ams-sw-aaa"
REFUSED = b"Command authorization failed.\r\n"
REFUSE = ["license smart register", "ip http client source-interface", "destination transport-method"]


@pytest.fixture
def mock(mock_fleet_factory: Callable[..., MockFleet]) -> MockFleet:
    spec = FleetSpec(
        count=1,
        switches=[SwitchSpec(index=0, name=NAME, version="16.12.8", state="cloud")],
        faults=[FaultSpec(switches=[NAME], authorization_refuse=REFUSE)],
    )
    return mock_fleet_factory(spec=spec)


def test_exec_config_and_submode_lines_are_refused_on_the_wire(mock: MockFleet) -> None:
    switch = mock.fleet.devices[0]
    before = mock.call(switch.running_config_text)
    prompt = re.compile(rb"ams-sw-aaa(\([a-z-]+\))?#$")

    async def scenario() -> list[bytes]:
        async with switch_shell(mock) as sh:
            await sh.read_until(prompt)
            return [
                await sh.command(line, prompt)
                for line in (
                    "license smart register idtoken abcdefgh12345678",
                    "configure terminal",
                    "ip http client source-interface Vlan781",
                    "call-home",
                    'profile "CiscoTAC-1"',
                    "destination transport-method email",
                    "no active",
                    "end",
                )
            ]

    answers = run(scenario())
    assert answers[0] == b"license smart register idtoken abcdefgh12345678\r\n" + REFUSED + b"ams-sw-aaa#"
    assert answers[2] == b"ip http client source-interface Vlan781\r\n" + REFUSED + b"ams-sw-aaa(config)#"
    assert answers[5] == (
        b"destination transport-method email\r\n" + REFUSED + b"ams-sw-aaa(cfg-call-home-profile)#"
    )  # refused in the submode, which it does not leave
    assert answers[6] == b"no active\r\nams-sw-aaa(cfg-call-home-profile)#"  # other lines run
    assert mock.call(lambda: switch.authorization_refused) == [
        "license smart register idtoken abcdefgh12345678",
        "ip http client source-interface Vlan781",
        "destination transport-method email",
    ]
    after = mock.call(switch.running_config_text)
    assert "ip http client source-interface" not in after

    def body(config: str) -> list[str]:  # without the change-time comments
        return [line for line in config.splitlines() if not line.startswith(("! ", "Current configuration"))]

    assert body(after.replace("  no active\n", "  active\n")) == body(before)  # only the allowed line changed


def test_netmiko_stops_at_a_refused_line_when_given_the_wording(mock: MockFleet) -> None:
    from netmiko.exceptions import ConfigInvalidException

    connection = netmiko_to(mock, 0)
    try:
        assert connection.send_command("license smart register idtoken abcdefgh12345678").strip() == (
            "Command authorization failed."
        )
        with pytest.raises(ConfigInvalidException, match="Command authorization failed"):
            connection.send_config_set(
                ["call-home", 'profile "CiscoTAC-1"', "destination transport-method email", "no active"],
                error_pattern=r"Command authorization failed|^%",
            )
        connection.exit_config_mode()
    finally:
        connection.disconnect()


def test_scrapli_flags_a_refusal_only_when_told_its_wording(mock: MockFleet) -> None:
    from scrapli.driver.core import IOSXEDriver

    device = mock.fleet.devices[0]
    with IOSXEDriver(
        host=device.host,
        port=device.port,
        auth_username=mock.env["FLEETREG_USERNAME"],
        auth_password=mock.env["FLEETREG_PASSWORD"],
        auth_strict_key=False,
        transport="system",
    ) as scrapli:
        lines = ["call-home", 'profile "CiscoTAC-1"', "destination transport-method email"]
        assert not scrapli.send_configs(lines).failed  # not among scrapli's IOS-XE failure strings
        told = scrapli.send_configs(lines, failed_when_contains=["Command authorization failed"])
        assert told.failed and told[2].result == "Command authorization failed."
