"""The operator's guards through a pseudo-terminal, as a person types them (issue 18, item 1):
apply asks for the plan's short id before it touches anything, and `--confirm-waves` shows how
the last wave went and takes only an explicit answer (Enter alone is not yes)."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pexpect
import pytest
from fleet_runs import configs, fleet_env, journal_states, latest_run, plan_fleet, quick_fleet, run_cli, run_status

pytestmark = pytest.mark.integration

SHORT_ID = re.compile(r"Type the plan's short id \(([0-9a-f]{8})\) to (?:start the migration|back them out)")


def spawn(env: dict[str, str], *args: str) -> pexpect.spawn:
    child = pexpect.spawn(
        sys.executable,
        ["-m", "fleetreg.cli.main", *args],
        env={**os.environ, **env, "COLUMNS": "160", "TERM": "dumb"},
        encoding="utf-8",
        timeout=90,
        dimensions=(50, 160),
        use_poll=True,  # select() fails on a descriptor above 1024, which a long test session reaches
    )
    return child


def finished(child: pexpect.spawn) -> int:
    child.expect(pexpect.EOF)
    child.close()
    return int(child.exitstatus if child.exitstatus is not None else -1)


def test_apply_asks_for_the_short_id_and_a_wrong_answer_touches_nothing(mock_fleet_factory, tmp_path: Path) -> None:
    mock = quick_fleet(mock_fleet_factory, 3)
    runs = tmp_path / "runs"
    before = configs(mock)
    with fleet_env(mock) as env:
        plan_dir, _ = plan_fleet(mock, runs)
        child = spawn(env, "apply", str(plan_dir))
        child.expect(r"Will migrate 3 switches in \d+ waves")
        child.expect(SHORT_ID)
        child.sendline("yes")  # a reflex, not the plan's id
        assert finished(child) == 2
        assert "not confirmed (typed 'yes', not the plan's short id" in (child.before or "")
    assert configs(mock) == before
    assert not [p for p in runs.iterdir() if p.name.endswith("-apply")]


def test_the_wave_gate_shows_the_last_wave_and_takes_only_an_explicit_answer(
    mock_fleet_factory, tmp_path: Path
) -> None:
    mock = quick_fleet(mock_fleet_factory, 5)  # 3 flagged canaries (one per site), then one switch per wave
    runs = tmp_path / "runs"
    with fleet_env(mock) as env:
        plan_dir, plan = plan_fleet(mock, runs, "--canary", "1", "--wave-size", "1")
        assert [w["name"] for w in plan["waves"]] == ["canary", "wave 1", "wave 2"]
        child = spawn(env, "apply", str(plan_dir), "--confirm-waves")
        child.expect(SHORT_ID)
        child.sendline(child.match.group(1))
        child.expect(r"canary: 3 migrated in [\d.]+s")  # how the last wave went
        child.expect(r"Next: wave 1, 1 switches, about")
        child.expect(r"Start wave 1\? Type yes \(or continue\), or stop \(resumable\): ")
        child.sendline("")  # Enter alone
        child.expect(r"Enter alone is not an answer")
        child.expect(r"Start wave 1\?")
        child.sendline("maybe")
        child.expect(r"Start wave 1\?")
        child.sendline("yes")
        child.expect(r"wave 1: 1 migrated in")
        child.expect(r"Start wave 2\?")
        child.sendline("stop")
        assert finished(child) == 4
        run_id = latest_run(runs, "apply").name
        assert f"Resume with: fleetreg apply --resume {run_id}" in (child.before or "")
        states = journal_states(runs, run_id)
        wave_2 = plan["waves"][2]["hosts"]
        assert {states[h] for h in wave_2} == {"pending"} and run_status(runs, run_id) == "stopped"
        assert list(states.values()).count("migrated") == 4
        assert run_cli("apply", "--resume", run_id, "--runs-dir", str(runs), "--yes") == 0
    assert set(journal_states(runs, run_id).values()) == {"migrated"}


def test_backout_asks_for_the_short_id_too(mock_fleet_factory, tmp_path: Path) -> None:
    mock = quick_fleet(mock_fleet_factory, 3)
    runs = tmp_path / "runs"
    with fleet_env(mock) as env:
        plan_dir, _ = plan_fleet(mock, runs)
        assert run_cli("apply", str(plan_dir), "--yes") == 0
        run_dir = latest_run(runs, "apply")
        child = spawn(env, "backout", str(run_dir), "--hosts", "ams-*")
        child.expect(
            r"Will back out 1 switches: restore the captured call-home block, deregistering 1 first: ams-sw001"
        )
        child.expect(SHORT_ID)
        child.sendline(child.match.group(1))
        assert finished(child) == 0
    assert journal_states(runs, run_dir.name)["ams-sw001"] == "backed-out"
