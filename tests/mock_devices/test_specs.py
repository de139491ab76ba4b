"""The fleet specs shipped in mock_devices/specs/ load, build and hold what their comments say."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from mock_devices.fleet import build_fleet
from mock_devices.spec import load_spec
from mock_devices.testing import MockFleet

SPECS = Path(__file__).resolve().parents[2] / "mock_devices" / "specs"
CORP, PUBLIC, LAB = "Corporate Network Devices", "Public Network Devices", "Lab Network Devices"
WALL = 1710317364.0


def test_every_shipped_spec_builds() -> None:
    for path in sorted(SPECS.glob("*.yaml")):
        fleet = build_fleet(spec=load_spec(path))
        assert fleet.devices, path.name


def test_the_mixed_fleet() -> None:
    fleet = build_fleet(spec=load_spec(SPECS / "mixed.yaml"), wall_start=WALL)
    slp = [s for s in fleet.devices if s.hardware.slp]
    assert {s.virtual_account for s in slp} == {CORP, PUBLIC}  # SLP planned into both VAs
    assert [s.name for s in fleet.devices if s.hardware.profile.newer_forms] == ["ams-sw007"]
    assert fleet.device("lon-sw008").sync_ack_seconds == 3600
    assert {s.sync_ack_seconds for s in fleet.devices if s.name != "lon-sw008"} == {2.0}
    lab = fleet.device("nyc-sw009")
    assert lab.virtual_account == LAB and lab.classic is not None and lab.classic.registered_to == "cloud"
    handed_out = fleet.satellite.token(fleet.info.tokens[LAB])
    assert handed_out is not None and handed_out.expires_wall < WALL  # the env's token has expired
    assert fleet.satellite.valid_token_for(LAB, WALL) is None
    assert {CORP, PUBLIC} <= set(fleet.info.tokens)
    assert [s.name for s in fleet.devices if s.virtual_account == LAB] == ["nyc-sw009"]


def test_the_mixed_fleet_serves_and_its_inventory_passes_fleetreg_checks(
    mock_fleet_factory: Callable[..., MockFleet],
) -> None:
    from fleetreg.shell.inventory import check_inventory

    mock = mock_fleet_factory(spec=SPECS / "mixed.yaml", api=True)
    assert check_inventory(mock.inventory_dir, environ=mock.env) == []
    assert mock.env["FLEETREG_TOKEN_LAB_NETWORK_DEVICES"] == mock.fleet.info.tokens[LAB]
