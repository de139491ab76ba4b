"""The read-only pre-check commands: ping to the satellite, show clock, show ntp status, as IOS-XE
17.x prints them, with the per-switch faults that make them fail. None of them changes the switch."""

from __future__ import annotations

import re

import pytest

from mock_devices.fleet import Fleet
from mock_devices.pki import SATELLITE_IP
from mock_devices.reachability import NAME_SERVER, TIMED_OUT_ECHO_S, PingRequest, parse_ping
from mock_devices.spec import FaultSpec, SwitchSpec
from mock_devices.switch import Switch
from tests.mock_devices.test_session import WALL, fleet_with, run, session_on

SATELLITE = "ssm-onprem.fleetreg.test"


def _fleet(**faults: object) -> Fleet:
    pins = [SwitchSpec(index=i, name=f"sw{i}", model="C9300-48P", version="17.9.4", state="cloud") for i in range(2)]
    fleet, _ = fleet_with(*pins, faults=[FaultSpec(switches=["sw1"], **faults)] if faults else [], count=2)
    return fleet


def _switch(fleet: Fleet, name: str) -> Switch:
    return next(d for d in fleet.devices if d.name == name)


def _ping(switch: Switch, line: str) -> tuple[str, float]:
    reply = run(session_on(switch), line)
    return reply.output, reply.delay_s


def test_ping_by_name_from_the_source_interface_reaches_the_satellite() -> None:
    sw = _switch(_fleet(), "sw0")
    out, delay = _ping(sw, f"ping {SATELLITE} source {sw.source_interface} repeat 2 timeout 1")
    lines = out.splitlines()
    assert lines[0] == f'Translating "{SATELLITE}"...domain server ({NAME_SERVER}) [OK]'
    assert lines[1] == "Type escape sequence to abort."
    assert lines[2] == f"Sending 2, 100-byte ICMP Echos to {SATELLITE_IP}, timeout is 1 seconds:"
    assert re.fullmatch(r"Packet sent with a source address of 10\.\d+\.\d+\.\d+ ", lines[3])
    assert lines[4] == "!!"
    assert lines[5] == "Success rate is 100 percent (2/2), round-trip min/avg/max = 1/1/2 ms"
    assert delay == 0.0


def test_ping_by_address_and_by_the_short_alias() -> None:
    sw = _switch(_fleet(), "sw0")
    out, _ = _ping(sw, f"ping {SATELLITE_IP} so {sw.source_interface} rep 3 time 1")
    assert not out.startswith("Translating")
    assert "Success rate is 100 percent (3/3)" in out
    out, _ = _ping(sw, f"ping ssm-onprem source {sw.source_interface} repeat 2 timeout 1")
    assert "[OK]" in out and "(2/2)" in out


def test_ping_from_another_interface_times_out() -> None:
    sw = _switch(_fleet(), "sw0")
    out, delay = _ping(sw, f"ping {SATELLITE} source GigabitEthernet0/0 repeat 2 timeout 1")
    assert "\n..\nSuccess rate is 0 percent (0/2)\n" in out
    assert "round-trip" not in out
    assert delay == pytest.approx(2 * TIMED_OUT_ECHO_S)


def test_satellite_unreachable_fault() -> None:
    fleet = _fleet(satellite_unreachable=True)
    good, bad = _switch(fleet, "sw0"), _switch(fleet, "sw1")
    assert "(2/2)" in _ping(good, f"ping {SATELLITE} source {good.source_interface} repeat 2 timeout 1")[0]
    out, _ = _ping(bad, f"ping {SATELLITE} source {bad.source_interface} repeat 2 timeout 1")
    assert "[OK]" in out and "Success rate is 0 percent (0/2)" in out


def test_dns_fails_fault_and_unknown_names() -> None:
    fleet = _fleet(dns_fails=True)
    bad = _switch(fleet, "sw1")
    out, _ = _ping(bad, f"ping {SATELLITE} source {bad.source_interface} repeat 2 timeout 1")
    assert out == (
        f'Translating "{SATELLITE}"...domain server ({NAME_SERVER})\n'
        "% Unrecognized host or address, or protocol not running.\n"
    )
    good = _switch(fleet, "sw0")
    out, _ = _ping(good, f"ping nosuch.example.net source {good.source_interface} repeat 2 timeout 1")
    assert out.endswith("% Unrecognized host or address, or protocol not running.\n")
    # by address, a switch whose DNS fails still reaches the satellite
    assert "(2/2)" in _ping(bad, f"ping {SATELLITE_IP} source {bad.source_interface} repeat 2 timeout 1")[0]


def test_ping_changes_nothing() -> None:
    sw = _switch(_fleet(), "sw0")
    before = (sw.running_config_text(), sw.unsaved_changes, sw.last_change_wall)
    _ping(sw, f"ping {SATELLITE} source {sw.source_interface} repeat 2 timeout 1")
    _ping(sw, f"ping {SATELLITE} source Vlan1 repeat 2 timeout 1")
    assert (sw.running_config_text(), sw.unsaved_changes, sw.last_change_wall) == before


def test_ping_arguments() -> None:
    assert parse_ping("10.1.1.5 source Vlan781 repeat 2 timeout 1") == PingRequest("10.1.1.5", "Vlan781", 2, 1)
    assert parse_ping("10.1.1.5 source vlan 781") == PingRequest("10.1.1.5", "vlan781", 5, 2)
    assert parse_ping("10.1.1.5") == PingRequest("10.1.1.5", None, 5, 2)
    assert parse_ping("10.1.1.5 bogus 3") == len("10.1.1.5 ")
    assert isinstance(parse_ping("10.1.1.5 repeat"), int)
    sw = _switch(_fleet(), "sw0")
    out, _ = _ping(sw, "ping 10.1.1.5 bogus 3")
    assert "% Invalid input detected at '^' marker." in out


def test_show_clock_synchronised_and_offset() -> None:
    fleet = _fleet(clock_offset_s=3600.0)
    good, late = _switch(fleet, "sw0"), _switch(fleet, "sw1")
    text = run(session_on(good), "show clock").output
    assert re.fullmatch(r"\d\d:\d\d:\d\d\.\d{3} UTC \w{3} \w{3} \d{1,2} \d{4}\n", text), text
    assert text.startswith("08:09:24")  # WALL, no flag: synchronised
    assert text.endswith("UTC Wed Mar 13 2024\n")
    assert run(session_on(late), "show clock").output.startswith("09:09:24")
    assert WALL  # the fleet's clock did not move


def test_ntp_unsynchronized_and_disabled() -> None:
    fleet = _fleet(ntp_unsynchronized=True)
    good, bad = _switch(fleet, "sw0"), _switch(fleet, "sw1")
    synced = run(session_on(good), "show ntp status").output
    assert synced.startswith("Clock is synchronized, stratum 3, reference is 10.78.0.123")
    assert "clock offset is 0.5000 msec, root delay is 1.02 msec" in synced
    unsynced = run(session_on(bad), "show ntp status").output
    assert unsynced.startswith("Clock is unsynchronized, stratum 16, no reference clock\n")
    assert run(session_on(bad), "show clock").output.startswith("*")
    off = _switch(_fleet(ntp_disabled=True), "sw1")
    assert run(session_on(off), "sh ntp stat").output == "%NTP is not enabled.\n"
    assert run(session_on(off), "show clock").output.startswith("*")


def test_refused_by_command_authorization() -> None:
    sw = _switch(_fleet(authorization_refuse=["ping"]), "sw1")
    out, _ = _ping(sw, f"ping {SATELLITE} source {sw.source_interface} repeat 2 timeout 1")
    assert out == "Command authorization failed.\n"
