"""The lease rules (orchestrator.lease) against a real SQLite journal and real flock, with other
holders written into the journal as another process would have (a live pid, a dead one)."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fleetreg.core.errors import LeaseHeldError
from fleetreg.shell.journal import Journal
from fleetreg.shell.lease import LOCK_FILE, Leases, plan_key, run_key


@pytest.fixture
def journal(tmp_path: Path) -> Journal:
    j = Journal(tmp_path / "runs" / "fleetreg.db")
    yield j
    j.close()


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def hold(journal: Journal, key: str, pid: int, run_id: str | None, host: str | None = None) -> None:
    with sqlite3.connect(journal.path) as conn:
        conn.execute(
            "INSERT INTO leases VALUES (?,?,?,?,?,?)",
            (key, pid, host or socket.gethostname(), run_id, "apply", time.time()),
        )


def start_run(journal: Journal, tmp_path: Path, run_id: str, status: str = "running") -> Path:
    run_dir = tmp_path / "runs" / run_id
    run_dir.mkdir()
    journal.start_run(run_id, "apply", "P1", run_dir, {"sw1": 0}, {})
    journal.set_run_status(run_id, status)
    return run_dir


def test_take_and_release(journal: Journal, tmp_path: Path) -> None:
    leases = Leases(journal, "apply")
    leases.lock(tmp_path / LOCK_FILE, plan_key("P1"))
    leases.take({plan_key("P1"): None})
    lease = journal.lease(plan_key("P1"))
    assert lease is not None and lease.holder_pid == os.getpid() and lease.command == "apply"
    leases.release()
    assert journal.lease(plan_key("P1")) is None


def test_a_live_holder_is_named_and_nothing_is_taken(journal: Journal) -> None:
    parent = os.getppid()  # alive for the whole test
    hold(journal, plan_key("P1"), parent, "R1")
    with pytest.raises(LeaseHeldError) as caught:
        Leases(journal, "apply").take({plan_key("P1"): None, run_key("R2"): "R2"})
    assert caught.value.exit_code == 2
    assert f"plan P1 is in use by pid {parent} on {socket.gethostname()} (fleetreg apply, run R1, since " in str(
        caught.value
    )
    assert journal.lease(run_key("R2")) is None  # all or none


def test_a_holder_on_another_machine_counts_as_alive(journal: Journal) -> None:
    hold(journal, plan_key("P1"), dead_pid(), None, host="elsewhere.example")
    with pytest.raises(LeaseHeldError, match=r"on elsewhere\.example"):
        Leases(journal, "apply").take({plan_key("P1"): None})


def test_the_os_lock_of_a_run_refuses_a_second_process_at_once(journal: Journal, tmp_path: Path) -> None:
    run_dir = start_run(journal, tmp_path, "R1")
    holder = Leases(journal, "apply")
    holder.lock(run_dir / LOCK_FILE, run_key("R1"))  # another open file description: as another process
    holder.take({run_key("R1"): "R1"})
    try:
        with pytest.raises(LeaseHeldError, match=f"run R1 is in use by pid {os.getpid()} "):
            Leases(journal, "apply --resume").lock(run_dir / LOCK_FILE, run_key("R1"))
    finally:
        holder.release()


def test_a_dead_holders_unfinished_run_points_a_fresh_apply_to_resume(journal: Journal, tmp_path: Path) -> None:
    start_run(journal, tmp_path, "R1")
    pid = dead_pid()
    hold(journal, plan_key("P1"), pid, "R1")
    hold(journal, run_key("R1"), pid, "R1")
    with pytest.raises(LeaseHeldError, match=r"finish it first: fleetreg apply --resume R1$"):
        Leases(journal, "apply").take({plan_key("P1"): None})
    # ... while --resume of that run takes both over
    resume = Leases(journal, "apply --resume")
    resume.take({run_key("R1"): "R1", plan_key("P1"): "R1"}, resuming="R1")
    assert {journal.lease(k).holder_pid for k in (plan_key("P1"), run_key("R1"))} == {os.getpid()}  # type: ignore[union-attr]
    resume.release()


def test_a_dead_holder_whose_run_ended_is_taken_over(journal: Journal, tmp_path: Path) -> None:
    start_run(journal, tmp_path, "R1", status="finished")
    hold(journal, plan_key("P1"), dead_pid(), "R1")
    Leases(journal, "apply").take({plan_key("P1"): None})
    assert journal.lease(plan_key("P1")).holder_pid == os.getpid()  # type: ignore[union-attr]


def test_resuming_another_run_of_a_plan_in_use_is_refused(journal: Journal, tmp_path: Path) -> None:
    start_run(journal, tmp_path, "R2")
    hold(journal, plan_key("P1"), os.getppid(), "R2")
    with pytest.raises(LeaseHeldError, match="plan P1 is in use by pid"):
        Leases(journal, "apply --resume").take({run_key("R1"): "R1", plan_key("P1"): "R1"}, resuming="R1")


def test_a_reused_pid_does_not_keep_a_dead_runs_lease_alive(journal: Journal, tmp_path: Path) -> None:
    """The holder of run R1 died; its pid now belongs to another process (here: our parent).
    R1's lock file is free, so the lease is stale: a fresh apply is pointed to --resume R1."""
    run_dir = start_run(journal, tmp_path, "R1")
    (run_dir / LOCK_FILE).touch()
    hold(journal, plan_key("P1"), os.getppid(), "R1")
    with pytest.raises(LeaseHeldError, match=r"left unfinished by pid \d+ .*fleetreg apply --resume R1$"):
        Leases(journal, "apply").take({plan_key("P1"): None})
