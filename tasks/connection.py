"""How fleetreg talks to a switch: Netmiko connection options, error translation, and the
one helper every task uses to get its (reused) connection."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from netmiko import BaseConnection
from netmiko.exceptions import (
    ConfigInvalidException,
    NetmikoAuthenticationException,
    NetmikoTimeoutException,
    ReadException,
    ReadTimeout,
)
from nornir.core.task import Task
from paramiko.ssh_exception import SSHException

from orchestrator.errors import AuthError, CommandError, CommandTimeout, ConnectError, DeviceError, FleetregError

CONNECTION = "netmiko"

# Netmiko spends most of a default session sleeping. fast_cli shortens its fixed delays and
# lets prompt detection return as soon as the prompt is seen; the timeouts bound each wait.
DEFAULT_NETMIKO_EXTRAS: dict[str, Any] = {
    "fast_cli": True,
    "conn_timeout": 10,
    "auth_timeout": 15,
    "banner_timeout": 15,
    "read_timeout_override": None,
    "keepalive": 30,
}

ERROR_PATTERN = r"^%|% (Invalid|Incomplete|Ambiguous)"


def connection(task: Task) -> BaseConnection:
    return task.host.get_connection(CONNECTION, task.nornir.config)


def _first_line(text: str) -> str:
    for line in str(text).splitlines():
        if line.strip():
            return line.strip()
    return str(text).strip() or type(text).__name__


def translate(exc: BaseException, *, host: str, step: str) -> FleetregError:
    """Netmiko/paramiko/socket exceptions -> our error tree, one line, no secrets."""
    if isinstance(exc, FleetregError):
        return exc
    if isinstance(exc, NetmikoAuthenticationException):
        return AuthError("authentication failed (check FLEETREG_USERNAME / FLEETREG_PASSWORD)", host=host, step=step)
    if isinstance(exc, ReadTimeout):
        return CommandTimeout(f"no prompt before the read timeout: {_first_line(str(exc))}", host=host, step=step)
    if isinstance(exc, ConfigInvalidException):
        return CommandError(f"switch rejected a config line: {_first_line(str(exc))}", host=host, step=step)
    if isinstance(exc, NetmikoTimeoutException | socket.timeout | TimeoutError):
        return ConnectError(f"connection timed out: {_first_line(str(exc))}", host=host, step=step)
    if isinstance(exc, ConnectionRefusedError):
        return ConnectError("connection refused", host=host, step=step)
    if isinstance(exc, EOFError | SSHException | ReadException | OSError | ConnectionError):
        return ConnectError(f"SSH session lost: {_first_line(str(exc))}", host=host, step=step)
    if isinstance(exc, ValueError) and "prompt" in str(exc).lower():
        return DeviceError(f"unexpected prompt: {_first_line(str(exc))}", host=host, step=step)
    return DeviceError(f"{type(exc).__name__}: {_first_line(str(exc))}", host=host, step=step)


@contextmanager
def device_errors(host: str, step: str) -> Iterator[None]:
    try:
        yield
    except FleetregError:
        raise
    except Exception as exc:
        raise translate(exc, host=host, step=step) from None
