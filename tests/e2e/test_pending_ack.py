"""SLP acknowledgements take their time (issue 17, item 4): a switch that reports to its planned
URL but has no ACK within `ack_wait_s` ends `pending-ack` (its change kept, exit code 7), and a
later `fleetreg verify` of the run promotes it to migrated once the ACK has come."""

from __future__ import annotations

import csv
import time
from pathlib import Path

import pytest
from fleet_runs import fleet_env, latest_run, run_cli, set_default_setting
from fleetreg.core.outcomes import PENDING_ACK_EXIT
from fleetreg.shell.journal import Journal

from mock_devices.spec import FleetSpec

pytestmark = pytest.mark.integration
ACK_AFTER_S = 10.0


def outcomes(run_dir: Path) -> dict[str, str]:
    return {row["host"]: row["outcome"] for row in csv.DictReader((run_dir / "hosts.csv").open())}


def test_a_slow_ack_ends_pending_ack_and_a_later_verify_promotes_it(mock_fleet_factory, tmp_path: Path) -> None:
    spec = FleetSpec.model_validate(
        {"count": 2, "seed": 3, "sync_ack_seconds": ACK_AFTER_S, "mix": {"states": {"slp": 1.0}}}
    )
    mock = mock_fleet_factory(spec=spec)
    set_default_setting(mock, ack_wait_s=2, poll_interval_s=0.5)
    runs = tmp_path / "runs"
    names = [d.name for d in mock.fleet.devices]
    with fleet_env(mock):
        assert run_cli("plan", "--inventory", str(mock.inventory_dir), "--runs-dir", str(runs)) == 0
        plan_dir = latest_run(runs, "plan")
        started = time.monotonic()
        code = run_cli("apply", str(plan_dir), "--runs-dir", str(runs), "--yes")
        run_dir = latest_run(runs, "apply")
        assert code == PENDING_ACK_EXIT
        assert outcomes(run_dir) == {name: "pending-ack" for name in names}
        configs = {n: mock.call(mock.fleet.device(n).running_config_text) for n in names}
        assert all("license smart transport cslu" in c for c in configs.values())  # not backed out

        assert run_cli("verify", run_dir.name, "--runs-dir", str(runs)) == PENDING_ACK_EXIT  # too early
        time.sleep(max(0.0, ACK_AFTER_S + 1 - (time.monotonic() - started)))
        assert run_cli("verify", run_dir.name, "--runs-dir", str(runs)) == 0
    assert outcomes(run_dir) == {name: "migrated" for name in names}  # reports regenerated
    journal = Journal(runs / "fleetreg.db")
    try:
        records = journal.hosts(run_dir.name)
    finally:
        journal.close()
    assert {r.state for r in records.values()} == {"migrated"}
    assert all("promoted by fleetreg verify" in (r.reason or "") for r in records.values())
