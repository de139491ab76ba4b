"""kill -9 of the orchestrator in the middle of a step, then `fleetreg apply --resume`:
every switch ends migrated exactly once (or backed out), none half-configured."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from fleet_runs import (
    assert_migrated_once,
    fleet_env,
    kill_9_at,
    latest_run,
    load_plan_json,
    plan_fleet,
    run_cli,
    set_default_setting,
    wait_for_step,
)

from mock_devices.spec import FaultSpec, FleetSpec, SatelliteSpec, SwitchSpec
from mock_devices.testing import MockFleet

pytestmark = pytest.mark.integration


def wait_until_no_shard(run_dir: Path, timeout: float = 10) -> bool:
    """No `python -m fleetreg.shards` of this run left running."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        alive = []
        for proc_dir in Path("/proc").iterdir():
            try:
                cmdline = (proc_dir / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if "fleetreg.services.apply_shard" in cmdline and str(run_dir) in cmdline:
                alive.append(proc_dir.name)
        if not alive:
            return True
        time.sleep(0.1)
    return False


@pytest.mark.parametrize(
    ("step", "processes"),
    [(s, 1) for s in ("configure", "deregister", "register", "wait_registered", "save_final", "sync")]
    + [("wait_registered", 2)],  # apply split over 2 processes: the shards die with it
)
def test_kill_9_during_a_step_then_resume(step: str, processes: int, mock_fleet_factory, tmp_path: Path) -> None:
    mock = mock_fleet_factory(10, latency_ms=40, register_seconds=(1.0, 2.0))
    runs = tmp_path / "runs"
    with fleet_env(mock) as env:
        assert run_cli("plan", "--inventory", str(mock.inventory_dir), "--runs-dir", str(runs), "--canary", "0") == 0
        plan_dir = latest_run(runs, "plan")
        plan = load_plan_json(plan_dir)
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "fleetreg.cli.main",
                "apply",
                str(plan_dir),
                "--runs-dir",
                str(runs),
                "--yes",
                "--workers",
                "3",
                "--processes",
                str(processes),
            ],
            env={**os.environ, **env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        kill_9_at(proc, runs / "fleetreg.db", step)
        run_dir = latest_run(runs, "apply")
        assert wait_until_no_shard(run_dir), "a shard process outlived its killed parent"
        assert run_cli("apply", "--resume", run_dir.name, "--runs-dir", str(runs), "--yes") == 0

    assert_migrated_once(mock, plan)
    # the journal tells the same story
    with sqlite3.connect(runs / "fleetreg.db") as conn:
        states = dict(conn.execute("SELECT host, state FROM hosts WHERE run_id=?", (run_dir.name,)).fetchall())
    assert set(states.values()) <= {"migrated", "already-migrated"}, states


def test_ctrl_c_finishes_running_steps_starts_nothing_new_then_resume(mock_fleet_factory, tmp_path: Path) -> None:
    mock = mock_fleet_factory(12, latency_ms=30, register_seconds=(1.5, 2.5))
    runs = tmp_path / "runs"
    with fleet_env(mock) as env:
        assert run_cli("plan", "--inventory", str(mock.inventory_dir), "--runs-dir", str(runs), "--canary", "0") == 0
        plan_dir = latest_run(runs, "plan")
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "fleetreg.cli.main",
                "apply",
                str(plan_dir),
                "--runs-dir",
                str(runs),
                "--yes",
                "--workers",
                "2",
            ],
            env={**os.environ, **env},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        wait_for_step(runs / "fleetreg.db", "wait_registered", proc)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 130, (out, err)  # Ctrl-C: the shell's convention, the run resumable
        assert "Traceback" not in err and "Resume with: fleetreg apply --resume" in out
        run_dir = latest_run(runs, "apply")
        with sqlite3.connect(runs / "fleetreg.db") as conn:
            states = dict(conn.execute("SELECT host, state FROM hosts WHERE run_id=?", (run_dir.name,)).fetchall())
            open_steps = conn.execute(
                "SELECT COUNT(*) FROM steps WHERE run_id=? AND status='started'", (run_dir.name,)
            ).fetchone()[0]
        # the steps under way finished (none left open), hosts never started stay pending
        assert open_steps == 0
        assert "pending" in states.values() and "interrupted" in states.values(), states
        assert set(states.values()) <= {"pending", "interrupted", "migrated", "already-migrated"}
        assert run_cli("apply", "--resume", run_dir.name, "--runs-dir", str(runs), "--yes") == 0
    with sqlite3.connect(runs / "fleetreg.db") as conn:
        final = {s for (s,) in conn.execute("SELECT state FROM hosts WHERE run_id=?", (run_dir.name,))}
    assert final <= {"migrated", "already-migrated"}
    serials = Counter(p["serial"] for p in mock.fleet.dump_state()["satellite"]["product_instances"])
    assert max(serials.values()) == 1


# Two former cloud switches; ams-sw001's satellite registration fails, so it is backed out and
# registered back to the cloud. Slow answers, so that a kill lands within the short restore_cloud step.
CLOUD_ROLLBACK_FLEET = FleetSpec(
    count=2,
    register_seconds=(2.0, 2.0),
    satellite=SatelliteSpec(identity="disable"),
    switches=[SwitchSpec(index=0, state="cloud"), SwitchSpec(index=1, state="cloud")],
    faults=[FaultSpec(switches=["ams-sw001"], registration_failure="HTTP 503 Service Unavailable", latency_ms=300)],
)


def killed_while_registering_back(mock: MockFleet, runs: Path, env: dict[str, str], step: str) -> Path:
    """Plan the fleet, apply it in a child process and kill -9 it once ams-sw001 has started the
    rollback step `step`; the apply run's folder."""
    plan_dir, _plan = plan_fleet(mock, runs, "--max-failures", "100%")
    proc = subprocess.Popen(
        [sys.executable, "-m", "fleetreg.cli.main", "apply", str(plan_dir), "--runs-dir", str(runs), "--yes"],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    kill_9_at(proc, runs / "fleetreg.db", step)
    return latest_run(runs, "apply")


@pytest.mark.parametrize("step", ["restore_cloud", "wait_cloud"])
def test_kill_9_while_registering_back_to_the_cloud_then_resume(step: str, mock_fleet_factory, tmp_path: Path) -> None:
    """A former cloud switch whose satellite registration failed is being registered back to the
    cloud when fleetreg dies; the resume reads it again from the backout on and ends it backed out
    and registered to the cloud once (no second registration started while one is under way)."""
    mock = mock_fleet_factory(spec=CLOUD_ROLLBACK_FLEET)
    set_default_setting(mock, poll_interval_s=0.3)
    runs = tmp_path / "runs"
    with fleet_env(mock) as env:
        run_dir = killed_while_registering_back(mock, runs, env, step)
        assert run_cli("apply", "--resume", run_dir.name, "--runs-dir", str(runs), "--yes") == 1  # one backed out
    with sqlite3.connect(runs / "fleetreg.db") as conn:
        state, reason = conn.execute(
            "SELECT state, reason FROM hosts WHERE run_id=? AND host='ams-sw001'", (run_dir.name,)
        ).fetchone()
        rechecks = conn.execute(
            "SELECT status FROM steps WHERE run_id=? AND host='ams-sw001' AND step='recheck'", (run_dir.name,)
        ).fetchall()
    assert rechecks == [("done",)]  # the resume's re-read succeeded: it is not the step that failed
    # read back after the resumed backout: on the cloud (registered back, or found so when the kill
    # came after the registration started)
    assert state == "backed-out", reason
    assert reason.startswith(f"interrupted while registering it back to the cloud ({step}); "), reason
    assert "REGISTERED / AUTHORIZED in 'Campus Switches', reporting to (CiscoTAC-1 default)" in reason, reason
    device = mock.fleet.dump_state()["devices"]["ams-sw001"]
    assert (device["licensing"]["status"], device["licensing"]["registered_to"]) == ("REGISTERED", "cloud")
    assert device["unsaved_changes"] is False
    assert mock.fleet.cloud is not None and mock.fleet.cloud.tokens[0].used == 1  # registered back once


@pytest.mark.parametrize("step", ["restore_cloud", "wait_cloud"])
def test_kill_9_while_registering_back_to_the_cloud_then_backout_on_demand(
    step: str, mock_fleet_factory, tmp_path: Path
) -> None:
    """After the kill, the engineer backs the run out instead of resuming it: the switch whose
    rollback was cut short (its config already restored, so not 'changed' in the journal) is
    taken too, backed out again and registered back to the cloud, not skipped and left as it was."""
    mock = mock_fleet_factory(spec=CLOUD_ROLLBACK_FLEET)
    set_default_setting(mock, poll_interval_s=0.3)
    runs = tmp_path / "runs"
    with fleet_env(mock) as env:
        run_dir = killed_while_registering_back(mock, runs, env, step)
        assert run_cli("backout", run_dir.name, "--runs-dir", str(runs), "--yes") == 0
    with sqlite3.connect(runs / "fleetreg.db") as conn:
        states = dict(conn.execute("SELECT host, state FROM hosts WHERE run_id=?", (run_dir.name,)).fetchall())
        reason = conn.execute(
            "SELECT reason FROM hosts WHERE run_id=? AND host='ams-sw001'", (run_dir.name,)
        ).fetchone()[0]
    assert states == {"ams-sw001": "backed-out", "lon-sw002": "backed-out"}, reason
    assert "REGISTERED / AUTHORIZED in 'Campus Switches', reporting to (CiscoTAC-1 default)" in reason, reason
    state = mock.fleet.dump_state()
    for name in ("ams-sw001", "lon-sw002"):
        device = state["devices"][name]
        assert (device["licensing"]["status"], device["licensing"]["registered_to"]) == ("REGISTERED", "cloud"), name
        assert device["unsaved_changes"] is False
    assert mock.fleet.cloud is not None and mock.fleet.cloud.tokens[0].used == 2  # once per switch
