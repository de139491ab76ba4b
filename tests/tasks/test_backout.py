"""Backout lines over real SSH: a `no ...` line the switch refuses because what it removes was
never created already holds; typing goes on after what the switch received."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from cli_sessions import with_cli
from fleetreg.core.errors import CommandError
from fleetreg.tasks.backout import BackoutDone, restore, restore_lines
from fleetreg.tasks.cli import DeviceCli

from mock_devices.spec import FleetSpec
from mock_devices.testing import MockFleet

NEVER_CREATED = [
    "call-home",
    ' no profile "SSM-OnPrem"',
    ' no profile "Other-Sat"',
    ' profile "CiscoTAC-1"',
    "  active",
    "  exit",
    " contact-email-addr restored@example.net",
    " exit",
]


@pytest.fixture
def mock(mock_fleet_factory: Callable[..., MockFleet]) -> MockFleet:
    return mock_fleet_factory(2)


def test_refused_removals_are_skipped_and_every_other_line_is_typed(mock: MockFleet, transport: str) -> None:
    host = mock.fleet.devices[0].name

    def restore(cli: DeviceCli) -> list[str]:
        return restore_lines(cli, NEVER_CREATED, read_timeout=10)

    skipped = with_cli(mock, transport, host, restore)
    assert [s.split(" (")[0] for s in skipped] == ['no profile "SSM-OnPrem"', 'no profile "Other-Sat"']
    assert all("does not exist" in s for s in skipped)
    running = mock.call(mock.fleet.device(host).running_config_text)
    assert "contact-email-addr restored@example.net" in running


def test_any_other_refusal_fails_the_backout(mock: MockFleet, transport: str) -> None:
    host = mock.fleet.devices[1].name
    lines = ["call-home", ' no profile "SSM-OnPrem"', " no such setting", " contact-email-addr never@example.net"]

    def restore(cli: DeviceCli) -> list[str]:
        return restore_lines(cli, lines, read_timeout=10)

    with pytest.raises(CommandError, match="no such setting"):
        with_cli(mock, transport, host, restore)


def test_a_switch_registered_elsewhere_is_read_first_and_never_deregistered(
    mock_fleet_factory: Callable[..., MockFleet], transport: str
) -> None:
    """Issue 17: a backout reads the switch before deregistering it, and deregisters only a switch
    registered to this plan's satellite; what it leaves is read back."""
    spec = FleetSpec.model_validate({"count": 1, "seed": 5, "mix": {"states": {"cloud": 1.0}}})
    mock = mock_fleet_factory(spec=spec)
    host = mock.fleet.devices[0].name
    satellite = mock.fleet.satellite.callhome_url

    def backout(cli: DeviceCli) -> BackoutDone:
        return restore(cli, [], deregister_first=True, read_timeout=10, satellite_url=satellite)

    done = with_cli(mock, transport, host, backout)
    assert done.note.startswith("backed out (not deregistered (read first: REGISTERED / AUTHORIZED")
    assert done.found.startswith("REGISTERED / AUTHORIZED") and "Smart Licensing is ENABLED" in done.raw_status
    assert mock.fleet.dump_state()["devices"][host]["licensing"]["status"] == "REGISTERED"  # still in the cloud
