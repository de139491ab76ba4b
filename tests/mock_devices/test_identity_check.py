"""TLS server identity in registration (call-home) and SLP sync (cslu): with the check on, the URL's
host must be a name on the satellite's certificate and its CA must be in a trustpoint."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from fleetreg.core.pki import ca_fingerprints, paste_lines
from switch_cli import FakeClock, run

from mock_devices.fleet import Fleet, build_fleet
from mock_devices.inventory_out import write_inventory
from mock_devices.licensing import HTTP_SEND_FAILURE, TLS_NOT_VALIDATED, ios_time
from mock_devices.pki import FLEETREG_TRUSTPOINT, SatellitePki
from mock_devices.session import CliSession
from mock_devices.spec import FleetSpec, SatelliteSpec, SwitchSpec, TokenSpec, VirtualAccountSpec

WALL = 1710317364.0
CORP = "Corporate Network Devices"
GOOD = "GOOD-TOKEN-CORP-0001"
HOST = "ssm-onprem.fleetreg.test"
CHAIN_FAILED = (
    f"{TLS_NOT_VALIDATED} (certificate chain validation failed: "
    "issuer cn=FleetReg Lab Satellite CA,o=FleetReg Lab is in no trustpoint)"
)


def make(
    identity: Literal["disable", "verify"] = "verify", *, state: str = "eval", version: str = "16.12.8", count: int = 2
) -> tuple[Fleet, FakeClock, CliSession]:
    clock = FakeClock()
    spec = FleetSpec(
        count=count,
        satellite=SatelliteSpec(
            identity=identity,
            virtual_accounts=[
                VirtualAccountSpec(name=CORP, tokens=[TokenSpec(value=GOOD)]),
                VirtualAccountSpec(name="Public Network Devices"),
            ],
        ),
        switches=[SwitchSpec(index=0, name="sw1", version=version, state=state, virtual_account=CORP)],  # type: ignore[arg-type]
    )
    fleet = build_fleet(spec=spec, clock=clock, wall_start=WALL, register_seconds=(3.0, 3.0))
    session = fleet.devices[0].open_session()
    assert session is not None
    return fleet, clock, session


def callhome_url(host: str) -> str:
    return f"https://{host}/Transportgateway/services/DeviceRequestHandler"


def migrate(s: CliSession, url: str, *, identity_check: bool = True) -> None:
    run(s, "configure terminal", "call-home")
    if not identity_check:
        run(s, "no http secure server-identity-check")
    run(
        s,
        'profile "CiscoTAC-1"',
        "no active",
        "exit",
        'profile "SSM-OnPrem"',
        "reporting smart-licensing-data",
        "destination transport-method http",
        f"destination address http {url}",
        "active",
        "end",
        "configure terminal",
        "ip http client source-interface Vlan781",
        "end",
    )


def install_ca(s: CliSession, pem: str, trustpoint: str = FLEETREG_TRUSTPOINT) -> None:
    run(s, "configure terminal", f"crypto pki trustpoint {trustpoint}", "enrollment terminal", "exit")
    run(s, f"crypto pki authenticate {trustpoint}", *paste_lines(pem), "quit")
    assert run(s, "yes").output.startswith("Trustpoint CA certificate accepted.")
    run(s, "end")


def register(fleet: Fleet, clock: FakeClock, s: CliSession) -> tuple[str, str | None]:
    run(s, f"license smart register idtoken {GOOD}")
    clock.t += 3.0
    lines = run(s, "show license status").output.splitlines()
    classic = fleet.devices[0].classic
    assert classic is not None
    reason = next((line.strip() for line in lines if line.strip().startswith("Failure reason:")), None)
    return classic.status, reason


def test_host_name_and_ca_in_trustpoint_register() -> None:
    fleet, clock, s = make()
    assert fleet.satellite.pki is not None
    install_ca(s, fleet.satellite.pki.ca_pem)
    migrate(s, callhome_url(HOST))
    assert register(fleet, clock, s) == ("REGISTERED", None)
    assert fleet.devices[0].hardware.serial in fleet.satellite.product_instances


def test_without_the_ca_registration_fails_with_a_tls_reason() -> None:
    fleet, clock, s = make()
    migrate(s, callhome_url(HOST))
    status, reason = register(fleet, clock, s)
    assert status == "FAILED"
    assert reason == f"Failure reason: {HTTP_SEND_FAILURE} {CHAIN_FAILED}"
    classic = fleet.devices[0].classic
    assert classic is not None and classic.failed_wall == WALL + 3.0
    assert fleet.devices[0].hardware.serial not in fleet.satellite.product_instances


def test_a_wrong_ca_in_the_trustpoint_fails_like_no_ca() -> None:
    fleet, clock, s = make()
    install_ca(s, SatellitePki.generate("ssm-onprem.fleetreg.test").ca_pem)  # same names, another CA
    migrate(s, callhome_url(HOST))
    assert register(fleet, clock, s) == ("FAILED", f"Failure reason: {HTTP_SEND_FAILURE} {CHAIN_FAILED}")


def test_a_host_name_not_on_the_certificate_fails_the_identity_check() -> None:
    fleet, clock, s = make()
    assert fleet.satellite.aliases == ("ssm-onprem",)  # resolves to the satellite, not on its certificate
    assert fleet.satellite.pki is not None
    install_ca(s, fleet.satellite.pki.ca_pem)
    migrate(s, callhome_url("ssm-onprem"))
    status, reason = register(fleet, clock, s)
    assert status == "FAILED"
    assert reason == (
        f"Failure reason: {HTTP_SEND_FAILURE} {TLS_NOT_VALIDATED} "
        "(server identity check failed: ssm-onprem is not a name on the certificate)"
    )


def test_the_ip_address_is_in_the_subject_alt_name_and_passes() -> None:
    fleet, clock, s = make()
    pki = fleet.satellite.pki
    assert pki is not None and pki.server_names == (HOST, "127.0.0.1")
    install_ca(s, pki.ca_pem)
    migrate(s, callhome_url("127.0.0.1"))
    assert register(fleet, clock, s) == ("REGISTERED", None)


def test_identity_check_off_is_the_old_behaviour() -> None:
    fleet, clock, s = make()
    migrate(s, callhome_url("ssm-onprem"), identity_check=False)  # no CA, a name not on the certificate
    assert register(fleet, clock, s) == ("REGISTERED", None)


def test_fleet_without_identity_enforcement_needs_no_ca() -> None:
    fleet, clock, s = make("disable")
    assert fleet.satellite.identity_enforced is False and fleet.info.identity_check == "disable"
    migrate(s, callhome_url(HOST))
    assert register(fleet, clock, s) == ("REGISTERED", None)


def slp_sync(fleet: Fleet, clock: FakeClock, s: CliSession, url: str) -> tuple[str | None, str | None]:
    run(s, "conf t", "license smart transport cslu", f"license smart url cslu {url}")
    run(s, "ip http client source-interface Vlan781", "end")
    assert run(s, "license smart sync all").output == ""
    clock.t += 5.0
    run(s, "show license status")
    slp = fleet.devices[0].slp
    assert slp is not None
    return (ios_time(slp.last_ack_wall) if slp.last_ack_wall else None), slp.last_failure


def test_slp_sync_needs_the_ca_and_the_host_name() -> None:
    fleet, clock, s = make(state="slp", version="17.9.4")
    slp = fleet.devices[0].slp
    assert slp is not None
    previous_ack = ios_time(slp.last_ack_wall) if slp.last_ack_wall else None  # cloud ACK or none
    cslu = fleet.satellite.cslu_url
    assert slp_sync(fleet, clock, s, cslu) == (previous_ack, CHAIN_FAILED)
    assert fleet.devices[0].hardware.serial not in fleet.satellite.product_instances
    assert fleet.satellite.pki is not None
    install_ca(s, fleet.satellite.pki.ca_pem)
    ack, failure = slp_sync(fleet, clock, s, cslu.replace(HOST, "ssm-onprem"))
    assert ack == previous_ack
    assert failure == f"{TLS_NOT_VALIDATED} (server identity check failed: ssm-onprem is not a name on the certificate)"
    sync_wall = WALL + (clock.t - 500.0)
    assert slp_sync(fleet, clock, s, cslu) == (ios_time(sync_wall + 1.0), None)
    assert fleet.satellite.product_instances[fleet.devices[0].hardware.serial].kind == "slp"


def test_slp_identity_check_can_be_turned_off() -> None:
    fleet, clock, s = make(state="slp", version="17.6.5")
    run(s, "conf t", "no license smart server-identity-check", "end")
    assert "no license smart server-identity-check\n" in fleet.devices[0].running_config_text()
    ack, failure = slp_sync(fleet, clock, s, fleet.satellite.cslu_url)
    assert ack is not None and failure is None


def test_migrated_switches_of_a_verify_fleet_trust_the_satellite_ca() -> None:
    fleet, _clock, _s = make(state="satellite", count=3)
    pki = fleet.satellite.pki
    assert pki is not None
    tp = fleet.devices[0].config.trustpoint(FLEETREG_TRUSTPOINT)
    assert tp is not None and tp.ca_certificate is not None
    assert tp.ca_certificate.sha1 == ca_fingerprints(pki.ca_pem)[1]
    assert fleet.info.ca_pem == pki.ca_pem and fleet.info.identity_check == "verify"
    assert fleet.devices[0].config.call_home.identity_check is True  # no `no http secure server-identity-check`
    assert run(_s, "show running-config | include server-identity-check").output == ""


def test_inventory_of_a_verify_fleet_asks_fleetreg_to_install_the_ca(tmp_path: Path) -> None:
    fleet, _clock, _s = make()
    write_inventory(tmp_path, fleet.inventory_hosts(), fleet.info)
    settings = yaml.safe_load((tmp_path / "defaults.yaml").read_text())["data"]["fleetreg"]
    ca_file = tmp_path.resolve() / "satellite-ca.pem"
    assert settings["server_identity_check"] == "verify"
    assert settings["trustpoint"] == {"name": "FLEETREG-SSM", "mode": "ca-file", "ca_file": str(ca_file)}
    assert ca_file.read_text() == fleet.info.ca_pem


def test_inventory_of_a_disable_fleet_keeps_the_common_recipe(tmp_path: Path) -> None:
    fleet = build_fleet(spec=FleetSpec(count=2, satellite={"identity": "disable"}), clock=FakeClock(), wall_start=WALL)
    write_inventory(tmp_path, fleet.inventory_hosts(), fleet.info)
    settings = yaml.safe_load((tmp_path / "defaults.yaml").read_text())["data"]["fleetreg"]
    assert settings["server_identity_check"] == "disable"
    assert settings["trustpoint"] == {"name": "SLA-TrustPoint", "mode": "revocation-check-none"}
    assert (tmp_path / "satellite-ca.pem").read_text() == fleet.info.ca_pem
