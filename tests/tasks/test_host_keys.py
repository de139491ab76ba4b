"""SSH host keys over real SSH: trust on first use by default, a changed key blocks that switch
(before any password is sent, by paramiko), and strict checking against --known-hosts."""

from __future__ import annotations

from pathlib import Path

import pytest
from fleet_runs import fleet_env, latest_run, load_plan_json, run_cli
from fleetreg.tasks.connection import TRANSPORTS

pytestmark = pytest.mark.integration


def plan(mock, runs: Path, *args: str) -> dict:
    assert run_cli("plan", "--inventory", str(mock.inventory_dir), "--runs-dir", str(runs), *args) == 0
    return {h["name"]: h for h in load_plan_json(latest_run(runs, "plan"))["hosts"]}


@pytest.fixture(params=TRANSPORTS, autouse=True)
def transport(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Host keys are checked the same way on both transports."""
    monkeypatch.setenv("FLEETREG_TRANSPORT", str(request.param))
    return str(request.param)


def test_first_use_is_recorded_and_a_changed_key_blocks_the_switch(mock_fleet_factory, tmp_path: Path) -> None:
    mock = mock_fleet_factory(4)
    runs = tmp_path / "runs"
    names = [d.name for d in mock.fleet.devices]
    with fleet_env(mock):
        first = plan(mock, runs)
        assert all(h["classification"] != "blocked" for h in first.values())
        recorded = {n: (runs / "known_hosts.d" / n).read_text() for n in names}
        device = mock.fleet.devices[1]
        assert recorded[device.name].startswith(f"[127.0.0.1]:{device.port} ssh-ed25519 ")
        assert (runs / "known_hosts.d" / device.name).stat().st_mode & 0o077 == 0

        # the switch "was replaced" (or someone sits in the middle): its recorded key no longer matches
        (runs / "known_hosts.d" / device.name).write_text(f"[127.0.0.1]:{device.port} ssh-ed25519 {_other_ed25519()}\n")
        second = plan(mock, runs)
    blocked = second[device.name]
    assert blocked["classification"] == "blocked"
    assert blocked["reason"].startswith("host key changed: expected ssh-ed25519 SHA256:")
    assert "got ssh-ed25519 SHA256:" in blocked["reason"]
    assert all(second[n]["classification"] != "blocked" for n in names if n != device.name)


def _other_ed25519() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    public = (
        Ed25519PrivateKey.generate()
        .public_key()
        .public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    )
    return public.decode().split()[1]


def test_strict_known_hosts_refuses_an_unknown_switch(mock_fleet_factory, tmp_path: Path) -> None:
    mock = mock_fleet_factory(3)
    runs = tmp_path / "runs"
    names = [d.name for d in mock.fleet.devices]
    with fleet_env(mock):
        plan(mock, runs)  # records every key on first use
        known_hosts = tmp_path / "known_hosts"
        known_hosts.write_text("".join((runs / "known_hosts.d" / n).read_text() for n in names[:-1]))
        strict = plan(mock, tmp_path / "other-runs", "--known-hosts", str(known_hosts))
    assert strict[names[-1]]["classification"] == "blocked"
    assert strict[names[-1]]["reason"].startswith("host key unknown")
    assert all(strict[n]["classification"] != "blocked" for n in names[:-1])
    assert not (tmp_path / "other-runs" / "known_hosts.d").exists()  # strict mode records nothing


@pytest.mark.parametrize("name", ["SW-Core-1", "sw 2"])
def test_a_key_recorded_under_the_old_file_name_stays_pinned(tmp_path: Path, name: str) -> None:
    """Names that now map to `<name>~<digest>` keep the key recorded under their old file name
    (every unsafe character replaced by `_`): an upgrade never trusts them on first use again."""
    from fleetreg.tasks.host_keys import HostKeyPolicy

    policy = HostKeyPolicy.for_runs(tmp_path)
    legacy = tmp_path / "known_hosts.d" / name.replace(" ", "_")
    legacy.parent.mkdir()
    legacy.write_text("[127.0.0.1]:2222 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOld\n")
    options = policy.connection_options(name)
    assert Path(options["file"]) != legacy
    assert Path(options["file"]).read_text() == legacy.read_text()
    assert Path(options["file"]).stat().st_mode & 0o077 == 0
