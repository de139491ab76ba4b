"""Read-only discovery: run the show commands and return their raw text."""

from __future__ import annotations

from collections.abc import Sequence

from fleetreg.core.facts import DISCOVER_COMMANDS
from fleetreg.tasks.cli import DeviceCli
from fleetreg.tasks.connection import send


async def discover(
    cli: DeviceCli, commands: Sequence[str] = DISCOVER_COMMANDS, read_timeout: float = 30
) -> dict[str, str]:
    return {command: await send(cli, command, read_timeout=read_timeout) for command in commands}
