"""Threat: a wrong CA file is installed on every switch. The inventory names the satellite's CA
(`trustpoint: {mode: ca-file, ca_file: ...}`); if that file is not the CA that signed the
satellite's certificate (or the URL's host is not on the certificate), every switch gets an
untrusted CA, registration fails everywhere and every switch is backed out, unregistered.

fleetreg connects to the satellite URL from where it runs, at plan and again at apply before any
switch is touched, and validates the presented chain with only that CA file (and the name, with
the identity check on). These tests drive the CLI against the mock fleet, whose satellite serves
real TLS with its own PKI on 127.0.0.1."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import pytest
import yaml
from fleet_runs import configs, fleet_env, latest_run, run_cli
from fleetreg.services.apply import ApplyOptions, apply_plan, check_apply

from mock_devices.pki import SatellitePki
from mock_devices.spec import FleetSpec
from mock_devices.testing import MockFleet

pytestmark = pytest.mark.integration

COUNT = 4


def _defaults(mock: MockFleet) -> dict[str, Any]:
    return yaml.safe_load((mock.inventory_dir / "defaults.yaml").read_text())


def set_defaults(mock: MockFleet, **settings: Any) -> None:
    document = _defaults(mock)
    document["data"]["fleetreg"].update(settings)
    (mock.inventory_dir / "defaults.yaml").write_text(yaml.safe_dump(document, sort_keys=False))


def satellite_url(mock: MockFleet) -> str:
    return str(_defaults(mock)["data"]["fleetreg"]["satellite_url"])


def plan_cli(mock: MockFleet, runs: Path, *args: str) -> int:
    with fleet_env(mock):
        return run_cli("plan", "--inventory", str(mock.inventory_dir), "--runs-dir", str(runs), *args)


def apply_cli(mock: MockFleet, runs: Path, plan_dir: Path, *args: str) -> int:
    with fleet_env(mock):
        return run_cli("apply", str(plan_dir), "--runs-dir", str(runs), "--yes", "--read-timeout", "5", *args)


def error_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.startswith("fleetreg: error:")]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def runs_of(runs: Path, kind: str) -> list[Path]:
    return sorted(p for p in runs.iterdir() if p.name.endswith(f"-{kind}")) if runs.is_dir() else []


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def mock(mock_fleet_factory: Any) -> MockFleet:
    """Classic and SLP switches; the satellite verified by TLS identity (the inventory installs its CA)."""
    fleet: MockFleet = mock_fleet_factory(COUNT)
    assert _defaults(fleet)["data"]["fleetreg"]["trustpoint"]["mode"] == "ca-file"
    return fleet


def test_right_ca_passes_and_is_checked_against_the_real_satellite(
    mock: MockFleet, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Threat: wrong CA installed everywhere. The CA the inventory names validates the satellite's
    chain at its URL: the plan goes on, after a real TLS handshake with the satellite."""
    assert satellite_url(mock).startswith(f"https://127.0.0.1:{mock.satellite_endpoint.port}/")  # type: ignore[union-attr]
    runs = tmp_path / "runs"
    assert plan_cli(mock, runs) == 0, capsys.readouterr().err
    assert mock.satellite_endpoint is not None
    assert mock.satellite_endpoint.handshakes == 1  # one check for every switch (call-home and CSLU alike)
    out = capsys.readouterr().out
    assert f"satellite certificate at 127.0.0.1:{mock.satellite_endpoint.port} validates with CA file" in out
    assert f"for the name 127.0.0.1 ({COUNT} hosts)" in out
    plan = json.loads((latest_run(runs, "plan") / "plan.json").read_text())
    assert not [r for h in plan["hosts"] for r in h["risks"] if "reachable" in r]


def test_wrong_ca_file_blocks_the_plan_before_any_switch_is_contacted(
    mock: MockFleet, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Threat: wrong CA installed everywhere. A CA file that did not sign the satellite's certificate
    (a fresh self-signed CA with the same names) blocks the plan: exit 2, one line naming the
    inventory file, the URL, the CA file and why; no switch contacted, none changed."""
    wrong = tmp_path / "not-the-satellite-ca.pem"
    wrong.write_text(SatellitePki.generate("ssm-onprem.fleetreg.test").ca_pem)
    set_defaults(mock, trustpoint={"name": "FLEETREG-SSM", "mode": "ca-file", "ca_file": str(wrong)})
    before = configs(mock)
    runs = tmp_path / "runs"
    assert plan_cli(mock, runs) == 2
    line = error_line(capsys)
    assert "defaults.yaml" in line and "fleetreg.satellite_url" in line
    assert satellite_url(mock) in line and str(wrong) in line
    assert "certificate verify failed: unable to get local issuer certificate" in line
    assert runs_of(runs, "plan") == []  # blocked before discovery: no plan, no session to any switch
    assert configs(mock) == before


def test_name_not_on_the_certificate_blocks_the_plan(
    mock: MockFleet, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Threat: wrong trust settings installed everywhere. With the identity check on, a URL whose
    host is not on the satellite's certificate (localhost: it reaches the satellite, but the
    certificate is for ssm-onprem.fleetreg.test and 127.0.0.1) blocks the plan; with the identity
    check off (a reported risk), only the chain is checked."""
    url = satellite_url(mock).replace("127.0.0.1", "localhost")
    set_defaults(mock, satellite_url=url)
    before = configs(mock)
    runs = tmp_path / "runs"
    assert plan_cli(mock, runs) == 2
    line = error_line(capsys)
    assert "name mismatch: localhost is not on the certificate" in line and "ssm-onprem.fleetreg.test" in line
    assert url in line
    assert runs_of(runs, "plan") == []
    assert configs(mock) == before

    set_defaults(mock, server_identity_check="disable")
    # the emulated switches' name server does not know `localhost` (the plan-time pre-checks would
    # block them all): this test is about fleetreg's own trust check
    assert plan_cli(mock, runs, "--no-prechecks") == 0, capsys.readouterr().err


def test_unreachable_satellite_needs_the_explicit_flag_and_is_reported_as_a_risk(
    mock: MockFleet, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Threat: a CA that nobody checked installed everywhere. A satellite URL fleetreg cannot reach
    blocks plan and apply (exit 2, one line saying so and naming the flag); with
    --satellite-unreachable-ok the plan goes on and records the unchecked CA as a risk, shown in
    plan.json, report.html and runbook.md."""
    set_defaults(
        mock, satellite_url=f"https://127.0.0.1:{closed_port()}/Transportgateway/services/DeviceRequestHandler"
    )
    before = configs(mock)
    runs = tmp_path / "runs"
    assert plan_cli(mock, runs) == 2
    line = error_line(capsys)
    assert "cannot reach the satellite" in line and "--satellite-unreachable-ok" in line
    assert "Connection refused" in line
    assert runs_of(runs, "plan") == []

    assert plan_cli(mock, runs, "--satellite-unreachable-ok") == 0
    err = capsys.readouterr().err
    assert "warning: satellite 127.0.0.1:" in err and "not reachable" in err
    plan_dir = latest_run(runs, "plan")
    plan = json.loads((plan_dir / "plan.json").read_text())
    actionable = [h for h in plan["hosts"] if h["classification"] in ("to-migrate", "wrong-virtual-account")]
    assert actionable
    for host in actionable:
        assert any("not reachable from where fleetreg ran" in r for r in host["risks"]), host["risks"]
    for report in ("report.html", "runbook.md"):
        assert "not reachable from where fleetreg ran" in (plan_dir / report).read_text()

    assert apply_cli(mock, runs, plan_dir) == 2  # apply checks again, and needs the flag too
    assert "cannot reach the satellite" in error_line(capsys)
    assert runs_of(runs, "apply") == []
    assert configs(mock) == before
    with fleet_env(mock):  # with it, apply's checks pass and name the risk (no switch touched here)
        checked = check_apply(plan_dir, ApplyOptions(runs_dir=runs, satellite_unreachable_ok=True))
    assert {h["name"] for h in actionable} <= set(checked.trust.risks)
    assert configs(mock) == before


def test_apply_checks_again_and_refuses_a_certificate_replaced_since_the_plan(
    mock: MockFleet, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Threat: wrong CA installed everywhere. The satellite's certificate changed between plan and
    apply (now signed by another CA): apply checks again before the first wave and exits 2 with one
    line, before any switch is touched."""
    runs = tmp_path / "runs"
    assert plan_cli(mock, runs) == 0
    plan_dir = latest_run(runs, "plan")
    mock.replace_satellite_certificate(SatellitePki.generate("ssm-onprem.fleetreg.test"))
    before = configs(mock)
    capsys.readouterr()
    assert apply_cli(mock, runs, plan_dir) == 2
    line = error_line(capsys)
    assert "certificate verify failed" in line and satellite_url(mock) in line
    assert runs_of(runs, "apply") == []
    assert configs(mock) == before


def test_resume_checks_again_before_touching_the_switches_left(
    mock_fleet_factory: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Threat: wrong CA installed everywhere. An apply stopped after its canary wave, then the
    satellite's certificate changes: `apply --resume` checks again and exits 2 before it touches
    a switch left."""
    spec = FleetSpec.model_validate({"count": 6, "register_seconds": [0.3, 0.6], "mix": {"states": {"cloud": 1.0}}})
    mock: MockFleet = mock_fleet_factory(spec=spec)
    runs = tmp_path / "runs"
    assert plan_cli(mock, runs, "--canary", "1", "--wave-size", "10") == 0
    plan_dir = latest_run(runs, "plan")
    runners: list[Any] = []

    def stop_before_wave_1(gate: Any) -> bool:
        if gate.wave.number >= 1:
            runners[0].request_stop()  # what a Ctrl-C does: nothing new starts
        return True

    with fleet_env(mock):
        result = apply_plan(plan_dir, ApplyOptions(runs_dir=runs), confirm=stop_before_wave_1, on_runner=runners.append)
    assert result.interrupted
    pending = [h for h, o in result.outcomes.items() if o.outcome == "not-run"]
    assert pending, result.outcomes
    mock.replace_satellite_certificate(SatellitePki.generate("ssm-onprem.fleetreg.test"))
    before = configs(mock)
    capsys.readouterr()
    with fleet_env(mock):
        assert run_cli("apply", "--resume", result.run_dir.name, "--runs-dir", str(runs), "--yes") == 2
    assert "certificate verify failed" in error_line(capsys)
    assert configs(mock) == before
