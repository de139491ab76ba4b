"""The example in examples/: plain Nornir (InitNornir, SimpleInventory, nr.run) running
fleetreg's tasks migrates switches of the emulated fleet, read back on the switches and the
satellite."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from mock_devices.fleet import FleetSpec

pytestmark = pytest.mark.integration

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "migrate_with_nornir.py"


def test_the_example_migrates_three_switches_with_plain_nornir(mock_fleet_factory, tmp_path: Path) -> None:
    spec = FleetSpec.model_validate({"count": 3, "seed": 5, "mix": {"states": {"cloud": 1.0}}})  # classic, cloud
    mock = mock_fleet_factory(spec=spec, register_seconds=(0.5, 1.0))
    result = subprocess.run(
        [sys.executable, str(EXAMPLE), str(mock.inventory_dir), "--limit", "3"],
        env={**os.environ, **mock.env},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    names = [device.name for device in mock.fleet.devices]
    assert sorted(result.stdout.splitlines()) == sorted(f"{name}: migrated" for name in names)
    state = mock.fleet.dump_state()
    listed = {instance["hostname"] for instance in state["satellite"]["product_instances"]}
    assert set(names) <= listed
