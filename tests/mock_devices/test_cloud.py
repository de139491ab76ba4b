"""The emulated Cisco cloud (CSSM): a cloud switch deregisters, then registers back through
CiscoTAC-1 with a cloud token, as a rollback does; the satellite's tokens do not work there and
the cloud's do not work on the satellite."""

from __future__ import annotations

import pytest
from switch_cli import FakeClock, migrate_config, registration_block, run

from mock_devices.fleet import Fleet, build_fleet
from mock_devices.session import CliSession
from mock_devices.spec import (
    CloudSpec,
    FaultSpec,
    FleetSpec,
    SatelliteSpec,
    SwitchSpec,
    TokenSpec,
    VirtualAccountSpec,
)

WALL = 1710317364.0  # Mar 13 08:09:24 2024 UTC
CORP = "Corporate Network Devices"
GOOD = "GOOD-TOKEN-CORP-0001"
CLOUD_TOKEN = "CLOUD-TOKEN-CAMPUS-0001"


def make(
    *, cloud: CloudSpec | None = None, faults: list[FaultSpec] | None = None
) -> tuple[Fleet, FakeClock, CliSession]:
    clock = FakeClock()
    spec = FleetSpec(
        count=1,
        satellite=SatelliteSpec(
            identity="disable", virtual_accounts=[VirtualAccountSpec(name=CORP, tokens=[TokenSpec(value=GOOD)])]
        ),
        cloud=cloud or CloudSpec(tokens=[TokenSpec(value=CLOUD_TOKEN)]),
        switches=[SwitchSpec(index=0, name="sw1", version="16.12.8", state="cloud", virtual_account=CORP)],
        faults=faults or [],
    )
    fleet = build_fleet(spec=spec, clock=clock, wall_start=WALL, register_seconds=(3.0, 3.0))
    session = fleet.devices[0].open_session()
    assert session is not None
    return fleet, clock, session


def status_line(s: CliSession) -> str:
    return registration_block(s)[1].strip()


def test_a_cloud_switch_is_a_product_instance_of_the_cloud() -> None:
    fleet, _clock, s = make()
    assert fleet.cloud is not None and fleet.devices[0].hardware.serial in fleet.cloud.instances
    assert "  Smart Account: ACME Corp" in registration_block(s)
    run(s, "license smart deregister")
    assert fleet.cloud.instances == {}


def test_deregistered_from_the_cloud_it_registers_back_with_a_cloud_token() -> None:
    fleet, clock, s = make(faults=[FaultSpec(switches=["sw1"], registration_failure="satellite says no")])
    run(s, "license smart deregister")
    assert status_line(s) == "Status: UNREGISTERED"
    reply = run(s, f"license smart register idtoken {CLOUD_TOKEN} force")
    assert reply.output.startswith("Registration process is in progress")
    clock.t += 3.1
    block = registration_block(s)
    assert block[1:4] == ["  Status: REGISTERED", "  Smart Account: ACME Corp", "  Virtual Account: Campus Switches"]
    device = fleet.devices[0]
    assert device.classic is not None and device.classic.registered_to == "cloud"
    assert fleet.cloud is not None and device.hardware.serial in fleet.cloud.instances
    assert device.hardware.serial not in fleet.satellite.product_instances
    assert fleet.cloud.tokens[0].used == 1


@pytest.mark.parametrize(
    ("cloud", "token", "reason"),
    [
        pytest.param(None, GOOD, "The token is not valid", id="a-satellite-token"),
        pytest.param(
            CloudSpec(tokens=[TokenSpec(value=CLOUD_TOKEN, expires_in_days=-1)]),
            CLOUD_TOKEN,
            "The token has expired",
            id="an-expired-cloud-token",
        ),
        pytest.param(
            CloudSpec(reachable=False, tokens=[TokenSpec(value=CLOUD_TOKEN)]),
            CLOUD_TOKEN,
            "Fail to send out Call Home HTTP message",
            id="no-way-to-the-cloud",
        ),
    ],
)
def test_the_cloud_refuses_what_it_would_refuse(cloud: CloudSpec | None, token: str, reason: str) -> None:
    fleet, clock, s = make(cloud=cloud)
    run(s, "license smart deregister")
    run(s, f"license smart register idtoken {token}")
    clock.t += 3.1
    text = run(s, "show license status").output
    assert "REGISTRATION FAILED" in text and reason in text, text
    assert fleet.cloud is not None and fleet.cloud.instances == {}


def test_a_cloud_token_does_not_register_a_switch_to_the_satellite() -> None:
    fleet, clock, s = make()
    migrate_config(fleet, s)
    run(s, "license smart deregister")
    run(s, f"license smart register idtoken {CLOUD_TOKEN}")
    clock.t += 3.1
    assert "The token is not valid" in run(s, "show license status").output
    assert fleet.devices[0].hardware.serial not in fleet.satellite.product_instances
