"""Config changes: one config session with the planned lines, and `write memory`."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Sequence

from netmiko import BaseConnection
from netmiko.exceptions import ConfigInvalidException
from nornir.core.task import Result, Task

from orchestrator.errors import CommandError
from tasks.connection import ERROR_PATTERN, connection, device_errors, send

FAILED_COMMAND_RE = re.compile(r"at command: (?P<cmd>.*), matched error: (?P<err>.*)")


def configure(task: Task, commands: Sequence[str], read_timeout: float = 30) -> Result:
    """Type `commands` in one config session. A `%` error line fails the step, naming the line;
    the session is left back in exec mode either way."""
    host = task.host.name
    lines = [c.strip() for c in commands if c.strip()]
    with device_errors(host, "configure"):
        conn = connection(task)
        try:
            output = conn.send_config_set(lines, error_pattern=ERROR_PATTERN, read_timeout=read_timeout)
        except ConfigInvalidException as exc:
            _leave_config_mode(conn)
            match = FAILED_COMMAND_RE.search(str(exc))
            line, error = (match["cmd"], match["err"].strip()) if match else ("?", str(exc))
            raise CommandError(f"switch rejected {line!r}: {error}", host=host, step="configure") from None
    return Result(host=task.host, result=output, changed=bool(lines))


def _leave_config_mode(conn: BaseConnection) -> None:
    with contextlib.suppress(Exception):  # best effort; the next step re-reads the prompt anyway
        conn.exit_config_mode()


def save_config(task: Task, step: str = "save_config", read_timeout: float = 60) -> Result:
    """`write memory`; success only on IOS's `[OK]`."""
    host = task.host.name
    with device_errors(host, step):
        conn = connection(task)
        output = send(conn, "write memory", read_timeout=read_timeout)
    if "[OK]" not in output:
        raise CommandError(f"write memory did not answer [OK]: {_last_line(output)}", host=host, step=step)
    return Result(host=task.host, result=output, changed=True)


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else "(no output)"
