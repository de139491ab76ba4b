"""Smart Licensing exec commands: deregister, register with a token, sync, read status.

The registration token is passed in at call time, typed once, and never returned, logged or
put into an exception (session logs mask it)."""

from __future__ import annotations

from fleetreg.core.errors import CommandError
from fleetreg.core.parsing import parse_as
from fleetreg.core.parsing.models import LicenseStatus
from fleetreg.tasks.cli import IOS_XE, DeviceCli
from fleetreg.tasks.connection import send

REGISTER_ACCEPTED = "Registration process is in progress"


async def deregister(cli: DeviceCli, read_timeout: float = 60) -> str:
    output = await send(cli, "license smart deregister", read_timeout=read_timeout)
    if error := IOS_XE.error_in(output):
        raise CommandError(f"deregister refused: {error}", host=cli.host, step="deregister")
    return output


async def register(cli: DeviceCli, token: str, force: bool = False, read_timeout: float = 60) -> str:
    command = f"license smart register idtoken {token}" + (" force" if force else "")
    output = (await send(cli, command, read_timeout=read_timeout)).replace(token, "<token>")
    if REGISTER_ACCEPTED not in output:
        reason = IOS_XE.error_in(output) or " ".join(output.split()) or "no answer"
        raise CommandError(f"registration not started: {reason}", host=cli.host, step="register")
    return output


async def sync(cli: DeviceCli, read_timeout: float = 60) -> str:
    output = await send(cli, "license smart sync all", read_timeout=read_timeout)
    if error := IOS_XE.error_in(output):
        raise CommandError(f"sync refused: {error}", host=cli.host, step="sync")
    return output


async def read_status(cli: DeviceCli, read_timeout: float = 30) -> tuple[str, LicenseStatus]:
    """`show license status`, raw and parsed."""
    raw = await send(cli, "show license status", read_timeout=read_timeout)
    return raw, parse_as(LicenseStatus, "show license status", raw, host=cli.host)
