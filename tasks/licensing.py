"""Smart Licensing exec commands: deregister, register with a token, sync, read status, and
wait until registered. The registration token is passed in at call time, typed once, and never
returned, logged or put into an exception (session logs mask it)."""

from __future__ import annotations

import time

from fleetreg.core.errors import CommandError, CommandTimeout
from fleetreg.core.host_flow import IN_PROGRESS, REGISTERED, registration_verdict
from fleetreg.core.parsing import parse_as
from fleetreg.core.parsing.models import LicenseStatus
from fleetreg.tasks.cli import IOS_XE, DeviceCli
from fleetreg.tasks.connection import device_cli, send
from nornir.core.task import Result, Task

REGISTER_ACCEPTED = "Registration process is in progress"


def smart_deregister(cli: DeviceCli, read_timeout: float = 60) -> str:
    output = send(cli, "license smart deregister", read_timeout=read_timeout)
    if error := IOS_XE.error_in(output):
        raise CommandError(f"deregister refused: {error}", host=cli.host, step="deregister")
    return output


def smart_register(cli: DeviceCli, token: str, force: bool = False, read_timeout: float = 60) -> str:
    command = f"license smart register idtoken {token}" + (" force" if force else "")
    output = send(cli, command, read_timeout=read_timeout).replace(token, "<token>")
    if REGISTER_ACCEPTED not in output:
        reason = IOS_XE.error_in(output) or " ".join(output.split()) or "no answer"
        raise CommandError(f"registration not started: {reason}", host=cli.host, step="register")
    return output


def smart_sync(cli: DeviceCli, read_timeout: float = 60) -> str:
    output = send(cli, "license smart sync all", read_timeout=read_timeout)
    if error := IOS_XE.error_in(output):
        raise CommandError(f"sync refused: {error}", host=cli.host, step="sync")
    return output


def license_status(cli: DeviceCli, read_timeout: float = 30) -> tuple[str, LicenseStatus]:
    """`show license status`, raw and parsed."""
    raw = send(cli, "show license status", read_timeout=read_timeout)
    return raw, parse_as(LicenseStatus, "show license status", raw, host=cli.host)


def deregister(task: Task, read_timeout: float = 60) -> Result:
    """Nornir task: `license smart deregister`."""
    return Result(host=task.host, result=smart_deregister(device_cli(task), read_timeout), changed=True)


def register(task: Task, token: str, force: bool = False, read_timeout: float = 60) -> Result:
    """Nornir task: `license smart register idtoken <token> [force]` (the result shows `<token>`)."""
    return Result(host=task.host, result=smart_register(device_cli(task), token, force, read_timeout), changed=True)


def sync(task: Task, read_timeout: float = 60) -> Result:
    """Nornir task: `license smart sync all` (SLP: usage report to the CSLU URL)."""
    return Result(host=task.host, result=smart_sync(device_cli(task), read_timeout), changed=True)


def restore_cloud(task: Task, token: str, read_timeout: float = 60) -> Result:
    """Nornir task: register a switch a failed change left unregistered back to Cisco's cloud,
    with a CSSM token of its former virtual account, through the call-home config the backout
    restored. Reads the switch first: one already registered is left alone, and a registration
    under way (a resumed rollback) is not started again. Result: what it did, one line."""
    cli = device_cli(task)
    _raw, status = license_status(cli, read_timeout)
    reg = status.registration_status or ""
    if reg == IN_PROGRESS:
        return Result(host=task.host, result="a registration was already under way")
    if reg.startswith(REGISTERED):
        return Result(host=task.host, result=f"already {reg}")
    smart_register(cli, token, force=True, read_timeout=read_timeout)
    return Result(host=task.host, result="registration to the cloud started", changed=True)


def read_status(task: Task, read_timeout: float = 30) -> Result:
    """Nornir task: (raw, parsed) `show license status`."""
    return Result(host=task.host, result=license_status(device_cli(task), read_timeout))


def wait_until_registered(
    task: Task, timeout_s: float = 300, poll_interval_s: float = 5, read_timeout: float = 30
) -> Result:
    """Nornir task: poll `show license status` until REGISTERED and AUTHORIZED (result: the
    parsed status), failed on a registration failure or after `timeout_s`. fleetreg's own
    runner polls with the same verdict (core.host_flow.registration_verdict) from a timer
    instead, so a waiting switch holds no worker."""
    cli = device_cli(task)
    deadline = time.monotonic() + timeout_s
    while True:
        _raw, status = license_status(cli, read_timeout)
        verdict, reason = registration_verdict(status)
        if verdict == "registered":
            return Result(host=task.host, result=status)
        if verdict == "failed":
            raise CommandError(reason, host=task.host.name, step="wait_registered")
        if time.monotonic() + poll_interval_s > deadline:
            raise CommandTimeout(
                f"timed out after {timeout_s:g}s: {reason}", host=task.host.name, step="wait_registered"
            )
        time.sleep(poll_interval_s)
