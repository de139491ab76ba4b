"""apply end to end: real SSH to the mock fleet (asyncssh, and Netmiko in one test), real TextFSM, real SQLite."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import pytest
from fleet_runs import configs, files_containing, fleet_env, latest_run, load_plan_json, plan_and_apply, run_cli

pytestmark = pytest.mark.integration


def test_mixed_fleet_migrates_and_satellite_agrees(mock_fleet_factory, tmp_path: Path, capsys) -> None:
    mock = mock_fleet_factory(16)
    runs = tmp_path / "runs"
    with fleet_env(mock) as env:
        code, plan_dir, apply_dir = plan_and_apply(mock, runs)
        plan = load_plan_json(plan_dir)
        assert code == 0
        planned = {h["name"]: h for h in plan["hosts"]}
        modes = Counter(h["mode"] for h in plan["hosts"])
        assert modes["callhome"] and modes["cslu"], modes  # the default mix has both kinds

        state = mock.fleet.dump_state()
        satellite = state["satellite"]
        instances = Counter(p["serial"] for p in satellite["product_instances"])
        for name, device in state["devices"].items():
            lic = device["licensing"]
            if planned[name]["mode"] == "callhome":
                assert (lic["status"], lic["authorization"]) == ("REGISTERED", "AUTHORIZED"), name
                assert lic["virtual_account"] == planned[name]["virtual_account"], name
                pi = [p for p in satellite["product_instances"] if p["serial"] == device["serial"]]
                assert [p["virtual_account"] for p in pi] == [planned[name]["virtual_account"]], name
            assert device["unsaved_changes"] is False, f"{name}: change not saved"
        assert max(instances.values()) == 1, "a switch is registered twice on the satellite"

        rows = list(csv.DictReader((apply_dir / "hosts.csv").open()))
        assert Counter(r["outcome"] for r in rows) == Counter(
            "already-migrated" if h["classification"] == "already-migrated" else "migrated" for h in plan["hosts"]
        )

        # idempotent: the next plan finds nothing to do
        assert run_cli("plan", "--inventory", str(mock.inventory_dir), "--runs-dir", str(runs)) == 0
        replan = load_plan_json(latest_run(runs, "plan"))
        assert Counter(h["classification"] for h in replan["hosts"]) == {"already-migrated": 16}

        secrets = [v for k, v in env.items() if "TOKEN" in k or "PASSWORD" in k or "SECRET" in k]
        assert files_containing(runs, secrets) == []
        printed = capsys.readouterr()
        assert not any(s in printed.out + printed.err for s in secrets)


def test_discover_and_plan_change_nothing_on_the_switches(mock_fleet_factory, tmp_path: Path) -> None:
    mock = mock_fleet_factory(6)
    before = configs(mock)
    with fleet_env(mock):
        assert run_cli("discover", "--inventory", str(mock.inventory_dir), "--runs-dir", str(tmp_path)) == 0
        assert run_cli("plan", "--inventory", str(mock.inventory_dir), "--runs-dir", str(tmp_path)) == 0
    assert configs(mock) == before
    facts = json.loads((latest_run(tmp_path, "discover") / "facts.json").read_text())
    assert set(facts) == set(before) and all(v["ok"] for v in facts.values())


def test_run_folder_and_journal_are_owner_only(mock_fleet_factory, tmp_path: Path) -> None:
    mock = mock_fleet_factory(3)
    runs = tmp_path / "runs"
    with fleet_env(mock):
        code, plan_dir, apply_dir = plan_and_apply(mock, runs)
    assert code == 0
    for path in [runs, plan_dir, apply_dir, runs / "fleetreg.db", *apply_dir.rglob("*")]:
        mode = path.stat().st_mode & 0o777
        assert mode & 0o077 == 0, f"{path} is {oct(mode)}"


def test_verify_reports_each_host_after_apply_and_catches_a_change(mock_fleet_factory, tmp_path: Path, capsys) -> None:
    mock = mock_fleet_factory(5)
    runs = tmp_path / "runs"
    with fleet_env(mock):
        code, plan_dir, apply_dir = plan_and_apply(mock, runs)
        assert code == 0
        capsys.readouterr()
        assert run_cli("verify", apply_dir.name, "--runs-dir", str(runs)) == 0
        assert "5 ok, 0 failing" in capsys.readouterr().out
        # someone re-enables CiscoTAC-1 by hand on a classic switch: verify catches it
        plan = load_plan_json(plan_dir)
        victim = next(h["name"] for h in plan["hosts"] if h["mode"] == "callhome")

        def reactivate_tac() -> None:  # on the mock's own thread, as a console user would
            session = mock.fleet.device(victim).open_session()
            for line in ("enable", "configure terminal", "call-home", 'profile "CiscoTAC-1"', "active", "end"):
                session.handle_line(line)

        mock.call(reactivate_tac)
        assert run_cli("verify", apply_dir.name, "--runs-dir", str(runs)) == 1
        out = capsys.readouterr().out
        assert "4 ok, 1 failing" in out and victim in out


def test_apply_split_over_two_processes_migrates_every_switch_once(mock_fleet_factory, tmp_path: Path) -> None:
    mock = mock_fleet_factory(12)
    runs = tmp_path / "runs"
    with fleet_env(mock):
        code, plan_dir, apply_dir = plan_and_apply(mock, runs, "--canary", "2", apply_args=("--processes", "2"))
    assert code == 0
    plan = load_plan_json(plan_dir)
    rows = list(csv.DictReader((apply_dir / "hosts.csv").open()))
    assert Counter(r["outcome"] for r in rows) == Counter(
        "already-migrated" if h["classification"] == "already-migrated" else "migrated" for h in plan["hosts"]
    )
    state = mock.fleet.dump_state()
    serials = Counter(p["serial"] for p in state["satellite"]["product_instances"])
    assert max(serials.values()) == 1
    assert not list(apply_dir.glob("shard-*.json"))  # shard specs are removed by the shards
    assert list((apply_dir / "session-logs").glob("*.log"))


def test_plan_from_an_earlier_discover_run_touches_no_switch(mock_fleet_factory, tmp_path: Path, capsys) -> None:
    mock = mock_fleet_factory(4)
    runs = tmp_path / "runs"
    with fleet_env(mock):
        assert run_cli("discover", "--inventory", str(mock.inventory_dir), "--runs-dir", str(runs)) == 0
        discover_run = latest_run(runs, "discover")
        direct = run_cli("plan", "--inventory", str(mock.inventory_dir), "--runs-dir", str(runs))
        assert direct == 0
        planned_live = load_plan_json(latest_run(runs, "plan"))
        logins_before = sum(d.sessions_opened for d in mock.fleet.devices)
        assert (
            run_cli(
                "plan", "--inventory", str(mock.inventory_dir), "--runs-dir", str(runs), "--from", discover_run.name
            )
            == 0
        )
        from_run = load_plan_json(latest_run(runs, "plan"))
        assert sum(d.sessions_opened for d in mock.fleet.devices) == logins_before  # no switch was asked
        capsys.readouterr()
        assert (
            run_cli("plan", "--inventory", str(mock.inventory_dir), "--runs-dir", str(runs), "--from", "no-such-run")
            == 2
        )
        assert "unknown run 'no-such-run'" in capsys.readouterr().err
    assert [(h["name"], h["classification"], h["fingerprint"]) for h in from_run["hosts"]] == [
        (h["name"], h["classification"], h["fingerprint"]) for h in planned_live["hosts"]
    ]
    assert from_run["discover_run"] == discover_run.name


def test_a_switch_changed_after_the_plan_is_skipped_as_drifted(mock_fleet_factory, tmp_path: Path) -> None:
    mock = mock_fleet_factory(4)
    runs = tmp_path / "runs"
    with fleet_env(mock):
        assert run_cli("plan", "--inventory", str(mock.inventory_dir), "--runs-dir", str(runs), "--canary", "0") == 0
        plan_dir = latest_run(runs, "plan")
        plan = load_plan_json(plan_dir)
        victim = next(
            h["name"] for h in plan["hosts"] if h["mode"] == "callhome" and h["pre"]["registered_to"] == "cloud"
        )

        def deregister_by_hand() -> str:  # someone works on the switch between plan and window
            mock.fleet.device(victim).deregister()
            return mock.fleet.device(victim).running_config_text()

        before = mock.call(deregister_by_hand)
        code = run_cli("apply", str(plan_dir), "--runs-dir", str(runs), "--yes")
    assert code == 1
    rows = {r["host"]: r for r in csv.DictReader((latest_run(runs, "apply") / "hosts.csv").open())}
    assert rows[victim]["outcome"] == "drifted" and rows[victim]["failed_step"] == "precheck"
    assert rows[victim]["outcome_reason"].startswith("changed since the plan: registration_status: 'REGISTERED' ->")
    assert {r["outcome"] for h, r in rows.items() if h != victim} <= {"migrated", "already-migrated"}
    assert mock.call(lambda: mock.fleet.device(victim).running_config_text()) == before  # untouched


def test_every_switch_ends_as_planned_with_session_logs_that_hold_no_secret(mock_fleet_factory, tmp_path: Path) -> None:
    """Plan and apply on the transport of this run (both are: tests/e2e/conftest.py), with
    session logs that hold no secret."""
    mock = mock_fleet_factory(6)
    runs = tmp_path / "runs"
    with fleet_env(mock) as env:
        code, plan_dir, apply_dir = plan_and_apply(mock, runs)
    assert code == 0
    plan = load_plan_json(plan_dir)
    rows = list(csv.DictReader((apply_dir / "hosts.csv").open()))
    assert Counter(r["outcome"] for r in rows) == Counter(
        "already-migrated" if h["classification"] == "already-migrated" else "migrated" for h in plan["hosts"]
    )
    assert any((apply_dir / "session-logs").iterdir())
    secrets = [v for k, v in env.items() if "TOKEN" in k or "PASSWORD" in k or "SECRET" in k]
    assert files_containing(runs, secrets) == []
