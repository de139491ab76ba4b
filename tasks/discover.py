"""Read-only discovery: run the show commands and return their raw text."""

from __future__ import annotations

from collections.abc import Sequence

from nornir.core.task import Result, Task

from orchestrator.facts import DISCOVER_COMMANDS
from tasks.connection import connection, device_errors, send


def discover(task: Task, commands: Sequence[str] = DISCOVER_COMMANDS, read_timeout: float = 30) -> Result:
    outputs: dict[str, str] = {}
    with device_errors(task.host.name, "discover"):
        conn = connection(task)
        for command in commands:
            outputs[command] = send(conn, command, read_timeout=read_timeout)
    return Result(host=task.host, result=outputs)
