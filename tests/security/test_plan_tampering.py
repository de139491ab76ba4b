"""Threat: a hand-edited plan.json is executed. A reviewed plan is exactly what runs: apply
plans every host again from the facts the plan recorded, the inventory and the templates, and
refuses (exit 2, one line naming the host and what differs, before any switch is touched) a
plan fleetreg would not have produced; a file changed since `fleetreg plan` wrote it is named
as such (its digest is recorded in the journal at plan time)."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from fleet_runs import configs, fleet_env, latest_run, run_cli
from fleetreg.core.pki import ca_fingerprints

from mock_devices.pki import SatellitePki
from mock_devices.testing import MockFleet

pytestmark = pytest.mark.integration


def attacker_ca(folder: Path) -> Path:
    """A CA of someone else's (the mock's PKI makes a fresh one)."""
    path = folder / "attacker-ca.pem"
    path.write_text(SatellitePki.generate().ca_pem)
    return path


def planned(mock: MockFleet, runs: Path) -> tuple[Path, dict[str, Any]]:
    assert run_cli("plan", "--inventory", str(mock.inventory_dir), "--runs-dir", str(runs), "--canary", "1") == 0
    plan_dir = latest_run(runs, "plan")
    return plan_dir, json.loads((plan_dir / "plan.json").read_text())


def actionable(plan: dict[str, Any]) -> list[dict[str, Any]]:
    return [h for h in plan["hosts"] if h["classification"] in ("to-migrate", "wrong-virtual-account")]


def refused_after(
    mock: MockFleet,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    edit: Callable[[dict[str, Any]], None],
    *,
    elsewhere: bool = False,
    forge_digest: bool = False,
    as_text: Callable[[dict[str, Any]], str] = lambda plan: json.dumps(plan, indent=2) + "\n",
) -> tuple[str, dict[str, Any]]:
    """Plan, `edit` plan.json (in a copy away from its runs folder if `elsewhere`; with the
    journal's digest rewritten to match if `forge_digest`, as an attacker who can write the
    runs folder would), apply: the apply must exit 2 with one line, touch no switch and start
    no run. Its error, the plan."""
    runs = tmp_path / "runs"
    with fleet_env(mock):
        plan_dir, plan = planned(mock, runs)
        if elsewhere:
            shutil.copytree(plan_dir, tmp_path / "elsewhere")
            plan_dir = tmp_path / "elsewhere"
        recorded_id = plan["plan_id"]
        edit(plan)
        (plan_dir / "plan.json").write_text(as_text(plan))
        if forge_digest:
            digest = hashlib.sha256((plan_dir / "plan.json").read_bytes()).hexdigest()
            with closing(sqlite3.connect(runs / "fleetreg.db")) as db, db:
                db.execute("UPDATE plans SET digest=? WHERE plan_id=?", (digest, recorded_id))
        before = configs(mock)
        capsys.readouterr()
        code = run_cli("apply", str(plan_dir), "--runs-dir", str(runs), "--yes")
    out, err = capsys.readouterr()
    assert code == 2, out + err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in out + err
    assert configs(mock) == before  # no switch touched
    assert not [p for p in runs.iterdir() if p.name.endswith("-apply")]  # no run started
    return err, plan


@pytest.fixture
def mock(mock_fleet_factory: Callable[..., MockFleet]) -> MockFleet:
    return mock_fleet_factory(4)


def test_an_extra_config_line_in_the_plan_is_refused(
    mock: MockFleet, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def add_line(plan: dict[str, Any]) -> None:
        host = actionable(plan)[0]
        host["config_commands"].append("username backdoor privilege 15 secret 0 x")
        for step in host["steps"]:
            if step["name"] == "configure":
                step["commands"].append("username backdoor privilege 15 secret 0 x")

    err, plan = refused_after(mock, tmp_path, capsys, add_line)
    assert "plan.json was changed after fleetreg wrote it" in err
    assert f"host {actionable(plan)[0]['name']}: config_commands has an extra item 'username backdoor" in err


def test_a_swapped_ca_file_and_fingerprint_are_refused(
    mock: MockFleet, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    evil = attacker_ca(tmp_path)

    def swap_ca(plan: dict[str, Any]) -> None:
        hosts = [h for h in actionable(plan) if h["ca_file"]]
        assert hosts, "the mock fleet installs the satellite CA (identity check verify)"
        for host in hosts:
            host["ca_file"], host["ca_sha1"] = str(evil), ca_fingerprints(evil.read_text())[1]

    err, plan = refused_after(mock, tmp_path, capsys, swap_ca)
    assert f"host {actionable(plan)[0]['name']}: ca_file is '{evil}', fleetreg derives" in err


def test_a_host_added_to_a_wave_is_refused_before_the_canary_runs(
    mock: MockFleet, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    err, _ = refused_after(mock, tmp_path, capsys, lambda plan: plan["waves"][-1]["hosts"].append("intruder-sw99"))
    assert "waves: host intruder-sw99 is not a host the plan acts on" in err


def test_a_plan_copied_away_from_its_runs_folder_is_refused(
    mock: MockFleet, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Nothing vouches for a plan whose digest its runs folder's journal does not hold."""
    err, plan = refused_after(mock, tmp_path, capsys, lambda plan: None, elsewhere=True)
    assert f"fleetreg plan recorded no plan {plan['plan_id']!r} in the journal" in err


def test_a_plan_with_its_id_changed_is_refused(
    mock: MockFleet, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def new_id(plan: dict[str, Any]) -> None:
        plan["plan_id"] += "x"

    err, _ = refused_after(mock, tmp_path, capsys, new_id)
    assert "fleetreg plan recorded no plan" in err


def test_an_edit_with_a_forged_digest_is_still_refused(
    mock: MockFleet, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The journal rewritten too: planning again from the recorded facts still finds the edit."""

    def new_backout(plan: dict[str, Any]) -> None:
        actionable(plan)[0]["backout_commands"] = ["hostname pwned"]

    err, plan = refused_after(mock, tmp_path, capsys, new_backout, forge_digest=True)
    assert "not the plan fleetreg derives" in err
    assert f"host {actionable(plan)[0]['name']}: backout_commands item 1 is 'hostname pwned'" in err


def test_a_cloud_token_reference_pointed_at_another_secret_is_refused(
    mock: MockFleet, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The rollback's cloud token, pointed at another variable of the environment (here the
    satellite token), would be typed at a switch: planning again finds the edit."""

    def other_secret(plan: dict[str, Any]) -> None:
        leaving = next(h for h in actionable(plan) if h["cloud_token_ref"])
        leaving["cloud_token_ref"] = leaving["token_ref"]

    err, plan = refused_after(mock, tmp_path, capsys, other_secret, forge_digest=True)
    host = next(h for h in actionable(plan) if h["cloud_token_ref"] == h["token_ref"])
    assert f"host {host['name']}: cloud_token_ref is '{host['token_ref']}'" in err, err


def test_edited_recorded_facts_are_refused(mock: MockFleet, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def new_facts(plan: dict[str, Any]) -> None:
        actionable(plan)[0]["facts"]["config_excerpt"] += 'call-home\n profile "Evil"\n'

    err, plan = refused_after(mock, tmp_path, capsys, new_facts, forge_digest=True)
    assert f"not the plan fleetreg derives: host {actionable(plan)[0]['name']}: " in err


def test_facts_the_fingerprint_does_not_cover_must_follow_from_those_it_does(
    mock: MockFleet, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A classic switch made to look like an SLP one (its version triple edited)."""

    def new_version(plan: dict[str, Any]) -> None:
        host = actionable(plan)[0]
        host["facts"]["version"]["version_tuple"] = [17, 9, 1]

    err, plan = refused_after(mock, tmp_path, capsys, new_version, forge_digest=True)
    assert f"host {actionable(plan)[0]['name']}: facts: version_tuple (17, 9, 1) does not follow from version" in err


def test_a_host_planned_twice_is_refused(mock: MockFleet, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A second entry of a host (blocked, so not compared) must not be the one a process runs."""

    def duplicate(plan: dict[str, Any]) -> None:
        copy = json.loads(json.dumps(actionable(plan)[0]))
        copy.update(classification="blocked", config_commands=["hostname pwned"])
        plan["hosts"].append(copy)

    err, plan = refused_after(mock, tmp_path, capsys, duplicate, forge_digest=True)
    assert f"host {actionable(plan)[0]['name']!r} is planned twice" in err


def test_a_changed_file_with_the_same_content_is_named_as_changed(
    mock: MockFleet, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    err, _ = refused_after(mock, tmp_path, capsys, lambda plan: None, as_text=json.dumps)  # same plan, other bytes
    assert "plan.json was changed after fleetreg wrote it (its digest differs" in err


def test_the_plan_as_written_applies(mock: MockFleet, tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    with fleet_env(mock):
        plan_dir, _ = planned(mock, runs)
        assert run_cli("apply", str(plan_dir), "--runs-dir", str(runs), "--yes") == 0


def test_backout_types_nothing_for_a_host_the_plan_does_not_act_on(mock: MockFleet, tmp_path: Path) -> None:
    """Hosts the plan does not act on are not compared with what fleetreg derives: backout must
    not type their backout lines either (the run's plan.json edited, its digest forged)."""
    runs = tmp_path / "runs"
    with fleet_env(mock):
        plan_dir, _ = planned(mock, runs)
        assert run_cli("apply", str(plan_dir), "--runs-dir", str(runs), "--yes") == 0
        run_dir = latest_run(runs, "apply")
        plan = json.loads((run_dir / "plan.json").read_text())
        for host in actionable(plan):
            host.update(classification="blocked", backout_commands=["hostname pwned"], wave=None)
        plan["waves"] = []
        (run_dir / "plan.json").write_text(json.dumps(plan))
        digest = hashlib.sha256((run_dir / "plan.json").read_bytes()).hexdigest()
        with closing(sqlite3.connect(runs / "fleetreg.db")) as db, db:
            db.execute("UPDATE plans SET digest=? WHERE plan_id=?", (digest, plan["plan_id"]))
        before = configs(mock)
        run_cli("backout", run_dir.name, "--runs-dir", str(runs), "--yes")
    assert configs(mock) == before
    assert all("hostname pwned" not in running for running, _ in configs(mock).values())


def test_a_plan_naming_other_templates_is_refused(
    mock: MockFleet, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An attacker who can write the runs folder points the plan at templates of their own (and
    forges the digest): apply derives the plan again with its own project's templates only."""
    evil = tmp_path / "evil"
    (evil / "templates" / "config").mkdir(parents=True)

    def other_templates(plan: dict[str, Any]) -> None:
        plan["project_dir"] = str(evil)

    err, _ = refused_after(mock, tmp_path, capsys, other_templates, forge_digest=True)
    assert f"the plan was derived with the templates of {evil}, apply runs with those of" in err


def test_only_the_signed_off_plan_runs(mock: MockFleet, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The change board signs off plan.json's sha256 (printed by plan, in the runbook): with
    --plan-sha256, apply refuses any other file, whatever the runs folder says."""
    runs = tmp_path / "runs"
    with fleet_env(mock):
        plan_dir, _ = planned(mock, runs)
        digest = hashlib.sha256((plan_dir / "plan.json").read_bytes()).hexdigest()
        assert f"--plan-sha256 {digest}" in (plan_dir / "runbook.md").read_text()
        before = configs(mock)
        capsys.readouterr()
        code = run_cli("apply", str(plan_dir), "--runs-dir", str(runs), "--yes", "--plan-sha256", "0" * 64)
        err = capsys.readouterr().err
        assert code == 2 and f"plan.json's sha256 is {digest}, not the signed-off {'0' * 64}" in err
        assert configs(mock) == before
        assert run_cli("apply", str(plan_dir), "--runs-dir", str(runs), "--yes", "--plan-sha256", digest) == 0
