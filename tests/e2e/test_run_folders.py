"""Where runs live (issue 18, item 3): a run lives where its plan lives unless told otherwise,
and a plan that fails leaves no run folder behind."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from fleet_runs import fleet_env, latest_run, run_cli

pytestmark = pytest.mark.integration


def test_apply_writes_its_run_and_journal_beside_the_plan(mock_fleet_factory, tmp_path: Path, monkeypatch) -> None:
    """Before: apply ignored the plan's --runs-dir and wrote its journal and run to ./runs."""
    mock = mock_fleet_factory(2)
    runs = tmp_path / "window" / "runs"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    with fleet_env(mock):
        assert run_cli("plan", "--inventory", str(mock.inventory_dir), "--runs-dir", str(runs), "--canary", "0") == 0
        plan_dir = latest_run(runs, "plan")
        project = str(Path.cwd())  # the templates the plan was derived with
        monkeypatch.chdir(elsewhere)
        assert run_cli("apply", str(plan_dir), "--yes", "--project", project) == 0
        run_dir = latest_run(runs, "apply")
        assert not (elsewhere / "runs").exists()
        with sqlite3.connect(runs / "fleetreg.db") as db:
            assert db.execute("SELECT status FROM runs WHERE run_id=?", (run_dir.name,)).fetchone() == ("finished",)
        # a run named by its folder is found where it lives, too
        assert run_cli("report", str(run_dir)) == 0
        assert run_cli("backout", str(run_dir), "--yes", "--project", project) == 0
        assert not (elsewhere / "runs").exists()


def test_a_plan_that_fails_leaves_no_run_folder(mock_fleet_factory, tmp_path: Path, capsys) -> None:
    """Before: `plan --from <unknown run>` exited 2 and left an empty <time>-plan folder."""
    mock = mock_fleet_factory(2)
    runs = tmp_path / "runs"
    with fleet_env(mock):
        code = run_cli("plan", "--inventory", str(mock.inventory_dir), "--runs-dir", str(runs), "--from", "nosuchrun")
    assert code == 2
    assert "unknown run 'nosuchrun'" in capsys.readouterr().err
    assert not [p for p in runs.iterdir() if p.is_dir()] if runs.exists() else True
