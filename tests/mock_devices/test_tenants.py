"""SLP per virtual account: each VA has its own CSLU tenant (https://<host>/cslu/v1/pi/<tenant>), an
SLP switch lands in the VA whose tenant is in the URL it reports to, an unknown tenant is refused;
the API and the written inventory carry each VA's tenant."""

from __future__ import annotations

import asyncio
import re
import ssl
import sys
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _switch_shell import run, switch_shell

from mock_devices.fleet import build_fleet
from mock_devices.spec import FleetSpec, SatelliteSpec, SpecError, SwitchSpec, VirtualAccountSpec, parse_spec
from mock_devices.testing import MockFleet

CORP, PUBLIC = "Corporate Network Devices", "Public Network Devices"
CORP_TENANT, PUBLIC_TENANT = "Corporate%20Network%20Devices-1", "Public%20Network%20Devices-1"
WALL = 1710317364.0


class FakeClock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def test_each_virtual_account_has_its_own_tenant_named_as_ssm_on_prem_does() -> None:
    assert SatelliteSpec().tenants() == {CORP: CORP_TENANT, PUBLIC: PUBLIC_TENANT}
    named = SatelliteSpec(
        virtual_accounts=[VirtualAccountSpec(name=CORP, cslu_tenant="Corp-7"), VirtualAccountSpec(name=PUBLIC)]
    )
    assert named.tenants() == {CORP: "Corp-7", PUBLIC: PUBLIC_TENANT}
    # the fleet-wide tenant of older specs is the default virtual account's
    legacy = SatelliteSpec(cslu_tenant="FleetReg-Lab-1", tenant_virtual_account=PUBLIC)
    assert legacy.tenants() == {CORP: CORP_TENANT, PUBLIC: "FleetReg-Lab-1"}


@pytest.mark.parametrize(
    ("satellite", "fragment"),
    [
        ({"virtual_accounts": [{"name": "A", "cslu_tenant": "T-1"}, {"name": "B", "cslu_tenant": "T-1"}]}, "own"),
        ({"virtual_accounts": [{"name": "A", "cslu_tenant": "T%2D1"}, {"name": "B", "cslu_tenant": "T-1"}]}, "own"),
        ({"virtual_accounts": [{"name": "A", "cslu_tenant": "Corporate Network-1"}]}, "percent-encoded"),
        ({"virtual_accounts": [{"name": "A"}, {"name": "A"}]}, "unique"),
        ({"cslu_tenant": "X-1", "virtual_accounts": [{"name": "A", "cslu_tenant": "Y-1"}]}, "differs"),
    ],
)
def test_tenants_that_cannot_work_are_spec_errors(satellite: dict[str, object], fragment: str) -> None:
    with pytest.raises(SpecError, match=fragment) as error:
        parse_spec({"satellite": satellite})
    assert "\n" not in str(error.value)


def fleet_with_slp(state: str = "slp", va: str = CORP):
    clock = FakeClock()
    spec = FleetSpec(
        count=3,
        satellite=SatelliteSpec(identity="disable"),
        switches=[
            SwitchSpec(index=0, name="sw-slp", model="C9300-48P", version="17.9.4", state="slp", virtual_account=va),
            SwitchSpec(index=1, name="sw-done", version="17.9.4", state="satellite", virtual_account=PUBLIC),
            SwitchSpec(index=2, name="sw-wrong", version="17.9.4", state="satellite_wrong_va", virtual_account=PUBLIC),
        ],
    )
    fleet = build_fleet(spec=spec, clock=clock, wall_start=WALL)
    session = fleet.devices[0].open_session()
    assert session is not None
    return fleet, clock, session


def sync_to(fleet, clock: FakeClock, session, url: str) -> None:
    for line in (
        "conf t",
        "license smart transport cslu",
        f"license smart url cslu {url}",
        "ip http client source-interface Vlan781",
        "end",
        "license smart sync all",
    ):
        assert "%" not in session.handle_line(line).output, line
    clock.t += 5.0
    fleet.devices[0].tick()


def test_an_slp_switch_lands_in_the_virtual_account_of_the_tenant_in_its_url() -> None:
    fleet, clock, session = fleet_with_slp()
    satellite, switch = fleet.satellite, fleet.devices[0]
    sync_to(fleet, clock, session, satellite.cslu_url_for(PUBLIC))
    assert satellite.product_instances[switch.hardware.serial].virtual_account == PUBLIC
    assert "  Virtual Account: Public Network Devices" in session.handle_line("show license status").output
    sync_to(fleet, clock, session, satellite.cslu_url_for(CORP))  # reported to the other tenant: it moves
    assert satellite.product_instances[switch.hardware.serial].virtual_account == CORP


def test_an_unknown_tenant_is_refused_and_never_acknowledged() -> None:
    fleet, clock, session = fleet_with_slp()
    switch = fleet.devices[0]
    assert switch.slp is not None
    acked_before = (switch.slp.last_ack_wall, switch.slp.acked_by)  # none, or the cloud's
    sync_to(fleet, clock, session, fleet.satellite.cslu_url_for(CORP).replace(CORP_TENANT, "No-Such-Tenant-1"))
    assert switch.hardware.serial not in fleet.satellite.product_instances
    assert (switch.slp.last_ack_wall, switch.slp.acked_by) == acked_before
    assert switch.slp.last_failure


def test_migrated_slp_switches_report_to_the_tenant_of_their_planned_virtual_account() -> None:
    fleet, clock, _ = fleet_with_slp()
    satellite = fleet.satellite
    done, wrong = fleet.device("sw-done"), fleet.device("sw-wrong")
    assert done.config.slp_url_cslu == satellite.cslu_url_for(PUBLIC)
    assert satellite.product_instances[done.hardware.serial].virtual_account == PUBLIC
    # in the wrong VA: it reports to PUBLIC's tenant, but the satellite lists it in CORP (moved there)
    assert wrong.config.slp_url_cslu == satellite.cslu_url_for(PUBLIC)
    assert satellite.product_instances[wrong.hardware.serial].virtual_account == CORP
    assert fleet.dump_state()["satellite"]["cslu_tenants"] == {CORP: CORP_TENANT, PUBLIC: PUBLIC_TENANT}
    session = wrong.open_session()
    assert session is not None
    session.handle_line("license smart sync all")  # its next report moves it back
    clock.t += 5.0
    wrong.tick()
    assert satellite.product_instances[wrong.hardware.serial].virtual_account == PUBLIC


def test_written_inventory_sets_one_tenant_per_virtual_account_group(
    mock_fleet_factory: Callable[..., MockFleet],
) -> None:
    spec = FleetSpec(
        count=4,
        satellite=SatelliteSpec(
            virtual_accounts=[VirtualAccountSpec(name=CORP), VirtualAccountSpec(name=PUBLIC, cslu_tenant="Pub-9")]
        ),
    )
    mock = mock_fleet_factory(spec=spec)
    groups = yaml.safe_load((mock.inventory_dir / "groups.yaml").read_text())
    assert groups["va_corporate_network_devices"]["data"]["fleetreg"]["cslu_tenant"] == CORP_TENANT
    assert groups["va_public_network_devices"]["data"]["fleetreg"]["cslu_tenant"] == "Pub-9"
    defaults = yaml.safe_load((mock.inventory_dir / "defaults.yaml").read_text())
    assert defaults["data"]["fleetreg"]["cslu_tenant"] == CORP_TENANT  # the default VA's: the old fleet-wide key

    from fleetreg.shell.inventory import check_inventory  # the product accepts what the mock writes

    assert check_inventory(mock.inventory_dir, environ=mock.env) == []


def test_over_ssh_and_https_the_switch_shows_up_in_the_virtual_account_of_its_tenant(
    mock_fleet_factory: Callable[..., MockFleet],
) -> None:
    spec = FleetSpec(
        count=1,
        sync_ack_seconds=0.2,
        satellite=SatelliteSpec(identity="disable"),
        switches=[SwitchSpec(index=0, name="ams-slp-01", version="17.9.4", state="slp", virtual_account=PUBLIC)],
    )
    mock = mock_fleet_factory(spec=spec, api=True)
    assert mock.api_url is not None and mock.ca_file is not None
    verify = ssl.create_default_context(cafile=str(mock.ca_file))
    account = quote("FleetReg Lab", safe="")
    with httpx.Client(base_url=mock.api_url, verify=verify) as client:
        grant = client.post(
            "/oauth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": mock.env["FLEETREG_SATELLITE_CLIENT_ID"],
                "client_secret": mock.env["FLEETREG_SATELLITE_CLIENT_SECRET"],
            },
        )
        headers = {"Authorization": f"Bearer {grant.json()['access_token']}"}
        accounts = client.get(f"/api/v1/accounts/{account}/virtual-accounts", headers=headers).json()
        public = next(va for va in accounts["virtualAccounts"] if va["name"] == PUBLIC)
        assert public["cslu_tenant"] == PUBLIC_TENANT

        async def migrate() -> None:
            async with switch_shell(mock) as sh:
                prompt = re.compile(rb"ams-slp-01(\(config\))?#$")
                await sh.read_until(prompt)
                for line in (
                    "terminal length 0",
                    "configure terminal",
                    "license smart transport cslu",
                    f"license smart url cslu {public['cslu_url']}",
                    "ip http client source-interface Vlan781",
                    "end",
                    "license smart sync all",
                ):
                    assert b"% " not in await sh.command(line, prompt), line
                await asyncio.sleep(0.3)
                status = (await sh.command("show license status", prompt)).decode()
                assert "  Virtual Account: Public Network Devices\r\n" in status
                assert "  Last ACK received: <none>" not in status

        run(migrate())
        devices = client.get(
            f"/api/v1/accounts/{account}/virtual-accounts/{quote(PUBLIC, safe='')}/devices", headers=headers
        ).json()
    assert [(d["hostname"], d["registrationType"]) for d in devices["devices"]] == [("ams-slp-01", "slp")]
