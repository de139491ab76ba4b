"""`apply --hosts` narrows a reviewed plan (issue 18, item 6): the whole plan is still verified,
the selection is journaled and shown in the report, the switches left out are untouched and can
be applied from the same plan later."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from fleet_runs import configs, fleet_env, journal_states, latest_run, plan_fleet, quick_fleet, run_cli

pytestmark = pytest.mark.integration


def test_apply_narrowed_to_a_glob_then_the_rest_from_the_same_plan(mock_fleet_factory, tmp_path: Path, capsys) -> None:
    mock = quick_fleet(mock_fleet_factory, 6)  # ams-sw001, lon-sw002, nyc-sw003, ams-sw004, lon-sw005, nyc-sw006
    runs = tmp_path / "runs"
    with fleet_env(mock):
        plan_dir, _ = plan_fleet(mock, runs)
        before = configs(mock)
        capsys.readouterr()
        assert run_cli("apply", str(plan_dir), "--yes", "--hosts", "ams-*") == 0
        assert "narrowed to --hosts ams-*" in capsys.readouterr().out
        first = latest_run(runs, "apply")
        states = journal_states(runs, first.name)
        assert {h: s for h, s in states.items() if h.startswith("ams-")} == {
            "ams-sw001": "migrated",
            "ams-sw004": "migrated",
        }
        assert {s for h, s in states.items() if not h.startswith("ams-")} == {"skipped"}
        after = configs(mock)
        assert all(after[h] == before[h] for h in before if not h.startswith("ams-")), "a switch left out was touched"
        with sqlite3.connect(runs / "fleetreg.db") as db:
            reason = db.execute(
                "SELECT reason FROM hosts WHERE run_id=? AND host='lon-sw002'", (first.name,)
            ).fetchone()
            options = json.loads(db.execute("SELECT options FROM runs WHERE run_id=?", (first.name,)).fetchone()[0])
        assert reason == ("not selected (--hosts ams-*)",)
        assert options["selection"] == "--hosts ams-*" and options["selected"] == ["ams-sw001", "ams-sw004"]
        assert "narrowed to 2 of 6 switches: --hosts ams-*" in (first / "report.html").read_text()

        # the rest, from the same reviewed plan, selected by inventory data
        assert run_cli("apply", str(plan_dir), "--yes", "--filter", "site=LON", "--filter", "site=L*") == 0
        second = latest_run(runs, "apply")
        assert {h for h, s in journal_states(runs, second.name).items() if s == "migrated"} == {
            "lon-sw002",
            "lon-sw005",
        }


def test_a_narrowed_apply_still_verifies_the_whole_plan(mock_fleet_factory, tmp_path: Path, capsys) -> None:
    mock = quick_fleet(mock_fleet_factory, 3)
    runs = tmp_path / "runs"
    with fleet_env(mock):
        plan_dir, plan = plan_fleet(mock, runs)
        capsys.readouterr()
        assert run_cli("apply", str(plan_dir), "--yes", "--hosts", "par-*") == 2
        assert "unknown host 'par-*'" in capsys.readouterr().err
        for host in plan["hosts"]:
            if host["name"] == "nyc-sw003":
                host["config_commands"].append("hostname pwned")
        (plan_dir / "plan.json").write_text(json.dumps(plan, indent=2))
        capsys.readouterr()
        assert run_cli("apply", str(plan_dir), "--yes", "--hosts", "ams-sw001") == 2
    assert "host nyc-sw003: config_commands" in capsys.readouterr().err
