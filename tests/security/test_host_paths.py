"""Threat: host names become file paths. An inventory host named with an absolute path, `..`
or a `/` made plan and apply write outside the run folder (or two hosts share one file).
Every file named after a host goes through orchestrator.runfolder.host_file."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import yaml
from fleet_runs import fleet_env, plan_and_apply
from fleetreg.core.host_paths import STEM_MAX, host_file, host_file_stem
from fleetreg.tasks.host_keys import HostKeyPolicy
from hypothesis import given, settings
from hypothesis import strategies as st

HOSTILE = (
    "../../escape",
    "a/b",
    "a_b",
    "..",
    ".",
    "",
    "Sw-Upper",
    "sw-upper",
    ".hidden",
    "nul",
    "x" * 300,
    "tab\there",
    "new\nline\r",
    "\x1b[31mred",
    "sw\u00e9-01",
    "C:\\evil",
)


@pytest.mark.parametrize("name", HOSTILE)
def test_a_host_name_maps_to_a_direct_child_of_the_folder(tmp_path: Path, name: str) -> None:
    """Threat: host names become file paths (traversal, absolute paths, dot files)."""
    path = host_file(tmp_path, name, ".log")
    assert path.parent == tmp_path
    assert not path.name.startswith(".")
    assert len(host_file_stem(name)) <= STEM_MAX + 13


def test_names_differing_by_replaced_characters_or_case_do_not_collide() -> None:
    """Threat: host names become file paths: two hosts sharing one session log or backup."""
    stems = [host_file_stem(n) for n in ("a/b", "a_b", "a?b", "a b", "SW1", "sw1", "Sw1", "..", "_.", "__")]
    assert len({s.casefold() for s in stems}) == len(stems), stems
    assert host_file_stem("ams-sw001") == "ams-sw001"  # plain names stay readable and unchanged


def test_an_absolute_host_name_stays_inside_the_folder(tmp_path: Path) -> None:
    """Threat: host names become file paths: an absolute host name wrote outside the runs folder."""
    outside = tmp_path / "outside" / "evil"
    path = host_file(tmp_path / "runs", str(outside), ".json")
    assert path.parent == tmp_path / "runs"


def test_known_hosts_files_follow_the_same_mapping(tmp_path: Path) -> None:
    """Threat: host names become file paths: `..` as a known_hosts file named the runs folder."""
    policy = HostKeyPolicy.for_runs(tmp_path)
    assert policy.file_for("..").parent == tmp_path / "known_hosts.d"
    assert policy.file_for("a/b") != policy.file_for("a_b")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(min_size=0, max_size=80), min_size=1, max_size=20, unique=True))
def test_any_host_names_map_to_distinct_direct_children(names: list[str]) -> None:
    """Threat: host names become file paths (property: any string, any set of names)."""
    folder = Path("/runs/x/session-logs")
    paths = [host_file(folder, name, ".log") for name in names]
    for path in paths:
        assert path.parent == folder
        assert path.name not in ("", ".", "..") and not path.name.startswith(".")
        assert "/" not in path.name and "\x00" not in path.name
    assert len({p.name.casefold() for p in paths}) == len(paths)


def _rename_hosts(inventory_dir: Path, names: list[str]) -> None:
    hosts_file = inventory_dir / "hosts.yaml"
    hosts = yaml.safe_load(hosts_file.read_text())
    hosts_file.write_text(yaml.safe_dump(dict(zip(names, hosts.values(), strict=True)), sort_keys=False))


def _files(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}


@pytest.mark.integration
def test_plan_and_apply_with_hostile_host_names_write_only_inside_the_runs_folder(
    mock_fleet_factory, tmp_path: Path
) -> None:
    """Threat: host names become file paths: plan and apply against the mock fleet with hosts
    named `/abs/path`, `../../x`, `a/b`, `a_b` and `..` write every file inside the runs folder,
    one file per host (no two hosts share a session log, backup or status file)."""
    mock = mock_fleet_factory(5)
    outside = tmp_path / "outside" / "evil"
    names = [str(outside), "../../escape", "a/b", "a_b", ".."]
    _rename_hosts(mock.inventory_dir, names)
    runs = tmp_path / "work" / "runs"
    before = _files(tmp_path)
    with fleet_env(mock):
        code, plan_dir, apply_dir = plan_and_apply(mock, runs)
    assert code == 0
    new = _files(tmp_path) - before
    assert all(runs in p.parents for p in new), sorted(str(p) for p in new if runs not in p.parents)
    assert not outside.parent.exists()
    for folder in (plan_dir / "raw", apply_dir / "session-logs", apply_dir / "status", runs / "known_hosts.d"):
        files = [p for p in folder.rglob("*") if p.is_file()]
        assert all(p.parent == folder for p in files), folder
    assert len(list((plan_dir / "raw").iterdir())) == 5
    assert len(list((runs / "known_hosts.d").iterdir())) == 5
    with (apply_dir / "hosts.csv").open() as handle:
        touched = [r["host"] for r in csv.DictReader(handle) if r["outcome"] == "migrated"]
    assert len(touched) >= 3
    logs = {p.name for p in (apply_dir / "session-logs").iterdir()}
    assert logs == {host_file_stem(n) + ".log" for n in touched}
