"""One warning per command, device version and kind of unknown output, through `logging`
(logger `fleetreg.parsing`): a fleet of 600 switches on the same image gives one warning, not 600.

The key is (command, the device's version when the caller knows it, the labels of the unknown
lines: `Device Telemetry Report Summary`, `Data Channel`; values left out, so the same block with
other counters is the same key). A caller that does not know the version (a registration poll)
is not told again what was reported with one (at discovery). Keys are kept per process, at most
MAX_KEYS of them."""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from typing import Any

from fleetreg.core.errors import one_line_text
from fleetreg.core.parsing.unknown import UnknownOutput

LOGGER = logging.getLogger("fleetreg.parsing")
MAX_KEYS = 4096
_SHOWN_LINES = 5

WarningKey = tuple[str, str | None, tuple[str, ...]]

_lock = threading.Lock()
_reported: OrderedDict[WarningKey, None] = OrderedDict()
_kinds: OrderedDict[tuple[str, tuple[str, ...]], None] = OrderedDict()  # (command, labels), any version


def _remember(seen: OrderedDict[Any, None], key: object) -> None:
    seen[key] = None
    seen.move_to_end(key)
    if len(seen) > MAX_KEYS:
        seen.popitem(last=False)


def warning_key(command: str, unknown: UnknownOutput, device_version: str | None) -> WarningKey:
    return (command, device_version, unknown.labels())


def report_unknown(
    command: str, unknown: UnknownOutput, *, host: str | None = None, device_version: str | None = None
) -> bool:
    """Log `unknown` once per key; True when this call logged it."""
    if not unknown:
        return False
    key = warning_key(command, unknown, device_version)
    kind = (command, key[2])
    with _lock:
        if key in _reported or (device_version is None and kind in _kinds):
            return False
        _remember(_reported, key)
        _remember(_kinds, kind)
    LOGGER.warning(warning_text(command, unknown, host=host, device_version=device_version))
    return True


def warning_text(command: str, unknown: UnknownOutput, *, host: str | None, device_version: str | None) -> str:
    """One line: what was ignored, where it was first seen, and that it is not reported again."""
    parts = []
    if unknown.blocks:
        parts.append("unknown block(s) " + ", ".join(repr(block) for block in unknown.blocks))
    lines = unknown.inner_lines
    if lines:
        shown = ", ".join(repr(line.strip()) for line in lines[:_SHOWN_LINES])
        more = f" and {len(lines) - _SHOWN_LINES} more" if len(lines) > _SHOWN_LINES else ""
        parts.append(f"unknown line(s) {shown}{more}")
    version = f" on IOS-XE {one_line_text(device_version)}" if device_version else ""
    seen = f" (first seen on host {one_line_text(host)})" if host else ""
    scope = "this command and version" if device_version else "this command"
    return (
        f"{command!r}{version}: ignored {'; '.join(parts)}{seen}; kept in the raw output; "
        f"the same from other switches is not reported again for {scope}"
    )


def forget_reported() -> None:
    """Start afresh (tests)."""
    with _lock:
        _reported.clear()
        _kinds.clear()
