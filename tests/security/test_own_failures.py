"""Threat: fleetreg itself fails mid-apply (disk full, the journal cannot be written, a bug): a
raw traceback, switches left with changed, unsaved config and no backout, and a journal that
does not say where they are. fleetreg's own failures end as one line and exit 3
(orchestrator.errors.InternalError, orchestrator.cli.main); the runner starts nothing new once
its journal fails (orchestrator.runner.ApplyRunner._failed) and `apply --resume` finishes or
backs out every switch."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path

import fleetreg.cli.apply as apply_commands
import fleetreg.shell.scheduler as runner_module
import pytest
from fleet_runs import fleet_env, latest_run, plan_fleet, run_cli
from fleetreg.cli.main import main
from fleetreg.core.errors import RunFolderError
from fleetreg.core.host_flow import Action, HostFlow

# `fleetreg apply` in a process whose files cannot grow past FSIZE bytes (RLIMIT_FSIZE; Python
# ignores SIGXFSZ, so a write past it fails with EFBIG): the journal's WAL fills up mid-apply.
LIMITED = """
import resource, runpy, sys
limit = int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
sys.argv = ["fleetreg", *sys.argv[2:]]
runpy.run_module("fleetreg.cli.main", run_name="__main__")
"""
FSIZE = 96 * 1024  # more than plan.json and a backup; less than the WAL of the whole run
LIMITED_APPLY = (sys.executable, "-c", LIMITED, str(FSIZE), "apply")
APPLY_ARGS = ("--yes", "--workers", "4", "--no-session-logs")


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("fleetreg")]


def own_failure(runs: Path, plan_dir: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, str]:
    """Apply `plan_dir` with fleetreg's own fault injected by the caller: it must end with exit 3
    and one error line, no traceback. The run folder and that line."""
    capsys.readouterr()
    assert run_cli("apply", str(plan_dir), "--runs-dir", str(runs), *APPLY_ARGS) == 3
    err = capsys.readouterr().err
    lines = error_lines(err)
    assert len(lines) == 1 and "Traceback" not in err, err
    return latest_run(runs, "apply"), lines[0]


@pytest.mark.integration
@pytest.mark.parametrize("processes", [1, 2])  # 2: the journal fails in the shard processes
def test_disk_full_mid_apply_ends_in_one_line_and_resume_finishes(
    processes: int, mock_fleet_factory, tmp_path: Path
) -> None:
    """Threat: disk full mid-apply leaves a traceback and switches with unsaved config, no backout."""
    mock = mock_fleet_factory(10, latency_ms=20, register_seconds=(0.5, 1.0))
    runs = tmp_path / "runs"
    with fleet_env(mock) as env:
        plan_dir, plan = plan_fleet(mock, runs)
        assert (plan_dir / "plan.json").stat().st_size < FSIZE
        proc = subprocess.run(
            [*LIMITED_APPLY, str(plan_dir), "--runs-dir", str(runs), *APPLY_ARGS, "--processes", str(processes)],
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            timeout=240,
        )
        assert "Traceback" not in proc.stderr, proc.stderr
        lines = error_lines(proc.stderr)
        assert len(lines) == 1, proc.stderr
        assert proc.returncode == 3, proc.stderr
        run_dir = latest_run(runs, "apply")
        assert f"fleetreg apply --resume {run_dir.name}" in lines[0]
        # the failure came mid-apply: some switches were changed, not all finished
        db = runs / "fleetreg.db"
        with sqlite3.connect(db) as conn:
            states = dict(conn.execute("SELECT host, state FROM hosts WHERE run_id=?", (run_dir.name,)).fetchall())
            open_steps = dict(
                conn.execute(
                    "SELECT host, step FROM steps WHERE run_id=? AND status='started' ORDER BY id", (run_dir.name,)
                ).fetchall()
            )
        assert set(states.values()) - {"migrated", "already-migrated"}, states
        # every switch whose config is changed and unsaved is one the journal shows as mid-way
        devices = mock.fleet.dump_state()["devices"]
        for name, device in devices.items():
            if device["unsaved_changes"]:
                assert states[name] in ("running", "interrupted"), (name, states[name])
                assert states[name] == "interrupted" or name in open_steps, name

        # space restored: --resume finishes or backs out every switch
        assert run_cli("apply", "--resume", run_dir.name, "--runs-dir", str(runs), "--yes") in (0, 1)

    state = mock.fleet.dump_state()
    serials = Counter(p["serial"] for p in state["satellite"]["product_instances"])
    assert max(serials.values()) == 1, "double registration on the satellite"
    with sqlite3.connect(runs / "fleetreg.db") as conn:
        final = dict(conn.execute("SELECT host, state FROM hosts WHERE run_id=?", (run_dir.name,)).fetchall())
        assert conn.execute("SELECT COUNT(*) FROM leases").fetchone()[0] == 0
    assert set(final.values()) <= {"migrated", "already-migrated", "backed-out"}, final
    planned = {h["name"]: h for h in plan["hosts"]}
    for name, device in state["devices"].items():
        assert device["unsaved_changes"] is False, f"{name} left with unsaved changes"
        if final[name] == "migrated" and planned[name]["mode"] == "callhome":
            assert device["licensing"]["status"] == "REGISTERED", name


@pytest.mark.integration
def test_a_bug_mid_apply_stops_the_run_cleanly_and_resume_finishes(
    mock_fleet_factory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Threat: an unexpected exception in the orchestrator mid-apply (a bug) ends in a traceback
    and leaves switches changed, unsaved, in a state the journal does not name."""
    mock = mock_fleet_factory(6, latency_ms=20, register_seconds=(0.5, 1.0))
    runs = tmp_path / "runs"
    step_done = HostFlow.step_done

    def buggy(self: HostFlow, step: str) -> Action:
        if step == "configure":  # the config is on the switch, unsaved
            raise KeyError("a bug")
        return step_done(self, step)

    with fleet_env(mock):
        plan_dir, _ = plan_fleet(mock, runs)
        monkeypatch.setattr(HostFlow, "step_done", buggy)
        run_dir, line = own_failure(runs, plan_dir, capsys)
        assert "unexpected KeyError: 'a bug'" in line and f"apply --resume {run_dir.name}" in line
        assert any(d["unsaved_changes"] for d in mock.fleet.dump_state()["devices"].values())
        monkeypatch.undo()
        assert run_cli("apply", "--resume", run_dir.name, "--runs-dir", str(runs), "--yes") == 0
    for name, device in mock.fleet.dump_state()["devices"].items():
        assert device["unsaved_changes"] is False, f"{name} left with unsaved changes"
    with sqlite3.connect(runs / "fleetreg.db") as conn:
        final = {s for (s,) in conn.execute("SELECT state FROM hosts WHERE run_id=?", (run_dir.name,))}
    assert final <= {"migrated", "already-migrated"}, final


@pytest.mark.integration
def test_a_backup_that_cannot_be_written_is_fleetregs_failure_not_the_switchs(
    mock_fleet_factory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Threat: fleetreg's own disk fails in a step (the backup): the switch is blamed ('failed'),
    the run goes on writing nowhere, and the real cause is buried in a report."""
    mock = mock_fleet_factory(4, latency_ms=20, register_seconds=(0.5, 1.0))
    runs = tmp_path / "runs"
    write_private = runner_module.write_private

    def disk_full(path: Path, text: str) -> Path:
        if path.parent.name == "backups":
            raise RunFolderError("cannot write: No space left on device", file=str(path))
        return write_private(path, text)

    with fleet_env(mock):
        plan_dir, _ = plan_fleet(mock, runs)
        monkeypatch.setattr(runner_module, "write_private", disk_full)
        run_dir, line = own_failure(runs, plan_dir, capsys)
        assert "step backup: cannot write: No space left on device" in line, line
        with sqlite3.connect(runs / "fleetreg.db") as conn:
            states = {s for (s,) in conn.execute("SELECT state FROM hosts WHERE run_id=?", (run_dir.name,))}
        assert "failed" not in states and "backed-out" not in states, states  # no switch blamed
        monkeypatch.undo()
        assert run_cli("apply", "--resume", run_dir.name, "--runs-dir", str(runs), "--yes") == 0
    assert all(d["unsaved_changes"] is False for d in mock.fleet.dump_state()["devices"].values())


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (RuntimeError("boom\nsecond line"), "fleetreg: error: internal error: RuntimeError: boom second line"),
        (sqlite3.OperationalError("database or disk is full"), "fleetreg: error: journal failed: database or disk"),
        (
            OSError(28, "No space left on device", "runs/x/report.html"),
            "fleetreg: error: runs/x/report.html: No space left",
        ),
    ],
)
def test_an_unexpected_exception_in_a_verb_is_one_line_and_exit_3(
    error: Exception, expected: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Threat: an unexpected exception inside a CLI verb ends in a raw traceback."""

    def fail(*args: object, **kwargs: object) -> None:
        raise error

    monkeypatch.setattr(apply_commands, "regenerate_reports", fail)
    assert main(["report", "some-run"]) == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert err.startswith(expected), err


def test_an_unexpected_exception_never_shows_a_secret_it_quotes(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Threat: a bug's exception text quotes a register line or a password, printed as is."""
    token = "Q29ycG9yYXRlVG9rZW5Gb3JUaGVDcmFzaFRlc3QtMDAwMQ%0A"
    monkeypatch.setenv("FLEETREG_PASSWORD", "Pw-CRASH-5512-onyx")
    monkeypatch.setenv("FLEETREG_TOKEN_CORPORATE", token)

    def fail(*args: object, **kwargs: object) -> None:
        raise RuntimeError(f"sent 'license smart register idtoken {token}' with password Pw-CRASH-5512-onyx")

    monkeypatch.setattr(apply_commands, "regenerate_reports", fail)
    assert main(["report", "some-run"]) == 3
    err = capsys.readouterr().err
    assert token not in err and "Pw-CRASH-5512-onyx" not in err
    assert "idtoken <token>" in err and "password ********" in err


def test_a_shard_process_that_fails_prints_one_line_not_a_traceback(tmp_path: Path) -> None:
    """Threat: a shard process (apply --processes N) dies with a traceback the parent passes on."""
    run_dir = tmp_path / "runs" / "20260101T000000Z-apply"
    run_dir.mkdir(parents=True)  # no plan.json in it: the shard's Session refuses it
    spec = tmp_path / "shard.json"
    spec.write_text(
        json.dumps(
            {
                "options": {"runs_dir": str(tmp_path / "runs")},
                "run_dir": str(run_dir),
                "run_id": run_dir.name,
                "hosts": [],
                "wave": 0,
            }
        )
    )
    done = subprocess.run(
        [sys.executable, "-m", "fleetreg.services.apply_shard", str(spec)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.splitlines() == [f"fleetreg shard: error: {run_dir}/plan.json: plan file not found"]
    assert not spec.exists()
