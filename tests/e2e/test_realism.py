"""Issue 17, item 6: the change window on switches that behave like today's IOS-XE in a vty
session: asynchronous syslog (sessions start with terminal monitor on, link flaps, messages
between output lines without logging synchronous) and long echoed lines scrolled with `$` at
the default width. Both transports (tests/e2e/conftest.py) send terminal no monitor and terminal
width 511 and check the answers, so every switch ends migrated and verified."""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path

import pytest
from fleet_runs import fleet_env, plan_and_apply

from mock_devices.spec import FaultSpec, FleetSpec

pytestmark = pytest.mark.integration


@pytest.mark.parametrize(
    "realism",
    [
        {"syslog": True, "monitor_at_login": True, "syslog_flap_s": 0.5, "no_logging_synchronous": True},
        {"scroll_long_lines": True, "syslog": True, "monitor_at_login": True},
    ],
    ids=["syslog-everywhere", "scrolling-and-syslog"],
)
def test_a_noisy_realistic_fleet_migrates_cleanly(mock_fleet_factory, tmp_path: Path, realism: dict) -> None:
    spec = FleetSpec(count=6, seed=11, faults=[FaultSpec(share=1.0, **realism)])
    mock = mock_fleet_factory(spec=spec)
    with fleet_env(mock):
        code, _plan_dir, apply_dir = plan_and_apply(mock, tmp_path / "runs")
    rows = list(csv.DictReader((apply_dir / "hosts.csv").open()))
    assert code == 0, [(r["host"], r["outcome"], r["outcome_reason"]) for r in rows]
    assert {r["outcome"] for r in rows} <= {"migrated", "already-migrated"}
    state = mock.fleet.dump_state()["devices"]
    assert all(not d["unsaved_changes"] for d in state.values())
    # no step needed a second try: nothing the switches printed unasked was taken for an answer
    with sqlite3.connect(tmp_path / "runs" / "fleetreg.db") as db:
        steps = db.execute("SELECT host, step, status FROM steps WHERE run_id=?", (apply_dir.name,)).fetchall()
    assert steps and [s for s in steps if s[2] != "done"] == []
