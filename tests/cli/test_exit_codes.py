"""The exit code table (issue 18, item 3): one table in fleetreg.core.exit_codes, shown in the
README and `fleetreg --help`; the most specific reason wins."""

from __future__ import annotations

from pathlib import Path

import pytest
from fleetreg.cli import main as cli_main
from fleetreg.core.exit_codes import MEANINGS, ExitCode, plan_exit_code, run_exit_code

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("where", ["README.md", "cli/main.py"])
def test_the_table_is_the_same_everywhere_it_is_shown(where: str) -> None:
    text = (REPO / "README.md").read_text() if where == "README.md" else cli_main.__doc__ or ""
    for code, meaning in MEANINGS.items():
        assert f"| {code} | {meaning} |" in text, (where, code)
    assert {int(c) for c in ExitCode} == set(MEANINGS)


def test_the_most_specific_reason_wins() -> None:
    outcomes = ["migrated", "failed", "not-run"]
    assert run_exit_code(outcomes, interrupted=True, stopped=True, halted=True) == 130
    assert run_exit_code(outcomes, stopped=True, halted=True) == 4
    assert run_exit_code(outcomes, halted=True) == 5
    assert run_exit_code(outcomes) == 1
    assert run_exit_code(["migrated", "already-migrated", "skipped"]) == 0
    assert run_exit_code(["migrated", "drifted"]) == 1
    assert run_exit_code(["migrated", "pending-ack"]) == 7
    assert run_exit_code(["pending-ack", "failed"]) == 1


def test_nothing_to_do_is_a_plan_whose_every_switch_to_act_on_is_blocked() -> None:
    assert plan_exit_code(["blocked", "blocked"]) == 6
    assert plan_exit_code(["blocked", "already-migrated"]) == 6
    assert plan_exit_code(["blocked", "to-migrate"]) == 0
    assert plan_exit_code(["already-migrated"]) == 0


def test_fleetreg_help_ends_with_the_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main.main(["--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    for code, meaning in MEANINGS.items():
        assert f"{code} {meaning}" in text, code
