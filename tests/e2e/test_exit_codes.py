"""Every exit code of the table (fleetreg.core.exit_codes), produced by a real run against the
mock fleet (issue 18, item 3). Codes tested elsewhere: 1 for failed switches (test_faults), 2
for bad input (tests/cli/test_bad_input.py), 3 for fleetreg's own failure (test_own_failures),
5 for the failure threshold (test_faults), 130 for Ctrl-C (test_resume), 4 at a wave gate's
`stop` (tests/cli/test_guards_pty.py)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from fleet_runs import (
    configs,
    fleet_env,
    journal_states,
    latest_run,
    plan_fleet,
    quick_fleet,
    run_cli,
    run_status,
    wait_for_step,
)
from fleetreg.services.apply import ApplyOptions, apply_plan
from fleetreg.services.soak import Pacing

from mock_devices.spec import FaultSpec

pytestmark = pytest.mark.integration


def test_0_all_done(mock_fleet_factory, tmp_path: Path) -> None:
    mock = quick_fleet(mock_fleet_factory, 3)
    runs = tmp_path / "runs"
    with fleet_env(mock):
        plan_dir, _ = plan_fleet(mock, runs)
        assert run_cli("apply", str(plan_dir), "--yes") == 0


def test_1_some_switches_failed(mock_fleet_factory, tmp_path: Path) -> None:
    mock = quick_fleet(
        mock_fleet_factory, 3, faults=(FaultSpec(switches=["lon-sw002"], registration_failure="Fail to send."),)
    )
    runs = tmp_path / "runs"
    with fleet_env(mock):
        plan_dir, _ = plan_fleet(mock, runs, "--max-failures", "100%")
        assert run_cli("apply", str(plan_dir), "--yes") == 1
    assert journal_states(runs, latest_run(runs, "apply").name)["lon-sw002"] == "backed-out"


def test_6_nothing_to_do_when_every_switch_is_blocked(mock_fleet_factory, tmp_path: Path, capsys) -> None:
    """Before: a plan in which every switch has a wrong password exited 0."""
    mock = quick_fleet(mock_fleet_factory, 3, faults=(FaultSpec(share=1.0, wrong_password=True),))
    runs = tmp_path / "runs"
    with fleet_env(mock):
        assert run_cli("plan", "--inventory", str(mock.inventory_dir), "--runs-dir", str(runs)) == 6
        plan_dir = latest_run(runs, "plan")  # written all the same: its report says why
        assert (plan_dir / "report.html").exists()
        assert "nothing to do" in capsys.readouterr().err
        assert run_cli("apply", str(plan_dir), "--yes") == 6
    assert "3 blocked" in capsys.readouterr().err
    assert not [p for p in runs.iterdir() if p.name.endswith("-apply")], "no run for nothing to do"


def test_4_the_window_end_stops_before_a_wave_that_would_cross_it(mock_fleet_factory, tmp_path: Path, capsys) -> None:
    """The first wave's estimate (defaults: about two minutes a switch) does not fit in 30 s:
    nothing is touched, the run stops resumable; `apply --resume` finishes it in the next window."""
    mock = quick_fleet(mock_fleet_factory, 2)
    runs = tmp_path / "runs"
    before = configs(mock)
    end = (datetime.now() + timedelta(seconds=30)).isoformat(timespec="seconds")
    with fleet_env(mock):
        plan_dir, _ = plan_fleet(mock, runs)
        capsys.readouterr()
        assert run_cli("apply", str(plan_dir), "--yes", "--window-end", end) == 4
        out = capsys.readouterr().out
        run_id = latest_run(runs, "apply").name
        assert "it needs about" in out and "the window ends in" in out
        assert f"Resume with: fleetreg apply --resume {run_id}" in out
        assert configs(mock) == before
        assert set(journal_states(runs, run_id).values()) == {"pending"} and run_status(runs, run_id) == "stopped"
        assert run_cli("apply", "--resume", run_id, "--runs-dir", str(runs), "--yes") == 0
    assert set(journal_states(runs, run_id).values()) == {"migrated"}


def test_4_between_waves_when_the_clock_passes_the_window(mock_fleet_factory, tmp_path: Path) -> None:
    """The canary wave fits; by the time it ends the window is over: wave 1 is not started."""
    mock = quick_fleet(mock_fleet_factory, 4)
    runs = tmp_path / "runs"
    late = {"by": 0.0}

    def clock() -> float:
        return time.time() + late["by"]

    def on_event(host: str, event: str, text: str) -> None:
        if event == "migrated":
            late["by"] = 3600.0  # an hour passes during the canary wave

    with fleet_env(mock):
        plan_dir, plan = plan_fleet(mock, runs, "--canary", "1")
        pacing = Pacing(window_end=time.time() + 1800, clock=clock)
        result = apply_plan(plan_dir, ApplyOptions(runs_dir=runs), pacing=pacing, on_event=on_event)
    assert result.exit_code == 4 and result.stopped and result.stopped.startswith("stopped before wave 1")
    canary = plan["waves"][0]["hosts"]
    states = journal_states(runs, result.run_dir.name)
    assert {states[h] for h in canary} == {"migrated"}
    assert {s for h, s in states.items() if h not in canary} == {"pending"}


def test_4_sigterm_finishes_the_steps_under_way_and_stops_resumable(mock_fleet_factory, tmp_path: Path) -> None:
    """A scheduler cancelling the job sends SIGTERM: handled like a first Ctrl-C, exit 4 (not 130)."""
    mock = quick_fleet(mock_fleet_factory, 8)
    runs = tmp_path / "runs"
    with fleet_env(mock) as env:
        plan_dir, _ = plan_fleet(mock, runs)
        proc = subprocess.Popen(
            [sys.executable, "-m", "fleetreg.cli.main", "apply", str(plan_dir), "--yes", "--workers", "2"],
            env={**os.environ, **env},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        wait_for_step(runs / "fleetreg.db", "wait_registered", proc)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 4, (out, err)
        run_id = latest_run(runs, "apply").name
        assert "SIGTERM: finishing the steps under way" in err and "Traceback" not in err
        assert run_status(runs, run_id) == "interrupted"
        assert run_cli("apply", "--resume", run_id, "--runs-dir", str(runs), "--yes") == 0


def test_5_a_switch_that_regresses_during_the_soak_halts_the_run(mock_fleet_factory, tmp_path: Path) -> None:
    mock = quick_fleet(mock_fleet_factory, 4)
    runs = tmp_path / "runs"
    regressed: list[str] = []

    def sleep(seconds: float) -> None:
        if not regressed:  # during the soak, someone deregisters the canary switch
            name = canary[0]

            def deregister() -> None:
                device = mock.fleet.device(name)
                device.classic.deregister(device.clock.wall())

            mock.call(deregister)
            regressed.append(name)
        time.sleep(seconds)

    with fleet_env(mock):
        plan_dir, plan = plan_fleet(mock, runs, "--canary", "1")
        canary = plan["waves"][0]["hosts"]
        result = apply_plan(plan_dir, ApplyOptions(runs_dir=runs), pacing=Pacing(soak_s=1.0, sleep=sleep))
    assert result.exit_code == 5
    assert result.halted == "halted during the soak after canary: 1 switch(es) regressed"
    outcome = result.outcomes[canary[0]]
    assert (outcome.outcome, outcome.failed_step) == ("failed", "soak_verify")
    assert "registration status 'UNREGISTERED', expected REGISTERED" in (outcome.reason or "")
    states = journal_states(runs, result.run_dir.name)
    assert {s for h, s in states.items() if h not in canary} == {"skipped"}  # wave 1 never started


def test_a_soak_without_regression_goes_on(mock_fleet_factory, tmp_path: Path, capsys) -> None:
    mock = quick_fleet(mock_fleet_factory, 4)  # 3 sites: 3 flagged canaries, and one more switch
    runs = tmp_path / "runs"
    with fleet_env(mock):
        plan_dir, _ = plan_fleet(mock, runs, "--canary", "1")
        capsys.readouterr()
        assert run_cli("apply", str(plan_dir), "--yes", "--soak", "1s") == 0
    out = capsys.readouterr().out
    assert "canary: soaking 1.0s, re-verifying its 3 migrated switches" in out
    assert "canary: soak done: 1 check(s) of 3 switches, no regression" in out
