"""Read-only discovery: the show commands fleetreg plans from, raw text per command."""

from __future__ import annotations

from collections.abc import Sequence

from fleetreg.core.facts import DISCOVER_COMMANDS
from fleetreg.tasks.cli import DeviceCli
from fleetreg.tasks.connection import device_cli, send
from nornir.core.task import Result, Task


def read_outputs(
    cli: DeviceCli, commands: Sequence[str] = DISCOVER_COMMANDS, read_timeout: float = 30
) -> dict[str, str]:
    return {command: send(cli, command, read_timeout=read_timeout) for command in commands}


def discover(task: Task, commands: Sequence[str] = DISCOVER_COMMANDS, read_timeout: float = 30) -> Result:
    """Nornir task: {command: raw output} (parse with fleetreg.core.facts.build_facts)."""
    return Result(host=task.host, result=read_outputs(device_cli(task), commands, read_timeout))
