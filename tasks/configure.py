"""Config changes: one config session with the planned lines, and `write memory`."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence

from fleetreg.core.errors import CommandError
from fleetreg.tasks.cli import ConfigLineRejected, DeviceCli
from fleetreg.tasks.connection import device_cli, send
from nornir.core.task import Result, Task


def type_config(cli: DeviceCli, commands: Sequence[str], read_timeout: float = 30) -> str:
    """Type `commands` (indented as in a running config) in one config session. An error line (`%`,
    or an authorization refusal) fails the step, naming the line; the session is left back in exec
    mode either way."""
    try:
        return cli.send_config(commands, read_timeout=read_timeout)
    except ConfigLineRejected as exc:
        leave_config_mode(cli)
        raise CommandError(f"switch rejected {exc.line!r}: {exc.error}", host=cli.host, step="configure") from None


def leave_config_mode(cli: DeviceCli) -> None:
    with contextlib.suppress(Exception):  # best effort; the next step re-reads the prompt anyway
        cli.exit_config_mode()


def write_memory(cli: DeviceCli, step: str = "save_config", read_timeout: float = 60) -> str:
    """`write memory`; success only on IOS's `[OK]`."""
    output = send(cli, "write memory", read_timeout=read_timeout)
    if "[OK]" not in output:
        raise CommandError(f"write memory did not answer [OK]: {_last_line(output)}", host=cli.host, step=step)
    return output


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else "(no output)"


def configure(task: Task, commands: Sequence[str], read_timeout: float = 30) -> Result:
    """Nornir task: type the rendered config lines (fleetreg.core.planner renders them)."""
    return Result(host=task.host, result=type_config(device_cli(task), commands, read_timeout), changed=True)


def save_config(task: Task, read_timeout: float = 60, step: str = "save_config") -> Result:
    """Nornir task: `write memory`, failed unless the switch answers `[OK]`."""
    return Result(host=task.host, result=write_memory(device_cli(task), step, read_timeout), changed=True)
