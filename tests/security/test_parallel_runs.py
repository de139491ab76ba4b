"""Threat: two fleetreg processes work the same switches at once (two applies of one plan, two
`--resume` of one run, a backout during an apply): the canaries end unregistered and the
satellite loses product instances. Each run holds an exclusive lease (orchestrator.lease:
journal row + OS lock); the second process exits 2 naming the holder and touches nothing, and
a lease left by a killed process is taken over by `--resume` only."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from fleet_runs import assert_migrated_once, fleet_env, kill_9_at, latest_run, plan_fleet, run_cli, wait_for_step

pytestmark = pytest.mark.integration


def spawn(runs: Path, env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "fleetreg.cli.main", *args, "--runs-dir", str(runs), "--yes", "--workers", "3"],
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("fleetreg:")]


def assert_refused_by(stderr: str, holder_pid: int, command: str) -> None:
    """One error line naming the holder: pid, host, command, since when."""
    assert "Traceback" not in stderr
    lines = error_lines(stderr)
    assert len(lines) == 1, stderr
    assert f"is in use by pid {holder_pid} on " in lines[0], lines[0]
    assert f"(fleetreg {command}" in lines[0] and re.search(r"since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", lines[0])


def leases(runs: Path) -> list[tuple[str, int]]:
    with sqlite3.connect(runs / "fleetreg.db") as conn:
        return conn.execute("SELECT key, holder_pid FROM leases ORDER BY key").fetchall()


def kill_9_mid_apply(runs: Path, env: dict[str, str], plan_dir: Path) -> Path:
    kill_9_at(spawn(runs, env, "apply", str(plan_dir)), runs / "fleetreg.db", "wait_registered")
    return latest_run(runs, "apply")


def race(runs: Path, env: dict[str, str], command: str, *runs_of: tuple[str, ...]) -> str:
    """Start the fleetreg commands `runs_of` together: one must finish (exit 0), the other be
    refused (exit 2) naming the winner; the loser's stderr."""
    procs = [spawn(runs, env, *args) for args in runs_of]
    results = [(proc, *proc.communicate(timeout=180)) for proc in procs]
    codes = sorted(proc.returncode for proc, _, _ in results)
    assert codes == [0, 2], [(p.returncode, err) for p, _, err in results]
    winner = next(p for p, _, _ in results if p.returncode == 0)
    loser_err = next(err for p, _, err in results if p.returncode == 2)
    assert_refused_by(loser_err, winner.pid, command)
    return loser_err


def test_two_applies_of_one_plan_started_together_only_one_runs(mock_fleet_factory, tmp_path: Path) -> None:
    """Threat: two applies of the same plan work the same switches at once."""
    mock = mock_fleet_factory(8, latency_ms=30, register_seconds=(1.0, 2.0))
    runs = tmp_path / "runs"
    with fleet_env(mock) as env:
        plan_dir, plan = plan_fleet(mock, runs)
        race(runs, env, "apply", ("apply", str(plan_dir)), ("apply", str(plan_dir / "plan.json")))
    # the loser started no run: one apply run folder, one run in the journal, nothing left held
    assert len([p for p in runs.iterdir() if p.name.endswith("-apply")]) == 1
    with sqlite3.connect(runs / "fleetreg.db") as conn:
        assert conn.execute("SELECT COUNT(*) FROM runs WHERE kind='apply'").fetchone()[0] == 1
    assert leases(runs) == []
    assert_migrated_once(mock, plan)


def test_two_plans_of_one_fleet_applied_together_never_share_a_switch(mock_fleet_factory, tmp_path: Path) -> None:
    """Threat: two plans made of the same switches are applied at once (a lease per plan is not
    enough): each switch is leased by the run working on it."""
    mock = mock_fleet_factory(8, latency_ms=30, register_seconds=(1.0, 2.0))
    runs = tmp_path / "runs"
    with fleet_env(mock) as env:
        first, plan = plan_fleet(mock, runs)
        second, _ = plan_fleet(mock, runs)
        assert first != second
        loser_err = race(runs, env, "apply", ("apply", str(first)), ("apply", str(second)))
    assert "switch " in error_lines(loser_err)[0]
    assert leases(runs) == []
    assert_migrated_once(mock, plan)


def test_two_resumes_of_one_run_started_together_only_one_runs(mock_fleet_factory, tmp_path: Path) -> None:
    """Threat: two `apply --resume` of one run work the same switches at once."""
    mock = mock_fleet_factory(8, latency_ms=30, register_seconds=(1.0, 2.0))
    runs = tmp_path / "runs"
    with fleet_env(mock) as env:
        plan_dir, plan = plan_fleet(mock, runs)
        run_dir = kill_9_mid_apply(runs, env, plan_dir)
        race(runs, env, "apply --resume", *[("apply", "--resume", run_dir.name)] * 2)
    assert leases(runs) == []
    assert_migrated_once(mock, plan)


def test_backout_during_an_apply_is_refused(mock_fleet_factory, tmp_path: Path, capsys) -> None:
    """Threat: `fleetreg backout RUN` while that run's apply is still working its switches."""
    mock = mock_fleet_factory(6, latency_ms=30, register_seconds=(1.5, 2.5))
    runs = tmp_path / "runs"
    with fleet_env(mock) as env:
        plan_dir, plan = plan_fleet(mock, runs)
        proc = spawn(runs, env, "apply", str(plan_dir))
        try:
            wait_for_step(runs / "fleetreg.db", "wait_registered", proc)
            run_dir = latest_run(runs, "apply")
            capsys.readouterr()
            code = run_cli("backout", run_dir.name, "--runs-dir", str(runs), "--yes")
            err = capsys.readouterr().err
        finally:
            _out, apply_err = proc.communicate(timeout=180)
    assert code == 2, err
    assert_refused_by(err, proc.pid, "apply")
    assert proc.returncode == 0, apply_err  # no switch was backed out under the apply's feet
    assert_migrated_once(mock, plan)
    with sqlite3.connect(runs / "fleetreg.db") as conn:
        states = {s for (s,) in conn.execute("SELECT state FROM hosts WHERE run_id=?", (run_dir.name,))}
    assert states <= {"migrated", "already-migrated"}


def test_kill_9_then_resume_takes_the_stale_lease_over(mock_fleet_factory, tmp_path: Path, capsys) -> None:
    """Threat: a lease left by a killed process blocks the run forever, or lets a fresh apply of
    the same plan start over switches the dead run left mid-way."""
    mock = mock_fleet_factory(8, latency_ms=30, register_seconds=(1.0, 2.0))
    runs = tmp_path / "runs"
    with fleet_env(mock):
        plan_dir, plan = plan_fleet(mock, runs)
        run_dir = kill_9_mid_apply(runs, dict(mock.env), plan_dir)
        stale = leases(runs)
        switches = {f"switch:{h['name']}" for h in plan["hosts"] if h["classification"] == "to-migrate"}
        assert {key for key, _ in stale} == {f"plan:{plan['plan_id']}", f"run:{run_dir.name}", *switches}
        capsys.readouterr()
        # a fresh apply of the plan is pointed to the unfinished run, and touches nothing
        logins = sum(d.sessions_opened for d in mock.fleet.devices)
        assert run_cli("apply", str(plan_dir), "--runs-dir", str(runs), "--yes") == 2
        err = capsys.readouterr().err
        assert sum(d.sessions_opened for d in mock.fleet.devices) == logins
        assert len(error_lines(err)) == 1 and "Traceback" not in err, err
        assert f"left unfinished by pid {stale[0][1]} " in err and f"fleetreg apply --resume {run_dir.name}" in err
        assert len([p for p in runs.iterdir() if p.name.endswith("-apply")]) == 1
        # --resume takes the dead holder's lease over and finishes
        assert run_cli("apply", "--resume", run_dir.name, "--runs-dir", str(runs), "--yes") == 0
    assert leases(runs) == []
    assert_migrated_once(mock, plan)
