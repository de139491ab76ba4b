"""One CLI session to an emulated switch, through a given transport, for task-level tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from fleetreg.shell.inventory import load_inventory
from fleetreg.shell.nornir_setup import build_nornir
from fleetreg.shell.secrets import Credentials
from fleetreg.tasks.cli import DeviceCli
from fleetreg.tasks.connection import cli_params, open_cli

from mock_devices.testing import MockFleet

T = TypeVar("T")


def with_cli(
    mock: MockFleet,
    transport: str,
    host: str,
    use: Callable[[DeviceCli], T],
    *,
    enable_secret: str = "",
    connect_timeout: float = 10,
    typeahead: bool = False,
) -> T:
    """Log in to `host` through `transport`, run `use`, then drop the session (also on errors)."""
    env = mock.env
    credentials = Credentials(
        env["FLEETREG_USERNAME"], env["FLEETREG_PASSWORD"], enable_secret or env["FLEETREG_ENABLE_SECRET"]
    )
    nr = build_nornir(
        load_inventory(mock.inventory_dir, environ=env),
        credentials,
        connect_timeout=connect_timeout,
        typeahead=typeahead,
    )

    cli = open_cli(cli_params(nr.inventory.hosts[host]), transport)
    try:
        return use(cli)
    finally:
        cli.abort()
