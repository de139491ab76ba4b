"""Asynchronous syslog lines in a vty session after `terminal monitor`, interleaved as IOS does:
with `logging synchronous` after the output and with the prompt and typed line reprinted, without
it where they fall (between output lines); none after `terminal no monitor`."""

from __future__ import annotations

import random
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from mock_clients import netmiko_to

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _echo_device import EchoSession
from _switch_shell import run, switch_shell

from mock_devices.fleet import Fleet, build_fleet
from mock_devices.session import CliSession
from mock_devices.spec import FaultSpec, FleetSpec, SatelliteSpec, SwitchSpec, TokenSpec, VirtualAccountSpec
from mock_devices.syslog import SwitchLog, log_time
from mock_devices.terminal import Action, Delay, Terminal, Write
from mock_devices.testing import MockFleet

WALL = 1710317364.0  # Mar 13 08:09:24 2024 UTC
MSG = "%LINK-3-UPDOWN: Interface GigabitEthernet1/0/7, changed state to down"
STAMPED = f"*Mar 13 08:09:25.250: {MSG}"
TOKEN = "GOOD-TOKEN-CORP-0001"


# --- where a message lands on the wire (the line discipline alone) ---------------------------


def drain(terminal: Terminal) -> list[Action]:
    """Actions as the front end runs them: up to a Delay (the reply is then still to come)."""
    actions: list[Action] = []
    while (action := terminal.next_action()) is not None:
        actions.append(action)
        if isinstance(action, Delay):
            break
    return actions


def written(actions: list[Action]) -> bytes:
    return b"".join(action.data for action in actions if isinstance(action, Write))


def started(synchronous: bool = True) -> Terminal:
    terminal = Terminal(EchoSession("sw1", logging_synchronous=synchronous))
    terminal.start()
    drain(terminal)
    return terminal


def test_log_timestamps_look_like_ios() -> None:
    assert log_time(WALL + 1.25) == "*Mar 13 08:09:25.250"
    assert log_time(1701597662.123) == "*Dec  3 10:01:02.123"  # day padded to two columns


def test_synchronous_at_the_prompt_reprints_the_prompt_and_the_typed_part() -> None:
    terminal = started()
    terminal.feed(b"sh ve")
    drain(terminal)
    terminal.log(STAMPED)
    assert written(drain(terminal)) == f"\r\n{STAMPED}\r\nsw1#sh ve".encode()
    terminal.feed(b"r\r")
    assert written(drain(terminal)).startswith(b"r\r\n")  # the line typed before the message runs


def test_synchronous_waits_for_the_running_command() -> None:
    terminal = started()
    terminal.feed(b"slow 1\r")
    actions = drain(terminal)
    assert isinstance(actions[-1], Delay)  # the reply is still to come
    terminal.log(STAMPED)
    assert written(drain(terminal)) == f"slept 1\r\nsw1#\r\n{STAMPED}\r\nsw1#".encode()


def test_without_logging_synchronous_a_message_lands_between_output_lines() -> None:
    terminal = started(synchronous=False)
    terminal.feed(b"slow 1\r")
    drain(terminal)
    terminal.log(STAMPED)
    terminal.log(STAMPED.replace("down", "up"))
    assert written(drain(terminal)) == (f"slept 1\r\n{STAMPED}\r\n{STAMPED.replace('down', 'up')}\r\nsw1#".encode())
    terminal.feed(b"sh")
    drain(terminal)
    terminal.log(STAMPED)  # at the prompt: on its own line, the typed part is not reprinted
    assert written(drain(terminal)) == f"\r\n{STAMPED}\r\n".encode()


@pytest.mark.parametrize("synchronous", [True, False])
def test_messages_during_more_wait_for_the_next_page_or_the_end(synchronous: bool) -> None:
    terminal = started(synchronous)
    terminal.feed(b"show long\r")
    drain(terminal)
    terminal.log(STAMPED)
    assert written(drain(terminal)) == b""  # nothing after --More--
    terminal.feed(b"q")
    out = written(drain(terminal))
    assert out.endswith(f"\r\n{STAMPED}\r\nsw1#".encode() if synchronous else b"sw1#")
    assert (STAMPED.encode() + b"\r\n" in out) and out.count(STAMPED.encode()) == 1


def test_a_hung_or_closed_line_shows_no_message() -> None:
    terminal = started()
    terminal.feed(b"hang\r")
    drain(terminal)
    terminal.log(STAMPED)
    assert written(drain(terminal)) == b""


# --- what the switch logs ------------------------------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def logging_fleet(*faults: FaultSpec, version: str = "16.12.8", state: str = "eval") -> tuple[Fleet, FakeClock]:
    clock = FakeClock()
    spec = FleetSpec(
        count=1,
        satellite=SatelliteSpec(
            identity="disable",
            virtual_accounts=[VirtualAccountSpec(name="Corporate Network Devices", tokens=[TokenSpec(value=TOKEN)])],
        ),
        switches=[SwitchSpec(index=0, name="sw1", model="C9300-48P", version=version, state=state)],  # type: ignore[arg-type]
        faults=list(faults) or [FaultSpec(switches=["sw1"], syslog=True)],
    )
    return build_fleet(spec=spec, clock=clock, wall_start=WALL, register_seconds=(3.0, 3.0)), clock


def opened(fleet: Fleet) -> CliSession:
    session = fleet.devices[0].open_session()
    assert session is not None
    return session


def test_leaving_configuration_mode_logs_config_i_for_the_monitoring_sessions() -> None:
    fleet, _ = logging_fleet()
    first, second = opened(fleet), opened(fleet)
    assert (first.vty, second.vty) == (0, 1)
    for session in (first, second):
        session.handle_line("terminal monitor")
    second.handle_line("configure terminal")
    second.handle_line("call-home")
    assert first.take_logs() == []
    second.handle_line("end")
    expected = "*Mar 13 08:09:24.000: %SYS-5-CONFIG_I: Configured from console by fleetreg on vty1 (127.0.0.1)"
    assert first.take_logs() == second.take_logs() == [expected]
    second.handle_line("terminal no monitor")
    second.handle_line("conf t")
    second.handle_line("exit")  # exit from global configuration counts too
    assert second.take_logs() == [] and len(first.take_logs()) == 1
    assert second.next_log_in() is None


def test_no_messages_without_the_option_or_without_terminal_monitor() -> None:
    fleet, _ = logging_fleet(FaultSpec(switches=["sw1"], scroll_long_lines=True))
    session = opened(fleet)
    session.handle_line("terminal monitor")
    session.handle_line("conf t")
    session.handle_line("end")
    assert session.take_logs() == [] and session.next_log_in() is None
    quiet, _ = logging_fleet()
    unmonitored = opened(quiet)
    unmonitored.handle_line("conf t")
    unmonitored.handle_line("end")
    assert unmonitored.take_logs() == [] and unmonitored.next_log_in() is None


def test_registration_success_is_logged_when_it_completes() -> None:
    fleet, clock = logging_fleet()
    session = opened(fleet)
    session.handle_line("terminal monitor")
    for line in (
        "conf t",
        "call-home",
        'profile "SSM"',
        "reporting smart-licensing-data",
        "destination transport-method http",
        f"destination address http {fleet.satellite.callhome_url}",
        "exit",
        'profile "CiscoTAC-1"',
        "no active",
        "end",
        "conf t",
        "ip http client source-interface Vlan781",
        "end",
    ):
        session.handle_line(line)
    session.take_logs()
    session.handle_line(f"license smart register idtoken {TOKEN}")
    assert session.next_log_in() == pytest.approx(3.0)
    clock.t += 3.0
    udi = f"PID:C9300-48P,SN:{fleet.devices[0].hardware.serial}"
    assert session.take_logs() == [
        "*Mar 13 08:09:27.000: %SMART_LIC-6-AGENT_REG_SUCCESS: Smart Agent for Licensing Registration with the "
        f"Cisco Smart Software Manager or satellite for udi {udi}"
    ]
    assert session.next_log_in() == pytest.approx(4.0)
    clock.t += 4.0
    assert session.take_logs() == [
        "*Mar 13 08:09:31.000: %SMART_LIC-6-AUTH_RENEW_SUCCESS: Authorization renewal with the Cisco Smart "
        f"Software Manager or satellite. State=Authorized for udi {udi}",
        "*Mar 13 08:09:31.000: %SMART_LIC-5-IN_COMPLIANCE: All entitlements and licenses in use on this device "
        "are authorized",
    ]


def test_registration_failure_and_slp_report_failure_are_logged() -> None:
    fleet, clock = logging_fleet()
    session = opened(fleet)
    session.handle_line("terminal monitor")
    session.handle_line(f"license smart register idtoken {TOKEN}")  # to the cloud: not its token
    clock.t += 3.0
    [failed] = session.take_logs()
    assert failed.endswith(
        "%SMART_LIC-3-AGENT_REG_FAILED: Smart Agent for Licensing Registration with the Cisco Smart Software "
        'Manager or satellite failed: {"token":["The token is not valid."]}'
    )
    slp, _ = logging_fleet(version="17.9.4", state="slp")
    slp_session = opened(slp)
    slp_session.handle_line("terminal monitor")
    slp_session.handle_line("conf t")
    slp_session.handle_line("license smart transport cslu")
    slp_session.handle_line("end")
    slp_session.take_logs()
    slp_session.handle_line("license smart sync all")
    [comm] = slp_session.take_logs()
    assert "%SMART_LIC-3-COMM_FAILED: Communications failure with the Cisco Smart License Utility (CSLU) : " in comm


def test_link_flaps_come_at_random_only_while_someone_monitors() -> None:
    fleet, clock = logging_fleet(FaultSpec(switches=["sw1"], syslog_flap_s=30.0, monitor_at_login=True))
    session = opened(fleet)
    assert session.monitor  # monitor_at_login: as a vty autocommand leaves it
    seen: list[str] = []
    for _ in range(200):
        wait = session.next_log_in()
        assert wait is not None
        clock.t += wait
        seen += session.take_logs()
        if len(seen) >= 4:
            break
    patterns = [
        r"%LINK-3-UPDOWN: Interface GigabitEthernet1/0/\d+, changed state to down",
        r"%LINEPROTO-5-UPDOWN: Line protocol on Interface GigabitEthernet1/0/\d+, changed state to down",
        r"%LINK-3-UPDOWN: Interface GigabitEthernet1/0/\d+, changed state to up",
        r"%LINEPROTO-5-UPDOWN: Line protocol on Interface GigabitEthernet1/0/\d+, changed state to up",
    ]
    assert all(re.search(p, line) for p, line in zip(patterns, seen[:4], strict=True)), seen
    session.handle_line("terminal no monitor")
    clock.t += 3600
    assert session.take_logs() == []


def test_switch_log_is_pure() -> None:
    log = SwitchLog(lambda mono: WALL + mono, random.Random(3))
    log.schedule(5.0, "second")
    log.schedule(2.0, "first")
    assert log.next_due(0.0) == 2.0
    assert log.due(4.0, monitored=True) == ["*Mar 13 08:09:26.000: first"]
    assert log.due(5.0, monitored=False) == ["*Mar 13 08:09:29.000: second"]
    assert log.next_due(6.0) is None


# --- over SSH --------------------------------------------------------------------------------


def ssh_fleet(factory: Callable[..., MockFleet], **fault: object) -> MockFleet:
    spec = FleetSpec(
        count=1,
        switches=[SwitchSpec(index=0, name="ams-sw-log", state="cloud")],
        faults=[FaultSpec(switches=["ams-sw-log"], syslog=True, **fault)],  # type: ignore[arg-type]
    )
    return factory(spec=spec)


LINE = re.compile(rb"\*\w{3} [ \d]\d \d\d:\d\d:\d\d\.\d{3}: %[A-Z_]+-\d-[A-Z_]+: [^\r\n]+")


def test_over_ssh_config_i_follows_the_prompt_and_the_prompt_is_reprinted(
    mock_fleet_factory: Callable[..., MockFleet],
) -> None:
    mock = ssh_fleet(mock_fleet_factory)

    async def scenario() -> tuple[bytes, bytes, bytes]:
        async with switch_shell(mock) as sh:
            prompt = b"ams-sw-log#"
            await sh.read_until(prompt)
            await sh.command("terminal monitor", prompt)
            await sh.command("configure terminal", b"(config)#")
            ended = await sh.command("end", prompt)
            logged = await sh.read_until(prompt)
            await sh.command("terminal no monitor", prompt)
            await sh.command("configure terminal", b"(config)#")
            await sh.command("end", prompt)
            return ended, logged, await sh.read_quiet(0.5)

    ended, logged, quiet = run(scenario())
    assert ended == b"end\r\nams-sw-log#"
    assert re.fullmatch(rb"\r\n" + LINE.pattern + rb"\r\nams-sw-log#", logged), logged
    assert b"%SYS-5-CONFIG_I: Configured from console by fleetreg on vty0 (127.0.0.1)" in logged
    assert quiet == b""  # terminal no monitor: nothing more


def test_over_ssh_a_flap_reprints_the_partly_typed_line(mock_fleet_factory: Callable[..., MockFleet]) -> None:
    mock = ssh_fleet(mock_fleet_factory, syslog_flap_s=0.2, monitor_at_login=True)

    async def scenario() -> tuple[bytes, bytes]:
        async with switch_shell(mock) as sh:
            prompt = b"ams-sw-log#"
            await sh.read_until(prompt)
            await sh.command("terminal length 0", prompt)
            sh.send("show vers")
            await sh.read_until(b"show vers")
            reprinted = await sh.read_until(b"ams-sw-log#show vers", timeout=10)
            sh.send("ion\r")
            output = await sh.read_until(re.compile(rb"Configuration register is 0x102\r\n"), timeout=10)
            return reprinted, output

    reprinted, output = run(scenario())
    assert LINE.search(reprinted) and b"%LINK-3-UPDOWN" in reprinted
    assert b"ion\r\n" in output and b"Cisco IOS XE Software" in output  # the typed line ran whole


def test_netmiko_is_clean_once_it_turns_the_monitor_off(mock_fleet_factory: Callable[..., MockFleet]) -> None:

    mock = ssh_fleet(mock_fleet_factory, syslog_flap_s=0.3, monitor_at_login=True)
    connection = netmiko_to(mock, 0)
    try:
        connection.send_command("terminal no monitor")
        time.sleep(0.5)
        connection.clear_buffer()
        outputs = [connection.send_command("show license status") for _ in range(3)]
        outputs.append(connection.send_config_set(["call-home", "contact-email-addr noc@fleetreg.test"]))
    finally:
        connection.disconnect()
    assert not any("%LINK" in output or "%SYS-5" in output for output in outputs)
    assert all(output.startswith("Smart Licensing is ENABLED") for output in outputs[:3])
