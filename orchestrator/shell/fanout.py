"""Run one read-only device step on many switches at once: bounded sessions on one event loop,
a callback as each switch finishes. Used by discover (plan) and verify; apply has its own
scheduler (orchestrator.runner), built for multi-step, resumable work."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from fleetreg.core.errors import FleetregError
from fleetreg.tasks import event_loop
from fleetreg.tasks.cli import DeviceCli
from fleetreg.tasks.connection import cli_params, open_cli, transport_of
from fleetreg.tasks.device_errors import translate
from nornir.core.inventory import Host

T = TypeVar("T")
Step = Callable[[DeviceCli, Host], Awaitable[T]]
Progress = Callable[[str, bool], None]  # (host, ok) after each host


def run_on_hosts(
    hosts: Iterable[Host], step: Step[T], *, name: str, workers: int, on_host_done: Progress | None = None
) -> dict[str, T | FleetregError]:
    """`step` (called `name` in errors) on every host, at most `workers` sessions at once: its
    result, or the error."""
    return event_loop.run(_run_all(list(hosts), step, name, workers, on_host_done))


async def _run_all(
    hosts: list[Host], step: Step[T], name: str, workers: int, on_host_done: Progress | None
) -> dict[str, T | FleetregError]:
    slots = asyncio.Semaphore(max(1, workers))
    results: dict[str, T | FleetregError] = {}
    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="fleetreg-netmiko") as executor:

        async def one(host: Host) -> None:
            async with slots:
                results[host.name] = await _on_host(host, step, name, executor)
            if on_host_done is not None:
                on_host_done(host.name, not isinstance(results[host.name], FleetregError))

        await asyncio.gather(*(one(h) for h in hosts))
    return results


async def _on_host(host: Host, step: Step[T], name: str, executor: ThreadPoolExecutor) -> T | FleetregError:
    try:
        cli = await open_cli(cli_params(host), transport_of(host), executor)
    except Exception as exc:
        return translate(exc, host=host.name, step="connect")
    try:
        result = await step(cli, host)
    except Exception as exc:
        await cli.abort()
        return translate(exc, host=host.name, step=name)
    await cli.close()
    return result
