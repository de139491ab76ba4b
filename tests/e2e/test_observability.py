"""Run from a scheduler (issue 18, item 2): without a terminal, one plain line per host event and
per wave on stdout; `--log-file --log-format json`, one event per line; `--json`, one document
on stdout for every verb that prints a result. Read through pipes, as AWX or Jenkins would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from fleet_runs import fleet_env, latest_run, quick_fleet

from mock_devices.spec import FaultSpec

pytestmark = pytest.mark.integration


def fleetreg(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "fleetreg.cli.main", *args],
        env={**os.environ, **env},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=180,
    )


def document(result: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    parsed: dict[str, Any] = json.loads(result.stdout)  # the whole of stdout is one JSON document
    return parsed


def test_without_a_terminal_each_host_and_wave_is_one_line_and_the_log_file_has_every_event(
    mock_fleet_factory, tmp_path: Path
) -> None:
    faulty = "lon-sw002"
    mock = quick_fleet(
        mock_fleet_factory, 4, faults=(FaultSpec(switches=[faulty], registration_failure="Fail to send."),)
    )
    runs, log = tmp_path / "runs", tmp_path / "fleetreg.jsonl"
    with fleet_env(mock) as env:
        plan = fleetreg(
            env, "plan", "--inventory", str(mock.inventory_dir), "--runs-dir", str(runs), "--max-failures", "100%"
        )
        assert plan.returncode == 0, plan.stderr
        assert "discover ams-sw001: ok" in plan.stdout and "\x1b[" not in plan.stdout + plan.stderr
        plan_dir = latest_run(runs, "plan")
        applied = fleetreg(env, "apply", str(plan_dir), "--yes", "--log-file", str(log), "--log-format", "json")
    assert applied.returncode == 1, applied.stdout + applied.stderr  # the faulty switch is backed out
    lines = applied.stdout.splitlines()
    run_id = latest_run(runs, "apply").name
    # the mock flags the first switch of each site a canary: ams-sw001, lon-sw002, nyc-sw003; then ams-sw004
    assert any(f"run {run_id}: apply of 4 switches in 2 waves; plan {plan_dir.name}" in line for line in lines)
    assert any("canary: started, 3 switches, about" in line for line in lines)
    assert sum(" canary ams-sw001: migrated (" in line for line in lines) == 1
    assert any(
        f"canary {faulty}: backed-out at wait_registered (" in line and "Fail to send." in line for line in lines
    )
    assert any("canary: finished in" in line and "1 backed-out, 2 migrated" in line for line in lines)
    assert any("wave 1 ams-sw004: migrated (" in line for line in lines)
    assert any(f"run {run_id}: finished in" in line and "exit code 1" in line for line in lines)
    assert not any("precheck done" in line for line in lines), "steps belong to the log file"

    events = [json.loads(line) for line in log.read_text().splitlines()]
    keys = {"timestamp", "event", "run", "wave", "host", "step", "outcome", "duration", "message", "level"}
    assert all(set(e) == keys and e["run"] == run_id for e in events)
    steps = [e for e in events if e["event"] == "step" and e["host"] == "ams-sw001"]
    assert [e["step"] for e in steps][:3] == ["precheck", "backup", "install_ca"]
    assert all(e["outcome"] == "done" and e["duration"] >= 0 for e in steps)
    host = next(e for e in events if e["event"] == "host" and e["host"] == faulty)
    assert (host["wave"], host["outcome"], host["step"]) == ("canary", "backed-out", "wait_registered")
    assert [(e["event"], e["wave"]) for e in events if e["host"] is None] == [
        ("run-started", None),
        ("wave-started", "canary"),
        ("wave-finished", "canary"),
        ("wave-started", "wave 1"),
        ("wave-finished", "wave 1"),
        ("run-finished", None),
    ]
    secrets = [v for k, v in env.items() if any(w in k for w in ("TOKEN", "PASSWORD", "SECRET"))]
    text = log.read_text() + applied.stdout + applied.stderr
    assert secrets and not [s for s in secrets if s in text]


def test_every_verb_that_prints_a_result_prints_one_json_document(mock_fleet_factory, tmp_path: Path) -> None:
    mock = quick_fleet(mock_fleet_factory, 3)
    runs = tmp_path / "runs"
    inventory = str(mock.inventory_dir)
    with fleet_env(mock) as env:
        check = document(fleetreg(env, "inventory", "check", "--inventory", inventory, "--json"))
        assert check["valid"] is True and check["hosts"] == 3
        show = document(fleetreg(env, "inventory", "show", "--inventory", inventory, "ams-sw001", "--json"))
        assert show["host"] == "ams-sw001" and "token_ref" in show["fleetreg"]

        discovered = document(fleetreg(env, "discover", "--inventory", inventory, "--runs-dir", str(runs), "--json"))
        assert discovered["discovered"] == 3 and {h["registered_to"] for h in discovered["hosts"]} == {"cloud"}

        planned = fleetreg(env, "plan", "--inventory", inventory, "--runs-dir", str(runs), "--json")
        plan = document(planned)
        assert plan["exit_code"] == 0 and plan["counts"] == {"to-migrate": 3}
        assert plan["short_id"] == plan["plan_sha256"][:8] and all(w["estimate_s"] > 0 for w in plan["waves"])
        assert "Plan written" in planned.stderr  # what people read moves to stderr

        applied = fleetreg(env, "apply", plan["plan_dir"], "--yes", "--json")
        result = document(applied)
        assert (applied.returncode, result["exit_code"], result["status"]) == (0, 0, "finished")
        assert result["counts"] == {"migrated": 3} and result["plan_id"] == plan["plan_id"]
        assert all(h["duration_s"] > 0 for h in result["hosts"])

        verified = document(fleetreg(env, "verify", result["run_dir"], "--json"))
        assert verified["ok"] == 3 and verified["failing"] == 0

        report = document(fleetreg(env, "report", result["run_dir"], "--json"))
        assert report["counts"] == {"migrated": 3}

        backed = document(fleetreg(env, "backout", result["run_dir"], "--yes", "--json", "--hosts", "nyc-*"))
        assert backed["counts"] == {"backed-out": 1} and backed["exit_code"] == 0

        error = fleetreg(env, "apply", str(tmp_path / "no-plan"), "--yes", "--json")
        assert error.returncode == 2 and document(error)["error"]["message"].endswith("plan file not found")

        bad = tmp_path / "bad-inventory"
        bad.mkdir()
        (bad / "hosts.yaml").write_text("sw1:\n  port: 99999\n")
        invalid = fleetreg(env, "inventory", "check", "--inventory", str(bad), "--json")
        problems = document(invalid)
        assert invalid.returncode == 2 and problems["valid"] is False
        assert any(p["field"] == "port" for p in problems["problems"])
