"""Backout: type the plan's backout lines (restore the captured call-home block), undo a
registration made by this run, and save."""

from __future__ import annotations

from collections.abc import Sequence

from nornir.core.task import Result, Task

from tasks.configure import configure, save_config
from tasks.licensing import deregister


def backout(task: Task, commands: Sequence[str], deregister_first: bool = False, read_timeout: float = 30) -> Result:
    if deregister_first:
        deregister(task, read_timeout=read_timeout * 2)
    if commands:
        configure(task, commands, read_timeout=read_timeout)
    save_config(task, step="backout", read_timeout=read_timeout * 2)
    return Result(host=task.host, result="backed out", changed=True)
