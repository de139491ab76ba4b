"""Smart Licensing exec commands: deregister, register with a token, sync, read status.

The registration token is passed in at call time, typed once, and never returned, logged or
put into an exception (session logs mask it through Netmiko's no_log)."""

from __future__ import annotations

from nornir.core.task import Result, Task

from orchestrator.errors import CommandError
from orchestrator.parsing import parse_as
from orchestrator.parsing.models import LicenseStatus
from tasks.connection import connection, device_errors, send

REGISTER_ACCEPTED = "Registration process is in progress"


def _error_line(output: str) -> str | None:
    for line in output.splitlines():
        if line.strip().startswith("%"):
            return line.strip()
    return None


def deregister(task: Task, read_timeout: float = 60) -> Result:
    host = task.host.name
    with device_errors(host, "deregister"):
        output = send(connection(task), "license smart deregister", read_timeout=read_timeout)
    if error := _error_line(output):
        raise CommandError(f"deregister refused: {error}", host=host, step="deregister")
    return Result(host=task.host, result=output, changed=True)


def register(task: Task, token: str, force: bool = False, read_timeout: float = 60) -> Result:
    host = task.host.name
    command = f"license smart register idtoken {token}" + (" force" if force else "")
    with device_errors(host, "register"):
        output = send(connection(task), command, read_timeout=read_timeout)
    output = output.replace(token, "<token>")
    if REGISTER_ACCEPTED not in output:
        reason = _error_line(output) or " ".join(output.split()) or "no answer"
        raise CommandError(f"registration not started: {reason}", host=host, step="register")
    return Result(host=task.host, result=output, changed=True)


def sync(task: Task, read_timeout: float = 60) -> Result:
    host = task.host.name
    with device_errors(host, "sync"):
        output = send(connection(task), "license smart sync all", read_timeout=read_timeout)
    if error := _error_line(output):
        raise CommandError(f"sync refused: {error}", host=host, step="sync")
    return Result(host=task.host, result=output, changed=True)


def read_status(task: Task, step: str = "wait_registered", read_timeout: float = 30) -> Result:
    """`show license status`, raw and parsed."""
    host = task.host.name
    with device_errors(host, step):
        raw = send(connection(task), "show license status", read_timeout=read_timeout)
    return Result(host=task.host, result=(raw, parse_as(LicenseStatus, "show license status", raw, host=host)))
