"""One rooted exception tree. Every error carries the context a network engineer needs
(file, host, field, step) so the CLI can print it as one line and exit non-zero."""

from __future__ import annotations

from collections.abc import Iterator


class FleetregError(Exception):
    """Root of every error fleetreg raises on purpose."""

    exit_code = 1

    def __init__(
        self,
        message: str,
        *,
        host: str | None = None,
        step: str | None = None,
        file: str | None = None,
        field: str | None = None,
        line: int | None = None,
    ) -> None:
        self.message = " ".join(message.split())
        self.host = host
        self.step = step
        self.file = file
        self.field = field
        self.line = line
        super().__init__(self.one_line())

    def context(self) -> str:
        parts = []
        if self.file:
            parts.append(f"{one_line_text(self.file)}:{self.line}" if self.line else one_line_text(self.file))
        if self.host:
            parts.append(f"host {one_line_text(self.host)}")
        if self.field:
            parts.append(f"field {one_line_text(self.field)}")
        if self.step:
            parts.append(f"step {one_line_text(self.step)}")
        return ", ".join(parts)

    def one_line(self) -> str:
        ctx = self.context()
        return f"{ctx}: {self.message}" if ctx else self.message

    def __str__(self) -> str:
        return self.one_line()


def one_line_text(text: str) -> str:
    """A name from outside (host, file) as one line: control characters escaped."""
    return "".join(repr(c)[1:-1] if ord(c) < 32 or ord(c) == 127 else c for c in str(text))


class InputError(FleetregError):
    """Bad user input: inventory, settings, plan file, CLI arguments. Exit code 2."""

    exit_code = 2


class InventoryError(InputError):
    """A problem in inventory/ (hosts.yaml, groups.yaml, defaults.yaml)."""


class SecretError(InputError):
    """A token or credential reference that cannot be resolved. Never contains the secret."""


class PlanFileError(InputError):
    """plan.json missing, truncated, edited into an invalid shape, or from another inventory."""


class RunFolderError(InputError):
    """Unknown run id, or a run folder that cannot be created or written."""


class LeaseHeldError(InputError):
    """Another fleetreg process holds the plan or run (or left it unfinished): exit 2, nothing touched."""


class InternalError(FleetregError):
    """fleetreg itself failed (disk full, journal write, an unexpected exception): exit 3. Every
    switch is left in a state the journal names; `fleetreg apply --resume RUN` finishes or backs it out."""

    exit_code = 3


class ParseError(FleetregError):
    """Device output a parser does not recognise; names the command and the first unexpected line."""

    def __init__(
        self,
        message: str,
        *,
        command: str | None = None,
        unexpected_line: str | None = None,
        **context: str | int | None,
    ) -> None:
        self.command = command
        self.unexpected_line = unexpected_line
        super().__init__(message, **context)  # type: ignore[arg-type]

    def one_line(self) -> str:
        base = super().one_line()
        extra = []
        if self.command:
            extra.append(f"command {self.command!r}")
        if self.unexpected_line is not None:
            extra.append(f"first unexpected line {self.unexpected_line!r}")
        return f"{base} ({', '.join(extra)})" if extra else base


class DeviceError(FleetregError):
    """Talking to a switch went wrong. `reason` is the short word used in reports."""

    reason = "device error"


class ConnectError(DeviceError):
    reason = "unreachable"


class AuthError(DeviceError):
    reason = "auth failed"


class HostKeyError(DeviceError):
    reason = "host key changed"


class UnknownHostKeyError(HostKeyError):
    reason = "host key unknown"


class CommandError(DeviceError):
    """The switch answered with a `%` error line, or a command timed out."""

    reason = "command rejected"


class CommandTimeout(CommandError):
    reason = "command timed out"


def exception_chain(exc: BaseException) -> Iterator[BaseException]:
    """The exception and what it was raised from (Netmiko wraps paramiko's errors)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__
