"""Config changes: one config session with the planned lines, and `write memory`."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence

from nornir.core.task import Result, Task

from orchestrator.errors import CommandError
from tasks.cli import ConfigLineRejected, DeviceCli
from tasks.connection import connection, device_errors, send


def configure(task: Task, commands: Sequence[str], read_timeout: float = 30) -> Result:
    """Type `commands` in one config session. A `%` error line fails the step, naming the line;
    the session is left back in exec mode either way."""
    host = task.host.name
    lines = [c.strip() for c in commands if c.strip()]
    with device_errors(host, "configure"):
        cli = connection(task)
        try:
            output = cli.send_config(lines, read_timeout=read_timeout)
        except ConfigLineRejected as exc:
            leave_config_mode(cli)
            raise CommandError(f"switch rejected {exc.line!r}: {exc.error}", host=host, step="configure") from None
    return Result(host=task.host, result=output, changed=bool(lines))


def leave_config_mode(cli: DeviceCli) -> None:
    with contextlib.suppress(Exception):  # best effort; the next step re-reads the prompt anyway
        cli.exit_config_mode()


def save_config(task: Task, step: str = "save_config", read_timeout: float = 60) -> Result:
    """`write memory`; success only on IOS's `[OK]`."""
    host = task.host.name
    with device_errors(host, step):
        output = send(connection(task), "write memory", read_timeout=read_timeout)
    if "[OK]" not in output:
        raise CommandError(f"write memory did not answer [OK]: {_last_line(output)}", host=host, step=step)
    return Result(host=task.host, result=output, changed=True)


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else "(no output)"
