"""Shared fixtures: emulated switch fleets over real SSH on loopback, always stopped at teardown."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from mock_devices.testing import MockFleet

MockFleetFactory = Callable[..., MockFleet]
SAMPLES = Path(__file__).resolve().parents[1] / ".." / "shared" / "samples"  # real switch outputs


@pytest.fixture
def samples() -> Path:
    if not SAMPLES.is_dir():
        pytest.fail(f"shared samples missing at {SAMPLES}")
    return SAMPLES


@pytest.fixture(scope="session")
def mock_host_key_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One host key for the whole test session (tests never touch ~/.cache)."""
    return tmp_path_factory.mktemp("mock-host-key")


@pytest.fixture
def mock_fleet_factory(mock_host_key_dir: Path, tmp_path: Path) -> Iterator[MockFleetFactory]:
    """`factory(count, **MockFleet kwargs)` -> a started MockFleet; every one is stopped at teardown."""
    started: list[MockFleet] = []

    def start(count: int | None = None, **kwargs: Any) -> MockFleet:
        kwargs.setdefault("host_key_dir", mock_host_key_dir)
        kwargs.setdefault("inventory_dir", tmp_path / f"inventory-{len(started)}")
        fleet = MockFleet(count, **kwargs)
        fleet.start()
        started.append(fleet)
        return fleet

    yield start
    errors: list[BaseException] = []
    for fleet in reversed(started):
        try:
            fleet.stop()
        except BaseException as error:  # stop the others first, then report
            errors.append(error)
    if errors:
        raise errors[0]


@pytest.fixture
def mock_fleet(mock_fleet_factory: MockFleetFactory) -> MockFleet:
    """A small started fleet (6 switches, fast registration)."""
    return mock_fleet_factory(6)
