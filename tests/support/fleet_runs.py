"""Helpers for integration tests that run fleetreg against a mock fleet over real SSH."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml
from fleetreg.cli.main import main

from mock_devices.testing import MockFleet


@contextmanager
def fleet_env(mock: MockFleet) -> Iterator[dict[str, str]]:
    """The fleet's credentials and tokens in os.environ for the duration (as fleet.env does)."""
    saved = {k: os.environ.get(k) for k in mock.env}
    os.environ.update(mock.env)
    try:
        yield dict(mock.env)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def run_cli(*args: str) -> int:
    return main(list(args))


def latest_run(runs: Path, kind: str) -> Path:
    return sorted(p for p in runs.iterdir() if p.name.endswith(f"-{kind}"))[-1]


def plan_and_apply(
    mock: MockFleet, runs: Path, *plan_args: str, apply_args: tuple[str, ...] = ()
) -> tuple[int, Path, Path]:
    assert run_cli("plan", "--inventory", str(mock.inventory_dir), "--runs-dir", str(runs), *plan_args) == 0
    plan_dir = latest_run(runs, "plan")
    code = run_cli("apply", str(plan_dir), "--runs-dir", str(runs), "--yes", *apply_args)
    return code, plan_dir, latest_run(runs, "apply")


def load_plan_json(plan_dir: Path) -> dict[str, Any]:
    return json.loads((plan_dir / "plan.json").read_text())


def configs(mock: MockFleet) -> Mapping[str, tuple[str, str]]:
    state = mock.fleet.dump_state()["devices"]
    return {name: (d["running_config"], d["startup_config"]) for name, d in state.items()}


def files_containing(root: Path, secrets: list[str]) -> list[str]:
    """Every file under root (any type, incl. SQLite journals and session logs) holding a secret."""
    hits = []
    for path in root.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            hits += [f"{path}: {s[:3]}…" for s in secrets if s.encode() in data]
    return hits


def wait_for_step(db: Path, step: str, proc: subprocess.Popen[Any], timeout: float = 60) -> None:
    """Until a host of the run `proc` drives has started `step` (read from its journal)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"fleetreg ended (rc {proc.returncode}) before any host reached {step}"
        if db.exists():
            try:
                with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
                    row = conn.execute("SELECT 1 FROM steps WHERE step=? AND status='started'", (step,)).fetchone()
            except sqlite3.OperationalError:
                row = None
            if row:
                return
        time.sleep(0.01)
    raise AssertionError(f"no host reached {step} in {timeout}s")


def kill_9_at(proc: subprocess.Popen[Any], db: Path, step: str) -> None:
    """kill -9 the fleetreg process `proc` as soon as a host of its run has started `step`."""
    try:
        wait_for_step(db, step, proc)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL


def plan_fleet(mock: MockFleet, runs: Path, *args: str) -> tuple[Path, dict[str, Any]]:
    """`fleetreg plan` of the whole fleet, no canary wave: its folder and plan.json."""
    assert run_cli("plan", "--inventory", str(mock.inventory_dir), "--runs-dir", str(runs), "--canary", "0", *args) == 0
    plan_dir = latest_run(runs, "plan")
    return plan_dir, load_plan_json(plan_dir)


def assert_migrated_once(mock: MockFleet, plan: Mapping[str, Any]) -> None:
    """Every switch saved, each registered once on the satellite, call-home ones in their planned VA."""
    state = mock.fleet.dump_state()
    serials = Counter(p["serial"] for p in state["satellite"]["product_instances"])
    assert max(serials.values()) == 1, "double registration on the satellite"
    planned = {h["name"]: h for h in plan["hosts"]}
    for name, device in state["devices"].items():
        assert device["unsaved_changes"] is False, f"{name} left with unsaved changes"
        lic = device["licensing"]
        if planned[name]["mode"] == "callhome":
            assert (lic["status"], lic["authorization"], lic["virtual_account"]) == (
                "REGISTERED",
                "AUTHORIZED",
                planned[name]["virtual_account"],
            ), name


def set_host_setting(mock: MockFleet, host: str, **settings: Any) -> None:
    """Edit the mock's inventory as an operator would: `data.fleetreg` of one host."""
    hosts_file = mock.inventory_dir / "hosts.yaml"
    hosts = yaml.safe_load(hosts_file.read_text())
    hosts[host].setdefault("data", {}).setdefault("fleetreg", {}).update(settings)
    hosts_file.write_text(yaml.safe_dump(hosts, sort_keys=False))


def set_default_setting(mock: MockFleet, **settings: Any) -> None:
    """Edit the mock's inventory as an operator would: `data.fleetreg` of defaults.yaml."""
    defaults_file = mock.inventory_dir / "defaults.yaml"
    document = yaml.safe_load(defaults_file.read_text())
    document["data"]["fleetreg"].update(settings)
    defaults_file.write_text(yaml.safe_dump(document, sort_keys=False))


def quick_fleet(factory: Any, count: int, *, faults: tuple[Any, ...] = (), cloud_only: bool = True) -> MockFleet:
    """A small fleet that registers fast (0.2-0.4 s, polled every 0.2 s), classic switches
    registered to the cloud unless `cloud_only` is False; `faults`: mock FaultSpecs."""
    from mock_devices.spec import FleetSpec, MixSpec

    mix = MixSpec.model_validate({"states": {"cloud": 1.0}}) if cloud_only else MixSpec()
    mock: MockFleet = factory(spec=FleetSpec(count=count, register_seconds=(0.2, 0.4), mix=mix, faults=list(faults)))
    set_default_setting(mock, poll_interval_s=0.2)
    return mock


def journal_states(runs: Path, run_id: str) -> dict[str, str]:
    with sqlite3.connect(runs / "fleetreg.db") as db:
        return dict(db.execute("SELECT host, state FROM hosts WHERE run_id=?", (run_id,)).fetchall())


def run_status(runs: Path, run_id: str) -> str:
    with sqlite3.connect(runs / "fleetreg.db") as db:
        return str(db.execute("SELECT status FROM runs WHERE run_id=?", (run_id,)).fetchone()[0])
