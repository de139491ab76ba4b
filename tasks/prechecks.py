"""Plan-time pre-checks: read-only commands (ping the satellite from the source interface, show
clock, show ntp status), raw answers per command for fleetreg.core.prechecks to judge.

A command the switch refuses (per-command authorization) is recorded as refused and the others
still run; nothing here is typed in configuration mode."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence

from fleetreg.core.errors import CommandError, CommandTimeout
from fleetreg.core.prechecks import PING, PING_READ_TIMEOUT_S, CheckOutput, PrecheckRun
from fleetreg.tasks.cli import DeviceCli
from fleetreg.tasks.connection import close_cli, device_cli, send
from fleetreg.tasks.device_errors import translate
from fleetreg.tasks.discover import read_outputs
from nornir.core.task import Result, Task


def read_prechecks(cli: DeviceCli, commands: Mapping[str, str], read_timeout: float = 30) -> dict[str, CheckOutput]:
    """Each command's answer, with fleetreg's clock halfway through it (for the clock's skew)."""
    answers: dict[str, CheckOutput] = {}
    for key, command in commands.items():
        timeout = max(read_timeout, PING_READ_TIMEOUT_S) if key == PING else read_timeout
        started = time.time()
        try:
            output = send(cli, command, read_timeout=timeout)
        except CommandTimeout:
            raise  # the session's state is unknown: the caller drops it
        except CommandError as exc:
            answers[key] = CheckOutput(command=command, refused=exc.message, read_at=(started + time.time()) / 2)
            continue
        answers[key] = CheckOutput(command=command, output=output, read_at=(started + time.time()) / 2)
    return answers


def prechecks(task: Task, commands: Mapping[str, str], read_timeout: float = 30) -> Result:
    """Nornir task: {check key: CheckOutput} (judge with fleetreg.core.prechecks.evaluate_prechecks)."""
    return Result(host=task.host, result=read_prechecks(device_cli(task), commands, read_timeout))


def discover_and_prechecks(
    task: Task,
    commands: Sequence[str],
    precheck_commands_for: Callable[[str, dict[str, str]], Mapping[str, str] | None],
    read_timeout: float = 30,
) -> Result:
    """Nornir task: discover, then, in the same session, the pre-checks `precheck_commands_for(host,
    outputs)` asks for (None: none, e.g. a switch the plan will not act on). Result:
    {"discover": {command: output}, "prechecks": PrecheckRun | None}. A failure during the
    pre-checks keeps the discovered outputs and records the checks as not run."""
    cli = device_cli(task)
    outputs = read_outputs(cli, commands, read_timeout)
    wanted = precheck_commands_for(task.host.name, outputs)
    run: PrecheckRun | None = None
    if wanted:
        started = time.monotonic()
        try:
            run = PrecheckRun(read_prechecks(cli, wanted, read_timeout), time.monotonic() - started)
        except Exception as exc:  # the session failed mid-way: discover's answers still stand
            close_cli(task.host, politely=False)
            error = translate(exc, host=task.host.name, step="prechecks")
            run = PrecheckRun({}, time.monotonic() - started, error=error.message)
    return Result(host=task.host, result={"discover": outputs, "prechecks": run})
