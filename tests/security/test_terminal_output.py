"""Threat: a switch's own words (an error line it printed) are taken as terminal markup: a `[/]`
ends fleetreg with an error after the run, a `[bold red]...` dresses up the summary."""

from __future__ import annotations

from pathlib import Path

import pytest

from orchestrator.apply import ApplyResult
from orchestrator.commands.apply import print_result
from orchestrator.report import HostOutcome

SWITCH_TEXT = "% Invalid input [/] [bold green]MIGRATED OK[/]"


def test_what_a_switch_printed_is_shown_as_written(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    outcome = HostOutcome(outcome="failed", failed_step="configure", reason=SWITCH_TEXT)
    print_result(ApplyResult(tmp_path / "run-1", {"sw1": outcome}))
    assert f"sw1: failed at configure: {SWITCH_TEXT}" in capsys.readouterr().out
