"""`fleetreg plan --config` with a team's Ansible inventory (nornir-ansible) of the mock fleet: the
same plan as from the SimpleInventory the mock wrote, and `apply` of it loads the inventory again
through the config the plan names."""

from __future__ import annotations

from pathlib import Path

import pytest
from ansible_inventory import write_ansible_inventory
from fleet_runs import assert_migrated_once, fleet_env, latest_run, load_plan_json, plan_fleet, run_cli

pytestmark = pytest.mark.integration

SAME = ("name", "hostname", "port", "site", "virtual_account", "token_ref", "classification", "mode", "config_commands")


def test_plan_and_apply_with_an_ansible_inventory(mock_fleet_factory, tmp_path: Path) -> None:
    mock = mock_fleet_factory(4)
    config = write_ansible_inventory(mock.inventory_dir, tmp_path / "ansible")
    with fleet_env(mock):
        _, from_folder = plan_fleet(mock, tmp_path / "runs-folder")
        runs = tmp_path / "runs"
        assert run_cli("plan", "--config", str(config), "--runs-dir", str(runs), "--canary", "0") == 0
        plan_dir = latest_run(runs, "plan")
        plan = load_plan_json(plan_dir)
        assert plan["inventory_dir"] == str(config)
        assert plan["inventory_fingerprint"] == from_folder["inventory_fingerprint"]
        assert [{k: h[k] for k in SAME} for h in plan["hosts"]] == [
            {k: h[k] for k in SAME} for h in from_folder["hosts"]
        ]
        assert any(h["config_commands"] for h in plan["hosts"])
        assert run_cli("apply", str(plan_dir), "--runs-dir", str(runs), "--yes") == 0
    assert_migrated_once(mock, plan)
