"""Post-checks: what the switch shows after the change (raw and parsed)."""

from __future__ import annotations

from nornir.core.task import Result, Task

from orchestrator.parsing import parse_as
from orchestrator.parsing.models import CallHomeConfig, LicenseStatus
from tasks.connection import connection, device_errors, send


def verify(task: Task, mode: str, read_timeout: float = 30) -> Result:
    """`show license status` (+ the call-home section for call-home mode): (raw, status, callhome)."""
    host = task.host.name
    with device_errors(host, "verify"):
        conn = connection(task)
        raw = send(conn, "show license status", read_timeout=read_timeout)
        section = (
            send(conn, "show running-config | section call-home", read_timeout=read_timeout)
            if mode == "callhome"
            else None
        )
    status = parse_as(LicenseStatus, "show license status", raw, host=host)
    callhome = (
        parse_as(CallHomeConfig, "show running-config | section call-home", section, host=host)
        if section is not None
        else None
    )
    return Result(host=task.host, result=(raw, status, callhome))
