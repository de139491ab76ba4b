"""Threat: disabled TLS checks go unnoticed. `satellite_api.verify_tls: false` was reported
nowhere and `server_identity_check: disable` was not shown in the terminal: both are risks in
plan's and apply's printed output, report.html and runbook.md."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from fleet_runs import fleet_env, latest_run, run_cli
from fleetreg.core.planner import API_TLS_RISK

pytestmark = pytest.mark.integration

IDENTITY_RISK = "TLS server identity check disabled"
API_RISK = "satellite API certificate not verified (satellite_api.verify_tls: false)"


def _disable_tls_checks(inventory_dir: Path) -> None:
    path = inventory_dir / "defaults.yaml"
    defaults = yaml.safe_load(path.read_text())
    settings = defaults["data"]["fleetreg"]
    settings["server_identity_check"] = "disable"
    settings["satellite_api"]["verify_tls"] = False
    path.write_text(yaml.safe_dump(defaults, sort_keys=False))


def _one_line(text: str) -> str:
    return " ".join(text.split())


def test_disabled_tls_checks_are_risks_in_the_terminal_report_and_runbook(
    mock_fleet_factory, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Threat: disabled TLS checks go unnoticed (plan and apply output, report.html, runbook.md)."""
    assert API_RISK in API_TLS_RISK
    mock = mock_fleet_factory(3, api=True)
    _disable_tls_checks(mock.inventory_dir)
    runs = tmp_path / "runs"
    with fleet_env(mock):
        capsys.readouterr()
        assert run_cli("plan", "--inventory", str(mock.inventory_dir), "--runs-dir", str(runs)) == 0
        plan_out = _one_line(capsys.readouterr().out)
        plan_dir = latest_run(runs, "plan")
        assert run_cli("apply", str(plan_dir), "--runs-dir", str(runs), "--yes") == 0
        apply_out = _one_line(capsys.readouterr().out)
    for where, text in (("plan output", plan_out), ("apply output", apply_out)):
        assert f"Risk: {IDENTITY_RISK}" in text, where
        assert f"Risk: {API_RISK}" in text, where
    for name in ("report.html", "runbook.md"):
        text = _one_line((plan_dir / name).read_text())
        assert IDENTITY_RISK in text, name
        assert API_RISK in text, name
    assert API_RISK in _one_line((latest_run(runs, "apply") / "report.html").read_text())


def test_no_risk_is_printed_when_tls_checks_are_on(
    mock_fleet_factory, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Threat: disabled TLS checks go unnoticed (the control: nothing flagged when they are on)."""
    mock = mock_fleet_factory(2, api=True)
    with fleet_env(mock):
        assert run_cli("plan", "--inventory", str(mock.inventory_dir), "--runs-dir", str(tmp_path / "runs")) == 0
    assert "Risk:" not in capsys.readouterr().out
