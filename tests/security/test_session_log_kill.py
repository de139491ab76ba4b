"""Threat: session logs lose their tail on kill -9 (buffered, never flushed): the record of
what was typed on a switch just before the orchestrator died is gone. Every complete line a
switch prints is in the file as soon as it is read."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from fleet_runs import fleet_env, kill_9_at, latest_run, run_cli

pytestmark = pytest.mark.integration
APPLY = (sys.executable, "-m", "fleetreg.cli.main", "apply")


@pytest.mark.parametrize("transport", ["asyncssh", "netmiko"])
def test_a_session_log_keeps_its_last_lines_when_apply_is_killed(
    mock_fleet_factory, tmp_path: Path, transport: str
) -> None:
    """Threat: session logs lose their tail on kill -9 (SIGKILL once a host waits for its
    registration: the register line and the switch's answer to it were read before)."""
    mock = mock_fleet_factory(4, register_seconds=(60.0, 60.0))
    runs = tmp_path / "runs"
    with fleet_env(mock) as env:
        assert run_cli("plan", "--inventory", str(mock.inventory_dir), "--runs-dir", str(runs), "--canary", "0") == 0
        plan_dir = latest_run(runs, "plan")
        proc = subprocess.Popen(
            [*APPLY, str(plan_dir), "--runs-dir", str(runs), "--yes", "--transport", transport],
            env={**os.environ, **env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        # a host in wait_registered: its register command was typed and its answer read
        kill_9_at(proc, runs / "fleetreg.db", "wait_registered")
    logs = [p.read_bytes().decode() for p in (latest_run(runs, "apply") / "session-logs").iterdir()]
    registering = [text for text in logs if "license smart register idtoken ********" in text]
    assert registering, "no session log holds the register command typed before the kill"
    for text in registering:
        after = text.split("license smart register idtoken ********", 1)[1]
        assert "Registration process is in progress" in after, "the answer read before the kill is missing"
