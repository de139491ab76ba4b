"""Exceptions of the transports' libraries (Netmiko, paramiko, sockets) as fleetreg errors:
one line, the host and step named, no secrets."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager

import paramiko
from netmiko.exceptions import (
    ConfigInvalidException,
    NetmikoAuthenticationException,
    NetmikoTimeoutException,
    ReadException,
    ReadTimeout,
)
from paramiko.ssh_exception import SSHException

from orchestrator.errors import (
    AuthError,
    CommandError,
    CommandTimeout,
    ConnectError,
    DeviceError,
    FleetregError,
    HostKeyError,
    UnknownHostKeyError,
)
from orchestrator.host_keys import fingerprint
from tasks.cli import ConfigLineRejected


def _first_line(text: str) -> str:
    for line in str(text).splitlines():
        if line.strip():
            return line.strip()
    return str(text).strip() or type(text).__name__


def translate(exc: BaseException, *, host: str, step: str) -> FleetregError:
    """Netmiko/paramiko/socket exceptions -> our error tree, one line, no secrets."""
    if isinstance(exc, FleetregError):
        return exc
    if (host_key_error := _host_key_problem(exc, host=host, step=step)) is not None:
        return host_key_error
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


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """The exception and what it was raised from (Netmiko wraps paramiko's errors)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _host_key_problem(exc: BaseException, *, host: str, step: str) -> HostKeyError | None:
    for cause in _chain(exc):
        if isinstance(cause, paramiko.BadHostKeyException):
            expected = fingerprint(cause.expected_key.get_name(), cause.expected_key.get_base64())
            got = fingerprint(cause.key.get_name(), cause.key.get_base64())
            return HostKeyError(
                f"expected {expected}, got {got} (if the switch was replaced, delete its known_hosts entry)",
                host=host,
                step=step,
            )
        if isinstance(cause, SSHException) and "not found in known_hosts" in str(cause):
            return UnknownHostKeyError("not in the --known-hosts file (strict checking)", host=host, step=step)
    return None


@contextmanager
def device_errors(host: str, step: str) -> Iterator[None]:
    try:
        yield
    except (FleetregError, ConfigLineRejected):
        raise
    except Exception as exc:
        raise translate(exc, host=host, step=step) from None
