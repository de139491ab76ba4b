"""Backout: read the switch first, undo a registration to this plan's satellite (and only that),
type the plan's backout lines (restore the captured call-home block), save, and read the switch
again: what the backout left is read back, never assumed."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from fleetreg.core.errors import CommandError
from fleetreg.core.host_flow import licensing_state, registered_to_url
from fleetreg.core.parsing.models import CallHomeConfig, LicenseStatus
from fleetreg.tasks.cli import IOS_XE, ConfigLineRejected, DeviceCli
from fleetreg.tasks.configure import leave_config_mode, write_memory
from fleetreg.tasks.connection import device_cli
from fleetreg.tasks.licensing import smart_deregister
from fleetreg.tasks.verify import read_back
from nornir.core.task import Result, Task

# A line IOS could not even parse: never "already undone", always a failure.
SYNTAX_ERROR_RE = re.compile(r"%\s*(Invalid input|Incomplete command|Ambiguous command)", re.IGNORECASE)


@dataclass(frozen=True)
class BackoutDone:
    note: str  # what was done
    raw_status: str  # `show license status` read after the backout
    status: LicenseStatus  # raw_status, parsed
    callhome: CallHomeConfig | None  # the call-home section read after it (call-home mode)

    @property
    def found(self) -> str:
        """The licensing state found after it, one line (core.host_flow.licensing_state)."""
        return licensing_state(self.status, self.callhome)


def restore(
    cli: DeviceCli,
    commands: Sequence[str],
    deregister_first: bool = False,
    read_timeout: float = 30,
    *,
    mode: str = "callhome",
    satellite_url: str | None = None,
) -> BackoutDone:
    """`deregister_first`: this run may have registered the switch to `satellite_url`; it is
    deregistered only if the switch, read now, says it is registered there."""
    notes: list[str] = []
    if deregister_first:
        _raw, status, callhome = read_back(cli, mode, read_timeout)
        if registered_to_url(status, callhome, satellite_url):
            smart_deregister(cli, read_timeout=read_timeout * 2)
            notes.append("deregistered from the satellite")
        else:
            notes.append(f"not deregistered (read first: {licensing_state(status, callhome)})")
    already_undone = restore_lines(cli, commands, read_timeout=read_timeout) if commands else []
    write_memory(cli, step="backout", read_timeout=read_timeout * 2)
    if already_undone:
        notes.append(f"{len(already_undone)} removal(s) already undone: {'; '.join(already_undone)}")
    raw, status, callhome = read_back(cli, mode, read_timeout)
    return BackoutDone("backed out" + (f" ({'; '.join(notes)})" if notes else ""), raw, status, callhome)


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


def backout(
    task: Task,
    commands: Sequence[str],
    deregister_first: bool = False,
    read_timeout: float = 30,
    mode: str = "callhome",
    satellite_url: str | None = None,
) -> Result:
    """Nornir task: undo the change (HostPlan.backout_commands), deregistering first only a
    switch that reads back as registered to `satellite_url`; result: BackoutDone, with the state
    read after it."""
    cli = device_cli(task)
    done = restore(cli, commands, deregister_first, read_timeout, mode=mode, satellite_url=satellite_url)
    return Result(host=task.host, result=done, changed=True)
