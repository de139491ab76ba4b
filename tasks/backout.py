"""Backout: type the plan's backout lines (restore the captured call-home block), undo a
registration made by this run, and save."""

from __future__ import annotations

import re
from collections.abc import Sequence

from fleetreg.core.errors import CommandError
from fleetreg.tasks.cli import IOS_XE, ConfigLineRejected, DeviceCli
from fleetreg.tasks.configure import leave_config_mode, write_memory
from fleetreg.tasks.connection import device_cli
from fleetreg.tasks.licensing import smart_deregister
from nornir.core.task import Result, Task

# A line IOS could not even parse: never "already undone", always a failure.
SYNTAX_ERROR_RE = re.compile(r"%\s*(Invalid input|Incomplete command|Ambiguous command)", re.IGNORECASE)


def restore(cli: DeviceCli, commands: Sequence[str], deregister_first: bool = False, read_timeout: float = 30) -> str:
    if deregister_first:
        smart_deregister(cli, read_timeout=read_timeout * 2)
    already_undone = restore_lines(cli, commands, read_timeout=read_timeout) if commands else []
    write_memory(cli, step="backout", read_timeout=read_timeout * 2)
    note = f" ({len(already_undone)} removal(s) already undone: {'; '.join(already_undone)})" if already_undone else ""
    return "backed out" + note


def restore_lines(cli: DeviceCli, commands: Sequence[str], read_timeout: float = 30) -> list[str]:
    """Type the backout lines in one config session. The lines were planned against the full
    change; when the change was cut short (session lost mid-configure) some of what they
    remove was never created, and IOS refuses e.g. `no profile "X"` with `% Profile X does not
    exist`. Such a refused `no ...` line already holds, so typing goes on after what the switch
    received; any other refusal, any syntax error and any authorization refusal (the line was not
    run) fails the backout. Returns the lines skipped."""
    remaining = [c for c in commands if c.strip()]
    skipped: list[str] = []
    enter = True
    while remaining:
        try:
            cli.send_config(remaining, enter=enter, read_timeout=read_timeout)
            return skipped
        except ConfigLineRejected as exc:
            for line, error in exc.rejected:  # lines as typed: stripped
                if not line.startswith("no ") or SYNTAX_ERROR_RE.search(error) or IOS_XE.refused(error):
                    leave_config_mode(cli)
                    raise CommandError(f"switch rejected {line!r}: {error}", host=cli.host, step="backout") from None
                skipped.append(f"{line} ({error})")
            remaining = remaining[exc.typed :]
            enter = False  # still in config mode, where the last line the switch received left it
    leave_config_mode(cli)  # the refused line was the last one
    return skipped


def backout(task: Task, commands: Sequence[str], deregister_first: bool = False, read_timeout: float = 30) -> Result:
    """Nornir task: type the plan's backout lines (HostPlan.backout_commands), deregister first
    when this change registered the switch, then `write memory`."""
    return Result(
        host=task.host, result=restore(device_cli(task), commands, deregister_first, read_timeout), changed=True
    )
