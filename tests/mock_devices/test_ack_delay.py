"""SLP acknowledgements take their time: the ACK delay is set per switch (or share) in the spec,
from seconds to hours; the satellite lists the switch as soon as its usage report arrives, while
`show license status` shows `Last ACK received` only once the ACK is in."""

from __future__ import annotations

import calendar
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _switch_shell import run, switch_shell

from mock_devices.fleet import Fleet, build_fleet
from mock_devices.licensing import ios_time
from mock_devices.session import CliSession
from mock_devices.spec import FaultSpec, FleetSpec, SatelliteSpec, SpecError, SwitchSpec, parse_spec
from mock_devices.testing import MockFleet

WALL = 1710317364.0  # Mar 13 08:09:24 2024 UTC
HOUR = 3600.0
SLOW, FAST = "ams-slp-slow", "lon-slp-fast"


class FakeClock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def slp_spec(*faults: FaultSpec, count: int = 2, sync_ack_seconds: float = 1.0) -> FleetSpec:
    return FleetSpec(
        count=count,
        sync_ack_seconds=sync_ack_seconds,
        satellite=SatelliteSpec(identity="disable"),
        switches=[
            SwitchSpec(index=0, name=SLOW, version="17.9.4", state="slp"),
            SwitchSpec(index=1, name=FAST, version="17.6.5", state="slp"),
        ],
        faults=list(faults),
    )


def migrated_session(fleet: Fleet, name: str) -> CliSession:
    switch = fleet.device(name)
    session = switch.open_session()
    assert session is not None
    for line in (
        "conf t",
        "license smart transport cslu",
        f"license smart url cslu {fleet.satellite.cslu_url_for(switch.virtual_account)}",
        "ip http client source-interface Vlan781",
        "end",
    ):
        session.handle_line(line)
    return session


def last_ack(session: CliSession) -> str:
    status = session.handle_line("show license status").output
    found = re.search(r"^  Last ACK received: (.*)$", status, re.M)
    assert found is not None
    return found.group(1)


def test_ack_delay_is_per_switch_and_the_fleet_default_stays() -> None:
    spec = slp_spec(FaultSpec(switches=[SLOW], ack_delay_s=2 * HOUR))
    fleet = build_fleet(spec=spec, clock=FakeClock(), wall_start=WALL)
    assert fleet.device(SLOW).sync_ack_seconds == 2 * HOUR
    assert fleet.device(FAST).sync_ack_seconds == 1.0
    instant = build_fleet(spec=slp_spec(FaultSpec(switches=[FAST], ack_delay_s=0)), clock=FakeClock())
    assert instant.device(FAST).sync_ack_seconds == 0.0  # 0 s is a value: an immediate ACK


def test_ack_delay_by_share() -> None:
    spec = FleetSpec(count=10, mix={"states": {"slp": 1.0}}, faults=[FaultSpec(share=0.3, ack_delay_s=900)])
    delays = sorted(switch.sync_ack_seconds for switch in build_fleet(spec=spec).devices)
    assert delays == [1.0] * 7 + [900.0] * 3


@pytest.mark.parametrize("value", [-1, 7 * 86400 + 1])
def test_ack_delay_out_of_range_is_a_spec_error(value: float) -> None:
    with pytest.raises(SpecError, match="ack_delay_s"):
        parse_spec({"faults": [{"share": 0.5, "ack_delay_s": value}]})


def test_the_satellite_lists_the_switch_at_once_and_the_ack_comes_hours_later() -> None:
    clock = FakeClock()
    fleet = build_fleet(spec=slp_spec(FaultSpec(switches=[SLOW], ack_delay_s=3 * HOUR)), clock=clock, wall_start=WALL)
    switch = fleet.device(SLOW)
    session = migrated_session(fleet, SLOW)
    before = last_ack(session)  # <none>, or an old ACK from the cloud
    pushed = fleet.devices[0].clock.wall()
    assert session.handle_line("license smart sync all").output == ""
    instance = fleet.satellite.product_instances[switch.hardware.serial]
    assert (instance.kind, instance.virtual_account) == ("slp", switch.virtual_account)  # the report arrived
    assert f"  Last report push: {ios_time(pushed)}" in session.handle_line("show license status").output
    clock.t += 3 * HOUR - 1
    assert last_ack(session) == before
    assert switch.dump()["licensing"]["ack_pending"] is True  # type: ignore[index]
    clock.t += 1
    assert last_ack(session) == ios_time(pushed + 3 * HOUR)
    status = session.handle_line("show license status").output
    assert f"  Virtual Account: {switch.virtual_account}" in status
    assert switch.dump()["licensing"]["ack_pending"] is False  # type: ignore[index]


def test_advancing_the_fleet_clock_delivers_the_ack() -> None:
    clock = FakeClock()
    fleet = build_fleet(spec=slp_spec(FaultSpec(switches=[SLOW], ack_delay_s=8 * HOUR)), clock=clock, wall_start=WALL)
    session = migrated_session(fleet, SLOW)
    session.handle_line("license smart sync all")
    fleet.advance_clock(8 * HOUR)
    assert last_ack(session) == ios_time(WALL + 8 * HOUR)
    with pytest.raises(ValueError, match="forward"):
        fleet.advance_clock(-1)


def test_a_failed_push_is_never_acknowledged_however_long_one_waits() -> None:
    clock = FakeClock()
    fleet = build_fleet(spec=slp_spec(FaultSpec(switches=[SLOW], ack_delay_s=60)), clock=clock, wall_start=WALL)
    session = migrated_session(fleet, SLOW)
    before = last_ack(session)
    session.handle_line("conf t")
    session.handle_line("no ip http client source-interface")
    session.handle_line("end")
    session.handle_line("license smart sync all")
    fleet.advance_clock(HOUR)
    assert last_ack(session) == before
    assert fleet.device(SLOW).hardware.serial not in fleet.satellite.product_instances


def epoch_of(ios: str) -> float:
    return float(calendar.timegm(time.strptime(ios, "%b %d %H:%M:%S %Y UTC")))


def test_over_ssh_an_hour_long_ack_arrives_when_the_clock_is_advanced(
    mock_fleet_factory: Callable[..., MockFleet],
) -> None:
    mock = mock_fleet_factory(spec=slp_spec(FaultSpec(switches=[SLOW], ack_delay_s=HOUR)))
    url = mock.fleet.satellite.cslu_url_for(mock.fleet.device(SLOW).virtual_account)

    async def scenario() -> None:
        async with switch_shell(mock, 0) as sh:
            prompt = re.compile(rb"ams-slp-slow(\(config\))?#$")
            await sh.read_until(prompt)
            for line in (
                "terminal length 0",
                "configure terminal",
                "license smart transport cslu",
                f"license smart url cslu {url}",
                "ip http client source-interface Vlan781",
                "end",
                "license smart sync all",
            ):
                assert b"% " not in await sh.command(line, prompt), line
            status = (await sh.command("show license status", prompt)).decode()
            pushed = re.search(r"Last report push: (.+?)\r\n", status)
            assert pushed is not None
            acked = re.search(r"Last ACK received: (.+?)\r\n", status)
            assert acked is not None and acked.group(1) != pushed.group(1)
            mock.advance_clock(HOUR)
            status = (await sh.command("show license status", prompt)).decode()
            acked = re.search(r"Last ACK received: (.+?)\r\n", status)
            assert acked is not None
            assert abs(epoch_of(acked.group(1)) - (epoch_of(pushed.group(1)) + HOUR)) <= 1

    run(scenario())
