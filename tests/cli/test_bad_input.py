"""Every malformed input a user can hand to apply / backout / report: one line on stderr
(`fleetreg: error: ...`, no traceback), exit code 2, and no switch touched."""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from fleet_runs import configs, fleet_env, latest_run, run_cli

from mock_devices.spec import FleetSpec, MixSpec
from mock_devices.testing import MockFleet

pytestmark = pytest.mark.integration


@dataclass
class Planned:
    mock: MockFleet
    runs: Path
    plan_dir: Path
    apply_run: str  # a finished apply run (for backout/report/resume inputs)


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory, mock_host_key_dir: Path) -> Iterator[Planned]:
    """One small fleet, one plan and one finished apply run, shared by the tests below
    (none of them may change a switch: that is what they check)."""
    root = tmp_path_factory.mktemp("bad-input")
    spec = FleetSpec(count=3, register_seconds=(0.2, 0.3), mix=MixSpec(states={"cloud": 1.0}))
    with MockFleet(spec=spec, inventory_dir=root / "inventory", host_key_dir=mock_host_key_dir) as mock:
        defaults = mock.inventory_dir / "defaults.yaml"
        document = yaml.safe_load(defaults.read_text())
        document["data"]["fleetreg"]["poll_interval_s"] = 0.2
        defaults.write_text(yaml.safe_dump(document, sort_keys=False))
        runs = root / "runs"
        with fleet_env(mock):
            assert (
                run_cli("plan", "--inventory", str(mock.inventory_dir), "--runs-dir", str(runs), "--canary", "0") == 0
            )
            first_plan = latest_run(runs, "plan")
            assert run_cli("apply", str(first_plan), "--runs-dir", str(runs), "--yes") == 0
            apply_run = latest_run(runs, "apply").name
            # the plan the tests feed to apply: made after the migration, so a wrongly
            # accepted apply would still have work to do only if the switches changed
            assert run_cli("plan", "--inventory", str(mock.inventory_dir), "--runs-dir", str(runs)) == 0
            yield Planned(mock, runs, latest_run(runs, "plan"), apply_run)


@pytest.fixture
def env(planned: Planned) -> Iterator[dict[str, str]]:
    with fleet_env(planned.mock) as values:
        yield values


def fails_cleanly(planned: Planned, capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """Run the CLI; it must exit 2 with exactly one `fleetreg: error:` line on stderr and
    leave every switch's running and startup config byte-identical. Returns the message."""
    before = configs(planned.mock)
    steps_before = _step_count(planned.runs)
    capsys.readouterr()
    code = run_cli(*args)
    out, err = capsys.readouterr()
    lines = err.splitlines()
    assert code == 2, (code, out, err)
    assert len(lines) == 1 and lines[0].startswith("fleetreg: error: "), err
    assert "Traceback" not in out + err
    assert configs(planned.mock) == before
    assert _step_count(planned.runs) == steps_before, "a switch was worked on"
    return lines[0].removeprefix("fleetreg: error: ")


def _step_count(runs: Path) -> int:
    with sqlite3.connect(runs / "fleetreg.db") as db:
        return int(db.execute("SELECT count(*) FROM steps").fetchone()[0])


def copy_plan(planned: Planned, tmp_path: Path, edit: Callable[[str], str]) -> Path:
    path = tmp_path / "plan.json"
    path.write_text(edit((planned.plan_dir / "plan.json").read_text()))
    return path


def copy_inventory(planned: Planned, tmp_path: Path) -> Path:
    target = tmp_path / "inventory"
    shutil.copytree(planned.mock.inventory_dir, target)
    return target


def apply_args(planned: Planned, plan: Path | str, *extra: str) -> tuple[str, ...]:
    return ("apply", str(plan), "--runs-dir", str(planned.runs), "--yes", *extra)


# ---------------------------------------------------------------- plan file
def test_truncated_plan(planned: Planned, env, tmp_path: Path, capsys) -> None:
    plan = copy_plan(planned, tmp_path, lambda text: text[: len(text) // 2])
    message = fails_cleanly(planned, capsys, *apply_args(planned, plan))
    assert str(plan) in message and "not valid JSON (truncated or edited?)" in message


def test_plan_with_wrong_types(planned: Planned, env, tmp_path: Path, capsys) -> None:
    def edit(text: str) -> str:
        data = json.loads(text)
        data["hosts"][0]["port"] = "twenty-two"
        return json.dumps(data)

    message = fails_cleanly(planned, capsys, *apply_args(planned, copy_plan(planned, tmp_path, edit)))
    assert "field hosts.0.port" in message and "invalid plan" in message


def test_plan_that_is_not_a_plan(planned: Planned, env, tmp_path: Path, capsys) -> None:
    plan = copy_plan(planned, tmp_path, lambda text: json.dumps([1, 2, 3]))
    message = fails_cleanly(planned, capsys, *apply_args(planned, plan))
    assert "not a fleetreg plan" in message


def test_missing_plan_file(planned: Planned, env, tmp_path: Path, capsys) -> None:
    message = fails_cleanly(planned, capsys, *apply_args(planned, tmp_path / "nowhere" / "plan.json"))
    assert "plan file not found" in message


def test_plan_from_another_inventory(planned: Planned, env, tmp_path: Path, capsys) -> None:
    other = copy_inventory(planned, tmp_path)
    hosts = yaml.safe_load((other / "hosts.yaml").read_text())
    (other / "hosts.yaml").write_text(yaml.safe_dump({f"other-{k}": v for k, v in hosts.items()}))
    message = fails_cleanly(planned, capsys, *apply_args(planned, planned.plan_dir, "--inventory", str(other)))
    assert "plan is from another inventory" in message and "(and 2 more)" in message


def test_inventory_settings_changed_after_the_plan(planned: Planned, env, tmp_path: Path, capsys) -> None:
    edited = copy_inventory(planned, tmp_path)
    defaults = yaml.safe_load((edited / "defaults.yaml").read_text())
    defaults["data"]["fleetreg"]["register_timeout_s"] = 300
    (edited / "defaults.yaml").write_text(yaml.safe_dump(defaults))
    message = fails_cleanly(planned, capsys, *apply_args(planned, planned.plan_dir, "--inventory", str(edited)))
    assert "inventory or settings changed since the plan" in message and "fleetreg plan again" in message


def test_broken_inventory_yaml(planned: Planned, env, tmp_path: Path, capsys) -> None:
    broken = copy_inventory(planned, tmp_path)
    (broken / "hosts.yaml").write_text("ams-sw001:\n  hostname: [127.0.0.1\n  port: 22\n")
    message = fails_cleanly(planned, capsys, *apply_args(planned, planned.plan_dir, "--inventory", str(broken)))
    assert "hosts.yaml" in message


# ---------------------------------------------------------------- secrets
def test_missing_token_variable_at_apply(planned: Planned, env, tmp_path: Path, capsys, monkeypatch) -> None:
    # The first plan, made before the migration, registers every switch: it needs the tokens.
    first_plan = sorted(p for p in planned.runs.iterdir() if p.name.endswith("-plan"))[0]
    token_vars = [k for k in env if k.startswith("FLEETREG_TOKEN_")]
    for name in token_vars:
        monkeypatch.delenv(name)
    message = fails_cleanly(planned, capsys, *apply_args(planned, first_plan))
    assert "environment variable FLEETREG_TOKEN_" in message and "is not set" in message
    assert not any(env[name] in message for name in token_vars)


# ---------------------------------------------------------------- run ids and folders
@pytest.mark.parametrize(
    "verb",
    [
        pytest.param(("apply", "--resume", "20990101T000000000Z-apply", "--yes"), id="resume"),
        pytest.param(("report", "20990101T000000000Z-apply"), id="report"),
        pytest.param(("backout", "20990101T000000000Z-apply", "--yes"), id="backout"),
    ],
)
def test_unknown_run_id(verb: tuple[str, ...], planned: Planned, env, capsys) -> None:
    message = fails_cleanly(planned, capsys, *verb, "--runs-dir", str(planned.runs))
    assert "unknown run '20990101T000000000Z-apply'" in message


def test_backout_of_a_host_not_in_the_run(planned: Planned, env, capsys) -> None:
    args = ("backout", planned.apply_run, "--runs-dir", str(planned.runs), "--yes", "--hosts", "no-such-switch")
    message = fails_cleanly(planned, capsys, *args)
    assert "'no-such-switch' is not part of run" in message


def test_unwritable_runs_folder(planned: Planned, env, tmp_path: Path, capsys) -> None:
    # A runs folder below a regular file cannot be created, whoever runs the tests (even root).
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    before = configs(planned.mock)
    capsys.readouterr()
    code = run_cli("apply", str(planned.plan_dir), "--runs-dir", str(blocker / "runs"), "--yes")
    err = capsys.readouterr().err
    assert code == 2 and len(err.splitlines()) == 1 and err.startswith("fleetreg: error: "), err
    assert "cannot create run folder" in err or "Not a directory" in err
    assert configs(planned.mock) == before


@pytest.mark.parametrize(
    "args",
    [pytest.param((), id="neither"), pytest.param(("--resume", "x"), id="both")],
)
def test_plan_and_resume_are_exclusive(args: tuple[str, ...], planned: Planned, env, capsys) -> None:
    plan = () if not args else (str(planned.plan_dir),)
    message = fails_cleanly(planned, capsys, "apply", *plan, *args, "--runs-dir", str(planned.runs), "--yes")
    assert "give either PLAN" in message and "--resume RUN" in message
