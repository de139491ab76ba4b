"""Threat: a switch's own words (an error line it printed), or a name from the satellite's API,
are taken as terminal markup: a `[/]` ends fleetreg with an error after the run (or before its
table), a `[bold green]...` dresses up the summary."""

from __future__ import annotations

from pathlib import Path

import pytest
from fleetreg.cli.apply import print_result
from fleetreg.cli.satellite import status_tables
from fleetreg.cli.verify import verdict_table
from fleetreg.core.host_outcome import HostOutcome
from fleetreg.services.apply import ApplyResult
from fleetreg.services.satellite import SatelliteStatus, VirtualAccountStatus
from fleetreg.services.verify import Verdict
from rich.console import Console

SWITCH_TEXT = "% Invalid input [/] [bold green]MIGRATED OK[/]"


def test_what_a_switch_printed_is_shown_as_written(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    outcome = HostOutcome(outcome="failed", failed_step="configure", reason=SWITCH_TEXT)
    print_result(ApplyResult(tmp_path / "run-1", {"sw1": outcome}))
    assert f"sw1: failed at configure: {SWITCH_TEXT}" in capsys.readouterr().out


def printed(*renderables: object) -> str:
    console = Console(width=400, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    for renderable in renderables:
        console.print(renderable)
    return console.export_text()


def test_verify_shows_what_the_switch_said_as_written() -> None:
    verdict = Verdict("sw1", ok=False, problems=(SWITCH_TEXT,), registration="[/]", virtual_account="Evil [/]")
    text = printed(verdict_table("plan-1", [verdict]))
    assert SWITCH_TEXT in text and "Evil [/]" in text


def test_satellite_status_shows_the_api_s_names_as_written() -> None:
    status = SatelliteStatus("https://ssm", "acct", [VirtualAccountStatus("Evil [/] [bold]VA", False, [], [])])
    assert "Evil [/] [bold]VA" in printed(*status_tables(status, show_devices=True))
