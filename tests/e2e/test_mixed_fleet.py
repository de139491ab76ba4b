"""Issue 17's "done when", on the mixed fleet (mock_devices/specs/mixed.yaml): classic switches,
SLP switches in two virtual accounts (one on a 17.12+ image, one whose ACK takes an hour), and a
cloud switch whose virtual account's only token has expired. Every SLP switch ends in its planned
virtual account; the expired-token switch is never touched and reported as it was read; the
slow-ACK switch ends pending-ack and a later verify promotes it."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from fleet_runs import fleet_env, latest_run, load_plan_json, run_cli, set_default_setting
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
