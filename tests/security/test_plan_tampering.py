"""Threat: a hand-edited plan.json is executed. A reviewed plan is exactly what runs: apply
plans every host again from the facts the plan recorded, the inventory and the templates, and
refuses (exit 2, one line naming the host and what differs, before any switch is touched) a
plan fleetreg would not have produced; a file changed since `fleetreg plan` wrote it is named
as such (its digest is recorded in the journal at plan time)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from fleet_runs import configs, fleet_env, latest_run, run_cli

from mock_devices.testing import MockFleet
from orchestrator.pki import ca_fingerprints

pytestmark = pytest.mark.integration


def attacker_ca(folder: Path) -> Path:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Not The Satellite CA")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    path = folder / "attacker-ca.pem"
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return path


def planned(mock: MockFleet, runs: Path) -> tuple[Path, dict[str, Any]]:
    assert run_cli("plan", "--inventory", str(mock.inventory_dir), "--runs-dir", str(runs), "--canary", "1") == 0
    plan_dir = latest_run(runs, "plan")
    return plan_dir, json.loads((plan_dir / "plan.json").read_text())


def save(plan_dir: Path, plan: dict[str, Any]) -> None:
    (plan_dir / "plan.json").write_text(json.dumps(plan, indent=2) + "\n")


def actionable(plan: dict[str, Any]) -> list[dict[str, Any]]:
    return [h for h in plan["hosts"] if h["classification"] in ("to-migrate", "wrong-virtual-account")]


def apply_refused(mock: MockFleet, runs: Path, plan_dir: Path, capsys: pytest.CaptureFixture[str], before: Any) -> str:
    capsys.readouterr()
    code = run_cli("apply", str(plan_dir), "--runs-dir", str(runs), "--yes")
    out, err = capsys.readouterr()
    assert code == 2, out + err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in out + err
    assert configs(mock) == before  # no switch touched
    assert not [p for p in runs.iterdir() if p.name.endswith("-apply")]  # no run started
    return err


@pytest.fixture
def mock(mock_fleet_factory: Callable[..., MockFleet]) -> MockFleet:
    return mock_fleet_factory(4)


def test_an_extra_config_line_in_the_plan_is_refused(
    mock: MockFleet, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    runs = tmp_path / "runs"
    with fleet_env(mock):
        plan_dir, plan = planned(mock, runs)
        host = actionable(plan)[0]
        host["config_commands"].append("username backdoor privilege 15 secret 0 x")
        for step in host["steps"]:
            if step["name"] == "configure":
                step["commands"].append("username backdoor privilege 15 secret 0 x")
        save(plan_dir, plan)
        err = apply_refused(mock, runs, plan_dir, capsys, configs(mock))
    assert "plan.json was changed after fleetreg wrote it" in err
    assert f"host {host['name']}: config_commands has an extra item 'username backdoor" in err


def test_a_swapped_ca_file_and_fingerprint_are_refused(
    mock: MockFleet, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    runs = tmp_path / "runs"
    evil = attacker_ca(tmp_path)
    sha1 = ca_fingerprints(evil.read_text())[1]
    with fleet_env(mock):
        plan_dir, plan = planned(mock, runs)
        hosts = [h for h in actionable(plan) if h["ca_file"]]
        assert hosts, "the mock fleet installs the satellite CA (identity check verify)"
        for host in hosts:
            host["ca_file"], host["ca_sha1"] = str(evil), sha1
        save(plan_dir, plan)
        err = apply_refused(mock, runs, plan_dir, capsys, configs(mock))
    assert f"host {hosts[0]['name']}: ca_file is '{evil}', fleetreg derives" in err


def test_a_host_added_to_a_wave_is_refused_before_the_canary_runs(
    mock: MockFleet, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    runs = tmp_path / "runs"
    with fleet_env(mock):
        plan_dir, plan = planned(mock, runs)
        plan["waves"][-1]["hosts"].append("intruder-sw99")
        save(plan_dir, plan)
        err = apply_refused(mock, runs, plan_dir, capsys, configs(mock))
    assert "waves: host intruder-sw99 is not a host the plan acts on" in err


def test_an_edited_copy_without_its_journal_is_still_refused(
    mock: MockFleet, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """No digest to compare with (the plan was copied away from its runs folder): planning
    again from the recorded facts still finds the edit."""
    runs = tmp_path / "runs"
    with fleet_env(mock):
        plan_dir, plan = planned(mock, runs)
        host = actionable(plan)[0]
        host["backout_commands"] = ["hostname pwned"]
        elsewhere = tmp_path / "elsewhere" / "copied-plan"
        shutil.copytree(plan_dir, elsewhere)
        save(elsewhere, plan)
        err = apply_refused(mock, runs, elsewhere, capsys, configs(mock))
    assert "not the plan fleetreg derives" in err
    assert f"host {host['name']}: backout_commands item 1 is 'hostname pwned'" in err


def test_edited_recorded_facts_are_refused(mock: MockFleet, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    runs = tmp_path / "runs"
    with fleet_env(mock):
        plan_dir, plan = planned(mock, runs)
        host = actionable(plan)[0]
        host["facts"]["config_excerpt"] += 'call-home\n profile "Evil"\n'
        save(plan_dir, plan)
        err = apply_refused(mock, runs, plan_dir, capsys, configs(mock))
    assert f"host {host['name']}: " in err


def test_a_changed_file_with_the_same_content_is_named_as_changed(
    mock: MockFleet, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    runs = tmp_path / "runs"
    with fleet_env(mock):
        plan_dir, plan = planned(mock, runs)
        (plan_dir / "plan.json").write_text(json.dumps(plan))  # same plan, other bytes
        err = apply_refused(mock, runs, plan_dir, capsys, configs(mock))
    assert "plan.json was changed after fleetreg wrote it (its digest differs" in err


def test_the_plan_as_written_applies(mock: MockFleet, tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    with fleet_env(mock):
        plan_dir, _ = planned(mock, runs)
        assert run_cli("apply", str(plan_dir), "--runs-dir", str(runs), "--yes") == 0
