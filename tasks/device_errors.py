"""Exceptions of the transports and their libraries (sockets; Netmiko and paramiko when the
netmiko transport is in use) as fleetreg errors: one line, the host and step named, no secrets.

A transport whose library raises its own exception types registers a translator for them
(`register_translator`), so this module loads no transport library itself."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from fleetreg.core.errors import (
    ConnectError,
    DeviceError,
    FleetregError,
)
from fleetreg.tasks.cli import ConfigLineRejected

# (exception, host, step) -> the fleetreg error, or None: not one of this library's exceptions
Translator = Callable[[BaseException, str, str], FleetregError | None]
_TRANSLATORS: list[Translator] = []


def register_translator(translator: Translator) -> None:
    if translator not in _TRANSLATORS:
        _TRANSLATORS.append(translator)


def first_line(text: str) -> str:
    for line in str(text).splitlines():
        if line.strip():
            return line.strip()
    return str(text).strip() or type(text).__name__


def translate(exc: BaseException, *, host: str, step: str) -> FleetregError:
    """Library and socket exceptions -> our error tree, one line, no secrets."""
    if isinstance(exc, FleetregError):
        return exc
    for translator in _TRANSLATORS:
        if (translated := translator(exc, host, step)) is not None:
            return translated
    if isinstance(exc, socket.timeout | TimeoutError):
        return ConnectError(f"connection timed out: {first_line(str(exc))}", host=host, step=step)
    if isinstance(exc, ConnectionRefusedError):
        return ConnectError("connection refused", host=host, step=step)
    if isinstance(exc, EOFError | OSError | ConnectionError):
        return ConnectError(f"SSH session lost: {first_line(str(exc))}", host=host, step=step)
    if isinstance(exc, ValueError) and "prompt" in str(exc).lower():
        return DeviceError(f"unexpected prompt: {first_line(str(exc))}", host=host, step=step)
    return DeviceError(f"{type(exc).__name__}: {first_line(str(exc))}", host=host, step=step)


@contextmanager
def device_errors(host: str, step: str) -> Iterator[None]:
    try:
        yield
    except (FleetregError, ConfigLineRejected):
        raise
    except Exception as exc:
        raise translate(exc, host=host, step=step) from None
