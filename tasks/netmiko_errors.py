"""Netmiko's and paramiko's exceptions as fleetreg errors: the netmiko transport's translator,
registered with tasks.device_errors by tasks.netmiko_cli when that transport is first used."""

from __future__ import annotations

import paramiko
from fleetreg.core.errors import (
    AuthError,
    CommandError,
    CommandTimeout,
    ConnectError,
    FleetregError,
    HostKeyError,
    UnknownHostKeyError,
    exception_chain,
)
from fleetreg.tasks.device_errors import first_line
from fleetreg.tasks.host_keys import fingerprint
from netmiko.exceptions import (
    ConfigInvalidException,
    NetmikoAuthenticationException,
    NetmikoTimeoutException,
    ReadException,
    ReadTimeout,
)
from paramiko.ssh_exception import SSHException


def netmiko_translate(exc: BaseException, host: str, step: str) -> FleetregError | None:
    """Netmiko's and paramiko's exceptions (the netmiko transport's), or None."""
    if (host_key_error := _host_key_problem(exc, host=host, step=step)) is not None:
        return host_key_error
    if isinstance(exc, NetmikoAuthenticationException):
        if any("timeout" in str(cause).lower() for cause in exception_chain(exc)):  # paramiko's auth_timeout
            return ConnectError(
                "login timed out: the switch (or its AAA server) did not answer the password in time",
                host=host,
                step=step,
            )
        return AuthError("authentication failed (check FLEETREG_USERNAME / FLEETREG_PASSWORD)", host=host, step=step)
    if isinstance(exc, ReadTimeout):
        return CommandTimeout(f"no prompt before the read timeout: {first_line(str(exc))}", host=host, step=step)
    if isinstance(exc, ConfigInvalidException):
        return CommandError(f"switch rejected a config line: {first_line(str(exc))}", host=host, step=step)
    if isinstance(exc, NetmikoTimeoutException):
        return ConnectError(f"connection timed out: {first_line(str(exc))}", host=host, step=step)
    if isinstance(exc, SSHException | ReadException):
        return ConnectError(f"SSH session lost: {first_line(str(exc))}", host=host, step=step)
    return None


def _host_key_problem(exc: BaseException, *, host: str, step: str) -> HostKeyError | None:
    for cause in exception_chain(exc):
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
