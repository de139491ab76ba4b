"""Threat: full running configs on disk. Real configurations hold user hashes, SNMP communities
and TACACS keys; session logs held the whole `show running-config`. By default nothing of it
reaches the runs folder (session logs hold one line instead, on both transports; backups hold
only the owned excerpt); `--keep-configs` keeps each config with its secrets masked."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import pytest
from fleet_runs import files_containing, fleet_env, plan_and_apply
from fleetreg.core.errors import CommandTimeout
from fleetreg.shell.inventory import load_inventory
from fleetreg.shell.nornir_setup import build_nornir
from fleetreg.shell.secrets import Credentials
from fleetreg.tasks.connection import cli_params, open_cli
from fleetreg.tasks.session_log import SessionLogSpec

from mock_devices.config import SENSITIVE_VALUES
from mock_devices.testing import MockFleet

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("transport", ["asyncssh", "netmiko"])
def test_no_full_config_reaches_the_runs_folder_by_default(mock_fleet_factory, tmp_path: Path, transport: str) -> None:
    """Threat: full running configs on disk (session logs, journal + WAL, backups, reports)."""
    mock = mock_fleet_factory(4)
    runs = tmp_path / "runs"
    with fleet_env(mock):
        code, plan_dir, apply_dir = plan_and_apply(mock, runs, apply_args=("--transport", transport))
    assert code == 0
    assert files_containing(runs, list(SENSITIVE_VALUES)) == []
    logs = list((apply_dir / "session-logs").iterdir())
    assert logs, "the run should have written session logs"
    for log in logs:
        text = log.read_text()
        assert "[show running-config: " in text and "lines of output not logged" in text, log.name
        assert "show license status" in text  # other commands are still logged
    assert not (apply_dir / "configs").exists() and not (plan_dir / "configs").exists()


@pytest.mark.parametrize("transport", ["asyncssh", "netmiko"])
def test_keep_configs_keeps_each_config_masked(mock_fleet_factory, tmp_path: Path, transport: str) -> None:
    """Threat: full running configs on disk: --keep-configs keeps them, never their secrets."""
    mock = mock_fleet_factory(3)
    runs = tmp_path / "runs"
    with fleet_env(mock):
        code, plan_dir, apply_dir = plan_and_apply(
            mock, runs, "--keep-configs", apply_args=("--transport", transport, "--keep-configs")
        )
    assert code == 0
    assert files_containing(runs, list(SENSITIVE_VALUES)) == []
    for folder in (plan_dir / "configs", apply_dir / "configs"):
        kept = sorted(folder.iterdir())
        assert kept, folder
        for path in kept:
            text = path.read_text()
            assert "enable secret 9 <masked>" in text
            assert "username netops privilege 15 secret 9 <masked>" in text
            assert "snmp-server community <masked> RO" in text
            assert " key 7 <masked>" in text
            assert "call-home" in text and "hostname " in text  # the rest of the config is there
            assert path.stat().st_mode & 0o077 == 0


@pytest.mark.parametrize("transport", ["asyncssh", "netmiko"])
def test_a_running_config_that_comes_after_its_timeout_is_not_logged(
    mock_fleet_factory, tmp_path: Path, transport: str
) -> None:
    """Threat: full running configs on disk: `show running-config` times out, its output
    arrives afterwards, while the session is being dropped; none of it reaches the log."""
    mock: MockFleet = mock_fleet_factory(1)
    host = mock.fleet.devices[0].name
    env = mock.env
    credentials = Credentials(env["FLEETREG_USERNAME"], env["FLEETREG_PASSWORD"], env["FLEETREG_ENABLE_SECRET"])
    nr = build_nornir(load_inventory(mock.inventory_dir, environ=env), credentials, connect_timeout=10)
    log = tmp_path / "session.log"

    params = cli_params(nr.inventory.hosts[host], session_log=SessionLogSpec(log, ()))
    cli = open_cli(params, transport)
    try:
        switch = mock.fleet.device(host)
        mock.call(setattr, switch, "faults", replace(switch.faults, latency_ms=600))
        with pytest.raises(CommandTimeout):
            cli.send_command("show running-config", read_timeout=0.2)
        time.sleep(1.0)  # the output arrives now
    finally:
        cli.abort()
    text = log.read_bytes().decode()
    assert "[show running-config: its output not logged" in text
    assert not [v for v in SENSITIVE_VALUES if v in text]
    assert "Building configuration" not in text
