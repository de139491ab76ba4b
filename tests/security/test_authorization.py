"""Threat: per-command authorization (AAA, TACACS+) refuses a command, and fleetreg takes the
refusal for an accepted command. IOS-XE answers a refused command with `Command authorization
failed.` (no `%`), `% Authorization failed.` or `Command rejected: ...`: the config line, show
command or licensing command did not run. Both transports must count such an answer as a refused
line: a refused config line fails `configure` (nothing more typed in that mode) and the switch is
backed out; a refused exec command fails its step (never naming the token); a refused show
command in discover blocks the switch at plan time.

End to end over real SSH to the mock fleet, whose switches refuse the chosen commands the way
IOS does (fault `authorization_refuse`), on both transports."""

from __future__ import annotations

import csv
import sqlite3
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Literal

import pytest
import yaml
from fleet_runs import files_containing, fleet_env, latest_run, load_plan_json, run_cli
from fleetreg.core.config_change import relevant_excerpt
from fleetreg.tasks.cli import IOS_XE

from mock_devices.inventory_out import IDENTITY_TRUSTPOINT
from mock_devices.spec import FaultSpec, FleetSpec, MixSpec, SatelliteSpec
from mock_devices.testing import MockFleet

pytestmark = pytest.mark.integration

TRANSPORTS = ("asyncssh", "netmiko")
# two classic switches registered to the cloud: FAULTY refuses the chosen commands, HEALTHY migrates
FAULTY, HEALTHY = "ams-sw001", "lon-sw002"
TRUSTPOINTS = ("SLA-TrustPoint",)
REFUSALS = ("Command authorization failed.", "% Authorization failed.", "Command rejected: not authorized")
NO_THRESHOLDS = ("--canary", "0", "--max-failures", "100%")
Identity = Literal["disable", "verify"]


# ---------------------------------------------------------------- fleet and runs
def start_fleet(
    factory: Callable[..., MockFleet], refuse: list[str], answer: str | None = None, *, identity: Identity = "disable"
) -> MockFleet:
    """Two switches; FAULTY refuses `refuse`. identity `disable`: the common recipe (no CA to
    install); `verify`: fleetreg installs the satellite's CA (install_ca step)."""
    fault = FaultSpec(switches=[FAULTY], authorization_refuse=refuse, authorization_answer=answer)
    spec = FleetSpec(
        count=2,
        register_seconds=(0.3, 0.6),
        mix=MixSpec.model_validate({"states": {"cloud": 1.0}}),
        faults=[fault],
        satellite=SatelliteSpec(identity=identity),
    )
    mock = factory(spec=spec)
    defaults = mock.inventory_dir / "defaults.yaml"
    document = yaml.safe_load(defaults.read_text())
    document["data"]["fleetreg"]["poll_interval_s"] = 0.2
    defaults.write_text(yaml.safe_dump(document, sort_keys=False))
    return mock


def plan(mock: MockFleet, runs: Path, transport: str) -> Path:
    args = ("--inventory", str(mock.inventory_dir), "--runs-dir", str(runs), "--transport", transport)
    assert run_cli("plan", *args, *NO_THRESHOLDS) == 0
    return latest_run(runs, "plan")


def apply(plan_dir: Path, runs: Path, transport: str) -> tuple[int, Path]:
    args = ("--runs-dir", str(runs), "--yes", "--read-timeout", "5", "--transport", transport)
    code = run_cli("apply", str(plan_dir), *args)
    return code, latest_run(runs, "apply")


def failed_window(mock: MockFleet, runs: Path, transport: str) -> tuple[Path, tuple[str, str, str]]:
    """Plan and apply on `transport`; the run (which must end with exit 1) and the faulty host's
    (outcome, failed step, reason)."""
    with fleet_env(mock):
        code, run_dir = apply(plan(mock, runs, transport), runs, transport)
    assert code == 1
    return run_dir, outcome(runs, run_dir, FAULTY)


def callhome_blocks(mock: MockFleet) -> dict[str, str]:
    devices = mock.fleet.dump_state()["devices"]
    return {name: relevant_excerpt(d["running_config"], TRUSTPOINTS) for name, d in devices.items()}


def outcome(runs: Path, run_dir: Path, host: str) -> tuple[str, str, str]:
    """(outcome, failed step, reason) of `host`, after checking hosts.csv and the journal agree."""
    row = {r["host"]: r for r in csv.DictReader((run_dir / "hosts.csv").open())}[host]
    with sqlite3.connect(runs / "fleetreg.db") as db:
        journal = db.execute(
            "SELECT state, failed_step, reason FROM hosts WHERE run_id=? AND host=?", (run_dir.name, host)
        ).fetchone()
    assert journal == (row["outcome"], row["failed_step"] or None, row["outcome_reason"] or None), row
    reason = row["outcome_reason"]
    assert "\n" not in reason and "Traceback" not in reason, reason
    return row["outcome"], row["failed_step"], reason


def refused_on(mock: MockFleet, name: str) -> list[str]:
    """The lines the switch's command authorization refused (its AAA log), in order."""
    return mock.call(lambda: list(mock.fleet.device(name).authorization_refused))


def device(mock: MockFleet, name: str) -> Mapping[str, Any]:
    devices: Mapping[str, Mapping[str, Any]] = mock.fleet.dump_state()["devices"]
    return devices[name]


# ---------------------------------------------------------------- the platform's data
@pytest.mark.parametrize("refusal", REFUSALS)
def test_the_platform_counts_authorization_refusals_as_error_lines(refusal: str) -> None:
    """Threat: a TACACS+ refusal without `%` passes for an accepted line. The one platform
    check (tasks.cli.IOS_XE) finds each form in a config line's answer and as an exec
    command's answer; a config shown by `show running-config` (a banner) is not a refusal."""
    assert IOS_XE.error_in(f"call-home\r\n{refusal}\r\n") == refusal
    assert IOS_XE.refused(refusal)
    assert IOS_XE.refusal_in(f"{refusal}\n") == refusal
    assert not IOS_XE.refused("% Invalid input detected at '^' marker.")
    assert IOS_XE.refusal_in(f"Building configuration...\nbanner motd ^C\n{refusal}\n^C\n") is None


# ---------------------------------------------------------------- apply: config lines
@pytest.mark.parametrize("transport", TRANSPORTS)
def test_a_refused_config_line_fails_configure_and_the_switch_is_backed_out(
    mock_fleet_factory: Callable[..., MockFleet], tmp_path: Path, transport: str
) -> None:
    """Threat: a config line refused by command authorization is taken as typed, the rest of
    the change goes on and the switch is reported migrated with a config nobody planned. Here
    the refusal fails `configure` naming the line and the refusal, nothing after it is typed
    (the switch would have refused and logged `revocation-check none`, planned two lines
    later), and the backout restores the switch's call-home block, saved."""
    mock = start_fleet(mock_fleet_factory, ["ip http client source-interface", "revocation-check none"])
    runs = tmp_path / "runs"
    before = callhome_blocks(mock)
    run_dir, (state, step, reason) = failed_window(mock, runs, transport)
    assert (state, step) == ("backed-out", "configure"), reason
    assert "'ip http client source-interface Vlan781'" in reason and "Command authorization failed." in reason
    assert refused_on(mock, FAULTY) == ["ip http client source-interface Vlan781"]
    assert callhome_blocks(mock)[FAULTY] == before[FAULTY]
    assert device(mock, FAULTY)["unsaved_changes"] is False
    assert outcome(runs, run_dir, HEALTHY)[0] == "migrated"


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_a_refused_configure_terminal_fails_configure_naming_the_refusal(
    mock_fleet_factory: Callable[..., MockFleet], tmp_path: Path, transport: str
) -> None:
    """Threat: `configure terminal` refused by command authorization reads as a prompt problem
    ("failed to enter configuration mode", the session dropped) and the operator is not told
    why. Here it is a refused line like any other: `configure` fails naming it and the refusal,
    nothing is typed after it, and the switch's config is untouched. (The backout, which needs
    config mode too, is refused as well: the report says so rather than claim a restore.)"""
    mock = start_fleet(mock_fleet_factory, ["configure terminal"])
    runs = tmp_path / "runs"
    before = mock.call(lambda: mock.fleet.device(FAULTY).running_config_text())
    run_dir, (state, step, reason) = failed_window(mock, runs, transport)
    assert (state, step) == ("failed", "backout"), reason
    assert "first failure at configure: switch rejected 'configure terminal': Command authorization failed." in reason
    assert refused_on(mock, FAULTY) == ["configure terminal", "configure terminal"]  # configure, backout
    assert mock.call(lambda: mock.fleet.device(FAULTY).running_config_text()) == before
    assert outcome(runs, run_dir, HEALTHY)[0] == "migrated"


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_a_refused_backout_line_is_a_failed_backout_not_an_undone_one(
    mock_fleet_factory: Callable[..., MockFleet], tmp_path: Path, transport: str
) -> None:
    """Threat: the backout takes a refused `no ...` line for one already undone (as it may take
    `% Profile X does not exist`) and reports the switch backed out while the change is still
    on it. An authorization refusal is never "already undone": the backout fails, the host is
    `failed` at backout, and the report says the change is still on the switch."""
    mock = start_fleet(mock_fleet_factory, ["revocation-check none", "no profile"])
    runs = tmp_path / "runs"
    _run_dir, (state, step, reason) = failed_window(mock, runs, transport)
    assert (state, step) == ("failed", "backout"), reason
    assert reason.startswith("backout failed, the change is still on the switch"), reason
    assert """switch rejected 'no profile "SSM-OnPrem"': Command authorization failed.""" in reason
    assert "first failure at configure: switch rejected 'revocation-check none'" in reason
    assert refused_on(mock, FAULTY) == ["revocation-check none", 'no profile "SSM-OnPrem"']
    assert 'profile "SSM-OnPrem"' in callhome_blocks(mock)[FAULTY]  # indeed still there


# ---------------------------------------------------------------- apply: exec commands
@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize(
    ("command", "step"), [("license smart deregister", "deregister"), ("license smart register", "register")]
)
def test_a_refused_licensing_command_fails_its_step_and_the_switch_is_backed_out(
    mock_fleet_factory: Callable[..., MockFleet], tmp_path: Path, transport: str, command: str, step: str
) -> None:
    """Threat: an exec command refused by command authorization is taken as done: a refused
    `license smart deregister` passed for a deregistration (no `%` in the answer), and a
    refused registration was reported as "registration not started". Here the step fails,
    naming the command (never the token) and the refusal, and the backout runs."""
    mock = start_fleet(mock_fleet_factory, [command])
    runs = tmp_path / "runs"
    before = callhome_blocks(mock)
    with fleet_env(mock) as env:
        plan_dir = plan(mock, runs, transport)
        code, run_dir = apply(plan_dir, runs, transport)
    assert code == 1
    state, failed_step, reason = outcome(runs, run_dir, FAULTY)
    assert (state, failed_step) == ("backed-out", step), reason
    assert f"'{command}' refused by the switch: Command authorization failed." in reason
    assert "idtoken" not in reason
    # a refused registration is tried once more, to go back to the cloud it left, and refused too
    twice = command == "license smart register"
    assert [line.split(" idtoken ")[0] for line in refused_on(mock, FAULTY)] == [command] * (2 if twice else 1)
    if twice:
        assert "registering it back to the cloud failed: 'license smart register' refused by the switch" in reason
    assert callhome_blocks(mock)[FAULTY] == before[FAULTY]
    assert device(mock, FAULTY)["unsaved_changes"] is False
    assert outcome(runs, run_dir, HEALTHY)[0] == "migrated"
    tokens = [value for key, value in env.items() if "TOKEN" in key]
    assert tokens and files_containing(runs, tokens) == []


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_a_refused_ca_authenticate_fails_install_ca_naming_the_refusal(
    mock_fleet_factory: Callable[..., MockFleet], tmp_path: Path, transport: str
) -> None:
    """Threat: `crypto pki authenticate` (a dialogue, not a plain config line) refused by
    command authorization is reported with whatever line came first in the transcript, and
    the operator cannot tell the CA was never offered. Here install_ca fails naming the
    refusal, and nothing was pasted (the switch holds no CA in the trustpoint)."""
    mock = start_fleet(mock_fleet_factory, ["crypto pki authenticate"], identity="verify")
    runs = tmp_path / "runs"
    run_dir, (state, step, reason) = failed_window(mock, runs, transport)
    assert (state, step) == ("failed", "install_ca"), reason
    assert "crypto pki authenticate refused: Command authorization failed." in reason
    assert [line.split()[:3] for line in refused_on(mock, FAULTY)] == [["crypto", "pki", "authenticate"]]
    configs = {name: mock.call(lambda n=name: mock.fleet.device(n).running_config_text()) for name in (FAULTY, HEALTHY)}
    chain = f"crypto pki certificate chain {IDENTITY_TRUSTPOINT}"
    assert chain not in configs[FAULTY] and chain in configs[HEALTHY]
    assert outcome(runs, run_dir, HEALTHY)[0] == "migrated"


# ---------------------------------------------------------------- discover
@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("refusal", REFUSALS)
def test_a_refused_show_command_in_discover_blocks_the_switch(
    mock_fleet_factory: Callable[..., MockFleet], tmp_path: Path, transport: str, refusal: str
) -> None:
    """Threat: `show running-config` refused by command authorization reads as an empty
    config, and the switch is planned (and its backout computed) from a config it does not
    have. Here the switch is blocked at plan time, the reason naming the command and the
    refusal, in each wording IOS and TACACS+ servers use."""
    mock = start_fleet(mock_fleet_factory, ["show running-config"], answer=refusal)
    runs = tmp_path / "runs"
    with fleet_env(mock):
        plan_dir = plan(mock, runs, transport)
    hosts = {h["name"]: h for h in load_plan_json(plan_dir)["hosts"]}
    faulty = hosts[FAULTY]
    assert faulty["classification"] == "blocked", faulty["reason"]
    assert faulty["reason"] == f"command rejected: 'show running-config' refused by the switch: {refusal}"
    assert "\n" not in faulty["reason"]
    assert hosts[HEALTHY]["classification"] == "to-migrate"
