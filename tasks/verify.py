"""Post-checks: what the switch shows after the change (raw and parsed)."""

from __future__ import annotations

from nornir.core.task import Result, Task

from orchestrator.parsing import parse
from tasks.connection import connection, device_errors


def verify(task: Task, mode: str, read_timeout: float = 30) -> Result:
    """`show license status` (+ the call-home section for call-home mode): (raw, status, callhome)."""
    host = task.host.name
    with device_errors(host, "verify"):
        conn = connection(task)
        raw = conn.send_command("show license status", read_timeout=read_timeout)
        section = (
            conn.send_command("show running-config | section call-home", read_timeout=read_timeout)
            if mode == "callhome"
            else None
        )
    status = parse("show license status", raw, host=host)
    callhome = parse("show running-config | section call-home", section, host=host) if section is not None else None
    return Result(host=task.host, result=(raw, status, callhome))
