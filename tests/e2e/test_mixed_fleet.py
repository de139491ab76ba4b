"""Issue 17's "done when", on the mixed fleet (mock_devices/specs/mixed.yaml): classic switches,
SLP switches in two virtual accounts (one on a 17.12+ image, one whose ACK takes an hour), and a
cloud switch whose virtual account's only token has expired. Every SLP switch ends in its planned
virtual account; the expired-token switch is never touched and reported as it was read; the
slow-ACK switch ends pending-ack and a later verify promotes it."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from fleet_runs import files_containing, fleet_env, latest_run, load_plan_json, run_cli, set_default_setting
from fleetreg.core.outcomes import PENDING_ACK_EXIT

import mock_devices

pytestmark = pytest.mark.integration
MIXED = Path(mock_devices.__path__[0]) / "specs" / "mixed.yaml"
EXPIRED_TOKEN_SWITCH, SLOW_ACK_SWITCH = "nyc-sw009", "lon-sw008"


def outcomes(run_dir: Path) -> dict[str, dict[str, str]]:
    return {row["host"]: row for row in csv.DictReader((run_dir / "hosts.csv").open())}


def test_the_mixed_fleet_ends_as_issue_17_asks(mock_fleet_factory, tmp_path: Path) -> None:
    mock = mock_fleet_factory(spec=MIXED, api=True)
    set_default_setting(mock, ack_wait_s=3, poll_interval_s=0.5)
    runs = tmp_path / "runs"
    before = mock.fleet.dump_state()["devices"]
    with fleet_env(mock):
        assert run_cli("plan", "--inventory", str(mock.inventory_dir), "--runs-dir", str(runs)) == 0
        plan_dir = latest_run(runs, "plan")
        plan = {h["name"]: h for h in load_plan_json(plan_dir)["hosts"]}
        expired = plan[EXPIRED_TOKEN_SWITCH]
        assert expired["classification"] == "blocked" and "is expired on the satellite" in expired["reason"]
        assert expired["pre"]["registered_to"] == "cloud"  # the state read at plan time, reported
        code = run_cli("apply", str(plan_dir), "--runs-dir", str(runs), "--yes")
        run_dir = latest_run(runs, "apply")
        rows = outcomes(run_dir)
        assert code == PENDING_ACK_EXIT, rows
        assert rows[SLOW_ACK_SWITCH]["outcome"] == "pending-ack"
        assert {
            r["outcome"]
            for n, r in rows.items()
            if plan[n]["classification"] in ("to-migrate", "wrong-virtual-account") and n != SLOW_ACK_SWITCH
        } == {"migrated"}
        after = mock.fleet.dump_state()
        untouched = after["devices"][EXPIRED_TOKEN_SWITCH]
        assert untouched["running_config"] == before[EXPIRED_TOKEN_SWITCH]["running_config"]
        assert untouched["licensing"]["status"] == "REGISTERED"  # still in the cloud
        # every SLP switch the plan moved sits in its planned virtual account on the satellite
        listed = {p["hostname"]: p["virtual_account"] for p in after["satellite"]["product_instances"]}
        slp = [n for n, h in plan.items() if h["mode"] == "cslu" and h["classification"] == "to-migrate"]
        assert len(slp) >= 4 and {n: listed.get(n) for n in slp} == {n: plan[n]["virtual_account"] for n in slp}
        mock.advance_clock(3600)  # the hour-long ACK comes
        assert run_cli("verify", run_dir.name, "--runs-dir", str(runs)) == 0
    assert outcomes(run_dir)[SLOW_ACK_SWITCH]["outcome"] == "migrated"


def test_without_the_api_the_expired_token_switch_goes_back_to_the_cloud(mock_fleet_factory, tmp_path: Path) -> None:
    """No satellite API: the expired token cannot be proven before the deregister, so the switch
    leaves the cloud, fails to register, is backed out and registered back to the cloud with its
    virtual account's cloud token; the report says so from what the switch read back."""
    mock = mock_fleet_factory(spec=MIXED)
    set_default_setting(mock, ack_wait_s=3, poll_interval_s=0.5)
    runs = tmp_path / "runs"
    with fleet_env(mock) as env:
        whole_fleet_at_once = ("--canary", "0", "--max-failures", "100%")
        assert (
            run_cli("plan", "--inventory", str(mock.inventory_dir), "--runs-dir", str(runs), *whole_fleet_at_once) == 0
        )
        plan_dir = latest_run(runs, "plan")
        expired = {h["name"]: h for h in load_plan_json(plan_dir)["hosts"]}[EXPIRED_TOKEN_SWITCH]
        assert expired["classification"] == "to-migrate"
        assert expired["cloud_token_ref"] == "env:FLEETREG_CLOUD_TOKEN_LAB_NETWORK_DEVICES"
        assert any("not proven usable" in risk for risk in expired["risks"])
        runbook = (plan_dir / "runbook.md").read_text()
        assert "- Leaving the cloud in this plan: 4 switches; 4 with a cloud token." in runbook
        assert run_cli("apply", str(plan_dir), "--runs-dir", str(runs), "--yes") == 1  # one switch backed out
    row = outcomes(latest_run(runs, "apply"))[EXPIRED_TOKEN_SWITCH]
    assert (row["outcome"], row["failed_step"]) == ("backed-out", "wait_registered")
    reason = row["outcome_reason"]
    assert reason.startswith('registration failed: {"token":["The token has expired."]}'), reason
    assert "state after backout: UNREGISTERED - REGISTRATION FAILED / EVAL MODE" in reason
    assert "registered back to the cloud: REGISTERED / AUTHORIZED in 'Campus Switches'" in reason
    device = mock.fleet.dump_state()["devices"][EXPIRED_TOKEN_SWITCH]
    assert (device["licensing"]["status"], device["licensing"]["registered_to"]) == ("REGISTERED", "cloud")
    assert device["unsaved_changes"] is False
    # the cloud token was typed into the switch's session: no file of the runs folder holds it
    cloud_token = env["FLEETREG_CLOUD_TOKEN_LAB_NETWORK_DEVICES"]
    session_log = (latest_run(runs, "apply") / "session-logs" / f"{EXPIRED_TOKEN_SWITCH}.log").read_text()
    assert session_log.count("license smart register idtoken") == 2  # the satellite's token, then the cloud's
    assert files_containing(runs, [cloud_token, *(v for k, v in env.items() if "TOKEN" in k)]) == []
