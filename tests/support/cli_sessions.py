"""One CLI session to an emulated switch, through a given transport, for task-level tests."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from mock_devices.testing import MockFleet
from orchestrator.inventory import load_inventory
from orchestrator.nornir_setup import build_nornir
from orchestrator.secrets import Credentials
from tasks import event_loop
from tasks.cli import DeviceCli
from tasks.connection import cli_params, open_cli

T = TypeVar("T")


def with_cli(
    mock: MockFleet,
    transport: str,
    host: str,
    use: Callable[[DeviceCli], Awaitable[T]],
    *,
    enable_secret: str = "",
    connect_timeout: float = 10,
) -> T:
    """Log in to `host` through `transport`, run `use`, then drop the session (also on errors)."""
    env = mock.env
    credentials = Credentials(
        env["FLEETREG_USERNAME"], env["FLEETREG_PASSWORD"], enable_secret or env["FLEETREG_ENABLE_SECRET"]
    )
    nr = build_nornir(load_inventory(mock.inventory_dir, environ=env), credentials, connect_timeout=connect_timeout)

    async def run() -> T:
        with ThreadPoolExecutor(2) as executor:
            cli = await open_cli(cli_params(nr.inventory.hosts[host]), transport, executor)
            try:
                return await use(cli)
            finally:
                await cli.abort()

    return event_loop.run(run())
