"""Classic registration and SLP sync end to end through the CLI, with a driven clock."""

from __future__ import annotations

from typing import Literal

import pytest
from switch_cli import FakeClock, migrate_config, registration_block, run

from mock_devices.fleet import Fleet, build_fleet
from mock_devices.licensing import (
    ClassicLicensing,
    PendingRegistration,
    RegistrationOutcome,
    duration_text,
    ios_time,
)
from mock_devices.session import CliSession
from mock_devices.spec import FaultSpec, FleetSpec, SatelliteSpec, StartState, SwitchSpec, TokenSpec, VirtualAccountSpec

WALL = 1710317364.0  # Mar 13 08:09:24 2024 UTC
CORP = "Corporate Network Devices"
GOOD = "GOOD-TOKEN-CORP-0001"


def make(
    state: StartState | Literal["slp"] = "cloud",
    *,
    version: str = "16.12.8",
    tokens: list[TokenSpec] | None = None,
    licenses: dict[str, int] | None = None,
    faults: list[FaultSpec] | None = None,
) -> tuple[Fleet, FakeClock, CliSession]:
    clock = FakeClock()
    spec = FleetSpec(
        count=2,
        satellite=SatelliteSpec(
            identity="disable",  # TLS identity has its own tests (test_identity_check.py)
            virtual_accounts=[
                VirtualAccountSpec(
                    name=CORP,
                    tokens=tokens if tokens is not None else [TokenSpec(value=GOOD)],
                    licenses=licenses,
                ),
                VirtualAccountSpec(name="Public Network Devices"),
            ],
        ),
        switches=[
            SwitchSpec(index=0, name="sw1", model="C9300-48P", version=version, state=state, virtual_account=CORP)
        ],
        faults=faults or [],
    )
    fleet = build_fleet(spec=spec, clock=clock, wall_start=WALL, register_seconds=(3.0, 3.0))
    session = fleet.devices[0].open_session()
    assert session is not None
    return fleet, clock, session


def test_full_classic_migration_reaches_registered_authorized() -> None:
    fleet, clock, s = make("cloud")
    assert "  Smart Account: ACME Corp" in registration_block(s)
    migrate_config(fleet, s)
    assert run(s, "license smart deregister").output == ""
    assert registration_block(s)[1] == "  Status: UNREGISTERED"
    reply = run(s, f"license smart register idtoken {GOOD}")
    assert reply.output == (
        "Registration process is in progress. Use the 'show license status' command to check the progress and result\n"
    )
    assert registration_block(s)[1] == "  Status: REGISTRATION IN PROGRESS"
    clock.t += 2.9
    assert registration_block(s)[1] == "  Status: REGISTRATION IN PROGRESS"
    clock.t += 0.2
    status = run(s, "show license status").output.splitlines()
    assert status[status.index("Registration:") :][:6] == [
        "Registration:",
        "  Status: REGISTERED",
        "  Smart Account: FleetReg Lab",
        f"  Virtual Account: {CORP}",
        "  Export-Controlled Functionality: NOT ALLOWED",
        f"  Initial Registration: SUCCEEDED on {ios_time(WALL + 3.0)}",
    ]
    assert f"  Status: AUTHORIZED on {ios_time(WALL + 7.0)}" in status
    assert "Smart Licensing Status: REGISTERED/AUTHORIZED" in run(s, "show version").output
    sat = fleet.satellite
    instance = sat.product_instances[fleet.devices[0].hardware.serial]
    assert (instance.hostname, instance.pid, instance.virtual_account) == ("sw1", "C9300-48P", CORP)
    assert sat.virtual_accounts[CORP].licenses["C9300-48 Network Advantage"].in_use == 1
    assert sat.token(GOOD) is not None and sat.token(GOOD).used == 1  # type: ignore[union-attr]


def test_deregister_frees_the_satellite_license() -> None:
    fleet, _clock, s = make("satellite")
    pool = fleet.satellite.virtual_accounts[CORP].licenses["C9300-48 Network Advantage"]
    assert pool.in_use == 1
    run(s, "license smart deregister")
    assert pool.in_use == 0
    assert fleet.devices[0].hardware.serial not in fleet.satellite.product_instances
    lines = run(s, "show license status").output.splitlines()
    assert "  Status: UNREGISTERED" in lines
    assert "  Status: EVAL MODE" in lines


def failure_lines(s: CliSession) -> list[str]:
    block = registration_block(s)
    return block[1:2] + block[3:5]


@pytest.mark.parametrize(
    ("setup", "reason"),
    [
        # still CiscoTAC-1: the request reaches Cisco's cloud, which does not know a satellite's token
        ("no_migration", '{"token":["The token is not valid."]}'),
        ("typo_url", "Fail to send out Call Home HTTP message."),
        ("wrong_source", "Fail to send out Call Home HTTP message."),
        ("inactive_profile", "Fail to send out Call Home HTTP message."),
        ("no_http", "Fail to send out Call Home HTTP message."),
    ],
)
def test_transport_failures(setup: str, reason: str) -> None:
    fleet, clock, s = make("eval")
    if setup == "typo_url":
        migrate_config(fleet, s, url=fleet.satellite.callhome_url.replace("Transportgateway", "Transportgatway"))
    elif setup == "wrong_source":
        migrate_config(fleet, s, source="Vlan1")
    elif setup != "no_migration":
        migrate_config(fleet, s)
        line = "no active" if setup == "inactive_profile" else "no destination transport-method http"
        run(s, "conf t", "call-home", "profile SSM-OnPrem", line, "end")
    run(s, f"license smart register idtoken {GOOD}")
    clock.t += 3.0
    assert failure_lines(s) == [
        "  Status: UNREGISTERED - REGISTRATION FAILED",
        f"  Initial Registration: FAILED on {ios_time(WALL + 3.0)}",
        f"    Failure reason: {reason}",
    ]
    assert fleet.satellite.product_instances == {} or all(
        pi.serial != fleet.devices[0].hardware.serial for pi in fleet.satellite.product_instances.values()
    )
    assert "Smart Licensing Status: UNREGISTERED/EVAL MODE" in run(s, "show version").output


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        (TokenSpec(value="SOMETHING-ELSE"), '{"token":["The token is not valid."]}'),
        (TokenSpec(value=GOOD, expires_in_days=-1), '{"token":["The token has expired."]}'),
        (
            TokenSpec(value=GOOD, allowed_uses=2, used=2),
            '{"token":["The token has been used the maximum number of times."]}',
        ),
    ],
)
def test_token_failures(token: TokenSpec, reason: str) -> None:
    fleet, clock, s = make("eval", tokens=[token])
    migrate_config(fleet, s)
    run(s, f"license smart register idtoken {GOOD}")
    clock.t += 3.0
    assert failure_lines(s)[2] == f"    Failure reason: {reason}"
    assert GOOD not in run(s, "show license status").output


def test_no_license_left_registers_out_of_compliance() -> None:
    fleet, clock, s = make("eval", licenses={"C9300-48 Network Advantage": 0})
    migrate_config(fleet, s)
    run(s, f"license smart register idtoken {GOOD}")
    clock.t += 3.0
    lines = run(s, "show license status").output.splitlines()
    assert "  Status: REGISTERED" in lines
    assert f"  Status: OUT OF COMPLIANCE on {ios_time(WALL + 7.0)}" in lines
    assert "Smart Licensing Status: REGISTERED/OUT OF COMPLIANCE" in run(s, "show version").output


def test_injected_failure_reason() -> None:
    fleet, clock, s = make("eval", faults=[FaultSpec(switches=["sw1"], registration_failure="Unable to reach SSM")])
    migrate_config(fleet, s)
    run(s, f"license smart register idtoken {GOOD}")
    clock.t += 3.0
    assert failure_lines(s)[2] == "    Failure reason: Unable to reach SSM"


def test_already_registered_needs_force_and_in_progress_is_refused() -> None:
    fleet, clock, s = make("cloud")
    migrate_config(fleet, s)
    assert run(s, f"license smart register idtoken {GOOD}").output == (
        "% Device is already registered. To re-register, use the force option.\n"
    )
    started = run(s, f"license smart register idtoken {GOOD} force")
    assert started.output.startswith("Registration process is in progress.")
    assert run(s, f"license smart register idtoken {GOOD}").output == "% Registration is already in progress.\n"
    clock.t += 3.0
    assert registration_block(s)[2] == "  Smart Account: FleetReg Lab"


def test_eval_countdown_and_summary_format() -> None:
    fleet, clock, s = make("eval")
    remaining = fleet.devices[0].classic.eval_remaining(WALL)  # type: ignore[union-attr]
    clock.t += 61
    summary = run(s, "show license summary").output.splitlines()
    assert summary[:8] == [
        "Smart Licensing is ENABLED",
        "",
        "Registration:",
        "  Status: UNREGISTERED",
        "  Export-Controlled Functionality: Not Allowed",
        "",
        "License Authorization: ",
        "  Status: EVAL MODE",
    ]
    assert summary[8] == f"  Evaluation Period Remaining: {duration_text(remaining - 61)}"
    assert summary[-2] == "                          (C9300-48 Network Advan...)       1 EVAL MODE"


def test_duration_text_matches_ios() -> None:
    seconds = 71 * 86400 + 22 * 3600 + 60 + 59
    assert duration_text(seconds) == "71 days, 22 hours, 1 minutes, 59 seconds"


def test_state_machine_is_pure() -> None:
    lic = ClassicLicensing()
    lic.start_registration("t", force=False, now_mono=0.0, now_wall=100.0, delay_s=5.0, failure_reason=None)
    asked: list[str] = []

    def ask(pending: PendingRegistration) -> RegistrationOutcome:
        asked.append(pending.token)
        return RegistrationOutcome(ok=True, smart_account="SA", virtual_account="VA")

    assert lic.resolve(4.9, lambda m: 100.0 + m, ask) is False
    assert lic.resolve(5.0, lambda m: 100.0 + m, ask) is True
    assert (lic.status, lic.authorization, lic.registered_wall, asked) == ("REGISTERED", "AUTHORIZED", 105.0, ["t"])


# --- SLP ---------------------------------------------------------------------------------


def slp_config(fleet: Fleet, s: CliSession, url: str | None = None, transport: str = "cslu") -> None:
    run(
        s,
        "conf t",
        f"license smart transport {transport}",
        f"license smart url cslu {url or fleet.satellite.cslu_url}",
        "ip http client source-interface Vlan781",
        "end",
        "wr mem",
    )


def test_slp_sync_success() -> None:
    fleet, clock, s = make("slp", version="17.9.4")
    slp_config(fleet, s)
    assert run(s, "license smart sync all").output == ""
    before = run(s, "show license status").output
    assert f"  Last ACK received: {ios_time(WALL + 1.0)}" not in before
    clock.t += 1.0
    lines = run(s, "show license status").output.splitlines()
    assert lines[lines.index("Transport:") + 1 : lines.index("Transport:") + 3] == [
        "  Type: cslu",
        f"  Cslu address: {fleet.satellite.cslu_url}",
    ]
    assert f"  Last ACK received: {ios_time(WALL + 1.0)}" in lines
    assert f"  Smart Account: FleetReg Lab As of {ios_time(WALL + 1.0)}" in lines
    instance = fleet.satellite.product_instances[fleet.devices[0].hardware.serial]
    assert (instance.kind, instance.virtual_account) == ("slp", CORP)
    assert "Smart Licensing Status" not in run(s, "show version").output


@pytest.mark.parametrize("problem", ["wrong_tenant", "wrong_transport", "no_url"])
def test_slp_sync_failures_get_no_ack(problem: str) -> None:
    fleet, clock, s = make("slp", version="17.6.5")
    if problem == "wrong_tenant":
        slp_config(fleet, s, url=fleet.satellite.cslu_url.replace(fleet.satellite.cslu_tenant, "Other-1"))
    elif problem == "wrong_transport":
        slp_config(fleet, s, transport="smart")
    else:
        run(s, "conf t", "license smart transport cslu", "no license smart url cslu", "end")
    previous_ack = fleet.devices[0].slp.last_ack_wall  # type: ignore[union-attr]
    run(s, "license smart sync all")
    clock.t += 5.0
    lines = run(s, "show license status").output.splitlines()
    expected_ack = ios_time(previous_ack) if previous_ack else "<none>"
    assert f"  Last ACK received: {expected_ack}" in lines
    assert f"  Last report push: {ios_time(WALL)}" in lines
    if problem == "no_url":
        assert "  Cslu address: <empty>" in lines
    assert fleet.devices[0].hardware.serial not in fleet.satellite.product_instances
    assert fleet.devices[0].slp.last_failure  # type: ignore[union-attr]


def test_slp_commands_only_on_slp_images() -> None:
    _fleet, _clock, s = make("slp", version="17.9.4")
    assert "% Invalid input detected" in run(s, f"license smart register idtoken {GOOD}").output
