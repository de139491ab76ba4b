"""Post-checks: what the switch shows after the change (raw and parsed)."""

from __future__ import annotations

from fleetreg.core.parsing import parse_as
from fleetreg.core.parsing.models import CallHomeConfig, LicenseStatus
from fleetreg.tasks.cli import DeviceCli
from fleetreg.tasks.connection import device_cli, send
from nornir.core.task import Result, Task

CALLHOME_SECTION = "show running-config | section call-home"


def read_back(cli: DeviceCli, mode: str, read_timeout: float = 30) -> tuple[str, LicenseStatus, CallHomeConfig | None]:
    """`show license status` (+ the call-home section for call-home mode): (raw, status, callhome)."""
    raw = send(cli, "show license status", read_timeout=read_timeout)
    section = send(cli, CALLHOME_SECTION, read_timeout=read_timeout) if mode == "callhome" else None
    status = parse_as(LicenseStatus, "show license status", raw, host=cli.host)
    callhome = parse_as(CallHomeConfig, CALLHOME_SECTION, section, host=cli.host) if section is not None else None
    return raw, status, callhome


def verify(task: Task, mode: str = "callhome", read_timeout: float = 30) -> Result:
    """Nornir task: (raw, status, callhome) read back; judge it with core.host_flow.verify_problems."""
    return Result(host=task.host, result=read_back(device_cli(task), mode, read_timeout))
